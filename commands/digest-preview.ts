import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { composeDigest } from '../src/digests/compose.ts';
import { modelRecommender } from '../src/digests/recommender.ts';
import { describeTarget } from '../src/digests/reply.ts';
import { getDigest, lastSentSnapshot } from '../src/digests/service.ts';

export default defineCommand({
  name: 'preview digest',
  description: 'Show a digest here as it would be posted now, without posting it',
  examples: ['preview digest weekly-marketing'],
  aliases: ['show digest', 'test digest'],
  args: z.object({ name: z.string().trim().min(1, 'say which digest') }),
  parse: (text) => ({ name: text }),
  async run(ctx, { name }) {
    const digest = await getDigest(ctx.database, name);
    const { reply } = await composeDigest(ctx.database, digest, {
      at: new Date(),
      previous: await lastSentSnapshot(ctx.database, digest.id),
      recommender: modelRecommender,
      log: ctx.log,
    });
    const note = `Preview: not posted. On schedule it goes to ${describeTarget(digest)}`;
    return { ...reply, context: reply.context ? `${note} · ${reply.context}` : note };
  },
});
