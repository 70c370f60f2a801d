import type { TopLevelSpec } from 'vega-lite';
import { z } from 'zod';
import { resolveChartRequest } from '../src/charts/llm-request.ts';
import { compileSpec, renderChart } from '../src/charts/render.ts';
import {
  type Audience,
  buildChart,
  CHART_EXAMPLES,
  GRAIN_WORDS,
  parseChartRequest,
} from '../src/charts/request.ts';
import { defineCommand } from '../src/core/command.ts';
import { UserError } from '../src/core/errors.ts';
import type { Button } from '../src/core/reply.ts';
import { findAudience } from '../src/segments/audience.ts';
import { describeSegment } from '../src/segments/describe.ts';
import { isSegmentMemory } from '../src/segments/reply.ts';
import { loadVocabulary, type Vocabulary } from '../src/segments/vocabulary.ts';

/** The follow-up that asks for the last chart's Vega-Lite spec (also what its button sends). */
const SPEC =
  /^(?:(?:send|give|show|get)\s+(?:me\s+)?)?(?:the\s+)?(?:vega[- ]?lite\s+)?(?:spec(?:ification)?|json)(?:\s+(?:file|please))?$/i;

export const SPEC_BUTTON: Button = { action: 'chart', label: 'Vega-Lite spec', value: 'spec' };

/** What a chart leaves in the thread, next to the thread's segment (kept so "export" still applies to it). */
interface ChartMemory {
  chart: { spec: TopLevelSpec; title: string };
}

function chartMemory(value: unknown): ChartMemory['chart'] | null {
  if (typeof value !== 'object' || value === null || !('chart' in value)) return null;
  const chart = (value as ChartMemory).chart;
  return chart && typeof chart === 'object' && 'spec' in chart ? chart : null;
}

/** Free text this command takes without a command word: only what plainly asks for a chart. */
function claims(text: string, previous: { command: string; result: unknown } | null): boolean {
  if (SPEC.test(text.trim())) return chartMemory(previous?.result) !== null;
  const read = parseChartRequest(text);
  // A chart request that cannot be drawn as asked ("top products from March to June") gets its own answer,
  // saying what to ask instead, rather than "I don't know how to answer".
  if (!read.ok) return !read.unrecognised;
  if (read.request.chart !== 'revenue') return true;
  // "customers with more than 5 orders" names orders but is an audience: a revenue chart needs a verb,
  // a grain or "over time".
  return (
    /^\s*(?:show|draw|visuali[sz]e|chart|plot|graph)\b/i.test(text) ||
    GRAIN_WORDS.test(text) ||
    /\bover\s+time\b|\btrend/i.test(text)
  );
}

export default defineCommand({
  name: 'chart',
  description:
    'Draw a chart: revenue over time or against last period, top products, new vs returning, cohorts, an audience by country/stage/RFM, segments compared',
  examples: CHART_EXAMPLES,
  aliases: ['plot', 'graph', 'show chart', 'draw'],
  args: z.object({
    request: z.string().trim().min(1, 'say what to chart, e.g. "chart revenue by month"').max(500),
  }),
  parse: (text) => ({ request: text }),
  claims,
  async run(ctx, { request }) {
    const last = isSegmentMemory(ctx.previous?.result) ? ctx.previous.result : null;

    if (SPEC.test(request)) {
      const chart = chartMemory(ctx.previous?.result);
      if (!chart) {
        throw new UserError(
          'chart_no_spec',
          'There is no chart in this thread yet, so there is no spec to send.',
          {
            hint: `Ask for one first, e.g. "${CHART_EXAMPLES[0]}".`,
          },
        );
      }
      // Compiled again before it is handed out: a spec that does not compile is never posted.
      await compileSpec(chart.spec);
      return {
        reply: {
          title: `Vega-Lite spec of "${chart.title}"`,
          text: 'Open it in the Vega editor (vega.github.io/editor) or any Vega-Lite tool; the data is inlined.',
          attachments: [
            {
              filename: 'chart.vl.json',
              mimeType: 'application/json',
              data: new TextEncoder().encode(`${JSON.stringify(chart.spec, null, 2)}\n`),
            },
          ],
        },
      };
    }

    const read = await resolveChartRequest(request, { llm: ctx.llm, log: ctx.log });
    if (!read.ok) {
      throw new UserError('chart_unknown', read.message, {
        hint: `Try ${CHART_EXAMPLES.map((e) => `"${e}"`).join(', ')}.`,
      });
    }
    let chartRequest = read.request;
    // "chart it by country" after an audience: the thread's segment.
    if (chartRequest.chart === 'breakdown' && !chartRequest.audience && last) {
      chartRequest = { ...chartRequest, audience: 'this segment' };
    }
    const notes = [...read.notes];
    let vocab: Promise<Vocabulary> | undefined;
    const resolve = async (text: string): Promise<Audience> => {
      const found = await findAudience(text, {
        database: ctx.database,
        thread: last,
        llm: ctx.llm,
        log: ctx.log,
        vocab: () => (vocab ??= loadVocabulary(ctx.database)),
      });
      switch (found.source) {
        case 'no_thread_segment':
          throw new UserError('chart_no_segment', 'There is no segment in this thread yet to chart.', {
            hint: 'Describe the audience in the request, e.g. "chart lapsed customers by country".',
          });
        case 'unreadable':
          // Names in a comparison are usually saved segments: say which ones exist.
          if (chartRequest.chart === 'compare_segments') throw found.notFound;
          throw new UserError('chart_audience', found.message);
        case 'thread':
        case 'saved':
          return { definition: found.definition, name: found.name };
        case 'described':
          notes.push(...found.notes);
          return {
            definition: found.definition,
            name: chartRequest.chart === 'compare_segments' ? text : undefined,
          };
      }
    };

    const built = await buildChart(ctx.database, chartRequest, resolve);
    // Rendering compiles the spec first; one that fails is reported as chart_invalid, never posted.
    const { png, missingCharacters } = await renderChart(built.spec);
    if (missingCharacters.length > 0) {
      notes.push(
        `The chart font has no glyph for ${missingCharacters.join(' ')}, so the chart shows \uFFFD in its place.`,
      );
    }
    const audience = built.audience;
    return {
      reply: {
        title: built.summary,
        ...(notes.length ? { text: notes.join('\n') } : {}),
        attachments: [{ filename: 'chart.png', mimeType: 'image/png', data: png, altText: built.altText }],
        buttons: [SPEC_BUTTON],
        ...(audience
          ? { context: `${audience.name ? `${audience.name}: ` : ''}${describeSegment(audience.definition)}` }
          : {}),
      },
      // Keep the thread's segment, so "export" or a refinement still applies to it, and the chart for "spec".
      remember: { ...(last ?? {}), chart: { spec: built.spec, title: built.summary } },
    };
  },
});
