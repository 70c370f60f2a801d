/**
 * Builds one migrated PGlite template per test run (initdb costs seconds; loading the dump is fast), and
 * checks the Postgres server the database tests also run against, when one is configured.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../src/config.ts';
import { MIGRATIONS_FOLDER } from '../src/db/client.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresUrl: string;
  }
}

let dir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  const config = loadConfig();
  dir = await mkdtemp(join(tmpdir(), 'megaphone-test-'));
  const pg = new PGlite({ extensions: { vector } });
  await migrate(drizzle({ client: pg }), { migrationsFolder: MIGRATIONS_FOLDER });
  const dump = await pg.dumpDataDir('none');
  await pg.close();
  const path = join(dir, 'template.tar');
  await writeFile(path, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteTemplate', path);

  const url = config.testDatabaseUrl ?? '';
  if (url) {
    const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
    try {
      await sql`select 1`;
    } catch (error) {
      throw new Error(
        `MEGAPHONE_TEST_DATABASE_URL is set but the server does not answer: ${(error as Error).message}`,
      );
    } finally {
      await sql.end({ timeout: 1 });
    }
  }
  project.provide('postgresUrl', url);
}

export async function teardown(): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}
