import { z } from 'zod';
import { parseChartRequest, takePeriod } from '../src/charts/request.ts';
import { type CommandContext, defineCommand } from '../src/core/command.ts';
import { UserError } from '../src/core/errors.ts';
import type { Button } from '../src/core/reply.ts';
import type { SegmentDefinition } from '../src/segments/definition.ts';
import { describeSegment } from '../src/segments/describe.ts';
import { looksLikeSegmentRequest, parseSegmentRequest } from '../src/segments/parse.ts';
import { comparisonReply, isSegmentMemory } from '../src/segments/reply.ts';
import { resolveSegmentRequest } from '../src/segments/request.ts';
import { compareSegments, getSegment } from '../src/segments/service.ts';
import { loadVocabulary, type Vocabulary } from '../src/segments/vocabulary.ts';

const THIS = /^(this|it|this one|this segment|the last one|last)$/i;
const TWO = 'name two segments, e.g. "compare lapsed-germans and big-spenders"';
const SEPARATOR = /\s+(?:and|with|vs\.?|versus|to)\s+/gi;

/** Every way to cut the text in two at a separator, leftmost first. */
function splits(text: string): [string, string][] {
  return [...text.matchAll(SEPARATOR)].map((m) => [
    text.slice(0, m.index).trim(),
    text.slice(m.index + m[0].length).trim(),
  ]);
}

interface Side {
  name: string;
  definition: SegmentDefinition;
  /** Described in the message rather than saved (or this thread's): the chart reads the description again. */
  described: boolean;
}

/**
 * The button that charts the same two segments: pressing it sends "chart compare segments A and B". Left out
 * when the chart request would not read back these two names (e.g. a name with "against" in it, or "the X
 * segment"), so the button never charts something else.
 */
function chartButton(a: string, b: string): Button[] {
  const value = `compare segments ${a} and ${b}`;
  const read = parseChartRequest(value);
  const same =
    read.ok &&
    read.request.chart === 'compare_segments' &&
    read.request.segments.length === 2 &&
    read.request.segments[0] === a &&
    read.request.segments[1] === b;
  // The chart reads "the X segment" as X: a saved name shaped like that would be looked up wrongly.
  const reshaped = [a, b].some((n) => n !== 'this segment' && /^(?:the|saved|segment)\s|\ssegment$/i.test(n));
  return same && !reshaped ? [{ action: 'chart', label: 'Chart', value }] : [];
}

export default defineCommand({
  name: 'compare',
  description: 'Compare two segments (saved, this thread’s, or described in words): sizes and overlap',
  examples: [
    'compare lapsed-germans and big-spenders',
    'compare big-spenders with this',
    'compare lapsed customers and active customers',
  ],
  aliases: ['compare segments'],
  args: z
    .object({ a: z.string().trim().min(1, TWO), b: z.string().trim(), text: z.string().trim() })
    // One message when nothing is named, not one per missing name.
    .refine((x) => x.a === '' || x.b !== '', { message: TWO, path: ['b'] }),
  parse: (text) => {
    const [first] = splits(text);
    return { a: first?.[0] ?? text.trim(), b: first?.[1] ?? '', text };
  },
  async run(ctx, { a, b, text }) {
    let vocab: Vocabulary | undefined;
    const words = async () => (vocab ??= await loadVocabulary(ctx.database));
    // "and", "with" and "to" also occur inside a name or a description ("customers with returns"): the cut
    // is the first one where both sides are known, saved or readable; else the first, which says what is not.
    let pair: [string, string] = [a, b];
    for (const [left, right] of splits(text)) {
      if ((await known(ctx, left, words)) && (await known(ctx, right, words))) {
        pair = [left, right];
        break;
      }
    }
    // "compare Black Friday this year vs last year", "compare this month with last month": times, not segments.
    const [first, second] = pair;
    if (isTime(first) && isTime(second) && !(await saved(ctx, first)) && !(await saved(ctx, second))) {
      throw new UserError('compare_periods', `"${first}" and "${second}" are times, not segments.`, {
        hint:
          'For a day against the year before, ask "how did Black Friday go?"; for two periods, ' +
          '"revenue this month vs last month" or "sales in Q3 vs Q2".',
      });
    }
    const left = await resolve(ctx, pair[0], words);
    const right = await resolve(ctx, pair[1], words);
    const comparison = await compareSegments(ctx.database, left.definition, right.definition);
    // The chart resolves "this segment" from the thread, which this command leaves as it was, a saved name
    // by looking it up, and a description by reading it again as said.
    const chartName = (side: string, resolved: Side) =>
      THIS.test(side) ? 'this segment' : resolved.described ? side : resolved.name;
    return {
      reply: comparisonReply(left.name, right.name, comparison, {
        buttons: chartButton(chartName(pair[0], left), chartName(pair[1], right)),
      }),
    };
  },
});

/** A side that is a time and nothing else ("last year", "Black Friday this year", "revenue in March"). */
function isTime(side: string): boolean {
  const { period, rest } = takePeriod(side);
  return (
    Boolean(period) && !/\w/.test(rest.replace(/\b(?:the|our|on|in|over|revenue|sales|orders)\b/gi, ' '))
  );
}

async function saved(ctx: CommandContext, name: string) {
  try {
    return await getSegment(ctx.database, name);
  } catch (error) {
    if (error instanceof UserError && error.code === 'segment_not_found') return null;
    throw error;
  }
}

/** Whether a side names this thread's segment, a saved one, or an audience the local parser reads. */
async function known(ctx: CommandContext, side: string, words: () => Promise<Vocabulary>): Promise<boolean> {
  if (!side) return false;
  if (THIS.test(side) || (await saved(ctx, side))) return true;
  return looksLikeSegmentRequest(side) && parseSegmentRequest(side, await words()).ok;
}

/** This thread's segment, a saved one, or one described in words ("lapsed customers in France"). */
async function resolve(ctx: CommandContext, side: string, words: () => Promise<Vocabulary>): Promise<Side> {
  if (THIS.test(side)) {
    const last = ctx.previous?.result;
    if (!isSegmentMemory(last))
      throw new UserError('nothing_to_compare', 'There is no segment in this thread yet.');
    return { name: last.name ?? 'this segment', definition: last.definition, described: false };
  }
  const found = await saved(ctx, side);
  if (found) return { name: found.name, definition: found.definition, described: false };
  if (looksLikeSegmentRequest(side)) {
    const parsed = await resolveSegmentRequest(side, { vocab: await words(), llm: ctx.llm, log: ctx.log });
    if (parsed.ok)
      return { name: describeSegment(parsed.definition), definition: parsed.definition, described: true };
    throw new UserError(
      'compare_unreadable',
      `"${side}" is not a saved segment, and I could not read it as an audience: ${parsed.message}`,
    );
  }
  // Neither saved nor a description: the lookup's own message names the closest saved segments.
  await getSegment(ctx.database, side);
  throw new UserError('segment_not_found', `There is no saved segment called "${side}".`);
}
