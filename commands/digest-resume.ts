import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { nextRunText } from '../src/digests/reply.ts';
import { setPaused } from '../src/digests/service.ts';

export default defineCommand({
  name: 'resume digest',
  description: 'Resume a paused digest from its next scheduled time (missed ones are not sent)',
  examples: ['resume digest weekly-marketing'],
  aliases: ['unpause digest', 'restart digest'],
  args: z.object({ name: z.string().trim().min(1, 'say which digest') }),
  parse: (text) => ({ name: text }),
  async run(ctx, { name }) {
    const digest = await setPaused(ctx.database, name, false);
    return {
      tone: 'success',
      text: `Resumed digest "${digest.name}"; next: ${nextRunText(digest, new Date())}.`,
    };
  },
});
