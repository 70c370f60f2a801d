import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { UserError } from '../src/core/errors.ts';
import { plural } from '../src/core/reply.ts';
import { describeSegment } from '../src/segments/describe.ts';
import { isDiscoveryMemory } from '../src/segments/discover-reply.ts';
import { type SegmentMemory, segmentReply } from '../src/segments/reply.ts';
import { previewSegment, saveSegment } from '../src/segments/service.ts';

/** "show group 2", "save group 2 as loyal-regulars": a discovered group becomes an ordinary segment. */
export default defineCommand({
  name: 'group',
  description: 'Show or save one of the groups found by discover',
  examples: ['show group 1', 'save group 2 as loyal-regulars'],
  aliases: ['show group', 'show cluster', 'save group', 'save cluster'],
  args: z.object({
    index: z.coerce
      .number({ message: 'say which group by its number, e.g. "show group 2"' })
      .int('say which group by its number, e.g. "show group 2"')
      .min(1, 'groups are numbered from 1, e.g. "show group 1"'),
    saveAs: z
      .string()
      .trim()
      .min(1, 'give the group a name, e.g. "save group 1 as loyal-regulars"')
      .optional(),
  }),
  parse: (text) => {
    const m = /^(\d+)(?:\s+as\s+(.+))?$/i.exec(text.trim());
    return { index: m?.[1], saveAs: m?.[2] };
  },
  async run(ctx, { index, saveAs }) {
    const last = ctx.previous?.result;
    if (!isDiscoveryMemory(last)) {
      throw new UserError('no_discovery', 'There are no discovered groups in this thread yet.', {
        hint: 'Ask "what natural groups do our customers fall into?" first.',
      });
    }
    const group = last.discovery[index - 1];
    if (!group) {
      throw new UserError('no_such_group', `There is no group ${index}: pick 1 to ${last.discovery.length}.`);
    }
    const memory: SegmentMemory = {
      definition: group.definition,
      description: describeSegment(group.definition),
      request: `group ${index}: ${group.label}`,
    };
    if (saveAs) {
      const saved = await saveSegment(ctx.database, {
        name: saveAs,
        definition: group.definition,
        request: memory.request,
        createdBy: `${ctx.caller.platform}:${ctx.caller.userId}`,
      });
      // Stay on the discovery so further groups can be saved from the same answer.
      return {
        reply: {
          tone: 'success',
          text: `Saved group ${index} as "${saved.name}" (${plural(saved.lastCount ?? 0, 'customer')} today).`,
          context: saved.description,
        },
        remember: last,
      };
    }
    const preview = await previewSegment(ctx.database, group.definition);
    return {
      reply: segmentReply(group.definition, preview, { title: `Group ${index}: ${group.label}` }),
      remember: memory,
    };
  },
});
