import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { UserError } from '../src/core/errors.ts';
import { comparisonReply, isSegmentMemory } from '../src/segments/reply.ts';
import { compareSegments, getSegment } from '../src/segments/service.ts';

const THIS = /^(this|it|this one|this segment|the last one|last)$/i;

export default defineCommand({
  name: 'compare',
  description: 'Compare two saved segments (or one with this thread’s segment): sizes and overlap',
  examples: ['compare lapsed-germans and big-spenders', 'compare big-spenders with this'],
  aliases: ['compare segments'],
  args: z.object({
    a: z.string().trim().min(1),
    b: z.string().trim().min(1, 'name two segments, e.g. "compare lapsed-germans and big-spenders"'),
  }),
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
    return {
      reply: comparisonReply(left.name, right.name, comparison),
      remember: ctx.previous?.result ?? null,
    };
  },
});
