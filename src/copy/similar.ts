/**
 * Near-duplicate copy: approved drafts are embedded into the vector store (namespace `copy`); each new draft
 * is embedded and compared with approved copy of the last months, and a draft too close to one is flagged.
 * Similarity is advice, never a reason to fail: without a vector store or a fitted embedding model the check
 * is skipped with a note saying why.
 */
import type { Config } from '../config.ts';
import { MegaphoneError, UserError } from '../core/errors.ts';
import type { Database } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import type { EmbeddingProvider, VectorStore } from '../vectors/types.ts';
import { fullText } from './channels.ts';
import type { SimilarNote } from './reply.ts';
import type { StoredDraft } from './store.ts';

export const COPY_NAMESPACE = 'copy';
/** Cosine similarity from which a draft reads as a rewording of approved copy. */
export const SIMILAR_THRESHOLD = 0.9;
/** How far back "recent" approved copy goes. */
export const RECENT_DAYS = 180;

export interface SimilarityIndex {
  provider: EmbeddingProvider;
  store: VectorStore;
}

export type SimilarityConfig = Pick<Config, 'pinecone' | 'openai' | 'openaiEmbeddingModel'>;

/** The configured store and embedding provider, or why the check cannot run. */
export async function openSimilarity(
  database: Database,
  config: SimilarityConfig,
): Promise<SimilarityIndex | { unavailable: string }> {
  try {
    // Loaded on first use: the vector backends (Pinecone's client among them) cost start-up time otherwise.
    const { openEmbeddingProvider, openVectorStore } = await import('../vectors/index.ts');
    const store = await openVectorStore({ config, database });
    const provider = await openEmbeddingProvider({ config, database });
    return { store, provider };
  } catch (error) {
    if (error instanceof UserError) return { unavailable: error.message };
    throw error;
  }
}

/** The text that is compared: every field of the draft. */
export function similarityText(draft: Pick<StoredDraft, 'content'>): string {
  return fullText(draft.content);
}

/**
 * The drafts that are too close to approved copy, with the closest approved draft and the similarity.
 *
 * @example
 * const notes = await flagSimilar(index, drafts); // [{ draftId: 14, similarTo: 9, similarity: 0.97 }]
 */
export async function flagSimilar(
  index: SimilarityIndex,
  drafts: StoredDraft[],
  options: { threshold?: number; now?: Date; log?: Logger | undefined } = {},
): Promise<SimilarNote[]> {
  if (drafts.length === 0) return [];
  const threshold = options.threshold ?? SIMILAR_THRESHOLD;
  const since = (options.now ?? new Date()).getTime() - RECENT_DAYS * 86_400_000;
  const vectors = await index.provider.embed(drafts.map(similarityText));
  const notes: SimilarNote[] = [];
  for (const [i, draft] of drafts.entries()) {
    let matches: Awaited<ReturnType<VectorStore['query']>>;
    try {
      matches = await index.store.query(COPY_NAMESPACE, {
        vector: vectors[i]!,
        topK: 2,
        filter: { $and: [{ model: index.provider.model }, { approvedAt: { $gte: since } }] },
      });
    } catch (error) {
      // Approved copy embedded by an earlier model of another dimension cannot be compared; it is re-embedded
      // as drafts are approved.
      if (error instanceof MegaphoneError && error.code === 'vector_dimension') return [];
      throw error;
    }
    const best = matches.find((m) => m.id !== String(draft.id));
    if (best && best.score >= threshold) {
      notes.push({ draftId: draft.id, similarTo: Number(best.id), similarity: best.score });
    }
  }
  options.log?.debug({ drafts: drafts.length, flagged: notes.length }, 'near-duplicate check');
  return notes;
}

/** Puts an approved draft into the `copy` namespace, so later drafts are compared with it. */
export async function rememberApproved(index: SimilarityIndex, draft: StoredDraft): Promise<void> {
  const [vector] = await index.provider.embed([similarityText(draft)]);
  await index.store.upsert(COPY_NAMESPACE, [
    {
      id: String(draft.id),
      values: vector!,
      metadata: {
        model: index.provider.model,
        channel: draft.channel,
        approvedAt: (draft.actedAt ?? new Date()).getTime(),
      },
    },
  ]);
}

/** What commands need: the flags for new drafts, or why the check was skipped. */
export async function checkNearDuplicates(
  database: Database,
  config: SimilarityConfig,
  drafts: StoredDraft[],
  log?: Logger,
): Promise<{ notes: SimilarNote[]; skipped?: string }> {
  const index = await openSimilarity(database, config);
  if ('unavailable' in index) return { notes: [], skipped: index.unavailable };
  try {
    return { notes: await flagSimilar(index, drafts, { log }) };
  } finally {
    await index.store.close?.();
  }
}

/** Indexes an approved draft; the reason when it could not be. */
export async function indexApproved(
  database: Database,
  config: SimilarityConfig,
  draft: StoredDraft,
): Promise<string | undefined> {
  const index = await openSimilarity(database, config);
  if ('unavailable' in index) return index.unavailable;
  try {
    await rememberApproved(index, draft);
    return undefined;
  } finally {
    await index.store.close?.();
  }
}
