/**
 * OpenAI embeddings (or any OpenAI-compatible server) through the official SDK. The SDK asks for base64 by
 * default and decodes it to floats; vectors are re-normalised since compatible servers do not all return unit
 * vectors. Failures become UserErrors naming the host and what to do, never the key.
 */
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  AuthenticationError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from 'openai';
import { UserError } from '../core/errors.ts';
import { openAiSdk } from '../llm/openai.ts';
import type { EmbeddingProvider } from './types.ts';

export interface OpenAiEmbeddingConfig {
  apiKey: string;
  baseUrl?: string | undefined;
  model: string;
}

export interface OpenAiEmbeddingOptions {
  /** Texts per request (the API takes up to 2048). */
  batchSize?: number;
  maxRetries?: number;
  timeoutMs?: number;
}

/** Dimensions of OpenAI's models; anything else is learnt from the first answer (`probe`). */
const KNOWN_DIMENSIONS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

function normalize(v: Float32Array | number[]): Float32Array {
  const out = Float32Array.from(v);
  let norm = 0;
  for (const x of out) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < out.length; i++) out[i] = out[i]! / norm;
  return out;
}

function toUserError(error: unknown, host: string, model: string): unknown {
  if (!(error instanceof APIError)) return error;
  const at = `The embeddings API at ${host}`;
  if (error instanceof APIConnectionTimeoutError) {
    return new UserError(
      'embeddings_timeout',
      `${at} did not answer in time. Try again, or check OPENAI_BASE_URL.`,
    );
  }
  if (error instanceof APIConnectionError) {
    return new UserError(
      'embeddings_unreachable',
      `${at} could not be reached. Check OPENAI_BASE_URL and the network.`,
    );
  }
  if (error instanceof AuthenticationError || error instanceof PermissionDeniedError) {
    return new UserError(
      'embeddings_auth',
      `${at} refused the API key (${error.status}). Check OPENAI_API_KEY, or unset it to use local embeddings.`,
    );
  }
  if (error instanceof NotFoundError) {
    return new UserError(
      'embeddings_model',
      `${at} does not know the model "${model}". Set OPENAI_EMBEDDING_MODEL to an embedding model it serves.`,
    );
  }
  if (error instanceof RateLimitError) {
    return new UserError(
      'embeddings_rate_limited',
      `${at} is rate limiting us (429). Wait a minute and try again.`,
    );
  }
  return new UserError(
    'embeddings_failed',
    `${at} failed (${error.status ?? 'no status'}). Try again later; if it persists, unset OPENAI_API_KEY to use local embeddings.`,
  );
}

/**
 * An embedding provider over the OpenAI embeddings endpoint. `dimension` is known for OpenAI's models; for
 * others, call `probe()` once (it embeds one short text).
 *
 * @example
 * const provider = await openAiEmbeddings({ apiKey, model: 'text-embedding-3-small' });
 * const [v] = await provider.embed(['white hanging heart t-light holder']);
 */
export async function openAiEmbeddings(
  config: OpenAiEmbeddingConfig,
  options: OpenAiEmbeddingOptions = {},
): Promise<EmbeddingProvider> {
  const { client, host } = openAiSdk(config, {
    maxRetries: options.maxRetries ?? 2,
    timeoutMs: options.timeoutMs ?? 30_000,
  });
  const batchSize = options.batchSize ?? 256;

  async function request(texts: string[]): Promise<Float32Array[]> {
    try {
      const answer = await client.embeddings.create({ model: config.model, input: texts });
      const out = new Array<Float32Array>(texts.length);
      for (const item of answer.data) out[item.index] = normalize(item.embedding);
      if (out.some((v) => v === undefined)) {
        throw new UserError(
          'embeddings_failed',
          `The embeddings API at ${host} answered fewer vectors than asked.`,
        );
      }
      return out;
    } catch (error) {
      throw toUserError(error, host, config.model);
    }
  }

  let dimension = KNOWN_DIMENSIONS[config.model];
  if (dimension === undefined) {
    const [v] = await request(['dimension probe']);
    dimension = v!.length;
  }
  const fixed = dimension;
  return {
    name: 'openai',
    model: config.model,
    dimension: fixed,
    async embed(texts) {
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += batchSize) {
        // The API rejects empty strings; a blank text still needs a vector to keep positions aligned.
        const batch = texts.slice(i, i + batchSize).map((t) => (t.trim() === '' ? ' ' : t));
        for (const v of await request(batch)) {
          if (v.length !== fixed) {
            throw new UserError(
              'embeddings_dimension',
              `The embeddings API at ${host} returned ${v.length} dimensions for ${config.model}, expected ${fixed}.`,
            );
          }
          out.push(v);
        }
      }
      return out;
    },
  };
}
