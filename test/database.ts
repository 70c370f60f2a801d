/**
 * Real databases for tests: PGlite booted from the migrated template, and, when MEGAPHONE_TEST_DATABASE_URL
 * is set (CI), a fresh database on the Postgres server. Database suites run once per driver.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { inject } from 'vitest';
import { type Database, type Driver, openDatabase } from '../src/db/client.ts';
import { importFile } from '../src/ingest/import.ts';

export const drivers: Driver[] = inject('postgresUrl') ? ['pglite', 'postgres'] : ['pglite'];

export interface TestDatabase extends Database {
  /** Closes the connection and, on a server, drops the database. */
  dispose(): Promise<void>;
}

/**
 * An empty store. With `migrationsFolder` (a test of a migration), migrated with that folder's migrations only:
 * on PGlite it then starts from initdb (~5 s) instead of the template.
 */
export async function createTestDatabase(
  driver: Driver,
  options: { migrationsFolder?: string } = {},
): Promise<TestDatabase> {
  const { migrationsFolder } = options;
  if (driver === 'pglite' && migrationsFolder) {
    const database = await openDatabase({ migrationsFolder });
    return Object.assign(database, { dispose: () => database.close() });
  }
  if (driver === 'pglite') {
    const template = await readFile(inject('pgliteTemplate'));
    const database = await openDatabase({ loadDataDir: new Blob([template]) });
    return Object.assign(database, { dispose: () => database.close() });
  }
  const adminUrl = inject('postgresUrl');
  const name = `megaphone_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), migrationsFolder });
  return Object.assign(database, {
    async dispose() {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    },
  });
}

/** The small Online Retail fixture: 3 customers, 7 purchase lines, every kind of bad line (9 rejected). */
export const RETAIL_FIXTURE = fileURLToPath(
  new URL('../src/ingest/fixtures/retail-small.csv', import.meta.url),
);

/** A test database with the small Online Retail fixture imported. */
export async function createFixtureDatabase(driver: Driver): Promise<TestDatabase> {
  const database = await createTestDatabase(driver);
  await importFile(database, RETAIL_FIXTURE);
  return database;
}

/** A test database with a generated CSV (written to a temporary file, removed on dispose) imported. */
export async function createCsvDatabase(
  driver: Driver,
  csv: string,
  name = 'shop.csv',
): Promise<TestDatabase> {
  const dir = await mkdtemp(join(tmpdir(), 'megaphone-csv-'));
  const path = join(dir, name);
  await writeFile(path, csv);
  const database = await createTestDatabase(driver);
  try {
    await importFile(database, path);
  } catch (error) {
    await database.dispose();
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return database;
}
