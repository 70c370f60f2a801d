import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { UserError } from '../src/core/errors.ts';
import { resolveAudience } from '../src/recommend/audience.ts';
import { customerReply, segmentRecommendationReply } from '../src/recommend/reply.ts';
import { parseRecommendRequest } from '../src/recommend/request.ts';
import { currentModel, findGoods, recommendFor, recommendForSegment } from '../src/recommend/service.ts';
import { describeSegment } from '../src/segments/describe.ts';
import { sayGoods } from '../src/segments/goods.ts';
import { isSegmentMemory, type SegmentMemory } from '../src/segments/reply.ts';

export default defineCommand({
  name: 'recommend',
  description: 'Products to recommend to a customer or to a whole segment, each with a reason',
  examples: [
    'what should we recommend to customer 12347?',
    'buy again for customer 12347',
    'what should we push to the lapsed-germans segment?',
    'recommend to customers in Germany who haven’t bought in 90 days',
  ],
  aliases: ['recommendations', 'recommendation'],
  args: z
    .object({
      customer: z.string().trim().min(1).max(64).optional(),
      segment: z.string().trim().min(1).max(500, 'keep it under 500 characters').optional(),
      /** Recommend to the segment this thread is about. */
      thisSegment: z.boolean().optional(),
      k: z.number().int().min(1, 'ask for at least 1 item').max(50, 'ask for at most 50 items').default(10),
      mode: z.enum(['new', 'again']).default('new'),
      /** Only these products, as said ("Christmas"), read against the catalogue as segments read them. */
      goods: z.string().trim().min(2).max(100).optional(),
    })
    .refine((a) => a.customer || a.segment || a.thisSegment, {
      message: 'say who for, e.g. "recommend to customer 12347" or "recommend to lapsed-germans"',
    }),
  parse: parseRecommendRequest,
  claims: (text) =>
    /\b(recommend|recommendations?|push|suggest|promote|cross-sell|upsell|buy again)\b/i.test(text) &&
    /\b(customer|client|segment|to|for)\b/i.test(text),
  async run(ctx, args) {
    const only = args.goods
      ? await findGoods(ctx.database, args.goods, {
          code: 'recommend_goods',
          example: 'recommend candle products to lapsed customers',
        })
      : undefined;
    const goods = only && args.goods ? sayGoods(only.product) : undefined;
    if (args.customer) {
      const served = await currentModel(ctx.database);
      const [rec] = await recommendFor(ctx.database, [args.customer], {
        k: args.k,
        mode: args.mode,
        served,
        ...(only ? { only: only.ids } : {}),
      });
      return customerReply(rec!, args.mode, served, goods);
    }
    if (args.mode === 'again') {
      throw new UserError('buy_again_segment', 'Buy again works for one customer at a time.', {
        hint: 'Say e.g. "buy again for customer 12347".',
      });
    }
    const previous = ctx.previous?.result;
    if (args.thisSegment && !isSegmentMemory(previous)) {
      throw new UserError('no_segment_in_thread', 'There is no segment in this thread to recommend to yet.', {
        hint: 'Describe the audience first ("customers in Germany"), or name a saved segment.',
      });
    }
    const audience = await resolveAudience(ctx.database, args.segment ?? '', {
      llm: ctx.llm,
      log: ctx.log,
      ...(args.thisSegment && isSegmentMemory(previous) ? { definition: previous.definition } : {}),
    });
    const served = await currentModel(ctx.database);
    const result = await recommendForSegment(ctx.database, audience.memberIds, {
      k: args.k,
      ...(only ? { only: only.ids } : {}),
    });
    // The thread is now about this audience, so "save as NAME", "export" or a refinement work on it.
    const memory: SegmentMemory =
      args.thisSegment && isSegmentMemory(previous)
        ? previous
        : {
            definition: audience.definition,
            description: describeSegment(audience.definition),
            request: args.segment ?? '',
            ...(audience.savedName ? { name: audience.savedName } : {}),
          };
    return { reply: segmentRecommendationReply(audience, result, served, goods), remember: memory };
  },
});
