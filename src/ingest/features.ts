/**
 * Per-customer features, recomputed set-based in SQL from the events of completed imports, as of one instant.
 *
 * Definitions (over purchase lines up to the as-of instant):
 * - spend: sum(quantity x unit price), the price kept in ten-thousandths (unit_price_e4); orders: distinct
 *   invoices; average order value: spend / orders
 * - recency_days / tenure_days: whole days from the last / first purchase to the as-of instant
 * - distinct_products; returns: number of cancellation (return) lines; country: of the latest purchase line
 * - R, F, M scores 1..5: quintiles by percent rank of recency (recent = 5), orders and spend; tied customers
 *   share a score, so both database engines give the same answer
 * - lifecycle: `new` (first purchase within 30 days), else `active` (last purchase within 90 days),
 *   `at_risk` (91 to 180 days), `lapsed` (more than 180 days)
 */
import { sql } from 'drizzle-orm';
import { type Database, resultRows } from '../db/client.ts';
import { forgetVocabulary } from '../segments/vocabulary.ts';
import {
  bounds,
  eventSources,
  finishRollups,
  rollupSettings,
  stampRollups,
  writeCustomerDays,
  writeProductTotals,
} from './daily-sales.ts';

export const LIFECYCLE_THRESHOLDS = {
  newWithinDays: 30,
  activeWithinDays: 90,
  atRiskWithinDays: 180,
} as const;
export const LIFECYCLE_STAGES = ['new', 'active', 'at_risk', 'lapsed'] as const;

/** Events of completed imports only: a running or failed import is never counted. */
export const DONE_BATCHES = sql`(select id from import_batches where status = 'done')`;

/** The latest event in the data, or null when there is none. */
export async function latestEventAt(database: Database): Promise<Date | null> {
  const [row] = await database.rows<{ at: string | Date | null }>(
    sql`select max(occurred_at) as at from events where batch_id in ${DONE_BATCHES}`,
  );
  return row?.at ? new Date(row.at) : null;
}

/**
 * Waits for all of them, then fails with the first failure if any: no statement is left running on the pool
 * when the error surfaces.
 */
async function allDone(work: (Promise<unknown> | undefined)[]): Promise<void> {
  await Promise.allSettled(work);
  await Promise.all(work);
}

export async function refreshFeatures(
  database: Database,
  asOfOption?: Date,
  options: {
    /** The latest event of completed imports, when the caller knows it (else it is read). */
    latestEventAt?: Date | undefined;
    /**
     * Called once the lines are grouped, when the rest of the refresh keeps one connection busy: work on the
     * events that the refresh does not need (a BRIN summary, say) fits in there on a server.
     */
    onLinesGrouped?: () => void;
  } = {},
): Promise<{ customers: number; asOf: Date | undefined }> {
  const asOf = asOfOption ?? options.latestEventAt ?? (await latestEventAt(database)) ?? undefined;
  if (!asOf) {
    await database.rows(sql`delete from customer_features`);
    return { customers: 0, asOf: undefined };
  }
  const batchIds = (
    await database.rows<{ id: number }>(sql`select id from import_batches where status = 'done' order by id`)
  ).map((r) => Number(r.id));
  const inputs = { asOf, batchIds };
  const { at, batches } = bounds(inputs);
  const lines = sql`batch_id = any(${batches}) and occurred_at <= ${at}`;
  const { newWithinDays, activeWithinDays, atRiskWithinDays } = LIFECYCLE_THRESHOLDS;
  // Fresh planner statistics after a bulk load: without them a segment's EXISTS over events can take a
  // nested-loop plan that is 100x slower (seen on a freshly imported demo shop). The refresh itself does
  // not need them (it groups events on their own), so on a server the sampling starts once the lines are
  // grouped, on another connection beside the rest of the refresh, which is one statement at a time: started
  // first, it competed with the groupings and the index build for the cores while a core idled later.
  // Only the columns queries filter, join or group events by: sampling all of them cost ~40% more. Not
  // country: no query filters events by it (segments read the customers' country from the features), and its
  // statistics took 20-25 ms of the 130-150 ms analyse on the Online Retail file.
  let linesGrouped!: (ok: boolean) => void;
  const analyzed = new Promise<boolean>((resolve) => (linesGrouped = resolve)).then((ok) => {
    if (ok) options.onLinesGrouped?.();
    return database.rows(
      sql`analyze events (batch_id, kind, customer_id, product_id, occurred_at), products`,
    );
  });
  const products = eventSources(inputs).products;
  type Tx = Pick<Database['db'], 'execute'>;
  // On a server the refresh's groupings run side by side on their own connections, which keep the cores busy:
  // parallel workers only add their overhead (~25% more CPU for the same grouping). PGlite runs one
  // transaction at a time, so there everything is built in the refresh's own transaction.
  const beside = <T>(work: (tx: Tx) => Promise<T>): Promise<T> | undefined => {
    if (database.driver !== 'postgres') return undefined;
    const done = database.db.transaction(async (tx) => {
      await settings(tx);
      return work(tx);
    });
    done.catch(() => {});
    return done;
  };
  const settings = async (tx: Tx) => {
    await rollupSettings(tx);
    if (database.driver === 'postgres') await tx.execute(sql`set local max_parallel_workers_per_gather = 0`);
  };
  // The per-product totals group the events on their own.
  const totals = beside((tx) => writeProductTotals(tx, database.driver, products));
  // Distinct products per customer. Counted distinct within each customer's lines in order, small sorts:
  // hashing the 270k (customer, product) pairs of the Online Retail file first took 260-360 ms on a server
  // and 340 ms in PGlite, this 85-95 ms and 147 ms (whether the lines come in customer order from the
  // customer index or are sorted). Beside the invoices' grouping, its 4k rows join the refresh as a
  // parameter: run after it in the refresh's own transaction, it ran alone on one core.
  const distinctProducts = sql`
    select customer_id collate "C" as customer_id, count(distinct product_id collate "C")::int as distinct_products
    from events
    where kind = 'purchase' and customer_id is not null and product_id is not null and ${lines}
    group by 1`;
  const productCounts = beside(async (tx) =>
    resultRows<{ customer_id: string; distinct_products: number }>(await tx.execute(distinctProducts)),
  );
  let deadRows = 0;
  const computed = database.db.transaction(async (tx) => {
    await settings(tx);
    // Two hash groupings of the lines feed the features, and the first also the customer-day rollup. One
    // grouping per customer with count(distinct) and an ordered array_agg sorted every customer's lines three
    // times: 1.1-1.7 s on the Online Retail file on a server.
    // Per (customer, invoice, kind, country, day): order counts, spend, first and last purchase, returns.
    // The day is the UTC midnight as date_bin gives it, plain arithmetic: a time zone conversion per line
    // (at time zone 'UTC', then ::date) cost ~20% of this grouping. Only the groups are converted, below.
    await tx.execute(sql`
      create temp table feature_invoices on commit drop as
      select customer_id collate "C" as customer_id, invoice collate "C" as invoice, kind, country,
        date_bin('1 day', occurred_at, timestamptz '2000-01-01 00:00:00+00') as day, sum(quantity * unit_price_e4) * 0.0001 as revenue,
        count(*)::int as lines, min(occurred_at) as first_at, max(occurred_at) as last_at
      from events
      where kind in ('purchase', 'return') and customer_id is not null and ${lines}
      group by 1, 2, 3, 4, 5`);
    await tx.execute(sql`
      create temp table feature_products (customer_id text collate "C", distinct_products int) on commit drop`);
    if (productCounts) {
      await tx.execute(sql`
        insert into feature_products
        select * from json_to_recordset(${JSON.stringify(await productCounts)}::json)
          as x(customer_id text, distinct_products int)`);
    } else await tx.execute(sql`insert into feature_products ${distinctProducts}`);
    linesGrouped(true);
    // Without statistics the planner guesses a few rows for each of these work tables and joined them in
    // nested loops (1.1 s); analysing them took 50-75 ms of the refresh's critical path. Every join of them
    // below is of thousands of rows a side, which a hash join does best whatever the exact counts.
    await tx.execute(sql`set local enable_nestloop = off`);
    // From here on the inputs are small and known. A disabled sort adds a huge constant to every plan that
    // sorts, and plans within 1% of each other count as equal: a nested loop then passed for a hash join.
    await tx.execute(sql`set local enable_sort = on`);
    // The country of each customer's latest purchase line. The groups holding their latest instant agree on
    // it unless lines of different countries share that instant; only those customers go back to their
    // lines, where the latest import and line number decide (none on the Online Retail file).
    await tx.execute(sql`
      create temp table feature_countries on commit drop as
      select l.customer_id, l.last_at, min(i.country) as country,
        (min(i.country) is distinct from max(i.country)
          or (bool_or(i.country is null) and bool_or(i.country is not null))) as tied
      from (select customer_id, max(last_at) as last_at from feature_invoices where kind = 'purchase' group by 1) l
      join feature_invoices i on i.customer_id = l.customer_id and i.last_at = l.last_at and i.kind = 'purchase'
      group by 1, 2`);
    const [ties] = resultRows<{ any: boolean }>(
      await tx.execute(sql`select exists (select 1 from feature_countries where tied) as any`),
    );
    if (ties?.any) {
      // A few customers go back to their lines: through the events' customer index.
      await tx.execute(sql`set local enable_nestloop = on`);
      await tx.execute(sql`
        update feature_countries c set country = latest.country
        from (
          select distinct on (e.customer_id collate "C") e.customer_id collate "C" as customer_id, e.country
          from events e
          join feature_countries t on t.tied and t.customer_id = e.customer_id collate "C" and t.last_at = e.occurred_at
          where e.kind = 'purchase' and e.batch_id = any(${batches}) and e.occurred_at <= ${at}
          order by e.customer_id collate "C", e.batch_id desc, e.line_no desc
        ) latest
        where c.customer_id = latest.customer_id`);
      await tx.execute(sql`set local enable_nestloop = off`);
    }
    await tx.execute(sql`delete from customer_features`);
    await tx.execute(sql`
      insert into customer_features (customer_id, spend, orders, first_purchase_at, last_purchase_at, recency_days,
        tenure_days, avg_order_value, distinct_products, returns, country, r_score, f_score, m_score, lifecycle, as_of)
      with p as (
        -- An invoice is counted once even if its lines span days or countries.
        select customer_id,
          -- A purchase line without a price (optional in the events layout) adds nothing to spend.
          coalesce(sum(revenue) filter (where kind = 'purchase'), 0) as spend,
          count(distinct invoice) filter (where kind = 'purchase')::int as orders,
          min(first_at) filter (where kind = 'purchase') as first_at,
          max(last_at) filter (where kind = 'purchase') as last_at,
          coalesce(sum(lines) filter (where kind = 'return'), 0)::int as returns
        from feature_invoices
        group by 1
      ), f as (
        select p.*, coalesce(d.distinct_products, 0) as distinct_products, c.country,
          floor(extract(epoch from (${at} - p.last_at)) / 86400)::int as recency_days,
          floor(extract(epoch from (${at} - p.first_at)) / 86400)::int as tenure_days
        from p
        left join feature_products d on d.customer_id = p.customer_id
        left join feature_countries c on c.customer_id = p.customer_id
        where p.orders > 0
      )
      select customer_id, round(spend, 2), orders, first_at, last_at, recency_days, tenure_days,
        round(spend / nullif(orders, 0), 2), distinct_products, returns, country,
        least(5, 1 + floor(5 * percent_rank() over (order by recency_days desc)))::smallint,
        least(5, 1 + floor(5 * percent_rank() over (order by orders)))::smallint,
        least(5, 1 + floor(5 * percent_rank() over (order by spend)))::smallint,
        case
          when tenure_days <= ${newWithinDays} then 'new'
          when recency_days <= ${activeWithinDays} then 'active'
          when recency_days <= ${atRiskWithinDays} then 'at_risk'
          else 'lapsed'
        end,
        ${at}
      from f`);
    // The words the segment parser resolves against, kept with the features so a request needs no scan.
    await tx.execute(sql`
      insert into meta (key, value, updated_at)
      select 'vocabulary', jsonb_build_object(
        'countries', coalesce((select jsonb_agg(country order by country) from
          (select distinct country from customer_features where country is not null) c), '[]'::jsonb),
        'categories', coalesce((select jsonb_agg(category order by category) from
          (select distinct category from products) p), '[]'::jsonb)), now()
      on conflict (key) do update set value = excluded.value, updated_at = now()`);
    await tx.execute(sql`
      insert into meta (key, value, updated_at) values ('as_of', ${JSON.stringify({ asOf: asOf.toISOString(), explicit: Boolean(asOfOption) })}::jsonb, now())
      on conflict (key) do update set value = excluded.value, updated_at = now()`);
    // The customer-day rollup from the same groups, and the stamp once the product totals are in too.
    await tx.execute(sql`set local enable_sort = off`);
    deadRows += await writeCustomerDays(
      tx,
      database.driver,
      sql`select (day at time zone 'UTC')::date as day, customer_id, invoice, sum(revenue) as revenue
        from feature_invoices where kind = 'purchase' group by 1, 2, 3`,
    );
    deadRows += totals ? await totals : await writeProductTotals(tx, database.driver, products);
    await stampRollups(tx, inputs);
  });
  // A refresh that failed before grouping still analyses (the load is in), without the caller's extra work.
  computed.catch(() => linesGrouped(false));
  await allDone([analyzed, computed, totals, productCounts]);
  // The new rows' statistics, side by side on a server: the features' and the rollups' are apart.
  await allDone([database.rows(sql`analyze customer_features`), finishRollups(database, deadRows)]);
  forgetVocabulary(database);
  const [row] = await database.rows<{ n: number }>(sql`select count(*)::int as n from customer_features`);
  return { customers: Number(row?.n ?? 0), asOf };
}
