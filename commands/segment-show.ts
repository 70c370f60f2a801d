import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { type SegmentMemory, segmentReply } from '../src/segments/reply.ts';
import { getSegment, previewSegment } from '../src/segments/service.ts';

export default defineCommand({
  name: 'show segment',
  description: 'Show a saved segment as it is today',
  examples: ['show segment lapsed-germans'],
  aliases: ['open segment'],
  args: z.object({ name: z.string().trim().min(1, 'say which segment') }),
  parse: (text) => ({ name: text }),
  async run(ctx, { name }) {
    const segment = await getSegment(ctx.database, name);
    const preview = await previewSegment(ctx.database, segment.definition);
    const memory: SegmentMemory = {
      definition: segment.definition,
      description: segment.description,
      request: segment.request ?? segment.description,
      name: segment.name,
    };
    return {
      reply: segmentReply(segment.definition, preview, { title: `Segment "${segment.name}"` }),
      remember: memory,
    };
  },
});
