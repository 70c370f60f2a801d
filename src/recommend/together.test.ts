import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCsvDatabase, createTestDatabase, drivers, type TestDatabase } from '../../test/database.ts';
import { basketsCsv } from './fixture.ts';
import { boughtTogether, togetherQuery } from './together.ts';

/** The same counts, written another way: distinct pairs of order and product, joined to themselves. */
const togetherHandSql = sql`
  with pairs as (select distinct invoice, product_id from events where kind in ('purchase', 'anonymous'))
  select (select count(distinct invoice) from pairs)::int as orders,
    (select count(*) from pairs where product_id = '90001')::int as with_holder,
    (select count(*) from pairs t join pairs h on h.invoice = t.invoice and h.product_id = '90001'
      where t.product_id = '90002')::int as tea,
    (select count(*) from pairs where product_id = '90002')::int as tea_all`;

describe('the statement for what is bought together', () => {
  it('binds the products named, the window and the imports as parameters', () => {
    const q = new PgDialect().sqlToQuery(
      togetherQuery({
        product: { nameContains: "mug'); drop table events; --" },
        start: '2011-01-01T00:00:00.000000Z',
        stop: '2011-03-31T23:59:59.999999Z',
        batches: '{1,2}',
        limit: 5,
      }),
    );
    expect(q.sql).not.toMatch(/drop table/i);
    expect(q.sql).toMatch(/"products"\."name" ilike \$\d/);
    expect(q.sql).toMatch(/e\.occurred_at >= \$\d+::timestamptz/);
    expect(q.sql).toMatch(/e\.batch_id = any\(\$\d+::int\[\]\)/);
    expect(q.params).toEqual(
      expect.arrayContaining([
        "%mug'); drop table events; --%",
        '2011-01-01T00:00:00.000000Z',
        '2011-03-31T23:59:59.999999Z',
        '{1,2}',
        5,
      ]),
    );
  });

  it('leaves out sales to customers not on file when an audience is given', () => {
    const dialect = new PgDialect();
    const scope = { product: { productId: 'A1' }, stop: '2011-03-31T00:00:00Z', batches: '{1}', limit: 10 };
    expect(dialect.sqlToQuery(togetherQuery(scope)).sql).toMatch(/e\.kind in \('purchase', 'anonymous'\)/);
    const q = dialect.sqlToQuery(togetherQuery({ ...scope, buyers: sql`e.customer_id in (${'c1'})` }));
    expect(q.sql).toMatch(/e\.kind = 'purchase' and e\.customer_id in \(\$\d+\)/);
    expect(q.params).toContain('c1');
  });

  it('reads all time without a lower bound', () => {
    const q = new PgDialect().sqlToQuery(
      togetherQuery({
        product: { productId: 'A1' },
        stop: '2011-03-31T00:00:00Z',
        batches: '{1}',
        limit: 10,
      }),
    );
    expect(q.sql).not.toMatch(/occurred_at >=/);
    expect(q.params).toContain('A1');
  });
});

describe.each(drivers)('what is bought together on %s', (driver) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createCsvDatabase(driver, basketsCsv(), 'baskets.csv');
  });
  afterAll(async () => {
    await db.dispose();
  });

  it('counts orders, not lines, lists partners above their usual share, best first', async () => {
    const r = await boughtTogether(db, { product: { productId: '90001' } });
    // 78 invoices: the cancellation is not an order; the order with no customer is one.
    expect(r.orders).toBe(78);
    expect(r.withGoods).toBe(37);
    expect(r.onlyProduct).toEqual({ id: '90001', name: 'GLASS CANDLE HOLDER' });
    expect(r.asOf).toBe('2011-03-10');
    // 90002 is listed twice in one order and still counts once there. 90003 is in every order (no more with
    // 90001 than without), 90006 is in fewer of them than usual, and 90005 shares only 2 orders.
    expect(r.rows).toEqual([
      {
        productId: '90002',
        name: 'TEA LIGHTS PACK OF 24',
        category: 'Candles & Lights',
        together: 31,
        orders: 31,
      },
      {
        productId: '90004',
        name: 'CANDLE WICK TRIMMER',
        category: 'Candles & Lights',
        together: 5,
        orders: 10,
      },
    ]);
  });

  it('matches the same numbers counted by hand in SQL', async () => {
    const [hand] = await db.rows<{ orders: number; with_holder: number; tea: number; tea_all: number }>(
      togetherHandSql,
    );
    const r = await boughtTogether(db, { product: { productId: '90001' } });
    expect({
      orders: r.orders,
      with_holder: r.withGoods,
      tea: r.rows[0]?.together,
      tea_all: r.rows[0]?.orders,
    }).toEqual(hand);
  });

  it('takes the orders of a period only, and the products named by words', async () => {
    const january = await boughtTogether(db, {
      product: { nameContains: 'candle holder' },
      period: { calendar: 'month', month: 1 },
    });
    expect(january.period).toBe('Jan 2011');
    expect(january.orders).toBe(73);
    expect(january.withGoods).toBe(33);
    expect(january.rows.map((r) => r.productId)).toEqual(['90002', '90004']);
    // February's 4 orders all hold 90001, 90006 and 90003: nothing is more common with it than without.
    const february = await boughtTogether(db, {
      product: { productId: '90001' },
      period: { calendar: 'month', month: 2 },
    });
    expect(february).toMatchObject({ orders: 4, withGoods: 4, rows: [] });
  });

  it("counts only an audience's purchases when one is given", async () => {
    const germany = await boughtTogether(db, {
      product: { productId: '90001' },
      where: { conditions: [{ kind: 'country', op: 'in', values: ['Germany'] }] },
    });
    expect(germany).toMatchObject({ orders: 15, withGoods: 10, audience: 'for Germany' });
    // The trimmer is in half of Germany's holder orders but in two thirds of all its orders: not listed.
    expect(germany.rows).toEqual([
      {
        productId: '90002',
        name: 'TEA LIGHTS PACK OF 24',
        category: 'Candles & Lights',
        together: 10,
        orders: 10,
      },
    ]);
    const nobody = await boughtTogether(db, {
      product: { productId: '90001' },
      where: { conditions: [{ kind: 'country', op: 'in', values: ['France'] }] },
    });
    expect(nobody).toMatchObject({ orders: 0, withGoods: 0, rows: [] });
  });

  it('keeps to the number asked for, and refuses an impossible one', async () => {
    const one = await boughtTogether(db, { product: { productId: '90001' }, limit: 1 });
    expect(one.rows.map((r) => r.productId)).toEqual(['90002']);
    // The holder, the tea lights and the trimmer: 42 orders, and what else is in them is no more common there.
    const candles = await boughtTogether(db, { product: { categoryContains: 'Candles' } });
    expect(candles).toMatchObject({ orders: 78, withGoods: 42, rows: [] });
    expect(candles.onlyProduct).toBeUndefined();
    await expect(boughtTogether(db, { product: { productId: '90001' }, limit: 26 })).rejects.toMatchObject({
      code: 'together_limit',
    });
  });
});

describe.each(drivers)('what is bought together in an empty store on %s', (driver) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(driver);
  });
  afterAll(async () => {
    await db.dispose();
  });

  it('finds no orders rather than failing', async () => {
    expect(await boughtTogether(db, { product: { productId: '90001' } })).toEqual({
      orders: 0,
      withGoods: 0,
      rows: [],
      asOf: null,
    });
  });
});
