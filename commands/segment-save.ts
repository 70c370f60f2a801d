import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { UserError } from '../src/core/errors.ts';
import { plural } from '../src/core/reply.ts';
import type { Database } from '../src/db/client.ts';
import { describeSegment } from '../src/segments/describe.ts';
import { isSegmentMemory } from '../src/segments/reply.ts';
import { listSegments, saveSegment } from '../src/segments/service.ts';

/** A readable name from the request ("customers in Germany who..." → "customers-in-germany-who"), unused. */
async function freeName(database: Database, request: string): Promise<string> {
  const base =
    request
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40)
      .replace(/-+$/, '') || 'segment';
  const taken = new Set((await listSegments(database)).map((s) => s.name.toLowerCase()));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

export default defineCommand({
  name: 'save',
  description: 'Save the segment of this thread under a name',
  examples: ['save as lapsed-germans'],
  aliases: ['save segment as', 'save segment', 'save as'],
  args: z.object({
    /** Absent when the Save button is pressed: a name is made from the request. */
    name: z.string().trim().optional(),
  }),
  parse: (text) => ({ name: text === '' ? undefined : text }),
  async run(ctx, { name }) {
    const last = ctx.previous?.result;
    if (!isSegmentMemory(last)) {
      throw new UserError('nothing_to_save', 'There is no segment in this thread to save yet.', {
        hint: 'Describe an audience first, e.g. "customers in Germany who spent over £1000", then say "save as NAME".',
      });
    }
    const named = Boolean(name);
    const saved = await saveSegment(ctx.database, {
      name: name || (await freeName(ctx.database, last.request ?? describeSegment(last.definition))),
      definition: last.definition,
      request: last.request,
      createdBy: `${ctx.caller.platform}:${ctx.caller.userId}`,
    });
    return {
      reply: {
        tone: 'success',
        text:
          `Saved "${saved.name}" (${plural(saved.lastCount ?? 0, 'customer')} today).` +
          (named ? '' : ` To give it another name, say "save as NAME" and "delete segment ${saved.name}".`),
        context: saved.description,
      },
      remember: { ...last, name: saved.name },
    };
  },
});
