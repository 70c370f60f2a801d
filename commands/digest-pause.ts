import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { setPaused } from '../src/digests/service.ts';

export default defineCommand({
  name: 'pause digest',
  description: 'Pause a digest: nothing is posted until it is resumed',
  examples: ['pause digest weekly-marketing'],
  aliases: ['stop digest'],
  args: z.object({ name: z.string().trim().min(1, 'say which digest') }),
  parse: (text) => ({ name: text }),
  async run(ctx, { name }) {
    const digest = await setPaused(ctx.database, name, true);
    return {
      tone: 'success',
      text: `Paused digest "${digest.name}". Say "resume digest ${digest.name}" to start it again.`,
    };
  },
});
