/**
 * The feature refresh groups the lines twice (per invoice, per customer and product) and builds the features and
 * the chart rollups from those groups. Every feature is checked here against the definition written as one
 * direct query over `events` (the refresh's former SQL), on lines built to catch the edge cases, on a
 * generated demo shop and at an earlier as-of instant, on both drivers.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, drivers, type TestDatabase } from '../../test/database.ts';
import type { Database } from '../db/client.ts';
import { loadDemo } from './demo.ts';
import { DONE_BATCHES, LIFECYCLE_THRESHOLDS, refreshFeatures } from './features.ts';
import { importFile } from './import.ts';

const HEADER = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';

/** Lines whose features are easy to get wrong, in the order a file would hold them. */
const FIRST = [
  // 100: two invoices at the latest instant in different countries: the later line (United Kingdom)
  // decides. (Countries here are chosen so that the alphabetically first one is never the answer.)
  '5001,A1,RED MUG,2,2011-03-01 09:00:00,2.50,100.0,Norway',
  '5002,A2,BLUE MUG,1,2011-05-01 10:00:00,3.00,100.0,France',
  '5003,A3,GREEN MUG,1,2011-05-01 10:00:00,4.00,100.0,United Kingdom',
  '5003,A1,RED MUG,1,2011-05-01 10:00:00,2.50,100.0,United Kingdom',
  // 200: one invoice whose lines name two countries at one instant: its last line (Spain) decides.
  '5004,B1,TEA TOWEL,3,2011-04-10 12:00:00,1.25,200.0,Germany',
  '5004,B2,OVEN GLOVE,1,2011-04-10 12:00:00,5.00,200.0,Spain',
  // 300: the latest line has no country, though another invoice at that instant has one: no country.
  '5005,C1,CANDLE,1,2011-04-20 08:00:00,1.00,300.0,Norway',
  '5006,C2,CANDLE HOLDER,1,2011-04-20 08:00:00,6.00,300.0,',
  // 400: returns only, no purchase: no features row.
  'C5007,A1,RED MUG,-1,2011-04-01 09:00:00,2.50,400.0,Italy',
  // 500: one invoice spanning midnight (one order, two days); a return; a zero-price adjustment.
  '5008,D1,PICNIC BASKET,1,2011-02-28 23:59:00,20.00,500.0,Belgium',
  '5008,D2,PICNIC RUG,2,2011-03-01 00:01:00,10.00,500.0,Belgium',
  'C5009,D2,PICNIC RUG,-1,2011-03-02 10:00:00,10.00,500.0,Belgium',
  '5010,D3,PICNIC SPOON,5,2011-03-03 10:00:00,0,500.0,Belgium',
  // 600: the same product bought on three invoices counts once among distinct products.
  '5011,A1,RED MUG,1,2011-01-05 10:00:00,2.50,600.0,EIRE',
  '5012,A1,RED MUG,1,2011-02-05 10:00:00,2.50,600.0,EIRE',
  '5013,A1,RED MUG,4,2011-05-30 10:00:00,2.40,600.0,EIRE',
  // Anonymous sales count for products, never for a customer.
  '5014,A2,BLUE MUG,10,2011-05-02 10:00:00,3.00,,United Kingdom',
];

/** A second import: a line at customer 100's latest instant again; the later import decides. */
const SECOND = ['5015,A2,BLUE MUG,1,2011-05-01 10:00:00,3.00,100.0,Unspecified'];

/** The features by their definition, straight from events (the refresh's former single-pass SQL). */
async function reference(db: Database, asOf: string) {
  const at = sql`${asOf}::timestamptz`;
  const { newWithinDays, activeWithinDays, atRiskWithinDays } = LIFECYCLE_THRESHOLDS;
  return db.rows<Record<string, unknown>>(sql`
    with p as (
      select customer_id,
        coalesce(sum(quantity * unit_price_e4) filter (where kind = 'purchase'), 0) * 0.0001 as spend,
        count(distinct invoice) filter (where kind = 'purchase')::int as orders,
        min(occurred_at) filter (where kind = 'purchase') as first_at,
        max(occurred_at) filter (where kind = 'purchase') as last_at,
        count(distinct product_id) filter (where kind = 'purchase')::int as distinct_products,
        count(*) filter (where kind = 'return')::int as returns,
        (array_agg(country order by occurred_at desc, batch_id desc, line_no desc)
          filter (where kind = 'purchase'))[1] as country
      from events
      where kind in ('purchase', 'return') and customer_id is not null and occurred_at <= ${at}
        and batch_id in ${DONE_BATCHES}
      group by customer_id
    ), f as (
      select p.*,
        floor(extract(epoch from (${at} - p.last_at)) / 86400)::int as recency_days,
        floor(extract(epoch from (${at} - p.first_at)) / 86400)::int as tenure_days
      from p where p.orders > 0
    )
    select customer_id, round(spend, 2)::text as spend, orders, first_at::text as first_at,
      last_at::text as last_at, recency_days, tenure_days, round(spend / nullif(orders, 0), 2)::text as aov,
      distinct_products, returns, country,
      least(5, 1 + floor(5 * percent_rank() over (order by recency_days desc)))::int as r,
      least(5, 1 + floor(5 * percent_rank() over (order by orders)))::int as f,
      least(5, 1 + floor(5 * percent_rank() over (order by spend)))::int as m,
      case
        when tenure_days <= ${newWithinDays} then 'new'
        when recency_days <= ${activeWithinDays} then 'active'
        when recency_days <= ${atRiskWithinDays} then 'at_risk'
        else 'lapsed'
      end as lifecycle
    from f
    order by customer_id`);
}

async function stored(db: Database) {
  return db.rows<Record<string, unknown>>(sql`
    select customer_id, spend::text as spend, orders, first_purchase_at::text as first_at,
      last_purchase_at::text as last_at, recency_days, tenure_days, avg_order_value::text as aov,
      distinct_products, returns, country, r_score::int as r, f_score::int as f, m_score::int as m, lifecycle
    from customer_features
    order by customer_id`);
}

/** Top products of all time by their definition, to check the product totals built from the same groups. */
async function referenceProducts(db: Database, asOf: string) {
  return db.rows(sql`
    select product_id, (sum(quantity * unit_price_e4) * 0.0001)::text as revenue, sum(quantity)::bigint::text as units
    from events
    where kind in ('purchase', 'anonymous') and product_id is not null and occurred_at <= ${asOf}::timestamptz
      and batch_id in ${DONE_BATCHES}
    group by 1 order by 1`);
}

async function storedProducts(db: Database) {
  return db.rows(
    sql`select product_id, revenue::text as revenue, units::text as units from product_sales order by 1`,
  );
}

describe.each(drivers)('feature refresh on %s', (driver) => {
  let edge: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'megaphone-features-'));
    edge = await createTestDatabase(driver);
    await writeFile(join(dir, 'first.csv'), [HEADER, ...FIRST].join('\n'));
    await writeFile(join(dir, 'second.csv'), [HEADER, ...SECOND].join('\n'));
    await importFile(edge, join(dir, 'first.csv'));
  }, 60_000);
  afterAll(async () => {
    await edge?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('matches the definition on the edge cases, a later import included', async () => {
    const asOf = '2011-05-30T10:00:00.000Z';
    const first = await stored(edge);
    expect(first).toEqual(await reference(edge, asOf));
    const byId = Object.fromEntries(first.map((r) => [r.customer_id, r]));
    expect(Object.keys(byId)).toEqual(['100', '200', '300', '500', '600']);
    expect(byId['100']).toMatchObject({ country: 'United Kingdom', orders: 3, distinct_products: 3 });
    expect(byId['200']).toMatchObject({ country: 'Spain', orders: 1 });
    expect(byId['300']!.country).toBeNull();
    expect(byId['500']).toMatchObject({ orders: 1, returns: 1, spend: '40.00', distinct_products: 2 });
    expect(byId['600']).toMatchObject({ orders: 3, distinct_products: 1 });
    expect(await storedProducts(edge)).toEqual(await referenceProducts(edge, asOf));

    await importFile(edge, join(dir, 'second.csv'));
    const second = await stored(edge);
    expect(second).toEqual(await reference(edge, asOf));
    expect(second.find((r) => r.customer_id === '100')).toMatchObject({ country: 'Unspecified', orders: 4 });
    expect(await storedProducts(edge)).toEqual(await referenceProducts(edge, asOf));
  });

  it('matches the definition at an earlier as-of instant', async () => {
    const asOf = '2011-04-15T00:00:00.000Z';
    await refreshFeatures(edge, new Date(asOf));
    const rows = await stored(edge);
    expect(rows).toEqual(await reference(edge, asOf));
    expect(rows.map((r) => r.customer_id)).toEqual(['100', '200', '500', '600']);
    expect(await storedProducts(edge)).toEqual(await referenceProducts(edge, asOf));
  });

  it('matches the definition on a generated shop', async () => {
    const demo = await createTestDatabase(driver);
    try {
      const summary = await loadDemo(demo, { seed: 11, customers: 60 });
      const asOf = summary.asOf!.toISOString();
      const rows = await stored(demo);
      expect(rows.length).toBeGreaterThan(30);
      expect(rows).toEqual(await reference(demo, asOf));
      expect(await storedProducts(demo)).toEqual(await referenceProducts(demo, asOf));
    } finally {
      await demo.dispose();
    }
  }, 60_000);
});
