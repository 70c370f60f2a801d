import { z } from 'zod';
import { parseChartRequest } from '../src/charts/request.ts';
import { defineCommand } from '../src/core/command.ts';
import { UserError } from '../src/core/errors.ts';
import type { Button } from '../src/core/reply.ts';
import { comparisonReply, isSegmentMemory } from '../src/segments/reply.ts';
import { compareSegments, getSegment } from '../src/segments/service.ts';

const THIS = /^(this|it|this one|this segment|the last one|last)$/i;
const TWO = 'name two segments, e.g. "compare lapsed-germans and big-spenders"';

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
  description: 'Compare two saved segments (or one with this thread’s segment): sizes and overlap',
  examples: ['compare lapsed-germans and big-spenders', 'compare big-spenders with this'],
  aliases: ['compare segments'],
  args: z
    .object({ a: z.string().trim().min(1, TWO), b: z.string().trim() })
    // One message when nothing is named, not one per missing name.
    .refine((x) => x.a === '' || x.b !== '', { message: TWO, path: ['b'] }),
  parse: (text) => {
    const [a, b] = text.split(/\s+(?:and|with|vs\.?|versus|to)\s+/i);
    return { a: a ?? '', b: b ?? '' };
  },
  async run(ctx, { a, b }) {
    const resolve = async (name: string) => {
      if (THIS.test(name)) {
        const last = ctx.previous?.result;
        if (!isSegmentMemory(last))
          throw new UserError('nothing_to_compare', 'There is no segment in this thread yet.');
        return { name: last.name ?? 'this segment', definition: last.definition };
      }
      const saved = await getSegment(ctx.database, name);
      return { name: saved.name, definition: saved.definition };
    };
    const left = await resolve(a);
    const right = await resolve(b);
    const comparison = await compareSegments(ctx.database, left.definition, right.definition);
    // The chart resolves "this segment" from the thread, which this command leaves as it was.
    const chartName = (side: string, resolved: { name: string }) =>
      THIS.test(side) ? 'this segment' : resolved.name;
    return {
      reply: comparisonReply(left.name, right.name, comparison, {
        buttons: chartButton(chartName(a, left), chartName(b, right)),
      }),
    };
  },
});
