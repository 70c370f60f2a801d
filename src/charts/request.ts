/**
 * From a sentence to a chart: a typed chart request (which builder, with which parameters, for which
 * audience) read by a local parser, then built. The audience part is plain text handed to the segment parser
 * (or the thread's segment, or a saved segment by name); the chart part can only name a builder and its
 * parameters, so nothing a user or a model writes is ever executed.
 */
import { z } from 'zod';
import { UserError } from '../core/errors.ts';
import type { Database } from '../db/client.ts';
import type { ProductMatch, SegmentDefinition } from '../segments/definition.ts';
import { readGoods } from '../segments/goods.ts';
import { loadVocabulary } from '../segments/vocabulary.ts';
import { averageOrderOverTime, type ChartBuild, revenueOverTime, segmentBreakdown } from './builders.ts';
import { cohortRetention } from './cohorts.ts';
import { MAX_GROUPS, segmentComparison } from './comparison.ts';
import {
  CALENDAR_PHRASE,
  CALENDAR_RANGE,
  comparisonPeriod,
  NAMED_DAY,
  NAMED_DAYS,
  PERIOD_UNITS,
  type Period,
  periodSchema,
  sameDayIn,
  takeCalendarPeriod,
  takeNamedDay,
  withoutMatch,
} from './period.ts';
import { MAX_TOP, PRODUCT_METRICS, topProducts } from './products.ts';
import {
  COMPARE_TO,
  DEFAULT_GRAIN,
  newVsReturning,
  periodComparison,
  revenueComparison,
  SERIES_METRICS,
} from './trends.ts';

const grain = z.enum(['day', 'week', 'month']);
/** Who the chart is about, as the marketer said it ("German customers", "this segment"); absent: everyone. */
const audience = z.string().trim().min(1).max(300).optional();

export const period = periodSchema;

/** Every chart Megaphone can draw, with its parameters. The LLM path fills exactly this, never more. */
export const chartRequest = z.discriminatedUnion('chart', [
  z.object({
    chart: z.literal('revenue'),
    grain,
    period: period.optional(),
    /** Revenue and orders (default), or the average order ("average order value by month"). */
    measure: z.enum(['revenue', 'average_order']).optional(),
    audience,
  }),
  z.object({
    chart: z.literal('revenue_compare'),
    unit: z.enum(PERIOD_UNITS),
    compare: z.enum(COMPARE_TO),
    metric: z.enum(SERIES_METRICS),
    grain: grain.optional(),
    audience,
  }),
  z.object({
    /** One period against another, each said ("Black Friday vs last year", "March vs February"). */
    chart: z.literal('period_compare'),
    period,
    against: period,
    metric: z.enum(SERIES_METRICS),
    grain: grain.optional(),
    audience,
  }),
  z.object({
    chart: z.literal('breakdown'),
    by: z.enum(['country', 'lifecycle', 'rfm']),
    /** Customers counted, or their spend summed ("revenue by country"). */
    measure: z.enum(['customers', 'spend']).default('customers'),
    /** Only customers who bought in it, and their spend in it ("revenue by country last quarter"). */
    period: period.optional(),
    audience,
  }),
  z.object({
    chart: z.literal('top_products'),
    metric: z.enum(PRODUCT_METRICS),
    limit: z.number().int().min(1).max(MAX_TOP),
    period: period.optional(),
    /** Products ranked (default), or their categories ("revenue by category", "top categories"). */
    by: z.enum(['product', 'category']).optional(),
    /** Only these products, as said ("Christmas", "candles", "\"tea light\""); read against the catalogue. */
    goods: z.string().trim().min(2).max(100).optional(),
    audience,
  }),
  z.object({ chart: z.literal('new_vs_returning'), grain, period: period.optional(), audience }),
  z.object({ chart: z.literal('cohorts'), audience }),
  z.object({
    chart: z.literal('compare_segments'),
    segments: z.array(z.string().trim().min(1).max(100)).min(2).max(MAX_GROUPS),
  }),
]);

export type ChartRequest = z.infer<typeof chartRequest>;
export type ChartKind = ChartRequest['chart'];

/**
 * A chart request, or why not. `unrecognised`: nothing here reads as a chart (the request is probably for
 * another command); otherwise the message says what to ask instead.
 */
export type ChartParse =
  | { ok: true; request: ChartRequest }
  | { ok: false; message: string; unrecognised?: true };

export const GRAIN_WORDS =
  /\b(?:by|per|each|every|a)\s+(day|week|month)\b|\b(daily|weekly|monthly)\b|\bday[- ]by[- ]day\b|\bweek[- ]on[- ]week\b/i;
const ADVERB: Record<string, 'day' | 'week' | 'month'> = { daily: 'day', weekly: 'week', monthly: 'month' };

function grainOf(text: string, fallback: 'day' | 'week' | 'month'): 'day' | 'week' | 'month' {
  const m = GRAIN_WORDS.exec(text);
  if (!m) return fallback;
  if (m[1]) return m[1].toLowerCase() as 'day' | 'week' | 'month';
  if (m[2]) return ADVERB[m[2].toLowerCase()]!;
  return /day/i.test(m[0]) ? 'day' : 'week';
}

const PERIOD_WORDS =
  /\b(today|yesterday)\b|\b(?:in\s+|over\s+|during\s+|for\s+)?(?:the\s+)?(this|last|previous|past)\s+(week|month|quarter|year)\b|\b(?:in\s+|over\s+|for\s+)?(?:the\s+)?(?:last|past|previous)\s+(\d{1,4})\s+(days?|weeks?|months?)\b|\b(year|month|quarter)[- ]to[- ]date\b|\b(ytd|mtd|qtd)\b/i;

/** A period and the text with it taken out, or why the period said cannot be charted. */
export function takePeriod(text: string): { period: Period | undefined; rest: string; problem?: string } {
  const named = takeNamedDay(text);
  if (named)
    return { period: named.period, rest: named.rest, ...(named.problem ? { problem: named.problem } : {}) };
  // A named month or quarter first: "March last year" is one period, not "last year".
  const calendar = takeCalendarPeriod(text);
  if (calendar) return { period: calendar.period, rest: calendar.rest };
  const m = PERIOD_WORDS.exec(text);
  if (!m) return { period: undefined, rest: text };
  const rest = withoutMatch(text, m);
  if (m[1]) return { period: { unit: 'day', offset: m[1].toLowerCase() === 'today' ? 0 : 1 }, rest };
  if (m[2] && m[3]) {
    const unit = m[3].toLowerCase() as (typeof PERIOD_UNITS)[number];
    return { period: { unit, offset: m[2].toLowerCase() === 'this' ? 0 : 1 }, rest };
  }
  if (m[4] && m[5]) {
    const n = Number(m[4]);
    const per = m[5].toLowerCase().startsWith('week') ? 7 : m[5].toLowerCase().startsWith('month') ? 30 : 1;
    const days = n * per;
    if (days < 1 || days > 3660) {
      return {
        period: undefined,
        rest,
        problem: `"${m[0].trim()}" is not a period I can chart: ask for the last 1 to 3,660 days (about ten years), e.g. "the last 90 days".`,
      };
    }
    return { period: { days }, rest };
  }
  const todate = (m[6] ?? m[7] ?? '').toLowerCase();
  const unit = todate.startsWith('y') ? 'year' : todate.startsWith('q') ? 'quarter' : 'month';
  return { period: { unit, offset: 0 }, rest };
}

/**
 * A calendar year or month named as a period: "in 2026", "for March", "since last March". A bare number is not
 * one ("spent over 2000").
 */
export const CALENDAR =
  /\b(?:in|during|since|from|throughout)\s+(?:the\s+year\s+)?(?:19|20)\d{2}\b|\b(?:in|for|during|since|from|throughout)\s+(?:last\s+|this\s+)?(?:january|february|march|april|may|june|july|august|september|october|november|december)(?:\s+(?:19|20)\d{2})?\b/i;

/** The grain a period is drawn in when none is asked for: days in a month, weeks in a quarter, else months. */
function periodGrain(p: Period): 'day' | 'week' | 'month' {
  if ('days' in p) return p.days <= 62 ? 'day' : p.days <= 200 ? 'week' : 'month';
  if ('named' in p) return 'day';
  const unit = 'calendar' in p ? p.calendar : p.unit;
  if (unit === 'day') return 'day';
  if ('calendar' in p && p.since) return 'month';
  return DEFAULT_GRAIN[unit];
}

/**
 * takePeriod for a request that may describe its audience's own time ("revenue last month from customers who
 * bought in 2025"): that time is set aside while the request's period is read, and put back into `rest`.
 * `left` is the rest without it, where no other period may be said.
 *
 * @example
 * takeOwnPeriod('revenue since May for customers who bought in 2025').period; // since May
 */
export function takeOwnPeriod(text: string): {
  period: Period | undefined;
  rest: string;
  left: string;
  problem?: string;
} {
  const kept: string[] = [];
  const masked = text.replace(AUDIENCE_TIME, (said) => `\uE000${kept.push(said) - 1}\uE000`);
  const taken = takePeriod(masked);
  const rest = taken.rest.replace(/\uE000(\d+)\uE000/g, (_, i: string) => kept[Number(i)]!);
  const left = taken.rest.replace(/\uE000\d+\uE000/g, ' ');
  return { period: taken.period, rest, left, ...(taken.problem ? { problem: taken.problem } : {}) };
}

/** A calendar period or range said in a text, as said ("in March", "Q3 2025", "from March to June"). */
export function calendarSaid(text: string): string | undefined {
  return CALENDAR_RANGE.exec(text)?.[0] ?? takeCalendarPeriod(text)?.said ?? CALENDAR.exec(text)?.[0]?.trim();
}

/**
 * A chart over all the data (revenue over time, new vs returning, cohorts, a breakdown) cannot be limited to a
 * period: a period said for one is refused with what to ask instead, rather than dropped without a word (the
 * chart then showed all of the data as if it were the period asked for).
 */
function periodNotCharted(body: string, what: string): ChartParse | undefined {
  // "for customers who bought in 2025" is the audience's time, not one for the chart.
  const own = body.replace(AUDIENCE_TIME, ' ');
  const said = PERIOD_WORDS.exec(own)?.[0] ?? calendarSaid(own);
  if (!said) return undefined;
  return {
    ok: false,
    message:
      `I can't limit ${what} to "${said.trim()}": it always covers all the data, by day, week or month. ` +
      'For a period, ask e.g. "revenue this month vs last month", "revenue this quarter vs same quarter last year" ' +
      'or "top 10 products last quarter".',
  };
}

/** A time that says when an audience bought or joined: "who bought in 2025", "joined in the last 30 days". */
const AUDIENCE_TIME = new RegExp(
  // "order" in "average order value this month" is a noun: that month is the figure's own.
  `\\b(?<!\\b(?:average|avg|per|mean)\\s+)(?:bought|purchased|ordered|shopped|joined|acquired|signed\\s+up|active|buy|order|purchase|shop)(?!\\s+(?:values?|counts?|sizes?|totals?|numbers?|frequency|volumes?|amounts?|rates?)\\b)(?:\\s+[\\w'-]+){0,3}?\\s+(?:${CALENDAR_PHRASE}|${PERIOD_WORDS.source})`,
  'gi',
);

/** The words that set one thing against another: "vs", "versus", "compared with", "against". */
export const VERSUS_WORDS = /\b(?:vs\.?|versus|compared\s+(?:to|with)|against)\b/i;

/**
 * The period said after "vs", "compared with" or "against" ("Q3 vs Q2", "March vs January"): the text before
 * it, the period, and what else follows. Undefined when nothing is compared.
 *
 * @example
 * versusPeriod('sales in Q3 vs Q2'); // { before: 'sales in Q3', period: { calendar: 'quarter', quarter: 2 }, after: '' }
 */
export function versusPeriod(
  text: string,
): { before: string; period: Period | undefined; after: string } | undefined {
  const cut = VERSUS_WORDS.exec(text);
  if (!cut) return undefined;
  // After "vs" a month needs no "in" ("March vs January").
  const other = text
    .slice(cut.index + cut[0].length)
    .replace(/[?!.]+$/, '')
    .trim();
  const { period, rest } = takePeriod(`in ${other}`);
  return { before: text.slice(0, cut.index).trim(), period, after: rest };
}

/**
 * The two periods of "X vs Y" when either is a named day or a calendar period ("Black Friday vs last year",
 * "March vs February", "Q3 vs Q2", "this year vs 2024"), with the text left; a message when they cannot be
 * drawn; undefined for the plain "this month vs last month", which revenue_compare draws.
 */
function periodsCompared(
  body: string,
): { period: Period; against: Period; rest: string } | { message: string } | undefined {
  // "this year vs last year on Black Friday": the day in each of the two years.
  const day = NAMED_DAY.test(body) ? takeNamedDay(body) : undefined;
  if (day?.period && !day.problem && !day.period.since) {
    const years = versusPeriod(day.rest);
    const own = years && takePeriod(years.before);
    const ownYear = own?.period && sameDayIn(own.period);
    const otherYear = years?.period && sameDayIn(years.period);
    if (own && ownYear && otherYear) {
      return {
        period: { named: day.period.named, ...ownYear },
        against: { named: day.period.named, ...otherYear },
        rest: `${own.rest} ${years.after}`.trim(),
      };
    }
  }
  const versus = versusPeriod(body);
  if (!versus?.period) return undefined;
  const own = takePeriod(versus.before);
  if (own.problem) return { message: own.problem };
  if (!own.period) return undefined;
  const said = (p: Period) => 'named' in p || 'calendar' in p;
  if (!said(own.period) && !said(versus.period)) return undefined;
  // "this month vs last month in 2025": a third period, which neither side can be.
  const left = `${own.rest} ${versus.after}`;
  if (calendarSaid(left) || takePeriod(left).period) {
    return {
      message:
        'I draw one period against one other, not three: ask e.g. "revenue in March vs February" or ' +
        '"revenue this month vs last month".',
    };
  }
  // "Black Friday vs last year": the same day in that year, not the whole year.
  const against = comparisonPeriod(own.period, versus.period);
  if (!against) {
    const name = 'named' in own.period ? NAMED_DAYS[own.period.named].name : 'a named day';
    return {
      message: `I draw ${name} against the same day in another year, e.g. "revenue on ${name} vs last year".`,
    };
  }
  return { period: own.period, against, rest: `${own.rest} ${versus.after}`.trim() };
}

/**
 * The one period a chart is limited to and the text without it, or why the period said cannot be charted
 * (what is left of a calendar period after the one taken: a range, "from March to June", is not one; a
 * second period to compare with, "this year vs last year", is not drawn either, so it is not dropped).
 */
function chartPeriod(
  body: string,
  what: string,
  examples: string,
): { period: Period | undefined; rest: string; refused?: ChartParse } {
  const { period, rest, problem, left } = takeOwnPeriod(body);
  if (problem) return { period, rest, refused: { ok: false, message: problem } };
  if (period && versusPeriod(rest)?.period) {
    return {
      period,
      rest,
      refused: {
        ok: false,
        message:
          `I draw ${what} for one period at a time, not two side by side: ask for each, e.g. ${examples}. ` +
          'For revenue and orders against another period, ask e.g. "revenue this year vs last year".',
      },
    };
  }
  const calendar = calendarSaid(left);
  if (!calendar) return { period, rest };
  return {
    period,
    rest,
    refused: {
      ok: false,
      message: `I can't chart ${what} for "${calendar}": ask for one period, e.g. ${examples}.`,
    },
  };
}

const TOP_PERIODS =
  '"top 10 products last quarter", "top 10 products in March" or "top 10 products since January"';

/** Words before "products" that say which products rank, not which: "top performing products". */
const NOT_GOODS =
  'products?|items?|sellers|selling|best|most|popular|performing|grossing|earning|rated|ranked|revenue|sales|sold|units|new|for|among|by|in|from|of|to|on|the|our|and|this|last|past|previous|customers?|buyers?|shoppers?|clients?|people|segments?';
/** Up to four words naming products, or a quoted name: read later against the catalogue (see readGoods). */
const GOODS_WORDS = `(?<goods>"[^"]{2,60}"|(?!(?:${NOT_GOODS})\\b)[a-z][\\w'&-]*(?:\\s+(?!(?:${NOT_GOODS})\\b)[a-z&][\\w'&-]*){0,3})`;
/** "top 5 Christmas products", "best 'tea light' items". */
const GOODS_TOP = new RegExp(
  `\\b(?:top|best)\\s*(\\d{1,3})?\\s+${GOODS_WORDS}\\s+(?:products?|items?|sellers|best[- ]?sellers|skus?|lines|gifts)\\b`,
  'i',
);
/** "best-selling candles", "most popular Christmas decorations": no word for products needed. */
const GOODS_SELLING = new RegExp(
  `\\b(?:best[- ]?selling|top[- ]selling|most\\s+popular)\\s*(\\d{1,3})?\\s+${GOODS_WORDS}(?=\\s|[.?!,]|$)`,
  'i',
);
/** "top products in the Christmas category", "best sellers from the candles range". */
const GOODS_IN_RANGE =
  /\b(?:in|from|within)\s+(?:the\s+|our\s+)?(?<goods>"[^"]{2,60}"|[a-z][\w'&-]*(?:\s+[a-z&][\w'&-]*){0,3}?)\s+(?:category|range|collection|department|section|line)\b/i;

/** "in Germany" brings the audience too, once no period is left in the text (see periodNotCharted). */
const AUDIENCE_OR_IN = /\b(?:for|among|of|from|in)\s+(.+)$/i;

const LEAD =
  /^\s*(?:please\s+)?(?:(?:chart|plot|graph|show|draw|visuali[sz]e|give|get)\s+)*(?:me\s+)?(?:a\s+|an\s+|the\s+)?(?:chart|graph|plot)?\s*(?:of\s+)?/i;

/** "for German customers", "among lapsed customers" → the audience text; none → undefined. */
function audienceAfter(text: string, keyword = /\b(?:for|among|of|from)\s+(.+)$/i): string | undefined {
  const m = keyword.exec(text);
  const found = m?.[1]?.replace(GRAIN_WORDS, ' ').replace(/\s+/g, ' ').trim();
  return found ? found : undefined;
}

const EVERYONE = /^(?:all\s+)?(?:(?:our|the)\s+)?(?:customers|everyone|everybody|all)$/i;

function cleanAudience(text: string | undefined): string | undefined {
  const t = text
    ?.replace(/[.?!]+$/, '')
    .replace(/^\s*(?:the|our)\s+/i, '')
    .trim();
  if (!t || EVERYONE.test(t)) return undefined;
  return t;
}

/** The average order, by the names marketers give it. */
const AVERAGE_ORDER = /\b(?:average\s+(?:order|basket|sale|transaction)(?:\s+(?:value|size))?|aov)\b/i;

const BREAKDOWN =
  /\b(?:by|per|across)\s+(country|countries|lifecycle(?:\s+stage)?|stages?|rfm(?:\s+(?:score|group|segment)s?)?)\b/i;

const SPLIT = /\s*(?:,|\band\b|\bvs\.?|\bversus\b|\bwith\b|\bagainst\b|&)\s*/i;

/**
 * Reads a chart request with no model: which chart, its parameters, and the audience as text.
 *
 * @example
 * parseChartRequest('plot top 10 products last quarter');
 * // { ok: true, request: { chart: 'top_products', metric: 'revenue', limit: 10, period: { unit: 'quarter', offset: 1 } } }
 */
export function parseChartRequest(raw: string): ChartParse {
  const text = raw.replace(/\s+/g, ' ').trim();
  const body = text.replace(LEAD, '').trim();
  const lower = body.toLowerCase();
  const checked = (candidate: unknown): ChartParse => {
    const parsed = chartRequest.safeParse(candidate);
    return parsed.success
      ? { ok: true, request: parsed.data }
      : { ok: false, message: `I couldn't read that chart request: ${parsed.error.issues[0]?.message}.` };
  };

  // compare segments A and B [and C]
  const compare = /^(?:compare|comparison of)\s+(?:(?:the\s+)?(?:saved\s+)?segments?\s+)?(.+)$/i.exec(body);
  if (compare) {
    const names = compare[1]!
      .split(SPLIT)
      .map((s) => s.trim().replace(/^["'“‘]|["'”’]$/g, ''))
      .filter(Boolean);
    if (names.length < 2) {
      return {
        ok: false,
        message:
          'Name at least two saved segments to compare, e.g. "compare lapsed-germans and big-spenders".',
      };
    }
    return checked({ chart: 'compare_segments', segments: names });
  }

  if (/\bcohorts?\b|\bretention\b/.test(lower)) {
    const refused = periodNotCharted(body, 'cohort retention');
    if (refused) return refused;
    return checked({
      chart: 'cohorts',
      audience: cleanAudience(
        audienceAfter(
          body.replace(/\bcohort\s+retention\b|\bretention\b|\bcohorts?\b/gi, ' ').trim(),
          AUDIENCE_OR_IN,
        ),
      ),
    });
  }

  if (
    /\bnew\b.*\b(?:vs\.?|versus|and|or|against)\s+(?:returning|repeat|existing)\b|\b(?:returning|repeat)\b.*\bnew\b/.test(
      lower,
    )
  ) {
    const {
      period: p,
      rest,
      refused,
    } = chartPeriod(body, 'new vs returning customers', '"new vs returning customers this year"');
    if (refused) return refused;
    const withoutLead = rest.replace(
      /\bnew\b.*?\b(?:returning|repeat|existing)\b(?:\s+customers|\s+buyers)?/i,
      ' ',
    );
    return checked({
      chart: 'new_vs_returning',
      grain: grainOf(body, p ? periodGrain(p) : 'month'),
      ...(p ? { period: p } : {}),
      audience: cleanAudience(audienceAfter(withoutLead, AUDIENCE_OR_IN)),
    });
  }

  const top =
    /\b(?:top|best|best[- ]selling|most popular|bestselling)\s*(\d{1,3})?\s*(?:(?:best[- ]?|top[- ]?)?selling\s+|(?:best[- ]?|top[- ]?)?performing\s+|grossing\s+)?(?:product\s+)?(products?|items?|sellers|best[- ]?sellers|skus?|categor(?:y|ies))\b/i.exec(
      body,
    ) ??
    // "top 5 Christmas products", "best-selling candles": products named between.
    GOODS_TOP.exec(body) ??
    GOODS_SELLING.exec(body) ??
    /\b(best[- ]?sellers)\b/i.exec(body) ??
    // "revenue by category", "units sold per product category": the categories ranked.
    /\b(?:revenue|sales|turnover|units(?:\s+sold)?)\s+(?:by|per|across)\s+(?:product\s+)?(categor(?:y|ies))\b/i.exec(
      body,
    );
  // "what sold best last month?", "which products sell the most in Germany": the same chart, asked as a question.
  const question = top
    ? null
    : /\b(?:what|which(?:\s+(?:products?|items?))?)\s+(?:sold|sells|sell|was\s+sold|were\s+sold)\s+(?:the\s+)?(best|most)\b/i.exec(
        body,
      );
  // "what are people buying this week?", "what did German customers buy last month?", "what's selling?"
  const buying = top
    ? null
    : /^\s*(?:so\s+)?(?:what(?:'s|\s+is)\s+selling(?:\s+(?:well|best))?|what\s+(?:are|do|did|were|have)\s+(?<who>.+)\s+(?:buying|bought|buy|ordering|ordered|order|purchasing|purchased|purchase))\b(?<rest>.*)$/i.exec(
        body,
      );
  if (buying) {
    // The time comes after the verb: "buy last month" is when they bought, not an audience's own time.
    const said = (buying.groups?.rest ?? '').replace(/\?+\s*$/, '');
    const { period: p, refused } = chartPeriod(said, 'top products', TOP_PERIODS);
    if (refused) return refused;
    const who = buying.groups?.who?.trim();
    const everyone =
      !who || /^(?:people|customers|shoppers|buyers|they|folks|our\s+customers|everyone)$/i.test(who);
    return checked({
      chart: 'top_products',
      metric: /\b(units|quantity|volume)\b/i.test(body) ? 'units' : 'revenue',
      limit: 10,
      ...(p ? { period: p } : {}),
      ...(everyone ? {} : { audience: cleanAudience(who) }),
    });
  }
  if (question) {
    const {
      period: p,
      rest,
      refused,
    } = chartPeriod(body.replace(/\?+\s*$/, ''), 'top products', TOP_PERIODS);
    if (refused) return refused;
    const asked = /\b(?:best|most)\b/i.exec(rest);
    const after = asked ? rest.slice(asked.index + asked[0].length) : '';
    return checked({
      chart: 'top_products',
      // "sold the most" counts pieces; "sold best" what they brought in.
      metric:
        question[1]!.toLowerCase() === 'most' || /\b(units|quantity|volume)\b/i.test(body)
          ? 'units'
          : 'revenue',
      limit: 10,
      ...(p ? { period: p } : {}),
      audience: cleanAudience(audienceAfter(after, /\b(?:for|among|by|to|from|in)\s+(.+)$/i)),
    });
  }
  if (top) {
    const { period: p, rest, refused } = chartPeriod(body, 'top products', TOP_PERIODS);
    if (refused) return refused;
    const limit = top[1] && /^\d+$/.test(top[1]) ? Number(top[1]) : 10;
    if (limit < 1 || limit > MAX_TOP) {
      return {
        ok: false,
        message: `Top ${limit} products is not possible: ask for 1 to ${MAX_TOP}, e.g. "top 10 products".`,
      };
    }
    const metric = /\b(units|unit sales|quantity|volume|items sold|pieces)\b/i.test(body)
      ? 'units'
      : 'revenue';
    // "top products in the Christmas category": the products, not an audience.
    const inRange = GOODS_IN_RANGE.exec(rest);
    const goods = top.groups?.goods ?? inRange?.groups?.goods;
    const named = inRange ? withoutMatch(rest, inRange) : rest;
    const said = top.groups?.goods ? named.replace(top.groups.goods, ' ') : named;
    const after = said.slice(
      Math.max(
        0,
        said.search(/\b(products?|items?|sellers|best[- ]?sellers|skus?|categor(?:y|ies)|lines|gifts)\b/i),
      ),
    );
    // The period is out already, so "in" can only bring the audience ("in Germany"): left out, it was dropped
    // without a word and the chart showed everyone.
    const who = audienceAfter(
      after.replace(/\b(?:by|in)\s+(?:revenue|units|quantity|volume|sales)\b/gi, ' '),
      /\b(?:for|among|by|to|from|in)\s+(.+)$/i,
    );
    return checked({
      chart: 'top_products',
      metric,
      limit,
      ...(p ? { period: p } : {}),
      ...(/categor/i.test(top[0]) && !inRange ? { by: 'category' } : {}),
      ...(goods ? { goods: goods.trim() } : {}),
      audience: cleanAudience(who),
    });
  }

  // A named day or a calendar period on either side of "vs": the two periods as said, drawn against each other.
  if (VERSUS_WORDS.test(body) && /\b(revenue|sales|orders|turnover)\b/i.test(body) && !BREAKDOWN.test(body)) {
    const periods = periodsCompared(body);
    if (periods && 'message' in periods) return { ok: false, message: periods.message };
    if (periods) {
      const metric =
        /\borders\b/i.test(body) && !/\b(revenue|sales|turnover)\b/i.test(body) ? 'orders' : 'revenue';
      const explicitGrain = GRAIN_WORDS.exec(body) ? grainOf(body, 'day') : undefined;
      return checked({
        chart: 'period_compare',
        period: periods.period,
        against: periods.against,
        metric,
        ...(explicitGrain ? { grain: explicitGrain } : {}),
        audience: cleanAudience(audienceAfter(periods.rest, /\b(?:for|among|in)\s+(.+)$/i)),
      });
    }
  }

  const vs =
    /\b(this|current)\s+(week|month|quarter|year)\b.*\b(?:vs\.?|versus|against|compared\s+(?:to|with)|and)\b/i.exec(
      body,
    ) ??
    /\b(week|month|quarter|year)[- ]on[- ](week|month|quarter|year)\b|\b(yoy|year[- ]over[- ]year|same\s+\w+\s+last\s+year|last\s+year)\b|\b(?:vs\.?|versus|compared\s+(?:to|with))\s+(?:the\s+)?(?:last|previous)\s+(week|month|quarter|year)\b/i.exec(
      body,
    );
  // "revenue by country last year" is a breakdown over last year, not this year against last year.
  const compared = /\b(?:vs\.?|versus|against|compared)\b/i.test(body) || !BREAKDOWN.test(body);
  if (vs && compared && /\b(revenue|sales|orders|turnover)\b/i.test(body)) {
    // "revenue on Black Friday vs last year" is not this year against last year.
    const named = NAMED_DAY.test(body) ? takePeriod(body) : undefined;
    if (named?.problem) return { ok: false, message: named.problem };
    const by = BREAKDOWN.exec(body);
    if (by) {
      return {
        ok: false,
        message:
          `I can't split a comparison of two periods ${by[0]}: ask for each, e.g. "revenue ${by[0]} this year" ` +
          `and "revenue ${by[0]} last year", or for the totals, "revenue this year vs last year".`,
      };
    }
    const calendar = calendarSaid(body);
    if (calendar) {
      return {
        ok: false,
        message:
          `I can't compare "${calendar}" with that: name the period to compare with too, e.g. ` +
          '"revenue in March vs February" or "revenue this month vs last month".',
      };
    }
    const unitWord =
      /\b(?:this|current)\s+(week|month|quarter|year)\b/i.exec(body)?.[1] ??
      /\b(week|month|quarter|year)[- ]on[- ]/i.exec(body)?.[1] ??
      /\b(?:last|previous)\s+(week|month|quarter|year)\b/i.exec(body)?.[1] ??
      'month';
    const unit = unitWord.toLowerCase() as (typeof PERIOD_UNITS)[number];
    const yearAgo =
      /\b(yoy|year[- ]over[- ]year|year[- ]on[- ]year|same\s+\w+\s+last\s+year|a\s+year\s+(?:ago|earlier|before))\b/i.test(
        body,
      ) ||
      (unit !== 'year' && /\blast\s+year\b/i.test(body));
    const metric =
      /\borders\b/i.test(body) && !/\b(revenue|sales|turnover)\b/i.test(body) ? 'orders' : 'revenue';
    const explicitGrain = GRAIN_WORDS.exec(body) ? grainOf(body, 'day') : undefined;
    const who = audienceAfter(
      body.replace(
        /\b(?:vs\.?|versus|against|compared\s+(?:to|with))\b.*?\b(week|month|quarter|year)\b/i,
        ' ',
      ),
      /\b(?:for|among|in)\s+(.+)$/i,
    );
    return checked({
      chart: 'revenue_compare',
      unit,
      compare: yearAgo ? 'last_year' : 'previous',
      metric,
      ...(explicitGrain ? { grain: explicitGrain } : {}),
      audience: cleanAudience(who),
    });
  }

  const breakdown = BREAKDOWN.exec(body);
  if (breakdown) {
    // A period keeps the customers who bought in it, with their spend in it.
    const {
      period: p,
      rest,
      refused,
    } = chartPeriod(
      body,
      'a breakdown of customers',
      '"revenue by country last quarter" or "customers by lifecycle stage since January"',
    );
    if (refused) return refused;
    const word = breakdown[1]!.toLowerCase();
    const by = word.startsWith('countr') ? 'country' : word.startsWith('rfm') ? 'rfm' : 'lifecycle';
    const at = BREAKDOWN.exec(rest);
    const lead = rest.slice(0, at?.index ?? 0);
    // "revenue by country", "spend of lapsed customers per stage": their spend summed, not a head count.
    const money = /\b(?:revenue|sales|spend|spending|turnover)\b/i;
    const before = lead
      .replace(/\b(?:broken\s+down|split|breakdown|break\s+down)\b/gi, ' ')
      .replace(/^\s*(?:total\s+)?(?:revenue|sales|spend|spending|turnover)\s*(?:of|from|for|among)?\b/i, ' ')
      .replace(/^\s*(?:of\s+)?/i, '')
      .trim();
    return checked({
      chart: 'breakdown',
      by,
      measure: money.test(lead) ? 'spend' : 'customers',
      ...(p ? { period: p } : {}),
      audience: cleanAudience(before),
    });
  }

  const average = AVERAGE_ORDER.test(body) && !/\b(?:revenue|sales|turnover)\b/i.test(body);
  if (/\b(revenue|sales|orders|turnover)\b/i.test(body) || average) {
    const {
      period: p,
      rest,
      refused,
    } = chartPeriod(
      body,
      'revenue',
      '"revenue by week this quarter", "revenue by day in March" or "revenue by month since January"',
    );
    if (refused) return refused;
    const over = average
      ? new RegExp(`(${AVERAGE_ORDER.source})(.*)$`, 'i').exec(rest)
      : /\b(revenue|sales|orders|turnover)\b(.*)$/i.exec(rest);
    return checked({
      chart: 'revenue',
      grain: grainOf(body, p ? periodGrain(p) : 'month'),
      ...(p ? { period: p } : {}),
      ...(average ? { measure: 'average_order' } : {}),
      audience: cleanAudience(
        audienceAfter((over?.[2] ?? '').replace(GRAIN_WORDS, ' '), /\b(?:for|among|from|by|in)\s+(.+)$/i),
      ),
    });
  }

  return {
    ok: false,
    message: `I can't tell which chart "${raw.length > 80 ? `${raw.slice(0, 77)}...` : raw}" asks for.`,
    unrecognised: true,
  };
}

/** What to try when a request is not understood. */
export const CHART_EXAMPLES = [
  'chart revenue by month for German customers',
  'show the lapsed segment by country',
  'plot top 10 products last quarter',
  'cohort retention',
  'new vs returning customers by week',
  'revenue this month vs last month',
  'revenue by country last quarter',
  'chart compare segments lapsed-germans and big-spenders',
];

/** The thread's segment, in words marketers use for it. */
export const THIS_SEGMENT =
  /^(?:this|that|the|these|those|them|our|my)(?:\s+(?:segment|audience|customers|ones|group|people|list))?$|^them$|^(?:this|that|the\s+last|the\s+current)\s+(?:segment|audience|one|group)$/i;

export interface Audience {
  definition: SegmentDefinition;
  /** A short name for titles: the saved segment's name, or undefined to describe the definition. */
  name?: string | undefined;
}

/** How an audience text becomes a definition; supplied by the caller (thread, saved segments, parser). */
export type AudienceResolver = (text: string) => Promise<Audience>;

/**
 * Draws the chart a request names, resolving its audience (and segment names) with `resolve`.
 *
 * @example
 * const built = await buildChart(database, { chart: 'cohorts' }, resolve);
 */
export async function buildChart(
  database: Database,
  request: ChartRequest,
  resolve: AudienceResolver,
): Promise<ChartBuild & { audience?: Audience | undefined }> {
  if (request.chart === 'compare_segments') {
    const groups = [];
    for (const name of request.segments) {
      const found = await resolve(name);
      groups.push({ name: found.name ?? name, definition: found.definition });
    }
    return segmentComparison(database, groups);
  }
  let product: ProductMatch | undefined;
  if (request.chart === 'top_products' && request.goods) {
    const goods = readGoods(request.goods, await loadVocabulary(database));
    if (goods.ok) product = goods.product;
    else if (goods.audience) {
      // "top UK products": what UK customers bought.
      const audience = request.audience ? `${request.goods} ${request.audience}` : request.goods;
      request = { ...request, goods: undefined, audience };
    } else throw new UserError('chart_goods', goods.message);
  }
  const who = request.audience ? await resolve(request.audience) : undefined;
  const where = who?.definition;
  switch (request.chart) {
    case 'revenue':
      return {
        ...(await (request.measure === 'average_order' ? averageOrderOverTime : revenueOverTime)(database, {
          grain: request.grain,
          period: request.period,
          where,
        })),
        audience: who,
      };
    case 'period_compare':
      return {
        ...(await periodComparison(database, {
          period: request.period,
          against: request.against,
          metric: request.metric,
          grain: request.grain,
          where,
        })),
        audience: who,
      };
    case 'revenue_compare':
      return {
        ...(await revenueComparison(database, {
          unit: request.unit,
          compare: request.compare,
          metric: request.metric,
          grain: request.grain,
          where,
        })),
        audience: who,
      };
    case 'breakdown':
      return {
        ...(await segmentBreakdown(
          database,
          where ?? { conditions: [] },
          request.by,
          who?.name,
          request.measure,
          request.period,
        )),
        audience: who,
      };
    case 'top_products':
      return {
        ...(await topProducts(database, {
          by: request.by,
          metric: request.metric,
          limit: request.limit,
          period: request.period,
          product,
          where,
        })),
        audience: who,
      };
    case 'new_vs_returning':
      return {
        ...(await newVsReturning(database, { grain: request.grain, period: request.period, where })),
        audience: who,
      };
    case 'cohorts':
      return { ...(await cohortRetention(database, { where })), audience: who };
  }
}
