import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFixtureDatabase,
  createTestDatabase,
  drivers,
  RETAIL_FIXTURE,
  type TestDatabase,
} from '../../test/database.ts';
import { importFile } from '../ingest/import.ts';
import { MAX_POINTS, revenueOverTime, segmentBreakdown } from './builders.ts';
import { cohortRetention } from './cohorts.ts';
import { comparisonBars, segmentComparison } from './comparison.ts';
import { topProducts } from './products.ts';
import { renderChart } from './render.ts';
import { newVsReturning, periodComparison, revenueComparison } from './trends.ts';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];

/** Renders and checks that the given words are drawn as SVG text (what resvg rasterises with the font). */
async function expectDrawn(spec: object, words: string[]): Promise<void> {
  const { png, svg } = await renderChart(spec as never);
  expect([...png.slice(0, 4)]).toEqual(PNG_SIGNATURE);
  const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1]!.replace(/&amp;/g, '&').replace(/&#39;|&apos;/g, "'"),
  );
  for (const word of words) expect(texts.some((t) => t.includes(word))).toBe(true);
}

// The fixture's purchases (see builders.test.ts): 17850 (UK) 10 Jan £35.64 and 1 Mar £11.10; 13047 (Germany)
// 1 Feb £54.08 and 30 Jun £25.50; 12583 (France) 1 Jun £180.00. One anonymous sale: 1 Jun, 80 × £2.55 of
// product 22086. As-of: 30 Jun 2011 12:00 UTC.
const GERMANY = { conditions: [{ kind: 'country' as const, op: 'in' as const, values: ['Germany'] }] };

describe.each(drivers)('more chart builders on %s', (driver) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createFixtureDatabase(driver);
  });
  afterAll(async () => {
    await db.dispose();
  });

  it('compares this month to date with the previous month, day by day', async () => {
    const chart = await revenueComparison(db, { unit: 'month', compare: 'previous' });
    const june = chart.data.filter((r) => r.series === 'Jun 2011 (to date)');
    const may = chart.data.filter((r) => r.series === 'May 2011');
    expect(june).toHaveLength(30);
    expect(may).toHaveLength(31);
    expect(june.filter((r) => r.revenue > 0).map((r) => [r.index, r.revenue])).toEqual([
      [1, 180],
      [30, 25.5],
    ]);
    expect(may.every((r) => r.revenue === 0)).toBe(true);
    expect(chart.summary).toBe(
      'Jun 2011 to date: £205.50 revenue vs £0.00 in May 2011 over the same 30 days.',
    );
    await expectDrawn(chart.spec, ['Revenue Jun 2011 vs May 2011', 'Jun 2011 (to date)', 'Day of the month']);
  });

  it('compares orders quarter on quarter by week, with the change over the same weeks', async () => {
    const chart = await revenueComparison(db, { unit: 'quarter', compare: 'previous', metric: 'orders' });
    const q1 = chart.data.filter((r) => r.series === 'Q1 2011');
    // Q1 orders: 10 Jan, 1 Feb, 1 Mar; Q2 to date: 1 Jun (one invoice) and 30 Jun.
    expect(q1.reduce((s, r) => s + r.orders, 0)).toBe(3);
    expect(chart.summary).toBe(
      'Q2 2011 to date: 2 orders vs 3 orders in Q1 2011 over the same 14 weeks (-33%). The data starts on 10 Jan 2011, part-way through Q1 2011.',
    );
  });

  it('draws one period said against another: whole months compared whole, day by day', async () => {
    const chart = await periodComparison(db, {
      period: { calendar: 'month', month: 3 },
      against: { calendar: 'month', month: 2 },
    });
    expect(chart.data.filter((r) => r.series === 'Mar 2011')).toHaveLength(31);
    expect(chart.data.filter((r) => r.series === 'Feb 2011')).toHaveLength(28);
    expect(chart.data.filter((r) => r.revenue > 0).map((r) => [r.series, r.index, r.revenue])).toEqual([
      ['Mar 2011', 1, 11.1],
      ['Feb 2011', 1, 54.08],
    ]);
    expect(chart.summary).toBe('Mar 2011: £11.10 revenue vs £54.08 in Feb 2011 (-79%).');
    await expectDrawn(chart.spec, ['Revenue Mar 2011 vs Feb 2011', 'Day of the period']);
    // A period still going is compared over the same span; the data starting later is said.
    const june = await periodComparison(db, {
      period: { calendar: 'month', month: 6 },
      against: { calendar: 'month', month: 6, year: 2010 },
      metric: 'orders',
      where: GERMANY,
    });
    expect(june.summary).toBe(
      'Jun 2011 to date: 1 order for Germany vs 0 orders in Jun 2010 over the same 30 days. ' +
        'The data starts on 10 Jan 2011, after Jun 2010: nothing to compare with.',
    );
  });

  it('refuses two periods that overlap, and a grain too fine for the span', async () => {
    await expect(
      periodComparison(db, {
        period: { calendar: 'year', year: 2011 },
        against: { calendar: 'month', month: 3 },
      }),
    ).rejects.toMatchObject({
      code: 'chart_compare_overlap',
      message: "2011 to date and Mar 2011 overlap, so one can't be drawn against the other.",
    });
    await expect(
      periodComparison(db, {
        period: { calendar: 'month', month: 3 },
        against: { calendar: 'month', month: 3 },
      }),
    ).rejects.toMatchObject({ message: 'That names Mar 2011 twice: compare it with another period.' });
    // Days over a year would be hundreds of points: drawn by month instead.
    const months = await periodComparison(db, {
      period: { calendar: 'year', year: 2011 },
      against: { calendar: 'year', year: 2010 },
      grain: 'day',
    });
    expect(months.spec).toMatchObject({ title: { subtitle: 'by month; 2010 in full, 2011 to date' } });
  });

  it('compares with the same period a year earlier, and for an audience', async () => {
    const chart = await revenueComparison(db, { unit: 'month', compare: 'last_year', where: GERMANY });
    expect(new Set(chart.data.map((r) => r.series))).toEqual(new Set(['Jun 2011 (to date)', 'Jun 2010']));
    expect(chart.data.reduce((s, r) => s + r.revenue, 0)).toBeCloseTo(25.5, 2);
    expect(chart.altText).toContain('for Germany');
    // Jun 2010 is before the data starts: said, with no change against it.
    expect(chart.summary).toBe(
      'Jun 2011 to date: £25.50 revenue for Germany vs £0.00 in Jun 2010 over the same 30 days. ' +
        'The data starts on 10 Jan 2011, after Jun 2010: nothing to compare with.',
    );
  });

  it('counts new and returning customers per month', async () => {
    const chart = await newVsReturning(db, { grain: 'month' });
    expect(chart.data.map((r) => [r.label, r.new, r.returning])).toEqual([
      ['Jan 2011', 1, 0],
      ['Feb 2011', 1, 0],
      ['Mar 2011', 0, 1],
      ['Apr 2011', 0, 0],
      ['May 2011', 0, 0],
      ['Jun 2011', 1, 1],
    ]);
    expect(chart.summary).toBe(
      '3 new customers, Jan 2011 to Jun 2011; 40% of buyers in a month had bought before.',
    );
    await expectDrawn(chart.spec, ['New and returning customers by month', 'Returning']);
  });

  it('draws a cohort retention heatmap with every month up to the last, zeros included', async () => {
    const chart = await cohortRetention(db, {});
    const cell = (cohort: string, k: number) =>
      chart.data.find((c) => c.cohort === cohort && c.monthsSince === k)?.retention;
    expect([...new Set(chart.data.map((c) => c.cohort))]).toEqual(['Jan 2011', 'Feb 2011', 'Jun 2011']);
    expect(chart.data.filter((c) => c.cohort === 'Jan 2011')).toHaveLength(6);
    expect([cell('Jan 2011', 0), cell('Jan 2011', 1), cell('Jan 2011', 2)]).toEqual([1, 0, 1]);
    expect(cell('Feb 2011', 4)).toBe(1);
    expect(chart.data.filter((c) => c.cohort === 'Jun 2011')).toHaveLength(1);
    expect(chart.summary).toBe(
      '3 cohorts, Jan 2011 to Jun 2011: on average 0% buy again the month after their first purchase.',
    );
    await expectDrawn(chart.spec, ['Cohort retention', 'Months since first purchase', '100%', 'Feb 2011']);
    const latest = await cohortRetention(db, { cohorts: 1 });
    expect(new Set(latest.data.map((c) => c.cohort))).toEqual(new Set(['Jun 2011']));
  });

  it('ranks products by revenue with the rest folded into one bar', async () => {
    const chart = await topProducts(db, { limit: 3 });
    expect(chart.data.map((r) => [r.label, r.revenue])).toEqual([
      ["Paper Chain Kit 50's Christmas", 204], // the anonymous sale counts for the product
      ['Alarm Clock Bakelike Red', 90],
      ['Alarm Clock Bakelike Pink', 90],
      ['Other products (5)', 126.32],
    ]);
    await expectDrawn(chart.spec, ['Top 3 products by revenue', 'Other products (5)', 'of all time']);
  });

  it('ranks products by units for an audience in the last complete quarter', async () => {
    const q1 = await topProducts(db, { metric: 'units', period: { unit: 'quarter', offset: 1 } });
    expect(q1.data.map((r) => [r.productId, r.units])).toEqual([
      ['84879', 32],
      ['71053', 6],
      ['85123A', 6],
      ['22633', 6],
    ]);
    expect(q1.summary).toMatch(/^Top product in Q1 2011: Assorted Colour Bird Ornament \(32 units\)/);
    const german = await topProducts(db, { where: GERMANY, period: { days: 30 } });
    expect(german.data.map((r) => r.productId)).toEqual(['21730']);
    await expect(
      topProducts(db, { where: GERMANY, period: { unit: 'month', offset: 1 } }),
    ).rejects.toMatchObject({
      code: 'chart_no_data',
    });
    await expect(topProducts(db, { limit: 0 })).rejects.toMatchObject({ code: 'chart_limit' });
  });

  it('ranks product categories, from the same sales as the products', async () => {
    // Every category's revenue and units, summed by hand from the purchase and anonymous lines.
    const expected = await db.rows<{ category: string; revenue: string; units: number }>(sql`
      select coalesce(p.category, 'Uncategorised') as category, round(sum(e.quantity * e.unit_price_e4) * 0.0001, 2)::text as revenue,
        sum(e.quantity)::int as units
      from events e left join products p on p.id = e.product_id
      where e.kind in ('purchase', 'anonymous') and e.product_id is not null
      group by 1 order by sum(e.quantity * e.unit_price_e4) desc, sum(e.quantity) desc, 1`);
    expect(expected.length).toBeGreaterThan(1);
    const chart = await topProducts(db, { by: 'category', limit: 25 });
    expect(chart.data.map((r) => [r.label, r.revenue, r.units])).toEqual(
      expected.map((r) => [r.category, Number(r.revenue), Number(r.units)]),
    );
    expect(chart.summary).toMatch(new RegExp(`^Top category of all time: ${expected[0]!.category} `));
    // The rest folded into one bar; by units; in a period.
    const one = await topProducts(db, { by: 'category', limit: 1 });
    expect(one.data.at(-1)?.label).toBe(`Other categories (${expected.length - 1})`);
    const march = await topProducts(db, { by: 'category', period: { calendar: 'month', month: 3 } });
    expect(march.data.reduce((sum, r) => sum + r.revenue, 0)).toBeCloseTo(11.1, 2);
    await expectDrawn(march.spec, ['Top 1 category by revenue', 'Mar 2011']);
  });

  it('ranks products in a calendar month, quarter or year, and since one', async () => {
    // March 2011: 17850's one purchase (1 Mar, £11.10).
    const march = await topProducts(db, { period: { calendar: 'month', month: 3 } });
    expect(march.data.map((r) => r.revenue)).toEqual([11.1]);
    expect(march.summary).toMatch(/^Top product in Mar 2011: /);
    // Q1 2011 is the last complete quarter as of 30 Jun 2011: the same chart.
    const q1 = await topProducts(db, {
      metric: 'units',
      period: { calendar: 'quarter', quarter: 1, year: 2011 },
    });
    const lastQuarter = await topProducts(db, { metric: 'units', period: { unit: 'quarter', offset: 1 } });
    expect(q1.data).toEqual(lastQuarter.data);
    // The as-of year, to date, and "since" a month: described as such.
    const year = await topProducts(db, { limit: 3, period: { calendar: 'year', year: 2011 } });
    expect(year.data).toEqual((await topProducts(db, { limit: 3 })).data);
    expect(year.summary).toMatch(/^Top product in 2011 to date: /);
    const since = await topProducts(db, { period: { calendar: 'month', month: 6, since: true } });
    expect(since.summary).toMatch(/^Top product since Jun 2011: Paper Chain Kit/);
    await expectDrawn(since.spec, ['since Jun 2011']);
    // After the data: said, not an empty chart.
    await expect(topProducts(db, { period: { calendar: 'year', year: 2026 } })).rejects.toMatchObject({
      code: 'chart_period_after',
      message: expect.stringMatching(/^2026 is after the latest data \(as of 2011-06-30\)/),
    });
    // Before the data: nothing sold then.
    await expect(
      topProducts(db, { period: { calendar: 'month', month: 3, last: true, year: 2009 } }),
    ).rejects.toMatchObject({ code: 'chart_no_data', message: expect.stringMatching(/in Mar 2009/) });
  });

  it('breaks customers down by RFM group', async () => {
    const chart = await segmentBreakdown(db, { conditions: [] }, 'rfm');
    const scores = await db.rows<{ r: number; f: number }>(
      sql`select r_score as r, f_score as f from customer_features order by customer_id`,
    );
    // Each customer lands in exactly one group.
    expect(chart.data.reduce((s, r) => s + r.customers, 0)).toBe(scores.length);
    expect(chart.data.filter((r) => r.customers > 0)).toHaveLength(3);
    await expectDrawn(chart.spec, ['Customers by RFM group', 'Champions']);
  });

  it('compares segments on size, spend and average order value', async () => {
    const chart = await segmentComparison(db, [
      { name: 'germans', definition: GERMANY },
      { name: 'everyone', definition: { conditions: [] } },
    ]);
    // Germany: 13047 only, £79.58 over 2 orders; everyone: £306.32 over 5 orders.
    expect(chart.data).toEqual([
      { name: 'germans', values: { customers: 1, spend: 79.58, aov: 39.79 } },
      { name: 'everyone', values: { customers: 3, spend: 306.32, aov: 61.26 } },
    ]);
    await expectDrawn(chart.spec, ['2 segments compared', 'Average order value', 'germans']);
    await expect(segmentComparison(db, [{ name: 'a', definition: GERMANY }])).rejects.toMatchObject({
      code: 'chart_compare',
    });
    expect(() =>
      comparisonBars(
        'x',
        [
          { name: 'a', values: {} },
          { name: 'a', values: {} },
        ],
        [],
      ),
    ).toThrow(/named twice/);
  });
});

describe.each(drivers)('caps on marks on %s', (driver) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(driver);
    await importFile(db, RETAIL_FIXTURE);
    // Two more years of one sale a day for one customer, on top of the fixture: far more days than MAX_POINTS.
    const [batch] = await db.rows<{ id: number }>(sql`
      insert into import_batches (source, format, content_hash, status)
      values ('daily.csv', 'online-retail', 'daily', 'done') returning id`);
    await db.rows(sql`
      insert into events (batch_id, line_no, kind, invoice, customer_id, product_id, quantity, unit_price_e4, occurred_at)
      select ${batch!.id}, n, 'purchase', 'D' || n, 'C' || (n % 40), 'P' || (n % 60), 1, 100000,
        timestamptz '2011-07-01 10:00:00+00' + n * interval '1 day'
      from generate_series(0, 729) as n`);
    await db.rows(sql`delete from meta where key = 'as_of'`);
  });
  afterAll(async () => {
    await db.dispose();
  });

  it('rolls days up to weeks, and weeks to months, when there would be too many points', async () => {
    const daily = await revenueOverTime(db, { grain: 'day' });
    expect(daily.grain).toBe('week');
    expect(daily.data.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(daily.data.reduce((s, r) => s + r.revenue, 0)).toBeCloseTo(306.32 + 7300, 2);
    expect(daily.spec.title).toMatchObject({ subtitle: expect.stringContaining('rolled up from days') });
    const weekly = await newVsReturning(db, { grain: 'week' });
    expect(weekly.data.length).toBeLessThanOrEqual(MAX_POINTS);
  });

  it('keeps the top products and one Other bar however large the catalogue', async () => {
    const chart = await topProducts(db, { limit: 10 });
    expect(chart.data).toHaveLength(11);
    expect(chart.data.at(-1)!.label).toMatch(/^Other products \(/);
    expect(chart.data.reduce((s, r) => s + r.revenue, 0)).toBeCloseTo(306.32 + 204 + 7300, 2);
  });
});
