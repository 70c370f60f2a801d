/**
 * Runs the benchmark suites and writes bench/RESULTS.md. `tsx bench/run.ts` runs them all;
 * `tsx bench/run.ts import` only the named ones.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { progress, type Section, type Suite } from './section.ts';

const SUITES: Record<string, () => Promise<Suite>> = {
  import: () => import('./import.ts'),
  segments: () => import('./segments.ts'),
  charts: () => import('./charts.ts'),
  digests: () => import('./digests.ts'),
  recommend: () => import('./recommend.ts'),
  baskets: () => import('./baskets.ts'),
  vectors: () => import('./vectors.ts'),
  copy: () => import('./copy.ts'),
};

const RESULTS = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
const SECTIONS = fileURLToPath(new URL('./results', import.meta.url));

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !(name in SUITES));
  if (unknown.length > 0) {
    process.stderr.write(
      `Unknown benchmark suite${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. ` +
        `Available: ${Object.keys(SUITES).join(', ')}.\n`,
    );
    process.exitCode = 2;
    return;
  }
  const names = wanted.length > 0 ? wanted : Object.keys(SUITES);

  const sections: Section[] = [];
  for (const name of names) {
    progress(`suite ${name}: start`);
    const started = performance.now();
    try {
      const suite = await SUITES[name]!();
      sections.push(await suite.run());
    } catch (error) {
      const message = `FAIL: suite ${name} threw: ${(error as Error).stack ?? String(error)}`;
      progress(message);
      sections.push({ title: name, markdown: `\`\`\`\n${message}\n\`\`\`\n`, failures: [message] });
    }
    progress(`suite ${name}: done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }

  const cpus = os.cpus();
  const header = [
    '# Benchmark results',
    '',
    'Written by `npm run bench` (`tsx bench/run.ts [suite...]`); do not edit by hand.',
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Node: ${process.version} (${process.platform}/${process.arch})`,
    `- Machine: ${cpus.length} cores, ${cpus[0]?.model ?? 'unknown CPU'}, ` +
      `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM`,
    `- Suites run last: ${names.join(', ')} (each section says when it ran)`,
    '',
    'The machine is shared and noisy: absolute times vary from run to run. Ratios are measured within the same ' +
      'run, with the compared measurements interleaved, so they are the figures to compare.',
    '',
  ];
  // Each suite keeps its latest section in bench/results/, so running one suite keeps the others' figures.
  await mkdir(SECTIONS, { recursive: true });
  for (const [i, s] of sections.entries()) {
    await writeFile(
      join(SECTIONS, `${names[i]}.md`),
      `## ${s.title}\n\n_Run ${new Date().toISOString()}_\n\n${s.markdown.trimEnd()}\n`,
    );
  }
  const body: string[] = [];
  for (const name of Object.keys(SUITES)) {
    const text = await readFile(join(SECTIONS, `${name}.md`), 'utf8').catch(() => null);
    if (text) body.push(text);
  }
  await writeFile(RESULTS, `${[...header, ...body].join('\n').trimEnd()}\n`);
  progress(`wrote ${RESULTS}`);

  const failures = sections.flatMap((s) => s.failures);
  if (failures.length > 0) {
    for (const failure of failures) progress(failure);
    process.exitCode = 1;
  }
}

await main();
