import { PgDialect } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCsvDatabase, drivers, type TestDatabase } from '../../test/database.ts';
import { basketsCsv } from './fixture.ts';
import { pairsQuery, topPairs } from './pairs.ts';

describe('the statement for the pairs bought together most', () => {
  it('binds the window, the imports and the number asked for', () => {
    const q = new PgDialect().sqlToQuery(
      pairsQuery({ start: '2011-01-01T00:00:00Z', stop: '2011-03-31T00:00:00Z', batches: '{3}', limit: 4 }),
    );
    expect(q.params).toEqual(
      expect.arrayContaining(['2011-01-01T00:00:00Z', '2011-03-31T00:00:00Z', '{3}', 4]),
    );
    expect(q.sql).toMatch(/x\.product_id < y\.product_id/);
  });
});

describe.each(drivers)('the pairs bought together most on %s', (driver) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createCsvDatabase(driver, basketsCsv(), 'baskets.csv');
  });
  afterAll(async () => {
    await db.dispose();
  });

  it('ranks pairs by the share of orders holding both beyond chance, leaving out what is in every order', async () => {
    const r = await topPairs(db);
    expect(r.orders).toBe(78);
    // Leverage: holder + tea lights 31/78 - (37/78)(31/78) = 0.209; mug + plate 0.114; tea lights + trimmer 0.013;
    // holder + trimmer 0.003. The bag is in every order; the holder and the mug are together less than chance.
    expect(r.pairs.map((p) => [p.a.id, p.b.id, p.together, p.a.orders, p.b.orders])).toEqual([
      ['90001', '90002', 31, 37, 31],
      ['90006', '90007', 21, 45, 21],
      ['90002', '90004', 5, 31, 10],
      ['90001', '90004', 5, 37, 10],
    ]);
    expect(r.pairs[0]?.a.name).toBe('GLASS CANDLE HOLDER');
  });

  it('keeps to a period, an audience and the number asked for', async () => {
    const february = await topPairs(db, { period: { calendar: 'month', month: 2 } });
    // Every February order holds the same three products: no pair is more common than chance.
    expect(february).toMatchObject({ orders: 4, pairs: [], period: 'Feb 2011' });
    const germany = await topPairs(db, {
      where: { conditions: [{ kind: 'country', op: 'in', values: ['Germany'] }] },
      limit: 1,
    });
    expect(germany.orders).toBe(15);
    expect(germany.pairs.map((p) => [p.a.id, p.b.id, p.together])).toEqual([['90001', '90002', 10]]);
    await expect(topPairs(db, { limit: 0 })).rejects.toMatchObject({ code: 'together_limit' });
  });
});
