import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { formatNumber } from '../src/core/reply.ts';
import { audienceIfSaid } from '../src/recommend/audience.ts';
import { likelyBuyers, MAX_PROSPECTS } from '../src/recommend/prospects.ts';
import { parseProspectsRequest, prospectsCue } from '../src/recommend/prospects-request.ts';
import { prospectsReply } from '../src/recommend/reply.ts';
import { findGoods } from '../src/recommend/service.ts';
import type { SegmentDefinition } from '../src/segments/definition.ts';
import { describeSegment } from '../src/segments/describe.ts';
import { goodsPhrase } from '../src/segments/goods.ts';
import type { SegmentMemory } from '../src/segments/reply.ts';

export default defineCommand({
  name: 'prospects',
  description: 'The customers most likely to buy some products, from what they bought: who to target',
  examples: [
    'which customers are likely to buy candles?',
    'which lapsed customers are most likely to buy Christmas items?',
    'top 50 prospects for 85123A',
  ],
  aliases: ['likely buyers', 'propensity'],
  args: z.object({
    goods: z
      .string({ error: 'say which products, e.g. "which customers are likely to buy candles?"' })
      .trim()
      .min(2, 'say which products, e.g. "which customers are likely to buy candles?"')
      .max(100, 'keep the products under 100 characters'),
    who: z.string().trim().min(1).max(200, 'keep the audience under 200 characters').optional(),
    k: z
      .number()
      .int()
      .min(1, 'ask for at least 1 customer')
      .max(MAX_PROSPECTS, `ask for at most ${MAX_PROSPECTS} customers`)
      .default(20),
  }),
  parse: parseProspectsRequest,
  // Before segments and recommendations: "customers likely to buy candles" ranks people for products.
  claims: (text) => prospectsCue(text) !== null,
  async run(ctx, args) {
    const { product, ids } = await findGoods(ctx.database, args.goods, {
      code: 'prospects_goods',
      example: 'which customers are likely to buy candles?',
    });
    const audience = await audienceIfSaid(ctx, args.who);
    const result = await likelyBuyers(ctx.database, {
      only: ids,
      memberIds: audience?.memberIds,
      limit: args.k,
    });
    const goods = goodsPhrase(product);
    const who = audience ? (audience.savedName ?? audience.label) : undefined;
    const reply = prospectsReply(goods, result, { audience: who, topic: args.goods });
    if (result.rows.length === 0) return reply;
    // The thread is now about these customers, kept as they were ranked: "save as", "export" and the buttons
    // act on exactly the list shown.
    const listed: SegmentDefinition = {
      conditions: [
        {
          kind: 'customers',
          ids: result.rows.map((r) => r.customerId),
          label:
            `the ${formatNumber(result.rows.length)} most likely to buy ${goods}${who ? ` (${who})` : ''}`.slice(
              0,
              160,
            ),
        },
      ],
    };
    const memory: SegmentMemory = {
      definition: listed,
      description: describeSegment(listed),
      request: `customers likely to buy ${args.goods}${args.who ? ` among ${args.who}` : ''}`,
    };
    return { reply, remember: memory };
  },
});
