import { z } from 'zod';
import type { Period } from '../src/charts/period.ts';
import { takePeriod, VERSUS_WORDS } from '../src/charts/request.ts';
import { defineCommand } from '../src/core/command.ts';
import { UserError } from '../src/core/errors.ts';
import { audienceIfSaid } from '../src/recommend/audience.ts';
import { topPairs } from '../src/recommend/pairs.ts';
import { pairsReply, togetherReply } from '../src/recommend/reply.ts';
import { findGoods } from '../src/recommend/service.ts';
import { boughtTogether, MAX_TOGETHER } from '../src/recommend/together.ts';
import { parseTogetherRequest, togetherCue } from '../src/recommend/together-request.ts';
import { goodsPhrase } from '../src/segments/goods.ts';

/** Who, before the words that ask: "customers similar to…" or "German customers bought with…" is not this. */
const AUDIENCE_FIRST = /\b(?:customers?|clients?|segments?|audiences?)\b/i;

export default defineCommand({
  name: 'together',
  description:
    'What is bought in the same orders as some products, or which pairs most: cross-sells and bundles',
  examples: [
    'what goes well with candles?',
    'what do people buy with 85123A?',
    'frequently bought together with "tea light" last quarter',
    'what do German customers buy with candles?',
    'which products are bought together most?',
  ],
  aliases: ['bought together', 'frequently bought together', 'bought with'],
  args: z.object({
    goods: z
      .string()
      .trim()
      .min(2, 'say which products, e.g. "what goes well with candles?"')
      .max(100, 'keep the products under 100 characters')
      .optional(),
    /** The pairs bought together most, for no products in particular. */
    pairs: z.boolean().optional(),
    k: z
      .number()
      .int()
      .min(1, 'ask for at least 1 product')
      .max(MAX_TOGETHER, `ask for at most ${MAX_TOGETHER} products`)
      .default(10),
    who: z.string().trim().min(1).max(200, 'keep the audience under 200 characters').optional(),
    when: z.string().trim().max(100, 'keep the period under 100 characters').optional(),
  }),
  parse: parseTogetherRequest,
  // Before the chart ("what do people buy…" is otherwise the top products) and the recommendations
  // ("cross-sells for candles" names products, "cross-sell to lapsed customers" an audience).
  claims: (text) => {
    const cue = togetherCue(text);
    return cue !== null && !AUDIENCE_FIRST.test(text.slice(0, cue.index));
  },
  async run(ctx, args) {
    const period = args.when ? readPeriod(args.when) : undefined;
    if (!args.goods && args.pairs) {
      const audience = await audienceIfSaid(ctx, args.who);
      return pairsReply(await topPairs(ctx.database, { period, where: audience?.definition, limit: args.k }));
    }
    if (!args.goods) {
      throw new UserError('together_goods', 'Say which products, e.g. "what goes well with candles?".', {
        hint: 'Or ask "which products are bought together most?" for the pairs.',
      });
    }
    const versus = VERSUS_WORDS.exec(args.goods);
    const compared = versus ? args.goods.slice(versus.index).trim() : '';
    if (versus && compared.length > versus[0].length) {
      throw new UserError(
        'together_compare',
        `I find what goes with products over one period at a time, so I can't compare "${compared}".`,
        {
          hint: 'Ask for each period, e.g. "what goes with candles on Black Friday" and "what goes with candles on Black Friday last year".',
        },
      );
    }
    const { product } = await findGoods(ctx.database, args.goods, {
      code: 'together_goods',
      example: 'what goes well with candles?',
    });
    const audience = await audienceIfSaid(ctx, args.who);
    const result = await boughtTogether(ctx.database, {
      product,
      period,
      where: audience?.definition,
      limit: args.k,
    });
    const goods = result.onlyProduct
      ? `${result.onlyProduct.name} (${result.onlyProduct.id})`
      : goodsPhrase(product);
    return togetherReply(goods, result);
  },
});

/** The period said, or a UserError saying what to ask instead. */
function readPeriod(when: string): Period {
  const { period, rest, problem } = takePeriod(when);
  if (problem) throw new UserError('together_period', problem);
  if (!period || /\p{L}/u.test(rest)) {
    throw new UserError('together_period', `I can't read "${when}" as a period.`, {
      hint: 'Say e.g. "last quarter", "in March", "this year", "on Black Friday" or "the last 90 days".',
    });
  }
  return period;
}
