import { z } from 'zod';
import { draftsReply } from '../src/copy/reply.ts';
import { currentBrand, parseCopyRequest, resolveAudience } from '../src/copy/request.ts';
import { checkNearDuplicates } from '../src/copy/similar.ts';
import { createDrafts } from '../src/copy/store.ts';
import { defineCommand } from '../src/core/command.ts';
import { describeSegment } from '../src/segments/describe.ts';
import { isSegmentMemory, type SegmentMemory } from '../src/segments/reply.ts';

export default defineCommand({
  name: 'copy',
  description: 'Draft channel-ready copy (email, push, SMS, social) for a segment, in the brand voice',
  examples: [
    'draft an email for lapsed-germans about the Christmas lights',
    'write 2 sms variants for customers in France about candles, 20% off',
    'draft a push for this segment about product 85123A',
  ],
  aliases: ['draft', 'write', 'copy for'],
  args: z.object({
    request: z
      .string()
      .trim()
      .min(1, 'say what to write and for whom')
      .max(500, 'keep it under 500 characters'),
  }),
  parse: (text) => ({ request: text }),
  async run(ctx, { request }) {
    const parsed = parseCopyRequest(request);
    const previous = isSegmentMemory(ctx.previous?.result) ? ctx.previous.result : null;
    const audience = await resolveAudience(ctx.database, parsed.audience, {
      previous,
      llm: ctx.llm,
      log: ctx.log,
    });
    const { drafts, notices } = await createDrafts(
      {
        database: ctx.database,
        brand: await currentBrand(ctx.config.brandFile, ctx.database),
        llm: ctx.llm,
        log: ctx.log,
      },
      {
        request,
        topic: parsed.topic,
        segment: { definition: audience.definition, label: audience.label },
        productIds: parsed.productIds,
        channel: parsed.channel,
        variants: parsed.variants,
      },
      `${ctx.caller.platform}:${ctx.caller.userId}`,
    );
    // The thread keeps its audience, so "save as", "export" and the next draft request still refer to it.
    const memory: SegmentMemory = previous ?? {
      definition: audience.definition,
      description: describeSegment(audience.definition),
      request: parsed.audience,
    };
    const similar = await checkNearDuplicates(ctx.database, ctx.config, drafts, ctx.log);
    return {
      reply: draftsReply(drafts, {
        notices: [...audience.notes, ...notices],
        similar: similar.notes,
        ...(similar.skipped ? { skippedSimilarity: similar.skipped } : {}),
      }),
      remember: memory,
    };
  },
});
