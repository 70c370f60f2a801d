/**
 * Offline evaluation and tuning. Two protocols:
 * - temporal: train on purchases before a cutoff; for each customer who bought before it, the relevant items
 *   are those they bought for the first time from the cutoff on (what they had already is excluded);
 * - random: for each customer with at least 5 distinct items, 20% of their items (all lines of them) are held
 *   out at random (seeded); the model trains on everything else.
 * Popularity (distinct buyers in the training data) is measured on the same customers in the same run.
 * Tuning holds out the last slice of the *training* period only; the test period is never read by it.
 */

import { seededRandom } from '../random.ts';
import type { Neighbour } from './content.ts';
import { ndcgAtK, recallAtK } from './metrics.ts';
import {
  DEFAULT_PARAMS,
  easeNeighbours,
  fitModel,
  gram,
  type HistoryEntry,
  histories,
  type Interaction,
  type Model,
  type Params,
  recommend,
} from './model.ts';

const DAY = 86_400_000;
export const K = 10;

export interface Split {
  train: Interaction[];
  /** Per test customer: the items to find. */
  test: Map<string, Set<string>>;
  /** The instant the model is trained as of. */
  asOf: number;
}

export function temporalSplit(interactions: readonly Interaction[], cutoff: number, end = Infinity): Split {
  const train = interactions.filter((x) => x.at < cutoff);
  const before = new Map<string, Set<string>>();
  for (const x of train) {
    let s = before.get(x.customer);
    if (!s) {
      s = new Set();
      before.set(x.customer, s);
    }
    s.add(x.item);
  }
  const test = new Map<string, Set<string>>();
  for (const x of interactions) {
    if (x.at < cutoff || x.at >= end) continue;
    const had = before.get(x.customer);
    if (!had || had.has(x.item)) continue;
    let s = test.get(x.customer);
    if (!s) {
      s = new Set();
      test.set(x.customer, s);
    }
    s.add(x.item);
  }
  return { train, test, asOf: cutoff };
}

export function randomSplit(interactions: readonly Interaction[], seed = 1, share = 0.2): Split {
  const items = new Map<string, string[]>();
  for (const x of interactions) {
    let list = items.get(x.customer);
    if (!list) {
      list = [];
      items.set(x.customer, list);
    }
    if (!list.includes(x.item)) list.push(x.item);
  }
  const random = seededRandom(seed);
  const held = new Map<string, Set<string>>();
  for (const [customer, list] of [...items].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (list.length < 5) continue;
    const sorted = [...list].sort();
    for (let i = sorted.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [sorted[i], sorted[j]] = [sorted[j]!, sorted[i]!];
    }
    held.set(customer, new Set(sorted.slice(0, Math.max(1, Math.round(sorted.length * share)))));
  }
  const train = interactions.filter((x) => !held.get(x.customer)?.has(x.item));
  // A loop, not Math.max(...spread): hundreds of thousands of arguments overflow the stack.
  let asOf = 0;
  for (const x of interactions) if (x.at >= asOf) asOf = x.at + 1;
  return { train, test: held, asOf };
}

export interface Score {
  recall: number;
  ndcg: number;
  customers: number;
}

type Ranker = (history: HistoryEntry[]) => string[];

export function score(split: Split, rank: Ranker, hist = histories(split.train)): Score {
  let recall = 0;
  let ndcg = 0;
  let n = 0;
  for (const [customer, relevant] of split.test) {
    const h = hist.get(customer);
    if (!h || relevant.size === 0) continue;
    const ranked = rank([...h.values()]);
    recall += recallAtK(ranked, relevant, K);
    ndcg += ndcgAtK(ranked, relevant, K);
    n++;
  }
  return { recall: n ? recall / n : 0, ndcg: n ? ndcg / n : 0, customers: n };
}

/** The baseline: most distinct buyers in the training data, minus what the customer bought. */
export function popularityRanker(train: readonly Interaction[]): Ranker {
  const buyers = new Map<string, Set<string>>();
  for (const x of train) {
    let s = buyers.get(x.item);
    if (!s) {
      s = new Set();
      buyers.set(x.item, s);
    }
    s.add(x.customer);
  }
  const order = [...buyers].sort((a, b) => b[1].size - a[1].size || (a[0] < b[0] ? -1 : 1)).map(([id]) => id);
  return (history) => {
    const had = new Set(history.map((h) => h.item));
    const out: string[] = [];
    for (const id of order) {
      if (!had.has(id)) out.push(id);
      if (out.length === K) break;
    }
    return out;
  };
}

export const modelRanker =
  (model: Model): Ranker =>
  (history) =>
    recommend(model, history, { k: K }).map((r) => r.itemId);

export interface Catalogue {
  names: Map<string, string>;
  content: Map<string, Neighbour[]>;
}

export interface TuneResult {
  params: Params;
  validation: Score;
  /** The held-out slice of the training period: [from, to). */
  window: { from: number; to: number };
  tried: number;
}

/**
 * Chooses hyperparameters on the last slice of the data before `trainEnd` (at most 35 days, at most a fifth
 * of the span): the model is trained before the slice and scored on the items first bought in it. Only
 * interactions before `trainEnd` are read. First the collaborative model (regularisation x purchase
 * half-life, a grid), then the blend (popularity half-life, popularity and content weights) by coordinate
 * search, two rounds.
 */
export function tune(
  all: readonly Interaction[],
  trainEnd: number,
  catalogue: Catalogue,
  base: Params = DEFAULT_PARAMS,
  onProgress?: (done: number, total: number) => void,
): TuneResult {
  const data = all.filter((x) => x.at < trainEnd);
  const none = { recall: 0, ndcg: 0, customers: 0 };
  if (data.length === 0)
    return { params: base, validation: none, window: { from: trainEnd, to: trainEnd }, tried: 0 };
  let first = Infinity;
  for (const x of data) if (x.at < first) first = x.at;
  const windowMs = Math.min(35 * DAY, (trainEnd - first) / 5);
  const from = trainEnd - windowMs;
  const split = temporalSplit(data, from, trainEnd);
  const hist = histories(split.train);
  const input = { interactions: split.train, asOf: from, ...catalogue };
  // Tuning fits on a smaller item set: the inverse costs n^3, and the best settings carry over.
  const tuneItems = Math.min(base.maxItems, 1500);
  const lambdas = [1, 4, 16];
  const halfLives: (number | null)[] = [null, 90, 30];
  const grid = {
    popHalfLifeDays: [3, 7, 14, 30, 120],
    wPop: [0, 0.05, 0.15, 0.4, 1],
    wContent: [0, 0.05, 0.2, 0.5],
  } as const;
  const coordinates = Object.keys(grid) as (keyof typeof grid)[];
  const rounds = 2;
  const total =
    lambdas.length * halfLives.length + rounds * coordinates.reduce((n, c) => n + grid[c].length, 0);
  let done = 0;
  let tried = 0;
  let best: { params: Params; validation: Score } = {
    params: { ...base, maxItems: tuneItems },
    validation: { ...none, ndcg: -1 },
  };
  let bestCf: Map<string, Neighbour[]> | undefined;
  for (const cfHalfLifeDays of halfLives) {
    const gr = gram(hist, from, { maxItems: tuneItems, cfHalfLifeDays });
    for (const lambda of lambdas) {
      const params = { ...best.params, lambda, cfHalfLifeDays };
      const cf = easeNeighbours(gr, lambda, params.neighbours);
      const s = score(split, modelRanker(fitModel(input, params, undefined, { cf })), hist);
      tried++;
      if (s.ndcg > best.validation.ndcg) {
        best = { params, validation: s };
        bestCf = cf;
      }
      onProgress?.(++done, total);
    }
  }
  // One model per popularity half-life; the blend weights are read at scoring time, so they are set in place.
  const models = new Map<number, Model>();
  const modelFor = (params: Params): Model => {
    let model = models.get(params.popHalfLifeDays);
    if (!model) {
      model = fitModel(input, params, undefined, { cf: bestCf! });
      models.set(params.popHalfLifeDays, model);
    }
    model.params = params;
    return model;
  };
  for (let round = 0; round < rounds; round++) {
    for (const coordinate of coordinates) {
      for (const value of grid[coordinate]) {
        onProgress?.(++done, total);
        if (best.params[coordinate] === value) continue;
        const params = { ...best.params, [coordinate]: value };
        const s = score(split, modelRanker(modelFor(params)), hist);
        tried++;
        if (s.ndcg > best.validation.ndcg) best = { params, validation: s };
      }
    }
  }
  return {
    params: { ...best.params, maxItems: base.maxItems },
    validation: best.validation,
    window: { from, to: trainEnd },
    tried,
  };
}

export interface Evaluation {
  protocol: 'temporal' | 'random';
  model: Score;
  popularity: Score;
  trainMs: number;
}

export function evaluateSplit(
  protocol: Evaluation['protocol'],
  split: Split,
  catalogue: Catalogue,
  params: Params,
): Evaluation {
  const started = performance.now();
  const model = fitModel({ interactions: split.train, asOf: split.asOf, ...catalogue }, params);
  const trainMs = performance.now() - started;
  const hist = histories(split.train);
  return {
    protocol,
    model: score(split, modelRanker(model), hist),
    popularity: score(split, popularityRanker(split.train), hist),
    trainMs,
  };
}
