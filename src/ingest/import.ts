/**
 * Streams a CSV file (plain or gzip, any BOM, CRLF or LF) into the feature store. Every data line ends up
 * either as an event or in the quarantine (`rejected_rows`) with its line number, raw text and reason, so
 * `read = imported + rejected` always holds. Features are refreshed in SQL at the end.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { and, eq, sql } from 'drizzle-orm';
import Papa from 'papaparse';
import {
  customers,
  events,
  importBatches,
  products,
  rejectedRows as rejectedRowsTable,
} from '../../db/schema.ts';
import { UserError } from '../core/errors.ts';
import type { Database } from '../db/client.ts';
import { categorize } from './categorize.ts';
import { refreshFeatures } from './features.ts';
import {
  detectFormat,
  type EventKind,
  FORMATS,
  type Format,
  type FormatName,
  type ParsedEvent,
} from './formats.ts';

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
}

const CHUNK_RECORDS = 5_000;
const COPY_ROWS = 50_000;
const MAX_RECORD_LINES = 50;

const EVENT_COLUMNS = [
  'batch_id',
  'line_no',
  'kind',
  'invoice',
  'customer_id',
  'product_id',
  'quantity',
  'unit_price',
  'occurred_at',
  'country',
] as const;

/** CSV field for COPY: unquoted empty means NULL, so every non-null text is quoted when it needs to be. */
function field(value: string | number | null): string {
  if (value === null) return '';
  const s = String(value);
  if (s === '' || /[",\n\r]/.test(s) || s.includes('\\')) return `"${s.replaceAll('"', '""')}"`;
  return s;
}

// Postgres text cannot hold NUL; the quarantine keeps the rest of the line readable.
function sanitiseRaw(raw: string): string {
  return raw.replaceAll('\u0000', '\uFFFD');
}

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

async function openText(path: string, onBytes?: (n: number) => void): Promise<Readable> {
  const gzip = await isGzip(path);
  const raw = createReadStream(path, { highWaterMark: 256 * 1024 });
  if (onBytes) raw.on('data', (chunk) => onBytes(chunk.length));
  if (!gzip) return raw;
  const gunzip = createGunzip();
  raw.on('error', (e) => gunzip.destroy(e));
  return raw.pipe(gunzip);
}

async function contentHash(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of await openText(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface RawRecord {
  lineNo: number;
  text: string;
  /** Physical lines this record spans (a quoted field may hold line breaks). */
  lines: number;
}

/**
 * Groups physical lines into CSV records: a record continues while it has an odd number of quotes, so a
 * stray quote damages only its own lines instead of swallowing the rest of the file.
 */
async function* records(input: Readable): AsyncGenerator<RawRecord | { broken: RawRecord[] }> {
  const reader = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  let pending: RawRecord[] = [];
  let quotes = 0;
  for await (let line of reader) {
    lineNo++;
    if (lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    const count = countQuotes(line);
    if (pending.length === 0) {
      if (count % 2 === 0) {
        yield { lineNo, text: line, lines: 1 };
        continue;
      }
      pending = [{ lineNo, text: line, lines: 1 }];
      quotes = count;
      continue;
    }
    pending.push({ lineNo, text: line, lines: 1 });
    quotes += count;
    if (quotes % 2 === 0) {
      yield {
        lineNo: pending[0]!.lineNo,
        text: pending.map((p) => p.text).join('\n'),
        lines: pending.length,
      };
      pending = [];
    } else if (pending.length >= MAX_RECORD_LINES) {
      yield { broken: pending };
      pending = [];
    }
  }
  if (pending.length > 0) yield { broken: pending };
}

function countQuotes(line: string): number {
  let n = 0;
  for (let i = line.indexOf('"'); i !== -1; i = line.indexOf('"', i + 1)) n++;
  return n;
}

function parseChunk(chunk: RawRecord[]): (string[] | Error)[] {
  const whole = Papa.parse<string[]>(chunk.map((r) => r.text).join('\n'), { delimiter: ',', newline: '\n' });
  if (whole.errors.length === 0 && whole.data.length === chunk.length) return whole.data;
  // Find the bad records one by one; the good ones around them still import.
  return chunk.map((r) => {
    const one = Papa.parse<string[]>(r.text, { delimiter: ',', newline: '\n' });
    const error = one.errors[0];
    if (error) return new Error(error.message);
    if (one.data.length !== 1) return new Error('a record must be one line (or quoted line breaks)');
    return one.data[0]!;
  });
}

function headerProblem(path: string, header: string[], format: Format): string | null {
  const present = new Set(header.map((h) => h.trim().toLowerCase()));
  const missing = format.columns.filter((c) => !format.optional.includes(c) && !present.has(c.toLowerCase()));
  if (missing.length === 0) return null;
  const other = detectFormat(header);
  return (
    `${basename(path)} line 1: not a ${format.name} file; missing column${missing.length > 1 ? 's' : ''} ` +
    `${missing.join(', ')} (found: ${header.join(', ') || 'nothing'}).` +
    (other && other.name !== format.name
      ? ` It looks like the ${other.name} layout: try --format ${other.name}.`
      : '')
  );
}

interface Collected {
  products: Map<string, { name: string | null; at: string; price: string | null; firstAt: string }>;
  customers: Map<string, { country: string | null; at: string; firstAt: string }>;
}

function collect(into: Collected, e: ParsedEvent): void {
  const p = into.products.get(e.productId);
  const sale =
    (e.kind === 'purchase' || e.kind === 'anonymous') && e.unitPrice !== null && Number(e.unitPrice) > 0;
  if (!p) {
    into.products.set(e.productId, {
      name: e.productName,
      at: e.occurredAt,
      price: sale ? e.unitPrice : null,
      firstAt: e.occurredAt,
    });
  } else {
    if (e.occurredAt >= p.at && e.productName) {
      p.name = e.productName;
      p.at = e.occurredAt;
    } else if (!p.name && e.productName) p.name = e.productName;
    if (sale && e.occurredAt >= p.at) p.price = e.unitPrice;
    else if (sale && p.price === null) p.price = e.unitPrice;
    if (e.occurredAt < p.firstAt) p.firstAt = e.occurredAt;
  }
  if (e.customerId) {
    const c = into.customers.get(e.customerId);
    if (!c) into.customers.set(e.customerId, { country: e.country, at: e.occurredAt, firstAt: e.occurredAt });
    else {
      if (e.occurredAt >= c.at && e.country) {
        c.country = e.country;
        c.at = e.occurredAt;
      }
      if (e.occurredAt < c.firstAt) c.firstAt = e.occurredAt;
    }
  }
}

/**
 * Imports one file. Throws a `UserError` for a file that cannot be read as the format at all (missing file,
 * wrong header); individual bad lines go to the quarantine instead.
 */
export async function importFile(
  database: Database,
  path: string,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const started = performance.now();
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a file');
    size = info.size;
  } catch {
    throw new UserError(
      'import_missing_file',
      `Cannot read ${path}: no such file. Give the path of a CSV or .csv.gz file.`,
    );
  }
  const hash = await contentHash(path).catch((cause: Error) => {
    throw new UserError(
      'import_unreadable',
      `Cannot read ${path}: ${cause.message}. Is it a CSV file (or gzip of one)?`,
      {
        cause,
      },
    );
  });
  const source = basename(path);

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

  let bytes = 0;
  const input = await openText(path, (n) => {
    bytes += n;
    options.onProgress?.(bytes, size);
  });

  const it = records(input);
  // The header is the first non-blank record.
  let header: string[] | null = null;
  let firstLineNo = 0;
  // Read by hand: a for-await with break would close the generator and lose the rest of the file.
  for (let next = await it.next(); !next.done; next = await it.next()) {
    const rec = next.value;
    if ('broken' in rec)
      throw new UserError('import_bad_header', `${source} line 1: the header has an unbalanced quote.`);
    if (rec.text.trim() === '') continue;
    const parsed = parseChunk([rec])[0];
    if (parsed instanceof Error)
      throw new UserError('import_bad_header', `${source} line ${rec.lineNo}: ${parsed.message}`);
    header = parsed!.map((h) => h.trim());
    firstLineNo = rec.lineNo;
    break;
  }
  if (!header)
    throw new UserError('import_empty', `${source} is empty: expected a header line and data lines.`);
  const format = options.format ? FORMATS[options.format] : detectFormat(header);
  if (!format) {
    throw new UserError(
      'import_unknown_layout',
      `${source} line ${firstLineNo}: unknown layout (header: ${header.join(', ')}). ` +
        `Expected online-retail (${FORMATS['online-retail'].columns.join(',')}) or events (${FORMATS.events.columns.join(',')}).`,
    );
  }
  const problem = headerProblem(source, header, format);
  if (problem) throw new UserError('import_bad_header', problem);
  const index = new Map(header.map((h, i) => [h.toLowerCase(), i] as const));
  const positions = format.columns.map((c) => index.get(c.toLowerCase()));

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
  const collected: Collected = { products: new Map(), customers: new Map() };
  let eventRows: string[] = [];
  let rejectedRows: string[] = [];

  const flush = async (force: boolean) => {
    if (eventRows.length >= COPY_ROWS || (force && eventRows.length > 0)) {
      const rows = eventRows;
      eventRows = [];
      await database.copyCsv('events', EVENT_COLUMNS, `${rows.join('\n')}\n`);
    }
    if (rejectedRows.length >= COPY_ROWS || (force && rejectedRows.length > 0)) {
      const rows = rejectedRows;
      rejectedRows = [];
      await database.copyCsv(
        'rejected_rows',
        ['batch_id', 'line_no', 'raw', 'reason'],
        `${rows.join('\n')}\n`,
      );
    }
  };
  const quarantine = (lineNo: number, raw: string, reason: string) => {
    summary.read++;
    summary.rejected++;
    if (summary.rejections.length < 20) summary.rejections.push({ lineNo, reason });
    rejectedRows.push([batchId, lineNo, field(sanitiseRaw(raw)), field(reason)].join(','));
  };

  const processChunk = async (chunk: RawRecord[]) => {
    const parsed = parseChunk(chunk);
    for (let i = 0; i < chunk.length; i++) {
      const rec = chunk[i]!;
      const fields = parsed[i]!;
      if (fields instanceof Error) {
        quarantine(rec.lineNo, rec.text, `CSV syntax error: ${fields.message.replace(/ at line \d+/, '')}`);
        continue;
      }
      if (fields.length !== header!.length) {
        quarantine(rec.lineNo, rec.text, `expected ${header!.length} fields, found ${fields.length}`);
        continue;
      }
      const named: Record<string, string> = {};
      format.columns.forEach((c, j) => {
        const pos = positions[j];
        named[c] = pos === undefined ? '' : fields[pos]!;
      });
      const result = format.interpret(named);
      if (!result.ok) {
        quarantine(rec.lineNo, rec.text, result.reason);
        continue;
      }
      const e = result.event;
      summary.read++;
      summary.imported++;
      summary.byKind[e.kind] = (summary.byKind[e.kind] ?? 0) + 1;
      collect(collected, e);
      eventRows.push(
        [
          batchId,
          rec.lineNo,
          e.kind,
          field(e.invoice),
          field(e.customerId),
          field(e.productId),
          e.quantity,
          field(e.unitPrice),
          e.occurredAt,
          field(e.country),
        ].join(','),
      );
    }
    await flush(false);
  };

  try {
    let chunk: RawRecord[] = [];
    for await (const rec of it) {
      if ('broken' in rec) {
        if (chunk.length) await processChunk(chunk);
        chunk = [];
        const start = rec.broken[0]!.lineNo;
        for (const line of rec.broken) {
          quarantine(
            line.lineNo,
            line.text,
            `unbalanced quote: the quoted field opened on line ${start} is never closed`,
          );
        }
        continue;
      }
      if (rec.text.trim() === '') continue;
      chunk.push(rec);
      if (chunk.length >= CHUNK_RECORDS) {
        await processChunk(chunk);
        chunk = [];
      }
    }
    if (chunk.length) await processChunk(chunk);
    await flush(true);
    await upsertCatalogue(database, collected);
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
  } catch (error) {
    // Leave nothing half-imported: the batch's events and rejections go, the failed batch stays on record.
    await database.db.delete(events).where(eq(events.batchId, batchId));
    await database.db.delete(rejectedRowsTable).where(eq(rejectedRowsTable.batchId, batchId));
    await database.db
      .update(importBatches)
      .set({ status: 'failed', error: String((error as Error).message ?? error), finishedAt: new Date() })
      .where(eq(importBatches.id, batchId));
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
    const refreshed = await refreshFeatures(database, options.asOf);
    summary.customersWithFeatures = refreshed.customers;
    summary.asOf = refreshed.asOf;
  }
  summary.durationMs = performance.now() - started;
  return summary;
}

async function upsertCatalogue(database: Database, collected: Collected): Promise<void> {
  const productRows = [...collected.products].map(([id, p]) => ({
    id,
    name: p.name ?? id,
    category: categorize(p.name ?? ''),
    unitPrice: p.price,
    firstSeenAt: new Date(p.firstAt),
  }));
  for (let i = 0; i < productRows.length; i += 1000) {
    await database.db
      .insert(products)
      .values(productRows.slice(i, i + 1000))
      .onConflictDoUpdate({
        target: products.id,
        set: {
          // A later file usually carries the current name and price; keep the old ones when it has none.
          name: sql`case when excluded.name = excluded.id then ${products.name} else excluded.name end`,
          category: sql`case when excluded.name = excluded.id then ${products.category} else excluded.category end`,
          unitPrice: sql`coalesce(excluded.unit_price, ${products.unitPrice})`,
          firstSeenAt: sql`least(${products.firstSeenAt}, excluded.first_seen_at)`,
        },
      });
  }
  const customerRows = [...collected.customers].map(([id, c]) => ({
    id,
    country: c.country,
    firstSeenAt: new Date(c.firstAt),
  }));
  for (let i = 0; i < customerRows.length; i += 1000) {
    await database.db
      .insert(customers)
      .values(customerRows.slice(i, i + 1000))
      .onConflictDoUpdate({
        target: customers.id,
        set: {
          country: sql`coalesce(excluded.country, ${customers.country})`,
          firstSeenAt: sql`least(${customers.firstSeenAt}, excluded.first_seen_at)`,
        },
      });
  }
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
  for (const { id } of stale) {
    await database.db.delete(events).where(eq(events.batchId, id));
    await database.db.delete(rejectedRowsTable).where(eq(rejectedRowsTable.batchId, id));
    await database.db
      .update(importBatches)
      .set({ status: 'failed', error: 'interrupted', finishedAt: new Date() })
      .where(eq(importBatches.id, id));
  }
  return stale.length;
}
