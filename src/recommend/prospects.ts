/**
 * Which customers are likely to buy some products: the recommender run the other way. Every candidate's
 * purchases (recent ones weighing more) are scored against those products by the collaborative model (EASE,
 * whose prediction for an item compares across customers, unlike the per-customer blend that orders one
 * customer's recommendations), and customers are ranked by their best-suited product. A customer none of whose
 * purchases points to the products is not listed.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { MAX_LISTED } from '../segments/definition.ts';
import { loadHistories } from './data.ts';
import { affinityTo } from './model.ts';
import { currentModel, type ServedModel } from './service.ts';

/** As many as a saved list can hold. */
export const MAX_PROSPECTS = MAX_LISTED;

export interface Prospect {
  customerId: string;
  /** The best-suited product among those asked about, its affinity (see Recommendation.affinity), and why. */
  itemId: string;
  name: string;
  score: number;
  reason: string;
  country: string | null;
  lifecycle: string;
  spend: number;
}

export interface Prospects {
  /** Customers scored (everyone with features, or the audience's members). */
  candidates: number;
  /** Of those, customers whose purchases point to at least one of the products (not yet bought). */
  scored: number;
  /** Of the candidates, those who already bought one of the products. */
  alreadyBought: number;
  /** Best first. */
  rows: Prospect[];
  /** Every scored customer's id, best first (for saving or exporting the list). */
  ranked: string[];
  served: ServedModel;
}

/**
 * The customers most likely to buy one of `only`, best first.
 *
 * @example
 * const { rows } = await likelyBuyers(database, { only: await productIdsMatching(database, { categoryContains: 'Candles' }) });
 */
export async function likelyBuyers(
  database: Database,
  options: { only: ReadonlySet<string>; memberIds?: readonly string[] | undefined; limit?: number },
): Promise<Prospects> {
  const served = await currentModel(database);
  const { model } = served;
  const candidates =
    options.memberIds ??
    (
      await database.rows<{ id: string }>(
        sql`select customer_id as id from customer_features order by customer_id`,
      )
    ).map((r) => r.id);
  const score = affinityTo(model, options.only);
  const name = (id: string) => model.items.get(id)?.name ?? id;
  const best: { customerId: string; first: number; second: number; item: Prospect }[] = [];
  let alreadyBought = 0;
  // Histories are read a thousand customers at a time: one statement's parameters stay well under the limit.
  for (let i = 0; i < candidates.length; i += 1000) {
    const ids = candidates.slice(i, i + 1000);
    const histories = await loadHistories(database, ids);
    for (const [customerId, history] of histories) {
      if (history.some((h) => options.only.has(h.item))) alreadyBought++;
      let now = model.asOf;
      for (const h of history) if (h.last > now) now = h.last;
      const top = score(history, now);
      // No purchase that points to these products: nothing says this customer is likely to buy them.
      if (!top) continue;
      best.push({
        customerId,
        first: top.affinity,
        second: top.next,
        item: {
          customerId,
          itemId: top.itemId,
          name: name(top.itemId),
          score: Math.round(top.affinity * 1e6) / 1e6,
          reason: `bought ${name(top.from)}`,
          country: null,
          lifecycle: '',
          spend: 0,
        },
      });
    }
  }
  // A second suitable product breaks ties between customers whose best ones score the same.
  best.sort((a, b) => b.first - a.first || b.second - a.second || (a.customerId < b.customerId ? -1 : 1));
  const top = best.slice(0, options.limit ?? 20);
  const ids = top.map((b) => b.customerId);
  const details = ids.length
    ? await database.rows<{ id: string; country: string | null; lifecycle: string; spend: string }>(sql`
        select customer_id as id, country, lifecycle, spend from customer_features where customer_id in ${ids}`)
    : [];
  const byId = new Map(details.map((d) => [d.id, d]));
  return {
    candidates: candidates.length,
    scored: best.length,
    alreadyBought,
    rows: top.map((b) => {
      const d = byId.get(b.customerId);
      return {
        ...b.item,
        country: d?.country ?? null,
        lifecycle: d?.lifecycle ?? '',
        spend: Number(d?.spend ?? 0),
      };
    }),
    ranked: best.map((b) => b.customerId),
    served,
  };
}
