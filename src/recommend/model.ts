/**
 * The recommender: EASE (an item-item linear model with a closed-form solution) over time-decayed purchases,
 * a recency-weighted popularity and content neighbours, blended per customer. Pure functions over plain data,
 * so training, evaluation and serving share one implementation and tests need no database.
 */
import type { Neighbour } from './content.ts';
import { invertSpd } from './linalg.ts';

const DAY = 86_400_000;

/** One purchase line: who bought what, when (ms since epoch). */
export interface Interaction {
  customer: string;
  item: string;
  at: number;
}

export interface Params {
  /** EASE L2 regularisation, as a multiple of the mean diagonal of the item co-occurrence matrix. */
  lambda: number;
  /** Half-life of a purchase's weight in the collaborative model, in days; null = no decay. */
  cfHalfLifeDays: number | null;
  /** Half-life of a purchase in the popularity, in days. */
  popHalfLifeDays: number;
  /** Blend weights relative to the collaborative score (weight 1). */
  wPop: number;
  wContent: number;
  /** Items in the collaborative model at most (the most bought); the rest are served by popularity and content. */
  maxItems: number;
  /** Neighbours kept per item (collaborative and content). */
  neighbours: number;
}

/**
 * Used until `megaphone train --tune` chooses better ones for the data at hand (the tuned settings are kept
 * with the model and reused by later untuned trainings). Near what tuning chose on Online Retail, rounded
 * towards the middle of the grid so they do not overfit one shop.
 */
export const DEFAULT_PARAMS: Params = {
  lambda: 4,
  cfHalfLifeDays: 90,
  popHalfLifeDays: 14,
  wPop: 0.15,
  wContent: 0.1,
  maxItems: 2000,
  neighbours: 100,
};

export interface ItemEntry {
  id: string;
  name: string;
  /** Recency-weighted popularity, 1 for the most popular item. */
  popularity: number;
  /** More distinct buyers in the last 30 days than in the 30 before (and at least 3). */
  trending: boolean;
  /** Collaborative neighbours: buying this item raises each neighbour's score by `score`. */
  cf: Neighbour[];
  /** Content neighbours (cosine similarity). */
  content: Neighbour[];
}

export interface Model {
  /** Instant the model describes (training data is strictly before it), ms since epoch. */
  asOf: number;
  params: Params;
  items: Map<string, ItemEntry>;
  /** Item ids by popularity, best first (the cold-start list and extra candidates). */
  popular: string[];
  customers: number;
}

/** A customer's purchases of one item. */
export interface HistoryEntry {
  item: string;
  count: number;
  /** Last purchase, ms since epoch. */
  last: number;
}

export interface Recommendation {
  itemId: string;
  name: string;
  score: number;
  reason: string;
  /** Which part of the blend decided the reason. */
  source: 'collaborative' | 'content' | 'popularity' | 'history';
}

export type Mode = 'new' | 'again';

const decay = (ageMs: number, halfLifeDays: number | null): number =>
  halfLifeDays === null ? 1 : 2 ** (-Math.max(0, ageMs) / (halfLifeDays * DAY));

/** Per customer and item: number of purchase lines and the last one. */
export function histories(interactions: readonly Interaction[]): Map<string, Map<string, HistoryEntry>> {
  const out = new Map<string, Map<string, HistoryEntry>>();
  for (const { customer, item, at } of interactions) {
    let h = out.get(customer);
    if (!h) {
      h = new Map();
      out.set(customer, h);
    }
    const e = h.get(item);
    if (e) {
      e.count++;
      if (at > e.last) e.last = at;
    } else h.set(item, { item, count: 1, last: at });
  }
  return out;
}

/** Recency-weighted popularity (distinct buyers, each weighted by the age of their last purchase) and trend. */
export function popularity(
  hist: Map<string, Map<string, HistoryEntry>>,
  interactions: readonly Interaction[],
  asOf: number,
  halfLifeDays: number,
): { score: Map<string, number>; trending: Set<string> } {
  const score = new Map<string, number>();
  for (const h of hist.values()) {
    for (const e of h.values())
      score.set(e.item, (score.get(e.item) ?? 0) + decay(asOf - e.last, halfLifeDays));
  }
  let max = 1e-12;
  for (const v of score.values()) if (v > max) max = v;
  for (const [k, v] of score) score.set(k, v / max);
  const recent = new Map<string, Set<string>>();
  const before = new Map<string, Set<string>>();
  for (const { customer, item, at } of interactions) {
    const age = asOf - at;
    const bucket = age <= 30 * DAY ? recent : age <= 60 * DAY ? before : null;
    if (!bucket) continue;
    let s = bucket.get(item);
    if (!s) {
      s = new Set();
      bucket.set(item, s);
    }
    s.add(customer);
  }
  const trending = new Set<string>();
  for (const [item, s] of recent) {
    if (s.size >= 3 && s.size > 1.5 * (before.get(item)?.size ?? 0)) trending.add(item);
  }
  return { score, trending };
}

/** The item-item co-occurrence matrix of the most bought items, ready for `easeNeighbours`. */
export interface Gram {
  ids: string[];
  n: number;
  g: Float64Array;
}

export function gram(
  hist: Map<string, Map<string, HistoryEntry>>,
  asOf: number,
  params: Pick<Params, 'maxItems' | 'cfHalfLifeDays'>,
): Gram {
  const buyers = new Map<string, number>();
  for (const h of hist.values()) for (const item of h.keys()) buyers.set(item, (buyers.get(item) ?? 0) + 1);
  const ids = [...buyers]
    .filter(([, b]) => b >= 2)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, params.maxItems)
    .map(([id]) => id);
  const index = new Map(ids.map((id, i) => [id, i]));
  const n = ids.length;
  const g = new Float64Array(n * n);
  const idx: number[] = [];
  const val: number[] = [];
  for (const h of hist.values()) {
    idx.length = 0;
    val.length = 0;
    for (const e of h.values()) {
      const i = index.get(e.item);
      if (i === undefined) continue;
      idx.push(i);
      val.push(decay(asOf - e.last, params.cfHalfLifeDays));
    }
    for (let a = 0; a < idx.length; a++) {
      const row = idx[a]! * n;
      const va = val[a]!;
      for (let b = 0; b < idx.length; b++) g[row + idx[b]!]! += va * val[b]!;
    }
  }
  return { ids, n, g };
}

/** EASE: B = I - P / diag(P) with P = (G + lambda I)^-1; keeps each item's strongest positive neighbours. */
export function easeNeighbours(gr: Gram, lambda: number, keep: number): Map<string, Neighbour[]> {
  const { ids, n } = gr;
  const out = new Map<string, Neighbour[]>();
  if (n === 0) return out;
  const a = gr.g.slice();
  let trace = 0;
  for (let i = 0; i < n; i++) trace += a[i * n + i]!;
  const reg = lambda * (trace / n) + 1e-6;
  for (let i = 0; i < n; i++) a[i * n + i]! += reg;
  const p = invertSpd(a, n);
  const row: Neighbour[] = [];
  for (let i = 0; i < n; i++) {
    row.length = 0;
    // B[i][j] = -P[i][j] / P[j][j]; P is symmetric, so row i of P is contiguous.
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const b = -p[i * n + j]! / p[j * n + j]!;
      if (b > 0) row.push({ id: ids[j]!, score: b });
    }
    row.sort((x, y) => y.score - x.score);
    out.set(ids[i]!, row.slice(0, keep));
  }
  return out;
}

export interface FitInput {
  interactions: readonly Interaction[];
  asOf: number;
  names: Map<string, string>;
  content: Map<string, Neighbour[]>;
}

/** Trains a model on the interactions before `asOf` (the caller filters). */
export function fitModel(
  input: FitInput,
  params: Params,
  onProgress?: (phase: string) => void,
  cached?: { cf: Map<string, Neighbour[]> },
): Model {
  const hist = histories(input.interactions);
  onProgress?.('popularity');
  const pop = popularity(hist, input.interactions, input.asOf, params.popHalfLifeDays);
  let cf = cached?.cf;
  if (!cf) {
    onProgress?.('co-occurrence');
    const gr = gram(hist, input.asOf, params);
    onProgress?.('collaborative model');
    cf = easeNeighbours(gr, params.lambda, params.neighbours);
  }
  const items = new Map<string, ItemEntry>();
  const ids = new Set([...input.names.keys(), ...pop.score.keys()]);
  for (const id of ids) {
    items.set(id, {
      id,
      name: input.names.get(id) ?? id,
      popularity: pop.score.get(id) ?? 0,
      trending: pop.trending.has(id),
      cf: cf.get(id) ?? [],
      content: (input.content.get(id) ?? []).slice(0, params.neighbours),
    });
  }
  const popular = [...pop.score]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 300)
    .map(([id]) => id);
  return { asOf: input.asOf, params, items, popular, customers: hist.size };
}

interface Acc {
  cf: number;
  cfFrom: string;
  cfBest: number;
  content: number;
  contentFrom: string;
  contentBest: number;
}

/**
 * The top `k` items for a customer with this history, with a reason each. `mode: 'again'` ranks what they
 * bought before (buy again) instead of excluding it. `now` (default: the model's as-of) ages the history.
 */
export function recommend(
  model: Model,
  history: readonly HistoryEntry[],
  options: {
    k?: number;
    mode?: Mode;
    now?: number;
    exclude?: ReadonlySet<string>;
    /** Only these items ("recommend Christmas products"): each is a candidate, on popularity at least. */
    only?: ReadonlySet<string>;
  } = {},
): Recommendation[] {
  const k = options.k ?? 10;
  const now = options.now ?? model.asOf;
  const name = (id: string) => model.items.get(id)?.name ?? id;
  if (options.mode === 'again') return buyAgain(model, history, k, now, name);

  const { params } = model;
  const bought = new Set(history.map((h) => h.item));
  const acc = new Map<string, Acc>();
  const get = (id: string): Acc => {
    let a = acc.get(id);
    if (!a) {
      a = { cf: 0, cfFrom: '', cfBest: 0, content: 0, contentFrom: '', contentBest: 0 };
      acc.set(id, a);
    }
    return a;
  };
  let weightSum = 0;
  for (const h of history) {
    const entry = model.items.get(h.item);
    if (!entry) continue;
    const x = decay(now - h.last, params.cfHalfLifeDays);
    weightSum += x;
    for (const nb of entry.cf) {
      const a = get(nb.id);
      const c = x * nb.score;
      a.cf += c;
      if (c > a.cfBest) {
        a.cfBest = c;
        a.cfFrom = h.item;
      }
    }
    if (params.wContent > 0) {
      for (const nb of entry.content) {
        const a = get(nb.id);
        const c = x * nb.score;
        a.content += c;
        if (c > a.contentBest) {
          a.contentBest = c;
          a.contentFrom = h.item;
        }
      }
    }
  }
  for (const id of model.popular) get(id);
  if (options.only) for (const id of options.only) if (model.items.has(id)) get(id);
  let maxCf = 0;
  for (const a of acc.values()) if (a.cf > maxCf) maxCf = a.cf;
  const scored: Recommendation[] = [];
  for (const [id, a] of acc) {
    if (bought.has(id) || options.exclude?.has(id) || (options.only && !options.only.has(id))) continue;
    const item = model.items.get(id);
    const cf = maxCf > 0 ? a.cf / maxCf : 0;
    const content = weightSum > 0 ? (params.wContent * a.content) / weightSum : 0;
    const pop = params.wPop * (item?.popularity ?? 0) + (history.length === 0 ? (item?.popularity ?? 0) : 0);
    const score = cf + content + pop;
    if (score <= 0) continue;
    let source: Recommendation['source'] = 'popularity';
    if (cf >= content && cf >= pop && a.cfFrom) source = 'collaborative';
    else if (content >= pop && a.contentFrom) source = 'content';
    scored.push({ itemId: id, name: item?.name ?? id, score, reason: '', source });
  }
  scored.sort((x, y) => y.score - x.score || (x.itemId < y.itemId ? -1 : 1));
  const top = scored.slice(0, k);
  for (const r of top) {
    const a = acc.get(r.itemId)!;
    r.score = Math.round(r.score * 1e4) / 1e4;
    if (r.source === 'collaborative') r.reason = `bought together with ${name(a.cfFrom)}`;
    else if (r.source === 'content') r.reason = `similar to ${name(a.contentFrom)}`;
    else r.reason = model.items.get(r.itemId)?.trending ? 'trending this month' : 'a best seller right now';
  }
  return top;
}

/** A customer's best-suited item among some, by the collaborative model alone, and the purchase behind it. */
export interface Affinity {
  itemId: string;
  /** EASE's prediction for the item from the customer's time-decayed purchases (comparable across customers). */
  affinity: number;
  /** The purchase that adds most to it. */
  from: string;
  /** The next best item's affinity (breaks ties between customers). */
  next: number;
}

/**
 * Scores customers against a set of items, for "which customers are likely to buy X": each customer's
 * predicted affinity for their best-suited item of the set that they have not bought yet. Unlike `recommend`,
 * nothing is scaled per customer, so affinities compare across customers. The item-to-item weights into the
 * set are gathered once, so scoring a customer costs only their purchases' links into it.
 *
 * @example
 * const score = affinityTo(model, new Set(['C1', 'C2']));
 * score([{ item: 'C3', count: 1, last: model.asOf }])?.itemId; // 'C1' or 'C2'
 */
export function affinityTo(
  model: Model,
  items: ReadonlySet<string>,
): (history: readonly HistoryEntry[], now?: number) => Affinity | null {
  const into = new Map<string, Neighbour[]>();
  for (const [id, entry] of model.items) {
    const links = entry.cf.filter((nb) => items.has(nb.id));
    if (links.length > 0) into.set(id, links);
  }
  const halfLife = model.params.cfHalfLifeDays;
  return (history, now = model.asOf) => {
    const bought = new Set(history.map((h) => h.item));
    const sum = new Map<string, { affinity: number; from: string; best: number }>();
    for (const h of history) {
      const links = into.get(h.item);
      if (!links) continue;
      const x = decay(now - h.last, halfLife);
      for (const nb of links) {
        if (bought.has(nb.id)) continue;
        const c = x * nb.score;
        const a = sum.get(nb.id);
        if (!a) sum.set(nb.id, { affinity: c, from: h.item, best: c });
        else {
          a.affinity += c;
          if (c > a.best) {
            a.best = c;
            a.from = h.item;
          }
        }
      }
    }
    let top: Affinity | null = null;
    for (const [itemId, a] of sum) {
      if (a.affinity <= 0) continue;
      if (!top || a.affinity > top.affinity || (a.affinity === top.affinity && itemId < top.itemId)) {
        top = { itemId, affinity: a.affinity, from: a.from, next: top ? top.affinity : 0 };
      } else if (a.affinity > top.next) top.next = a.affinity;
    }
    return top;
  };
}

function buyAgain(
  model: Model,
  history: readonly HistoryEntry[],
  k: number,
  now: number,
  name: (id: string) => string,
): Recommendation[] {
  const out = history.map((h) => {
    // Items bought often and lately come first; popularity breaks ties between one-off purchases.
    const score =
      Math.log2(1 + h.count) * decay(now - h.last, model.params.popHalfLifeDays * 3) +
      0.01 * (model.items.get(h.item)?.popularity ?? 0);
    const when = new Date(h.last).toISOString().slice(0, 10);
    return {
      itemId: h.item,
      name: name(h.item),
      score: Math.round(score * 1e4) / 1e4,
      reason: h.count > 1 ? `bought ${h.count} times, last on ${when}` : `bought once, on ${when}`,
      source: 'history' as const,
    };
  });
  out.sort((x, y) => y.score - x.score || (x.itemId < y.itemId ? -1 : 1));
  return out.slice(0, k);
}
