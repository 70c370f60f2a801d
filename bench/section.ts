/** What a benchmark suite hands back to `bench/run.ts`, and small helpers the suites share. */
import postgres from 'postgres';
import { type Database, openDatabase } from '../src/db/client.ts';

export interface Section {
  title: string;
  /** Markdown body, written under `## title` in RESULTS.md. */
  markdown: string;
  /** Checks that failed; any of them makes the run exit non-zero. */
  failures: string[];
}

export interface Suite {
  run(): Promise<Section>;
}

export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

/** A new, migrated database `name` on the server at `url` (one left by an earlier run is dropped first). */
export async function freshServerDatabase(url: string, name: string): Promise<Database> {
  const admin = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  return openDatabase({ databaseUrl: u.toString() });
}

/** Drops the database `name` on the server at `url`, if it is there. */
export async function dropServerDatabase(url: string, name: string): Promise<void> {
  const admin = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
  } finally {
    await admin.end();
  }
}
