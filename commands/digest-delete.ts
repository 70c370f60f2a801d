import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { describeTarget } from '../src/digests/reply.ts';
import { deleteDigest } from '../src/digests/service.ts';

export default defineCommand({
  name: 'delete digest',
  description: 'Delete a scheduled digest and its delivery history',
  examples: ['delete digest weekly-marketing'],
  aliases: ['remove digest', 'cancel digest'],
  args: z.object({ name: z.string().trim().min(1, 'say which digest') }),
  parse: (text) => ({ name: text }),
  async run(ctx, { name }) {
    const digest = await deleteDigest(ctx.database, name);
    return {
      tone: 'success',
      text: `Deleted digest "${digest.name}"; nothing more goes to ${describeTarget(digest)}.`,
    };
  },
});
