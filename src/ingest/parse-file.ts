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
import { EventRows } from './event-rows.ts';
import { blankEvent, type EventKind, FORMATS, type FormatName, onlineRetail } from './formats.ts';
import { RetailFastPath } from './retail-fast-path.ts';
import { Catalogue, type CatalogueRows } from './seen-catalogue.ts';

export type { CatalogueRows, CustomerSeen, ProductSeen } from './seen-catalogue.ts';

const CHUNK_RECORDS = 1_000;
/** Rows per COPY when the job does not say (see ParseJob.copyRows). */
const COPY_ROWS = 25_000;
const MAX_RECORD_LINES = 50;
const GUNZIP_CHUNK = 256 * 1024;
/**
 * Bytes decoded into one string. A string larger than V8's regular objects (128 KiB) gets pages of its own,
 * fresh from the system and returned when it dies: decoding the Online Retail file 256 KiB at a time took
 * 12,400 page faults and 310-490 ms on this machine, 32 KiB at a time (64 KiB at most as UTF-16) ~100 and
 * 9-19 ms.
 */
const DECODE_SLICE = 32 * 1024;

const NEEDS_QUOTES = /[",\n\r\\]/;

/** CSV field for COPY: unquoted empty means NULL, so every non-null text is quoted when it needs to be. */
function field(value: string | null): string {
  if (value === null) return '';
  if (value === '' || NEEDS_QUOTES.test(value)) return `"${value.replaceAll('"', '""')}"`;
  return value;
}

const DECIMAL_COMMA = /^(\s*[+-]?)(\d{1,3}(?:\.\d{3})+|\d*),(\d+)(\s*)$/;

/** A number written with a decimal comma (and dots between thousands) as Format.read takes it; else as is. */
export function decimalPoint(value: string): string {
  const m = DECIMAL_COMMA.exec(value);
  return m ? `${m[1]}${m[2]!.replaceAll('.', '')}.${m[3]}${m[4]}` : value;
}

function isBlank(text: string, start: number, end: number): boolean {
  const c = text.charCodeAt(start);
  // Printable ASCII first: no need to cut out and trim nearly every line.
  return !(start < end && c > 32 && c < 127) && text.slice(start, end).trim() === '';
}

const NUL_REASON = 'the line holds a NUL character (byte 0), which no text field can store: remove it';

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
  // Default 16 KB output chunks each cost a thread-pool round trip (thousands for a large file), and the parser
  // sat idle waiting for them; with bigger ones, gunzip inflates the next while the parser reads this one.
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK });
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

/** No quote, backslash, NUL or stray carriage return: split on commas, and no field can need quoting. */
const PLAIN = 0;
/** No quote, but a backslash, a NUL or a carriage return inside the line: the general path reads it. */
const PLAIN_CHECKED = 1;
/** Has quotes: for PapaParse. */
const QUOTED = 2;
/** A line of a quoted field that is never closed (`from` holds the line where that quote opened). */
const BROKEN = 3;

/**
 * A batch of records as parallel arrays: no object per line, this holds every line of a large file. A PLAIN
 * record is a span of the decoded text (cut out only when the general path needs it); any other record is
 * its own text.
 */
class Batch {
  readonly lineNo: number[] = [];
  readonly source: string[] = [];
  readonly start: number[] = [];
  readonly end: number[] = [];
  readonly kind: number[] = [];
  readonly from: number[] = [];

  get length(): number {
    return this.kind.length;
  }

  push(lineNo: number, source: string, start: number, end: number, kind: number, from: number): void {
    this.lineNo.push(lineNo);
    this.source.push(source);
    this.start.push(start);
    this.end.push(end);
    this.kind.push(kind);
    this.from.push(from);
  }

  text(i: number): string {
    return this.source[i]!.slice(this.start[i]!, this.end[i]!);
  }

  records(): RawRecord[] {
    return this.kind.map((kind, i) => {
      const lineNo = this.lineNo[i]!;
      const text = this.text(i);
      return kind === BROKEN ? { lineNo, text, brokenFrom: this.from[i]! } : { lineNo, text };
    });
  }
}

/**
 * Splits decoded text into CSV records. A record continues over line breaks while it has an odd number of
 * quotes, so a stray quote damages only its own lines (BROKEN) instead of swallowing the rest of the file.
 */
class RecordSplitter {
  batch = new Batch();
  private readonly decoder = new StringDecoder('utf8');
  private carry = '';
  private lineNo = 0;
  private pendingText: string[] = [];
  private pendingLineNo: number[] = [];
  private quotes = 0;

  write(buf: Buffer): void {
    for (let at = 0; at < buf.length; at += DECODE_SLICE) {
      this.readText(this.decoder.write(buf.subarray(at, at + DECODE_SLICE)));
    }
  }

  private readText(text: string): void {
    if (this.carry === '') {
      this.lines(text, 0);
      return;
    }
    const nl = text.indexOf('\n');
    if (nl === -1) {
      this.carry += text;
      return;
    }
    // The line split between reads is read on its own, the rest in the decoder's flat string: PLAIN records
    // are spans of it, and reading a flat string is faster than reading a concatenation.
    this.lines(this.carry + text.slice(0, nl + 1), 0);
    this.lines(text, nl + 1);
  }

  end(): void {
    const rest = this.carry + this.decoder.end();
    // The carry never holds a line break: the last line is ended here and read as any other.
    if (rest !== '') this.lines(`${rest}\n`, 0);
    this.carry = '';
    if (this.pendingText.length > 0) this.flushBroken();
  }

  take(): Batch {
    const batch = this.batch;
    this.batch = new Batch();
    return batch;
  }

  private lines(text: string, begin: number): void {
    const next = (ch: string, from: number) => {
      const i = text.indexOf(ch, from);
      return i === -1 ? text.length : i;
    };
    // Next quote, backslash and carriage return at or after the current line: one scan of the text for
    // each, instead of a look at every line for each.
    let quote = -1;
    let slash = -1;
    let cr = -1;
    let nul = -1;
    let start = begin;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      const lineNo = ++this.lineNo;
      let from = start;
      let end = nl;
      if (end > from && text.charCodeAt(end - 1) === 13) end--;
      if (lineNo === 1 && text.charCodeAt(from) === 0xfeff) from++;
      start = nl + 1;
      if (quote < from) quote = next('"', from);
      if (quote >= end && this.pendingText.length === 0) {
        if (slash < from) slash = next('\\', from);
        if (cr < from) cr = next('\r', from);
        if (nul < from) nul = next('\u0000', from);
        const checked = slash < end || cr < end || nul < end;
        this.batch.push(lineNo, text, from, end, checked ? PLAIN_CHECKED : PLAIN, 0);
      } else this.quotedLine(lineNo, text.slice(from, end));
    }
    this.carry = text.slice(start);
  }

  private quotedLine(lineNo: number, line: string): void {
    const count = countQuotes(line);
    if (this.pendingText.length === 0) {
      if (count % 2 === 0) this.batch.push(lineNo, line, 0, line.length, QUOTED, 0);
      else {
        this.pendingText.push(line);
        this.pendingLineNo.push(lineNo);
        this.quotes = count;
      }
      return;
    }
    this.pendingText.push(line);
    this.pendingLineNo.push(lineNo);
    this.quotes += count;
    if (this.quotes % 2 === 0) {
      const record = this.pendingText.join('\n');
      this.batch.push(this.pendingLineNo[0]!, record, 0, record.length, QUOTED, 0);
      this.pendingText = [];
      this.pendingLineNo = [];
    } else if (this.pendingText.length >= MAX_RECORD_LINES) this.flushBroken();
  }

  private flushBroken(): void {
    const from = this.pendingLineNo[0]!;
    this.pendingText.forEach((text, i) => {
      this.batch.push(this.pendingLineNo[i]!, text, 0, text.length, BROKEN, from);
    });
    this.pendingText = [];
    this.pendingLineNo = [];
  }
}

/** Batches of records, one promise per batch, not per line: this runs for every line of a large file. */
async function* batches(input: Readable, size: number): AsyncGenerator<Batch> {
  const splitter = new RecordSplitter();
  for await (const buf of input) {
    splitter.write(buf as Buffer);
    if (splitter.batch.length >= size) yield splitter.take();
  }
  splitter.end();
  if (splitter.batch.length > 0) yield splitter.take();
}

/** Splits the text into CSV records, in batches (see RecordSplitter). */
export async function* recordBatches(input: Readable, size = CHUNK_RECORDS): AsyncGenerator<RawRecord[]> {
  for await (const batch of batches(input, size)) yield batch.records();
}

function countQuotes(line: string): number {
  let n = 0;
  for (let i = line.indexOf('"'); i !== -1; i = line.indexOf('"', i + 1)) n++;
  return n;
}

/** The field separators a file may use: commas, or semicolons or tabs as spreadsheets export them. */
export type Delimiter = ',' | ';' | '\t';
const DELIMITERS: readonly Delimiter[] = [',', ';', '\t'];

const papa = (delimiter: Delimiter) => ({ delimiter, newline: '\n' }) as const;

/**
 * The separator of a header line: whichever of comma, semicolon and tab it holds most of outside quotes (a
 * spreadsheet saved as CSV in many European locales separates with semicolons). Commas when none.
 */
export function detectDelimiter(header: string): Delimiter {
  const outside = header.replace(/"[^"]*"/g, '');
  let best: Delimiter = ',';
  let most = 0;
  for (const d of DELIMITERS) {
    const n = outside.split(d).length - 1;
    if (n > most) {
      best = d;
      most = n;
    }
  }
  return best;
}

function parseEach(texts: string[], delimiter: Delimiter = ','): (string[] | Error)[] {
  return texts.map((text) => {
    const one = Papa.parse<string[]>(text, papa(delimiter));
    const error = one.errors[0];
    if (error) return new Error(error.message);
    if (one.data.length !== 1) return new Error('a record must be one line (or quoted line breaks)');
    return one.data[0]!;
  });
}

function parseTogether(texts: string[], delimiter: Delimiter = ','): (string[] | Error)[] {
  if (texts.length === 0) return [];
  const whole = Papa.parse<string[]>(texts.join('\n'), papa(delimiter));
  if (whole.errors.length === 0 && whole.data.length === texts.length) return whole.data;
  // Find the bad records one by one; the good ones around them still import.
  return parseEach(texts, delimiter);
}

/**
 * Parses records. A record without any quote is split on commas directly: for such text that is exactly
 * what PapaParse does (its own fast path), without joining the records into one string for it to split
 * again. Records with quotes go to PapaParse, together, then one by one to find the bad ones.
 */
export function parseChunk(chunk: RawRecord[], delimiter: Delimiter = ','): (string[] | Error)[] {
  const out: (string[] | Error)[] = new Array(chunk.length);
  const quoted: number[] = [];
  for (let i = 0; i < chunk.length; i++) {
    const text = chunk[i]!.text;
    if (text.includes('"')) quoted.push(i);
    else out[i] = text.split(delimiter);
  }
  if (quoted.length > 0) {
    const parsed = parseTogether(
      quoted.map((i) => chunk[i]!.text),
      delimiter,
    );
    quoted.forEach((i, k) => {
      out[i] = parsed[k]!;
    });
  }
  return out;
}

/** Every record through PapaParse: the reference the direct split must agree with (see the tests). */
export function parseChunkWithPapa(chunk: RawRecord[], delimiter: Delimiter = ','): (string[] | Error)[] {
  return parseEach(
    chunk.map((r) => r.text),
    delimiter,
  );
}

export interface ParseJob {
  path: string;
  format: FormatName;
  header: string[];
  /** The field separator, as the header showed it (default comma). */
  delimiter?: Delimiter;
  batchId: number;
  /**
   * Rows per chunk. Smaller chunks overlap parsing with a server's loading better; in PGlite each COPY has a
   * fixed cost (22 COPYs of 25k rows took 1.6x one COPY of 541k rows), so larger chunks win there.
   */
  copyRows?: number;
  /** Every line through the general path, without the Online Retail fast path (tests compare the two). */
  generalPathOnly?: boolean;
}

/** One slice of the file, ready for COPY, with its share of the accounting. */
export interface ParsedChunk {
  /**
   * Rows for `events` as binary COPY tuples (see EventRows), possibly none. The worker transfers the bytes to
   * the importer without a copy.
   */
  events: Uint8Array;
  /** CSV rows for `rejected_rows` (batch_id, line_no, raw, reason), or ''. */
  rejected: string;
  bytesRead: number;
  read: number;
  imported: number;
  rejectedCount: number;
  byKind: Partial<Record<EventKind, number>>;
  rejections: { lineNo: number; reason: string }[];
}

/** The header: the first non-blank record, read on its own before the batch is created. */
export async function readHeader(
  path: string,
): Promise<{ header: string[]; lineNo: number; delimiter: Delimiter } | { error: string } | null> {
  const input = await openText(path);
  try {
    for await (const batch of recordBatches(input, 1)) {
      for (const rec of batch) {
        if (rec.brokenFrom !== undefined) return { error: 'the header has an unbalanced quote' };
        if (rec.text.trim() === '') continue;
        const delimiter = detectDelimiter(rec.text);
        const parsed = parseChunk([rec], delimiter)[0]!;
        if (parsed instanceof Error) return { error: parsed.message };
        return { header: parsed.map((h) => h.trim()), lineNo: rec.lineNo, delimiter };
      }
    }
    return null;
  } finally {
    input.destroy();
  }
}

function newChunk(): ParsedChunk {
  return {
    events: new Uint8Array(0),
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
  // A column left out of the header reads as '': an extra empty field is added to each line for it.
  const padded = positions.includes(undefined);
  const at = positions.map((p) => p ?? width);
  const { batchId } = job;
  const catalogue = new Catalogue();
  const e = blankEvent();
  let bytes = 0;
  const input = await openText(job.path, (n) => {
    bytes += n;
  });
  let chunk = newChunk();
  const eventRows = new EventRows(batchId);
  const delimiter = job.delimiter ?? ',';
  // Spreadsheets that separate fields with semicolons write decimals with a comma ("9,99", "1.234,50").
  const decimalAt = delimiter === ';' ? format.decimals.map((c) => at[format.columns.indexOf(c)]!) : [];
  const fast =
    format === onlineRetail && delimiter === ',' && !padded && !job.generalPathOnly
      ? new RetailFastPath(at, width, eventRows, catalogue)
      : null;
  // Rejected rows of the current batch; after each batch they are joined into one flat string (parts), so a
  // chunk keeps a few dozen strings alive instead of 100k row strings: most of the parse time went to the
  // garbage collector copying those between generations. Event rows go to a byte buffer (RowWriter).
  let rejectedRows: string[] = [];
  let rejectedParts: string[] = [];
  let pendingRows = 0;
  const settle = () => {
    pendingRows += rejectedRows.length;
    if (rejectedRows.length) rejectedParts.push(`${rejectedRows.join('\n')}\n`);
    rejectedRows = [];
  };

  const flush = async () => {
    settle();
    catalogue.own();
    chunk.events = eventRows.take();
    chunk.rejected = rejectedParts.join('');
    chunk.bytesRead = bytes;
    const out = chunk;
    chunk = newChunk();
    rejectedParts = [];
    pendingRows = 0;
    await emit(out);
  };
  const quarantine = (lineNo: number, raw: string, reason: string) => {
    chunk.read++;
    chunk.rejectedCount++;
    if (chunk.rejections.length < 20) chunk.rejections.push({ lineNo, reason });
    rejectedRows.push(`${batchId},${lineNo},${field(sanitiseRaw(raw))},${field(reason)}`);
  };

  let seenHeader = false;
  for await (const batch of batches(input, CHUNK_RECORDS)) {
    const { lineNo, kind, source, start, end } = batch;
    const good: number[] = [];
    const quoted: string[] = [];
    for (let i = 0; i < batch.length; i++) {
      if (kind[i] === BROKEN) {
        if (!seenHeader) throw new Error('the header has an unbalanced quote');
        quarantine(
          lineNo[i]!,
          batch.text(i),
          `unbalanced quote: the quoted field opened on line ${batch.from[i]} is never closed`,
        );
      } else if (isBlank(source[i]!, start[i]!, end[i]!)) {
        // blank lines carry no data
      } else if (!seenHeader) seenHeader = true;
      else {
        good.push(i);
        if (kind[i] === QUOTED) quoted.push(source[i]!);
      }
    }
    const parsed = parseTogether(quoted, delimiter);
    let q = 0;
    for (const i of good) {
      const k = kind[i]!;
      if (k === PLAIN && fast) {
        const fastKind = fast.line(source[i]!, start[i]!, end[i]!, lineNo[i]!);
        if (fastKind !== null) {
          chunk.read++;
          chunk.imported++;
          chunk.byKind[fastKind] = (chunk.byKind[fastKind] ?? 0) + 1;
          continue;
        }
      }
      const t = batch.text(i);
      const fields = k === QUOTED ? parsed[q++]! : t.split(delimiter);
      if (k !== PLAIN && t.includes('\u0000')) {
        quarantine(lineNo[i]!, t, NUL_REASON);
        continue;
      }
      if (fields instanceof Error) {
        quarantine(lineNo[i]!, t, `CSV syntax error: ${fields.message.replace(/ at line \d+/, '')}`);
        continue;
      }
      if (fields.length !== width) {
        quarantine(lineNo[i]!, t, `expected ${width} fields, found ${fields.length}`);
        continue;
      }
      if (padded) fields.push('');
      for (const d of decimalAt) fields[d] = decimalPoint(fields[d]!);
      const reason = format.read(fields, at, e);
      if (reason !== null) {
        quarantine(lineNo[i]!, t, reason);
        continue;
      }
      chunk.read++;
      chunk.imported++;
      chunk.byKind[e.kind] = (chunk.byKind[e.kind] ?? 0) + 1;
      catalogue.add(e);
      eventRows.event(lineNo[i]!, e);
    }
    settle();
    if (pendingRows + eventRows.rows >= (job.copyRows ?? COPY_ROWS)) await flush();
  }
  await flush();
  return catalogue.rows();
}
