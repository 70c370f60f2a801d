import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { deleteSegment } from '../src/segments/service.ts';

export default defineCommand({
  name: 'delete segment',
  description: 'Delete a saved segment',
  examples: ['delete segment lapsed-germans'],
  aliases: ['remove segment'],
  args: z.object({ name: z.string().trim().min(1, 'say which segment') }),
  parse: (text) => ({ name: text }),
  async run(ctx, { name }) {
    const deleted = await deleteSegment(ctx.database, name);
    return { tone: 'success', text: `Deleted segment "${deleted.name}".`, context: deleted.description };
  },
});
