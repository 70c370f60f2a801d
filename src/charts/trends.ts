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
  const g = { day: sql.raw(`'day'`), week: sql.raw(`'week'`), month: sql.raw(`'month'`) }[grain];
  const step = { day: '1 day', week: '7 days', month: '1 month' }[grain];
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
      select 'current' as series, ${w.cs}::timestamptz at time zone 'UTC' as start,
        ${w.ce}::timestamptz at time zone 'UTC' as stop
      union all
      select 'comparison', ${w.ps}::timestamptz at time zone 'UTC', ${w.pe}::timestamptz at time zone 'UTC'
    ), buckets as (
      select w.series, w.start, s.bucket, s.idx::int as idx
      from w, generate_series(date_trunc(${g}, w.start), w.stop, ${step}::interval)
        with ordinality as s(bucket, idx)
    ), sales as (
      select case when d.day >= (${w.cs}::timestamptz at time zone 'UTC') then 'current' else 'comparison' end
          as series,
        date_trunc(${g}, d.day) as bucket, sum(d.revenue) as revenue, sum(d.orders)::int as orders
      from daily_customer_sales d
      where (d.day between (${w.cs}::timestamptz at time zone 'UTC') and (${w.ce}::timestamptz at time zone 'UTC')
          or d.day between (${w.ps}::timestamptz at time zone 'UTC') and (${w.pe}::timestamptz at time zone 'UTC'))
        and ${inSegment(database, sql`d.customer_id`, options.where)}
      group by 1, 2
    )
    select b.series, to_char(b.start, 'YYYY-MM-DD') as start, b.idx, to_char(b.bucket, 'YYYY-MM-DD') as period,
      coalesce(round(s.revenue, 2), 0)::text as revenue, coalesce(s.orders, 0)::int as orders
    from buckets b left join sales s on s.series = b.series and s.bucket = b.bucket
    order by b.series desc, b.idx
  `);
  const current = rows.filter((r) => r.series === 'current');
  const previous = rows.filter((r) => r.series === 'comparison');
  if (current.length === 0) {
    throw new UserError('chart_no_data', 'No purchases imported yet, so there is nothing to compare.');
  }
  const currentName = periodName(current[0]!.start, unit);
  const previousName = periodName(previous[0]!.start, unit);
  const currentSeries = `${currentName} (to date)`;
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
  const sameSpan = data
    .filter((r) => r.series === previousName && r.index <= current.length)
    .reduce((s, r) => s + value(r), 0);
  const fullPrevious = data.filter((r) => r.series === previousName).reduce((s, r) => s + value(r), 0);
  // Data that begins after the comparison period does: its figures are not all the business's, say so.
  const late = w.first && w.first > w.ps ? w.first : undefined;
  const change =
    sameSpan > 0 && !(late && late > w.pe)
      ? ` (${nowTotal >= sameSpan ? '+' : ''}${Math.round((100 * (nowTotal - sameSpan)) / sameSpan)}%)`
      : '';
  const coverage = !late
    ? ''
    : late > w.pe
      ? ` The data starts on ${sayDay(late)}, after ${previousName}: nothing to compare with.`
      : ` The data starts on ${sayDay(late)}, part-way through ${previousName}.`;
  const who = audienceLabel(options.where);
  const grainWord = grain === 'day' ? 'Day' : grain === 'week' ? 'Week' : 'Month';
  const metricWord = metric === 'revenue' ? 'Revenue' : 'Orders';
  const spec: TopLevelSpec = {
    title: {
      text: `${metricWord} ${currentName} vs ${previousName}${who}`,
      subtitle: `by ${grain}; ${previousName} in full, ${currentName} to date`,
    },
    width: 560,
    height: 260,
    data: { values: data },
    mark: { type: 'line', point: Math.max(current.length, previous.length) <= 60 },
    encoding: {
      x: {
        field: 'index',
        type: 'quantitative',
        title: `${grainWord} of the ${unit}`,
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
  const summary =
    `${currentName} to date: ${show(nowTotal)}${metric === 'revenue' ? ' revenue' : ''}${who} vs ` +
    `${show(sameSpan)} in ${previousName} over the same ${span}${change}.${coverage}`;
  const altText =
    `Line chart of ${metric} by ${grain}${who}: ${currentName} to date (${span}, ${show(nowTotal)}) ` +
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
