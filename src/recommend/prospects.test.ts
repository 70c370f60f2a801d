import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCsvDatabase, drivers, type TestDatabase } from '../../test/database.ts';
import { CANDLES, GARDEN, tasteGroupsCsv } from './fixture.ts';
import { likelyBuyers } from './prospects.ts';

describe.each(drivers)('who is likely to buy some products, on %s', (driver) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createCsvDatabase(driver, tasteGroupsCsv());
  });
  afterAll(async () => {
    await db.dispose();
  });

  it('ranks the customers whose purchases point to the products first, with what they bought', async () => {
    const r = await likelyBuyers(db, { only: new Set(CANDLES), limit: 30 });
    expect(r.candidates).toBe(60);
    // Every candle customer bought some candles; no garden customer did.
    expect(r.alreadyBought).toBe(30);
    expect(r.rows).toHaveLength(30);
    for (const p of r.rows) {
      expect(p.customerId).toMatch(/^c\d\d$/);
      expect(CANDLES).toContain(p.itemId);
      expect(p.reason).toMatch(
        /^bought (Lavender|Vanilla|Rose) scented candle$|^bought (Candle holder glass|Tea light candle set|Candle snuffer brass)$/,
      );
      expect(p.lifecycle).not.toBe('');
      expect(p.spend).toBeGreaterThan(0);
    }
    const scores = r.rows.map((p) => p.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(r.ranked.slice(0, 30)).toEqual(r.rows.map((p) => p.customerId));
  });

  it('keeps to an audience and to the number asked for', async () => {
    const r = await likelyBuyers(db, { only: new Set(GARDEN), memberIds: ['c01', 'g01', 'g02'], limit: 1 });
    expect(r.candidates).toBe(3);
    expect(r.alreadyBought).toBe(2);
    expect(r.rows.map((p) => p.customerId)).toEqual([expect.stringMatching(/^g0[12]$/)]);
  });
});
