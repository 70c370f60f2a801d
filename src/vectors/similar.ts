/**
 * Content similarity for marketers: "what is similar to the white hanging heart t-light holder?". A product is
 * named by stock code or by name (matched first); anything else is embedded as a description. Product vectors
 * are (re)built on demand when the catalogue or the embedding provider changed since they were stored.
 */
import { UserError } from '../core/errors.ts';
import type { Database } from '../db/client.ts';
import { type CatalogueItem, loadCatalogue, productText } from './catalogue.ts';
import { indexCatalogue, openEmbeddingProvider, openVectorStore, type VectorConfig } from './index.ts';
import { isZeroVector, normalizeText } from './local-embeddings.ts';
import { getSpace, sameSpace } from './registry.ts';
import {
  type EmbeddingProvider,
  type IndexSummary,
  type MetadataFilter,
  PRODUCTS_NAMESPACE,
  type VectorStore,
} from './types.ts';

export interface SimilarItem {
  id: string;
  name: string;
  category: string;
  price: number | null;
  /** Cosine similarity, 1 = same direction. */
  score: number;
  /** Why it is similar, in a few words. */
  reason: string;
}

export interface SimilarResult {
  /** The product asked about, or the free text when no product matched. */
  anchor: { kind: 'item'; item: CatalogueItem; matchedBy: 'id' | 'name' } | { kind: 'text'; text: string };
  items: SimilarItem[];
  provider: Pick<EmbeddingProvider, 'name' | 'model' | 'dimension'>;
  backend: VectorStore['backend'];
  /** Set when product vectors were (re)built for this question. */
  reindexed?: IndexSummary;
}

export interface SimilarOptions {
  config: VectorConfig;
  /** The store to use (tests, callers holding one); opened from `config` when absent. */
  store?: VectorStore;
  k?: number;
  filter?: MetadataFilter;
}

/** A product named by stock code, by exact name, or by a name containing the words asked for (one product). */
export function resolveItem(
  catalogue: CatalogueItem[],
  query: string,
): { item: CatalogueItem; matchedBy: 'id' | 'name' } | undefined {
  const q = query.trim();
  const byId = catalogue.find((p) => p.id.toLowerCase() === q.toLowerCase());
  if (byId) return { item: byId, matchedBy: 'id' };
  const wanted = normalizeText(q);
  if (!wanted) return undefined;
  const exact = catalogue.filter((p) => normalizeText(p.name) === wanted);
  if (exact.length) return { item: exact[0]!, matchedBy: 'name' };
  const containing = catalogue.filter((p) => ` ${normalizeText(p.name)} `.includes(` ${wanted} `));
  if (containing.length === 1) return { item: containing[0]!, matchedBy: 'name' };
  return undefined;
}

const STOP = new Set(['the', 'and', 'of', 'set', 'with', 'for', 'in', 'a', 'an', 'to', 'de', 'pack', 'box']);

function words(text: string): string[] {
  return normalizeText(text)
    .split(' ')
    .filter((w) => w.length >= 3 && !STOP.has(w) && !/^\d+$/.test(w));
}

/** Words of `candidate` that `anchorWords` share (a plural or longer form counts: heart ~ hearts). */
function shared(anchorWords: string[], candidate: string): string[] {
  const out: string[] = [];
  for (const w of words(candidate)) {
    const hit = anchorWords.some(
      (a) => a === w || (Math.min(a.length, w.length) >= 4 && (a.startsWith(w) || w.startsWith(a))),
    );
    if (hit && !out.includes(w)) out.push(w);
  }
  return out;
}

/** A short reason a marketer can read: the words in common, else the category, else the model's judgement. */
export function similarityReason(
  anchor: { name: string; category?: string } | { text: string },
  item: Pick<CatalogueItem, 'name' | 'category'>,
  provider: EmbeddingProvider['name'],
): string {
  const anchorText = 'text' in anchor ? anchor.text : anchor.name;
  const common = shared(words(anchorText), item.name).slice(0, 3);
  const sameCategory = 'category' in anchor && anchor.category === item.category && item.category !== 'Other';
  if (common.length) {
    return `${'text' in anchor ? 'matches' : 'shares'} ${common.map((w) => `"${w}"`).join(', ')}${
      sameCategory ? `; same category` : ''
    }`;
  }
  if (sameCategory) return `same category (${item.category})`;
  return provider === 'openai' ? 'close in meaning' : 'similar wording';
}

/**
 * Makes sure product vectors exist in the store for the current catalogue and provider, (re)building them
 * when missing, when the provider or model changed, or when the catalogue grew since they were stored.
 */
export async function ensureProductVectors(
  database: Database,
  options: { config: VectorConfig; store: VectorStore; catalogueSize: number },
): Promise<{ provider: EmbeddingProvider; reindexed?: IndexSummary }> {
  const { config, store } = options;
  const space = await getSpace(database, store.backend, PRODUCTS_NAMESPACE);
  let provider: EmbeddingProvider | undefined;
  try {
    provider = await openEmbeddingProvider({ config, database });
  } catch (error) {
    if (!(error instanceof UserError && error.code === 'embeddings_not_fitted')) throw error;
  }
  if (provider && space && sameSpace(space, provider) && space.count === options.catalogueSize) {
    return { provider };
  }
  // The local model only knows the words of the catalogue it was fitted on: refit when that changed.
  const fresh =
    provider?.name === 'openai' ? provider : await openEmbeddingProvider({ config, database, fit: true });
  const reindexed = await indexCatalogue(database, { store, provider: fresh });
  return { provider: fresh, reindexed };
}

/**
 * The `k` products most similar to a product (stock code or name) or to a description.
 *
 * @example
 * const result = await findSimilar(database, 'white hanging heart t-light holder', { config, k: 10 });
 * result.items[0]; // { id: '85123a', name: 'WHITE HANGING HEART T-LIGHT HOLDER', score: 0.99, reason: ... }
 */
export async function findSimilar(
  database: Database,
  query: string,
  options: SimilarOptions,
): Promise<SimilarResult> {
  const k = options.k ?? 10;
  if (!Number.isInteger(k) || k < 1 || k > 100) {
    throw new UserError('bad_k', `Ask for between 1 and 100 similar products (got ${k}).`);
  }
  if (!query.trim()) {
    throw new UserError(
      'similar_what',
      'Say which product: a stock code (e.g. 85123A), its name, or a description.',
    );
  }
  const catalogue = await loadCatalogue(database);
  if (catalogue.length === 0) {
    throw new UserError(
      'empty_catalogue',
      'There are no products to compare yet. Import orders first (`megaphone import FILE` or `megaphone demo`).',
    );
  }
  const store = options.store ?? (await openVectorStore({ config: options.config, database }));
  const { provider, reindexed } = await ensureProductVectors(database, {
    config: options.config,
    store,
    catalogueSize: catalogue.length,
  });
  const byId = new Map(catalogue.map((p) => [p.id, p]));
  const resolved = resolveItem(catalogue, query);
  let vector: Float32Array | number[];
  if (resolved) {
    const [stored] = await store.fetch(PRODUCTS_NAMESPACE, [resolved.item.id]);
    vector = stored?.values ?? (await provider.embed([productText(resolved.item)]))[0]!;
  } else {
    vector = (await provider.embed([query]))[0]!;
    if (isZeroVector(vector)) {
      throw new UserError(
        'similar_unknown_words',
        `No product is named "${query.trim()}", and none of its words appear in the catalogue. ` +
          'Try a stock code (e.g. 85123A), part of a product name, or other words.',
      );
    }
  }
  const matches = await store.query(PRODUCTS_NAMESPACE, {
    vector,
    topK: k + (resolved ? 1 : 0),
    includeMetadata: true,
    ...(options.filter ? { filter: options.filter } : {}),
  });
  const anchor = resolved ? { name: resolved.item.name, category: resolved.item.category } : { text: query };
  const items: SimilarItem[] = [];
  for (const m of matches) {
    if (resolved && m.id === resolved.item.id) continue;
    // The catalogue is the source of truth for names and prices; a vector left from a deleted product is skipped.
    const item = byId.get(m.id);
    if (!item) continue;
    items.push({
      id: item.id,
      name: item.name,
      category: item.category,
      price: item.price,
      score: m.score,
      reason: similarityReason(anchor, item, provider.name),
    });
    if (items.length === k) break;
  }
  return {
    anchor: resolved ? { kind: 'item', ...resolved } : { kind: 'text', text: query.trim() },
    items,
    provider: { name: provider.name, model: provider.model, dimension: provider.dimension },
    backend: store.backend,
    ...(reindexed ? { reindexed } : {}),
  };
}
