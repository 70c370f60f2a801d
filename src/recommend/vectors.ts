/**
 * Training with the vector store: the catalogue is embedded into it (`indexCatalogue`, so `similar` and
 * new-product lookups use the same vectors), and the recommender's content neighbours are computed from those
 * vectors. Without a usable store (a server without pgvector, Pinecone unreachable) training goes on with
 * neighbours from the product names, and says why.
 */
import { sql } from 'drizzle-orm';
import { isUserError } from '../core/errors.ts';
import type { Database } from '../db/client.ts';
import {
  type IndexSummary,
  indexCatalogue,
  openVectorStore,
  PRODUCTS_NAMESPACE,
  type ProgressListener,
  type VectorConfig,
} from '../vectors/index.ts';
import { type Neighbour, vectorNeighbours } from './content.ts';
import { DEFAULT_PARAMS } from './model.ts';

/** Above this many multiply-adds the brute-force neighbour search is skipped (names are used instead). */
const MAX_WORK = 4e9;
const FETCH_CHUNK = 500;

export interface VectorContent {
  content?: Map<string, Neighbour[]>;
  indexed?: IndexSummary;
  /** Why the vectors were not used, for the person training. */
  note?: string;
}

export async function contentFromVectors(
  database: Database,
  config: VectorConfig,
  onProgress?: ProgressListener,
): Promise<VectorContent> {
  let store: Awaited<ReturnType<typeof openVectorStore>>;
  try {
    store = await openVectorStore({ config, database });
  } catch (error) {
    if (isUserError(error))
      return { note: `${error.message} Content similarity uses product names instead.` };
    throw error;
  }
  try {
    const indexed = await indexCatalogue(database, { store, config, ...(onProgress ? { onProgress } : {}) });
    const ids = (await database.rows<{ id: string }>(sql`select id from products order by id`)).map(
      (r) => r.id,
    );
    if (ids.length * ids.length * indexed.dimension > MAX_WORK) {
      return {
        indexed,
        note: `${ids.length} products are too many for exact vector neighbours at training time; content similarity uses product names.`,
      };
    }
    const vectors = new Map<string, Float32Array>();
    for (let i = 0; i < ids.length; i += FETCH_CHUNK) {
      for (const r of await store.fetch(PRODUCTS_NAMESPACE, ids.slice(i, i + FETCH_CHUNK))) {
        vectors.set(r.id, r.values instanceof Float32Array ? r.values : Float32Array.from(r.values));
      }
    }
    return { indexed, content: vectorNeighbours(vectors, DEFAULT_PARAMS.neighbours) };
  } finally {
    await store.close?.();
  }
}
