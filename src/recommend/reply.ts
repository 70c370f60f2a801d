/** Recommendation answers for chat: a table with a reason per item, customer ids masked. */
import { maskId } from '../core/mask.ts';
import { formatNumber, plural, type Reply } from '../core/reply.ts';
import type { Audience } from './audience.ts';
import type { Mode } from './model.ts';
import type { CustomerRecommendations, SegmentItem, ServedModel } from './service.ts';

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
