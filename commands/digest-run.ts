import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { describeTarget } from '../src/digests/reply.ts';
import { getDigest, queueRun } from '../src/digests/service.ts';

export default defineCommand({
  name: 'run digest',
  description: 'Post a digest to its channel now, outside its schedule',
  examples: ['run digest weekly-marketing'],
  aliases: ['send digest', 'post digest', 'run digest now'],
  args: z.object({ name: z.string().trim().min(1, 'say which digest') }),
  parse: (text) => ({ name: text.replace(/\s+now$/i, '') }),
  async run(ctx, { name }) {
    const digest = await getDigest(ctx.database, name);
    const queued = await queueRun(ctx.database, digest, new Date());
    if (!queued)
      return { tone: 'warning', text: `"${digest.name}" was already queued this second; it goes out once.` };
    return {
      tone: 'success',
      text:
        `Posting "${digest.name}" to ${describeTarget(digest)} now: the scheduler sends it within a minute, exactly once. ` +
        'Say "digests" to see how it went.',
      context: `To see it here without posting, say "preview digest ${digest.name}".`,
    };
  },
});
