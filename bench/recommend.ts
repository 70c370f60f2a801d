/**
 * Recommender quality and speed on the full Online Retail file (imported into an in-memory PGlite):
 * - quality: Recall@10 / NDCG@10 against popularity in the same run, temporal split at 2011-11-01 (new items
 *   each customer buys from then on) and a seeded random 80/20 split per customer, after tuning on the last
 *   slice of the training period (never the test period);
 * - training on all the data, against reading the purchases it learns from (the floor any trainer pays);
 * - one recommendation in process with the model in memory, against the bare history query it runs,
 *   interleaved per customer.
 */
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../src/db/client.ts';
import { importFile } from '../src/ingest/import.ts';
import { loadHistories, loadInteractions } from '../src/recommend/data.ts';
import { evalMarkdown, runEvaluation } from '../src/recommend/eval-run.ts';
import { currentModel, recommendFor, trainRecommender } from '../src/recommend/service.ts';
import { median, progress, type Section, seconds } from './section.ts';

const DATA = fileURLToPath(new URL('../../shared/data/online-retail.csv.gz', import.meta.url));
const CUTOFF = new Date('2011-11-01T00:00:00Z');
const TARGET_NDCG = 0.11;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function run(): Promise<Section> {
  try {
    await access(DATA);
  } catch {
    return {
      title: 'Recommendations',
      markdown: `Skipped: ${DATA} not found.\n`,
      failures: [],
    };
  }
  const failures: string[] = [];
  const database = await openDatabase({});
  try {
    progress('recommend: importing Online Retail');
    await importFile(database, DATA);

    progress('recommend: tuning before 2011-11-01 and evaluating both splits');
    const report = await runEvaluation(database, {
      cutoff: CUTOFF,
      tune: true,
      onProgress: (phase) => progress(`recommend: ${phase}`),
    });
    for (const e of [report.temporal, report.random]) {
      if (e.model.ndcg <= e.popularity.ndcg) {
        failures.push(`recommend: ${e.protocol} NDCG@10 ${e.model.ndcg.toFixed(4)} not above popularity`);
      }
    }

    progress('recommend: training on all the data');
    const readStarted = performance.now();
    const lines = (await loadInteractions(database)).length;
    const readMs = performance.now() - readStarted;
    const summary = await trainRecommender(database, { params: report.params });

    progress('recommend: one-recommendation latency');
    const served = await currentModel(database);
    const ids = (
      await database.rows<{ id: string }>(
        sql`select customer_id as id from customer_features order by customer_id limit 300`,
      )
    ).map((r) => r.id);
    const rec: number[] = [];
    const bare: number[] = [];
    for (const id of ids.slice(0, 20)) {
      await recommendFor(database, [id], { served });
      await loadHistories(database, [id]);
    }
    for (const id of ids) {
      let t = performance.now();
      await recommendFor(database, [id], { served });
      rec.push(performance.now() - t);
      t = performance.now();
      await loadHistories(database, [id]);
      bare.push(performance.now() - t);
    }
    const p = report.params;
    const tuned = report.tuned;
    const markdown = [
      `Online Retail: ${lines.toLocaleString('en-GB')} purchase lines of known customers, embedded PGlite. ` +
        `Target: temporal NDCG@10 ≥ ${TARGET_NDCG} (popularity ≈ 0.04, tuned EASE ≈ 0.10).`,
      '',
      '### Quality (Recall@10, NDCG@10; popularity measured on the same customers in the same run)',
      '',
      evalMarkdown(report),
      '',
      `Temporal NDCG@10 ${report.temporal.model.ndcg.toFixed(4)}: target ${report.temporal.model.ndcg >= TARGET_NDCG ? 'met' : 'NOT met'}.`,
      tuned
        ? `Tuned on ${tuned.from.toISOString().slice(0, 10)} to ${tuned.to.toISOString().slice(0, 10)} (the training period's last slice; ` +
          `validation NDCG@10 ${tuned.ndcg.toFixed(4)} on ${tuned.customers} customers) in ${tuned.seconds.toFixed(0)} s. ` +
          `Chosen: EASE lambda ${p.lambda} x mean co-occurrence, purchase half-life ${p.cfHalfLifeDays ?? 'none'}, ` +
          `popularity half-life ${p.popHalfLifeDays} days, popularity weight ${p.wPop}, content weight ${p.wContent}, ` +
          `${p.maxItems} items at most in EASE.`
        : '',
      'The random split uses the same (temporally tuned) settings.',
      '',
      '### Speed',
      '',
      '| measurement | value | baseline (same run) | ratio |',
      '|---|---:|---:|---:|',
      `| training on all data (${summary.items.toLocaleString('en-GB')} products, ${summary.customers.toLocaleString('en-GB')} customers) | ${seconds(summary.trainMs)} | reading the purchases: ${seconds(readMs)} | ${(summary.trainMs / readMs).toFixed(1)}x |`,
      `| one recommendation, p50 (${ids.length} customers, model in memory) | ${median(rec).toFixed(2)} ms | bare history query: ${median(bare).toFixed(2)} ms | ${(median(rec) / median(bare)).toFixed(2)}x |`,
      `| one recommendation, p95 | ${percentile(rec, 95).toFixed(2)} ms | ${percentile(bare, 95).toFixed(2)} ms | ${(percentile(rec, 95) / percentile(bare, 95)).toFixed(2)}x |`,
      '',
      `Targets: training < 60 s on 2 cores (${summary.trainMs < 60_000 ? 'met' : 'NOT met'} in this run), ` +
        `one recommendation < 10 ms (${median(rec) < 10 ? 'met' : 'NOT met'} at p50). The machine was shared while this ran.`,
    ].join('\n');
    return { title: 'Recommendations', markdown, failures };
  } finally {
    await database.close();
  }
}
