import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { UserError } from '../src/core/errors.ts';
import { formatNumber } from '../src/core/reply.ts';
import type { SegmentDefinition } from '../src/segments/definition.ts';
import { isSegmentMemory } from '../src/segments/reply.ts';
import { exportSegmentCsv, getSegment } from '../src/segments/service.ts';

function fileName(name: string): string {
  return `${
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'segment'
  }.csv`;
}

export default defineCommand({
  name: 'export',
  personalData: true,
  description: 'Export the members of this thread’s segment, or of a saved one, as CSV',
  examples: ['export', 'export segment lapsed-germans'],
  aliases: ['export segment', 'export csv', 'download'],
  args: z.object({ name: z.string().trim().optional() }),
  parse: (text) => ({ name: text || undefined }),
  async run(ctx, { name }) {
    let target: { name: string; definition: SegmentDefinition; description: string };
    if (name) {
      target = await getSegment(ctx.database, name);
    } else {
      const last = ctx.previous?.result;
      if (!isSegmentMemory(last)) {
        throw new UserError('nothing_to_export', 'There is no segment in this thread to export.', {
          hint: 'Describe an audience first, or say "export segment NAME" for a saved one.',
        });
      }
      target = { name: last.name ?? 'segment', definition: last.definition, description: last.description };
    }
    const { csv, rows } = await exportSegmentCsv(ctx.database, target.definition);
    return {
      reply: {
        text: `${formatNumber(rows)} customers exported.`,
        attachments: [
          { filename: fileName(target.name), mimeType: 'text/csv', data: new TextEncoder().encode(csv) },
        ],
        context: target.description,
      },
    };
  },
});
