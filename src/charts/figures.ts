/**
 * Headline figures for a period, against the period before: what "how many orders last week?" or "what is our
 * average order value this month?" asks. Periods are read as the charts read them (this or last week, month,
 * quarter or year, the last N days), relative to the data's as-of instant, in UTC. Like `stats`, they count
 * purchase lines of known customers up to that instant.
 */
import { type SQL, sql } from 'drizzle-orm';
import { UserError } from '../core/errors.ts';
import { type Field, formatMoney, formatNumber, plural } from '../core/reply.ts';
import type { Database } from '../db/client.ts';
import { DONE_BATCHES } from '../ingest/features.ts';
import type { SegmentDefinition } from '../segments/definition.ts';
import { AS_OF, DATA_START, inSegment } from './builders.ts';
import {
  describePeriod,
  namedDayWindow,
  type Period,
  periodUnit,
  periodWindow,
  sayDay,
  UNIT_INTERVAL,
} from './period.ts';

export interface Figures {
  revenue: number;
  orders: number;
  customers: number;
  /** Customers whose first purchase ever falls in the period. */
  newCustomers: number;
}

export interface PeriodFigures {
  /** "Oct 2026", "Nov 2026 to date", "the last 30 days", "of all time". */
  label: string;
  current: Figures;
  /**
   * The period before, as long as this one (none for all time). `dataStart` (YYYY-MM-DD) is set when the
   * data begins after its start: its figures then cover part of it (`partial`) or none of it.
   */
  previous?: { label: string; figures: Figures; dataStart?: string; coverage: 'full' | 'partial' | 'none' };
  /** The data's as-of instant (ISO-8601), or null when there is no data. */
  asOf: string | null;
}

/**
 * @example
 * const week = await periodFigures(database, { unit: 'week', offset: 1 });
 * week.current.orders; // orders last week
 */
export async function periodFigures(
  database: Database,
  period: Period | undefined,
  /** The period to compare with ("Q3 vs Q2", "March vs March last year"); default: the period before. */
  against?: Period,
  /** Only this audience's purchases ("revenue from German customers last month"). */
  where?: SegmentDefinition,
): Promise<PeriodFigures> {
  const at = sql`(select at from as_of)`;
  // Both windows inclusive: [start, stop].
  const cur = periodWindow(period, at);
  const unit = periodUnit(period);
  let prev: typeof cur | undefined;
  if (against) prev = periodWindow(against, at);
  // A named day against the same day a year before ("Black Friday 2026" against "Black Friday 2025").
  else if (period && 'named' in period) {
    // As far into it as this one goes: a weekend still under way against the same hours of the last one.
    const year = namedDayWindow(period, at, 1);
    prev = {
      start: year.start,
      stop: sql`least(${year.stop}, ${year.start} + (${cur.stop} - ${cur.start}))`,
    };
  } else if (period && 'unit' in period && period.unit === 'day' && period.offset === 0) {
    // Today so far against yesterday up to the same time.
    prev = { start: sql`${cur.start} - interval '1 day'`, stop: sql`${at} - interval '1 day'` };
  } else if (unit) {
    // The period before, as far into it as this one goes in whole days: a period to date is compared with the
    // same days of the one before, as the comparison chart counts them (day 1 on day 1).
    const length = sql`${UNIT_INTERVAL[unit]}::interval`;
    prev = {
      start: sql`${cur.start} - ${length}`,
      stop: sql`least(${cur.start} - ${length} + (date_trunc('day', ${cur.stop}) - ${cur.start}) + interval '1 day', ${cur.start}) - interval '1 microsecond'`,
    };
  } else if (period) {
    // The last N days, or since a date: as long a stretch just before it.
    prev = {
      start: sql`${cur.start} - (${at} - ${cur.start})`,
      stop: sql`${cur.start} - interval '1 microsecond'`,
    };
  }
  const iso = (t: ReturnType<typeof sql>) => sql`to_char(${t}, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
  const [b] = await database.rows<{
    as_of: string | null;
    cur_start: string | null;
    cur_stop: string | null;
    prev_start: string | null;
    prev_stop: string | null;
    days: number | null;
    to_date: boolean | null;
    prev_to_date: boolean | null;
    data_start: string | null;
  }>(sql`
    with as_of as (select ${AS_OF} at time zone 'UTC' as at)
    select ${iso(at)} as as_of, ${iso(cur.start)} as cur_start, ${iso(cur.stop)} as cur_stop,
      ${prev ? iso(prev.start) : sql`null`} as prev_start, ${prev ? iso(prev.stop) : sql`null`} as prev_stop,
      ${prev ? sql`extract(day from date_trunc('day', ${cur.stop}) - ${cur.start})::int + 1` : sql`null`} as days,
      (${cur.stop}) = ${at} as to_date, ${prev ? sql`(${prev.stop}) = ${at}` : sql`null`} as prev_to_date,
      ${DATA_START} as data_start`);
  if (!b?.as_of) {
    const none = { revenue: 0, orders: 0, customers: 0, newCustomers: 0 };
    return { label: describePeriod(period, null), current: none, asOf: null };
  }
  const toDate = Boolean(b.to_date);
  const label = describePeriod(period, b.cur_start?.slice(0, 10) ?? null, toDate);
  if (b.cur_start && b.cur_stop && b.cur_start > b.cur_stop) {
    throw new UserError(
      'figures_period_after',
      `${describePeriod(period, b.cur_start.slice(0, 10))} is after the latest data (as of ${b.as_of.slice(0, 10)}), so there are no figures for it yet.`,
      { hint: 'Ask for an earlier period, e.g. "revenue last month".' },
    );
  }
  if (b.data_start && b.cur_stop && b.cur_stop < b.data_start) {
    throw new UserError(
      'figures_period_before',
      `${label} is before the data starts (${sayDay(b.data_start)}), so there are no figures for it.`,
      { hint: 'Ask for a later period, e.g. "revenue last month".' },
    );
  }
  const figures = (start: string | null, stop: string) =>
    windowFigures(
      database,
      (at) =>
        start
          ? sql`${at} >= ${start}::timestamptz and ${at} <= ${stop}::timestamptz`
          : sql`${at} <= ${stop}::timestamptz`,
      where,
    );
  // The all-time window starts at -infinity, which to_char prints as such: no lower bound.
  const start = (s: string | null) => (s && /^\d/.test(s) ? s : null);
  const current = await figures(start(b.cur_start), b.cur_stop!);
  if (!period || !prev || !b.prev_start || !b.prev_stop) return { label, current, asOf: b.as_of };
  if (against && b.prev_start > b.prev_stop) {
    throw new UserError(
      'figures_period_after',
      `${describePeriod(against, b.prev_start.slice(0, 10))} is after the latest data (as of ${b.as_of.slice(0, 10)}), so there is nothing to compare with.`,
      { hint: 'Compare with an earlier period, e.g. "revenue in Q3 vs Q2".' },
    );
  }
  const before = unit ? describePeriod({ unit, offset: 1 }, b.prev_start.slice(0, 10)) : '';
  const previousLabel = against
    ? describePeriod(against, b.prev_start.slice(0, 10), Boolean(b.prev_to_date))
    : 'named' in period
      ? period.since
        ? `as long a stretch ${describePeriod(period, b.prev_start.slice(0, 10))}`
        : `${describePeriod(period, b.prev_start.slice(0, 10))}${toDate ? ' up to the same time' : ''}`
      : !unit
        ? `the ${plural('days' in period ? period.days : (b.days ?? 0), 'day')} before`
        : unit === 'day'
          ? `${before}${toDate ? ' up to the same time' : ''}`
          : toDate
            ? `the first ${b.days === 1 ? 'day' : `${b.days} days`} of ${before}`
            : before;
  // Before the data begins there is nothing to compare with: "new" against it would read as growth.
  const coverage =
    !b.data_start || b.data_start <= b.prev_start ? 'full' : b.data_start <= b.prev_stop ? 'partial' : 'none';
  return {
    label,
    current,
    previous: {
      label: previousLabel,
      figures: await figures(b.prev_start, b.prev_stop),
      coverage,
      ...(coverage === 'full' ? {} : { dataStart: b.data_start!.slice(0, 10) }),
    },
    asOf: b.as_of,
  };
}

/**
 * The figures of purchase lines whose time passes `within` (a condition on the time column it is given). A new
 * customer is one whose first purchase passes it: as of the features' instant, which ends every window asked for.
 *
 * @example
 * await windowFigures(database, (at) => sql`${at} > now() - interval '7 days'`);
 */
export async function windowFigures(
  database: Database,
  within: (at: SQL) => SQL,
  /** Only this audience's purchases and customers (default: everyone). */
  where?: SegmentDefinition,
): Promise<Figures> {
  const members = (column: SQL) => inSegment(database, column, where);
  const [row] = await database.rows<{
    revenue: string;
    orders: number;
    customers: number;
    fresh: number;
  }>(sql`
    select coalesce(round(sum(quantity * unit_price_e4) * 0.0001, 2), 0)::text as revenue,
      count(distinct invoice)::int as orders, count(distinct customer_id)::int as customers,
      (select count(*)::int from customer_features
        where ${within(sql`first_purchase_at`)} and ${members(sql`customer_id`)}) as fresh
    from events
    where kind = 'purchase' and batch_id in ${DONE_BATCHES} and ${within(sql`occurred_at`)}
      and ${members(sql`customer_id`)}`);
  return {
    revenue: Number(row?.revenue ?? 0),
    orders: Number(row?.orders ?? 0),
    customers: Number(row?.customers ?? 0),
    newCustomers: Number(row?.fresh ?? 0),
  };
}

/** "+12%", "−5%", "new" (nothing before), "no change". */
export function change(current: number, previous: number): string {
  if (current === previous) return 'no change';
  if (previous === 0) return 'new';
  const pct = ((current - previous) / Math.abs(previous)) * 100;
  const rounded = Math.abs(pct) < 10 ? Math.round(pct * 10) / 10 : Math.round(pct);
  return `${rounded > 0 ? '+' : '−'}${formatNumber(Math.abs(rounded))}%`;
}

/** The headline fields of a period, each with its change against `previous` when there is one. */
export function figureFields(current: Figures, previous?: Figures): Field[] {
  const aov = (f: Figures) => (f.orders ? f.revenue / f.orders : 0);
  const line = (now: number, then: number | undefined, show: (n: number) => string) =>
    `${show(now)}${then === undefined ? '' : ` (${change(now, then)})`}`;
  return [
    { label: 'Revenue', value: line(current.revenue, previous?.revenue, formatMoney) },
    { label: 'Orders', value: line(current.orders, previous?.orders, formatNumber) },
    { label: 'Customers', value: line(current.customers, previous?.customers, formatNumber) },
    { label: 'New customers', value: line(current.newCustomers, previous?.newCustomers, formatNumber) },
    { label: 'Average order', value: line(aov(current), previous && aov(previous), formatMoney) },
  ];
}
