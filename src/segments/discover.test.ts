import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, drivers, RETAIL_FIXTURE, type TestDatabase } from '../../test/database.ts';
import { UserError } from '../core/errors.ts';
import { loadDemo } from '../ingest/demo.ts';
import { importFile } from '../ingest/import.ts';
import { segmentDefinition } from './definition.ts';
import { describeSegment } from './describe.ts';
import { type Discovery, discoverSegments } from './discover.ts';
import { segmentMemberIds } from './service.ts';

describe.each(drivers)('discoverSegments on %s', (driver) => {
  describe('on the demo shop', () => {
    let db: TestDatabase;
    let four: Discovery;
    beforeAll(async () => {
      db = await createTestDatabase(driver);
      await loadDemo(db, { seed: 42 });
      four = await discoverSegments(db, { k: 4 });
    });
    afterAll(async () => {
      await db.dispose();
    });

    it('splits every customer into the 4 groups asked for, largest first', () => {
      expect(four.chosenBy).toBe('given');
      expect(four.k).toBe(4);
      expect(four.silhouetteByK).toBeUndefined();
      expect(four.customers).toBeGreaterThan(1000);
      expect(four.clusters).toHaveLength(4);
      expect(four.clusters.reduce((sum, c) => sum + c.size, 0)).toBe(four.customers);
      expect(four.clusters.map((c) => c.index)).toEqual([0, 1, 2, 3]);
      const sizes = four.clusters.map((c) => c.size);
      expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
      expect(four.clusters.reduce((sum, c) => sum + c.share, 0)).toBeCloseTo(1, 3);
      // Well-separated groups, not an arbitrary cut: a silhouette near 0 would mean no structure.
      expect(four.silhouette).toBeGreaterThan(0.25);
    });

    it('gives the same answer for the same seed', async () => {
      expect(await discoverSegments(db, { k: 4 })).toEqual(four);
    });

    it('labels every group in distinct plain words that match its centre', () => {
      const labels = four.clusters.map((c) => c.label);
      expect(new Set(labels).size).toBe(4);
      for (const label of labels) {
        expect(label).toMatch(/^(Low|Mid|High|Very high) spend · (one-time|occasional|frequent) · /);
      }
      const biggestSpender = four.clusters.reduce((a, b) => (b.centre.spend > a.centre.spend ? b : a));
      const smallestSpender = four.clusters.reduce((a, b) => (b.centre.spend < a.centre.spend ? b : a));
      expect(biggestSpender.label).toMatch(/^(High|Very high) spend/);
      expect(smallestSpender.label).toMatch(/^Low spend/);
    });

    it('describes each group by a valid definition that selects mostly that group', async () => {
      for (const c of four.clusters) {
        expect(segmentDefinition.parse(c.definition)).toEqual(c.definition);
        expect(c.definition.conditions.length).toBeGreaterThanOrEqual(1);
        expect(c.definition.conditions.length).toBeLessThanOrEqual(3);
        expect(describeSegment(c.definition)).not.toBe('all customers');
        expect(c.definitionMatches).toBe((await segmentMemberIds(db, c.definition)).length);
        expect(c.definitionMatches).toBeGreaterThan(0);
        // Jaccard can't exceed the ratio of the smaller set to the larger one.
        expect(c.agreement).toBeLessThanOrEqual(
          Math.min(c.size, c.definitionMatches) / Math.max(c.size, c.definitionMatches) + 1e-9,
        );
        // The demo shop gives 0.75..0.97; 0.6 still means the definition is recognisably this group.
        expect(c.agreement).toBeGreaterThan(0.6);
      }
      const mean = four.clusters.reduce((sum, c) => sum + c.agreement, 0) / four.clusters.length;
      expect(mean).toBeGreaterThan(0.75);
    });

    it('chooses k by the best silhouette over 2..8 when not given', async () => {
      const chosen = await discoverSegments(db);
      expect(chosen.chosenBy).toBe('silhouette');
      expect(chosen.k).toBeGreaterThanOrEqual(2);
      expect(chosen.k).toBeLessThanOrEqual(8);
      expect(chosen.clusters).toHaveLength(chosen.k);
      const byK = chosen.silhouetteByK ?? {};
      expect(Object.keys(byK).map(Number)).toEqual([2, 3, 4, 5, 6, 7, 8]);
      expect(chosen.silhouette).toBe(Math.max(...Object.values(byK)));
      expect(byK[chosen.k]).toBe(chosen.silhouette);
    });

    it('refuses a number of groups outside 2..12', async () => {
      for (const k of [1, 20, 2.5]) {
        const error = await discoverSegments(db, { k }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UserError);
        expect((error as UserError).code).toBe('discover_bad_k');
        expect((error as UserError).message).toMatch(/between 2 and 12/);
      }
      await expect(discoverSegments(db, { kRange: [6, 3] })).rejects.toThrow(
        /range of groups to try is empty/,
      );
    });
  });

  it('refuses to group an empty store, or a handful of customers', async () => {
    const db = await createTestDatabase(driver);
    try {
      const empty = await discoverSegments(db).catch((e: unknown) => e);
      expect(empty).toBeInstanceOf(UserError);
      expect((empty as UserError).code).toBe('discover_not_enough_data');
      expect((empty as UserError).message).toMatch(/no customers have purchases/);

      await importFile(db, RETAIL_FIXTURE);
      const few = await discoverSegments(db, { k: 2 }).catch((e: unknown) => e);
      expect(few).toBeInstanceOf(UserError);
      expect((few as UserError).code).toBe('discover_not_enough_data');
      expect((few as UserError).message).toMatch(
        /only 3 customers have purchases, and at least 10 are needed/,
      );

      // Enough customers, but too few different ones for the groups asked for.
      await db.rows(sql`
        insert into customer_features (customer_id, spend, orders, recency_days, tenure_days, avg_order_value,
          distinct_products, returns, lifecycle, as_of)
        select 'twin-' || g, 20, 1, 5, 5, 20, 1, 0, 'new', now() from generate_series(1, 12) g`);
      await expect(discoverSegments(db, { k: 5 })).rejects.toThrow(/only 4 different purchase profiles/);
      expect((await discoverSegments(db, { k: 4 })).clusters.map((c) => c.size)).toEqual([12, 1, 1, 1]);
    } finally {
      await db.dispose();
    }
  });
});
