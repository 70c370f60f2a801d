import { z } from 'zod';
import { figureFields, type PeriodFigures, periodFigures } from '../src/charts/figures.ts';
import {
  CALENDAR_RANGE,
  comparisonPeriod,
  inPeriod,
  NAMED_DAY,
  type Period,
  sayDay,
} from '../src/charts/period.ts';
import {
  CALENDAR,
  calendarSaid,
  parseChartRequest,
  takeOwnPeriod,
  takePeriod,
  versusPeriod,
} from '../src/charts/request.ts';
import { type CommandContext, defineCommand } from '../src/core/command.ts';
import { UserError } from '../src/core/errors.ts';
import { NO_DATA_MESSAGE } from '../src/ingest/stats.ts';
import { findAudience } from '../src/segments/audience.ts';
import type { SegmentDefinition } from '../src/segments/definition.ts';
import { describeSegment } from '../src/segments/describe.ts';
import { isSegmentMemory } from '../src/segments/reply.ts';

/** A figure a marketer asks for by name. */
const FIGURE =
  /\b(?:revenue|sales|turnover|orders?|average\s+order(?:\s+value)?|aov|new\s+customers|how\s+much\s+(?:did|have)\s+we\s+(?:sell|sold|make|made|take|taken)|how\s+many\s+customers|how\s+(?:did|do|are|were)\s+we\s+(?:do|doing|perform|performing|get\s+on)|how(?:'s|\s+is|\s+was)\s+(?:business|trading|it\s+going)|kpis?|key\s+figures|performance|numbers)\b/i;
const QUESTION =
  /^\s*(?:what(?:'s|\s+is|\s+are|\s+was|\s+were)?|how\s+(?:much|many|did|are|is|were|was)|show(?:\s+me)?|give\s+me|tell\s+me)\b/i;
/** Left to the chart, segment and product commands: over time, broken down, compared, ranked, an audience. */
const ELSEWHERE =
  /\b(?:chart|plot|graph|draw|visuali[sz]e|trends?|over\s+time|by\s+(?:day|week|month|country|countries|stage|lifecycle|rfm|products?|(?:product\s+)?categor(?:y|ies))|per\s+(?:day|week|month)|daily|weekly|monthly|vs\.?|versus|compared?|against|top|best|most|who|which|customers\s+(?:who|with|in|from|that|without))\b/i;

/** Words a figures question may hold besides the figure and the period ("how much did we sell in total?"). */
const FILLER = new Set(
  (
    "how what whats what's show me give tell is are was were do does did have has had we our us the a an of " +
    'in for so far to date total overall much many number count sell sold make made take taken get got been ' +
    'revenue sales turnover orders order average value aov customers new please right now there this that ' +
    "and its it's figure figures kpi kpis today doing perform performing performance business trading going " +
    "numbers key on how's go went"
  ).split(' '),
);

/** "vs the week before", "compared with the previous month": what the figures compare with anyway. */
const BEFORE =
  /\s*,?\s*\b(?:vs\.?|versus|compared\s+(?:to|with)|against)\s+(?:the\s+)?(?:(?:day|week|month|quarter|year|period|one)\s+before|(?:previous|prior|preceding)\s+(?:day|week|month|quarter|year|period|one))\b/gi;

/**
 * A request with its comparison read: "orders last week vs the week before" is last week's figures (which
 * compare with the week before anyway); "sales in Q3 vs Q2" is Q3's, compared with Q2. Left as it is when
 * the other side is not a period alone, or when the chart compares the two ("revenue this month vs last
 * month" draws them day by day).
 */
function compared(text: string): { text: string; against?: Period } {
  const plain = text.replace(BEFORE, ' ').replace(/\s+/g, ' ').trim();
  const versus = versusPeriod(plain);
  if (!versus) return { text: plain };
  const chart = parseChartRequest(plain);
  if (chart.ok && chart.request.chart === 'revenue_compare') return { text: plain };
  const alone = !versus.after.split(/\s+/).some((w) => w && !FILLER.has(w.toLowerCase()));
  const own = takePeriod(versus.before).period;
  if (!own || !versus.period || !alone) return { text: plain };
  // "Black Friday vs last year": the same day in that year, not the whole year.
  const against = comparisonPeriod(own, versus.period);
  return against ? { text: versus.before, against } : { text: plain };
}

/**
 * Figures for an audience: the figure said, then who ("revenue from German customers", "orders by lapsed
 * customers", "figures for big spenders"), or who spent ("how much did customers in France spend").
 */
const AUDIENCE: [RegExp, (m: RegExpExecArray) => string][] = [
  [
    // The figure may be the command's name, taken off already ("figures for big spenders" → "for big spenders").
    /^(?<figure>(?:.*?\b(?:revenue|sales|turnover|orders?|average\s+order(?:\s+value)?|aov|spend(?:ing)?|figures|kpis?|numbers)\s+)?)(?:from|by|of|for|among)\s+(?<who>.+)$/i,
    (m) => m.groups!.figure!,
  ],
  [
    /^how\s+much\s+(?:did|have|do|does|has)\s+(?<who>.+?)\s+(?:spend|spent|buy|bought)$/i,
    () => 'how much did we sell',
  ],
  [
    /^how\s+many\s+orders\s+(?:did|have|do|does|has)\s+(?<who>.+?)\s+(?:place|placed|make|made)$/i,
    () => 'how many orders',
  ],
];
/** What follows "by" or "for" in a figure request without being an audience: a breakdown, us. */
const NOT_AUDIENCE =
  /^(?:day|week|month|country|countries|stage|lifecycle|rfm|products?|categor(?:y|ies)|us|we|everyone|all(?:\s+customers)?|all\s+of\s+us)$/i;

interface Read {
  /** The request with its comparison read (see `compared`). */
  text: string;
  period: Period | undefined;
  against: Period | undefined;
  problem?: string;
  /** What is left after the period for another period to be found in (the audience's own time set aside). */
  left: string;
  /** The request without its period and audience: the figure asked for. */
  figure: string;
  /** The audience, as said. */
  who?: string;
}

/** The period, the period compared with, and the audience of a figures request. */
function read(said: string): Read {
  const { text, against } = compared(said);
  const { period, rest, left, problem } = takeOwnPeriod(text);
  const base = { text, period, against, left, ...(problem ? { problem } : {}) };
  const plain = rest.replace(/[?!.]+\s*$/, '').trim();
  for (const [pattern, figure] of AUDIENCE) {
    const m = pattern.exec(plain);
    const who = m?.groups?.who?.trim();
    if (m && who && !NOT_AUDIENCE.test(who)) return { ...base, figure: figure(m), who };
  }
  return { ...base, figure: text };
}

/**
 * What a request says besides figures, a period and filler: "bought candles" in "how many customers bought
 * candles last month?". A figures answer counts everyone, so such a request is not one (it is an audience).
 */
function unexplained(text: string): string[] {
  const { rest } = takePeriod(text);
  // A second period or a range is refused on its own terms, with what to ask instead (see run).
  return rest
    .replace(new RegExp(CALENDAR_RANGE.source, 'gi'), ' ')
    .replace(new RegExp(CALENDAR.source, 'gi'), ' ')
    .toLowerCase()
    .replace(/[?!.,:;]/g, ' ')
    .split(/\s+/)
    .filter((w) => w && !FILLER.has(w));
}

export default defineCommand({
  name: 'figures',
  description: 'Revenue, orders, customers and average order for a period, against the period before',
  examples: [
    'how many orders last week?',
    'what is our average order value this month?',
    'revenue last quarter',
    'how much did we sell in March?',
  ],
  aliases: ['kpis', 'kpi'],
  args: z.object({ request: z.string().trim().max(300, 'keep it under 300 characters') }),
  parse: (text) => ({ request: text }),
  claims: (said) => {
    const r = read(said);
    const { text } = r;
    const figure = r.who ? r.figure : text;
    return (
      // "how did Black Friday go?" is refused with what to ask instead (takePeriod).
      (FIGURE.test(figure) || (NAMED_DAY.test(text) && /^\s*how\b/i.test(text))) &&
      !ELSEWHERE.test(figure) &&
      // A range ("revenue from March to June") is claimed too, to be refused with what to ask instead.
      (QUESTION.test(figure) || r.period !== undefined || CALENDAR.test(text) || CALENDAR_RANGE.test(text)) &&
      (r.who !== undefined || unexplained(text).length === 0)
    );
  },
  async run(ctx, { request: said }) {
    const { text: request, period, against, problem, left, who } = read(said);
    if (problem) throw new UserError('figures_period', problem);
    const another = calendarSaid(left);
    if (another) {
      throw new UserError(
        'figures_calendar',
        `I give figures for one period at a time, and can't read "${another}" as one.`,
        {
          hint: 'Ask e.g. "revenue last month", "revenue in March", "orders in Q3 2025" or "revenue since January".',
        },
      );
    }
    const audience = who ? await resolveAudience(ctx, who) : undefined;
    const extra = who ? [] : unexplained(request);
    if (extra.length > 0) {
      throw new UserError(
        'figures_audience',
        `Figures count every customer, so I can't narrow them to "${extra.join(' ')}".`,
        {
          hint: 'For an audience, describe it, e.g. "customers who bought candles in the last 30 days"; the answer gives its count and spend.',
        },
      );
    }
    // "revenue from customers who bought this month vs last month": the only period is the audience's.
    if (against && !period) {
      throw new UserError(
        'figures_compare',
        'Say which period to give figures for as well as the one to compare with, e.g. "revenue this month vs last month".',
      );
    }
    const f = await periodFigures(ctx.database, period, against, audience?.definition);
    if (!f.asOf) {
      return {
        tone: 'warning',
        text: NO_DATA_MESSAGE,
      };
    }
    return {
      reply: {
        // "Figures of all time", "Figures since Jan 2026", "Figures for Mar 2026", "Figures for Germany, Mar 2026".
        title: audience
          ? `Figures for ${audience.name}, ${f.label === 'of all time' ? 'all time' : f.label}`
          : /^(?:of|since)\b/.test(f.label)
            ? `Figures ${f.label}`
            : `Figures for ${f.label}`,
        fields: figureFields(f.current, f.previous?.coverage === 'none' ? undefined : f.previous?.figures),
        context:
          (f.previous ? `${comparedWith(f.previous)} · ` : '') +
          `purchases by ${audience ? `customers in the audience (${audience.described})` : 'known customers'}, ` +
          `as of ${f.asOf.slice(0, 16).replace('T', ' ')} UTC`,
      },
    };
  },
});

/** What the changes are against, and how much of it the data covers. */
function comparedWith(previous: NonNullable<PeriodFigures['previous']>): string {
  const starts = sayDay(previous.dataStart ?? '');
  if (previous.coverage === 'none')
    return `Nothing to compare with ${inPeriod(previous.label)}: the data starts on ${starts}`;
  if (previous.coverage === 'partial')
    return `Changes against ${previous.label}, which the data covers only from ${starts}`;
  return `Changes against ${previous.label}`;
}

/** An audience named in a figures request: the thread's segment, a saved one, or one described in words. */
async function resolveAudience(
  ctx: CommandContext,
  who: string,
): Promise<{ definition: SegmentDefinition; name: string; described: string }> {
  const last = isSegmentMemory(ctx.previous?.result) ? ctx.previous.result : null;
  const found = await findAudience(who, { database: ctx.database, thread: last, llm: ctx.llm, log: ctx.log });
  if (found.source === 'no_thread_segment') {
    throw new UserError('figures_no_segment', 'There is no segment in this thread yet to give figures for.', {
      hint: 'Describe the audience, e.g. "revenue from German customers last month".',
    });
  }
  if (found.source === 'unreadable') throw new UserError('figures_audience', found.message);
  const described = describeSegment(found.definition);
  const short = described.length <= 40 ? described : undefined;
  const name = found.source === 'described' ? (short ?? who) : (found.name ?? short ?? 'this segment');
  return { definition: found.definition, name, described };
}
