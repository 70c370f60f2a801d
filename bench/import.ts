/**
 * Import benchmark: the full Online Retail file through `importFile` (parse, quarantine, COPY, catalogue,
 * features) against a raw COPY of the same rows into a bare 8-column text table, on embedded PGlite and on
 * a Postgres server. Target: the whole import within 3x of the raw COPY.
 */
import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { loadConfig } from '../src/config.ts';
import { type Database, openDatabase } from '../src/db/client.ts';
import { importFile } from '../src/ingest/import.ts';
import { storeStats } from '../src/ingest/stats.ts';
import { redactUrl } from '../src/logger.ts';
import { median, progress, type Section, seconds, timed } from './section.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DATA = resolve(ROOT, '../shared/data/online-retail.csv.gz');
const DEFAULT_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
// The same server COPY took 0.56-1.21 s within one session here (2 shared cores): medians of 5.
const RUNS = 5;
const TARGET_RATIO = 3;
const EXPECTED = { lines: 541_909, customers: 4338, revenue: 8_911_407.9 };

const RAW_TABLE = 'bench_raw';
const RAW_COLUMNS = [
  'invoice_no',
  'stock_code',
  'description',
  'quantity',
  'invoice_date',
  'unit_price',
  'customer_id',
  'country',
] as const;

interface Fresh {
  database: Database;
  dispose(): Promise<void>;
}

interface Engine {
  label: string;
  /** A new, migrated, empty database; opening it is not timed. */
  fresh(): Promise<Fresh>;
  /** Releases what the engine holds (drops leftover server databases). */
  end(): Promise<void>;
}

interface EngineResult {
  label: string;
  version: string;
  rawMs: number[];
  importMs: number[];
  /** The import's phases per run (ImportSummary.phases). */
  phases: { loadMs: number; featuresMs: number; indexMs: number }[];
  /** What the passing imports gave, with the runs that gave it. */
  checks: Map<string, number[]>;
  failures: string[];
  /** Size of the decompressed file. */
  csvBytes: number;
}

type EngineName = 'pglite' | 'server';
const ENGINE_FLAG = '--engine';

/**
 * Measures one engine in a child process running this file (see the end of it), which reports its result as
 * JSON on stdout; its progress lines pass through on stderr.
 */
async function measureInChild(engine: EngineName): Promise<EngineResult | { skipped: string }> {
  const child = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), ENGINE_FLAG, engine],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    out += text;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`the ${engine} benchmark process exited with code ${code}`);
  const result = JSON.parse(out) as
    | (Omit<EngineResult, 'checks'> & { checks: [string, number[]][] })
    | {
        skipped: string;
      };
  return 'skipped' in result ? result : { ...result, checks: new Map(result.checks) };
}

/** The child's side of measureInChild: one engine, result on stdout. */
async function measureEngine(engine: EngineName, serverUrl: string): Promise<void> {
  progress(`decompressing ${relative(ROOT, DATA)}`);
  const text = gunzipSync(await readFile(DATA)).toString('utf8');
  // copyCsv takes data rows only (it sets no HEADER option).
  const csv = text.slice(text.indexOf('\n') + 1);
  let result: EngineResult | { skipped: string };
  if (engine === 'pglite') result = await measure(pgliteEngine(), csv);
  else {
    const server = await serverEngine(serverUrl);
    if ('skipped' in server) result = server;
    else {
      try {
        result = await measure(server, csv);
      } finally {
        await server.end();
      }
    }
  }
  if (!('skipped' in result)) result.csvBytes = Buffer.byteLength(text);
  const json = 'skipped' in result ? result : { ...result, checks: [...result.checks] };
  process.stdout.write(JSON.stringify(json));
}

function pgliteEngine(): Engine {
  return {
    label: 'PGlite (embedded, in memory)',
    async fresh() {
      const database = await openDatabase({ dataDir: undefined });
      return { database, dispose: () => database.close() };
    },
    async end() {},
  };
}

/** A server engine, or the reason it cannot be used. */
async function serverEngine(url: string): Promise<Engine | { skipped: string }> {
  const admin = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await admin`select 1`;
  } catch (error) {
    await admin.end({ timeout: 1 }).catch(() => {});
    return { skipped: `the server at ${redactUrl(url)} did not answer (${(error as Error).message})` };
  }
  const created = new Set<string>();
  let next = 0;
  const drop = async (name: string) => {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    created.delete(name);
  };
  return {
    label: `Postgres server (${redactUrl(url)})`,
    async fresh() {
      const name = `megaphone_bench_${process.pid}_${next++}`;
      await admin.unsafe(`create database ${name}`);
      created.add(name);
      const target = new URL(url);
      target.pathname = `/${name}`;
      try {
        const database = await openDatabase({ databaseUrl: target.toString() });
        return {
          database,
          async dispose() {
            await database.close().catch(() => {});
            await drop(name);
          },
        };
      } catch (error) {
        await drop(name).catch(() => {});
        throw error;
      }
    },
    async end() {
      for (const name of [...created]) await drop(name).catch(() => {});
      await admin.end({ timeout: 5 });
    },
  };
}

async function rawCopy(database: Database, csv: string): Promise<number> {
  await database.rows(sql.raw(`drop table if exists ${RAW_TABLE}`));
  await database.rows(
    sql.raw(`create table ${RAW_TABLE} (${RAW_COLUMNS.map((c) => `${c} text`).join(', ')})`),
  );
  const { ms } = await timed(() => database.copyCsv(RAW_TABLE, RAW_COLUMNS, csv));
  const [row] = await database.rows<{ n: number }>(sql.raw(`select count(*)::int as n from ${RAW_TABLE}`));
  if (Number(row?.n) !== EXPECTED.lines) {
    throw new Error(`raw COPY loaded ${row?.n} rows, expected ${EXPECTED.lines}`);
  }
  return ms;
}

async function measure(engine: Engine, csv: string): Promise<EngineResult> {
  const result: EngineResult = {
    label: engine.label,
    version: '',
    rawMs: [],
    importMs: [],
    phases: [],
    checks: new Map(),
    failures: [],
    csvBytes: 0,
  };
  progress(`${engine.label}: opening the raw COPY database`);
  const raw = await engine.fresh();
  try {
    const [v] = await raw.database.rows<{ server_version: string }>(sql`show server_version`);
    result.version = v?.server_version ?? '?';
    // Raw COPY and import alternate, so a burst of load from elsewhere on the machine hits both alike.
    for (let run = 1; run <= RUNS; run++) {
      const rawMs = await rawCopy(raw.database, csv);
      result.rawMs.push(rawMs);
      progress(`${engine.label}: raw COPY ${run}/${RUNS}: ${seconds(rawMs)}`);

      progress(`${engine.label}: opening a fresh database for import ${run}/${RUNS}`);
      const fresh = await engine.fresh();
      try {
        let quarter = 0;
        const { value: summary, ms } = await timed(() =>
          importFile(fresh.database, DATA, {
            onProgress(read, total) {
              while (quarter < 3 && read >= ((quarter + 1) * total) / 4) {
                quarter++;
                progress(`${engine.label}: import ${run}/${RUNS}: ${quarter * 25}% of the file read`);
              }
            },
          }),
        );
        result.importMs.push(ms);
        if (summary.phases) result.phases.push(summary.phases);
        progress(
          `${engine.label}: import ${run}/${RUNS}: ${seconds(ms)} ` +
            `(read ${summary.read}, imported ${summary.imported}, rejected ${summary.rejected})`,
        );
        const stats = await storeStats(fresh.database);
        const problems: string[] = [];
        if (summary.read !== EXPECTED.lines)
          problems.push(`read ${summary.read}, expected ${EXPECTED.lines}`);
        if (summary.imported + summary.rejected !== summary.read) {
          problems.push(
            `imported ${summary.imported} + rejected ${summary.rejected} != read ${summary.read}`,
          );
        }
        if (stats.customers !== EXPECTED.customers) {
          problems.push(`customers ${stats.customers}, expected ${EXPECTED.customers}`);
        }
        if (Math.abs(stats.revenue - EXPECTED.revenue) > 0.005) {
          problems.push(`revenue ${stats.revenue}, expected ${EXPECTED.revenue}`);
        }
        if (problems.length > 0) {
          const failure = `FAIL: ${engine.label}, import ${run}: ${problems.join('; ')}`;
          progress(failure);
          result.failures.push(failure);
        } else {
          const check =
            `customers ${stats.customers}, revenue ${stats.revenue.toFixed(2)}, ` +
            `read ${summary.read} = imported ${summary.imported} + rejected ${summary.rejected}`;
          result.checks.set(check, [...(result.checks.get(check) ?? []), run]);
        }
      } finally {
        await fresh.dispose();
      }
    }
  } finally {
    await raw.dispose();
  }
  return result;
}

function table(results: EngineResult[], skipped: string[]): string {
  const lines = [
    '| Engine | Raw COPY (median) | Megaphone import (median) | Ratio import / COPY | Target ≤ 3x | Ratio per run (lowest–highest) | Runs: COPY | Runs: import |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of results) {
    const ratio = median(r.importMs) / median(r.rawMs);
    // Each import against the COPY just before it: how far the machine's noise moves the ratio.
    const perRun = r.importMs.map((ms, i) => ms / r.rawMs[i]!);
    lines.push(
      `| ${r.label}, PostgreSQL ${r.version} | ${seconds(median(r.rawMs))} | ${seconds(median(r.importMs))} | ` +
        `${ratio.toFixed(2)}x | ${ratio <= TARGET_RATIO ? 'met' : 'missed'} | ` +
        `${Math.min(...perRun).toFixed(2)}x–${Math.max(...perRun).toFixed(2)}x | ` +
        `${r.rawMs.map(seconds).join(', ')} | ${r.importMs.map(seconds).join(', ')} |`,
    );
  }
  for (const note of skipped) lines.push(`| ${note} | skipped | skipped | – | – | – | – | – |`);
  return lines.join('\n');
}

function phaseTable(results: EngineResult[]): string {
  const lines = [
    '| Engine | Parse, COPY and catalogue | Features and rollups | Waiting for the events index | Rest (hash, header, batch) |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const r of results) {
    if (r.phases.length === 0) continue;
    const m = (pick: (p: EngineResult['phases'][number]) => number) => median(r.phases.map(pick));
    const rest = median(r.importMs) - m((p) => p.loadMs) - m((p) => p.featuresMs) - m((p) => p.indexMs);
    lines.push(
      `| ${r.label} | ${seconds(m((p) => p.loadMs))} | ${seconds(m((p) => p.featuresMs))} | ` +
        `${seconds(m((p) => p.indexMs))} | ${seconds(Math.max(0, rest))} |`,
    );
  }
  return lines.join('\n');
}

export async function run(): Promise<Section> {
  const title = 'Import: Online Retail, full file';
  const shown = relative(ROOT, DATA);
  const size = await stat(DATA).catch(() => null);
  if (!size) {
    const note = `Skipped: the data file ${shown} (resolved to ${DATA}) is missing.`;
    progress(note);
    return { title, markdown: `${note}\n`, failures: [] };
  }

  // The machine is shared: say how busy it was, since other work slows the import (several processes) more
  // than the single COPY it is compared with.
  const loadBefore = loadavg()[0]!;
  const config = loadConfig();
  const serverUrl = config.testDatabaseUrl ?? DEFAULT_SERVER_URL;
  const results: EngineResult[] = [];
  const skipped: string[] = [];
  const failures: string[] = [];

  // Each engine in a process of its own, as Megaphone runs one. After the PGlite runs, their process still held
  // ~1 GB outside the JavaScript heap (WebAssembly and buffers), and the server's imports that followed in it
  // were slower than in a process of their own (median 1.94 s against 1.79 s; parse, COPY and catalogue 1.33 s
  // against 1.16 s); the server's raw COPYs were not clearly slower (medians 0.58-0.75 s against 0.62-0.64 s).
  for (const engine of ['pglite', 'server'] as const) {
    const result = await measureInChild(engine);
    if ('skipped' in result) {
      const note = `Postgres server: ${result.skipped}`;
      progress(`skipping the server rows: ${note}`);
      skipped.push(note);
    } else results.push(result);
  }

  const md = [
    `File: \`${shown}\`, ${(size.size / 2 ** 20).toFixed(1)} MiB gzip, ` +
      `${((results[0]?.csvBytes ?? 0) / 2 ** 20).toFixed(1)} MiB of CSV, ${EXPECTED.lines.toLocaleString('en')} data lines.`,
    '',
    `- **Raw COPY**: \`COPY ${RAW_TABLE} (8 text columns) FROM ... WITH (FORMAT csv)\` of the data lines, ` +
      'already decompressed in memory, through `database.copyCsv`; only the COPY is timed. The table is dropped ' +
      'and recreated before each run.',
    '- **Megaphone import**: `importFile(database, path)` on a fresh, migrated, empty database (opening and ' +
      'migrating it is not timed; for PGlite that is an initdb of ~5 s): gzip streaming, content hash, CSV ' +
      'parse, validation and quarantine, COPY of events, catalogue upserts, the feature refresh and the chart rollups.',
    `- ${RUNS} runs per measurement, COPY and import alternating; medians shown, individual runs in order. ` +
      'Each engine is measured in a Node process of its own.',
    `- Machine load (1-minute load average, ${cpus().length} cores): ${loadBefore.toFixed(1)} at the start, ` +
      `${loadavg()[0]!.toFixed(1)} at the end.`,
    `- Target: the whole import, features included, within ${TARGET_RATIO}x of the raw COPY time.`,
    '',
    table(results, skipped),
    '',
    "Where the import's time went (medians of each phase over the runs, so they need not add up exactly):",
    '',
    phaseTable(results),
    '',
    'Checks (`storeStats` must give 4338 customers and revenue 8911407.90):',
    '',
  ];
  for (const r of results) {
    failures.push(...r.failures);
    for (const f of r.failures) md.push(`- ${f}`);
    for (const [check, runs] of r.checks) {
      md.push(`- OK: ${r.label}, import${runs.length > 1 ? 's' : ''} ${runs.join(', ')}: ${check}`);
    }
  }
  if (skipped.length > 0) {
    md.push(
      '',
      `Server rows skipped: tried ${redactUrl(serverUrl)}. Set MEGAPHONE_TEST_DATABASE_URL to a server where ` +
        `the benchmark may create databases (default: ${DEFAULT_SERVER_URL}).`,
    );
  }
  return { title, markdown: `${md.join('\n')}\n`, failures };
}

if (process.argv[2] === ENGINE_FLAG) {
  await measureEngine(process.argv[3] as EngineName, loadConfig().testDatabaseUrl ?? DEFAULT_SERVER_URL);
}
