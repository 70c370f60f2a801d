import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { describeSegment } from '../src/segments/describe.ts';
import { looksLikeRefinement, looksLikeSegmentRequest } from '../src/segments/parse.ts';
import { isSegmentMemory, type SegmentMemory, segmentReply } from '../src/segments/reply.ts';
import { resolveSegmentRequest } from '../src/segments/request.ts';
import { previewSegment } from '../src/segments/service.ts';
import { loadVocabulary } from '../src/segments/vocabulary.ts';

export default defineCommand({
  name: 'segment',
  description: 'Find an audience from a plain sentence, preview it, then refine, save or export it',
  examples: [
    "customers in Germany who spent over £1000 but haven't bought in 90 days",
    'top 50 customers by spend',
    'customers who bought christmas items last December but not since September',
    'only those in France',
  ],
  aliases: ['audience', 'find'],
  args: z.object({
    request: z.string().trim().min(1, 'describe the audience').max(500, 'keep it under 500 characters'),
  }),
  parse: (text) => ({ request: text }),
  claims: (text, previous) =>
    looksLikeSegmentRequest(text) || (isSegmentMemory(previous?.result) && looksLikeRefinement(text)),
  async run(ctx, { request }) {
    const vocab = await loadVocabulary(ctx.database);
    const last = isSegmentMemory(ctx.previous?.result) ? ctx.previous.result : null;
    const refining = last !== null && looksLikeRefinement(request);
    const parsed = await resolveSegmentRequest(request, {
      vocab,
      llm: ctx.llm,
      previous: last?.definition,
      refine: refining,
      log: ctx.log,
    });
    if (!parsed.ok) {
      // Asking back keeps the thread's last segment, so the next message can still refine it.
      return { reply: { tone: 'warning', text: parsed.message }, remember: last };
    }
    const preview = await previewSegment(ctx.database, parsed.definition);
    const memory: SegmentMemory = {
      definition: parsed.definition,
      description: describeSegment(parsed.definition),
      request: refining ? `${last.request}; ${request}` : request,
    };
    return { reply: segmentReply(parsed.definition, preview, { notes: parsed.notes }), remember: memory };
  },
});
