/**
 * The event charts read the daily rollups (src/ingest/daily-sales.ts). Each is checked here against a
 * reference query over raw `events` (the query the builder ran before the rollups), on the retail fixture and
 * on a generated demo shop, on both drivers.
 */
import { type SQL, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFixtureDatabase,
  createTestDatabase,
  drivers,
  type TestDatabase,
} from '../../test/database.ts';
import type { Database } from '../db/client.ts';
import { loadDemo } from '../ingest/demo.ts';
import { DONE_BATCHES, refreshFeatures } from '../ingest/features.ts';
import type { ProductMatch, SegmentDefinition } from '../segments/definition.ts';
import {
  AS_OF,
  type Grain,
  inSegment,
  periodLabel,
  revenueOverTime,
  rollupUnit,
  segmentBreakdown,
} from './builders.ts';
import { cohortRetention } from './cohorts.ts';
import { periodFigures, windowFigures } from './figures.ts';
import type { PeriodUnit } from './period.ts';
import { topProducts } from './products.ts';
import { newVsReturning, revenueComparison } from './trends.ts';

const GERMANY: SegmentDefinition = { conditions: [{ kind: 'country', op: 'in', values: ['Germany'] }] };
const BIG: SegmentDefinition = { conditions: [{ kind: 'metric', metric: 'm_score', op: 'gte', value: 4 }] };
const AUDIENCES = [undefined, GERMANY, BIG];

const inWhere = (db: Database, where: SegmentDefinition | undefined) =>
  inSegment(db, sql`e.customer_id`, where);

async function refRevenue(db: Database, grain: Grain, where?: SegmentDefinition) {
  const rows = await db.rows<{ period: string; revenue: string; orders: number }>(sql`
    with as_of as (select ${AS_OF} as at),
    daily as (
      select date_trunc('day', e.occurred_at at time zone 'UTC') as day,
        sum(e.quantity * e.unit_price_e4) * 0.0001 as revenue, count(distinct e.invoice)::int as orders
      from events e
      where e.kind = 'purchase' and e.batch_id in ${DONE_BATCHES} and e.occurred_at <= (select at from as_of)
        and ${inWhere(db, where)}
      group by 1
    ), g as (
      select ${rollupUnit(grain, sql`(select max(day)::date - min(day)::date from daily)`)} as unit
    ), p as (
      select date_trunc(g.unit, daily.day) as bucket, sum(daily.revenue) as revenue, sum(daily.orders) as orders
      from daily, g group by 1
    ), series as (
      select generate_series(min(bucket), max(bucket), ('1 ' || (select unit from g))::interval) as bucket from p
    )
    select to_char(series.bucket, 'YYYY-MM-DD') as period, coalesce(round(p.revenue, 2), 0)::text as revenue,
      coalesce(p.orders, 0)::int as orders
    from series left join p on p.bucket = series.bucket
    order by series.bucket`);
  return rows.map((r) => ({ period: r.period, revenue: Number(r.revenue), orders: Number(r.orders) }));
}

const UNIT_INTERVAL = { week: '7 days', month: '1 month', quarter: '3 months', year: '1 year' };
const NATURAL: Record<PeriodUnit, Grain> = { week: 'day', month: 'day', quarter: 'week', year: 'month' };

async function refComparison(
  db: Database,
  unit: PeriodUnit,
  compare: 'previous' | 'last_year',
  where?: SegmentDefinition,
) {
  const grain = NATURAL[unit];
  const shift = compare === 'last_year' ? '1 year' : UNIT_INTERVAL[unit];
  const step = { day: '1 day', week: '7 days', month: '1 month' }[grain];
  const u = sql.raw(`'${unit}'`);
  const g = sql.raw(`'${grain}'`);
  const ts = sql.raw(`'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`);
  const [w] = await db.rows<{ cs: string; ce: string; ps: string; pe: string }>(sql`
    with as_of as (select ${AS_OF} at time zone 'UTC' as at),
    b as (select date_trunc(${u}, at) as cs, at as ce, date_trunc(${u}, at) - ${shift}::interval as ps from as_of)
    select to_char(cs, ${ts}) as cs, to_char(ce, ${ts}) as ce, to_char(ps, ${ts}) as ps,
      to_char(ps + ${UNIT_INTERVAL[unit]}::interval - interval '1 microsecond', ${ts}) as pe
    from b`);
  const rows = await db.rows<{
    series: string;
    idx: number;
    period: string;
    revenue: string;
    orders: number;
  }>(sql`
    with w as (
      select 'current' as series, ${w!.cs}::timestamptz at time zone 'UTC' as start,
        ${w!.ce}::timestamptz at time zone 'UTC' as stop
      union all
      select 'comparison', ${w!.ps}::timestamptz at time zone 'UTC', ${w!.pe}::timestamptz at time zone 'UTC'
    ), buckets as (
      select w.series, w.start, s.bucket, s.idx::int as idx
      from w, generate_series(date_trunc(${g}, w.start), w.stop, ${step}::interval) with ordinality as s(bucket, idx)
    ), sales as (
      select case when e.occurred_at >= ${w!.cs}::timestamptz then 'current' else 'comparison' end as series,
        date_trunc(${g}, e.occurred_at at time zone 'UTC') as bucket,
        sum(e.quantity * e.unit_price_e4) * 0.0001 as revenue, count(distinct e.invoice)::int as orders
      from events e
      where e.kind = 'purchase' and e.batch_id in ${DONE_BATCHES}
        and (e.occurred_at between ${w!.cs}::timestamptz and ${w!.ce}::timestamptz
          or e.occurred_at between ${w!.ps}::timestamptz and ${w!.pe}::timestamptz)
        and ${inWhere(db, where)}
      group by 1, 2
    )
    select b.series, b.idx, to_char(b.bucket, 'YYYY-MM-DD') as period,
      coalesce(round(s.revenue, 2), 0)::text as revenue, coalesce(s.orders, 0)::int as orders
    from buckets b left join sales s on s.series = b.series and s.bucket = b.bucket
    order by b.series desc, b.idx`);
  return rows.map((r) => ({
    index: Number(r.idx),
    period: r.period,
    revenue: Number(r.revenue),
    orders: Number(r.orders),
  }));
}

async function refNewReturning(db: Database, grain: Grain, where?: SegmentDefinition) {
  const rows = await db.rows<{ period: string; new_customers: number; returning: number }>(sql`
    with as_of as (select ${AS_OF} as at),
    days as (
      select distinct e.customer_id, date_trunc('day', e.occurred_at at time zone 'UTC') as day
      from events e
      where e.kind = 'purchase' and e.batch_id in ${DONE_BATCHES} and e.customer_id is not null
        and e.occurred_at <= (select at from as_of) and ${inWhere(db, where)}
    ), firsts as (
      select customer_id, min(day) as first_day from days group by 1
    ), g as (
      select ${rollupUnit(grain, sql`(select max(day)::date - min(day)::date from days)`)} as unit
    ), p as (
      select date_trunc(g.unit, d.day) as bucket,
        count(distinct d.customer_id) filter (where date_trunc(g.unit, f.first_day) = date_trunc(g.unit, d.day))::int as new_customers,
        count(distinct d.customer_id) filter (where date_trunc(g.unit, f.first_day) < date_trunc(g.unit, d.day))::int as returning
      from days d join firsts f using (customer_id), g
      group by 1
    ), series as (
      select generate_series(min(bucket), max(bucket), ('1 ' || (select unit from g))::interval) as bucket from p
    )
    select to_char(series.bucket, 'YYYY-MM-DD') as period,
      coalesce(p.new_customers, 0)::int as new_customers, coalesce(p.returning, 0)::int as returning
    from series left join p on p.bucket = series.bucket
    order by series.bucket`);
  return rows.map((r) => ({
    period: r.period,
    new: Number(r.new_customers),
    returning: Number(r.returning),
  }));
}

async function refCohorts(db: Database, where?: SegmentDefinition) {
  const rows = await db.rows<{ cohort: string; size: number; months_since: number; customers: number }>(sql`
    with as_of as (select ${AS_OF} as at),
    active as (
      select distinct e.customer_id, date_trunc('month', e.occurred_at at time zone 'UTC') as month
      from events e
      where e.kind = 'purchase' and e.batch_id in ${DONE_BATCHES} and e.customer_id is not null
        and e.occurred_at <= (select at from as_of) and ${inWhere(db, where)}
    ), firsts as (
      select customer_id, min(month) as cohort from active group by 1
    ), recent as (
      select cohort, count(*)::int as size from firsts group by 1 order by cohort desc limit 12
    )
    select to_char(f.cohort, 'YYYY-MM-DD') as cohort, r.size,
      ((extract(year from a.month) - extract(year from f.cohort)) * 12
        + extract(month from a.month) - extract(month from f.cohort))::int as months_since,
      count(*)::int as customers
    from active a join firsts f using (customer_id) join recent r on r.cohort = f.cohort
    group by f.cohort, r.size, 3
    order by f.cohort, 3`);
  return rows.map((r) => ({
    cohort: periodLabel(r.cohort, 'month'),
    size: Number(r.size),
    monthsSince: Number(r.months_since),
    customers: Number(r.customers),
  }));
}

/**
 * Product sales in [start, stop] ranked as topProducts does: everyone's purchases and anonymous sales, or an
 * audience's purchases.
 */
async function refProducts(
  db: Database,
  window: { start?: SQL; stop: SQL },
  limit: number,
  where?: SegmentDefinition,
  goods?: ProductMatch,
) {
  const only = !goods
    ? sql`true`
    : goods.productId
      ? sql`e.product_id = ${goods.productId}`
      : sql`e.product_id in (select p.id from products p where ${
          goods.nameContains
            ? sql`p.name ilike ${`%${goods.nameContains}%`}`
            : sql`p.category ilike ${`%${goods.categoryContains}%`}`
        })`;
  const rows = await db.rows<{ product_id: string | null; revenue: string; units: number }>(sql`
    with as_of as (select ${AS_OF} at time zone 'UTC' as at),
    sales as (
      select e.product_id, sum(e.quantity * e.unit_price_e4) * 0.0001 as revenue, sum(e.quantity)::bigint as units
      from events e
      where e.kind in ${where ? sql`('purchase')` : sql`('purchase', 'anonymous')`} and e.batch_id in ${DONE_BATCHES}
        and e.product_id is not null and ${inWhere(db, where)} and ${only}
        and (e.occurred_at at time zone 'UTC') >= ${window.start ?? sql`'-infinity'::timestamp`}
        and (e.occurred_at at time zone 'UTC') <= ${window.stop}
      group by 1
    ), ranked as (
      select product_id, revenue, units, row_number() over (order by revenue desc, units desc, product_id) as rank
      from sales
    )
    select case when rank <= ${limit} then product_id end as product_id, round(sum(revenue), 2)::text as revenue,
      sum(units)::int as units
    from ranked group by 1 order by min(rank)`);
  return rows.map((r) => ({ productId: r.product_id, revenue: Number(r.revenue), units: Number(r.units) }));
}

const asOf = sql`(select at from as_of)`;
const lastQuarter = {
  start: sql`date_trunc('quarter', ${asOf}) - interval '3 months'`,
  stop: sql`date_trunc('quarter', ${asOf}) - interval '1 microsecond'`,
};
const thisMonth = { start: sql`date_trunc('month', ${asOf})`, stop: asOf };
// The latest March begun by the as-of date: this year's, or last year's before March.
const march = sql`date_trunc('year', ${asOf}) + interval '2 months'`;
const latestMarch = sql`(case when ${march} <= ${asOf} then ${march} else ${march} - interval '1 year' end)`;
const inMarch = {
  start: latestMarch,
  stop: sql`least(${latestMarch} + interval '1 month' - interval '1 microsecond', ${asOf})`,
};
const sinceJanuary = { start: sql`date_trunc('year', ${asOf})`, stop: asOf };

/** Every event chart, read from the rollups and from the reference query over events. */
async function expectRollupsMatchEvents(db: Database) {
  // Revenue over a period (from the customer-day rollup) is what the figures count from events for it.
  const [fresh] = await db.rows<{ current: boolean }>(sql`
    select coalesce((select max(as_of) from customer_features) = ${AS_OF}, false) as current`);
  const current = Boolean(fresh?.current);
  let periodRevenue = 0;
  for (const period of [
    { unit: 'quarter', offset: 1 },
    { calendar: 'month', month: 3 },
    { calendar: 'quarter', quarter: 1, since: true },
  ] as const) {
    const chart = await revenueOverTime(db, { grain: 'day', period }).catch(() => ({ data: [] }));
    const total = chart.data.reduce((sum, r) => sum + r.revenue, 0);
    // A period before the data starts has no figures, said as such: nothing to chart either.
    const figures = await periodFigures(db, period).then(
      (f) => f.current,
      (error: { code?: string }) => {
        expect(error.code).toBe('figures_period_before');
        return { revenue: 0, orders: 0, customers: 0, newCustomers: 0 };
      },
    );
    expect(total).toBeCloseTo(figures.revenue, 2);
    periodRevenue += total;
    // So is the spend of a breakdown over it, and its customers are those who bought in it (when the features
    // are as of the charts' instant: a breakdown groups customers by their features).
    if (!current) continue;
    const countries = await segmentBreakdown(
      db,
      { conditions: [] },
      'country',
      undefined,
      'spend',
      period,
    ).catch(() => ({ data: [] }));
    expect(countries.data.reduce((sum, r) => sum + r.spend, 0)).toBeCloseTo(figures.revenue, 2);
    expect(countries.data.reduce((sum, r) => sum + r.customers, 0)).toBe(figures.customers);
    // Over one month in one monthly bar, new and returning customers are the figures' customers.
    if ('calendar' in period && period.calendar === 'month' && figures.customers > 0) {
      const bars = await newVsReturning(db, { grain: 'month', period });
      expect(bars.data.map((r) => [r.new, r.new + r.returning])).toEqual([
        [figures.newCustomers, figures.customers],
      ]);
    }
  }
  expect(periodRevenue).toBeGreaterThan(0);
  // The period before, as the figures compare with it, from windows written out here.
  const before = async (start: SQL, stop: SQL) => {
    const [w] = await db.rows<{ start: string; stop: string }>(sql`
      with as_of as (select ${AS_OF} at time zone 'UTC' as at)
      select to_char(${start}, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as start,
        to_char(${stop}, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as stop`);
    return windowFigures(
      db,
      (at) => sql`${at} >= ${w!.start}::timestamptz and ${at} <= ${w!.stop}::timestamptz`,
    );
  };
  const month = sql`date_trunc('month', ${asOf})`;
  for (const [period, start, stop] of [
    [
      { unit: 'month', offset: 1 },
      sql`${month} - interval '2 months'`,
      sql`${month} - interval '1 month' - interval '1 microsecond'`,
    ],
    [
      { calendar: 'month', month: 3 },
      sql`${latestMarch} - interval '1 month'`,
      sql`${latestMarch} - interval '1 microsecond'`,
    ],
    [
      { unit: 'day', offset: 1 },
      sql`date_trunc('day', ${asOf}) - interval '2 days'`,
      sql`date_trunc('day', ${asOf}) - interval '1 day' - interval '1 microsecond'`,
    ],
  ] as const) {
    expect((await periodFigures(db, period)).previous?.figures, JSON.stringify(period)).toEqual(
      await before(start, stop),
    );
  }
  for (const where of AUDIENCES) {
    for (const grain of ['day', 'week', 'month'] as const) {
      const expected = await refRevenue(db, grain, where);
      const chart = await revenueOverTime(db, { grain, where }).catch(() => ({ data: [] }));
      expect(chart.data.map(({ period, revenue, orders }) => ({ period, revenue, orders }))).toEqual(
        expected,
      );
      const nr = await newVsReturning(db, { grain, where }).catch(() => ({ data: [] }));
      expect(nr.data.map(({ period, new: n, returning }) => ({ period, new: n, returning }))).toEqual(
        await refNewReturning(db, grain, where),
      );
    }
    for (const unit of ['week', 'month', 'quarter', 'year'] as const) {
      for (const compare of ['previous', 'last_year'] as const) {
        const chart = await revenueComparison(db, { unit, compare, where });
        expect(
          chart.data.map(({ index, period, revenue, orders }) => ({ index, period, revenue, orders })),
        ).toEqual(await refComparison(db, unit, compare, where));
      }
    }
    const cohorts = await cohortRetention(db, { where }).catch(() => ({ data: [] }));
    expect(
      cohorts.data
        .filter((c) => c.customers > 0)
        .map(({ cohort, size, monthsSince, customers }) => ({ cohort, size, monthsSince, customers })),
    ).toEqual(await refCohorts(db, where));
  }
  // With an audience the chart reads events, narrowed to the members the customer-day rollup has in the window.
  let audienceRows = 0;
  for (const where of AUDIENCES) {
    for (const [period, window] of [
      [undefined, { stop: asOf }],
      [{ unit: 'quarter', offset: 1 }, lastQuarter],
      [{ unit: 'month', offset: 0 }, thisMonth],
      [{ calendar: 'month', month: 3 }, inMarch],
      [{ calendar: 'quarter', quarter: 1, since: true }, sinceJanuary],
    ] as const) {
      const chart = await topProducts(db, { limit: 3, period, where }).catch(() => ({ data: [] }));
      expect(chart.data.map(({ productId, revenue, units }) => ({ productId, revenue, units }))).toEqual(
        await refProducts(db, window, 3, where),
      );
      if (where) audienceRows += chart.data.length;
    }
  }
  expect(audienceRows).toBeGreaterThan(0);
}

describe.each(drivers)('event charts from the daily rollups on %s', (driver) => {
  let fixture: TestDatabase;
  let demo: TestDatabase;
  beforeAll(async () => {
    fixture = await createFixtureDatabase(driver);
    demo = await createTestDatabase(driver);
    await loadDemo(demo, { seed: 7, customers: 40 });
  }, 120_000);
  afterAll(async () => {
    await fixture?.dispose();
    await demo?.dispose();
  });

  it('give the same data as the queries over events on the retail fixture', async () => {
    const [n] = await fixture.rows<{ n: number }>(sql`select count(*)::int as n from daily_customer_sales`);
    expect(Number(n?.n)).toBeGreaterThan(0);
    await expectRollupsMatchEvents(fixture);
  });

  it('give the same data as the queries over events on a demo shop, with fewer rows than events', async () => {
    const [n] = await demo.rows<{ rollup: number; events: number }>(sql`
      select (select count(*) from daily_customer_sales)::int as rollup,
        (select count(*) from events where kind = 'purchase')::int as events`);
    expect(Number(n?.rollup)).toBeGreaterThan(0);
    expect(Number(n?.rollup)).toBeLessThan(Number(n?.events));
    // The refresh summarised every page of events in the BRIN index: nothing is left for a windowed read
    // to scan whole.
    const [left] = await demo.rows<{ n: number }>(
      sql`select brin_summarize_new_values('events_occurred_brin')::int as n`,
    );
    expect(Number(left?.n)).toBe(0);
    await expectRollupsMatchEvents(demo);
  });

  it('rank only the products named, by category, words of their names or stock code', async () => {
    const [code] = await demo.rows<{ id: string }>(
      sql`select product_id as id from events where kind = 'purchase' order by batch_id, line_no limit 1`,
    );
    const named: ProductMatch[] = [
      { categoryContains: 'Christmas' },
      { nameContains: 'bag' },
      { productId: code!.id },
    ];
    let rows = 0;
    for (const goods of named) {
      for (const where of [undefined, BIG]) {
        for (const [period, window] of [
          [undefined, { stop: asOf }],
          [{ unit: 'quarter', offset: 1 }, lastQuarter],
          [{ calendar: 'month', month: 3 }, inMarch],
        ] as const) {
          const chart = await topProducts(demo, { limit: 3, period, where, product: goods }).catch(
            (error: { code?: string }) => {
              expect(error.code).toBe('chart_no_data');
              return { data: [] };
            },
          );
          expect(chart.data.map(({ productId, revenue, units }) => ({ productId, revenue, units }))).toEqual(
            await refProducts(demo, window, 3, where, goods),
          );
          rows += chart.data.length;
        }
      }
    }
    expect(rows).toBeGreaterThan(10);
    const christmas = await topProducts(demo, { limit: 3, product: { categoryContains: 'Christmas' } });
    expect(christmas.summary).toMatch(/^Top Christmas product of all time: /);
    expect(christmas.data.at(-1)?.label).toMatch(/^Other Christmas products \(\d+\)$/);
    expect(christmas.altText).toMatch(/^Bar chart of the top 3 Christmas products by revenue, of all time: /);
    // A name no product has is said so, not shown as no sales.
    await expect(topProducts(demo, { product: { nameContains: 'halloween' } })).rejects.toMatchObject({
      code: 'chart_no_goods',
      message: 'No product in the catalogue is named with “halloween”.',
    });
    // LIKE's wildcards in a name are literal.
    await expect(topProducts(demo, { product: { nameContains: '%_' } })).rejects.toMatchObject({
      code: 'chart_no_goods',
    });
    await expect(
      topProducts(demo, { by: 'category', product: { categoryContains: 'Christmas' } }),
    ).rejects.toMatchObject({ code: 'chart_goods_by_category' });
  });

  it('follow a new as-of instant and rebuild a missing or stale rollup before charting', async () => {
    const before = await revenueOverTime(fixture, { grain: 'month' });
    await refreshFeatures(fixture, new Date('2011-03-31T00:00:00Z'));
    const march = await revenueOverTime(fixture, { grain: 'month' });
    expect(march.data.map((p) => p.period)).toEqual(['2011-01-01', '2011-02-01', '2011-03-01']);
    expect(march.data.map(({ period, revenue, orders }) => ({ period, revenue, orders }))).toEqual(
      await refRevenue(fixture, 'month'),
    );
    // Every chart at that earlier instant, the all-time product totals included.
    await expectRollupsMatchEvents(fixture);
    // Rollups emptied and their stamp gone (a database from before the rollups): charts rebuild them.
    await fixture.rows(sql`delete from daily_customer_sales`);
    await fixture.rows(sql`delete from product_sales`);
    await fixture.rows(sql`delete from meta where key = 'daily_sales'`);
    await fixture.rows(sql`delete from meta where key = 'as_of'`);
    const rebuilt = await revenueOverTime(fixture, { grain: 'month' });
    expect(rebuilt.data).toEqual(before.data);
    await expectRollupsMatchEvents(fixture);
    // Rollups built before the first-day columns existed (null there, stamp without a layout version).
    await fixture.rows(
      sql`update daily_customer_sales set first_day = null, week_first = null, month_first = null`,
    );
    await fixture.rows(sql`update meta set value = value - 'v' where key = 'daily_sales'`);
    await expectRollupsMatchEvents(fixture);
    const [nulls] = await fixture.rows<{ n: number }>(
      sql`select count(*)::int as n from daily_customer_sales where first_day is null or month_first is null`,
    );
    expect(Number(nulls?.n)).toBe(0);
  });
});
