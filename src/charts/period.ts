/**
 * The periods charts and figures are asked for, and the windows of time they cover. Relative periods count
 * back from the data's as-of instant (this or last week, month, quarter or year; the last N days); calendar
 * periods name a month, quarter or year ("in March", "Q3 2025", "in 2026", "since January"). A month or
 * quarter named without a year is the latest one begun by the as-of date. All in UTC.
 */
import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { plural } from '../core/reply.ts';
import { MONTHS } from './builders.ts';
import { PERIOD_UNITS, UNIT_INTERVAL, UNIT_SQL } from './trends.ts';

const year = z.number().int().min(1900).max(2999);
/** "last March": the latest March ended before the as-of date; "since March": from March to the as-of date. */
const which = { year: year.optional(), last: z.boolean().optional(), since: z.boolean().optional() };

export const periodSchema = z.union([
  z.object({ unit: z.enum(PERIOD_UNITS), offset: z.union([z.literal(0), z.literal(1)]) }),
  z.object({ days: z.number().int().min(1).max(3660) }),
  z.object({ calendar: z.literal('month'), month: z.number().int().min(1).max(12), ...which }),
  z.object({ calendar: z.literal('quarter'), quarter: z.number().int().min(1).max(4), ...which }),
  z.object({ calendar: z.literal('year'), year, since: z.boolean().optional() }),
]);

/**
 * A stretch of time: the current (`offset` 0, to date) or the previous (`offset` 1) week/month/quarter/year
 * as of the data's as-of date, the last `days` days, or a calendar month, quarter or year.
 */
export type Period = z.infer<typeof periodSchema>;
export type CalendarPeriod = Extract<Period, { calendar: string }>;

/** The first month of a calendar period (1-12). */
function firstMonth(p: CalendarPeriod): number {
  return p.calendar === 'month' ? p.month : p.calendar === 'quarter' ? p.quarter * 3 - 2 : 1;
}

/** The first instant of a calendar period, as SQL over `at` (the as-of instant, a UTC timestamp). */
function calendarStart(p: CalendarPeriod, at: SQL): SQL {
  const month = firstMonth(p);
  if (p.year !== undefined) return sql`make_timestamp(${p.year}::int, ${month}::int, 1, 0, 0, 0)`;
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
  if (!period) return { start: sql`'-infinity'::timestamp`, stop: at };
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

/** The unit a period is counted in, for the period before it: none for all time, the last N days or "since". */
export function periodUnit(period: Period | undefined): (typeof PERIOD_UNITS)[number] | undefined {
  if (!period || 'days' in period) return undefined;
  if ('calendar' in period) return period.since ? undefined : period.calendar;
  return period.unit;
}

function calendarName(unit: (typeof PERIOD_UNITS)[number], startIso: string): string {
  const [y, m, d] = startIso.split('-').map(Number) as [number, number, number];
  return unit === 'year'
    ? String(y)
    : unit === 'quarter'
      ? `Q${Math.floor((m - 1) / 3) + 1} ${y}`
      : unit === 'month'
        ? `${MONTHS[m - 1]} ${y}`
        : `week of ${d} ${MONTHS[m - 1]} ${y}`;
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
  const unit = 'calendar' in period ? period.calendar : period.unit;
  if (!startIso) return unit;
  const name = calendarName(unit, startIso);
  if ('calendar' in period) return period.since ? `since ${name}` : toDate ? `${name} to date` : name;
  return period.offset === 0 ? `${name} to date` : name;
}

/** A period's description after "in": "in Mar 2011", "since Mar 2011", "of all time". */
export function inPeriod(description: string): string {
  return /^(?:since|of)\b/.test(description) ? description : `in ${description}`;
}

const MONTH_WORDS: [RegExp, number][] = [
  [/^jan(?:uary)?$/i, 1],
  [/^feb(?:ruary)?$/i, 2],
  [/^mar(?:ch)?$/i, 3],
  [/^apr(?:il)?$/i, 4],
  [/^may$/i, 5],
  [/^june?$/i, 6],
  [/^july?$/i, 7],
  [/^aug(?:ust)?$/i, 8],
  [/^sep(?:t(?:ember)?)?$/i, 9],
  [/^oct(?:ober)?$/i, 10],
  [/^nov(?:ember)?$/i, 11],
  [/^dec(?:ember)?$/i, 12],
];
const MONTH =
  'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept(?:ember)?|sep|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';
const PREPOSITION = '(?:(in|during|for|throughout|over|since)\\s+)?(?:the\\s+)?';
const YEAR = '(?:\\s*,?\\s+(?:of\\s+)?((?:19|20)\\d{2}))?';
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
  const cut = (m: RegExpExecArray | RegExpMatchArray) =>
    `${text.slice(0, m.index)} ${text.slice(m.index! + m[0].length)}`.replace(/\s+/g, ' ').trim();
  const flags = (prep: string | undefined, lastOrThis: string | undefined, y: string | undefined) => ({
    ...(y ? { year: Number(y) } : {}),
    ...(lastOrThis?.toLowerCase() === 'last' && !y ? { last: true } : {}),
    ...(prep?.toLowerCase() === 'since' ? { since: true } : {}),
  });
  // The first month said with a preposition, "last"/"this" or a year ("may I see..." is not one).
  const month = [...text.matchAll(CALENDAR_MONTH)].find((m) => m[1] || m[2] || m[4]);
  if (month) {
    const number = MONTH_WORDS.find(([word]) => word.test(month[3]!))![1];
    return {
      period: { calendar: 'month', month: number, ...flags(month[1], month[2], month[4]) },
      rest: cut(month),
      said: month[0].trim(),
    };
  }
  const quarter = CALENDAR_QUARTER.exec(text);
  if (quarter) {
    const number = quarter[3] ? Number(quarter[3]) : ORDINAL[quarter[4]!.toLowerCase()]!;
    return {
      period: { calendar: 'quarter', quarter: number, ...flags(quarter[1], quarter[2], quarter[5]) },
      rest: cut(quarter),
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
      rest: cut(y),
      said: y[0].trim(),
    };
  }
  return undefined;
}
