/**
 * The Pinecone backend, through the official client. The index must already exist (it is described once, to
 * learn its dimension and metric); records shorter than the index dimension are padded with zeros, which
 * leaves cosine similarity unchanged (the local model's dimension follows the catalogue's size). Failures
 * become UserErrors saying what Pinecone answered and what to do.
 */
import { Errors, Pinecone } from '@pinecone-database/pinecone';
import { UserError } from '../core/errors.ts';
import { parseFilter } from './filter.ts';
import type { Metadata, VectorMatch, VectorRecord, VectorStore, VectorStoreStats } from './types.ts';

export interface PineconeStoreConfig {
  apiKey: string;
  index: string;
  /** The index host; looked up from the control plane when absent. */
  host?: string | undefined;
  /** The control plane (tests point it at the stand-in). */
  controllerUrl?: string | undefined;
}

export interface PineconeStoreOptions {
  /** Retries of 5xx answers by the client (it backs off exponentially). */
  maxRetries?: number;
}

/** Pinecone's documented request limits: 1000 records or 2 MB per upsert, 1000 ids per delete. */
const UPSERT_BYTES = 1_800_000;
const UPSERT_RECORDS = 1000;
const FETCH_IDS = 100;
const DELETE_IDS = 1000;

function statusOf(error: Error): number | undefined {
  const m = /status:? (\d{3})/i.exec(error.message);
  return m ? Number(m[1]) : undefined;
}

/** A Pinecone failure as something the user can act on. */
export function pineconeError(error: unknown, index: string): unknown {
  if (!(error instanceof Error)) return error;
  const at = `Pinecone (index "${index}")`;
  if (error instanceof Errors.PineconeAuthorizationError) {
    return new UserError(
      'pinecone_auth',
      `${at} refused the API key (401). Check PINECONE_API_KEY, or unset it to keep vectors in Postgres.`,
    );
  }
  if (error instanceof Errors.PineconeNotFoundError) {
    return new UserError(
      'pinecone_not_found',
      `${at}: the index was not found (404). Check PINECONE_INDEX (and PINECONE_HOST), or create the index.`,
    );
  }
  if (error instanceof Errors.PineconeBadRequestError) {
    return new UserError(
      'pinecone_bad_request',
      `${at} rejected the request: ${error.message.slice(0, 300)}`,
    );
  }
  const status = statusOf(error);
  if (status === 429 || (error instanceof Errors.PineconeUnmappedHttpError && status === 429)) {
    return new UserError(
      'pinecone_rate_limited',
      `${at} is rate limiting us (429). Wait a minute and try again, or raise the project's limits.`,
    );
  }
  if (
    error instanceof Errors.PineconeInternalServerError ||
    error instanceof Errors.PineconeUnavailableError ||
    error instanceof Errors.PineconeMaxRetriesExceededError ||
    (status !== undefined && status >= 500)
  ) {
    return new UserError(
      'pinecone_unavailable',
      `${at} is failing on its side${status ? ` (${status})` : ''}. Try again later; see https://status.pinecone.io.`,
    );
  }
  if (error instanceof Errors.PineconeConnectionError) {
    return new UserError(
      'pinecone_unreachable',
      `${at} could not be reached. Check the network, PINECONE_HOST and PINECONE_CONTROLLER_URL.`,
    );
  }
  if (error instanceof Errors.PineconeUnmappedHttpError) {
    return new UserError(
      'pinecone_failed',
      `${at} answered an unexpected error${status ? ` (${status})` : ''}.`,
    );
  }
  return error;
}

/**
 * Opens the Pinecone store: describes the index (dimension, metric) and refuses one that cannot do cosine.
 *
 * @example
 * const store = await openPineconeStore({ apiKey, index: 'megaphone' });
 * const matches = await store.query('products', { vector, topK: 10, filter: { category: 'Home' } });
 */
export async function openPineconeStore(
  config: PineconeStoreConfig,
  options: PineconeStoreOptions = {},
): Promise<VectorStore> {
  const client = new Pinecone({
    apiKey: config.apiKey,
    ...(config.controllerUrl ? { controllerHostUrl: config.controllerUrl } : {}),
    maxRetries: options.maxRetries ?? 2,
  });
  const call = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw pineconeError(error, config.index);
    }
  };
  const description = await call(() => client.describeIndex(config.index));
  const dimension = description.dimension;
  if (!dimension) {
    throw new UserError(
      'pinecone_index_kind',
      `Pinecone index "${config.index}" has no fixed dimension (a sparse or integrated index). Use a dense index.`,
    );
  }
  if (description.metric === 'euclidean') {
    throw new UserError(
      'pinecone_metric',
      `Pinecone index "${config.index}" uses the euclidean metric; Megaphone needs cosine (or dotproduct). ` +
        'Create the index with metric cosine.',
    );
  }
  const host = config.host ?? description.host;
  const index = client.index({ name: config.index, host });

  const pad = (values: Float32Array | number[], id: string): number[] => {
    if (values.length > dimension) {
      throw new UserError(
        'pinecone_dimension',
        `Pinecone index "${config.index}" has ${dimension} dimensions but the embeddings have ${values.length} ` +
          `(record ${id}). Create an index of dimension ${values.length}, or use an embedding model that fits.`,
      );
    }
    const out = Array.from(values);
    while (out.length < dimension) out.push(0);
    return out;
  };

  return {
    backend: 'pinecone',

    async upsert(namespace, records) {
      let batch: { id: string; values: number[]; metadata?: Metadata }[] = [];
      let bytes = 0;
      const flush = async () => {
        if (batch.length === 0) return;
        const records = batch;
        batch = [];
        bytes = 0;
        await call(() => index.upsert({ records, namespace }));
      };
      for (const r of records) {
        const record = {
          id: r.id,
          values: pad(r.values, r.id),
          ...(r.metadata ? { metadata: r.metadata } : {}),
        };
        const size = JSON.stringify(record).length;
        if (batch.length >= UPSERT_RECORDS || bytes + size > UPSERT_BYTES) await flush();
        batch.push(record);
        bytes += size;
      }
      await flush();
    },

    async query(namespace, q): Promise<VectorMatch[]> {
      if (q.filter) parseFilter(q.filter); // the same checks and messages as pgvector, before any request
      const answer = await call(() =>
        index.query({
          vector: pad(q.vector, 'query'),
          topK: q.topK,
          namespace,
          includeMetadata: q.includeMetadata ?? false,
          includeValues: false,
          ...(q.filter ? { filter: q.filter } : {}),
        }),
      );
      return answer.matches.map((m) => ({
        id: m.id,
        score: m.score ?? 0,
        ...(q.includeMetadata ? { metadata: (m.metadata ?? {}) as Metadata } : {}),
      }));
    },

    async fetch(namespace, ids): Promise<VectorRecord[]> {
      const out: VectorRecord[] = [];
      for (let i = 0; i < ids.length; i += FETCH_IDS) {
        const chunk = ids.slice(i, i + FETCH_IDS);
        const answer = await call(() => index.fetch({ ids: chunk, namespace }));
        for (const r of Object.values(answer.records)) {
          out.push({
            id: r.id,
            values: r.values ?? [],
            ...(r.metadata ? { metadata: r.metadata as Metadata } : {}),
          });
        }
      }
      return out;
    },

    async delete(namespace, ids) {
      if (ids === 'all') {
        await call(() => index.deleteAll({ namespace }));
        return;
      }
      for (let i = 0; i < ids.length; i += DELETE_IDS) {
        const chunk = ids.slice(i, i + DELETE_IDS);
        await call(() => index.deleteMany({ ids: chunk, namespace }));
      }
    },

    async stats(): Promise<VectorStoreStats> {
      const answer = await call(() => index.describeIndexStats());
      const namespaces: VectorStoreStats['namespaces'] = {};
      for (const [name, summary] of Object.entries(answer.namespaces ?? {})) {
        namespaces[name] = { count: summary.recordCount ?? 0, dimension: answer.dimension ?? dimension };
      }
      return { namespaces };
    },
  };
}
