import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCsvDatabase,
  createFixtureDatabase,
  createTestDatabase,
  drivers,
  type TestDatabase,
} from '../../test/database.ts';
import { THANKSGIVING_WEEK } from '../../test/named-days.ts';
import { memberIdsQuery } from './compile.ts';
import { MAX_LISTED, type SegmentDefinition, segmentDefinition } from './definition.ts';
import { describeSegment } from './describe.ts';
import { compareSegments, exportSegmentCsv, previewSegment, segmentMemberIds } from './service.ts';

const lapsedGermans: SegmentDefinition = {
  conditions: [
    { kind: 'country', op: 'in', values: ['Germany'] },
    { kind: 'metric', metric: 'spend', op: 'gt', value: 1000 },
    { kind: 'metric', metric: 'recency_days', op: 'gt', value: 90 },
  ],
};

describe('segment SQL (generated)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('pglite');
  });
  afterAll(async () => {
    await db.dispose();
  });

  it('binds every value as a parameter and takes columns from the allow-list', () => {
    const q = memberIdsQuery(db.db, lapsedGermans).toSQL();
    expect(q.sql).toBe(
      'select "customer_id" from "customer_features" where (lower("customer_features"."country") in ($1) and ' +
        '"customer_features"."spend" > $2 and "customer_features"."recency_days" > $3) order by "customer_features"."customer_id" asc',
    );
    expect(q.params).toEqual(['germany', 1000, 90]);
  });

  it("compares a metric with every customer's average in a subquery, no value bound", () => {
    const q = memberIdsQuery(db.db, {
      conditions: [{ kind: 'average', metric: 'avg_order_value', op: 'below' }],
    }).toSQL();
    expect(q.sql).toBe(
      'select "customer_id" from "customer_features" where "customer_features"."avg_order_value" < ' +
        '(select avg("customer_features"."avg_order_value") from "customer_features") order by "customer_features"."customer_id" asc',
    );
    expect(q.params).toEqual([]);
  });

  it('keeps hostile text inside parameters, and LIKE wildcards literal', () => {
    const q = memberIdsQuery(db.db, {
      conditions: [
        { kind: 'country', op: 'not_in', values: ["Germany'); drop table customers; --"] },
        { kind: 'bought', product: { nameContains: '100%_off\\' }, negate: false },
      ],
    }).toSQL();
    expect(q.sql).not.toMatch(/drop table/i);
    expect(q.sql).toMatch(/"products"\."name" ilike \$\d/);
    expect(q.params).toContain("germany'); drop table customers; --");
    expect(q.params).toContain('%100\\%\\_off\\\\%');
  });

  it("compiles a calendar period to a window over the features' as-of instant, any product without a join", () => {
    const q = memberIdsQuery(db.db, {
      conditions: [{ kind: 'bought', period: { calendar: 'month', month: 3, year: 2011 }, negate: true }],
    }).toSQL();
    expect(q.sql).not.toMatch(/"products"/);
    expect(q.sql).toMatch(
      /not exists \(select 1 from "events" where .*"events"\."occurred_at" >= \(+make_timestamp\(\$\d+::int, \$\d+::int, 1, 0, 0, 0\)\)+ at time zone 'UTC'\)/,
    );
    expect(q.params).toEqual(expect.arrayContaining([2011, 3]));
  });

  it('compiles a total to one grouping of the matching lines, its value a parameter', () => {
    const q = memberIdsQuery(db.db, {
      conditions: [
        {
          kind: 'bought',
          product: { nameContains: 'candle' },
          period: { unit: 'month', offset: 0 },
          total: { measure: 'spend', op: 'gt', value: 500 },
          negate: false,
        },
      ],
    }).toSQL();
    expect(q.sql).toMatch(
      /where "customer_features"\."customer_id" in \(select "events"\."customer_id" from "events" inner join "products" .* group by "events"\."customer_id" having coalesce\(sum\("events"\."quantity" \* "events"\."unit_price_e4"\), 0\) \* 0\.0001 > \$\d+\)/,
    );
    // The window is the as-of instant every customer shares, not a correlation per customer.
    expect(q.sql).toContain(
      `date_trunc('month', ((select max("customer_features"."as_of") from "customer_features")`,
    );
    expect(q.params).toContain(500);
    expect(q.params).toContain('%candle%');
  });

  it('orders a top-N list ranked over a window by its total, only among those who bought then', () => {
    const q = memberIdsQuery(db.db, {
      conditions: [],
      top: { metric: 'orders', direction: 'desc', limit: 10, withinDays: 30 },
    }).toSQL();
    expect(q.sql).toMatch(
      /^select "customer_id" from "customer_features" where exists \(select 1 from "events"/,
    );
    expect(q.sql).toMatch(
      /order by \(select count\(distinct "events"\."invoice"\) from "events" where .*\) desc, "customer_features"\."customer_id" asc limit \$\d+$/,
    );
    expect(q.params.filter((p) => p === 30)).toHaveLength(2);
  });

  it('compiles a list of customers to one bound parameter per id, and describes it by its label', () => {
    const listed: SegmentDefinition = {
      conditions: [
        {
          kind: 'customers',
          ids: ['12347', "x'); drop table customers; --"],
          label: 'the 2 most likely to buy candles',
        },
      ],
    };
    const q = memberIdsQuery(db.db, listed).toSQL();
    expect(q.sql).toBe(
      'select "customer_id" from "customer_features" where "customer_features"."customer_id" in ($1, $2) order by "customer_features"."customer_id" asc',
    );
    expect(q.params).toEqual(['12347', "x'); drop table customers; --"]);
    expect(describeSegment(listed)).toBe('the 2 most likely to buy candles');
  });

  it('compiles returns in a window to an exists over return lines, and describes them', () => {
    const lastMonth: SegmentDefinition = {
      conditions: [{ kind: 'returned', period: { unit: 'month', offset: 1 }, negate: false }],
    };
    const q = memberIdsQuery(db.db, lastMonth).toSQL();
    expect(q.sql).toMatch(
      /exists \(select 1 from "events" where \("events"\."customer_id" = "customer_features"\."customer_id" and "events"\."kind" = \$1/,
    );
    expect(q.params[0]).toBe('return');
    expect(describeSegment(lastMonth)).toBe('returned something last month');
    expect(
      describeSegment({
        conditions: [
          { kind: 'returned', withinDays: 90, product: { categoryContains: 'Candles' }, negate: true },
        ],
      }),
    ).toBe('no returns Candles (category) in the last 90 days');
    expect(
      segmentDefinition.safeParse({ conditions: [{ kind: 'returned', negate: false }] }).error?.issues[0]
        ?.message,
    ).toBe('give the last N days or a calendar period for the returns (one of them)');
  });

  it('refuses a list that repeats a customer, is empty or is too long', () => {
    const list = (ids: string[]) =>
      segmentDefinition.safeParse({ conditions: [{ kind: 'customers', ids, label: 'a list' }] });
    expect(list(['1', '2']).success).toBe(true);
    expect(list(['1', '1']).error?.issues[0]?.message).toBe('a customer is listed twice');
    expect(list([]).success).toBe(false);
    const tooMany = Array.from({ length: MAX_LISTED + 1 }, (_, i) => String(i));
    expect(list(tooMany).error?.issues[0]?.message).toBe(`a list holds at most ${MAX_LISTED} customers`);
  });

  it('orders and limits a top-N list with a stable tie-break', () => {
    const q = memberIdsQuery(db.db, {
      conditions: [],
      top: { metric: 'spend', direction: 'desc', limit: 50 },
    }).toSQL();
    expect(q.sql).toBe(
      'select "customer_id" from "customer_features" order by "customer_features"."spend" desc, "customer_features"."customer_id" asc limit $1',
    );
    expect(q.params).toEqual([50]);
  });

  it('describes a definition in one plain line', () => {
    expect(describeSegment(lapsedGermans)).toBe('Germany · spend > £1,000 · no purchase in the last 90 days');
    expect(
      describeSegment({
        conditions: [
          { kind: 'range', metric: 'orders', min: 3, max: 5 },
          { kind: 'country', op: 'not_in', values: ['United Kingdom'] },
          { kind: 'bought', product: { categoryContains: 'Christmas' }, withinDays: 30, negate: true },
          { kind: 'metric', metric: 'orders', op: 'eq', value: 1 },
        ],
        top: { metric: 'spend', direction: 'desc', limit: 10 },
      }),
    ).toBe(
      'top 10 by spend · orders 3–5 · outside United Kingdom · never bought Christmas (category) in the last 30 days · one-time buyers',
    );
    expect(
      describeSegment({
        conditions: [
          { kind: 'bought', period: { calendar: 'month', month: 3 }, negate: false },
          { kind: 'bought', period: { calendar: 'month', month: 1, since: true }, negate: true },
          {
            kind: 'bought',
            product: { nameContains: 'bag' },
            period: { calendar: 'month', month: 12, last: true },
            negate: false,
          },
          { kind: 'bought', period: { calendar: 'quarter', quarter: 3, year: 2025 }, negate: false },
          { kind: 'bought', period: { calendar: 'year', year: 2025 }, negate: true },
          { kind: 'bought', period: { calendar: 'year', ofYear: 'this' }, negate: true },
          { kind: 'bought', period: { calendar: 'month', month: 11, ofYear: 'last' }, negate: false },
        ],
      }),
    ).toBe(
      'bought in March · no purchase since January · bought “bag” last December · bought in Q3 2025 · no purchase in 2025 · no purchase this year · bought in November last year',
    );
  });
});

describe.each(drivers)('segment rows on %s', (driver) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createFixtureDatabase(driver);
  });
  afterAll(async () => {
    await db.dispose();
  });
  const ids = (def: SegmentDefinition) => segmentMemberIds(db, def);

  it('filters on features, countries and lifecycle', async () => {
    expect(await ids({ conditions: [] })).toEqual(['12583', '13047', '17850']);
    expect(await ids({ conditions: [{ kind: 'metric', metric: 'spend', op: 'gt', value: 50 }] })).toEqual([
      '12583',
      '13047',
    ]);
    expect(await ids({ conditions: [{ kind: 'range', metric: 'spend', min: 46.74, max: 79.58 }] })).toEqual([
      '13047',
      '17850',
    ]);
    expect(await ids({ conditions: [{ kind: 'country', op: 'in', values: ['germany', 'FRANCE'] }] })).toEqual(
      ['12583', '13047'],
    );
    expect(
      await ids({ conditions: [{ kind: 'country', op: 'not_in', values: ['United Kingdom'] }] }),
    ).toEqual(['12583', '13047']);
    expect(await ids({ conditions: [{ kind: 'lifecycle', op: 'in', values: ['at_risk'] }] })).toEqual([
      '17850',
    ]);
    expect(await ids({ conditions: [{ kind: 'metric', metric: 'returns', op: 'gte', value: 1 }] })).toEqual([
      '13047',
    ]);
    expect(await ids(lapsedGermans)).toEqual([]);
    // Against the average: spend £180.00, £79.58 and £46.74 average £102.11; orders 1, 2 and 2 average 1.67.
    expect(await ids({ conditions: [{ kind: 'average', metric: 'spend', op: 'above' }] })).toEqual(['12583']);
    expect(await ids({ conditions: [{ kind: 'average', metric: 'spend', op: 'below' }] })).toEqual([
      '13047',
      '17850',
    ]);
    expect(await ids({ conditions: [{ kind: 'average', metric: 'orders', op: 'above' }] })).toEqual([
      '13047',
      '17850',
    ]);
    // The average is everyone's, not the segment's: among the Germans and French, still only 12583 is above.
    expect(
      await ids({
        conditions: [
          { kind: 'country', op: 'in', values: ['Germany', 'France'] },
          { kind: 'average', metric: 'spend', op: 'above' },
        ],
      }),
    ).toEqual(['12583']);
    // 13047 returned a line on 3 Feb 2011 (as of 30 Jun 2011): in the window, in February, not in March.
    expect(await ids({ conditions: [{ kind: 'returned', withinDays: 365, negate: false }] })).toEqual([
      '13047',
    ]);
    expect(
      await ids({
        conditions: [{ kind: 'returned', period: { calendar: 'month', month: 2 }, negate: false }],
      }),
    ).toEqual(['13047']);
    expect(
      await ids({
        conditions: [{ kind: 'returned', period: { calendar: 'month', month: 3 }, negate: true }],
      }),
    ).toEqual(['12583', '13047', '17850']);
    expect(
      await ids({
        conditions: [
          {
            kind: 'returned',
            period: { calendar: 'month', month: 2 },
            product: { productId: '84879' },
            negate: true,
          },
        ],
      }),
    ).toEqual(['12583', '17850']);
    // The average order in a window: 17850's two orders (10 Jan £35.64, 1 Mar £11.10) average £23.37 over the
    // year; in Q1 only 17850 and 13047 (one order, £54.08) ordered.
    const aov = (op: 'gt' | 'lt', value: number): SegmentDefinition => ({
      conditions: [
        {
          kind: 'bought',
          period: { calendar: 'quarter', quarter: 1 },
          total: { measure: 'avg_order_value', op, value },
          negate: false,
        },
      ],
    });
    expect(await ids(aov('gt', 30))).toEqual(['13047']);
    expect(await ids(aov('lt', 30))).toEqual(['17850']);
    // A list, alone and narrowed by a feature; an id that is not a customer selects no one.
    const listed = { kind: 'customers' as const, ids: ['17850', '12583', 'nobody'], label: 'a list' };
    expect(await ids({ conditions: [listed] })).toEqual(['12583', '17850']);
    expect(
      await ids({ conditions: [listed, { kind: 'country', op: 'not_in', values: ['United Kingdom'] }] }),
    ).toEqual(['12583']);
  });

  it('filters on what customers bought, by name, category, product and time window', async () => {
    const bought = (product: object, extra: object = {}) =>
      ids({ conditions: [{ kind: 'bought', product, negate: false, ...extra } as never] });
    expect(await bought({ nameContains: 't-light' })).toEqual(['13047', '17850']);
    expect(await bought({ categoryContains: 'home decor' })).toEqual(['12583']);
    expect(await bought({ productId: '84879' })).toEqual(['13047']);
    // As of 2011-06-30 12:00, the last 10 days hold only 13047's t-light holder.
    expect(await bought({ nameContains: 't-light' }, { withinDays: 10 })).toEqual(['13047']);
    expect(await bought({ nameContains: 't-light' }, { negate: true })).toEqual(['12583']);
    // Wildcards in the text are literal: nothing is named with a percent sign.
    expect(await bought({ nameContains: '%' })).toEqual([]);
  });

  it('filters on the calendar period of the first purchase', async () => {
    const firstIn = (period: object) => ids({ conditions: [{ kind: 'first_purchase', period } as never] });
    // First purchases: 17850 10 Jan, 13047 1 Feb, 12583 1 Jun 2011.
    expect(await firstIn({ calendar: 'quarter', quarter: 1, year: 2011 })).toEqual(['13047', '17850']);
    expect(await firstIn({ calendar: 'month', month: 2, since: true })).toEqual(['12583', '13047']);
    expect(await firstIn({ calendar: 'month', month: 3 })).toEqual([]);
    expect(
      describeSegment({ conditions: [{ kind: 'first_purchase', period: { calendar: 'year', year: 2025 } }] }),
    ).toBe('first purchase in 2025');
    expect(
      describeSegment({
        conditions: [
          {
            kind: 'bought',
            product: { categoryContains: 'Candles' },
            period: { unit: 'month', offset: 0 },
            total: { measure: 'spend', op: 'gt', value: 100 },
            negate: false,
          },
          {
            kind: 'bought',
            period: { calendar: 'month', month: 10 },
            total: { measure: 'orders', op: 'gte', value: 3 },
            negate: true,
          },
        ],
      }),
    ).toBe('spend on Candles (category) this month > £100 · not orders in October ≥ 3');
  });

  it('filters on purchases in a calendar period, of anything or of a product', async () => {
    const inPeriod = (period: object, negate = false, product?: object) =>
      ids({ conditions: [{ kind: 'bought', ...(product ? { product } : {}), period, negate } as never] });
    // Purchases: 17850 10 Jan and 1 Mar, 13047 1 Feb and 30 Jun, 12583 1 Jun (as of 30 Jun 2011).
    expect(await inPeriod({ calendar: 'month', month: 3 })).toEqual(['17850']);
    expect(await inPeriod({ calendar: 'quarter', quarter: 1, year: 2011 })).toEqual(['13047', '17850']);
    expect(await inPeriod({ calendar: 'month', month: 6 })).toEqual(['12583', '13047']);
    // "last June" in June is June 2010: nobody; "in 2010" neither.
    expect(await inPeriod({ calendar: 'month', month: 6, last: true })).toEqual([]);
    expect(await inPeriod({ calendar: 'year', year: 2010 })).toEqual([]);
    expect(await inPeriod({ calendar: 'month', month: 3, ofYear: 'this' })).toEqual(['17850']);
    expect(await inPeriod({ calendar: 'month', month: 3, ofYear: 'last' })).toEqual([]);
    expect(await inPeriod({ calendar: 'year', ofYear: 'this' })).toEqual(['12583', '13047', '17850']);
    expect(await inPeriod({ calendar: 'year', ofYear: 'last' })).toEqual([]);
    // No purchase since April: 17850's last was 1 March.
    expect(await inPeriod({ calendar: 'month', month: 4, since: true }, true)).toEqual(['17850']);
    expect(await inPeriod({ calendar: 'year', year: 2011, since: true }, true)).toEqual([]);
    // A product in a period: 13047's t-light holder was on 30 June, 17850's in January.
    expect(await inPeriod({ calendar: 'month', month: 6 }, false, { nameContains: 't-light' })).toEqual([
      '13047',
    ]);
    expect(await inPeriod({ calendar: 'quarter', quarter: 1 }, true, { nameContains: 't-light' })).toEqual([
      '12583',
      '13047',
    ]);
  });

  it('filters on totals over purchases in a window or of a product', async () => {
    const total = (
      measure: 'spend' | 'orders',
      op: string,
      value: number,
      extra: object = {},
      negate = false,
    ) => ids({ conditions: [{ kind: 'bought', total: { measure, op, value }, negate, ...extra } as never] });
    const q1 = { period: { calendar: 'quarter', quarter: 1, year: 2011 } };
    // Q1 2011 purchases: 17850 £35.64 + £11.10 (two orders), 13047 £54.08 (its return on 3 Feb is not spend).
    expect(await total('spend', 'gt', 30, q1)).toEqual(['13047', '17850']);
    expect(await total('spend', 'gt', 50, q1)).toEqual(['13047']);
    expect(await total('spend', 'gte', 46.74, q1)).toEqual(['13047', '17850']);
    // Under £50 is among those who bought then: 12583 bought nothing in Q1.
    expect(await total('spend', 'lt', 50, q1)).toEqual(['17850']);
    expect(await total('spend', 'gt', 50, q1, true)).toEqual(['12583', '17850']);
    expect(await total('orders', 'gte', 2, q1)).toEqual(['17850']);
    expect(await total('orders', 'eq', 1, q1)).toEqual(['13047']);
    // This month (June, as of 30 June): 12583 £180, 13047 £25.50; 17850's June line is an adjustment.
    expect(await total('spend', 'gte', 25.5, { period: { unit: 'month', offset: 0 } })).toEqual([
      '12583',
      '13047',
    ]);
    expect(await total('spend', 'gt', 100, { withinDays: 30 })).toEqual(['12583']);
    // Over the whole year the totals are the features' spend and orders, to the penny.
    const year = { period: { calendar: 'year', ofYear: 'this' } };
    expect(await total('spend', 'gte', 79.58, year)).toEqual(['12583', '13047']);
    expect(await total('spend', 'gt', 79.58, year)).toEqual(['12583']);
    expect(await total('orders', 'eq', 2, year)).toEqual(['13047', '17850']);
    // On a product, against the same total written by hand.
    const product = { product: { nameContains: 't-light' } };
    const byHand = await db.rows<{ customer_id: string; spend: string }>(sql`
      select e.customer_id, sum(e.quantity * e.unit_price_e4) * 0.0001 as spend
      from events e join products p on p.id = e.product_id
      where e.kind = 'purchase' and p.name ilike '%t-light%'
      group by 1 order by 1`);
    expect(byHand.length).toBe(2);
    for (const row of byHand) {
      const spend = Number(row.spend);
      expect(await total('spend', 'gte', spend, product)).toContain(row.customer_id);
      expect(await total('spend', 'gt', spend, product)).not.toContain(row.customer_id);
    }
  });

  it('ranks a top-N list by spend or orders over a window, among those who bought then', async () => {
    const top = (metric: string, limit: number, window: object) =>
      ids({ conditions: [], top: { metric, direction: 'desc', limit, ...window } as never });
    const q1 = { period: { calendar: 'quarter' as const, quarter: 1, year: 2011 } };
    // Q1: 13047 £54.08 in one order, 17850 £46.74 in two; lifetime 12583 (£180) leads, but bought nothing then.
    expect(await top('spend', 1, q1)).toEqual(['13047']);
    expect(await top('orders', 1, q1)).toEqual(['17850']);
    expect(await top('spend', 5, q1)).toEqual(['13047', '17850']);
    // This month (June): 12583 £180, 13047 £25.50; 17850's June line is an adjustment.
    expect(await top('spend', 5, { period: { unit: 'month', offset: 0 } })).toEqual(['12583', '13047']);
    const bottom = await ids({ conditions: [], top: { metric: 'spend', direction: 'asc', limit: 1, ...q1 } });
    expect(bottom).toEqual(['17850']);
    // The preview lists what each was ranked by, the export too.
    const def: SegmentDefinition = {
      conditions: [],
      top: { metric: 'spend', direction: 'desc', limit: 5, ...q1 } as never,
    };
    const preview = await previewSegment(db, def);
    expect(preview.count).toBe(2);
    expect(preview.sample.map((m) => [m.customerId, m.ranked, m.spend])).toEqual([
      ['13047', 54.08, 79.58],
      ['17850', 46.74, 46.74],
    ]);
    const { csv } = await exportSegmentCsv(db, def);
    expect(csv.split('\r\n')[0]).toBe(
      'customer_id,country,spend,orders,recency_days,lifecycle,spend_in_window',
    );
    expect(csv).toContain('13047,Germany,79.58,2,0,active,54.08');
    expect(describeSegment(def)).toBe('top 5 by spend in Q1 2011');
  });

  it('combines AND / OR / NOT groups and top-N', async () => {
    expect(
      await ids({
        conditions: [
          {
            kind: 'or',
            conditions: [
              { kind: 'country', op: 'in', values: ['France'] },
              { kind: 'metric', metric: 'returns', op: 'gt', value: 0 },
            ],
          },
          { kind: 'not', condition: { kind: 'metric', metric: 'orders', op: 'eq', value: 1 } },
        ],
      }),
    ).toEqual(['13047']);
    expect(await ids({ conditions: [], top: { metric: 'spend', direction: 'desc', limit: 2 } })).toEqual([
      '12583',
      '13047',
    ]);
    expect(
      await ids({ conditions: [], top: { metric: 'recency_days', direction: 'asc', limit: 1 } }),
    ).toEqual(['13047']);
  });

  it('previews, compares and exports', async () => {
    const preview = await previewSegment(db, {
      conditions: [{ kind: 'metric', metric: 'orders', op: 'gte', value: 2 }],
    });
    expect(preview).toMatchObject({ count: 2, total: 3, totalSpend: 126.32, avgSpend: 63.16, avgOrders: 2 });
    expect(preview.share).toBeCloseTo(2 / 3);
    expect(preview.sample.map((m) => m.customerId)).toEqual(['13047', '17850']);
    expect(preview.asOf).toBe('2011-06-30T12:00:00.000Z');

    const comparison = await compareSegments(
      db,
      { conditions: [{ kind: 'metric', metric: 'orders', op: 'gte', value: 2 }] },
      { conditions: [{ kind: 'country', op: 'in', values: ['Germany', 'France'] }] },
    );
    expect(comparison).toEqual({ a: 2, b: 2, both: 1, onlyA: 1, onlyB: 1, jaccard: 1 / 3 });

    const { csv, rows } = await exportSegmentCsv(db, {
      conditions: [{ kind: 'country', op: 'in', values: ['Germany'] }],
    });
    expect(rows).toBe(1);
    expect(csv).toBe(
      'customer_id,country,spend,orders,recency_days,lifecycle\r\n13047,Germany,79.58,2,0,active\n',
    );
  });

  it('never lets definition text reach the database as SQL', async () => {
    const before = await db.rows<{ n: number }>(sql`select count(*)::int as n from customers`);
    expect(
      await ids({ conditions: [{ kind: 'country', op: 'in', values: ["x'); delete from customers; --"] }] }),
    ).toEqual([]);
    expect(await db.rows<{ n: number }>(sql`select count(*)::int as n from customers`)).toEqual(before);
  });
});

describe.each(drivers)('segments over named shopping days on %s', (driver) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createCsvDatabase(driver, THANKSGIVING_WEEK);
  });
  afterAll(async () => {
    await db.dispose();
  });
  const ids = (def: SegmentDefinition) => segmentMemberIds(db, def);
  const on = (period: object, extra: object = {}) =>
    ids({ conditions: [{ kind: 'bought', period, negate: false, ...extra } as never] });

  it('finds who bought on a named day, over its weekend, and ranks by what they spent then', async () => {
    expect(await on({ named: 'black_friday' })).toEqual(['20001', '20003']);
    expect(await on({ named: 'black_friday', year: 2024 })).toEqual(['20001']);
    expect(await on({ named: 'black_friday', ofYear: 'last' })).toEqual(['20001']);
    expect(await on({ named: 'black_friday_weekend' })).toEqual(['20001', '20002', '20003', '20004']);
    expect(await on({ named: 'thanksgiving' })).toEqual(['20002']);
    // Since Cyber Monday (1 Dec): 20004 that day, 20001 on 5 Dec; since Black Friday every customer bought.
    expect(await on({ named: 'cyber_monday', since: true })).toEqual(['20001', '20004']);
    expect(await on({ named: 'black_friday', since: true }, { negate: true })).toEqual([]);
    expect(await on({ named: 'black_friday' }, { total: { measure: 'spend', op: 'gt', value: 26 } })).toEqual(
      ['20001'],
    );
    expect(
      await ids({ conditions: [{ kind: 'first_purchase', period: { named: 'black_friday' } }] }),
    ).toEqual(['20003']);
    const top = await ids({
      conditions: [],
      top: { metric: 'spend', direction: 'desc', limit: 2, period: { named: 'black_friday_weekend' } },
    });
    expect(top).toEqual(['20001', '20003']);
    expect(
      describeSegment({
        conditions: [
          { kind: 'bought', period: { named: 'black_friday' }, negate: false },
          { kind: 'bought', period: { named: 'cyber_monday', year: 2025 }, negate: true },
          { kind: 'bought', period: { named: 'black_friday', since: true }, negate: true },
        ],
      }),
    ).toBe('bought on Black Friday · no purchase on Cyber Monday 2025 · no purchase since Black Friday');
  });
});
