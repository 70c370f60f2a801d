/**
 * One database API over two drivers: embedded PGlite (default, with pgvector) and a Postgres server through
 * postgres.js (when DATABASE_URL is set). Everything above this file is driver-agnostic.
 */

import { once } from 'node:events';
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { type SQL, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from '../../db/schema.ts';
import { MegaphoneError, UserError } from '../core/errors.ts';
import { redactUrl } from '../logger.ts';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Driver = 'pglite' | 'postgres';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../db/migrations', import.meta.url));

export interface Database {
  /** drizzle query builder over the feature store schema. */
  db: Db;
  driver: Driver;
  /** Runs a parameterised query (built with drizzle's `sql` tag) and returns its rows. */
  rows<T extends Record<string, unknown>>(query: SQL): Promise<T[]>;
  /**
   * Bulk-loads CSV (no header; text, or its UTF-8 bytes) into `table(columns)` with COPY. Names come from code,
   * never from input.
   */
  copyCsv(table: string, columns: readonly string[], csv: string | Uint8Array): Promise<void>;
  /**
   * A bulk load that arrives in pieces: CSV text, or binary COPY tuples (`options.format`). On a server it is
   * one COPY for all of them: rows become visible together at `end()`, and `abort()` leaves none. PGlite takes
   * each piece as its own COPY (its COPY reads a whole blob), so the caller still removes what an aborted
   * load left.
   */
  openCopy(table: string, columns: readonly string[], options?: CopyOptions): Promise<BulkCopy>;
  /** Whether the pgvector extension is installed in this database. */
  vectorAvailable: boolean;
  /** Where the data lives, safe to show (passwords removed). */
  location: string;
  close(): Promise<void>;
}

/**
 * The rows of a `tx.execute` result inside a transaction, whichever the driver: PGlite hands back `{ rows }`,
 * postgres.js the rows themselves (outside a transaction, `Database.rows` does this).
 *
 * @example
 * const [row] = resultRows<{ n: number }>(await tx.execute(sql`select 1 as n`));
 */
export function resultRows<T>(result: unknown): T[] {
  return ((result as { rows?: T[] }).rows ?? result) as T[];
}

export interface CopyOptions {
  /**
   * `csv` (the default): pieces are CSV rows. `binary`: pieces are tuples of PostgreSQL's binary COPY format,
   * without the stream's header and trailer, which the copy adds (see src/ingest/event-rows.ts).
   */
  format?: 'csv' | 'binary';
  /**
   * On a server, when the table is empty (checked under an exclusive lock held until `end()`): load the rows
   * already frozen (COPY FREEZE, in the transaction that truncates the empty table). Every later scan then
   * skips the per-row visibility checks and writes no hint bits: the feature refresh after a first import of
   * the Online Retail file took ~20-30% less time. Concurrent readers of the table wait until the load ends.
   * Ignored by PGlite, and when the table is not empty or cannot be truncated (a plain COPY then).
   */
  freezeIfEmpty?: boolean;
}

/** An open bulk load (see `Database.openCopy`). */
export interface BulkCopy {
  /** Whether the rows are loaded frozen (see CopyOptions.freezeIfEmpty). */
  frozen: boolean;
  /**
   * Sends rows in the copy's format (CSV without a header, as text or UTF-8 bytes; or binary tuples); resolves
   * when the database can take more.
   */
  write(rows: string | Uint8Array): Promise<void>;
  /** Finishes the load; rejects with the database's error if a row was refused. */
  end(): Promise<void>;
  /** Gives up the load. */
  abort(reason: Error): Promise<void>;
}

export interface OpenOptions {
  /** Postgres server URL; when absent PGlite is used. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; `memory://` or undefined keeps it in memory. */
  dataDir?: string | undefined;
  /** Boot PGlite from a `dumpDataDir()` tarball (tests use a migrated template). */
  loadDataDir?: Blob;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  /** Where the migrations are (default: db/migrations); tests of a migration start from an earlier set. */
  migrationsFolder?: string;
}

const IDENT = /^[a-z_][a-z0-9_]*$/;

function safeIdentifier(name: string): string {
  if (!IDENT.test(name)) throw new MegaphoneError('db_identifier', `Refusing unsafe identifier ${name}`);
  return name;
}

function copyStatement(
  table: string,
  columns: readonly string[],
  source: string,
  options: { freeze?: boolean; format?: 'csv' | 'binary' } = {},
): string {
  for (const name of [table, ...columns]) safeIdentifier(name);
  const format = options.format === 'binary' ? 'binary' : 'csv';
  return `COPY ${table} (${columns.join(', ')}) FROM ${source} WITH (FORMAT ${format}${options.freeze ? ', FREEZE' : ''})`;
}

/** The signature, flags and header extension length a binary COPY stream starts with. */
const COPY_BINARY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
/** The field count -1 that ends a binary COPY stream. */
const COPY_BINARY_TRAILER = Buffer.from([0xff, 0xff]);

/**
 * Opens the feature store and applies migrations.
 *
 * @example
 * const database = await openDatabase({ dataDir: './.megaphone' });
 * const [row] = await database.rows<{ n: number }>(sql`select count(*)::int as n from customers`);
 * await database.close();
 */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  const database = options.databaseUrl ? await openPostgres(options.databaseUrl) : await openPglite(options);
  if (options.migrate !== false) await applyMigrations(database, options.migrationsFolder);
  database.vectorAvailable = await hasVector(database);
  return database;
}

/**
 * Claims an embedded data directory for this process, or throws a `UserError` naming the process that holds it.
 * PGlite does not lock its directory: a second process (`megaphone import` while `npm start` runs) opened it too,
 * and two engines writing one directory corrupt it. The claim is a file beside the directory holding the pid;
 * a claim whose process is gone is taken over. (Not an mtime-refreshed lock such as proper-lockfile's: PGlite
 * runs queries on the event loop, and a long import would let such a lock go stale while still held.)
 */
function claimDataDir(dataDir: string): () => void {
  const path = `${resolve(dataDir)}.lock`;
  const mine = String(process.pid);
  const release = () => {
    try {
      if (readFileSync(path, 'utf8') === mine) unlinkSync(path);
    } catch {
      // already gone
    }
  };
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, mine, { flag: 'wx' });
      process.once('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
    }
    const holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
    // This process already holds it (a second handle in one process shares its engine's fate).
    if (holder === process.pid) return () => {};
    if (holder > 0 && isRunning(holder)) {
      throw new UserError(
        'db_in_use',
        `The embedded database in ${dataDir} is in use by another Megaphone process (pid ${holder}). ` +
          'Stop it first, or ask it in its chat. To use the data from several processes at once, set ' +
          'DATABASE_URL to a Postgres server.',
      );
    }
    unlinkSync(path);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function openPglite(options: OpenOptions): Promise<Database> {
  const inMemory = !options.dataDir || options.dataDir.startsWith('memory://');
  if (!inMemory && options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const release = !inMemory && options.dataDir ? claimDataDir(options.dataDir) : () => {};
  let client: PGlite;
  try {
    client = new PGlite({
      ...(inMemory ? {} : { dataDir: options.dataDir }),
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
      extensions: { vector },
    });
    await client.waitReady;
  } catch (cause) {
    release();
    // The user's setup, not a fault of Megaphone's: said plainly, without a reference id and a stack.
    throw new UserError(
      'db_open',
      `Could not open the embedded database in ${options.dataDir} (${(cause as Error).message}). ` +
        'Is another Megaphone process using it? Stop it, or point MEGAPHONE_DATA_DIR elsewhere.',
      { cause },
    );
  }
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  return {
    db,
    driver: 'pglite',
    vectorAvailable: false,
    location: inMemory ? 'embedded (in memory)' : `embedded (${options.dataDir})`,
    async rows<T>(query: SQL) {
      const result = (await db.execute(query)) as unknown as { rows: T[] };
      return result.rows;
    },
    async copyCsv(table, columns, csv) {
      await client.query(copyStatement(table, columns, "'/dev/blob'"), [], { blob: new Blob([csv]) });
    },
    async openCopy(table, columns, options = {}) {
      const statement = copyStatement(table, columns, "'/dev/blob'", options);
      // Each piece is a whole COPY here: binary tuples are framed as a stream of their own.
      const framed = (rows: string | Uint8Array) =>
        options.format === 'binary' ? [COPY_BINARY_HEADER, asBuffer(rows), COPY_BINARY_TRAILER] : [rows];
      return {
        frozen: false,
        write: async (rows) => {
          await client.query(statement, [], { blob: new Blob(framed(rows)) });
        },
        end: async () => {},
        abort: async () => {},
      };
    },
    async close() {
      try {
        await client.close();
      } finally {
        release();
      }
    },
  };
}

async function openPostgres(url: string): Promise<Database> {
  const client = postgres(url, { max: 4, onnotice: () => {}, connect_timeout: 10 });
  try {
    await client`select 1`;
  } catch (cause) {
    await client.end({ timeout: 1 }).catch(() => {});
    throw new UserError(
      'db_connect',
      `Could not connect to the Postgres server at ${redactUrl(url)}: ${(cause as Error).message}. ` +
        'Check DATABASE_URL, or unset it to use the embedded database.',
      { cause },
    );
  }
  const db = drizzlePostgres({ client, schema }) as unknown as Db;
  return {
    db,
    driver: 'postgres',
    vectorAvailable: false,
    location: `postgres (${redactUrl(url)})`,
    async rows<T>(query: SQL) {
      return (await db.execute(query)) as unknown as T[];
    },
    async copyCsv(table, columns, csv) {
      const writable = await client.unsafe(copyStatement(table, columns, 'STDIN')).writable();
      await pipeline(Readable.from([asBuffer(csv)]), writable);
    },
    async openCopy(table, columns, options = {}) {
      if (options.freezeIfEmpty) {
        const frozen = await openFrozenCopy(client, table, columns, options.format);
        if (frozen) return frozen;
      }
      const writable = await client.unsafe(copyStatement(table, columns, 'STDIN', options)).writable();
      return streamCopy(
        writable,
        { frozen: false, binary: options.format === 'binary' },
        async () => {},
        async () => {},
      );
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

/**
 * A COPY FROM STDIN fed piece by piece; `finish` and `cancel` run after the COPY ends or is given up. A binary
 * stream gets its header first and its trailer at the end.
 */
function streamCopy(
  writable: NodeJS.WritableStream,
  how: { frozen: boolean; binary: boolean },
  finish: () => Promise<void>,
  cancel: () => Promise<void>,
): BulkCopy {
  // Room for a few chunks of rows: the writer goes on with its next chunk while the server takes this one. With
  // the default 16 KiB each write waited for its chunk to reach the socket, and the import's parse for the
  // server whenever it slowed (maintaining an index, say).
  const source = new PassThrough({ highWaterMark: 8 << 20 });
  const done = pipeline(source, writable);
  // Surfaced by write() or end(); until then nobody awaits it.
  done.catch(() => {});
  if (how.binary) source.write(COPY_BINARY_HEADER);
  return {
    frozen: how.frozen,
    async write(rows) {
      if (!source.write(asBuffer(rows))) await Promise.race([once(source, 'drain'), done]);
    },
    async end() {
      source.end(how.binary ? COPY_BINARY_TRAILER : undefined);
      try {
        await done;
      } catch (error) {
        await cancel();
        throw error;
      }
      await finish();
    },
    async abort(reason) {
      // Destroying the stream sends CopyFail: the server discards every row of this COPY.
      source.destroy(reason);
      await done.catch(() => {});
      await cancel();
    },
  };
}

/**
 * COPY FREEZE into `table` if it is empty (see CopyOptions.freezeIfEmpty), on a connection of its own in a
 * transaction that commits at `end()`; null, having changed nothing, when the table is not empty or the
 * transaction cannot be set up (no TRUNCATE privilege, say).
 */
async function openFrozenCopy(
  client: postgres.Sql,
  table: string,
  columns: readonly string[],
  format: CopyOptions['format'],
): Promise<BulkCopy | null> {
  const statement = copyStatement(table, columns, 'STDIN', { freeze: true, format });
  const connection = await client.reserve();
  const close = async (end: 'commit' | 'rollback') => {
    try {
      await connection.unsafe(end);
    } finally {
      connection.release();
    }
  };
  let writable: NodeJS.WritableStream;
  try {
    await connection.unsafe('begin');
    // The lock first: a load committed between the check and the truncate would be lost.
    await connection.unsafe(`lock table ${safeIdentifier(table)} in access exclusive mode`);
    const [row] = await connection.unsafe(`select not exists (select 1 from ${table}) as empty`);
    if (!row?.empty) {
      await close('rollback');
      return null;
    }
    await connection.unsafe(`truncate ${table}`);
    writable = await connection.unsafe(statement).writable();
  } catch {
    await close('rollback').catch(() => {});
    return null;
  }
  return streamCopy(
    writable,
    { frozen: true, binary: format === 'binary' },
    () => close('commit'),
    () => close('rollback').catch(() => {}),
  );
}

/** Bytes as a Buffer over the same memory (a Uint8Array from another thread arrives without Buffer's prototype). */
function asBuffer(csv: string | Uint8Array): Buffer {
  if (typeof csv === 'string') return Buffer.from(csv, 'utf8');
  return Buffer.isBuffer(csv) ? csv : Buffer.from(csv.buffer, csv.byteOffset, csv.byteLength);
}

/**
 * Applies the migrations not applied yet, in order.
 *
 * @example
 * await applyMigrations(database); // what openDatabase does unless told not to
 */
export async function applyMigrations(
  database: Database,
  migrationsFolder = MIGRATIONS_FOLDER,
): Promise<void> {
  if (database.driver === 'pglite') {
    await migratePglite(database.db as never, { migrationsFolder });
  } else {
    await migratePostgres(database.db as never, { migrationsFolder });
  }
}

async function hasVector(database: Database): Promise<boolean> {
  const rows = await database.rows<{ ok: number }>(
    sql`select 1 as ok from pg_extension where extname = 'vector'`,
  );
  return rows.length > 0;
}

/** The message shown when vector features are needed on a server without pgvector. */
export const NO_PGVECTOR_MESSAGE =
  'This Postgres server has no pgvector extension, so content similarity cannot be stored in it. ' +
  'Remedies: install pgvector on the server (CREATE EXTENSION vector), or set PINECONE_API_KEY and PINECONE_INDEX ' +
  'to keep vectors in Pinecone.';
