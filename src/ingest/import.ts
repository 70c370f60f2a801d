/**
 * Streams a CSV file (plain or gzip, any BOM, CRLF or LF) into the feature store. Every data line ends up
 * either as an event or in the quarantine (`rejected_rows`) with its line number, raw text and reason, so
 * `read = imported + rejected` always holds. Features are refreshed in SQL at the end.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Worker } from 'node:worker_threads';
import { and, eq, sql } from 'drizzle-orm';
import { events, importBatches, rejectedRows as rejectedRowsTable } from '../../db/schema.ts';
import { UserError } from '../core/errors.ts';
import type { BulkCopy, Database } from '../db/client.ts';
import { categorize } from './categorize.ts';
import { EVENT_COLUMNS } from './event-rows.ts';
import { refreshFeatures } from './features.ts';
import { detectFormat, type EventKind, FORMATS, type Format, type FormatName } from './formats.ts';
import {
  type CatalogueRows,
  contentHash,
  type ParsedChunk,
  type ParseJob,
  parseFile,
  readHeader,
} from './parse-file.ts';
import type { ImporterMessage, WorkerMessage } from './parse-worker.ts';
import { parserWorkerUrl } from './parser-bundle.ts';

export interface ImportOptions {
  format?: FormatName | undefined;
  /** Instant features are computed at; default: the latest event in the data. */
  asOf?: Date | undefined;
  /** Called as bytes of the (compressed) file are read. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Skip the feature refresh (when importing several files, refresh once at the end). */
  skipFeatures?: boolean;
}

export interface ImportSummary {
  batchId: number;
  source: string;
  format: FormatName;
  /** Set when the same content was imported before: nothing was changed. */
  duplicateOf?: { batchId: number; finishedAt: Date | null };
  read: number;
  imported: number;
  rejected: number;
  byKind: Partial<Record<EventKind, number>>;
  /** A few rejections to show; all of them are in the quarantine. */
  rejections: { lineNo: number; reason: string }[];
  customersWithFeatures?: number;
  asOf?: Date;
  durationMs: number;
  /** Where the time went, in ms: parse, load and catalogue; features and rollups; the events index after. */
  phases?: { loadMs: number; featuresMs: number; indexMs: number };
}

function headerProblem(path: string, header: string[], format: Format): string | null {
  const present = new Set(header.map((h) => h.trim().toLowerCase()));
  const missing = format.columns.filter((c) => !format.optional.includes(c) && !present.has(c.toLowerCase()));
  if (missing.length === 0) return null;
  const other = detectFormat(header);
  return (
    `${basename(path)} line 1: not an ${format.name} file; missing column${missing.length > 1 ? 's' : ''} ` +
    `${missing.join(', ')} (found: ${showHeader(header)}).` +
    (other && other.name !== format.name
      ? ` It looks like the ${other.name} layout: try --format ${other.name}.`
      : '')
  );
}

/**
 * A header as a message shows it: a binary or wrong file's "header" can be thousands of unreadable characters.
 */
function showHeader(header: string[]): string {
  const text = header.join(', ').replace(/[^\P{C}\t]|\uFFFD/gu, '?');
  if (!text.trim()) return 'nothing';
  return text.length > 120 ? `${text.slice(0, 117)}... (${header.length} fields; is this a CSV file?)` : text;
}

/**
 * Imports one file. Throws a `UserError` for a file that cannot be read as the format at all (missing file,
 * wrong header); individual bad lines go to the quarantine instead.
 *
 * @example
 * const summary = await importFile(database, 'orders.csv.gz');
 * summary.read === summary.imported + summary.rejected; // always
 */
export async function importFile(
  database: Database,
  path: string,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const started = performance.now();
  // PGlite runs the database on this thread, so a worker thread parses beside it. A server loads in its own
  // process while this thread parses the next chunk: with a worker there, the import of the Online Retail file
  // took ~25% longer (3.1 s against 2.5 s, 4 interleaved runs each): its start, its code compiled afresh for
  // every import and the hand-over of each chunk cost more than the thread saved.
  const parser = database.driver === 'pglite' ? startParser() : inProcessParser();
  try {
    return await importWith(database, path, options, parser, started);
  } finally {
    parser.stop();
  }
}

async function importWith(
  database: Database,
  path: string,
  options: ImportOptions,
  parser: Parser,
  started: number,
): Promise<ImportSummary> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) {
    const what = !info
      ? 'no such file'
      : info.isDirectory()
        ? 'it is a folder, not a file'
        : 'not a regular file';
    throw new UserError(
      'import_missing_file',
      `Cannot read ${path}: ${what}. Give the path of a CSV or .csv.gz file.`,
    );
  }
  const size = info.size;
  const source = basename(path);
  const hash = await contentHash(path);

  const [previous] = await database.db
    .select({ id: importBatches.id, finishedAt: importBatches.finishedAt, format: importBatches.format })
    .from(importBatches)
    .where(and(eq(importBatches.contentHash, hash), eq(importBatches.status, 'done')))
    .limit(1);
  if (previous) {
    return {
      batchId: previous.id,
      source,
      format: previous.format as FormatName,
      duplicateOf: { batchId: previous.id, finishedAt: previous.finishedAt },
      read: 0,
      imported: 0,
      rejected: 0,
      byKind: {},
      rejections: [],
      durationMs: performance.now() - started,
    };
  }

  const head = await readHeader(path).catch((cause: NodeJS.ErrnoException) => {
    if (cause.code === 'Z_DATA_ERROR') {
      throw new UserError('import_bad_gzip', `${source} is not a valid gzip file: ${cause.message}`, {
        cause,
      });
    }
    throw new UserError('import_unreadable', `Cannot read ${source}: ${cause.message}`, { cause });
  });
  if (!head)
    throw new UserError('import_empty', `${source} is empty: expected a header line and data lines.`);
  if ('error' in head) throw new UserError('import_bad_header', `${source} line 1: ${head.error}`);
  const { header, lineNo: headerLine, delimiter } = head;
  const format = options.format ? FORMATS[options.format] : detectFormat(header);
  if (!format) {
    throw new UserError(
      'import_unknown_layout',
      `${source} line ${headerLine}: unknown layout (header: ${showHeader(header)}). ` +
        `Expected online-retail (${FORMATS['online-retail'].columns.join(',')}) or events (${FORMATS.events.columns.join(',')}).`,
    );
  }
  const problem = headerProblem(source, header, format);
  if (problem) throw new UserError('import_bad_header', problem);

  const [batch] = await database.db
    .insert(importBatches)
    .values({ source, format: format.name, contentHash: hash })
    .returning({ id: importBatches.id });
  const batchId = batch!.id;
  const summary: ImportSummary = {
    batchId,
    source,
    format: format.name,
    read: 0,
    imported: 0,
    rejected: 0,
    byKind: {},
    rejections: [],
    durationMs: 0,
  };

  const dropped = await prepareEvents(database);
  // Indexes are left out only of a load into an empty store.
  const intoEmpty = dropped !== 'none';
  let indexBuild: Promise<void> | undefined;
  const buildIndexes = () => (indexBuild ??= createEventIndexes(database));
  const background: Promise<unknown>[] = [];
  const mark = { at: performance.now() };
  const lap = () => {
    const now = performance.now();
    const ms = now - mark.at;
    mark.at = now;
    return Math.round(ms);
  };
  const phases = { loadMs: 0, featuresMs: 0, indexMs: 0 };
  let latestAt: string | null = null;
  // The new pages' BRIN summaries (which the rollup refresh would otherwise make at its end): the BRIN index
  // is built now when it was left out of the load, and a build covers every page.
  const summarise = () => {
    if (dropped === 'all') return;
    const summarised = database.rows(
      dropped === 'brin' ? BRIN_INDEX : sql`select brin_summarize_new_values('events_occurred_brin')`,
    );
    summarised.catch(() => {});
    background.push(summarised);
  };
  try {
    try {
      latestAt = await loadFile(
        database,
        parser,
        { path, format: format.name, header, delimiter, batchId },
        summary,
        {
          size,
          onProgress: options.onProgress,
          intoEmpty,
        },
      );
      // The feature refresh does not read events through the index, so it need not wait for it. Awaited below.
      if (dropped === 'all') buildIndexes().catch(() => {});
      // So are the new pages' BRIN summaries, once the features' groupings are done (see onLinesGrouped),
      // or now when there are no features to compute.
      if (options.skipFeatures) summarise();
      await database.db
        .update(importBatches)
        .set({
          status: 'done',
          rowsRead: summary.read,
          rowsImported: summary.imported,
          rowsRejected: summary.rejected,
          finishedAt: new Date(),
        })
        .where(eq(importBatches.id, batchId));
      phases.loadMs = lap();
    } catch (error) {
      await discardBatch(database, batchId, rootMessage(error));
      if ((error as NodeJS.ErrnoException).code === 'Z_DATA_ERROR') {
        throw new UserError(
          'import_bad_gzip',
          `${source} is not a valid gzip file: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
      throw error;
    }
    if (!options.skipFeatures) {
      // Into an empty store the latest event is this file's latest line, which the parser saw: no scan.
      const refreshed = await refreshFeatures(database, options.asOf, {
        latestEventAt: intoEmpty && latestAt ? new Date(latestAt) : undefined,
        onLinesGrouped: summarise,
      }).catch(async (error: unknown) => {
        // The features are as they were (their refresh is one transaction): take the load back too, so the
        // store stays consistent and importing the file again is not taken for a duplicate of a half import.
        await discardBatch(database, batchId, `feature refresh failed: ${rootMessage(error)}`);
        throw error;
      });
      summary.customersWithFeatures = refreshed.customers;
      summary.asOf = refreshed.asOf;
      phases.featuresMs = lap();
    }
  } finally {
    await Promise.allSettled(background);
    // Whatever happened, the indexes left out of the load are there again.
    if (dropped !== 'none') await buildIndexes();
  }
  phases.indexMs = lap();
  summary.phases = phases;
  // Lines with an unbalanced quote are set aside before the rest of their batch: show them in file order.
  summary.rejections.sort((a, b) => a.lineNo - b.lineNo);
  summary.durationMs = performance.now() - started;
  return summary;
}

const REJECTED_COLUMNS = ['batch_id', 'line_no', 'raw', 'reason'] as const;

/**
 * Parses the file and loads its events, rejections and catalogue, adding up the accounting in `summary`.
 * Nothing of it is kept unless all of it loads (on PGlite the caller removes events of a failed load).
 */
async function loadFile(
  database: Database,
  parser: Parser,
  job: Omit<ParseJob, 'copyRows'>,
  summary: ImportSummary,
  progress: { size: number; onProgress: ImportOptions['onProgress']; intoEmpty: boolean },
): Promise<string | null> {
  const copyRows = database.driver === 'pglite' ? 100_000 : 25_000;
  // One COPY for all the events on a server: 22 COPYs of 25k rows took ~1.8 s against ~1.3 s for one
  // (each waits for the previous to finish). Rejections, if any, go through a second one alongside.
  // Into an empty store on a server the events are loaded frozen: the feature refresh then reads them without
  // visibility checks (see CopyOptions.freezeIfEmpty).
  const eventsCopy = await database.openCopy('events', EVENT_COLUMNS, {
    format: 'binary',
    freezeIfEmpty: progress.intoEmpty,
  });
  let rejectedCopy: Promise<BulkCopy> | undefined;
  try {
    const catalogue = await parser.run({ ...job, copyRows }, async (chunk) => {
      if (chunk.events.byteLength > 0) await eventsCopy.write(chunk.events);
      if (chunk.rejected) {
        rejectedCopy ??= database.openCopy('rejected_rows', REJECTED_COLUMNS);
        await (await rejectedCopy).write(chunk.rejected);
      }
      summary.read += chunk.read;
      summary.imported += chunk.imported;
      summary.rejected += chunk.rejectedCount;
      for (const [kind, n] of Object.entries(chunk.byKind) as [EventKind, number][]) {
        summary.byKind[kind] = (summary.byKind[kind] ?? 0) + n;
      }
      for (const r of chunk.rejections) if (summary.rejections.length < 20) summary.rejections.push(r);
      progress.onProgress?.(chunk.bytesRead, progress.size);
    });
    const loaded = (async () => {
      await eventsCopy.end();
      if (rejectedCopy) await (await rejectedCopy).end();
    })();
    loaded.catch(() => {});
    // The catalogue goes in while a server is still taking the last rows, in a transaction that commits
    // only once they are all in.
    await database.db.transaction(async (tx) => {
      await upsertCatalogue(tx, catalogue);
      await loaded;
    });
    return catalogue.latestAt;
  } catch (error) {
    const reason = error instanceof Error ? error : new Error(String(error));
    await eventsCopy.abort(reason);
    if (rejectedCopy) await (await rejectedCopy.catch(() => undefined))?.abort(reason);
    throw error;
  }
}
/** Where the file is parsed: on this thread, or in a worker started before its job is known (startParser). */
interface Parser {
  /** Parses the file of `job`, handing each chunk to `load`; resolves with the catalogue. */
  run(job: ParseJob, load: (chunk: ParsedChunk) => Promise<void>): Promise<CatalogueRows>;
  /** Stops the worker, if any, whether it ran or not. */
  stop(): void;
}

/** Parses on this thread, between the writes of the COPY. */
function inProcessParser(): Parser {
  return { run: (job, load) => parseFile(job, load), stop() {} };
}

/**
 * Starts the parser's worker thread. Starting it takes ~100 ms (plus ~30 ms to bundle its code, the first time
 * in a process), which overlaps the checks before the load (content hash, header, batch). Chunks are loaded
 * as they arrive: parsing the next chunk overlaps with PGlite loading this one on this thread.
 */
function startParser(): Parser {
  let stopped = false;
  const started = parserWorkerUrl().then((url) => {
    // A larger young generation: with the default, parsing a big file spent more time in scavenges than in
    // parsing (rows of a chunk live until their COPY and were copied from space to space).
    const worker = new Worker(url, { resourceLimits: { maxYoungGenerationSizeMb: 96 } });
    if (stopped) void worker.terminate();
    // Until run() listens, a failure to start is kept for it.
    worker.on('error', keep);
    return worker;
  });
  let early: unknown;
  const keep = (error: unknown) => {
    early ??= error;
  };
  started.catch(() => {});
  return {
    stop: () => {
      stopped = true;
      started.then((worker) => worker.terminate()).catch(() => {});
    },
    run: async (job, load) => {
      const worker = await started;
      return new Promise((resolve, reject) => {
        let queue = Promise.resolve();
        let failed = false;
        const fail = (error: unknown) => {
          if (failed) return;
          failed = true;
          void worker.terminate();
          reject(error);
        };
        if (early) return fail(early);
        worker.off('error', keep);
        worker.on('message', (message: WorkerMessage) => {
          if (message.type === 'chunk') {
            queue = queue.then(async () => {
              if (failed) return;
              await load(message.chunk);
              worker.postMessage({ type: 'credit' } satisfies ImporterMessage);
            });
            queue.catch(fail);
          } else if (message.type === 'done') {
            queue.then(() => {
              void worker.terminate();
              resolve(message.catalogue);
            }, fail);
          } else {
            fail(Object.assign(new Error(message.message), { code: message.code }));
          }
        });
        worker.on('error', fail);
        worker.on('exit', (code) => {
          if (code !== 0) fail(new Error(`the import worker stopped with exit code ${code}`));
        });
        worker.postMessage({ type: 'job', job } satisfies ImporterMessage);
      });
    },
  };
}

/**
 * One statement per table: the whole catalogue travels as one JSON parameter and is unpacked with
 * json_to_recordset (thousands of multi-row inserts' worth of round trips and bind parameters otherwise). As
 * json, not jsonb: read once, it need not be converted first (Online Retail's 4,070 products: 11-13 ms
 * against 24-50 ms), and the load waits for it.
 */
async function upsertCatalogue(tx: Pick<Database['db'], 'execute'>, collected: CatalogueRows): Promise<void> {
  if (collected.products.length > 0) {
    const rows = collected.products.map(([id, p]) => ({
      id,
      name: p.name ?? id,
      category: categorize(p.name ?? ''),
      unit_price: p.price,
      first_seen_at: p.firstAt,
    }));
    // A later file usually carries the current name and price; keep the old ones when it has none.
    await tx.execute(sql`
      insert into products (id, name, category, unit_price, first_seen_at)
      select id, name, category, unit_price, first_seen_at
      from json_to_recordset(${JSON.stringify(rows)}::json)
        as x(id text, name text, category text, unit_price numeric, first_seen_at timestamptz)
      on conflict (id) do update set
        name = case when excluded.name = excluded.id then products.name else excluded.name end,
        category = case when excluded.name = excluded.id then products.category else excluded.category end,
        unit_price = coalesce(excluded.unit_price, products.unit_price),
        first_seen_at = least(products.first_seen_at, excluded.first_seen_at)`);
  }
  if (collected.customers.length > 0) {
    const rows = collected.customers.map(([id, c]) => ({ id, country: c.country, first_seen_at: c.firstAt }));
    await tx.execute(sql`
      insert into customers (id, country, first_seen_at)
      select id, country, first_seen_at
      from json_to_recordset(${JSON.stringify(rows)}::json) as x(id text, country text, first_seen_at timestamptz)
      on conflict (id) do update set
        country = coalesce(excluded.country, customers.country),
        first_seen_at = least(customers.first_seen_at, excluded.first_seen_at)`);
  }
}

const BRIN_INDEX = sql`create index if not exists events_occurred_brin on events using brin (occurred_at)`;

/** The secondary indexes of `events`, as the migrations define them (db/schema.ts). */
const EVENT_INDEXES = [
  sql`create index if not exists events_customer on events using btree (customer_id) where customer_id is not null`,
  BRIN_INDEX,
];

async function createEventIndexes(database: Database): Promise<void> {
  await database.db.transaction(async (tx) => {
    for (const statement of EVENT_INDEXES) await tx.execute(statement);
  });
}

/**
 * Which secondary indexes of `events` the load goes without: none unless `events` is empty. Whatever happens
 * next, the importer builds them again (and an import after a crash rebuilds any that are missing).
 * - PGlite drops both: maintaining them row by row made the COPY of the Online Retail file ~25% slower than
 *   one build of each at the end.
 * - A server keeps the btree. Its COPY runs in its own process, beside the parse on this thread, and keeps up
 *   while maintaining it. Built after the load it takes less CPU in all, but the build left cores idle
 *   wherever it went (beside the groupings, before them, or in the refresh's tail waiting on its lock):
 *   2.45-2.71 s against 2.29-2.55 s kept, and 2.51 s against 2.35 s an earlier time (interleaved runs).
 * - A server drops the BRIN index, though. Every row a COPY adds looks up its page range in the index even
 *   when that range is not summarised yet, and the new ranges were then summarised by reading every page
 *   again. One build after the load reads them once: the Online Retail import took 4.2 s of CPU instead of
 *   4.7 s, and 2.37 s instead of 2.64 s (medians of 5 interleaved runs, faster in each pair).
 */
async function prepareEvents(database: Database): Promise<'none' | 'brin' | 'all'> {
  await createEventIndexes(database);
  const [row] = await database.rows<{ empty: boolean }>(
    sql`select not exists (select 1 from events) as empty`,
  );
  if (!row?.empty) return 'none';
  if (database.driver === 'postgres') {
    await database.rows(sql`drop index if exists events_occurred_brin`);
    return 'brin';
  }
  await database.rows(sql`drop index if exists events_customer, events_occurred_brin`);
  return 'all';
}

/**
 * Removes what batches left `running` by a crash wrote. Totals never include them anyway (they count only
 * batches marked done); this frees the space. Recent batches may belong to an import still running elsewhere.
 */
export async function cleanInterruptedImports(database: Database): Promise<number> {
  const stale = await database.db
    .select({ id: importBatches.id })
    .from(importBatches)
    .where(
      and(eq(importBatches.status, 'running'), sql`${importBatches.startedAt} < now() - interval '1 hour'`),
    );
  for (const { id } of stale) await discardBatch(database, id, 'interrupted');
  return stale.length;
}

/** The message of the error at the bottom of a chain of causes (drizzle wraps the database's in its query). */
function rootMessage(error: unknown): string {
  let e = error;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}

/** Leaves nothing half-imported: the batch's events and rejections go, the failed batch stays on record. */
async function discardBatch(database: Database, batchId: number, reason: string): Promise<void> {
  await database.db.delete(events).where(eq(events.batchId, batchId));
  await database.db.delete(rejectedRowsTable).where(eq(rejectedRowsTable.batchId, batchId));
  await database.db
    .update(importBatches)
    .set({ status: 'failed', error: reason, finishedAt: new Date() })
    .where(eq(importBatches.id, batchId));
}
