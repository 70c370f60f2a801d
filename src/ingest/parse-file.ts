/**
 * The CPU-heavy half of an import: read (gunzip), split into records, parse CSV, validate and classify each
 * line, and turn the results into COPY-ready CSV chunks. It runs in a worker thread (see parse-worker.ts) so
 * that parsing the next chunk overlaps with the database loading the previous one.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import Papa from 'papaparse';
import { type EventKind, FORMATS, type FormatName, type ParsedEvent } from './formats.ts';

const CHUNK_RECORDS = 1_000;
/** Rows per COPY when the job does not say (see ParseJob.copyRows). */
const COPY_ROWS = 25_000;
const MAX_RECORD_LINES = 50;

export const EVENT_COLUMNS = [
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

const NEEDS_QUOTES = /[",\n\r\\]/;

/** CSV field for COPY: unquoted empty means NULL, so every non-null text is quoted when it needs to be. */
function field(value: string | number | null): string {
  if (value === null) return '';
  const s = String(value);
  if (s === '' || NEEDS_QUOTES.test(s)) return `"${s.replaceAll('"', '""')}"`;
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

export async function openText(path: string, onBytes?: (n: number) => void): Promise<Readable> {
  const gzip = await isGzip(path);
  const raw = createReadStream(path, { highWaterMark: 256 * 1024 });
  if (onBytes) raw.on('data', (chunk) => onBytes(chunk.length));
  if (!gzip) return raw;
  const gunzip = createGunzip();
  raw.on('error', (e) => gunzip.destroy(e));
  return raw.pipe(gunzip);
}

/** sha256 of the file's bytes: the same file imported twice is recognised before any work is done. */
export async function contentHash(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface RawRecord {
  lineNo: number;
  text: string;
  /** Set on a line of a quoted field that is never closed: the line where that quote opened. */
  brokenFrom?: number;
}

/**
 * Splits the text into CSV records, in batches (one promise per batch, not per line: this runs for every
 * line of a large file). A record continues over line breaks while it has an odd number of quotes, so a
 * stray quote damages only its own lines (marked `brokenFrom`) instead of swallowing the rest of the file.
 */
export async function* recordBatches(input: Readable, size = CHUNK_RECORDS): AsyncGenerator<RawRecord[]> {
  const decoder = new StringDecoder('utf8');
  let batch: RawRecord[] = [];
  let pending: RawRecord[] = [];
  let quotes = 0;
  let lineNo = 0;
  let carry = '';
  const takeLine = (raw: string) => {
    lineNo++;
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    const count = countQuotes(line);
    if (pending.length === 0) {
      if (count % 2 === 0) batch.push({ lineNo, text: line });
      else {
        pending = [{ lineNo, text: line }];
        quotes = count;
      }
      return;
    }
    pending.push({ lineNo, text: line });
    quotes += count;
    if (quotes % 2 === 0) {
      batch.push({ lineNo: pending[0]!.lineNo, text: pending.map((p) => p.text).join('\n') });
      pending = [];
    } else if (pending.length >= MAX_RECORD_LINES) flushBroken();
  };
  const flushBroken = () => {
    const from = pending[0]!.lineNo;
    for (const p of pending) batch.push({ ...p, brokenFrom: from });
    pending = [];
  };
  for await (const buf of input) {
    const text = carry + decoder.write(buf as Buffer);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      takeLine(text.slice(start, nl));
      start = nl + 1;
    }
    carry = text.slice(start);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  carry += decoder.end();
  if (carry !== '') takeLine(carry);
  if (pending.length > 0) flushBroken();
  if (batch.length > 0) yield batch;
}

function countQuotes(line: string): number {
  let n = 0;
  for (let i = line.indexOf('"'); i !== -1; i = line.indexOf('"', i + 1)) n++;
  return n;
}

const PAPA = { delimiter: ',', newline: '\n' } as const;

function parseEach(records: RawRecord[]): (string[] | Error)[] {
  return records.map((r) => {
    const one = Papa.parse<string[]>(r.text, PAPA);
    const error = one.errors[0];
    if (error) return new Error(error.message);
    if (one.data.length !== 1) return new Error('a record must be one line (or quoted line breaks)');
    return one.data[0]!;
  });
}

function parseTogether(records: RawRecord[]): (string[] | Error)[] {
  if (records.length === 0) return [];
  const whole = Papa.parse<string[]>(records.map((r) => r.text).join('\n'), PAPA);
  if (whole.errors.length === 0 && whole.data.length === records.length) return whole.data;
  // Find the bad records one by one; the good ones around them still import.
  return parseEach(records);
}

/**
 * Parses records. A record without any quote is split on commas directly: for such text that is exactly
 * what PapaParse does (its own fast path), without joining the records into one string for it to split
 * again. Records with quotes go to PapaParse, together, then one by one to find the bad ones.
 */
export function parseChunk(chunk: RawRecord[]): (string[] | Error)[] {
  const out: (string[] | Error)[] = new Array(chunk.length);
  const quoted: number[] = [];
  for (let i = 0; i < chunk.length; i++) {
    const text = chunk[i]!.text;
    if (text.includes('"')) quoted.push(i);
    else out[i] = text.split(',');
  }
  if (quoted.length > 0) {
    const parsed = parseTogether(quoted.map((i) => chunk[i]!));
    quoted.forEach((i, k) => {
      out[i] = parsed[k]!;
    });
  }
  return out;
}

/** Every record through PapaParse: the reference the direct split must agree with (see the tests). */
export function parseChunkWithPapa(chunk: RawRecord[]): (string[] | Error)[] {
  return parseEach(chunk);
}

export interface ProductSeen {
  name: string | null;
  at: string;
  price: string | null;
  firstAt: string;
}

export interface CustomerSeen {
  country: string | null;
  at: string;
  firstAt: string;
}

export interface Collected {
  products: Map<string, ProductSeen>;
  customers: Map<string, CustomerSeen>;
}

/**
 * A copy of a string that does not point into the parsed chunk: a substring kept in the catalogue maps would
 * otherwise keep its whole chunk of the file alive (V8 sliced strings), and the heap would grow with the file.
 */
function own(s: string): string;
function own(s: string | null): string | null;
function own(s: string | null): string | null {
  return s === null ? null : (JSON.parse(JSON.stringify(s)) as string);
}

function collect(into: Collected, e: ParsedEvent): void {
  const p = into.products.get(e.productId);
  const sale =
    (e.kind === 'purchase' || e.kind === 'anonymous') && e.unitPrice !== null && Number(e.unitPrice) > 0;
  if (!p) {
    into.products.set(own(e.productId), {
      name: own(e.productName),
      at: e.occurredAt,
      price: sale ? own(e.unitPrice) : null,
      firstAt: e.occurredAt,
    });
  } else {
    if (e.occurredAt >= p.at && e.productName) {
      if (p.name !== e.productName) p.name = own(e.productName);
      p.at = e.occurredAt;
    } else if (!p.name && e.productName) p.name = own(e.productName);
    if (sale && (e.occurredAt >= p.at || p.price === null) && p.price !== e.unitPrice)
      p.price = own(e.unitPrice);
    if (e.occurredAt < p.firstAt) p.firstAt = e.occurredAt;
  }
  if (e.customerId) {
    const c = into.customers.get(e.customerId);
    if (!c)
      into.customers.set(own(e.customerId), {
        country: own(e.country),
        at: e.occurredAt,
        firstAt: e.occurredAt,
      });
    else {
      if (e.occurredAt >= c.at && e.country) {
        if (c.country !== e.country) c.country = own(e.country);
        c.at = e.occurredAt;
      }
      if (e.occurredAt < c.firstAt) c.firstAt = e.occurredAt;
    }
  }
}

export interface ParseJob {
  path: string;
  format: FormatName;
  header: string[];
  batchId: number;
  /**
   * Rows per chunk. Smaller chunks overlap parsing with a server's loading better; in PGlite each COPY has a
   * fixed cost (22 COPYs of 25k rows took 1.6x one COPY of 541k rows), so larger chunks win there.
   */
  copyRows?: number;
}

/** One slice of the file, ready for COPY, with its share of the accounting. */
export interface ParsedChunk {
  /** CSV rows for `events` (EVENT_COLUMNS), or ''. */
  events: string;
  /** CSV rows for `rejected_rows` (batch_id, line_no, raw, reason), or ''. */
  rejected: string;
  bytesRead: number;
  read: number;
  imported: number;
  rejectedCount: number;
  byKind: Partial<Record<EventKind, number>>;
  rejections: { lineNo: number; reason: string }[];
}

export interface CatalogueRows {
  products: [string, ProductSeen][];
  customers: [string, CustomerSeen][];
}

/** The header: the first non-blank record, read on its own before the batch is created. */
export async function readHeader(
  path: string,
): Promise<{ header: string[]; lineNo: number } | { error: string } | null> {
  const input = await openText(path);
  try {
    for await (const batch of recordBatches(input, 1)) {
      for (const rec of batch) {
        if (rec.brokenFrom !== undefined) return { error: 'the header has an unbalanced quote' };
        if (rec.text.trim() === '') continue;
        const parsed = parseChunk([rec])[0]!;
        if (parsed instanceof Error) return { error: parsed.message };
        return { header: parsed.map((h) => h.trim()), lineNo: rec.lineNo };
      }
    }
    return null;
  } finally {
    input.destroy();
  }
}

function newChunk(): ParsedChunk {
  return {
    events: '',
    rejected: '',
    bytesRead: 0,
    read: 0,
    imported: 0,
    rejectedCount: 0,
    byKind: {},
    rejections: [],
  };
}

/**
 * Parses the whole file after its header, handing each chunk to `emit` (which may wait: that is the
 * backpressure), and returns the catalogue seen in it.
 */
export async function parseFile(
  job: ParseJob,
  emit: (chunk: ParsedChunk) => Promise<void>,
): Promise<CatalogueRows> {
  const format = FORMATS[job.format];
  const index = new Map(job.header.map((h, i) => [h.toLowerCase(), i] as const));
  const positions = format.columns.map((c) => index.get(c.toLowerCase()));
  const width = job.header.length;
  const collected: Collected = { products: new Map(), customers: new Map() };
  let bytes = 0;
  const input = await openText(job.path, (n) => {
    bytes += n;
  });
  let chunk = newChunk();
  // Rows of the current batch; after each batch they are joined into one flat string (parts), so a chunk
  // keeps a few dozen strings alive instead of 100k row strings: most of the parse time went to the
  // garbage collector copying those between generations.
  let eventRows: string[] = [];
  let rejectedRows: string[] = [];
  let eventParts: string[] = [];
  let rejectedParts: string[] = [];
  let pendingRows = 0;
  const settle = () => {
    if (eventRows.length) eventParts.push(`${eventRows.join('\n')}\n`);
    if (rejectedRows.length) rejectedParts.push(`${rejectedRows.join('\n')}\n`);
    pendingRows += eventRows.length + rejectedRows.length;
    eventRows = [];
    rejectedRows = [];
  };

  const flush = async () => {
    settle();
    chunk.events = eventParts.join('');
    chunk.rejected = rejectedParts.join('');
    chunk.bytesRead = bytes;
    const out = chunk;
    chunk = newChunk();
    eventParts = [];
    rejectedParts = [];
    pendingRows = 0;
    await emit(out);
  };
  const quarantine = (lineNo: number, raw: string, reason: string) => {
    chunk.read++;
    chunk.rejectedCount++;
    if (chunk.rejections.length < 20) chunk.rejections.push({ lineNo, reason });
    rejectedRows.push(`${job.batchId},${lineNo},${field(sanitiseRaw(raw))},${field(reason)}`);
  };
  const named: Record<string, string> = {};
  const processRecords = (recs: RawRecord[]) => {
    const parsed = parseChunk(recs);
    for (let i = 0; i < recs.length; i++) {
      const rec = recs[i]!;
      const fields = parsed[i]!;
      if (fields instanceof Error) {
        quarantine(rec.lineNo, rec.text, `CSV syntax error: ${fields.message.replace(/ at line \d+/, '')}`);
        continue;
      }
      if (fields.length !== width) {
        quarantine(rec.lineNo, rec.text, `expected ${width} fields, found ${fields.length}`);
        continue;
      }
      for (let j = 0; j < format.columns.length; j++) {
        const pos = positions[j];
        named[format.columns[j]!] = pos === undefined ? '' : fields[pos]!;
      }
      const result = format.interpret(named);
      if (!result.ok) {
        quarantine(rec.lineNo, rec.text, result.reason);
        continue;
      }
      const e = result.event;
      chunk.read++;
      chunk.imported++;
      chunk.byKind[e.kind] = (chunk.byKind[e.kind] ?? 0) + 1;
      collect(collected, e);
      eventRows.push(
        `${job.batchId},${rec.lineNo},${e.kind},${field(e.invoice)},${field(e.customerId)},${field(e.productId)},` +
          `${e.quantity},${field(e.unitPrice)},${e.occurredAt},${field(e.country)}`,
      );
    }
  };

  let seenHeader = false;
  for await (const batch of recordBatches(input)) {
    const good: RawRecord[] = [];
    for (const rec of batch) {
      if (rec.brokenFrom !== undefined) {
        if (!seenHeader) throw new Error('the header has an unbalanced quote');
        quarantine(
          rec.lineNo,
          rec.text,
          `unbalanced quote: the quoted field opened on line ${rec.brokenFrom} is never closed`,
        );
      } else if (rec.text.trim() === '') {
        // blank lines carry no data
      } else if (!seenHeader) seenHeader = true;
      else good.push(rec);
    }
    if (good.length) processRecords(good);
    settle();
    if (pendingRows >= (job.copyRows ?? COPY_ROWS)) await flush();
  }
  await flush();
  return { products: [...collected.products], customers: [...collected.customers] };
}
