/** Recommendation answers for chat: a table with a reason per item, customer ids masked. */

import { inPeriod, sayDay } from '../charts/period.ts';
import { maskId } from '../core/mask.ts';
import { formatMoney, formatNumber, plural, type Reply } from '../core/reply.ts';
import { STAGE } from '../segments/describe.ts';
import { SEGMENT_BUTTONS } from '../segments/reply.ts';
import type { Audience } from './audience.ts';
import type { Mode } from './model.ts';
import type { PairsResult } from './pairs.ts';
import { PAIR_CANDIDATES } from './pairs.ts';
import type { Prospects } from './prospects.ts';
import type { CustomerRecommendations, SegmentItem, ServedModel } from './service.ts';
import { MIN_SHARED, type TogetherResult } from './together.ts';

function modelContext(served: ServedModel): string {
  const asOf = new Date(served.model.asOf - 1).toISOString().slice(0, 10);
  return (
    `model trained on purchases up to ${asOf} (${plural(served.model.customers, 'customer')})` +
    (served.trainedNow
      ? ' · trained just now, as there was no model yet (`megaphone train --tune` tunes it)'
      : '')
  );
}

export function customerReply(
  rec: CustomerRecommendations,
  mode: Mode,
  served: ServedModel,
  /** The products recommendations were limited to, as said ("Christmas"). */
  goods?: string,
): Reply {
  const who = `customer ${maskId(rec.customerId)}`;
  const coldStart = rec.historyItems === 0;
  if (rec.items.length === 0) {
    return {
      tone: 'warning',
      text:
        mode === 'again'
          ? `${who} has no purchases on record, so there is nothing to buy again.`
          : goods
            ? `I have no ${goods} products to recommend to ${who}: they bought all the model knows of.`
            : `I have nothing to recommend to ${who}: they already bought everything the model knows.`,
      context: modelContext(served),
    };
  }
  return {
    title:
      mode === 'again'
        ? `Buy again: ${who}`
        : `${goods ? `${goods} products` : 'Recommendations'} for ${who}`,
    text: coldStart
      ? `No purchases on record for ${who}, so these are popular and trending items.`
      : mode === 'again'
        ? `What ${who} bought before, most likely to be bought again first.`
        : `New to ${who}: they have bought none of these yet (from ${plural(rec.historyItems, 'product')} they did buy).`,
    table: {
      columns: ['#', 'Item', 'Product', 'Why'],
      rows: rec.items.map((r, i) => [i + 1, r.itemId, r.name, r.reason]),
    },
    context: modelContext(served),
    ...(mode === 'new' && !coldStart
      ? {
          buttons: [
            { action: 'recommend', label: 'Buy again', value: `buy again for customer ${rec.customerId}` },
          ],
        }
      : {}),
  };
}

export function segmentRecommendationReply(
  audience: Audience,
  result: { members: number; items: SegmentItem[] },
  served: ServedModel,
  /** The products recommendations were limited to, as said ("Christmas"). */
  goods?: string,
): Reply {
  if (result.members === 0) {
    return {
      tone: 'warning',
      text: `No customers are in ${audience.label} today, so there is no one to recommend to.`,
      context: modelContext(served),
    };
  }
  return {
    title: `What ${goods ? `${goods} products ` : ''}to push to ${audience.label}`,
    text: [
      ...audience.notes,
      `Each of the ${plural(result.members, 'customer')} gets their own top 20${goods ? ` among ${goods} products` : ''}; these items come up most often.`,
    ].join('\n'),
    fields: [{ label: 'Customers', value: formatNumber(result.members) }],
    table: {
      columns: ['#', 'Item', 'Product', 'Suits', 'Why (most often)'],
      rows: result.items.map((r, i) => [
        i + 1,
        r.itemId,
        r.name,
        `${formatNumber(r.customers)} of ${formatNumber(result.members)}`,
        r.reason,
      ]),
    },
    context: `${audience.savedName ? `${audience.label}: ` : ''}${audience.savedName ? '' : `${audience.label} · `}${modelContext(served)}`,
  };
}

function percent(part: number, whole: number): string {
  return (whole === 0 ? 0 : part / whole).toLocaleString('en-GB', {
    style: 'percent',
    maximumFractionDigits: 1,
  });
}

/** Below this, a partner is only a little more common with the products than without: said as such. */
const CLEAR_LIFT = 1.5;
/** Fewer orders than this with the products are too few to tell a pattern from chance: said as such. */
export const FEW_ORDERS = 30;

/**
 * What is bought with some products, as a table of partners: how often each is in the orders holding them
 * against how often it is in any order.
 *
 * @example
 * togetherReply('Candles & Lights products', await boughtTogether(database, { product: { categoryContains: 'Candles' } }));
 */
export function togetherReply(goods: string, result: TogetherResult): Reply {
  const when = `${result.audience ? ` ${result.audience}` : ''}${result.period ? ` ${inPeriod(result.period)}` : ''}`;
  if (!result.asOf || result.orders === 0) {
    return {
      tone: 'warning',
      text: `There are no orders${when} to look in.`,
      ...(result.asOf ? { context: `data as of ${sayDay(result.asOf)}` } : {}),
    };
  }
  const context = `orders up to ${sayDay(result.asOf)} · a product is listed when it is in at least ${MIN_SHARED} of these orders, and in more of them than of all orders; ranked by the difference`;
  if (result.withGoods === 0) {
    return {
      tone: 'info',
      text: `None of the ${plural(result.orders, 'order')}${when} had ${goods}, so nothing was bought with them.`,
      ...(result.period
        ? { context: 'Ask for a longer period, or all time by leaving the period out.' }
        : {}),
    };
  }
  const title = `Bought with ${goods}${when}`;
  const share = `${plural(result.withGoods, 'order')} of ${formatNumber(result.orders)}${when} (${percent(result.withGoods, result.orders)}) had ${goods}.`;
  if (result.rows.length === 0) {
    return {
      tone: 'info',
      title,
      text: `${share} No other product is in at least ${MIN_SHARED} of them and more often than in orders overall.`,
      context,
    };
  }
  const lift = (r: TogetherResult['rows'][number]) =>
    r.together / result.withGoods / (r.orders / result.orders);
  const best = Math.max(...result.rows.map(lift));
  return {
    title,
    text: [
      `${share} These products are in more of those orders than usual:`,
      ...(result.withGoods < FEW_ORDERS
        ? [
            `Only ${plural(result.withGoods, 'order')} had them: too few to tell a pattern from chance, so ask for a longer period if you can.`,
          ]
        : best < CLEAR_LIFT
          ? [
              `None stands out strongly (at most ${best.toFixed(1)}x as often as usual): ${goods} go with most things.`,
            ]
          : []),
    ].join('\n'),
    fields: [
      { label: 'Orders', value: formatNumber(result.orders) },
      {
        label: result.onlyProduct ? 'With this product' : 'With these products',
        value: formatNumber(result.withGoods),
      },
    ],
    table: {
      columns: ['#', 'Item', 'Product', 'In those orders', 'In all orders', 'Lift'],
      rows: result.rows.map((r, i) => [
        i + 1,
        r.productId,
        r.name,
        `${percent(r.together, result.withGoods)} (${formatNumber(r.together)})`,
        percent(r.orders, result.orders),
        `${lift(r).toFixed(1)}x`,
      ]),
    },
    context,
  };
}

/** Rows a prospects answer shows; the rest of the list is in the export. */
const SHOWN_PROSPECTS = 25;

/**
 * Who is likely to buy some products: the customers whose purchases point to them most, ids masked.
 *
 * @example
 * prospectsReply('Candles & Lights products', await likelyBuyers(database, { only }), { topic: 'candles' });
 */
export function prospectsReply(
  goods: string,
  result: Prospects,
  options: {
    /** Whose customers were ranked, as said or saved. */
    audience?: string | undefined;
    /** The products as the marketer said them ("candles"): drafting copy for the list is about them. */
    topic?: string;
  } = {},
): Reply {
  const { audience } = options;
  const who = audience ? ` (${audience})` : '';
  const among = `${formatNumber(result.candidates)} customer${result.candidates === 1 ? '' : 's'}${who}`;
  const context = `${modelContext(result.served)} · ranked by the model's prediction from what each customer bought, recent purchases weighing more`;
  if (result.rows.length === 0) {
    return {
      tone: 'info',
      text:
        result.candidates === 0
          ? `There are no customers${who} to look at.`
          : `None of the ${among} has bought anything that points to ${goods} they have not bought yet.`,
      context,
    };
  }
  const shown = result.rows.slice(0, SHOWN_PROSPECTS);
  return {
    title: `Most likely to buy ${goods}${who}`,
    text: [
      `${result.scored === result.candidates ? `All ${among}` : `${formatNumber(result.scored)} of ${among}`} bought products that point to ${goods}; ${result.rows.length === 1 ? 'this one' : `these ${formatNumber(result.rows.length)}`} the most.`,
      ...(result.alreadyBought > 0
        ? [
            `${formatNumber(result.alreadyBought)} of the ${formatNumber(result.candidates)} have bought ${goods} before; each is scored on what they have not bought yet.`,
          ]
        : []),
      'Save them as a segment, export them, or draft copy for them with the buttons below.',
    ].join('\n'),
    fields: [
      {
        label: 'Customers scored',
        value: `${formatNumber(result.scored)} of ${formatNumber(result.candidates)}`,
      },
      { label: 'Bought them before', value: formatNumber(result.alreadyBought) },
    ],
    table: {
      columns: ['#', 'Customer', 'Country', 'Stage', 'Spend', 'Best match', 'Why'],
      rows: shown.map((r, i) => [
        i + 1,
        maskId(r.customerId),
        r.country,
        STAGE[r.lifecycle] ?? r.lifecycle,
        formatMoney(r.spend),
        r.name,
        r.reason,
      ]),
      truncated: result.rows.length - shown.length,
    },
    context,
    buttons: SEGMENT_BUTTONS.map((b) =>
      b.action === 'draft' && options.topic ? { ...b, value: `${b.value} about ${options.topic}` } : b,
    ),
  };
}

/**
 * The pairs bought together most, each with how many orders hold both and its lift.
 *
 * @example
 * pairsReply(await topPairs(database));
 */
export function pairsReply(result: PairsResult): Reply {
  const when = `${result.audience ? ` ${result.audience}` : ''}${result.period ? ` ${inPeriod(result.period)}` : ''}`;
  if (!result.asOf || result.orders === 0) {
    return { tone: 'warning', text: `There are no orders${when} to look in.` };
  }
  const title = `Bought together most${when}`;
  const context =
    `orders up to ${sayDay(result.asOf)} · pairs among the ${PAIR_CANDIDATES} products in the most orders, in at ` +
    `least ${MIN_SHARED} orders together and more often than their popularity alone explains; ranked by the ` +
    'share of orders holding both beyond that';
  if (result.pairs.length === 0) {
    return {
      tone: 'info',
      title,
      text: `No two products are in at least ${MIN_SHARED} of the ${plural(result.orders, 'order')}${when} together more often than chance.`,
      context,
    };
  }
  return {
    title,
    text: [
      `Of ${plural(result.orders, 'order')}${when}, these pairs are in the most orders together beyond what chance would give: bundle and cross-sell ideas.`,
      ...(result.orders < FEW_ORDERS
        ? [`Only ${plural(result.orders, 'order')}: too few to tell a pattern from chance.`]
        : []),
      'Ask "what goes with …?" about any product for more.',
    ].join('\n'),
    fields: [{ label: 'Orders', value: formatNumber(result.orders) }],
    table: {
      columns: ['#', 'Product', 'With', 'Orders with both', 'Lift'],
      rows: result.pairs.map((p, i) => [
        i + 1,
        `${p.a.name} (${p.a.id})`,
        `${p.b.name} (${p.b.id})`,
        `${formatNumber(p.together)} (${percent(p.together, result.orders)})`,
        `${((p.together * result.orders) / (p.a.orders * p.b.orders)).toFixed(1)}x`,
      ]),
    },
    context,
  };
}
