/**
 * Who a segment recommendation is for: a saved segment by name, or a segment request read by the same
 * machinery as the `segment` command (the language model when configured, the local parser otherwise).
 */
import { THIS_SEGMENT } from '../charts/request.ts';
import type { CommandContext } from '../core/command.ts';
import { isUserError, UserError } from '../core/errors.ts';
import type { Database } from '../db/client.ts';
import type { LlmProvider } from '../llm/provider.ts';
import type { Logger } from '../logger.ts';
import type { SegmentDefinition } from '../segments/definition.ts';
import { describeSegment } from '../segments/describe.ts';
import { isSegmentMemory } from '../segments/reply.ts';
import { resolveSegmentRequest } from '../segments/request.ts';
import { getSegment, segmentMemberIds } from '../segments/service.ts';
import { loadVocabulary } from '../segments/vocabulary.ts';

export interface Audience {
  /** `"lapsed Germans"` for a saved segment, the description otherwise. */
  label: string;
  savedName?: string;
  definition: SegmentDefinition;
  memberIds: string[];
  notes: string[];
}

export async function resolveAudience(
  database: Database,
  text: string,
  ctx: { llm?: LlmProvider | undefined; log?: Logger | undefined; definition?: SegmentDefinition } = {},
): Promise<Audience> {
  if (ctx.definition) {
    return {
      label: describeSegment(ctx.definition),
      definition: ctx.definition,
      memberIds: await segmentMemberIds(database, ctx.definition),
      notes: [],
    };
  }
  try {
    const saved = await getSegment(database, text);
    return {
      label: `"${saved.name}"`,
      savedName: saved.name,
      definition: saved.definition,
      memberIds: await segmentMemberIds(database, saved.definition),
      notes: [],
    };
  } catch (error) {
    if (!isUserError(error) || error.code !== 'segment_not_found') throw error;
  }
  const parsed = await resolveSegmentRequest(text, {
    vocab: await loadVocabulary(database),
    llm: ctx.llm,
    log: ctx.log,
  });
  if (!parsed.ok) {
    throw new UserError(
      'segment_not_understood',
      `"${text}" is neither a saved segment nor an audience I can read. ${parsed.message}`,
      {
        hint: 'Use a saved segment\'s name (say "segments" to list them) or describe the audience, e.g. "lapsed customers in Germany".',
      },
    );
  }
  return {
    label: describeSegment(parsed.definition),
    definition: parsed.definition,
    memberIds: await segmentMemberIds(database, parsed.definition),
    notes: parsed.notes ?? [],
  };
}

/**
 * The audience said, or undefined for everyone: for commands whose audience is optional ("what do German
 * customers buy with candles?", "which lapsed customers are likely to buy candles?"). "them", "these
 * customers" and "this segment" are the thread's segment.
 *
 * @example
 * const audience = await audienceIfSaid(ctx, args.who);
 * const where = audience?.definition;
 */
export async function audienceIfSaid(
  ctx: Pick<CommandContext, 'database' | 'llm' | 'log' | 'previous'>,
  who: string | undefined,
): Promise<Audience | undefined> {
  if (!who) return undefined;
  const { database } = ctx;
  const thread = ctx.previous?.result;
  // "which of them…", "what do these customers buy…": the thread's segment, as charts and figures read it.
  if (THIS_SEGMENT.test(who.trim().replace(/^of\s+/i, ''))) {
    if (!isSegmentMemory(thread)) {
      throw new UserError(
        'no_segment_in_thread',
        `There is no segment in this thread for "${who.trim()}" yet.`,
        {
          hint: 'Describe the audience first ("customers in Germany"), or name a saved segment.',
        },
      );
    }
    const audience = await resolveAudience(database, '', { definition: thread.definition });
    return thread.name ? { ...audience, label: `"${thread.name}"`, savedName: thread.name } : audience;
  }
  return resolveAudience(database, who, ctx);
}
