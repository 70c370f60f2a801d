import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFixtureDatabase,
  createTestDatabase,
  drivers,
  RETAIL_FIXTURE,
  type TestDatabase,
} from '../../test/database.ts';
import { UserError } from '../core/errors.ts';
import { importFile } from '../ingest/import.ts';
import { averageOrderOverTime, revenueOverTime, segmentBreakdown } from './builders.ts';
import { renderChart } from './render.ts';
import { newVsReturning } from './trends.ts';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];

// Purchase lines of retail-small.csv (the return, the anonymous sale, adjustments and rejected lines excluded):
// Jan 536365 6×2.55 + 6×3.39 = 35.64 · Feb 536367 32×1.69 = 54.08 · Mar 536366 6×1.85 = 11.10
// Jun 536370 24×3.75 × 2 = 180.00 and 536374 6×4.25 = 25.50 → 205.50. Total 306.32.
const MONTHLY = [
  { period: '2011-01-01', label: 'Jan 2011', revenue: 35.64, orders: 1 },
  { period: '2011-02-01', label: 'Feb 2011', revenue: 54.08, orders: 1 },
  { period: '2011-03-01', label: 'Mar 2011', revenue: 11.1, orders: 1 },
  { period: '2011-04-01', label: 'Apr 2011', revenue: 0, orders: 0 },
  { period: '2011-05-01', label: 'May 2011', revenue: 0, orders: 0 },
  { period: '2011-06-01', label: 'Jun 2011', revenue: 205.5, orders: 2 },
];

describe.each(drivers)('chart builders on %s', (driver) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createFixtureDatabase(driver);
  });
  afterAll(async () => {
    await db.dispose();
  });

  it('refuses to chart revenue before anything is imported', async () => {
    const empty = await createTestDatabase(driver);
    try {
      await expect(revenueOverTime(empty, { grain: 'month' })).rejects.toMatchObject({
        code: 'chart_no_data',
      });
    } finally {
      await empty.dispose();
    }
  });

  it('charts monthly revenue from purchase lines, empty months as zero', async () => {
    const chart = await revenueOverTime(db, { grain: 'month' });
    expect(chart.data).toEqual(MONTHLY);
    expect(chart.altText).toBe(
      'Bar chart of revenue by month, Jan 2011 to Jun 2011, with orders as a line; ' +
        'highest in Jun 2011 at £205.50 from 2 orders.',
    );
    expect(chart.summary).toBe('£306.32 revenue from 5 orders, Jan 2011 to Jun 2011; best month Jun 2011.');
    const { png, svg } = await renderChart(chart.spec);
    expect([...png.slice(0, 4)]).toEqual(PNG_SIGNATURE);
    expect(svg).toContain('Revenue by month');
    expect(svg).toContain('Jun 2011');
  });

  it('charts revenue over a period, every bucket of it drawn, named as asked', async () => {
    // The as-of year to date: all of the data, Jan to Jun.
    const year = await revenueOverTime(db, { grain: 'month', period: { calendar: 'year', year: 2011 } });
    expect(year.data).toEqual(MONTHLY);
    expect(year.summary).toBe('£306.32 revenue from 5 orders, 2011 to date; best month Jun 2011.');
    // March by day: its 31 days, one sale on the 1st.
    const march = await revenueOverTime(db, { grain: 'day', period: { calendar: 'month', month: 3 } });
    expect(march.data).toHaveLength(31);
    expect(march.data.filter((r) => r.revenue > 0)).toEqual([
      { period: '2011-03-01', label: '1 Mar 2011', revenue: 11.1, orders: 1 },
    ]);
    expect(march.summary).toBe('£11.10 revenue from 1 order, Mar 2011; best day 1 Mar 2011.');
    expect(march.spec.title).toEqual({ text: 'Revenue by day', subtitle: 'Mar 2011' });
    // Since February by month: empty months kept; the last 30 whole days by day (1 to 30 June).
    const since = await revenueOverTime(db, {
      grain: 'month',
      period: { calendar: 'month', month: 2, since: true },
    });
    expect(since.data.map((r) => r.revenue)).toEqual([54.08, 11.1, 0, 0, 205.5]);
    const days = await revenueOverTime(db, { grain: 'day', period: { days: 30 } });
    expect(days.data.map((r) => r.period)).toEqual(
      Array.from({ length: 30 }, (_, i) => `2011-06-${String(i + 1).padStart(2, '0')}`),
    );
    expect(days.data.reduce((sum, r) => sum + r.revenue, 0)).toBeCloseTo(205.5, 2);
    // Nothing sold in April; nothing after the data yet.
    await expect(
      revenueOverTime(db, { grain: 'day', period: { calendar: 'month', month: 4 } }),
    ).rejects.toMatchObject({
      code: 'chart_no_data',
      message: expect.stringMatching(/^No purchases in Apr 2011/),
    });
    await expect(
      revenueOverTime(db, { grain: 'month', period: { calendar: 'year', year: 2012 } }),
    ).rejects.toMatchObject({
      code: 'chart_period_after',
      message: expect.stringMatching(/^2012 is after the latest data \(as of 2011-06-30\)/),
    });
  });

  it('breaks down the customers who bought in a period, with their spend in it', async () => {
    // Q1 2011: 17850 (UK, £35.64 + £11.10) and 13047 (Germany, £54.08); 12583 (France) bought in June only.
    const q1 = await segmentBreakdown(db, { conditions: [] }, 'country', undefined, 'spend', {
      calendar: 'quarter',
      quarter: 1,
    });
    expect(q1.data.map((r) => [r.label, r.customers, r.spend])).toEqual([
      ['Germany', 1, 54.08],
      ['United Kingdom', 1, 46.74],
    ]);
    expect(q1.summary).toBe(
      '£100.82 spent in Q1 2011 by 2 customers across 2 countries; most in Germany (£54.08, 54%).',
    );
    const june = await segmentBreakdown(db, { conditions: [] }, 'lifecycle', undefined, 'customers', {
      calendar: 'month',
      month: 6,
    });
    expect(june.summary).toMatch(/^2 customers buying in Jun 2011 to date across /);
    await expect(
      segmentBreakdown(db, { conditions: [] }, 'country', undefined, 'customers', {
        calendar: 'month',
        month: 4,
      }),
    ).rejects.toMatchObject({
      code: 'chart_no_data',
      message: expect.stringMatching(/^No customers bought in Apr 2011/),
    });
  });

  it('charts new and returning customers over a period, a bucket it cuts short counted whole', async () => {
    // The as-of year holds all of the data: the same bars as the chart of all of it (see views.test.ts).
    const year = await newVsReturning(db, { grain: 'month', period: { calendar: 'year', year: 2011 } });
    expect(year.data).toEqual((await newVsReturning(db, { grain: 'month' })).data);
    expect(year.summary).toMatch(/^3 new customers, 2011 to date; /);
    // By week over March: the week of 28 Feb starts before March, and 17850 (back on 1 Mar) still counts.
    const march = await newVsReturning(db, { grain: 'week', period: { calendar: 'month', month: 3 } });
    expect(march.data[0]).toMatchObject({ label: 'w/c 28 Feb 2011', new: 0, returning: 1 });
    await expect(
      newVsReturning(db, { grain: 'month', period: { calendar: 'month', month: 4 } }),
    ).rejects.toMatchObject({
      code: 'chart_no_data',
      message: expect.stringMatching(/^No customers bought in Apr 2011/),
    });
  });

  it('charts the average order over time, a period without orders left empty', async () => {
    const chart = await averageOrderOverTime(db, { grain: 'month' });
    expect(chart.data.map((r) => [r.label, r.averageOrder])).toEqual([
      ['Jan 2011', 35.64],
      ['Feb 2011', 54.08],
      ['Mar 2011', 11.1],
      ['Apr 2011', null],
      ['May 2011', null],
      ['Jun 2011', 102.75],
    ]);
    expect(chart.summary).toBe(
      'Average order £61.26 over 5 orders, Jan 2011 to Jun 2011; highest Jun 2011 (£102.75), lowest Mar 2011 (£11.10).',
    );
    const { png } = await renderChart(chart.spec);
    expect([...png.slice(0, 4)]).toEqual(PNG_SIGNATURE);
    await expect(
      averageOrderOverTime(db, { grain: 'day', period: { calendar: 'month', month: 4 } }),
    ).rejects.toMatchObject({
      code: 'chart_no_data',
      message: 'No orders in Apr 2011, so there is no average order to chart.',
    });
  });

  it('buckets by week and day too, with a line for days', async () => {
    const weekly = await revenueOverTime(db, { grain: 'week' });
    expect(weekly.data[0]).toMatchObject({ period: '2011-01-10', label: 'w/c 10 Jan 2011', revenue: 35.64 });
    expect(weekly.data.reduce((s, r) => s + r.revenue, 0)).toBeCloseTo(306.32, 2);
    const daily = await revenueOverTime(db, { grain: 'day' });
    expect(daily.data).toHaveLength(172); // 10 Jan to 30 Jun 2011 inclusive
    expect(daily.data.filter((r) => r.revenue > 0).map((r) => r.label)).toEqual([
      '10 Jan 2011',
      '1 Feb 2011',
      '1 Mar 2011',
      '1 Jun 2011',
      '30 Jun 2011',
    ]);
    expect(daily.altText).toMatch(/^Line chart of revenue by day, .*highest in 1 Jun 2011 at £180\.00/);
    const { png } = await renderChart(daily.spec);
    expect([...png.slice(0, 4)]).toEqual(PNG_SIGNATURE);
  });

  it("restricts revenue to a segment's members, top-N included", async () => {
    const germany = await revenueOverTime(db, {
      grain: 'month',
      where: { conditions: [{ kind: 'country', op: 'in', values: ['germany'] }] },
    });
    expect(germany.data.map((r) => [r.label, r.revenue])).toEqual([
      ['Feb 2011', 54.08],
      ['Mar 2011', 0],
      ['Apr 2011', 0],
      ['May 2011', 0],
      ['Jun 2011', 25.5],
    ]);
    // The audience is named in the chart when it is short.
    expect(germany.altText).toMatch(/^Bar chart of revenue by month for germany, Feb 2011 to Jun 2011/);
    const topSpender = await revenueOverTime(db, {
      grain: 'month',
      where: { conditions: [], top: { metric: 'spend', direction: 'desc', limit: 1 } },
    });
    expect(topSpender.data.map((r) => [r.label, r.revenue])).toEqual([['Jun 2011', 180]]);
    expect(topSpender.altText).toMatch(/^Bar chart of revenue by month for top 1 by spend,/);
  });

  it('ignores events of imports that did not finish', async () => {
    const other = await createTestDatabase(driver);
    try {
      await importFile(other, RETAIL_FIXTURE);
      const [batch] = await other.rows<{ id: number }>(sql`
        insert into import_batches (source, format, content_hash, status)
        values ('half.csv', 'online-retail', 'x', 'running') returning id`);
      await other.rows(sql`
        insert into events (batch_id, line_no, kind, invoice, customer_id, product_id, quantity, unit_price_e4, occurred_at)
        values (${batch!.id}, 2, 'purchase', '999', '17850', '71053', 1000, 100000, '2011-03-05T10:00:00Z')`);
      const chart = await revenueOverTime(other, { grain: 'month' });
      expect(chart.data).toEqual(MONTHLY);
    } finally {
      await other.dispose();
    }
  });

  it('breaks all customers down by country, largest first', async () => {
    const chart = await segmentBreakdown(db, { conditions: [] }, 'country');
    expect(chart.data).toEqual([
      { label: 'France', customers: 1, spend: 180 },
      { label: 'Germany', customers: 1, spend: 79.58 },
      { label: 'United Kingdom', customers: 1, spend: 46.74 },
    ]);
    expect(chart.altText).toBe(
      'Bar chart of 3 customers by country, largest first: France 1, Germany 1, United Kingdom 1.',
    );
    expect(chart.summary).toBe('3 customers across 3 countries; most in France (1, 33%).');
    const { png, svg } = await renderChart(chart.spec);
    expect([...png.slice(0, 4)]).toEqual(PNG_SIGNATURE);
    expect(svg).toContain('United Kingdom');
  });

  it('breaks a segment down by lifecycle stage, every stage shown', async () => {
    const all = await segmentBreakdown(db, { conditions: [] }, 'lifecycle');
    expect(all.data).toEqual([
      { label: 'New', customers: 1, spend: 180 },
      { label: 'Active', customers: 1, spend: 79.58 },
      { label: 'At risk', customers: 1, spend: 46.74 },
      { label: 'Lapsed', customers: 0, spend: 0 },
    ]);
    const big = await segmentBreakdown(
      db,
      { conditions: [{ kind: 'metric', metric: 'spend', op: 'gt', value: 50 }] },
      'lifecycle',
    );
    expect(big.data.filter((r) => r.customers > 0)).toEqual([
      { label: 'New', customers: 1, spend: 180 },
      { label: 'Active', customers: 1, spend: 79.58 },
    ]);
    const { png } = await renderChart(big.spec);
    expect([...png.slice(0, 4)]).toEqual(PNG_SIGNATURE);
  });

  it('sums spend by group when asked for money ("revenue by country"), ranked by it', async () => {
    const chart = await segmentBreakdown(db, { conditions: [] }, 'rfm', undefined, 'spend');
    const ranked = chart.data.map((r) => r.spend);
    expect(ranked).toEqual([...ranked].sort((a, b) => b - a));
    expect(ranked.reduce((a, b) => a + b, 0)).toBeCloseTo(306.32, 2);
    const countries = await segmentBreakdown(db, { conditions: [] }, 'country', undefined, 'spend');
    expect(countries.summary).toBe(
      '£306.32 spent by 3 customers across 3 countries; most in France (£180.00, 59%).',
    );
    expect(countries.altText).toBe(
      'Bar chart of spend of 3 customers by country, largest first: France £180.00, Germany £79.58, ' +
        'United Kingdom £46.74.',
    );
    const { png, svg } = await renderChart(countries.spec);
    expect([...png.slice(0, 4)]).toEqual(PNG_SIGNATURE);
    expect(svg).toContain('Spend by country');
  });

  it('says so when a segment is empty instead of drawing an empty chart', async () => {
    const error = await segmentBreakdown(
      db,
      { conditions: [{ kind: 'country', op: 'in', values: ['Atlantis'] }] },
      'country',
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'chart_no_data' });
  });
});
