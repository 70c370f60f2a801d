/**
 * Segment discovery: "what natural groups do our customers fall into?". k-means over five purchase features,
 * then, for every group, a plain-word label and an explainable segment definition that approximates it, so a
 * group can be saved like any other segment (a definition over features, never a list of ids).
 *
 * Method:
 * - Features: recency_days, log1p(orders), log1p(spend), log1p(avg_order_value), tenure_days, standardised to
 *   z-scores over all customers. The logs keep a handful of big spenders from becoming groups of their own.
 * - k-means (`ml-kmeans`, k-means++ initialisation) with a few seeded restarts, keeping the lowest inertia. Above
 *   50,000 customers the fit uses a deterministic sample of 20,000 and everyone is then assigned to the nearest
 *   centre. Samples are chosen by a seeded hash of the customer id, so they do not depend on row order.
 * - k, when not given, is the one in `kRange` (default 2..8) with the best mean silhouette, measured on a
 *   deterministic sample of at most 2,000 customers.
 * - Definition: up to three `range`/`metric` conditions, chosen greedily by how much each improves the match with
 *   the group (on the fit sample); bounds come from the group's own percentiles (2nd..20th below, 80th..98th
 *   above), rounded outward to whole days and orders and to two significant figures of money. A side that would
 *   include everyone is left open (a `gte`/`lte` condition), so a saved "top spenders" segment keeps tomorrow's
 *   biggest spender. One condition is kept when a second would not raise the agreement by 0.01.
 * - `agreement` is the Jaccard index |members ∩ selected| / |members ∪ selected|: 1 when the definition selects
 *   exactly the group, and it falls both for members it misses and for outsiders it lets in.
 */
import { count, type SQL, sql } from 'drizzle-orm';
import type { kmeans as KMeans } from 'ml-kmeans';
import { customerFeatures } from '../../db/schema.ts';
import { UserError } from '../core/errors.ts';
import type { Database } from '../db/client.ts';
import { compileWhere } from './compile.ts';
import { type Condition, type Metric, type SegmentDefinition, segmentDefinition } from './definition.ts';

export interface ClusterCentre {
  recencyDays: number;
  orders: number;
  spend: number;
  avgOrderValue: number;
  tenureDays: number;
}

export interface DiscoveredCluster {
  /** Position in `clusters` (0 = the largest group). */
  index: number;
  size: number;
  /** size / customers. */
  share: number;
  /**
   * The group's mean in the clustering space, in original units: days are plain means; orders, spend and average
   * order are expm1 of the mean log1p, a typical value that a few very large customers do not drag upwards.
   */
  centre: ClusterCentre;
  /** Plain words relative to the whole customer base, e.g. "High spend · frequent · bought in the last month". */
  label: string;
  /** Explainable approximation of the group over customer features; valid for `segmentDefinition`. */
  definition: SegmentDefinition;
  /** Customers the definition selects, counted in the database. */
  definitionMatches: number;
  /** Jaccard index of the group and the definition's selection: |members ∩ selected| / |members ∪ selected|. */
  agreement: number;
}

export interface Discovery {
  /** Groups found: k, unless so many customers are identical that a group ended up empty (then dropped). */
  k: number;
  chosenBy: 'given' | 'silhouette';
  /** Mean silhouette of the grouping (-1..1, higher is better separated), on a sample of at most 2,000. */
  silhouette: number;
  /** Silhouette of every k tried, when k was chosen by silhouette. */
  silhouetteByK?: Record<number, number>;
  /** Largest first. */
  clusters: DiscoveredCluster[];
  /** Customers grouped (every customer with features). */
  customers: number;
}

export interface DiscoverOptions {
  /** Number of groups, 2..12. When absent, chosen by silhouette over `kRange` (ignored when k is given). */
  k?: number;
  /** Seed for sampling and k-means initialisation; the same seed and data give the same answer. Default 42. */
  seed?: number;
  /** Inclusive range of k tried when k is not given, within 2..12. Default [2, 8]. */
  kRange?: [number, number];
}

const MIN_CUSTOMERS = 10;
const K_MIN = 2;
const K_MAX = 12;
const DEFAULT_K_RANGE: [number, number] = [2, 8];
const DEFAULT_SEED = 42;
const SAMPLE_ABOVE = 50_000;
const FIT_SAMPLE = 20_000;
const SILHOUETTE_SAMPLE = 2_000;
const RESTARTS = 4;
const MAX_DEFINITION_CONDITIONS = 3;
/** A further condition must improve the agreement by at least this much to earn its place. */
const MIN_GAIN = 0.01;
const LOWER_QUANTILES = [0.02, 0.05, 0.1, 0.2];
const UPPER_QUANTILES = [0.8, 0.9, 0.95, 0.98];

interface Feature {
  key: keyof ClusterCentre;
  metric: Metric;
  log: boolean;
  money: boolean;
}

const FEATURES: readonly Feature[] = [
  { key: 'recencyDays', metric: 'recency_days', log: false, money: false },
  { key: 'orders', metric: 'orders', log: true, money: false },
  { key: 'spend', metric: 'spend', log: true, money: true },
  { key: 'avgOrderValue', metric: 'avg_order_value', log: true, money: true },
  { key: 'tenureDays', metric: 'tenure_days', log: false, money: false },
];
const DIMS = FEATURES.length;

/** Feature values by column: `values[f][i]` is feature f of customer i, in original units. */
interface Store {
  ids: string[];
  values: Float64Array[];
}

async function loadFeatures(database: Database): Promise<Store> {
  // One row of column arrays: far cheaper to send and parse than a row per customer (10x on PGlite). The "C"
  // collation gives the same order on every server whatever its locale, so the answer does not depend on it.
  const agg = (column: SQL) => sql`array_agg(${column} order by customer_id collate "C")`;
  const [row] = await database.rows<Record<'ids' | Metric, unknown[] | null>>(sql`
    select ${agg(sql`customer_id`)} as ids,
      ${agg(sql`recency_days::float8`)} as recency_days,
      ${agg(sql`orders::float8`)} as orders,
      ${agg(sql`spend::float8`)} as spend,
      ${agg(sql`avg_order_value::float8`)} as avg_order_value,
      ${agg(sql`tenure_days::float8`)} as tenure_days
    from customer_features
    where recency_days is not null and tenure_days is not null and avg_order_value is not null`);
  const ids = (row?.ids ?? []).map(String);
  const values = FEATURES.map((feature) => Float64Array.from(row?.[feature.metric] ?? [], Number));
  return { ids, values };
}

function transform(feature: Feature, x: number): number {
  return feature.log ? Math.log1p(Math.max(0, x)) : x;
}

function untransform(feature: Feature, t: number): number {
  return feature.log ? Math.expm1(t) : t;
}

/** FNV-1a over the seed and the id: a stable pseudo-random rank per customer. */
function hashRank(seed: number, id: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // A final avalanche, so ids that differ in their last digit spread over the whole range.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let j = 0; j < DIMS; j++) {
    const x = a[j]! - b[j]!;
    d += x * x;
  }
  return d;
}

function nearest(point: ArrayLike<number>, centres: number[][]): number {
  let best = 0;
  let bestD = Number.POSITIVE_INFINITY;
  for (let c = 0; c < centres.length; c++) {
    const d = squaredDistance(point, centres[c]!);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

/** k-means with seeded k-means++ restarts; the centres of the run with the lowest inertia. */
// ml-kmeans (with ml-matrix) costs about a second to load: only discovery pays for it, not every start.
let kmeans: typeof KMeans;

function fitCentres(points: number[][], k: number, seed: number): number[][] {
  let best: number[][] = [];
  let bestInertia = Number.POSITIVE_INFINITY;
  for (let r = 0; r < RESTARTS; r++) {
    const result = kmeans(points, k, {
      seed: seed + r * 7919,
      initialization: 'kmeans++',
      maxIterations: 300,
    });
    let inertia = 0;
    for (const p of points) inertia += squaredDistance(p, result.centroids[nearest(p, result.centroids)]!);
    if (inertia < bestInertia) {
      bestInertia = inertia;
      best = result.centroids;
    }
  }
  return best;
}

/** Mean silhouette of `labels` over points whose pairwise distances are in `dist` (row-major m × m). */
function silhouette(dist: Float64Array, labels: Int32Array, k: number): number {
  const m = labels.length;
  const sizes = new Int32Array(k);
  for (const l of labels) sizes[l]!++;
  if (sizes.filter((s) => s > 0).length < 2) return 0;
  const sums = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < m; i++) {
    sums.fill(0);
    for (let j = 0; j < m; j++) sums[labels[j]!]! += dist[i * m + j]!;
    const own = labels[i]!;
    // A point alone in its group scores 0 by convention.
    if (sizes[own]! <= 1) continue;
    const a = sums[own]! / (sizes[own]! - 1);
    let b = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      if (c !== own && sizes[c]! > 0) b = Math.min(b, sums[c]! / sizes[c]!);
    }
    const denominator = Math.max(a, b);
    total += denominator > 0 ? (b - a) / denominator : 0;
  }
  return total / m;
}

/** Nearest-rank quantile of sorted values. */
function quantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  return sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!;
}

/** Money rounded to two significant figures (whole pounds at least), outward so the bound keeps its members. */
function roundMoney(x: number, direction: 'down' | 'up'): number {
  if (x <= 0) return 0;
  const step = Math.max(1, 10 ** (Math.floor(Math.log10(x)) - 1));
  const r = direction === 'down' ? Math.floor(x / step) * step : Math.ceil(x / step) * step;
  return Number(r.toFixed(2));
}

function roundBound(feature: Feature, x: number, direction: 'down' | 'up'): number {
  if (feature.money) return roundMoney(x, direction);
  return direction === 'down' ? Math.floor(x) : Math.ceil(x);
}

/** One side may be open (null); never both. */
interface Bound {
  f: number;
  lo: number | null;
  hi: number | null;
}

function toCondition(b: Bound): Condition {
  const metric = FEATURES[b.f]!.metric;
  if (b.lo !== null && b.hi !== null) {
    return b.lo === b.hi
      ? { kind: 'metric', metric, op: 'eq', value: b.lo }
      : { kind: 'range', metric, min: b.lo, max: b.hi };
  }
  if (b.lo !== null) return { kind: 'metric', metric, op: 'gte', value: b.lo };
  return { kind: 'metric', metric, op: 'lte', value: b.hi! };
}

function inBound(b: Bound, x: number): boolean {
  return (b.lo === null || x >= b.lo) && (b.hi === null || x <= b.hi);
}

/** Index of the first value in `sorted` that is >= x (`strict`: > x). */
function firstAbove(sorted: Float64Array, x: number, strict: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (strict ? sorted[mid]! <= x : sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function countBetween(sorted: Float64Array, min: number, max: number): number {
  return firstAbove(sorted, max, true) - firstAbove(sorted, min, false);
}

/** The values of `column` at `indices` (those with member[i] === want, when given), sorted. */
function sortedValues(column: Float64Array, indices: Int32Array, member?: Uint8Array, want?: number) {
  const out = new Float64Array(indices.length);
  let next = 0;
  for (const i of indices) if (!member || member[i] === want) out[next++] = column[i]!;
  return out.subarray(0, next).sort();
}

/**
 * Greedy search for the conditions that best match one group on the customers in `pool`: at each step the
 * feature and bounds that raise the Jaccard index most, while that gain is worth a condition.
 */
function searchDefinition(
  store: Store,
  pool: Int32Array,
  member: Uint8Array,
  popMin: number[],
  popMax: number[],
): Bound[] {
  let groupSize = 0;
  for (const i of pool) groupSize += member[i]!;
  let selected = pool;
  let score = groupSize / pool.length;
  const chosen: Bound[] = [];
  while (chosen.length < MAX_DEFINITION_CONDITIONS) {
    let best: { bound: Bound; score: number } | undefined;
    for (let f = 0; f < DIMS; f++) {
      if (chosen.some((b) => b.f === f)) continue;
      const feature = FEATURES[f]!;
      const column = store.values[f]!;
      const groupValues = sortedValues(column, pool, member, 1);
      const selectedValues = sortedValues(column, selected);
      const selectedMembers = sortedValues(column, selected, member, 1);
      const los = new Set<number | null>([null]);
      const his = new Set<number | null>([null]);
      for (const q of LOWER_QUANTILES) {
        const lo = roundBound(feature, quantile(groupValues, q), 'down');
        los.add(lo <= popMin[f]! ? null : lo);
      }
      for (const q of UPPER_QUANTILES) {
        const hi = roundBound(feature, quantile(groupValues, q), 'up');
        his.add(hi >= popMax[f]! ? null : hi);
      }
      for (const lo of los) {
        for (const hi of his) {
          if (lo === null && hi === null) continue;
          const min = lo ?? Number.NEGATIVE_INFINITY;
          const max = hi ?? Number.POSITIVE_INFINITY;
          const both = countBetween(selectedMembers, min, max);
          const picked = countBetween(selectedValues, min, max);
          const jaccard = both / (groupSize + picked - both || 1);
          if (!best || jaccard > best.score) best = { bound: { f, lo, hi }, score: jaccard };
        }
      }
    }
    if (!best || (chosen.length > 0 && best.score - score < MIN_GAIN)) break;
    chosen.push(best.bound);
    score = best.score;
    const column = store.values[best.bound.f]!;
    const bound = best.bound;
    selected = selected.filter((i) => inBound(bound, column[i]!));
  }
  return chosen;
}

const MONTH_DAYS = 30.44;

function recencyWords(days: number): string {
  if (days > 365) return 'lapsed over a year';
  const months = Math.round(days / MONTH_DAYS);
  return months <= 1 ? 'bought in the last month' : `quiet for ${months} months`;
}

/** Every customer's value of a feature, sorted: labels place a group's centre among them. */
interface Population {
  spend: Float64Array;
  orders: Float64Array;
  avgOrderValue: Float64Array;
}

/** Share of the population below x, counting ties as half: 0.5 is the median, whatever the ties. */
function percentRank(sorted: Float64Array, x: number): number {
  return (firstAbove(sorted, x, false) + firstAbove(sorted, x, true)) / 2 / sorted.length;
}

function baseLabel(c: ClusterCentre, pop: Population): string {
  const rank = percentRank(pop.spend, c.spend);
  const spend =
    rank < 1 / 3 ? 'Low spend' : rank < 2 / 3 ? 'Mid spend' : rank < 0.9 ? 'High spend' : 'Very high spend';
  const frequency =
    c.orders < 1.5
      ? 'one-time'
      : c.orders >= 2.5 && percentRank(pop.orders, c.orders) >= 2 / 3
        ? 'frequent'
        : 'occasional';
  return `${spend} · ${frequency} · ${recencyWords(c.recencyDays)}`;
}

/** Extra words for groups whose base labels coincide, from the features the base label leaves out. */
function extraWords(c: ClusterCentre, pop: Population): string[] {
  const rank = percentRank(pop.avgOrderValue, c.avgOrderValue);
  const basket = rank < 1 / 3 ? 'small baskets' : rank < 2 / 3 ? 'mid-size baskets' : 'big baskets';
  const months = Math.round(c.tenureDays / MONTH_DAYS);
  const tenure = months <= 1 ? 'new customers' : `customers for ${months} months`;
  return [basket, tenure];
}

function labelClusters(centres: ClusterCentre[], pop: Population): string[] {
  const labels = centres.map((c) => baseLabel(c, pop));
  const extras = centres.map((c) => extraWords(c, pop));
  const groups = new Map<string, number[]>();
  for (const [i, l] of labels.entries()) groups.set(l, [...(groups.get(l) ?? []), i]);
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    // The first extra that tells the twins apart on its own, else all of them: labels stay as short as possible.
    const telling = [0, 1].find((e) => new Set(group.map((i) => extras[i]![e])).size === group.length);
    for (const i of group) {
      const words = telling === undefined ? extras[i]! : [extras[i]![telling]!];
      labels[i] = [labels[i], ...words].join(' · ');
    }
  }
  const seen = new Map<string, number>();
  return labels.map((l) => {
    const n = (seen.get(l) ?? 0) + 1;
    seen.set(l, n);
    return n === 1 ? l : `${l} (${n})`;
  });
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}

function validateK(k: number, what: string): void {
  if (!Number.isInteger(k) || k < K_MIN || k > K_MAX) {
    throw new UserError(
      'discover_bad_k',
      `${what} must be a whole number between ${K_MIN} and ${K_MAX}, not ${k}.`,
      { hint: 'Ask for e.g. 4 groups, or leave the number out and Megaphone picks the best split.' },
    );
  }
}

/**
 * Finds the natural groups in the customer base with k-means, and describes each one in plain words and as a
 * saveable segment definition (see the module comment for the method and what `agreement` measures).
 *
 * Throws a `UserError` when there are fewer than 10 customers with purchases, or for k outside 2..12.
 *
 * @example
 * const discovery = await discoverSegments(database, { k: 4 });
 * for (const c of discovery.clusters) {
 *   console.log(`${c.label}: ${c.size} customers, ${describeSegment(c.definition)} (agreement ${c.agreement})`);
 * }
 */
export async function discoverSegments(database: Database, opts: DiscoverOptions = {}): Promise<Discovery> {
  const seed = opts.seed ?? DEFAULT_SEED;
  if (opts.k !== undefined) validateK(opts.k, 'The number of groups');
  kmeans ??= (await import('ml-kmeans')).kmeans;
  const [kLow, kHigh] = opts.kRange ?? DEFAULT_K_RANGE;
  if (opts.k === undefined) {
    validateK(kLow, 'The smallest number of groups to try');
    validateK(kHigh, 'The largest number of groups to try');
    if (kLow > kHigh) {
      throw new UserError(
        'discover_bad_k',
        `The range of groups to try is empty: ${kLow} is more than ${kHigh}.`,
      );
    }
  }

  const store = await loadFeatures(database);
  const n = store.ids.length;
  if (n < MIN_CUSTOMERS) {
    throw new UserError(
      'discover_not_enough_data',
      `Not enough data to find customer groups: ${n === 0 ? 'no customers have' : `only ${n} customer${n === 1 ? ' has' : 's have'}`} purchases, and at least ${MIN_CUSTOMERS} are needed.`,
      { hint: 'Import more sales first (or load the demo shop), then ask again.' },
    );
  }

  // Standardise the transformed features over everyone.
  const z = FEATURES.map((feature, f) => {
    const t = Float64Array.from(store.values[f]!, (x) => transform(feature, x));
    let mean = 0;
    for (const x of t) mean += x;
    mean /= n;
    let variance = 0;
    for (const x of t) variance += (x - mean) ** 2;
    const sd = Math.sqrt(variance / n) || 1;
    return t.map((x) => (x - mean) / sd);
  });
  const point = (i: number) => z.map((column) => column[i]!);

  // Both samples are prefixes of one seeded hash order, so the silhouette sample lies inside the fit sample.
  const ranks = store.ids.map((id) => hashRank(seed, id));
  const byRank = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => ranks[a]! - ranks[b]! || a - b);
  const fitIdx =
    n > SAMPLE_ABOVE ? byRank.slice(0, FIT_SAMPLE).sort() : Int32Array.from({ length: n }, (_, i) => i);
  const silIdx = byRank.slice(0, Math.min(SILHOUETTE_SAMPLE, n)).sort();
  const fitPoints = Array.from(fitIdx, point);

  const distinct = new Set(fitPoints.map((p) => p.join(','))).size;
  const kMaxPossible = Math.min(distinct, K_MAX);
  const kWanted = opts.k ?? kLow;
  if (kWanted > kMaxPossible) {
    throw new UserError(
      'discover_not_enough_data',
      `Not enough data to find ${kWanted} customer groups: the ${n} customers have only ${distinct} different purchase profile${distinct === 1 ? '' : 's'}.`,
      { hint: 'Ask for fewer groups, or import more sales first.' },
    );
  }

  const silPoints = Array.from(silIdx, point);
  const m = silPoints.length;
  const dist = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const d = Math.sqrt(squaredDistance(silPoints[i]!, silPoints[j]!));
      dist[i * m + j] = d;
      dist[j * m + i] = d;
    }
  }
  const scoreK = (k: number) => {
    const centres = fitCentres(fitPoints, k, seed);
    const labels = Int32Array.from(silPoints, (p) => nearest(p, centres));
    return { k, centres, silhouette: silhouette(dist, labels, k) };
  };

  let chosen: ReturnType<typeof scoreK>;
  let silhouetteByK: Record<number, number> | undefined;
  if (opts.k !== undefined) {
    chosen = scoreK(opts.k);
  } else {
    silhouetteByK = {};
    let best: ReturnType<typeof scoreK> | undefined;
    for (let k = kLow; k <= Math.min(kHigh, kMaxPossible); k++) {
      const result = scoreK(k);
      silhouetteByK[k] = round(result.silhouette, 4);
      // Strictly better only: on a tie the simpler answer (fewer groups) wins.
      if (!best || result.silhouette > best.silhouette + 1e-9) best = result;
    }
    chosen = best!;
  }

  const assignment = new Int32Array(n);
  const scratch = new Float64Array(DIMS);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < DIMS; f++) scratch[f] = z[f]![i]!;
    assignment[i] = nearest(scratch, chosen.centres);
  }

  const sortedColumns = store.values.map((column) => Float64Array.from(column).sort());
  const popMin = sortedColumns.map((s) => s[0]!);
  const popMax = sortedColumns.map((s) => s[n - 1]!);
  const population: Population = {
    spend: sortedColumns[2]!,
    orders: sortedColumns[1]!,
    avgOrderValue: sortedColumns[3]!,
  };

  const groups = chosen.centres
    .map((_, c) => {
      let size = 0;
      const sums = new Float64Array(DIMS);
      for (let i = 0; i < n; i++) {
        if (assignment[i] !== c) continue;
        size++;
        for (let f = 0; f < DIMS; f++) sums[f]! += transform(FEATURES[f]!, store.values[f]![i]!);
      }
      const centre = Object.fromEntries(
        FEATURES.map((feature, f) => {
          const value = size ? untransform(feature, sums[f]! / size) : 0;
          return [feature.key, round(value, feature.money ? 2 : feature.key === 'orders' ? 1 : 0)];
        }),
      ) as unknown as ClusterCentre;
      return { c, size, centre };
    })
    // An empty group can only come from many identical customers; it has nothing to describe.
    .filter((g) => g.size > 0)
    .sort((a, b) => b.size - a.size || a.c - b.c);

  const labels = labelClusters(
    groups.map((g) => g.centre),
    population,
  );

  const clusters: DiscoveredCluster[] = [];
  for (const [index, g] of groups.entries()) {
    const member = Uint8Array.from(assignment, (a) => (a === g.c ? 1 : 0));
    const bounds = searchDefinition(store, fitIdx, member, popMin, popMax);
    const definition = segmentDefinition.parse({ conditions: bounds.map(toCondition) });
    const [counted] = await database.db
      .select({ n: count() })
      .from(customerFeatures)
      .where(compileWhere(database.db, definition));
    const definitionMatches = Number(counted?.n ?? 0);
    let both = 0;
    for (let i = 0; i < n; i++) {
      if (member[i] && bounds.every((b) => inBound(b, store.values[b.f]![i]!))) both++;
    }
    const union = g.size + definitionMatches - both;
    clusters.push({
      index,
      size: g.size,
      share: round(g.size / n, 4),
      centre: g.centre,
      label: labels[index]!,
      definition,
      definitionMatches,
      agreement: round(union ? both / union : 0, 4),
    });
  }

  return {
    k: clusters.length,
    chosenBy: opts.k === undefined ? 'silhouette' : 'given',
    silhouette: round(chosen.silhouette, 4),
    ...(silhouetteByK ? { silhouetteByK } : {}),
    clusters,
    customers: n,
  };
}
