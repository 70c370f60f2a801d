/** What a benchmark suite hands back to `bench/run.ts`, and small helpers the suites share. */

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
