import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { digestsOverview } from '../src/digests/reply.ts';

export default defineCommand({
  name: 'digests',
  description: 'List scheduled digests: when, where, and how the last one went',
  examples: ['digests'],
  aliases: ['list digests', 'show digests', 'scheduled digests'],
  args: z.object({}),
  async run(ctx) {
    const { count, reply } = await digestsOverview(ctx.database);
    return count ? { title: `${count} scheduled digest${count === 1 ? '' : 's'}`, ...reply } : reply;
  },
});
