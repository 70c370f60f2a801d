import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { DONE_BATCHES, latestEventAt } from './features.ts';

/** What a figure answers when nothing is imported yet. */
export const NO_DATA_MESSAGE =
  'There is no data yet. Import a file with `megaphone import FILE.csv`, or load the demo shop with `megaphone demo`.';

export interface StoreStats {
  /** Customers with at least one purchase line up to the as-of instant. */
  customers: number;
  /** Distinct products bought in those purchase lines. */
  products: number;
  /** Products in the catalogue (any line). */
  catalogue: number;
  purchaseLines: number;
  orders: number;
  /** Sum of quantity x unit price over purchase lines, rounded to cents. */
  revenue: number;
  asOf: string | null;
  rejectedRows: number;
  importBatches: number;
}

/** Headline figures of the feature store, as of the instant the features were computed at. */
export async function storeStats(database: Database): Promise<StoreStats> {
  const [meta] = await database.rows<{ value: { asOf: string } | string }>(
    sql`select value from meta where key = 'as_of'`,
  );
  const value = typeof meta?.value === 'string' ? JSON.parse(meta.value) : meta?.value;
  const asOf: Date | null = value?.asOf ? new Date(value.asOf) : await latestEventAt(database);
  const at = asOf ? sql`${asOf.toISOString()}::timestamptz` : sql`'infinity'::timestamptz`;
  const [row] = await database.rows<Record<string, string | number>>(sql`
    select
      count(distinct customer_id)::int as customers,
      count(distinct product_id)::int as products,
      count(*)::int as purchase_lines,
      count(distinct invoice)::int as orders,
      coalesce(round(sum(quantity * unit_price_e4) * 0.0001, 2), 0)::text as revenue
    from events
    where kind = 'purchase' and occurred_at <= ${at} and batch_id in ${DONE_BATCHES}`);
  const [extra] = await database.rows<Record<string, number>>(sql`
    select (select count(*)::int from products) as catalogue,
      (select count(*)::int from rejected_rows where batch_id in ${DONE_BATCHES}) as rejected,
      (select count(*)::int from import_batches where status = 'done') as batches`);
  return {
    customers: Number(row?.customers ?? 0),
    products: Number(row?.products ?? 0),
    catalogue: Number(extra?.catalogue ?? 0),
    purchaseLines: Number(row?.purchase_lines ?? 0),
    orders: Number(row?.orders ?? 0),
    revenue: Number(row?.revenue ?? 0),
    asOf: asOf ? asOf.toISOString() : null,
    rejectedRows: Number(extra?.rejected ?? 0),
    importBatches: Number(extra?.batches ?? 0),
  };
}
