import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, drivers, type TestDatabase } from '../../../test/database.ts';
import { createSlackStore } from './store.ts';

for (const driver of drivers) {
  describe(driver, () => {
    let database: TestDatabase;

    beforeAll(async () => {
      database = await createTestDatabase(driver);
    });

    afterAll(async () => {
      await database?.dispose();
    });

    it('claims an event id once, across store instances (processes)', async () => {
      const a = createSlackStore(database);
      const b = createSlackStore(database);
      const claims = await Promise.all([a.claimEvent('Ev1'), b.claimEvent('Ev1'), a.claimEvent('Ev1')]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await b.claimEvent('Ev2')).toBe(true);
    });

    it('purges event ids older than a day, keeping recent ones', async () => {
      const store = createSlackStore(database);
      await store.claimEvent('EvOld');
      await database.rows(
        sql`update slack_events set received_at = now() - interval '2 days' where event_id = 'EvOld'`,
      );
      await store.claimEvent('EvNew');
      await store.purge();
      expect(await store.claimEvent('EvOld')).toBe(true);
      expect(await store.claimEvent('EvNew')).toBe(false);
    });

    it('remembers the threads Megaphone answers in', async () => {
      const store = createSlackStore(database);
      expect(await store.isMegaphoneThread('C1', '1.000100')).toBe(false);
      await store.rememberThread('C1', '1.000100');
      await store.rememberThread('C1', '1.000100');
      expect(await store.isMegaphoneThread('C1', '1.000100')).toBe(true);
      expect(await store.isMegaphoneThread('C2', '1.000100')).toBe(false);
    });
  });
}
