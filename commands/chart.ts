import { z } from 'zod';
import { revenueOverTime, segmentBreakdown } from '../src/charts/builders.ts';
import { renderChart } from '../src/charts/render.ts';
import { defineCommand } from '../src/core/command.ts';
import { UserError } from '../src/core/errors.ts';
import type { SegmentDefinition } from '../src/segments/definition.ts';
import { describeSegment } from '../src/segments/describe.ts';
import { isSegmentMemory } from '../src/segments/reply.ts';
import { resolveSegmentRequest } from '../src/segments/request.ts';
import { loadVocabulary } from '../src/segments/vocabulary.ts';

const OVER_TIME = /\b(revenue|sales|orders|turnover)\b.*?\b(?:by|per|each)\s+(day|week|month)\b/i;
const BREAKDOWN = /\bby\s+(country|countries|lifecycle|stage|lifecycle stage)\b/i;
const THIS = /\b(this|that|the|these|those|them|our)\s+(segment|audience|customers|ones)\b|\bthem\b/i;

export default defineCommand({
  name: 'chart',
  description:
    'Draw a chart: revenue over time (optionally for an audience), or a segment by country or stage',
  examples: [
    'chart revenue by month',
    'chart revenue by week for customers in Germany',
    'chart this segment by country',
  ],
  aliases: ['plot', 'graph', 'show chart'],
  args: z.object({
    request: z.string().trim().min(1, 'say what to chart, e.g. "chart revenue by month"').max(500),
  }),
  parse: (text) => ({ request: text }),
  claims: (text) =>
    OVER_TIME.test(text) || (BREAKDOWN.test(text) && /\b(chart|plot|graph|show|draw|break)/i.test(text)),
  async run(ctx, { request }) {
    const last = isSegmentMemory(ctx.previous?.result) ? ctx.previous.result : null;
    const audience = async (text: string): Promise<SegmentDefinition | undefined> => {
      const cleaned = text.replace(/^\s*(for|of|among|from)\s+/i, '').trim();
      if (!cleaned) return undefined;
      if (THIS.test(cleaned) && last) return last.definition;
      const parsed = await resolveSegmentRequest(cleaned, {
        vocab: await loadVocabulary(ctx.database),
        llm: ctx.llm,
        log: ctx.log,
      });
      if (!parsed.ok) throw new UserError('chart_audience', parsed.message);
      return parsed.definition;
    };

    let built: { spec: object; altText: string; summary: string };
    let definition: SegmentDefinition | undefined;
    const overTime = OVER_TIME.exec(request);
    const breakdown = BREAKDOWN.exec(request);
    if (overTime) {
      const grain = overTime[2]!.toLowerCase() as 'day' | 'week' | 'month';
      definition = await audience(request.slice(overTime.index + overTime[0].length));
      built = await revenueOverTime(ctx.database, { grain, ...(definition ? { where: definition } : {}) });
    } else if (breakdown) {
      const by = breakdown[1]!.toLowerCase().startsWith('countr') ? 'country' : 'lifecycle';
      const before = request.slice(0, breakdown.index).replace(/^\s*(show|chart|plot|draw)\s+/i, '');
      definition =
        (THIS.test(before) || before.trim() === '') && last ? last.definition : await audience(before);
      if (!definition) {
        throw new UserError(
          'chart_no_segment',
          'Which customers? Describe an audience first, or say e.g. "chart lapsed customers by country".',
        );
      }
      built = await segmentBreakdown(ctx.database, definition, by);
    } else {
      throw new UserError('chart_unknown', `I can't chart "${request}" yet.`, {
        hint: 'Try "chart revenue by month", "chart revenue by week for customers in Germany" or "chart this segment by country".',
      });
    }
    const { png } = await renderChart(built.spec as never);
    return {
      reply: {
        title: built.summary,
        attachments: [
          { filename: 'chart.png', mimeType: 'image/png', data: png, altText: built.altText },
          // The Vega-Lite spec, so analysts can take the chart further.
          {
            filename: 'chart.vl.json',
            mimeType: 'application/json',
            data: new TextEncoder().encode(`${JSON.stringify(built.spec, null, 2)}\n`),
          },
        ],
        ...(definition ? { context: describeSegment(definition) } : {}),
      },
      // Keep the thread's segment, so "export" or a refinement still applies to it.
      remember: last,
    };
  },
});
