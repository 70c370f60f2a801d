/**
 * Chart builders end to end (SQL aggregation, spec, render to PNG) at about 10, 1k and 100k underlying event
 * rows, against a bare vega + resvg render of the same spec in the same run.
 */

import { Resvg } from '@resvg/resvg-js';
import { sql } from 'drizzle-orm';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { revenueOverTime, segmentBreakdown } from '../src/charts/builders.ts';
import { FONT_FAMILY, FONT_FILES, renderChart, THEME } from '../src/charts/render.ts';
import { type Database, openDatabase } from '../src/db/client.ts';
import { loadDemo } from '../src/ingest/demo.ts';
import { progress, type Section } from './section.ts';

const EVERYONE = { conditions: [] };
const BUILDERS: { name: string; build: (db: Database) => Promise<{ spec: object }> }[] = [
  { name: 'revenue by month', build: (db) => revenueOverTime(db, { grain: 'month' }) },
  { name: 'revenue by week', build: (db) => revenueOverTime(db, { grain: 'week' }) },
  { name: 'revenue by day', build: (db) => revenueOverTime(db, { grain: 'day' }) },
  { name: 'customers by country', build: (db) => segmentBreakdown(db, EVERYONE, 'country') },
  { name: 'customers by stage', build: (db) => segmentBreakdown(db, EVERYONE, 'lifecycle') },
];
// Demo shops of these sizes hold roughly 10, 1k and 100k event rows.
const SIZES = [1, 36, 3600];
const ROUNDS = 7;

/** The baseline: vega-lite compile, vega view to SVG, resvg to PNG, nothing of ours. */
async function bareRender(spec: object): Promise<void> {
  const compiled = compile(spec as TopLevelSpec, { config: THEME }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    new Resvg(svg, {
      font: { loadSystemFonts: false, fontFiles: FONT_FILES, defaultFontFamily: FONT_FAMILY },
      fitTo: { mode: 'zoom', value: 2 },
    })
      .render()
      .asPng();
  } finally {
    view.finalize();
  }
}

const p50 = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

export async function run(): Promise<Section> {
  const rows: string[] = [];
  const failures: string[] = [];
  for (const customers of SIZES) {
    const database = await openDatabase({});
    try {
      await loadDemo(database, { seed: 42, customers });
      const [count] = await database.rows<{ n: number }>(sql`select count(*)::int as n from events`);
      progress(`charts: demo shop with ${customers} customers, ${count?.n} event rows`);
      for (const b of BUILDERS) {
        const ours: number[] = [];
        const bare: number[] = [];
        const { spec } = await b.build(database);
        await renderChart(spec as TopLevelSpec);
        await bareRender(spec);
        for (let i = 0; i < ROUNDS; i++) {
          let t = performance.now();
          const built = await b.build(database);
          await renderChart(built.spec as TopLevelSpec);
          ours.push(performance.now() - t);
          t = performance.now();
          await bareRender(spec);
          bare.push(performance.now() - t);
        }
        const ratio = p50(ours) / p50(bare);
        rows.push(
          `| ${b.name} | ${(count?.n ?? 0).toLocaleString('en-GB')} | ${p50(ours).toFixed(0)} ms | ${p50(bare).toFixed(0)} ms | ${ratio.toFixed(2)}x | ${p50(ours) < 100 ? 'met' : 'missed'} |`,
        );
      }
    } catch (error) {
      failures.push(`charts at ${customers} customers: ${(error as Error).message}`);
    } finally {
      await database.close();
    }
  }
  const markdown = [
    `Each builder end to end (SQL aggregation over the demo shop's events in PGlite, spec, render to a 2x PNG), ${ROUNDS} warm runs, against a bare vega-lite compile + vega SVG + resvg PNG of the same spec, interleaved.`,
    '',
    'Target: p50 under 100 ms warm for every builder.',
    '',
    '| Builder | Event rows | Megaphone p50 | Bare render p50 | Ratio | Target |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    ...failures.map((f) => `- FAIL: ${f}`),
  ].join('\n');
  return { title: 'Charts: builder render time', markdown, failures };
}
