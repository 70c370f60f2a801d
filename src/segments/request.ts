/**
 * The one way a sentence becomes a segment definition, for the chat command and the CLI alike: the language
 * model when one is configured, the local parser otherwise, and the local parser again whenever the model's
 * answer cannot be used. Either way the result is a validated definition, never anything to execute.
 */
import { tryModel } from '../llm/fallback.ts';
import type { LlmProvider } from '../llm/provider.ts';
import type { Logger } from '../logger.ts';
import { namesCustomers, type SegmentDefinition } from './definition.ts';
import { llmParseSegment } from './llm-parse.ts';
import { type ParseResult, parseRefinement, parseSegmentRequest } from './parse.ts';
import { MAX_LENGTH } from './parse-text.ts';
import type { Vocabulary } from './vocabulary.ts';

export type ResolvedSegmentRequest = ParseResult & { source: 'local' | 'llm' };

/** The local parser's two entry points; replaceable in tests. */
export interface LocalSegmentParser {
  parse(text: string, vocab: Vocabulary): ParseResult;
  refine(text: string, previous: SegmentDefinition, vocab: Vocabulary): ParseResult;
}

const LOCAL: LocalSegmentParser = { parse: parseSegmentRequest, refine: parseRefinement };

export interface SegmentRequestContext {
  vocab: Vocabulary;
  /** Absent: the local parser only. */
  llm?: LlmProvider | undefined;
  /** The thread's current definition, used when `refine` is set. */
  previous?: SegmentDefinition | undefined;
  /** The text changes `previous` rather than describing a new audience. */
  refine?: boolean;
  /** The date the data's day counts are relative to (features' as-of instant). */
  asOf?: Date | undefined;
  log?: Logger | undefined;
  local?: LocalSegmentParser;
}

/**
 * Reads a segment request (or a refinement of the previous one).
 *
 * @example
 * const parsed = await resolveSegmentRequest("Germans who haven't bought in 90 days", { vocab, llm });
 * if (parsed.ok) await previewSegment(database, parsed.definition); // parsed.source: 'llm' or 'local'
 */
export async function resolveSegmentRequest(
  text: string,
  ctx: SegmentRequestContext,
): Promise<ResolvedSegmentRequest> {
  const local = ctx.local ?? LOCAL;
  const previous = ctx.refine ? ctx.previous : undefined;
  const runLocal = (): ParseResult =>
    previous ? local.refine(text, previous, ctx.vocab) : local.parse(text, ctx.vocab);

  // Overlong text is refused by the local parser with its own message; it is not worth a model call. A list of
  // customers (prospects kept from an answer) has no form in the model's wire: such a segment is refined here.
  if (!ctx.llm || text.length > MAX_LENGTH || previous?.conditions.some(namesCustomers)) {
    return { ...runLocal(), source: 'local' };
  }

  const llm = ctx.llm;
  const tried = await tryModel('segment', llm, ctx.log, () =>
    llmParseSegment(text, ctx.vocab, llm, { previous, today: ctx.asOf, log: ctx.log }),
  );
  if ('answer' in tried) {
    ctx.log?.debug(
      { attempts: tried.answer.attempts, model: llm.model },
      'segment read by the language model',
    );
    const { definition, notes } = tried.answer;
    return { ok: true, definition, notes, source: 'llm' };
  }
  const { reason } = tried;

  const fallback = runLocal();
  if (fallback.ok) {
    const notice = `The language model's answer could not be used (${reason}); this is the local parser's reading.`;
    return { ...fallback, notes: [notice, ...fallback.notes], source: 'local' };
  }
  const notice = `(The language model could not help either: ${reason}.)`;
  return { ...fallback, message: `${fallback.message}\n${notice}`, source: 'local' };
}
