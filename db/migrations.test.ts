import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, MIGRATIONS_FOLDER } from '../src/db/client.ts';
import { storeStats } from '../src/ingest/stats.ts';
import { createTestDatabase, drivers } from '../test/database.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'megaphone-migrations-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A copy of the migrations folder holding only those before `tag`. */
async function migrationsBefore(tag: string): Promise<string> {
  const folder = join(dir, tag);
  await cp(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(await readFile(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag === tag);
  expect(at).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, at);
  await writeFile(journalPath, JSON.stringify(journal));
  return folder;
}

describe.each(drivers)('migrations on %s', (driver) => {
  it('0015 turns the events prices into exact ten-thousandths and keeps every row, index and collation', async () => {
    const database = await createTestDatabase(driver, {
      migrationsFolder: await migrationsBefore('0015_events_price_e4'),
    });
    try {
      const [batch] = await database.rows<{ id: number }>(sql`
        insert into import_batches (source, format, content_hash, status)
        values ('old.csv', 'online-retail', 'old', 'done') returning id`);
      await database.rows(sql`
        insert into events (batch_id, line_no, kind, invoice, customer_id, product_id, quantity, unit_price,
          occurred_at, country)
        values
          (${batch!.id}, 2, 'purchase', '536365', '17850', '85123A', 6, 2.55, '2010-12-01T08:26:00Z', 'United Kingdom'),
          (${batch!.id}, 3, 'purchase', '536365', '17850', '71053', 2, 9999999999.9999, '2010-12-01T08:26:00Z', 'United Kingdom'),
          (${batch!.id}, 4, 'adjustment', 'A1', null, 'B', 1, -0.0001, '2010-12-02T08:26:00Z', null),
          (${batch!.id}, 5, 'view', null, '17850', 'sku', 1, null, '2010-12-03T08:26:00Z', null)`);

      await applyMigrations(database);

      const rows = await database.rows<{ line: number; price: string | null; customer: string | null }>(sql`
        select line_no as line, unit_price_e4::text as price, customer_id as customer from events order by 1`);
      expect(rows).toEqual([
        { line: 2, price: '25500', customer: '17850' },
        { line: 3, price: '99999999999999', customer: '17850' },
        { line: 4, price: '-1', customer: null },
        { line: 5, price: null, customer: '17850' },
      ]);
      const [layout] = await database.rows<{ collation: string; columns: string; indexes: string }>(sql`
        select
          (select collation_name from information_schema.columns
            where table_name = 'events' and column_name = 'customer_id') as collation,
          (select string_agg(attname, ',' order by attnum) from pg_attribute
            where attrelid = 'events'::regclass and attnum > 0) as columns,
          (select string_agg(indexname, ',' order by indexname) from pg_indexes where tablename = 'events') as indexes`);
      // No dropped column left behind (it would put a null in every row).
      expect(layout).toEqual({
        collation: 'C',
        columns:
          'batch_id,line_no,kind,invoice,customer_id,product_id,quantity,unit_price_e4,occurred_at,country',
        indexes: 'events_customer,events_occurred_brin',
      });
      const stats = await storeStats(database);
      expect(stats.revenue).toBe(20_000_000_015.3);
    } finally {
      await database.dispose();
    }
  });
});
