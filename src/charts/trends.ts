/**
 * Time charts beyond plain revenue: this period against a comparison period, and new against returning
 * customers. Both aggregate in SQL and cap the number of points like `revenueSeries`.
 */
import { sql } from 'drizzle-orm';
import type { TopLevelSpec } from 'vega-lite';
import { UserError } from '../core/errors.ts';
import { formatMoney, plural } from '../core/reply.ts';
import type { Database } from '../db/client.ts';
import { ensureDailySales } from '../ingest/daily-sales.ts';
import type { SegmentDefinition } from '../segments/definition.ts';
import {
  AS_OF,
  audienceLabel,
  type ChartBuild,
  DATA_START,
  type Grain,
  inSegment,
  periodAxis,
  periodLabel,
  rollupUnit,
  seriesSpan,
  timeBuckets,
} from './builders.ts';
import {
  inPeriod,
  MONTHS,
  type Period,
  type PeriodUnit,
  type ResolvedPeriod,
  resolvePeriod,
  sayDay,
  UNIT_INTERVAL,
  UNIT_SQL,
} from './period.ts';
import { PALETTE } from './render.ts';

export const COMPARE_TO = ['previous', 'last_year'] as const;
export type CompareTo = (typeof COMPARE_TO)[number];
export const SERIES_METRICS = ['revenue', 'orders'] as const;
export type SeriesMetric = (typeof SERIES_METRICS)[number];

/** The natural grain inside a period: days in a week or month, weeks in a quarter, months in a year. */
export const DEFAULT_GRAIN: Record<PeriodUnit, Grain> = {
  week: 'day',
  month: 'day',
  quarter: 'week',
  year: 'month',
};
const GRAIN_ORDER: Grain[] = ['day', 'week', 'month'];
const UNIT_ORDER: PeriodUnit[] = ['week', 'month', 'quarter', 'year'];

function periodName(start: string, unit: PeriodUnit): string {
  const [y, m, d] = start.split('-').map(Number) as [number, number, number];
  if (unit === 'year') return String(y);
  if (unit === 'quarter') return `Q${Math.floor((m - 1) / 3) + 1} ${y}`;
  if (unit === 'month') return `${MONTHS[m - 1]} ${y}`;
  return `w/c ${d} ${MONTHS[m - 1]} ${y}`;
}

export interface ComparisonPoint {
  /** Which period: the current one or the one it is compared with. */
  series: string;
  /** 1 for the first day/week/month of the period. */
  index: number;
  period: string;
  label: string;
  revenue: number;
  orders: number;
}

export interface ComparisonOptions {
  /** The period containing the as-of date (to date), e.g. this month. */
  unit: PeriodUnit;
  compare: CompareTo;
  /** Finer than `unit`; the natural grain when absent. */
  grain?: Grain | undefined;
  metric?: SeriesMetric | undefined;
  where?: SegmentDefinition | undefined;
}

/**
 * Revenue or orders in the current period to date (the one containing the as-of date) overlaid on the
 * previous period or the same period a year earlier, point by point (day 1 on day 1).
 *
 * @example
 * const chart = await revenueComparison(database, { unit: 'month', compare: 'previous' });
 * chart.summary; // 'Jun 2011 to date: £205.50 revenue vs £0.00 in May 2011 over the same 30 days.'
 */
export async function revenueComparison(
  database: Database,
  options: ComparisonOptions,
): Promise<ChartBuild & { data: ComparisonPoint[] }> {
  const { unit, compare } = options;
  if (!UNIT_SQL[unit]) throw new UserError('chart_period', `Unknown period "${unit}".`);
  const metric = options.metric ?? 'revenue';
  let grain = options.grain ?? DEFAULT_GRAIN[unit];
  // A grain as coarse as the period would draw one point per series: use the natural one instead.
  if (GRAIN_ORDER.indexOf(grain) >= UNIT_ORDER.indexOf(unit) + (unit === 'week' ? 0 : 1)) {
    grain = DEFAULT_GRAIN[unit];
  }
  const shift = compare === 'last_year' ? '1 year' : UNIT_INTERVAL[unit];
  const ts = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;
  // Windows first, bound as plain timestamps below, so the planner estimates the ranges from statistics
  // (see products.ts: a guessed range and a segment filter made a nested loop).
  const [w] = await database.rows<{
    cs: string | null;
    ce: string;
    ps: string;
    pe: string;
    first: string | null;
  }>(sql`
    with as_of as (select ${AS_OF} at time zone 'UTC' as at),
    b as (select date_trunc(${UNIT_SQL[unit]}, at) as cs, at as ce,
      date_trunc(${UNIT_SQL[unit]}, at) - ${shift}::interval as ps from as_of)
    select to_char(cs, ${sql.raw(ts)}) as cs, to_char(ce, ${sql.raw(ts)}) as ce, to_char(ps, ${sql.raw(ts)}) as ps,
      to_char(ps + ${UNIT_INTERVAL[unit]}::interval - interval '1 microsecond', ${sql.raw(ts)}) as pe,
      ${DATA_START} as first
    from b`);
  if (!w?.cs)
    throw new UserError('chart_no_data', 'No purchases imported yet, so there is nothing to compare.');
  return drawComparison(
    database,
    { current: { start: w.cs, stop: w.ce }, comparison: { start: w.ps, stop: w.pe }, dataStart: w.first },
    {
      grain,
      metric,
      where: options.where,
      names: (current, previous) => [periodName(current, unit), periodName(previous, unit)],
      toDate: true,
      of: unit,
    },
  );
}

export interface PeriodComparisonOptions {
  /** The period drawn: a named day, a calendar period, the last N days, this or last week, month… */
  period: Period;
  /** The period it is drawn against. */
  against: Period;
  grain?: Grain | undefined;
  metric?: SeriesMetric | undefined;
  where?: SegmentDefinition | undefined;
}

/**
 * Revenue or orders in one period overlaid on another, point by point from each one's start: "Black Friday
 * vs last year", "March vs February", "Q3 vs Q2". A whole period is compared with the other whole; one still
 * going, with the same span of the other.
 *
 * @example
 * const chart = await periodComparison(database, {
 *   period: { calendar: 'month', month: 3 },
 *   against: { calendar: 'month', month: 2 },
 * });
 */
export async function periodComparison(
  database: Database,
  options: PeriodComparisonOptions,
): Promise<ChartBuild & { data: ComparisonPoint[] }> {
  const current = await resolvePeriod(database, options.period, 'sales');
  const other = await resolvePeriod(database, options.against, 'sales');
  if (!current || !other) {
    throw new UserError('chart_no_data', 'No purchases imported yet, so there is nothing to compare.');
  }
  if (current.start <= other.stop && other.start <= current.stop) {
    throw new UserError(
      'chart_compare_overlap',
      current.label === other.label
        ? `That names ${current.label} twice: compare it with another period.`
        : `${current.label} and ${other.label} overlap, so one can't be drawn against the other.`,
      { hint: 'Compare two separate periods, e.g. "chart revenue in March vs February".' },
    );
  }
  const days = (p: ResolvedPeriod) => (Date.parse(p.stop) - Date.parse(p.start)) / 86_400_000;
  const span = Math.max(days(current), days(other));
  const natural: Grain = span <= 62 ? 'day' : span <= 200 ? 'week' : 'month';
  // A finer grain than the span allows would draw too many points: the natural one instead.
  const grain =
    options.grain && GRAIN_ORDER.indexOf(options.grain) >= GRAIN_ORDER.indexOf(natural)
      ? options.grain
      : natural;
  const [start] = await database.rows<{ first: string | null }>(sql`select ${DATA_START} as first`);
  const name = (p: ResolvedPeriod) => p.label.replace(/ to date$/, '');
  return drawComparison(
    database,
    {
      current: { start: current.start, stop: current.stop },
      comparison: { start: other.start, stop: other.stop },
      dataStart: start?.first ?? null,
    },
    {
      grain,
      metric: options.metric ?? 'revenue',
      where: options.where,
      names: () => [name(current), name(other)],
      toDate: current.toDate,
    },
  );
}

/** Two windows (ISO-8601 UTC, inclusive) to draw against each other, and when the data starts. */
interface Windows {
  current: { start: string; stop: string };
  comparison: { start: string; stop: string };
  dataStart: string | null;
}

/**
 * The overlaid lines for two windows, point by point from each one's start, with the summary: the current
 * window against the same span of the other (to date), or against all of it (a whole period).
 */
async function drawComparison(
  database: Database,
  w: Windows,
  o: {
    grain: Grain;
    metric: SeriesMetric;
    where: SegmentDefinition | undefined;
    /** The windows' names from their first buckets' dates. */
    names: (currentStart: string, comparisonStart: string) => [string, string];
    /** The current window runs to the as-of date (compare the same span), or is a whole period. */
    toDate: boolean;
    /** What a point is counted within, for the axis: "Day of the month", "Day". */
    of?: PeriodUnit;
  },
): Promise<ChartBuild & { data: ComparisonPoint[] }> {
  const { grain, metric } = o;
  const g = { day: sql.raw(`'day'`), week: sql.raw(`'week'`), month: sql.raw(`'month'`) }[grain];
  const step = { day: '1 day', week: '7 days', month: '1 month' }[grain];
  const utc = (t: string) => sql`(${t}::timestamptz at time zone 'UTC')`;
  const cs = utc(w.current.start);
  const ce = utc(w.current.stop);
  const ps = utc(w.comparison.start);
  const pe = utc(w.comparison.stop);
  // Orders per bucket are the days' distinct invoices summed: an invoice has one timestamp and customer.
  await ensureDailySales(database);
  const rows = await database.rows<{
    series: string;
    start: string;
    idx: number;
    period: string;
    revenue: string;
    orders: number;
  }>(sql`
    with w as (
      select 'current' as series, ${cs} as start, ${ce} as stop
      union all
      select 'comparison', ${ps}, ${pe}
    ), buckets as (
      select w.series, w.start, s.bucket, s.idx::int as idx
      from w, generate_series(date_trunc(${g}, w.start), w.stop, ${step}::interval)
        with ordinality as s(bucket, idx)
    ), sales as (
      select case when d.day between date_trunc('day', ${cs}) and ${ce} then 'current' else 'comparison' end
          as series,
        date_trunc(${g}, d.day) as bucket, sum(d.revenue) as revenue, sum(d.orders)::int as orders
      from daily_customer_sales d
      where (d.day between date_trunc('day', ${cs}) and ${ce} or d.day between date_trunc('day', ${ps}) and ${pe})
        and ${inSegment(database, sql`d.customer_id`, o.where)}
      group by 1, 2
    )
    select b.series, to_char(b.start, 'YYYY-MM-DD') as start, b.idx, to_char(b.bucket, 'YYYY-MM-DD') as period,
      coalesce(round(s.revenue, 2), 0)::text as revenue, coalesce(s.orders, 0)::int as orders
    from buckets b left join sales s on s.series = b.series and s.bucket = b.bucket
    order by b.series desc, b.idx
  `);
  const current = rows.filter((r) => r.series === 'current');
  const previous = rows.filter((r) => r.series === 'comparison');
  if (current.length === 0 || previous.length === 0) {
    throw new UserError('chart_no_data', 'No purchases imported yet, so there is nothing to compare.');
  }
  const [currentName, previousName] = o.names(current[0]!.start, previous[0]!.start);
  const currentSeries = o.toDate ? `${currentName} (to date)` : currentName;
  const data: ComparisonPoint[] = rows.map((r) => ({
    series: r.series === 'current' ? currentSeries : previousName,
    index: Number(r.idx),
    period: r.period,
    label: periodLabel(r.period, grain),
    revenue: Number(r.revenue),
    orders: Number(r.orders),
  }));
  const value = (r: ComparisonPoint) => (metric === 'revenue' ? r.revenue : r.orders);
  const show = (n: number) => (metric === 'revenue' ? formatMoney(n) : plural(n, 'order'));
  const nowTotal = data.filter((r) => r.series === currentSeries).reduce((s, r) => s + value(r), 0);
  const fullPrevious = data.filter((r) => r.series === previousName).reduce((s, r) => s + value(r), 0);
  // To date, the other period over as many days (weeks, months); a whole period, the other one whole.
  const sameSpan = o.toDate
    ? data
        .filter((r) => r.series === previousName && r.index <= current.length)
        .reduce((s, r) => s + value(r), 0)
    : fullPrevious;
  // Data that begins after the comparison period does: its figures are not all the business's, say so.
  // Judged by the day: a first purchase at 08:00 leaves the day it falls on covered.
  const late =
    w.dataStart && w.dataStart.slice(0, 10) > w.comparison.start.slice(0, 10) ? w.dataStart : undefined;
  const change =
    sameSpan > 0 && !(late && late > w.comparison.stop)
      ? ` (${nowTotal >= sameSpan ? '+' : ''}${Math.round((100 * (nowTotal - sameSpan)) / sameSpan)}%)`
      : '';
  const coverage = !late
    ? ''
    : late > w.comparison.stop
      ? ` The data starts on ${sayDay(late)}, after ${previousName}: nothing to compare with.`
      : ` The data starts on ${sayDay(late)}, part-way through ${previousName}.`;
  const who = audienceLabel(o.where);
  const grainWord = grain === 'day' ? 'Day' : grain === 'week' ? 'Week' : 'Month';
  const metricWord = metric === 'revenue' ? 'Revenue' : 'Orders';
  const spec: TopLevelSpec = {
    title: {
      text: `${metricWord} ${currentName} vs ${previousName}${who}`,
      subtitle: o.toDate ? `by ${grain}; ${previousName} in full, ${currentName} to date` : `by ${grain}`,
    },
    width: 560,
    height: 260,
    data: { values: data },
    mark: { type: 'line', point: Math.max(current.length, previous.length) <= 60 },
    encoding: {
      x: {
        field: 'index',
        type: 'quantitative',
        title: o.of ? `${grainWord} of the ${o.of}` : `${grainWord} of the period`,
        axis: { tickMinStep: 1, format: 'd' },
      },
      y: {
        field: metric,
        type: 'quantitative',
        title: metric === 'revenue' ? 'Revenue (£)' : 'Orders',
        ...(metric === 'orders' ? { axis: { tickMinStep: 1, format: 'd' } } : {}),
      },
      color: {
        field: 'series',
        type: 'nominal',
        title: null,
        sort: [currentSeries, previousName],
        scale: { range: [PALETTE[0]!, PALETTE[9]!] },
        legend: { orient: 'top' },
      },
      strokeDash: {
        field: 'series',
        type: 'nominal',
        sort: [currentSeries, previousName],
        scale: {
          range: [
            [1, 0],
            [4, 3],
          ],
        },
        legend: null,
      },
      tooltip: [
        { field: 'label', title: grainWord },
        { field: metric, type: 'quantitative', ...(metric === 'revenue' ? { format: ',.2f' } : {}) },
      ],
    },
  };
  const span = plural(current.length, grain);
  const summary = o.toDate
    ? `${currentName} to date: ${show(nowTotal)}${metric === 'revenue' ? ' revenue' : ''}${who} vs ` +
      `${show(sameSpan)} ${inPeriod(previousName)} over the same ${span}${change}.${coverage}`
    : `${currentName}: ${show(nowTotal)}${metric === 'revenue' ? ' revenue' : ''}${who} vs ` +
      `${show(sameSpan)} ${inPeriod(previousName)}${change}.${coverage}`;
  const altText =
    `Line chart of ${metric} by ${grain}${who}: ${currentName}${o.toDate ? ' to date' : ''} (${span}, ${show(nowTotal)}) ` +
    `against ${previousName} (${show(fullPrevious)} in full).`;
  return { spec, altText, summary, data };
}

export interface NewReturningPoint {
  period: string;
  label: string;
  new: number;
  returning: number;
}

/**
 * Customers buying in each period, split into those whose first purchase falls in it (new) and those who
 * had bought before (returning). Finer grains roll up when there would be too many bars.
 *
 * @example
 * const chart = await newVsReturning(database, { grain: 'month' });
 */
export async function newVsReturning(
  database: Database,
  options: { grain: Grain; where?: SegmentDefinition | undefined; period?: Period | undefined },
): Promise<ChartBuild & { data: NewReturningPoint[]; grain: Grain }> {
  await ensureDailySales(database);
  const window = options.period ? await resolvePeriod(database, options.period, 'customers') : undefined;
  const members = inSegment(database, sql`d.customer_id`, options.where);
  // Over a period, its whole days and every bucket from its first to its last. A bucket the period cuts
  // short (a week starting before it) would miss customers whose first day in that week fell before it, so
  // customers are counted directly there, not from the first-in-week and first-in-month flags.
  const { days, span, series } = timeBuckets(
    window,
    sql`(select max(d.day)::date - min(d.day)::date from daily_customer_sales d
      where d.customer_id is not null and ${members})`,
  );
  const counted = window
    ? sql`(count(distinct d.customer_id) - count(*) filter (where d.day = d.first_day))::int`
    : sql`(count(*) filter (where case g.unit when 'day' then true when 'week' then d.week_first else d.month_first end)
          - count(*) filter (where d.day = d.first_day))::int`;
  const rows = await database.rows<{
    period: string;
    unit: Grain;
    new_customers: number;
    returning: number;
  }>(sql`
    with g as (
      select ${rollupUnit(options.grain, span)} as unit
    ), p as (
      -- One pass over the customer-days: a customer is new in the period of their first day, and counts once
      -- per period on their first day in it (every day is its own row; week_first, month_first), so the
      -- returning customers are those counted less the new ones.
      select date_trunc(g.unit, d.day) as bucket, count(*) filter (where d.day = d.first_day)::int as new_customers,
        ${counted} as returning
      from daily_customer_sales d, g
      where d.customer_id is not null and ${members} ${days}
      group by 1
    ), series as (${series})
    select to_char(series.bucket, 'YYYY-MM-DD') as period, (select unit from g) as unit,
      coalesce(p.new_customers, 0)::int as new_customers, coalesce(p.returning, 0)::int as returning
    from series left join p on p.bucket = series.bucket
    order by series.bucket
  `);
  const anyone = rows.some((r) => Number(r.new_customers) + Number(r.returning) > 0);
  if (rows.length === 0 || (window && !anyone)) {
    throw new UserError(
      'chart_no_data',
      window
        ? `No customers${options.where ? ' of this segment' : ''} bought ${inPeriod(window.label)}, so there are none to chart.`
        : options.where
          ? 'No purchases by this segment yet, so there are no customers to chart.'
          : 'No purchases imported yet, so there are no customers to chart. Import a file first.',
    );
  }
  const grain = rows[0]!.unit;
  const data = rows.map((r) => ({
    period: r.period,
    label: periodLabel(r.period, grain),
    new: Number(r.new_customers),
    returning: Number(r.returning),
  }));
  const long = data.flatMap((r) => [
    { label: r.label, kind: 'New', customers: r.new },
    { label: r.label, kind: 'Returning', customers: r.returning },
  ]);
  const totalNew = data.reduce((s, r) => s + r.new, 0);
  const totalReturning = data.reduce((s, r) => s + r.returning, 0);
  const who = audienceLabel(options.where);
  const { range, rolled } = seriesSpan(data, window, grain, options.grain);
  const busiest = data.reduce((best, r) => (r.new + r.returning > best.new + best.returning ? r : best));
  const spec: TopLevelSpec = {
    title: { text: `New and returning customers by ${grain}${who}`, subtitle: `${range}${rolled}` },
    // Period labels ("w/c 10 Jan 2011") need room, or every other one is hidden.
    width: Math.min(720, Math.max(320, data.length * 64)),
    height: 260,
    data: { values: long },
    mark: { type: 'bar' },
    encoding: {
      x: periodAxis(data.length, true),
      y: {
        field: 'customers',
        type: 'quantitative',
        stack: 'zero',
        title: 'Customers buying',
        axis: { tickMinStep: 1, format: 'd' },
      },
      color: {
        field: 'kind',
        type: 'nominal',
        title: null,
        sort: ['New', 'Returning'],
        scale: { range: [PALETTE[1]!, PALETTE[0]!] },
        legend: { orient: 'top' },
      },
      order: { field: 'kind', sort: 'descending' },
      tooltip: [
        { field: 'label', title: 'Period' },
        { field: 'kind', title: 'Customers' },
        { field: 'customers', type: 'quantitative', title: 'Count' },
      ],
    },
  };
  const share =
    totalNew + totalReturning > 0 ? Math.round((100 * totalReturning) / (totalNew + totalReturning)) : 0;
  const summary =
    `${plural(totalNew, 'new customer')}${who}, ${range}; ${share}% of buyers in a ${grain} had bought ` +
    'before.';
  const altText =
    `Stacked bar chart of customers buying by ${grain}${who}, ${range}, new and returning; busiest ${busiest.label} ` +
    `with ${plural(busiest.new, 'new customer')} and ${plural(busiest.returning, 'returning customer')}.`;
  return { spec, altText, summary, data, grain };
}
