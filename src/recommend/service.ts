/**
 * Training and serving. Training reads the purchase events, fits the model (optionally tuning it on the last
 * slice of the training period first) and stores it; serving keeps the latest model in memory per database
 * and reads only the asking customers' histories, so one recommendation is a single indexed query plus
 * in-memory scoring.
 */
import { sql } from 'drizzle-orm';
import { products } from '../../db/schema.ts';
import { UserError } from '../core/errors.ts';
import type { Database } from '../db/client.ts';
import { latestEventAt } from '../ingest/features.ts';
import { productMatches } from '../segments/compile.ts';
import type { ProductMatch } from '../segments/definition.ts';
import { readGoods, sayGoodsAs } from '../segments/goods.ts';
import { loadVocabulary } from '../segments/vocabulary.ts';
import { type Neighbour, nameNeighbours } from './content.ts';
import { loadCatalogue, loadHistories, loadInteractions } from './data.ts';
import { type TuneResult, tune } from './evaluate.ts';
import {
  DEFAULT_PARAMS,
  fitModel,
  type Mode,
  type Model,
  type Params,
  type Recommendation,
  recommend,
} from './model.ts';
import { latestModelId, loadModel, saveModel } from './store.ts';

export type TrainProgress = (phase: string, done: number, total: number) => void;

export interface TrainOptions {
  /** Train on purchases strictly before this instant (default: all of them). */
  asOf?: Date | undefined;
  /** Choose hyperparameters on a held-out slice of the training period first. */
  tune?: boolean;
  /** Start from these instead of the last model's (or the defaults). */
  params?: Partial<Params>;
  /** Content neighbours from item vectors; the product names' words when absent. */
  content?: Map<string, Neighbour[]>;
  onProgress?: TrainProgress;
}

export interface TrainSummary {
  modelId: number;
  asOf: Date;
  customers: number;
  items: number;
  purchaseLines: number;
  params: Params;
  tuned?: Pick<TuneResult, 'validation' | 'window' | 'tried'> | undefined;
  trainMs: number;
  contentSource: 'names' | 'vectors';
}

const STEPS = ['load', 'content', 'tune', 'popularity', 'co-occurrence', 'collaborative model', 'save'];

export async function trainRecommender(
  database: Database,
  options: TrainOptions = {},
): Promise<TrainSummary> {
  const started = performance.now();
  const step = (phase: string) => options.onProgress?.(phase, STEPS.indexOf(phase), STEPS.length);
  step('load');
  const latest = await latestEventAt(database);
  if (!latest) {
    throw new UserError('no_purchases', 'There are no purchases to learn from yet.', {
      hint: 'Import orders with `megaphone import FILE.csv`, or load the demo shop with `megaphone demo`.',
    });
  }
  const asOf = options.asOf ?? new Date(latest.getTime() + 1);
  const [interactions, catalogue] = await Promise.all([
    loadInteractions(database, asOf),
    loadCatalogue(database),
  ]);
  if (interactions.length === 0) {
    throw new UserError(
      'no_purchases',
      `There are no purchases before ${asOf.toISOString().slice(0, 10)} to learn from.`,
      { hint: 'Pick a later --as-of date, or leave it out to use every purchase.' },
    );
  }
  step('content');
  const content = options.content ?? nameNeighbours(catalogue, DEFAULT_PARAMS.neighbours);
  const names = new Map(catalogue.map((c) => [c.id, c.name]));
  const previous = (await loadModel(database))?.model.params;
  let params: Params = { ...DEFAULT_PARAMS, ...previous, ...options.params };
  let tuned: TrainSummary['tuned'];
  if (options.tune) {
    step('tune');
    const result = tune(interactions, asOf.getTime(), { names, content }, params, (done, total) =>
      options.onProgress?.(`tune ${done}/${total}`, STEPS.indexOf('tune'), STEPS.length),
    );
    params = result.params;
    tuned = { validation: result.validation, window: result.window, tried: result.tried };
  }
  const model = fitModel({ interactions, asOf: asOf.getTime(), names, content }, params, (phase) =>
    step(phase),
  );
  step('save');
  const trainMs = performance.now() - started;
  const summary = {
    customers: model.customers,
    purchaseLines: interactions.length,
    trainMs,
    tuned: tuned
      ? { ...tuned, window: { from: new Date(tuned.window.from), to: new Date(tuned.window.to) } }
      : null,
    contentSource: options.content ? 'vectors' : 'names',
  };
  const modelId = await saveModel(database, model, summary);
  forgetModel(database);
  return {
    modelId,
    asOf,
    customers: model.customers,
    items: model.items.size,
    purchaseLines: interactions.length,
    params,
    tuned,
    trainMs,
    contentSource: options.content ? 'vectors' : 'names',
  };
}

interface Cached {
  id: number;
  model: Model;
  trainedAt: Date;
  checkedAt: number;
}

const cache = new WeakMap<Database, Cached>();
/** How long a cached model is served before checking for a newer one (another process may have trained). */
const RECHECK_MS = 10_000;

export function forgetModel(database: Database): void {
  cache.delete(database);
}

export interface ServedModel {
  model: Model;
  trainedAt: Date;
  /** Trained just now because there was no model yet. */
  trainedNow: boolean;
}

/** The latest model, from memory when fresh; trains one first when the database has none. */
export async function currentModel(database: Database): Promise<ServedModel> {
  const hit = cache.get(database);
  const now = Date.now();
  if (hit && now - hit.checkedAt < RECHECK_MS)
    return { model: hit.model, trainedAt: hit.trainedAt, trainedNow: false };
  const id = await latestModelId(database);
  if (hit && id === hit.id) {
    hit.checkedAt = now;
    return { model: hit.model, trainedAt: hit.trainedAt, trainedNow: false };
  }
  let trainedNow = false;
  if (id === null) {
    await trainRecommender(database);
    trainedNow = true;
  }
  const stored = await loadModel(database);
  if (!stored) throw new Error('a model was saved but cannot be read back');
  cache.set(database, { id: stored.id, model: stored.model, trainedAt: stored.trainedAt, checkedAt: now });
  return { model: stored.model, trainedAt: stored.trainedAt, trainedNow };
}

export interface CustomerRecommendations {
  customerId: string;
  /** Whether the id is a customer in the data (an unknown one, with `allowUnknown`, gets the cold-start list). */
  known: boolean;
  /** Purchases on record (0: cold start, popular and trending items). */
  historyItems: number;
  items: Recommendation[];
}

async function knownCustomers(database: Database, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await database.rows<{ id: string }>(sql`select id from customers where id in ${ids}`);
  return new Set(rows.map((r) => r.id));
}

/**
 * Recommendations for each customer (one history query for all of them). Unknown ids are refused with a
 * UserError naming them, unless `allowUnknown` (batch scoring gives them the cold-start list).
 */
export async function recommendFor(
  database: Database,
  customerIds: readonly string[],
  options: {
    k?: number;
    mode?: Mode;
    allowUnknown?: boolean;
    served?: ServedModel;
    /** Only these products ("recommend Christmas products"). */
    only?: ReadonlySet<string>;
  } = {},
): Promise<CustomerRecommendations[]> {
  const served = options.served ?? (await currentModel(database));
  const known = await knownCustomers(database, customerIds);
  if (!options.allowUnknown) {
    const missing = customerIds.filter((id) => !known.has(id));
    if (missing.length > 0) {
      throw new UserError(
        'unknown_customer',
        `There is no customer ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` (and ${missing.length - 3} more)` : ''} in the data.`,
        {
          hint: 'Check the id (as in the imported files, e.g. 12347), or run `stats` to see what is loaded.',
        },
      );
    }
  }
  const histories = await loadHistories(database, customerIds);
  return customerIds.map((customerId) => {
    const history = histories.get(customerId) ?? [];
    let now = served.model.asOf;
    for (const h of history) if (h.last > now) now = h.last;
    return {
      customerId,
      known: known.has(customerId),
      historyItems: history.length,
      items: recommend(served.model, history, {
        k: options.k ?? 10,
        mode: options.mode ?? 'new',
        now,
        ...(options.only ? { only: options.only } : {}),
      }),
    };
  });
}

export interface SegmentItem {
  itemId: string;
  name: string;
  /** Members who have this item in their own top 10. */
  customers: number;
  score: number;
  reason: string;
}

/**
 * The ids of the products a match names, for `only`: "recommend Christmas products" ranks among these.
 *
 * @example
 * const only = await productIdsMatching(database, { categoryContains: 'Christmas' });
 */
export async function productIdsMatching(database: Database, product: ProductMatch): Promise<Set<string>> {
  const rows = await database.db
    .select({ id: products.id })
    .from(products)
    .where(productMatches(product, products.id));
  return new Set(rows.map((r) => r.id));
}

/**
 * The products `said` names ("Christmas", "candle", "85123A"), read against the catalogue as segments read
 * them, with their ids; or a UserError with `code` saying why the words name none.
 *
 * @example
 * const { product, ids } = await findGoods(database, 'candles', { code: 'recommend_goods', example: 'recommend candles to lapsed customers' });
 */
export async function findGoods(
  database: Database,
  said: string,
  how: { code: string; example: string },
): Promise<{ product: ProductMatch; ids: Set<string> }> {
  const read = readGoods(said, await loadVocabulary(database));
  if (!read.ok) throw new UserError(how.code, read.message);
  const ids = await productIdsMatching(database, read.product);
  if (ids.size === 0) {
    throw new UserError(how.code, `No product in the catalogue is ${sayGoodsAs(read.product)}.`, {
      hint: `Name a category, or other words from product names, e.g. "${how.example}".`,
    });
  }
  return { product: read.product, ids };
}

/**
 * What to push to a whole audience: each member's top 20, pooled. Items are ranked by their total score over
 * the members (so an item that is a strong match for many beats filler that merely appears in many lists);
 * `customers` counts the members who have it in their own top 10; the reason is the one given most often.
 */
export async function recommendForSegment(
  database: Database,
  memberIds: readonly string[],
  options: { k?: number; only?: ReadonlySet<string> } = {},
): Promise<{ members: number; items: SegmentItem[] }> {
  const served = await currentModel(database);
  // Histories are read a thousand members at a time: one statement's parameters stay well under the limit.
  const per: CustomerRecommendations[] = [];
  for (let i = 0; i < memberIds.length; i += 1000) {
    per.push(
      ...(await recommendFor(database, memberIds.slice(i, i + 1000), {
        k: 20,
        allowUnknown: true,
        served,
        ...(options.only ? { only: options.only } : {}),
      })),
    );
  }
  const pool = new Map<string, { item: SegmentItem; reasons: Map<string, number> }>();
  for (const c of per) {
    for (const r of c.items) {
      let p = pool.get(r.itemId);
      if (!p) {
        p = {
          item: { itemId: r.itemId, name: r.name, customers: 0, score: 0, reason: '' },
          reasons: new Map(),
        };
        pool.set(r.itemId, p);
      }
      if (c.items.indexOf(r) < 10) p.item.customers++;
      p.item.score += r.score;
      p.reasons.set(r.reason, (p.reasons.get(r.reason) ?? 0) + 1);
    }
  }
  const items = [...pool.values()]
    .map(({ item, reasons }) => {
      const [reason] = [...reasons].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]!;
      return { ...item, score: Math.round(item.score * 1e3) / 1e3, reason };
    })
    .sort((a, b) => b.score - a.score || b.customers - a.customers || (a.itemId < b.itemId ? -1 : 1))
    .slice(0, options.k ?? 10);
  return { members: memberIds.length, items };
}
