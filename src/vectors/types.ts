/**
 * The contracts of content similarity: embedding providers turn text into unit vectors, vector stores keep and
 * search them by cosine similarity. Two providers (a local TF-IDF + SVD model fitted on the catalogue, and
 * OpenAI embeddings) and two stores (pgvector in Postgres/PGlite, and Pinecone) implement them.
 */

/** Turns texts into unit-normalised vectors; every vector of one provider has `dimension` entries. */
export interface EmbeddingProvider {
  readonly name: 'local' | 'openai';
  /** Identifies the vector space: vectors of different models are never mixed in one namespace. */
  readonly model: string;
  readonly dimension: number;
  embed(texts: string[]): Promise<Float32Array[]>;
}

/** Metadata values Pinecone accepts; pgvector keeps the same shapes in jsonb. */
export type Metadata = Record<string, string | number | boolean | string[]>;

export interface VectorRecord {
  id: string;
  values: Float32Array | number[];
  metadata?: Metadata;
}

export interface VectorMatch {
  id: string;
  /** Cosine similarity, higher = closer (1 = same direction). */
  score: number;
  metadata?: Metadata;
}

/**
 * Pinecone's filter language (the subset both backends honour): `{ field: value }` (equality),
 * `{ field: { $eq | $ne | $gt | $gte | $lt | $lte: value } }`, `{ field: { $in | $nin: [values] } }`,
 * `{ field: { $exists: boolean } }`, `{ $and: [filters] }`, `{ $or: [filters] }`. A list-valued field equals a
 * value when it contains it. Range operators take numbers only.
 */
export type MetadataFilter = Record<string, unknown>;

export interface VectorQuery {
  vector: Float32Array | number[];
  topK: number;
  filter?: MetadataFilter;
  includeMetadata?: boolean;
  /**
   * Exact search (a full scan) instead of the approximate index. pgvector only; Pinecone ignores it. Used by
   * the benchmark as the recall baseline.
   */
  exact?: boolean;
}

export interface VectorStoreStats {
  namespaces: Record<string, { count: number; dimension: number | null }>;
}

/** A place to keep and search vectors, partitioned into namespaces (`products`, `copy`, ...). */
export interface VectorStore {
  readonly backend: 'pgvector' | 'pinecone';
  /** Inserts or replaces records by id. All records of a namespace share one dimension. */
  upsert(namespace: string, records: VectorRecord[]): Promise<void>;
  /** The `topK` nearest records by cosine similarity, best first, among those matching `filter`. */
  query(namespace: string, q: VectorQuery): Promise<VectorMatch[]>;
  /** The records with these ids that exist (with values and metadata), in no particular order. */
  fetch(namespace: string, ids: string[]): Promise<VectorRecord[]>;
  delete(namespace: string, ids: string[] | 'all'): Promise<void>;
  stats(): Promise<VectorStoreStats>;
  /** Releases connections the store holds (the database itself belongs to the caller). */
  close?(): Promise<void>;
}

/** Which provider and model filled a namespace: a namespace holds one vector space only. */
export interface NamespaceSpace {
  backend: VectorStore['backend'];
  namespace: string;
  provider: EmbeddingProvider['name'];
  model: string;
  dimension: number;
  count: number;
  updatedAt: Date;
}

/** Progress of a long job: `done` out of `total` units of `phase`. */
export type ProgressListener = (phase: 'fit' | 'embed' | 'store', done: number, total: number) => void;

/** What `indexCatalogue` did. */
export interface IndexSummary {
  namespace: string;
  provider: EmbeddingProvider['name'];
  model: string;
  dimension: number;
  /** Products embedded and stored. */
  indexed: number;
  /** Records removed because the vector space changed (another provider, model or dimension). */
  removed: number;
  /** Set when an earlier space (other provider, model or dimension) was replaced. */
  replaced?: { provider: string; model: string; dimension: number };
  durationMs: number;
}

/** The namespace product vectors live in. */
export const PRODUCTS_NAMESPACE = 'products';
