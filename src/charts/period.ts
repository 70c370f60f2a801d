/**
 * The periods charts and figures are asked for, and the windows of time they cover. Relative periods count
 * back from the data's as-of instant (this or last week, month, quarter or year; the last N days); calendar
 * periods name a month, quarter or year ("in March", "Q3 2025", "in 2026", "since January"). A month or
 * quarter named without a year is the latest one begun by the as-of date. All in UTC.
 */
import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { UserError } from '../core/errors.ts';
import { plural } from '../core/reply.ts';
import type { Database } from '../db/client.ts';
import { DATA_AS_OF } from '../ingest/daily-sales.ts';

export const PERIOD_UNITS = ['week', 'month', 'quarter', 'year'] as const;
export type PeriodUnit = (typeof PERIOD_UNITS)[number];
/** What a period counted back from the data can be: a period unit, or a day ("today", "yesterday"). */
export const WINDOW_UNITS = ['day', ...PERIOD_UNITS] as const;
export type WindowUnit = (typeof WINDOW_UNITS)[number];

/** Only these words reach SQL as text; every value is a bound parameter. */
export const UNIT_SQL: Record<WindowUnit, SQL> = {
  day: sql.raw(`'day'`),
  week: sql.raw(`'week'`),
  month: sql.raw(`'month'`),
  quarter: sql.raw(`'quarter'`),
  year: sql.raw(`'year'`),
};
/** One period's length, as an interval literal (a bound parameter). */
export const UNIT_INTERVAL: Record<WindowUnit, string> = {
  day: '1 day',
  week: '7 days',
  month: '1 month',
  quarter: '3 months',
  year: '1 year',
};

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const year = z.number().int().min(1900).max(2999);
/** "last March": the latest March ended before the as-of date; "since March": from March to the as-of date. */
const which = {
  year: year.optional(),
  last: z.boolean().optional(),
  since: z.boolean().optional(),
  /** "March last year", "Q1 this year": in the as-of year, or the one before. */
  ofYear: z.enum(['this', 'last']).optional(),
};

/** A calendar month, quarter or year ("in March", "Q3 2025", "in 2026"), or from one on ("since January"). */
export const calendarPeriodSchema = z.union([
  z.object({ calendar: z.literal('month'), month: z.number().int().min(1).max(12), ...which }),
  z.object({ calendar: z.literal('quarter'), quarter: z.number().int().min(1).max(4), ...which }),
  z
    .object({
      calendar: z.literal('year'),
      year: year.optional(),
      /** "this year" in segments: the as-of year, or with "last" the one before. */
      ofYear: z.enum(['this', 'last']).optional(),
      since: z.boolean().optional(),
    })
    .refine((p) => (p.year === undefined) !== (p.ofYear === undefined), {
      message: 'a calendar year needs its number or "this"/"last" year, not both',
    }),
]);

/** Shopping days named rather than dated, each with its date in a year (see namedStart). */
export const NAMED_DAYS = {
  black_friday: { name: 'Black Friday', days: 1 },
  cyber_monday: { name: 'Cyber Monday', days: 1 },
  black_friday_weekend: { name: 'Black Friday weekend', days: 4 },
  thanksgiving: { name: 'Thanksgiving', days: 1 },
  singles_day: { name: "Singles' Day", days: 1 },
  halloween: { name: 'Halloween', days: 1 },
  valentines_day: { name: "Valentine's Day", days: 1 },
  christmas_eve: { name: 'Christmas Eve', days: 1 },
  christmas_day: { name: 'Christmas Day', days: 1 },
  boxing_day: { name: 'Boxing Day', days: 1 },
  new_years_eve: { name: "New Year's Eve", days: 1 },
  new_years_day: { name: "New Year's Day", days: 1 },
} as const;
export type NamedDay = keyof typeof NAMED_DAYS;

/** "Black Friday", "Cyber Monday 2025", "Christmas Eve last year": without a year, the latest one begun. */
export const namedDaySchema = z.object({
  named: z.enum(Object.keys(NAMED_DAYS) as [NamedDay, ...NamedDay[]]),
  year: year.optional(),
  ofYear: z.enum(['this', 'last']).optional(),
  /** "since Black Friday": from it to the as-of instant. */
  since: z.boolean().optional(),
});
export type NamedDayPeriod = z.infer<typeof namedDaySchema>;

export const periodSchema = z.union([
  z.object({ unit: z.enum(WINDOW_UNITS), offset: z.union([z.literal(0), z.literal(1)]) }),
  z.object({ days: z.number().int().min(1).max(3660) }),
  ...calendarPeriodSchema.options,
  namedDaySchema,
]);

/**
 * A stretch of time: the current (`offset` 0, to date) or the previous (`offset` 1) week/month/quarter/year
 * as of the data's as-of date, the last `days` days, or a calendar month, quarter or year.
 */
export type Period = z.infer<typeof periodSchema>;
export type CalendarPeriod = z.infer<typeof calendarPeriodSchema>;

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/**
 * A calendar period as a marketer says it, without the data's as-of date: "in March", "last March",
 * "since Q3 2025", "in 2026".
 *
 * @example
 * sayCalendarPeriod({ calendar: 'month', month: 3, since: true }); // 'since March'
 */
export function sayCalendarPeriod(p: CalendarPeriod): string {
  if (p.calendar === 'year' && p.ofYear) return `${p.since ? 'since the start of ' : ''}${p.ofYear} year`;
  const name =
    p.calendar === 'year'
      ? String(p.year)
      : `${p.calendar === 'month' ? MONTH_NAMES[p.month - 1] : `Q${p.quarter}`}${p.year !== undefined ? ` ${p.year}` : p.ofYear ? ` ${p.ofYear} year` : ''}`;
  if (p.since) return `since ${name}`;
  return p.calendar !== 'year' && p.last ? `last ${name}` : `in ${name}`;
}

/**
 * A calendar period as a model fills it in a strict schema (every field present, null when unused), for the
 * period schema to check: a 13th month or a year-less year is refused there, not here.
 *
 * @example
 * calendarFromWire({ calendar: 'month', number: 3, year: null, last: false, since: true }); // since March
 */
export function calendarFromWire(p: {
  calendar: 'month' | 'quarter' | 'year';
  number: number | null;
  year: number | null;
  ofYear?: 'this' | 'last' | null;
  last: boolean | null;
  since: boolean | null;
}): unknown {
  const year = p.year === null ? (p.ofYear ? { ofYear: p.ofYear } : {}) : { year: p.year };
  const since = p.since ? { since: true } : {};
  if (p.calendar === 'year') return { calendar: 'year', ...year, ...since };
  const last = p.last && p.year === null ? { last: true } : {};
  return p.calendar === 'month'
    ? { calendar: 'month', month: p.number, ...year, ...last, ...since }
    : { calendar: 'quarter', quarter: p.number, ...year, ...last, ...since };
}

/**
 * A named day as a model's wire gives it (a strict schema: every field present, null when unused): in `year`
 * or `ofYear` when said, else the latest one begun by the as-of date.
 *
 * @example
 * namedFromWire('black_friday', { year: null, ofYear: 'last', since: null }); // { named: 'black_friday', ofYear: 'last' }
 */
export function namedFromWire(
  named: NamedDay,
  p: { year: number | null; ofYear?: 'this' | 'last' | null; since: boolean | null },
): unknown {
  const year = p.year !== null ? { year: p.year } : p.ofYear ? { ofYear: p.ofYear } : {};
  return { named, ...year, ...(p.since ? { since: true } : {}) };
}

/** The first month of a calendar period (1-12). */
function firstMonth(p: CalendarPeriod): number {
  return p.calendar === 'month' ? p.month : p.calendar === 'quarter' ? p.quarter * 3 - 2 : 1;
}

/** The first instant of a calendar period, as SQL over `at` (the as-of instant, a UTC timestamp). */
function calendarStart(p: CalendarPeriod, at: SQL): SQL {
  const month = firstMonth(p);
  if (p.year !== undefined) return sql`make_timestamp(${p.year}::int, ${month}::int, 1, 0, 0, 0)`;
  if (p.ofYear) {
    const back = p.ofYear === 'last' ? 1 : 0;
    return sql`make_timestamp(extract(year from ${at})::int - ${back}::int, ${month}::int, 1, 0, 0, 0)`;
  }
  // The latest such month or quarter begun by the as-of date; with "last", the latest one ended by it (a year
  // earlier when the as-of date is in it).
  const current =
    p.calendar === 'month'
      ? sql`extract(month from ${at})::int`
      : sql`(extract(quarter from ${at})::int * 3 - 2)`;
  const back = 'last' in p && p.last ? sql`${month}::int >= ${current}` : sql`${month}::int > ${current}`;
  return sql`make_timestamp(extract(year from ${at})::int - (case when ${back} then 1 else 0 end), ${month}::int, 1, 0, 0, 0)`;
}

/**
 * The window a period covers, inclusive at both ends, as SQL over `at` (the as-of instant, a UTC timestamp).
 * A period never reaches past the as-of instant; one that begins after it is empty (start > stop).
 *
 * @example
 * const { start, stop } = periodWindow({ calendar: 'month', month: 3 }, sql`(select at from as_of)`);
 */
export function periodWindow(period: Period | undefined, at: SQL): { start: SQL; stop: SQL } {
  const { start, stop } = windowOf(period, at);
  // Parenthesised: callers embed them in arithmetic ("x - start" must not read as "x - a - b").
  return { start: sql`(${start})`, stop: sql`(${stop})` };
}

/** The first instant of a named day in a year (SQL int), in UTC like every window here. */
function namedStart(named: NamedDay, year: SQL): SQL {
  const fixed: Partial<Record<NamedDay, [number, number]>> = {
    singles_day: [11, 11],
    halloween: [10, 31],
    valentines_day: [2, 14],
    christmas_eve: [12, 24],
    christmas_day: [12, 25],
    boxing_day: [12, 26],
    new_years_eve: [12, 31],
    new_years_day: [1, 1],
  };
  const date = fixed[named];
  if (date) return sql`make_timestamp(${year}, ${date[0]}::int, ${date[1]}::int, 0, 0, 0)`;
  // Thanksgiving is the fourth Thursday of November (dow 4); Black Friday the day after, Cyber Monday 4 after.
  const after = named === 'thanksgiving' ? 0 : named === 'cyber_monday' ? 4 : 1;
  const nov1 = sql`make_timestamp(${year}, 11, 1, 0, 0, 0)`;
  return sql`(${nov1} + make_interval(days => ((11 - extract(dow from ${nov1})::int) % 7) + 21 + ${after}::int))`;
}

/**
 * A named day's window as SQL over `at`: in its year, else in the as-of year, or the year before when that
 * one has not begun by the as-of instant. `back` years earlier still (the same day a year before).
 */
export function namedDayWindow(p: NamedDayPeriod, at: SQL, back = 0): { start: SQL; stop: SQL } {
  const asOfYear = sql`extract(year from ${at})::int`;
  const year =
    p.year !== undefined
      ? sql`${p.year}::int`
      : p.ofYear
        ? sql`(${asOfYear} - ${p.ofYear === 'last' ? 1 : 0}::int)`
        : sql`(${asOfYear} - (case when ${namedStart(p.named, asOfYear)} > ${at} then 1 else 0 end))`;
  const start = namedStart(p.named, back ? sql`(${year} - ${back}::int)` : year);
  if (p.since) return { start, stop: at };
  const length = sql`${`${NAMED_DAYS[p.named].days} days`}::interval`;
  return { start, stop: sql`least(${start} + ${length} - interval '1 microsecond', ${at})` };
}

function windowOf(period: Period | undefined, at: SQL): { start: SQL; stop: SQL } {
  if (!period) return { start: sql`'-infinity'::timestamp`, stop: at };
  if ('named' in period) return namedDayWindow(period, at);
  if ('days' in period) return { start: sql`${at} - ${`${period.days} days`}::interval`, stop: at };
  if ('calendar' in period) {
    const start = calendarStart(period, at);
    if (period.since) return { start, stop: at };
    const length = sql`${UNIT_INTERVAL[period.calendar]}::interval`;
    return { start, stop: sql`least(${start} + ${length} - interval '1 microsecond', ${at})` };
  }
  const current = sql`date_trunc(${UNIT_SQL[period.unit]}, ${at})`;
  if (period.offset === 0) return { start: current, stop: at };
  return {
    start: sql`${current} - ${UNIT_INTERVAL[period.unit]}::interval`,
    stop: sql`${current} - interval '1 microsecond'`,
  };
}

/** A period worked out against the data: its window as plain values, and how to say it. */
export interface ResolvedPeriod {
  /** The window's first and last instants (ISO-8601 UTC), inclusive. */
  start: string;
  stop: string;
  /** The first and last whole UTC days in it (YYYY-MM-DD), for day rollups. */
  firstDay: string;
  lastDay: string;
  /** "Mar 2011", "Jun 2011 to date", "since Feb 2011", "the last 30 days". */
  label: string;
  /** The data's as-of date (YYYY-MM-DD). */
  asOf: string;
  /** The period is still going: it ends at the as-of instant, not at its own end. */
  toDate: boolean;
}

/**
 * The window of a period as of the data's as-of instant, worked out once and bound as plain values (a range
 * the planner can see is estimated from statistics; see topProducts). Undefined when there is no data. A
 * period that begins after the data is refused (code `chart_period_after`) with the as-of date.
 *
 * @example
 * const march = await resolvePeriod(database, { calendar: 'month', month: 3 });
 * march?.label; // 'Mar 2011'
 */
export async function resolvePeriod(
  database: Database,
  period: Period,
  what = 'sales',
): Promise<ResolvedPeriod | undefined> {
  const at = sql`(select at from as_of)`;
  const { start, stop } = periodWindow(period, at);
  const iso = (t: SQL) => sql`to_char(${t}, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
  const [b] = await database.rows<{
    start: string | null;
    stop: string | null;
    first_day: string | null;
    last_day: string | null;
    to_date: boolean | null;
    as_of: string | null;
  }>(sql`
    with as_of as (select ${DATA_AS_OF} at time zone 'UTC' as at)
    select ${iso(start)} as start, ${iso(stop)} as stop,
      -- A window starting within a day (the last N days) counts from the next whole day.
      to_char(date_trunc('day', ${start} - interval '1 microsecond') + interval '1 day', 'YYYY-MM-DD') as first_day,
      to_char(${stop}, 'YYYY-MM-DD') as last_day, (${stop}) = ${at} as to_date, to_char(${at}, 'YYYY-MM-DD') as as_of`);
  if (!b?.as_of || !b.start || !b.stop || !b.first_day || !b.last_day) return undefined;
  if (b.start > b.stop) {
    throw new UserError(
      'chart_period_after',
      `${describePeriod(period, b.start.slice(0, 10))} is after the latest data (as of ${b.as_of}), so there are no ${what} in it.`,
      { hint: 'Ask for an earlier period, e.g. "last month".' },
    );
  }
  return {
    start: b.start,
    stop: b.stop,
    firstDay: b.first_day,
    lastDay: b.last_day,
    label: describePeriod(period, b.start.slice(0, 10), Boolean(b.to_date)),
    asOf: b.as_of,
    toDate: Boolean(b.to_date),
  };
}

/** The unit a period is counted in, for the period before it: none for all time, the last N days or "since". */
export function periodUnit(period: Period | undefined): WindowUnit | undefined {
  if (!period || 'days' in period || 'named' in period) return undefined;
  if ('calendar' in period) return period.since ? undefined : period.calendar;
  return period.unit;
}

function calendarName(unit: WindowUnit, startIso: string): string {
  const [y, m, d] = startIso.split('-').map(Number) as [number, number, number];
  if (unit === 'day') return `${d} ${MONTHS[m - 1]} ${y}`;
  return unit === 'year'
    ? String(y)
    : unit === 'quarter'
      ? `Q${Math.floor((m - 1) / 3) + 1} ${y}`
      : unit === 'month'
        ? `${MONTHS[m - 1]} ${y}`
        : `week of ${d} ${MONTHS[m - 1]} ${y}`;
}

/** "1 Dec 2025" from 2025-12-01 (or a longer ISO instant, whose day it takes). */
export function sayDay(iso: string): string {
  return calendarName('day', iso.slice(0, 10));
}

/**
 * "Q2 2011", "Jun 2011 to date", "since Mar 2011", "the last 30 days", from the window's first day
 * (YYYY-MM-DD) and whether it ends at the as-of instant before its natural end.
 *
 * @example
 * describePeriod({ calendar: 'month', month: 3 }, '2011-03-01'); // 'Mar 2011'
 */
export function describePeriod(period: Period | undefined, startIso: string | null, toDate = false): string {
  if (!period) return 'of all time';
  if ('days' in period) return `the last ${plural(period.days, 'day')}`;
  if ('named' in period) return describeNamedDay(period, startIso, toDate);
  const unit = 'calendar' in period ? period.calendar : period.unit;
  if (!startIso) return unit;
  const name = calendarName(unit, startIso);
  if ('calendar' in period) return period.since ? `since ${name}` : toDate ? `${name} to date` : name;
  return period.offset === 0 ? `${name} to date` : name;
}

/** "Black Friday 2026 (27 Nov)", "Black Friday weekend 2026 (27–30 Nov) to date". */
function describeNamedDay(p: NamedDayPeriod, startIso: string | null, toDate: boolean): string {
  const { name, days } = NAMED_DAYS[p.named];
  if (!startIso) return name;
  const [y, m, d] = startIso.split('-').map(Number) as [number, number, number];
  const end = new Date(Date.UTC(y, m - 1, d + days - 1));
  const span =
    days === 1
      ? `${d} ${MONTHS[m - 1]}`
      : end.getUTCMonth() === m - 1
        ? `${d}–${end.getUTCDate()} ${MONTHS[m - 1]}`
        : `${d} ${MONTHS[m - 1]}–${end.getUTCDate()} ${MONTHS[end.getUTCMonth()]}`;
  if (p.since) return `since ${name} ${y} (${d} ${MONTHS[m - 1]})`;
  return `${name} ${y} (${span})${toDate ? ' to date' : ''}`;
}

/** A period's description after "in": "in Mar 2011", "since Mar 2011", "of all time", "on Black Friday 2026". */
export function inPeriod(description: string): string {
  if (/^(?:since|of)\b/.test(description)) return description;
  // "on Black Friday 2026 (27 Nov)", "over Black Friday weekend 2026 (27–30 Nov)".
  const named = Object.values(NAMED_DAYS).find((d) => description.startsWith(`${d.name} `));
  return named ? `${named.days > 1 ? 'over' : 'on'} ${description}` : `in ${description}`;
}

const MONTH =
  'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept(?:ember)?|sep|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';
const PREPOSITION = '(?:(in|during|for|throughout|over|since)\\s+)?(?:the\\s+)?';
const YEAR = '(?:\\s*,?\\s+(?:of\\s+)?((?:19|20)\\d{2})|\\s+(?:of\\s+)?(this|last)\\s+year)?';
const ORDINAL: Record<string, number> = {
  first: 1,
  '1st': 1,
  second: 2,
  '2nd': 2,
  third: 3,
  '3rd': 3,
  fourth: 4,
  '4th': 4,
};

const CALENDAR_MONTH = new RegExp(
  `\\b${PREPOSITION}(?:month\\s+of\\s+)?(?:(last|this)\\s+)?(${MONTH})${YEAR}\\b`,
  'gi',
);
const CALENDAR_QUARTER = new RegExp(
  `\\b${PREPOSITION}(?:(last|this)\\s+)?(?:q([1-4])|(first|second|third|fourth|1st|2nd|3rd|4th)\\s+quarter)${YEAR}\\b`,
  'i',
);
// A year is followed by the end of the sentence or a joining word: "for 2000 customers" counts people.
const CALENDAR_YEAR =
  /\b(in|during|for|throughout|since)\s+(?:the\s+)?(?:year\s+)?((?:19|20)\d{2})(?=\s*(?:$|[?.!,;:)]|(?:and|or|vs|versus|for|in|from|among|by|to|of|compared|against|with|so|please|then|but)\b))/i;

const PREP = '(?:in|during|for|throughout|over|since)';
const SAID_YEAR = '(?:\\s*,?\\s+(?:of\\s+)?(?:19|20)\\d{2}|\\s+(?:of\\s+)?(?:this|last)\\s+year)';
/**
 * A calendar period as a phrase, with no capturing groups, for composing into other patterns: what
 * takeCalendarPeriod reads (a month needs a preposition, "last"/"this" or a year; a year a preposition).
 */
export const CALENDAR_PHRASE = [
  `${PREP}\\s+(?:the\\s+)?(?:month\\s+of\\s+)?(?:(?:last|this)\\s+)?(?:${MONTH})\\b${SAID_YEAR}?`,
  `(?:last|this)\\s+(?:${MONTH})\\b${SAID_YEAR}?`,
  `(?:${MONTH})${SAID_YEAR}`,
  `(?:${PREP}\\s+)?(?:the\\s+)?(?:(?:last|this)\\s+)?(?:q[1-4]|(?:first|second|third|fourth|1st|2nd|3rd|4th)\\s+quarter)\\b${SAID_YEAR}?`,
  `(?:in|during|for|throughout|since)\\s+(?:the\\s+)?(?:year\\s+)?(?:19|20)\\d{2}`,
  '(?:(?:in|during|since)\\s+)?this\\s+year',
]
  .map((form) => `(?:${form})`)
  .join('|');

/**
 * The calendar period of a phrase CALENDAR_PHRASE matched, or undefined. "this year" is the as-of year so far
 * (a form takeCalendarPeriod leaves to the relative periods).
 *
 * @example
 * calendarOfPhrase('in this year'); // { calendar: 'year', ofYear: 'this' }
 */
export function calendarOfPhrase(phrase: string): CalendarPeriod | undefined {
  if (/^(?:(?:in|during|since)\s+)?this\s+year$/i.test(phrase.trim()))
    return { calendar: 'year', ofYear: 'this' };
  return takeCalendarPeriod(phrase)?.period;
}

// "Halloween decorations", "Christmas Day gifts": goods for the day, not the day's sales.
const THEMED_GOODS =
  '(?:items?|products?|decorations?|decor|cards?|gifts?|costumes?|stuff|range|collections?|lines?|goods|categor(?:y|ies)|themed?|sweets|treats|bags?|mugs?|jumpers?|hampers?|wrap(?:ping)?|lights?)\\b';

/** Shopping days named rather than dated, as said, each with the day it is (see NAMED_DAYS). */
const NAMED_DAY_WORDS: [string, NamedDay][] = [
  ['(?:black\\s+friday|cyber)\\s+weekend', 'black_friday_weekend'],
  ['black\\s+friday', 'black_friday'],
  ['cyber\\s+monday', 'cyber_monday'],
  ['thanksgiving(?:\\s+day)?', 'thanksgiving'],
  ["singles'?\\s+day|11\\.11|double\\s+11", 'singles_day'],
  ['halloween', 'halloween'],
  ["valentine'?s?\\s+day", 'valentines_day'],
  ['christmas\\s+eve', 'christmas_eve'],
  ['christmas\\s+day', 'christmas_day'],
  ['boxing\\s+day', 'boxing_day'],
  ["new\\s+year'?s?\\s+eve", 'new_years_eve'],
  ["new\\s+year'?s?\\s+day", 'new_years_day'],
];
/** Any of the days, as said. */
const ANY_NAMED_DAY = NAMED_DAY_WORDS.map(([w]) => `(?:${w})`).join('|');
const NAMED_DAY_SAID = new RegExp(
  `\\b(?:(since)\\s+|(?:on|over|during|for|at|around)\\s+)?(?:the\\s+)?(?:(this|last)\\s+year'?s\\s+)?(${ANY_NAMED_DAY})(?:\\s+(?:in\\s+)?((?:19|20)\\d{2})|\\s+(this|last)\\s+year)?\\b(?!\\s+${THEMED_GOODS})`,
  'i',
);
/** A named day as a phrase, with no capturing groups, for composing into other patterns ("on Black Friday"). */
export const NAMED_DAY_PHRASE = `(?:(?:this|last)\\s+year'?s\\s+)?(?:${ANY_NAMED_DAY})(?:\\s+(?:in\\s+)?(?:19|20)\\d{2}|\\s+(?:this|last)\\s+year)?\\b(?!\\s+${THEMED_GOODS})`;
/** Named days whose date moves in ways not worked out here: refused with what to ask instead, never dropped. */
const MOVING_DAY =
  /\b(?:easter(?:\s+(?:sunday|monday|weekend))?|prime\s+day|(?:mother|father)'?s\s+day|cyber\s+week)\b/i;
/** A shopping day named in a request ("Black Friday", "Boxing Day"), read as a period or not. */
export const NAMED_DAY = new RegExp(`${NAMED_DAY_SAID.source}|${MOVING_DAY.source}`, 'i');

/** The text with a match taken out, spaces closed up: what is left to read after a period is taken. */
export function withoutMatch(text: string, m: RegExpExecArray | RegExpMatchArray): string {
  return `${text.slice(0, m.index)} ${text.slice(m.index! + m[0].length)}`.replace(/\s+/g, ' ').trim();
}

/**
 * The named day said in a text and the text without it, or why the one said cannot be read; undefined when
 * none is said.
 *
 * @example
 * takeNamedDay('how did black friday go?'); // { period: { named: 'black_friday' }, rest: 'how did go?' }
 */
export function takeNamedDay(
  text: string,
): { period?: NamedDayPeriod; rest: string; problem?: string } | undefined {
  const moving = MOVING_DAY.exec(text);
  if (moving) {
    return {
      rest: withoutMatch(text, moving),
      problem:
        `I can't read "${moving[0].replace(/\s+/g, ' ')}" as a period yet: I know Black Friday, Cyber Monday and ` +
        'fixed days like Christmas Day, and count calendar weeks, months, quarters and years. Ask for the week ' +
        'or month it fell in, e.g. "orders last week vs the week before" or "revenue in April vs last April".',
    };
  }
  const m = NAMED_DAY_SAID.exec(text);
  if (!m) return undefined;
  const said = m[3]!;
  const named = NAMED_DAY_WORDS.find(([w]) => new RegExp(`^(?:${w})$`, 'i').test(said))![1];
  const which = (m[2] ?? m[5])?.toLowerCase() as 'this' | 'last' | undefined;
  const period: NamedDayPeriod = {
    named,
    ...(m[4] ? { year: Number(m[4]) } : which ? { ofYear: which } : {}),
    ...(m[1] ? { since: true } : {}),
  };
  return { period, rest: withoutMatch(text, m) };
}

/** A range of calendar periods ("from March to June", "between Q1 and Q3"), which no window here covers. */
export const CALENDAR_RANGE = new RegExp(
  `\\b(?:from|between)\\s+(?:the\\s+)?(?:${MONTH}|q[1-4]|(?:19|20)\\d{2})(?:\\s+(?:19|20)\\d{2})?\\s*(?:to|till|until|and|-|–)\\s*(?:the\\s+)?(?:${MONTH}|q[1-4]|(?:19|20)\\d{2})(?:\\s+(?:19|20)\\d{2})?\\b`,
  'i',
);

/**
 * The calendar period a text names, and the text without it: "in March", "last March", "March 2025",
 * "since January", "in Q3", "the third quarter of 2025", "in 2026". A month needs a preposition, "last" or
 * "this", or a year with it, so that words like "may" are left alone; a year needs a preposition, so that
 * amounts are ("spent over 2000").
 *
 * @example
 * takeCalendarPeriod('revenue in March 2025'); // { period: { calendar: 'month', month: 3, year: 2025 }, rest: 'revenue', said: 'in March 2025' }
 */
export function takeCalendarPeriod(
  text: string,
): { period: CalendarPeriod; rest: string; said: string } | undefined {
  const flags = (
    prep: string | undefined,
    lastOrThis: string | undefined,
    y: string | undefined,
    ofYear: string | undefined,
  ) => ({
    ...(y ? { year: Number(y) } : {}),
    ...(ofYear && !y ? { ofYear: ofYear.toLowerCase() as 'this' | 'last' } : {}),
    ...(lastOrThis?.toLowerCase() === 'last' && !y && !ofYear ? { last: true } : {}),
    ...(prep?.toLowerCase() === 'since' ? { since: true } : {}),
  });
  // The first month said with a preposition, "last"/"this" or a year ("may I see..." is not one).
  const month = [...text.matchAll(CALENDAR_MONTH)].find((m) => m[1] || m[2] || m[4] || m[5]);
  if (month) {
    // Every spelling MONTH takes starts with the month's first three letters.
    const number = MONTHS.findIndex((m) => m.toLowerCase() === month[3]!.slice(0, 3).toLowerCase()) + 1;
    return {
      period: { calendar: 'month', month: number, ...flags(month[1], month[2], month[4], month[5]) },
      rest: withoutMatch(text, month),
      said: month[0].trim(),
    };
  }
  const quarter = CALENDAR_QUARTER.exec(text);
  if (quarter) {
    const number = quarter[3] ? Number(quarter[3]) : ORDINAL[quarter[4]!.toLowerCase()]!;
    return {
      period: {
        calendar: 'quarter',
        quarter: number,
        ...flags(quarter[1], quarter[2], quarter[5], quarter[6]),
      },
      rest: withoutMatch(text, quarter),
      said: quarter[0].trim(),
    };
  }
  const y = CALENDAR_YEAR.exec(text);
  if (y) {
    return {
      period: {
        calendar: 'year',
        year: Number(y[2]),
        ...(y[1]!.toLowerCase() === 'since' ? { since: true } : {}),
      },
      rest: withoutMatch(text, y),
      said: y[0].trim(),
    };
  }
  return undefined;
}

/**
 * The year a period names, for a named day in it ("Black Friday vs last year": Black Friday of last year);
 * undefined for any other period.
 *
 * @example
 * sameDayIn({ unit: 'year', offset: 1 }); // { ofYear: 'last' }
 */
export function sameDayIn(p: Period): { year: number } | { ofYear: 'this' | 'last' } | undefined {
  if ('unit' in p && p.unit === 'year') return { ofYear: p.offset === 0 ? 'this' : 'last' };
  if ('calendar' in p && p.calendar === 'year' && !p.since)
    return p.year !== undefined ? { year: p.year } : p.ofYear ? { ofYear: p.ofYear } : undefined;
  return undefined;
}

/**
 * The period `own` is compared with when `other` is said after "vs": the same named day in the year `other`
 * names ("Black Friday vs last year" is Black Friday of last year), else `other` itself; undefined for a named
 * day against a period that is no year ("Black Friday vs last month").
 *
 * @example
 * comparisonPeriod({ named: 'black_friday' }, { unit: 'year', offset: 1 }); // { named: 'black_friday', ofYear: 'last' }
 */
export function comparisonPeriod(own: Period, other: Period): Period | undefined {
  if (!('named' in own) || 'named' in other) return other;
  const year = sameDayIn(other);
  return year ? { named: own.named, ...year } : undefined;
}
