/**
 * Entry points of content similarity: open the configured store and provider, index the catalogue.
 * (Implementations land in the following commits; the signatures here are the contract.)
 */
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import type { EmbeddingProvider, IndexSummary, ProgressListener, VectorStore } from './types.ts';

export type * from './types.ts';
export { PRODUCTS_NAMESPACE } from './types.ts';

export interface OpenOptions {
  config: Pick<Config, 'pinecone' | 'openai' | 'openaiEmbeddingModel'>;
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
export declare function openVectorStore(options: OpenOptions): Promise<VectorStore>;

/**
 * OpenAI embeddings when `config.openai` is set, else the local model fitted on the catalogue (a UserError
 * saying to run `megaphone train` or `megaphone vectors index` when it has not been fitted yet).
 *
 * @example
 * const provider = await openEmbeddingProvider({ config, database });
 * const [v] = await provider.embed(['white hanging heart t-light holder']);
 */
export declare function openEmbeddingProvider(options: ProviderOptions): Promise<EmbeddingProvider>;

/**
 * Embeds every product (name + category) into namespace `products` with metadata { name, category, price? }.
 * Re-embeds everything when the namespace holds another provider's or model's vectors (never mixes spaces).
 * Without `provider`, uses `openEmbeddingProvider({ config, database, fit: true })` (so the local model is
 * refitted on the current catalogue).
 *
 * @example
 * const summary = await indexCatalogue(database, { store, config, onProgress });
 * // or, with a provider in hand:
 * const provider = await openEmbeddingProvider({ config, database, fit: true });
 * await indexCatalogue(database, { store, provider });
 */
export declare function indexCatalogue(
  database: Database,
  options: {
    store: VectorStore;
    provider?: EmbeddingProvider;
    config?: OpenOptions['config'];
    onProgress?: ProgressListener;
  },
): Promise<IndexSummary>;
