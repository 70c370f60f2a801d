import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { formatNumber } from '../src/core/reply.ts';
import { listSegments, previewSegment } from '../src/segments/service.ts';

export default defineCommand({
  name: 'segments',
  description: 'List saved segments with their size today',
  examples: ['segments'],
  aliases: ['list segments', 'saved segments', 'show segments'],
  args: z.object({}),
  async run(ctx) {
    const saved = await listSegments(ctx.database);
    if (saved.length === 0) {
      return { text: 'No segments are saved yet. Describe an audience, then say "save as NAME".' };
    }
    const rows = [];
    for (const s of saved) {
      const { count } = await previewSegment(ctx.database, s.definition, 0);
      rows.push([
        s.name,
        s.description,
        formatNumber(count),
        s.createdBy,
        s.createdAt.toISOString().slice(0, 10),
      ]);
    }
    return {
      title: `${saved.length} saved segment${saved.length === 1 ? '' : 's'}`,
      table: { columns: ['Name', 'Definition', 'Customers', 'Saved by', 'Saved on'], rows },
      context:
        'Say "show segment NAME", "compare NAME and NAME", "export segment NAME" or "delete segment NAME".',
    };
  },
});
