/**
 * Entry points of content similarity: open the configured store and provider, index the catalogue.
 */
import { sql } from 'drizzle-orm';
import type { Config } from '../config.ts';
import { UserError } from '../core/errors.ts';
import type { Database } from '../db/client.ts';
import { loadCatalogue, productMetadata, productText } from './catalogue.ts';
import {
  fitLocalModel,
  type LocalModelData,
  loadLocalModel,
  localProvider,
  notFittedError,
  saveLocalModel,
} from './local-embeddings.ts';
import { openPgvectorStore } from './pgvector-store.ts';
import { getSpace, sameSpace, setSpace } from './registry.ts';
import {
  type EmbeddingProvider,
  type IndexSummary,
  PRODUCTS_NAMESPACE,
  type ProgressListener,
  type VectorRecord,
  type VectorStore,
} from './types.ts';

export type * from './types.ts';
export { PRODUCTS_NAMESPACE } from './types.ts';

export type VectorConfig = Pick<Config, 'pinecone' | 'openai' | 'openaiEmbeddingModel'>;

export interface OpenOptions {
  config: VectorConfig;
  database: Database;
}

export interface ProviderOptions extends OpenOptions {
  /**
   * Local provider only: (re)fit the model on the current catalogue and save it, instead of loading the saved
   * one. `megaphone train` and `megaphone vectors index` fit; serving loads.
   */
  fit?: boolean;
  onProgress?: ProgressListener;
}

/**
 * Pinecone when `config.pinecone` is set, else pgvector in the feature store's database. On a Postgres server
 * without pgvector: a UserError with NO_PGVECTOR_MESSAGE.
 *
 * @example
 * const store = await openVectorStore({ config, database });
 * const matches = await store.query('products', { vector, topK: 10, includeMetadata: true });
 */
export async function openVectorStore({ config, database }: OpenOptions): Promise<VectorStore> {
  if (config.pinecone) {
    // Loaded on demand: the Pinecone client costs half a second at start and most installations never use it.
    const { openPineconeStore } = await import('./pinecone-store.ts');
    return openPineconeStore(config.pinecone);
  }
  return openPgvectorStore(database);
}

/** Loaded local models by database, reloaded only when the saved model changes. */
const localCache = new WeakMap<Database, LocalModelData>();

/**
 * OpenAI embeddings when `config.openai` is set, else the local model fitted on the catalogue (a UserError
 * saying to run `megaphone train` or `megaphone vectors index` when it has not been fitted yet).
 *
 * @example
 * const provider = await openEmbeddingProvider({ config, database });
 * const [v] = await provider.embed(['white hanging heart t-light holder']);
 */
export async function openEmbeddingProvider(options: ProviderOptions): Promise<EmbeddingProvider> {
  const { config, database } = options;
  if (config.openai) {
    // The SDK is loaded only when OpenAI is configured: it is not needed offline.
    const { openAiEmbeddings } = await import('./openai-embeddings.ts');
    return openAiEmbeddings({
      apiKey: config.openai.apiKey,
      baseUrl: config.openai.baseUrl,
      model: config.openaiEmbeddingModel,
    });
  }
  if (options.fit) {
    const catalogue = await loadCatalogue(database);
    if (catalogue.length === 0) throw emptyCatalogueError();
    options.onProgress?.('fit', 0, 1);
    const data = fitLocalModel(catalogue.map(productText));
    await saveLocalModel(database, data);
    localCache.set(database, data);
    options.onProgress?.('fit', 1, 1);
    return localProvider(data);
  }
  const [saved] = await database.rows<{ model: string }>(
    sql`select model from embedding_models where name = 'catalogue'`,
  );
  if (!saved) throw notFittedError();
  let data = localCache.get(database);
  if (data?.model !== saved.model) {
    data = await loadLocalModel(database);
    if (!data) throw notFittedError();
    localCache.set(database, data);
  }
  return localProvider(data);
}

function emptyCatalogueError(): UserError {
  return new UserError(
    'empty_catalogue',
    'There are no products to compare yet. Import orders first (`megaphone import FILE` or `megaphone demo`).',
  );
}

const EMBED_BATCH = 256;

/**
 * Embeds every product (name + category) into namespace `products` with metadata { name, category, price? }.
 * Re-embeds everything when the namespace holds another provider's or model's vectors (never mixes spaces).
 * Without `provider`, uses `openEmbeddingProvider({ config, database, fit: true })` (so the local model is
 * refitted on the current catalogue; with neither, the local model is fitted).
 *
 * @example
 * const summary = await indexCatalogue(database, { store, config, onProgress });
 * // or, with a provider in hand:
 * const provider = await openEmbeddingProvider({ config, database, fit: true });
 * await indexCatalogue(database, { store, provider });
 */
export async function indexCatalogue(
  database: Database,
  options: {
    store: VectorStore;
    provider?: EmbeddingProvider;
    config?: VectorConfig;
    onProgress?: ProgressListener;
  },
): Promise<IndexSummary> {
  const started = performance.now();
  const { store, onProgress } = options;
  const catalogue = await loadCatalogue(database);
  if (catalogue.length === 0) throw emptyCatalogueError();
  const provider =
    options.provider ??
    (await openEmbeddingProvider({
      config: options.config ?? { openai: undefined, pinecone: undefined, openaiEmbeddingModel: '' },
      database,
      fit: true,
      ...(onProgress ? { onProgress } : {}),
    }));
  const namespace = PRODUCTS_NAMESPACE;
  const space = await getSpace(database, store.backend, namespace);
  let removed = 0;
  let replaced: IndexSummary['replaced'];
  if (space && !sameSpace(space, provider)) {
    removed = space.count;
    replaced = { provider: space.provider, model: space.model, dimension: space.dimension };
    await store.delete(namespace, 'all');
  }
  let stored = 0;
  for (let i = 0; i < catalogue.length; i += EMBED_BATCH) {
    const batch = catalogue.slice(i, i + EMBED_BATCH);
    const vectors = await provider.embed(batch.map(productText));
    onProgress?.('embed', Math.min(i + EMBED_BATCH, catalogue.length), catalogue.length);
    const records: VectorRecord[] = batch.map((item, k) => ({
      id: item.id,
      values: vectors[k]!,
      metadata: productMetadata(item),
    }));
    await store.upsert(namespace, records);
    stored += records.length;
    onProgress?.('store', stored, catalogue.length);
  }
  await setSpace(database, store.backend, namespace, provider, stored);
  return {
    namespace,
    provider: provider.name,
    model: provider.model,
    dimension: provider.dimension,
    indexed: stored,
    removed,
    ...(replaced ? { replaced } : {}),
    durationMs: performance.now() - started,
  };
}
