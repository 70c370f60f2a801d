/**
 * Reading a chart request with a language model. The model can only pick one of the chart builders and
 * fill its parameters through a strict "wire" schema (every field present, nullable when unused); the answer
 * is converted and checked with the same `chartRequest` schema the local parser produces, retried once with
 * the problems, and otherwise replaced by the local parser's reading with a notice. It never writes a spec.
 */
import { z } from 'zod';
import { MegaphoneError } from '../core/errors.ts';
import { tryModel } from '../llm/fallback.ts';
import { promptOnce, renderPrompt } from '../llm/prompts.ts';
import type { LlmMessage, LlmProvider, StructuredResult } from '../llm/provider.ts';
import { formatIssues } from '../llm/provider.ts';
import type { Logger } from '../logger.ts';
import {
  calendarFromWire,
  NAMED_DAYS,
  type NamedDay,
  namedFromWire,
  PERIOD_UNITS,
  WINDOW_UNITS,
} from './period.ts';
import { MAX_TOP } from './products.ts';
import { type ChartParse, type ChartRequest, chartRequest, parseChartRequest } from './request.ts';
import { COMPARE_TO } from './trends.ts';

export const CHART_KINDS = [
  'revenue',
  'revenue_compare',
  'period_compare',
  'breakdown',
  'top_products',
  'new_vs_returning',
  'cohorts',
  'compare_segments',
] as const;

const NAMED = Object.keys(NAMED_DAYS) as NamedDay[];

/** A period as the model gives it: every field present, the unused ones null. */
const wirePeriod = z
  .object({
    unit: z.enum(WINDOW_UNITS).nullable().describe('day for "today" or "yesterday"'),
    offset: z.number().nullable().describe('0: current to date, 1: previous complete one'),
    days: z.number().nullable().describe('the last N days'),
    calendar: z
      .enum(['month', 'quarter', 'year', ...NAMED])
      .nullable()
      .describe(
        'a named calendar month, quarter or year ("in March", "Q3 2025", "in 2026"), or a named shopping day ' +
          '(black_friday, cyber_monday, ...: that day, the latest one unless a year is said)',
      ),
    number: z.number().nullable().describe('calendar: the month (1-12) or quarter (1-4)'),
    year: z.number().nullable().describe('calendar: the year, when said'),
    ofYear: z
      .enum(['this', 'last'])
      .nullable()
      .describe('calendar: "March last year", "Black Friday last year": last; "Q1 this year": this'),
    last: z.boolean().nullable().describe('calendar: "last March", the latest one already ended'),
    since: z.boolean().nullable().describe('calendar: "since March", from it to the latest data'),
  })
  .nullable();

/** What the model fills in. */
export const wireChartRequest = z.object({
  chart: z.enum(CHART_KINDS),
  grain: z.enum(['day', 'week', 'month']).nullable(),
  unit: z.enum(PERIOD_UNITS).nullable().describe('revenue_compare: the period compared'),
  compare: z
    .enum(COMPARE_TO)
    .nullable()
    .describe('revenue_compare: previous period or same period last year'),
  metric: z
    .enum(['revenue', 'orders', 'units', 'average_order'])
    .nullable()
    .describe('revenue: average_order for the average order over time, else null'),
  by: z
    .enum(['country', 'lifecycle', 'rfm', 'category'])
    .nullable()
    .describe('breakdown: what to break down by; top_products: category to rank categories, else null'),
  measure: z
    .enum(['customers', 'spend'])
    .nullable()
    .describe('breakdown: count customers (default), or sum their spend ("revenue by country")'),
  limit: z.number().nullable().describe(`top_products: how many, 1 to ${MAX_TOP}`),
  goods: z
    .string()
    .nullable()
    .describe(
      'top_products: only these products, in the marketer\'s words ("Christmas", "candles", a quoted name); null for all',
    ),
  period: wirePeriod,
  against: wirePeriod.describe('period_compare: the period the first is drawn against'),
  audience: z
    .string()
    .nullable()
    .describe("who the chart is about, in the marketer's words; null for everyone"),
  segments: z.array(z.string()).nullable().describe('compare_segments: the names or audiences to compare'),
  unrecognized: z.array(z.string()).describe('parts of the request no chart here can show; empty if none'),
});

export type WireChartRequest = z.infer<typeof wireChartRequest>;

/** Describes each chart and its parameters for the prompt. */
const CHARTS_TEXT = [
  '- `revenue`: revenue (bars) and orders (line) over time, or with metric average_order the average order per period. Parameters: grain, period (optional: all the data without one), metric (average_order or null), audience.',
  '- `revenue_compare`: revenue or orders in the current period to date overlaid on the previous period or the same period last year. Parameters: unit (week, month, quarter, year), compare (previous, last_year), metric (revenue or orders), grain (optional, finer than unit), audience.',
  '- `period_compare`: revenue or orders in one period said against another said, point by point: "March vs February", "Q3 vs Q2", "this year vs 2024", "Black Friday vs last year" (against: Black Friday with ofYear last, the same day a year earlier). Parameters: period, against, metric (revenue or orders), grain (optional), audience. For "this month vs last month", "year on year" and the like use revenue_compare.',
  '- `breakdown`: customers of an audience counted, or their spend summed, by country, lifecycle stage or RFM group; with a period, only those who bought in it and their spend in it. Parameters: by (country, lifecycle, rfm), measure (customers, spend), period (optional), audience.',
  `- \`top_products\`: best-selling products, or product categories ("revenue by category", by: category). Parameters: metric (revenue or units), limit (1 to ${MAX_TOP}), period, by (category or null), goods (the products to rank among: "top Christmas products" → goods "Christmas"; else null), audience.`,
  '- `new_vs_returning`: customers buying per period, new vs returning. Parameters: grain, period (optional: all the data without one), audience.',
  '- `cohorts`: monthly cohort retention heatmap (first purchase month × months since). Parameters: audience.',
  '- `compare_segments`: two or more saved segments or audiences side by side (size, spend, average order value). Parameters: segments.',
].join('\n');

/**
 * The model's answer as a chart request candidate (not yet validated): defaults for what a chart needs and
 * the model left null, and nothing the chart does not take.
 *
 * @example
 * requestFromWire({ chart: 'cohorts', audience: null, ... }); // { chart: 'cohorts' }
 */
export function requestFromWire(w: WireChartRequest): unknown {
  const audience = w.audience?.trim() ? { audience: w.audience.trim() } : {};
  switch (w.chart) {
    case 'revenue':
    case 'new_vs_returning': {
      const period = periodFromWire(w.period);
      const average = w.chart === 'revenue' && w.metric === 'average_order';
      return {
        chart: w.chart,
        grain: w.grain ?? 'month',
        ...(period ? { period } : {}),
        ...(average ? { measure: 'average_order' } : {}),
        ...audience,
      };
    }
    case 'revenue_compare':
      return {
        chart: w.chart,
        unit: w.unit ?? 'month',
        compare: w.compare ?? 'previous',
        metric: w.metric ?? 'revenue',
        ...(w.grain ? { grain: w.grain } : {}),
        ...audience,
      };
    case 'period_compare':
      return {
        chart: w.chart,
        period: periodFromWire(w.period),
        against: periodFromWire(w.against),
        metric: w.metric === 'orders' ? 'orders' : 'revenue',
        ...(w.grain ? { grain: w.grain } : {}),
        ...audience,
      };
    case 'breakdown': {
      const period = periodFromWire(w.period);
      return {
        chart: w.chart,
        // A category breakdown is the categories ranked (top_products); the schema refuses it here.
        by: w.by,
        measure: w.measure ?? 'customers',
        ...(period ? { period } : {}),
        ...audience,
      };
    }
    case 'top_products': {
      const period = periodFromWire(w.period);
      return {
        chart: w.chart,
        metric: w.metric === 'units' ? 'units' : 'revenue',
        limit: w.limit ?? 10,
        ...(w.by === 'category' ? { by: 'category' } : {}),
        ...(w.goods?.trim() ? { goods: w.goods.trim() } : {}),
        ...(period ? { period } : {}),
        ...audience,
      };
    }
    case 'cohorts':
      return { chart: w.chart, ...audience };
    case 'compare_segments':
      return { chart: w.chart, segments: w.segments ?? [] };
  }
}

/** The period as the model gave it, for `chartRequest` to check; undefined for all time. */
function periodFromWire(p: WireChartRequest['period']): unknown {
  if (p === null) return undefined;
  const { calendar } = p;
  if (calendar === 'month' || calendar === 'quarter' || calendar === 'year')
    return calendarFromWire({ ...p, calendar });
  if (calendar !== null) return namedFromWire(calendar, p);
  return p.days !== null ? { days: p.days } : { unit: p.unit, offset: p.offset };
}

const chartPrompt = promptOnce('chart-request');

const MAX_ATTEMPTS = 2;

export type LlmChartResult =
  | { ok: true; request: ChartRequest; attempts: number }
  | { ok: false; reason: string; attempts: number; error?: MegaphoneError };

/**
 * Asks the model which chart, validates the answer, and asks once more with the problems when invalid.
 *
 * @example
 * const answer = await llmChartRequest('how did sales do vs last month?', llm);
 * if (answer.ok) await buildChart(database, answer.request, resolve);
 */
export async function llmChartRequest(
  text: string,
  llm: LlmProvider,
  opts: { today?: Date | undefined; log?: Logger | undefined } = {},
): Promise<LlmChartResult> {
  const messages: LlmMessage[] = [];
  let problems = '';
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    let answer: StructuredResult<WireChartRequest>;
    try {
      const system = renderPrompt(await chartPrompt(), {
        charts: CHARTS_TEXT,
        today: (opts.today ?? new Date()).toISOString().slice(0, 10),
      });
      answer = await llm.structured({
        system,
        user: `Chart request: ${text}`,
        schema: wireChartRequest,
        name: 'chart_request',
        messages,
      });
    } catch (error) {
      if (error instanceof MegaphoneError)
        return { ok: false, reason: error.message, attempts: attempt, error };
      throw error;
    }
    if (answer.ok && answer.value.unrecognized.length) {
      const words = answer.value.unrecognized.map((w) => `"${w}"`).join(', ');
      return { ok: false, reason: `it could not chart ${words}`, attempts: attempt };
    }
    if (answer.ok) {
      const checked = chartRequest.safeParse(requestFromWire(answer.value));
      if (checked.success) return { ok: true, request: checked.data, attempts: attempt };
      problems = formatIssues(checked.error);
    } else {
      problems = answer.error;
    }
    opts.log?.debug(
      { attempt, problems, model: llm.model },
      'chart request from the language model rejected',
    );
    if (answer.raw !== undefined) messages.push({ role: 'assistant', content: answer.raw });
    messages.push({
      role: 'user',
      content: `That answer cannot be used: ${problems}.\nAnswer again with the complete corrected object for the same request.`,
    });
  }
  return { ok: false, reason: `its answer was invalid twice: ${problems}`, attempts: MAX_ATTEMPTS };
}

export type ResolvedChartRequest = ChartParse & { source: 'local' | 'llm'; notes: string[] };

/**
 * The one way a sentence becomes a chart request: the model when configured, the local parser otherwise or
 * whenever the model's answer cannot be used (with a notice saying so).
 *
 * @example
 * const read = await resolveChartRequest('plot top 10 products last quarter', { llm: ctx.llm });
 */
export async function resolveChartRequest(
  text: string,
  ctx: { llm?: LlmProvider | undefined; today?: Date | undefined; log?: Logger | undefined },
): Promise<ResolvedChartRequest> {
  if (!ctx.llm || text.length > 500) return { ...parseChartRequest(text), source: 'local', notes: [] };
  const llm = ctx.llm;
  const tried = await tryModel('chart', llm, ctx.log, () =>
    llmChartRequest(text, llm, { today: ctx.today, log: ctx.log }),
  );
  if ('answer' in tried) return { ok: true, request: tried.answer.request, source: 'llm', notes: [] };
  const { reason } = tried;
  const local = parseChartRequest(text);
  if (local.ok) {
    return {
      ...local,
      source: 'local',
      notes: [
        `The language model's answer could not be used (${reason}); this is the local parser's reading.`,
      ],
    };
  }
  return {
    ok: false,
    message: `${local.message}\n(The language model could not help either: ${reason}.)`,
    source: 'local',
    notes: [],
  };
}
