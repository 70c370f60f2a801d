/**
 * An audience named inside another request ("chart lapsed customers by country", "revenue from the-germans
 * last month"): the thread's segment, a saved segment by name, or an audience described in words.
 */
import { THIS_SEGMENT } from '../charts/request.ts';
import { isUserError, type UserError } from '../core/errors.ts';
import type { Database } from '../db/client.ts';
import type { LlmProvider } from '../llm/provider.ts';
import type { Logger } from '../logger.ts';
import type { SegmentDefinition } from './definition.ts';
import { resolveSegmentRequest } from './request.ts';
import { getSegment } from './service.ts';
import { loadVocabulary, type Vocabulary } from './vocabulary.ts';

export type FoundAudience =
  | { source: 'thread'; definition: SegmentDefinition; name: string | undefined }
  | { source: 'saved'; definition: SegmentDefinition; name: string }
  | { source: 'described'; definition: SegmentDefinition; notes: string[] }
  /** "this segment" said where the thread has none. */
  | { source: 'no_thread_segment' }
  /** Neither saved nor readable: the parser's message, and the not-found error for a name. */
  | { source: 'unreadable'; message: string; notFound: UserError };

export interface AudienceContext {
  database: Database;
  /** The thread's segment, if any. */
  thread: { definition: SegmentDefinition; name?: string | null | undefined } | null;
  llm?: LlmProvider | undefined;
  log?: Logger | undefined;
  /** Loaded on first need when absent (several audiences in one request share it). */
  vocab?: () => Promise<Vocabulary>;
}

/**
 * @example
 * const found = await findAudience('German customers', { database, thread: null });
 * if (found.source === 'described') await segmentMemberIds(database, found.definition);
 */
export async function findAudience(text: string, ctx: AudienceContext): Promise<FoundAudience> {
  if (THIS_SEGMENT.test(text.trim())) {
    if (!ctx.thread) return { source: 'no_thread_segment' };
    return { source: 'thread', definition: ctx.thread.definition, name: ctx.thread.name ?? undefined };
  }
  // "the saved segment X", "the X segment": X.
  const name = text
    .replace(/^(?:the\s+)?(?:saved\s+)?(?:segment\s+)?/i, '')
    .replace(/\s+segment$/i, '')
    .trim();
  let notFound: UserError;
  try {
    const saved = await getSegment(ctx.database, name);
    return { source: 'saved', definition: saved.definition, name: saved.name };
  } catch (error) {
    if (!isUserError(error) || error.code !== 'segment_not_found') throw error;
    notFound = error;
  }
  const vocab = await (ctx.vocab ?? (() => loadVocabulary(ctx.database)))();
  const parsed = await resolveSegmentRequest(name, { vocab, llm: ctx.llm, log: ctx.log });
  if (!parsed.ok) return { source: 'unreadable', message: parsed.message, notFound };
  return { source: 'described', definition: parsed.definition, notes: parsed.notes };
}
