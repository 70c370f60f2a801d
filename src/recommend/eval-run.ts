/**
 * `megaphone eval recommend` and the benchmark: the model against popularity on the data in the database,
 * with a temporal split at `cutoff` and a seeded random per-customer 80/20 split, optionally tuning first on
 * the last slice of the training period (never on the test period).
 */
import type { Database } from '../db/client.ts';
import { nameNeighbours } from './content.ts';
import { loadCatalogue, loadInteractions } from './data.ts';
import {
  type Catalogue,
  type Evaluation,
  evaluateSplit,
  randomSplit,
  temporalSplit,
  tune,
} from './evaluate.ts';
import { DEFAULT_PARAMS, type Params } from './model.ts';

export interface EvalReport {
  cutoff: Date;
  params: Params;
  tuned: { ndcg: number; recall: number; customers: number; from: Date; to: Date; seconds: number } | null;
  temporal: Evaluation;
  random: Evaluation;
  purchaseLines: number;
}

export async function runEvaluation(
  database: Database,
  options: {
    cutoff?: Date;
    tune?: boolean;
    seed?: number;
    params?: Partial<Params>;
    onProgress?: (phase: string) => void;
  } = {},
): Promise<EvalReport> {
  const progress = options.onProgress ?? (() => {});
  progress('loading purchases');
  const [interactions, products] = await Promise.all([loadInteractions(database), loadCatalogue(database)]);
  if (interactions.length === 0) throw new Error('no purchases to evaluate on');
  let last = 0;
  for (const x of interactions) if (x.at > last) last = x.at;
  const cutoff = options.cutoff ?? new Date(last - 30 * 86_400_000);
  const catalogue: Catalogue = {
    names: new Map(products.map((p) => [p.id, p.name])),
    content: nameNeighbours(products, DEFAULT_PARAMS.neighbours),
  };
  let params: Params = { ...DEFAULT_PARAMS, ...options.params };
  let tuned: EvalReport['tuned'] = null;
  if (options.tune) {
    progress('tuning on the training period');
    const started = performance.now();
    const result = tune(interactions, cutoff.getTime(), catalogue, params, (done, total) =>
      progress(`tuning ${done}/${total}`),
    );
    params = result.params;
    tuned = {
      ...result.validation,
      from: new Date(result.window.from),
      to: new Date(result.window.to),
      seconds: (performance.now() - started) / 1000,
    };
  }
  progress('temporal split');
  const temporal = evaluateSplit(
    'temporal',
    temporalSplit(interactions, cutoff.getTime()),
    catalogue,
    params,
  );
  progress('random split');
  const random = evaluateSplit('random', randomSplit(interactions, options.seed ?? 1), catalogue, params);
  return { cutoff, params, tuned, temporal, random, purchaseLines: interactions.length };
}

const f = (x: number) => x.toFixed(4);

export function evalMarkdown(report: EvalReport): string {
  const rows = [report.temporal, report.random].map((e) => {
    const what =
      e.protocol === 'temporal'
        ? `temporal (before ${report.cutoff.toISOString().slice(0, 10)} / new items after)`
        : 'random 80/20 per customer (seed 1)';
    return `| ${what} | ${e.model.customers} | ${f(e.model.recall)} | ${f(e.model.ndcg)} | ${f(e.popularity.recall)} | ${f(e.popularity.ndcg)} | ${(e.model.ndcg / Math.max(1e-9, e.popularity.ndcg)).toFixed(2)}x | ${(e.trainMs / 1000).toFixed(1)} s |`;
  });
  return [
    '| split | customers | Recall@10 | NDCG@10 | popularity Recall@10 | popularity NDCG@10 | NDCG vs popularity | fit |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}
