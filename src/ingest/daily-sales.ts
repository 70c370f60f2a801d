/**
 * Daily sales rollups for charts, rebuilt set-based with the features after each import, as of the same
 * instant the charts read at:
 * - `daily_customer_sales`: purchase lines per UTC day and customer (null customer kept as its own row):
 *   revenue and distinct invoices. Orders over a longer period are the sum of the days' orders because an
 *   invoice has one timestamp and one customer; distinct customers per period stay exact because each
 *   (day, customer) is its own row. Each row also carries the customer's first purchase day and whether it
 *   is their first day in its week and month, so new vs returning and cohorts count customers in one pass.
 * - `product_sales`: purchase and anonymous lines per product over all time: revenue and units. Top products of
 *   a window read events instead (a BRIN range): a per-day product rollup had nearly as many rows as the
 *   purchase lines it summed (323k for 406k on Online Retail) and cost more to build than it saved.
 *
 * Only purchase lines up to the as-of instant are rolled up, so a chart reading a rollup gives exactly what
 * the same query over `events` would. A stamp in `meta` (as-of instant and completed imports) lets a reader
 * rebuild a rollup that is out of date (a database imported before the rollups existed, an import whose
 * feature refresh failed), so a chart is never drawn from stale sums.
 */
import { type SQL, sql } from 'drizzle-orm';
import { type Database, resultRows } from '../db/client.ts';

/** As DONE_BATCHES in features.ts (not imported from there: features.ts imports this file). */
const DONE = sql`(select id from import_batches where status = 'done')`;

/** The instant charts read at: the saved as-of, else the latest event of a completed import. */
export const DATA_AS_OF = sql`coalesce(
  (select (value->>'asOf')::timestamptz from meta where key = 'as_of'),
  (select max(occurred_at) from events where batch_id in ${DONE})
)`;

/** What the rollups were built from: the as-of instant and the set of completed imports. */
const STAMP = stampAt(DATA_AS_OF);

/** The stamp for rollups built at `asOf` from the completed imports. */
function stampAt(asOf: SQL): SQL {
  // 'v' is the rollups' layout: a database built before the last change rebuilds them on its next chart.
  return sql`jsonb_build_object(
  'v', 3,
  'asOf', to_char((${asOf}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
  'batches', (select count(*) || ':' || coalesce(max(id), 0) || ':' || coalesce(sum(id), 0)
    from import_batches where status = 'done'))`;
}

/** What the rollups are built from, fixed before the build: the as-of instant and the completed imports. */
export interface RollupInputs {
  asOf: Date | null;
  batchIds: number[];
}

/** The charts' as-of instant and the completed imports, read once. */
export async function rollupInputs(database: Database): Promise<RollupInputs> {
  const [row] = await database.rows<{ at: string | Date | null }>(sql`select ${DATA_AS_OF} as at`);
  const ids = await database.rows<{ id: number }>(
    sql`select id from import_batches where status = 'done' order by id`,
  );
  return { asOf: row?.at ? new Date(row.at) : null, batchIds: ids.map((r) => Number(r.id)) };
}

/** Grouped rows the rollups are written from. */
export interface RollupSources {
  /** Purchase lines per (day as a date, customer_id, invoice): `revenue`. */
  invoices: SQL;
  /** Purchase and anonymous lines per product_id: `revenue`, `units`. */
  products: SQL;
}

/** The rollups' sources read straight from events: what a rebuild outside an import uses. */
export function eventSources(inputs: RollupInputs): RollupSources {
  const { at, batches } = bounds(inputs);
  return {
    invoices: sql`
      select (occurred_at at time zone 'UTC')::date as day, customer_id, invoice,
        sum(quantity * unit_price_e4) * 0.0001 as revenue
      from events
      where kind = 'purchase' and batch_id = any(${batches}) and occurred_at <= ${at}
      group by 1, 2, 3`,
    products: sql`
      select product_id, sum(quantity * unit_price_e4) * 0.0001 as revenue, sum(quantity) as units
      from events
      where kind in ('purchase', 'anonymous') and product_id is not null and batch_id = any(${batches})
        and occurred_at <= ${at}
      group by 1`,
  };
}

/**
 * The as-of instant and the batch ids as values: as subqueries, the planner both evaluated the fallback
 * max(occurred_at) scan every time and misjudged the row counts (a sort plan instead of hashing).
 */
export function bounds(inputs: RollupInputs): { at: SQL; batches: SQL } {
  return {
    at: inputs.asOf ? sql`${inputs.asOf.toISOString()}::timestamptz` : sql`null::timestamptz`,
    batches: sql`${`{${inputs.batchIds.join(',')}}`}::int[]`,
  };
}

/**
 * Rebuilds the rollups from the events of completed imports up to the charts' as-of instant (run after the
 * features, which save that instant, or with `inputs` given: the as-of instant the features are being saved
 * with). Returns the number of rows written to each.
 */
export async function refreshDailySales(
  database: Database,
  given?: RollupInputs,
): Promise<{ customerDays: number; products: number }> {
  const inputs = given ?? (await rollupInputs(database));
  const sources = eventSources(inputs);
  let deadRows = 0;
  await database.db.transaction(async (tx) => {
    await rollupSettings(tx);
    deadRows += await writeCustomerDays(tx, database.driver, sources.invoices);
    deadRows += await writeProductTotals(tx, database.driver, sources.products);
    await stampRollups(tx, inputs);
  });
  return finishRollups(database, deadRows);
}

type Tx = Pick<Database['db'], 'execute'>;

/** Settings for a transaction that groups every purchase line. */
export async function rollupSettings(tx: Tx): Promise<void> {
  // Grouping every purchase line in 4 MB (the default) spills to disk.
  await tx.execute(sql`set local work_mem = '128MB'`);
  // Right after a bulk load (on a server, while events are being analysed) the planner has no statistics,
  // guesses a handful of rows and sorts: about twice as slow as hashing on the Online Retail file.
  await tx.execute(sql`set local enable_sort = off`);
  // The cost of a disabled sort put these statements over the JIT threshold: compiling them took longer
  // (0.3-0.6 s each on the Online Retail file) than running them.
  await tx.execute(sql`set local jit = off`);
}

/**
 * PGlite inserts rows much faster in the indexes' order than in hash order (rebuilding a full Online Retail
 * store: 5.3-5.9 s of CPU in key order, 8.7-11.3 s in hash order, 5.7-7.1 s with the old sorted plans); on the
 * server the extra sort did not pay.
 */
function inKeyOrder(driver: Database['driver'], orderBy: SQL): SQL {
  return driver === 'pglite' ? orderBy : sql``;
}

/**
 * Replaces the customer-day rollup with rows summed from `invoices` (see RollupSources), inside the caller's
 * transaction. Returns how many old rows it deleted (see `finishRollups`).
 */
export async function writeCustomerDays(tx: Tx, driver: Database['driver'], invoices: SQL): Promise<number> {
  const removed = resultRows<{ n: number }>(
    await tx.execute(
      sql`with d as (delete from daily_customer_sales returning 1) select count(*)::int as n from d`,
    ),
  );
  // Distinct invoices are counted as groups of the grouping by invoice: count(distinct) sorts each group's
  // values. An invoice's lines share a day and a customer. Days are grouped as dates (cheaper to hash than
  // timestamps) and stored as the timestamp of midnight. Each customer's days in order give their first
  // day and whether a day is their first in its week and month (rows are unique per day and customer): one
  // sort of the customer-days, not of the lines.
  await tx.execute(sql`
    insert into daily_customer_sales (day, customer_id, revenue, orders, first_day, week_first, month_first)
    select day, customer_id, revenue, orders, first_value(day) over w,
      date_trunc('week', day) is distinct from date_trunc('week', lag(day) over w),
      date_trunc('month', day) is distinct from date_trunc('month', lag(day) over w)
    from (
      select day::timestamp as day, customer_id, sum(revenue) as revenue, count(invoice)::int as orders
      from (${invoices}) by_invoice
      group by 1, 2
    ) by_day
    window w as (partition by customer_id collate "C" order by day)
    ${inKeyOrder(driver, sql`order by 1, 2`)}`);
  return Number(removed[0]?.n ?? 0);
}

/** Replaces the per-product totals with the rows of `products`; returns how many old rows it deleted. */
export async function writeProductTotals(tx: Tx, driver: Database['driver'], products: SQL): Promise<number> {
  const removed = resultRows<{ n: number }>(
    await tx.execute(sql`with d as (delete from product_sales returning 1) select count(*)::int as n from d`),
  );
  await tx.execute(sql`
    insert into product_sales (product_id, revenue, units)
    select product_id, revenue, units from (${products}) s
    ${inKeyOrder(driver, sql`order by 1`)}`);
  return Number(removed[0]?.n ?? 0);
}

/** Records what the rollups were built from; written last, once both rollups are in. */
export async function stampRollups(tx: Tx, inputs: RollupInputs): Promise<void> {
  await tx.execute(sql`
    insert into meta (key, value, updated_at) values ('daily_sales', ${stampAt(bounds(inputs).at)}, now())
    on conflict (key) do update set value = excluded.value, updated_at = now()`);
}

/** After the rollups are committed: table upkeep, and the row counts. */
export async function finishRollups(
  database: Database,
  deadRows: number,
): Promise<{ customerDays: number; products: number }> {
  // The delete above leaves every old row dead, and PGlite has no autovacuum: chart scans then step over
  // all of them (a product-day rollup at 100k events: 42 ms to count, 13 ms after a vacuum).
  // A first build (every import into an empty store) leaves nothing dead: statistics are all it needs.
  await database.rows(
    deadRows > 0
      ? sql`vacuum (analyze) daily_customer_sales, product_sales`
      : sql`analyze daily_customer_sales, product_sales`,
  );
  // Lines loaded since the last refresh sit in ranges of the events' BRIN index that are not summarised yet,
  // which every windowed read of events then scans whole; nothing summarises them on its own (PGlite has no
  // autovacuum). Only the new pages are read: ~50 ms per 100k new lines in PGlite, nothing when none. Right
  // after a load into an empty store, the importer is building the index on another connection (it covers
  // every page): not visible yet, it is skipped.
  await database.rows(
    sql`select brin_summarize_new_values(i) from to_regclass('events_occurred_brin') i where i is not null`,
  );
  const [counts] = await database.rows<{ customer_days: number; products: number }>(sql`
    select (select count(*) from daily_customer_sales)::int as customer_days,
      (select count(*) from product_sales)::int as products`);
  return { customerDays: Number(counts?.customer_days ?? 0), products: Number(counts?.products ?? 0) };
}

/**
 * Makes sure the rollups match the current data and as-of instant, rebuilding them when they do not. Cheap
 * when they do (one lookup), so every chart calls it before reading a rollup.
 *
 * @example
 * await ensureDailySales(database);
 */
export async function ensureDailySales(database: Database): Promise<void> {
  const [row] = await database.rows<{ fresh: boolean }>(sql`
    select coalesce((select value from meta where key = 'daily_sales') = ${STAMP}, false) as fresh`);
  if (!row?.fresh) await refreshDailySales(database);
}
