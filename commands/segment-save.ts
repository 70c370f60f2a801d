import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { UserError } from '../src/core/errors.ts';
import { plural } from '../src/core/reply.ts';
import { isSegmentMemory } from '../src/segments/reply.ts';
import { saveSegment } from '../src/segments/service.ts';

export default defineCommand({
  name: 'save',
  description: 'Save the segment of this thread under a name',
  examples: ['save as lapsed-germans'],
  aliases: ['save segment as', 'save segment', 'save as'],
  args: z.object({
    name: z.string().trim().min(1, 'give the segment a name, e.g. "save as lapsed-germans"'),
  }),
  parse: (text) => ({ name: text }),
  async run(ctx, { name }) {
    const last = ctx.previous?.result;
    if (!isSegmentMemory(last)) {
      throw new UserError('nothing_to_save', 'There is no segment in this thread to save yet.', {
        hint: 'Describe an audience first, e.g. "customers in Germany who spent over £1000", then say "save as NAME".',
      });
    }
    const saved = await saveSegment(ctx.database, {
      name,
      definition: last.definition,
      request: last.request,
      createdBy: `${ctx.caller.platform}:${ctx.caller.userId}`,
    });
    return {
      reply: {
        tone: 'success',
        text: `Saved "${saved.name}" (${plural(saved.lastCount ?? 0, 'customer')} today).`,
        context: saved.description,
      },
      remember: { ...last, name: saved.name },
    };
  },
});
