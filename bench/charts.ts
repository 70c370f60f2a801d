/**
 * Chart builders end to end (SQL aggregation, spec, render to PNG) at about 10, 1k and 100k underlying event
 * rows, against a bare vega + resvg render of the same spec in the same run.
 */

import { Resvg } from '@resvg/resvg-js';
import { sql } from 'drizzle-orm';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { revenueOverTime, segmentBreakdown } from '../src/charts/builders.ts';
import { cohortRetention } from '../src/charts/cohorts.ts';
import { segmentComparison } from '../src/charts/comparison.ts';
import { topProducts } from '../src/charts/products.ts';
import { FONT_FAMILY, FONT_FILES, renderChart, THEME } from '../src/charts/render.ts';
import { newVsReturning, revenueComparison } from '../src/charts/trends.ts';
import { type Database, openDatabase } from '../src/db/client.ts';
import { refreshDailySales } from '../src/ingest/daily-sales.ts';
import { loadDemo } from '../src/ingest/demo.ts';
import { progress, type Section } from './section.ts';

const EVERYONE = { conditions: [] };
const BIG = {
  conditions: [{ kind: 'metric' as const, metric: 'm_score' as const, op: 'gte' as const, value: 4 }],
};
const LAPSED = {
  conditions: [{ kind: 'lifecycle' as const, op: 'in' as const, values: ['lapsed' as const] }],
};
const BUILDERS: { name: string; build: (db: Database) => Promise<{ spec: object }> }[] = [
  { name: 'revenue by month', build: (db) => revenueOverTime(db, { grain: 'month' }) },
  { name: 'revenue by week', build: (db) => revenueOverTime(db, { grain: 'week' }) },
  { name: 'revenue by day', build: (db) => revenueOverTime(db, { grain: 'day' }) },
  {
    name: 'revenue by month, big spenders',
    build: (db) => revenueOverTime(db, { grain: 'month', where: BIG }),
  },
  {
    name: 'revenue this month vs last',
    build: (db) => revenueComparison(db, { unit: 'month', compare: 'previous' }),
  },
  {
    name: 'orders this quarter vs last year',
    build: (db) => revenueComparison(db, { unit: 'quarter', compare: 'last_year', metric: 'orders' }),
  },
  { name: 'top 10 products', build: (db) => topProducts(db, { limit: 10 }) },
  {
    name: 'top 10 products last quarter',
    build: (db) => topProducts(db, { limit: 10, period: { unit: 'quarter', offset: 1 } }),
  },
  {
    name: 'top 10 products last quarter, big spenders',
    build: (db) => topProducts(db, { limit: 10, period: { unit: 'quarter', offset: 1 }, where: BIG }),
  },
  { name: 'new vs returning by month', build: (db) => newVsReturning(db, { grain: 'month' }) },
  { name: 'new vs returning by week', build: (db) => newVsReturning(db, { grain: 'week' }) },
  { name: 'cohort retention', build: (db) => cohortRetention(db, {}) },
  { name: 'customers by country', build: (db) => segmentBreakdown(db, EVERYONE, 'country') },
  { name: 'customers by stage', build: (db) => segmentBreakdown(db, EVERYONE, 'lifecycle') },
  { name: 'customers by RFM group', build: (db) => segmentBreakdown(db, EVERYONE, 'rfm') },
  {
    name: 'segments compared (3)',
    build: (db) =>
      segmentComparison(db, [
        { name: 'everyone', definition: EVERYONE },
        { name: 'big spenders', definition: BIG },
        { name: 'lapsed', definition: LAPSED },
      ]),
  },
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
  const refreshes: string[] = [];
  const failures: string[] = [];
  for (const customers of SIZES) {
    const database = await openDatabase({});
    try {
      await loadDemo(database, { seed: 42, customers });
      const [count] = await database.rows<{ n: number }>(sql`select count(*)::int as n from events`);
      progress(`charts: demo shop with ${customers} customers, ${count?.n} event rows`);
      // What the rollups add to every import (they are rebuilt with the features).
      const times: number[] = [];
      let sizes = { customerDays: 0, products: 0 };
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        sizes = await refreshDailySales(database);
        times.push(performance.now() - t);
      }
      refreshes.push(
        `| ${(count?.n ?? 0).toLocaleString('en-GB')} | ${sizes.customerDays.toLocaleString('en-GB')} | ${sizes.products.toLocaleString('en-GB')} | ${p50(times).toFixed(0)} ms |`,
      );
      for (const b of BUILDERS) {
        const built: number[] = [];
        const rendered: number[] = [];
        const ours: number[] = [];
        const bare: number[] = [];
        let pngBytes = 0;
        try {
          const { spec } = await b.build(database);
          await renderChart(spec as TopLevelSpec);
          await bareRender(spec);
          for (let i = 0; i < ROUNDS; i++) {
            const t0 = performance.now();
            const chart = await b.build(database);
            const t1 = performance.now();
            const { png } = await renderChart(chart.spec as TopLevelSpec);
            const t2 = performance.now();
            pngBytes = png.length;
            built.push(t1 - t0);
            rendered.push(t2 - t1);
            ours.push(t2 - t0);
            const t3 = performance.now();
            await bareRender(spec);
            bare.push(performance.now() - t3);
          }
        } catch (error) {
          // A shop this small may have no one in the audience: that is an answer, not a failure.
          if ((error as { code?: string }).code === 'chart_no_data') {
            rows.push(
              `| ${b.name} | ${(count?.n ?? 0).toLocaleString('en-GB')} | no data at this size | | | | | | |`,
            );
          } else {
            failures.push(`${b.name} at ${customers} customers: ${(error as Error).message}`);
          }
          continue;
        }
        const ms = (v: number[]) => `${p50(v).toFixed(0)} ms`;
        const ratio = p50(ours) / p50(bare);
        rows.push(
          `| ${b.name} | ${(count?.n ?? 0).toLocaleString('en-GB')} | ${ms(built)} | ${ms(rendered)} | ${ms(ours)} | ${ms(bare)} | ${ratio.toFixed(2)}x | ${p50(ours) < 100 ? 'met' : 'missed'} | ${Math.round(pngBytes / 1024)} KB |`,
        );
      }
    } catch (error) {
      failures.push(`charts at ${customers} customers: ${(error as Error).message}`);
    } finally {
      await database.close();
    }
  }
  const markdown = [
    `Each builder end to end (SQL aggregation in PGlite: the event charts read the rollups of src/ingest/daily-sales.ts (top products of all time its per-product totals), top products for an audience the events in the window (through the BRIN index on time) of the members the customer-day rollup has in it, the segment charts customer_features; spec; render to a 2x PNG), ${ROUNDS} warm runs, against a bare vega-lite compile + vega SVG + resvg PNG of the same spec, interleaved.`,
    '',
    'Target: p50 under 100 ms warm for every builder.',
    '',
    "SQL = aggregation query and spec (our builder); render = our renderChart of that spec (DejaVu subsets, hidden labels left out, PNG by sharp); total = both; bare = vega-lite compile + vega SVG + resvg PNG of the same spec without our code (full DejaVu fonts, resvg's own PNG encoder). Ratio = total / bare. PNG = size of our 2x PNG.",
    '',
    '| Builder | Event rows | SQL p50 | Render p50 | Total p50 | Bare render p50 | Ratio | Target | PNG |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    'Rollup rebuild (run after every import with the features), p50 of 3:',
    '',
    '| Event rows | Customer-day rows | Products (all-time totals) | Rebuild p50 |',
    '| --- | --- | --- | --- |',
    ...refreshes,
    ...failures.map((f) => `- FAIL: ${f}`),
  ].join('\n');
  return { title: 'Charts: builder render time', markdown, failures };
}
