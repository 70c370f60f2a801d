/** What the recommender reads from the feature store: purchase lines and the catalogue. */
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { DONE_BATCHES } from '../ingest/features.ts';
import type { HistoryEntry, Interaction } from './model.ts';

/** Purchase lines of known customers from completed imports, strictly before `before` when given. */
export async function loadInteractions(database: Database, before?: Date): Promise<Interaction[]> {
  const rows = await database.rows<{ c: string; i: string; t: string | number }>(sql`
    select customer_id as c, product_id as i, (extract(epoch from occurred_at) * 1000)::float8 as t
    from events
    where kind = 'purchase' and customer_id is not null and product_id is not null
      and batch_id in ${DONE_BATCHES}
      ${before ? sql`and occurred_at < ${before.toISOString()}::timestamptz` : sql``}`);
  return rows.map((r) => ({ customer: r.c, item: r.i, at: Number(r.t) }));
}

export async function loadCatalogue(
  database: Database,
): Promise<{ id: string; name: string; category: string }[]> {
  return database.rows(sql`select id, name, category from products order by id`);
}

/** The customers' purchase histories (one query for all of them), as of `before` when given. */
export async function loadHistories(
  database: Database,
  customerIds: readonly string[],
  before?: Date,
): Promise<Map<string, HistoryEntry[]>> {
  const out = new Map<string, HistoryEntry[]>(customerIds.map((id) => [id, []]));
  if (customerIds.length === 0) return out;
  const rows = await database.rows<{ c: string; i: string; n: number; t: string | number }>(sql`
    select customer_id as c, product_id as i, count(*)::int as n,
      (extract(epoch from max(occurred_at)) * 1000)::float8 as t
    from events
    where customer_id in ${customerIds} and kind = 'purchase' and product_id is not null
      and batch_id in ${DONE_BATCHES}
      ${before ? sql`and occurred_at < ${before.toISOString()}::timestamptz` : sql``}
    group by customer_id, product_id`);
  for (const r of rows) out.get(r.c)?.push({ item: r.i, count: r.n, last: Number(r.t) });
  return out;
}
