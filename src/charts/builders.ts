/**
 * Chart specs built from the feature store. Every builder aggregates in SQL and plots the aggregate, never raw
 * rows: rendering cost grows with the number of marks (see integration-facts, "Vega-Lite to PNG").
 */
import { type SQL, sql } from 'drizzle-orm';
import type { TopLevelSpec } from 'vega-lite';
import { UserError } from '../core/errors.ts';
import { formatMoney, formatNumber, plural } from '../core/reply.ts';
import type { Database } from '../db/client.ts';
import { DATA_AS_OF, ensureDailySales } from '../ingest/daily-sales.ts';
import { LIFECYCLE_STAGES } from '../ingest/features.ts';
import { memberIdsQuery } from '../segments/compile.ts';
import type { SegmentDefinition } from '../segments/definition.ts';
import { describeSegment } from '../segments/describe.ts';
import {
  describePeriod,
  inPeriod,
  MONTHS,
  type Period,
  type ResolvedPeriod,
  resolvePeriod,
} from './period.ts';
import { PALETTE } from './render.ts';

export interface ChartBuild {
  spec: TopLevelSpec;
  /** Describes the chart for screen readers, from the data itself. */
  altText: string;
  /** One line for the message that carries the chart. */
  summary: string;
}

export type Grain = 'day' | 'week' | 'month';

/** The only words that reach `date_trunc` as SQL text; everything else is a bound parameter. */
export const GRAINS: Record<Grain, { trunc: SQL; step: string }> = {
  day: { trunc: sql.raw(`'day'`), step: '1 day' },
  week: { trunc: sql.raw(`'week'`), step: '1 week' },
  month: { trunc: sql.raw(`'month'`), step: '1 month' },
};

export function periodLabel(isoDate: string, grain: Grain): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  const month = `${MONTHS[m - 1]} ${y}`;
  if (grain === 'month') return month;
  return grain === 'week' ? `w/c ${d} ${month}` : `${d} ${month}`;
}

/** Segment membership as a predicate on a customer id column; `top` is honoured, so members match previews. */
export function inSegment(database: Database, column: SQL, def: SegmentDefinition | undefined): SQL {
  if (!def || (def.conditions.length === 0 && !def.top)) return sql`true`;
  return sql`${column} in (${memberIdsQuery(database.db, def)})`;
}

/** The instant the data is read at: the saved as-of, else the latest event of a completed import. */
export const AS_OF = DATA_AS_OF;

/** What a read of events is scoped to: the as-of instant and the completed imports, as plain values. */
export interface Scope {
  /** The as-of instant (ISO-8601 UTC), or null when there is no data. */
  stop: string | null;
  /** Ids of the completed imports, as a Postgres array literal ("{1,2}"). */
  batches: string;
}

/**
 * The as-of instant and the completed imports, read once and bound as values: `batch_id in (subquery)` was
 * estimated at a few rows, so groupings over events were sorted instead of hashed.
 *
 * @example
 * const { stop, batches } = await readScope(database);
 * sql`... where e.batch_id = any(${batches}::int[]) and e.occurred_at <= ${stop}::timestamptz`;
 */
export async function readScope(database: Database): Promise<Scope> {
  const [read] = await database.rows<{ stop: string | null; batches: string }>(sql`
    select to_char(${AS_OF} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as stop,
      (select coalesce(array_agg(id order by id), '{}')::text from import_batches where status = 'done') as batches`);
  return { stop: read?.stop ?? null, batches: read?.batches ?? '{}' };
}

/**
 * When the data starts, as figures and charts count purchases: the first purchase of a known customer, read
 * from the features (one row per customer, no scan of events), as UTC text in the same form as the windows'
 * bounds here, so the two compare as strings. Null when there is no data.
 */
export const DATA_START = sql`(select to_char(min(first_purchase_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') from customer_features)`;

/**
 * Most points a time chart draws. A finer grain that would need more is rolled up (day → week → month) in
 * SQL, so a decade of daily data renders as fast as a month of it.
 */
export const MAX_POINTS = 180;

/**
 * The grain actually used for a requested one over a span of `spanDays` (an SQL integer expression), as SQL
 * text that is one of 'day', 'week', 'month'.
 */
export function rollupUnit(requested: Grain, spanDays: SQL): SQL {
  return sql`case
    when ${requested}::text = 'day' and coalesce(${spanDays}, 0) < ${MAX_POINTS} then 'day'
    when ${requested}::text in ('day', 'week') and coalesce(${spanDays}, 0) / 7 < ${MAX_POINTS} then 'week'
    else 'month' end`;
}

/** "for Germany · spend > £1,000" when short enough for a title, else "for this segment"; '' for everyone. */
export function audienceLabel(def: SegmentDefinition | undefined, name?: string): string {
  if (name) return ` for ${name}`;
  if (!def || (def.conditions.length === 0 && !def.top)) return '';
  const described = describeSegment(def);
  if (described.length > 40) return ' for this segment';
  // "for customers who bought in Q1", "for customers with no purchase since June", not "for bought in Q1".
  if (/^(?:bought|never bought)\b/.test(described)) return ` for customers who ${described}`;
  if (/^(?:no purchase|first purchase)\b/.test(described)) return ` for customers with ${described}`;
  return ` for ${described}`;
}

/** The x axis of a chart over time: its periods' labels in order, slanted when there are many. */
export function periodAxis(points: number, ticks = points <= 60) {
  return {
    field: 'label',
    type: 'ordinal' as const,
    sort: null,
    title: null,
    axis: { labelOverlap: true, labelAngle: points > 12 ? -45 : 0, ticks },
  };
}

/**
 * How a time chart reads the customer-day rollup (as `d`) over a period or over all of it: the condition that
 * keeps the period's whole days, the span in days its grain is chosen from, and its buckets (every bucket of
 * a period even where nothing sold; else from the first bucket in `p` to the last). The query names its
 * chosen grain `g.unit` and its buckets `p.bucket`.
 */
export function timeBuckets(
  window: ResolvedPeriod | undefined,
  allSpan: SQL,
): { days: SQL; span: SQL; series: SQL } {
  const unit = sql`(select unit from g)`;
  const step = sql`('1 ' || ${unit})::interval`;
  if (!window) {
    return {
      days: sql``,
      span: allSpan,
      series: sql`select generate_series(min(bucket), max(bucket), ${step}) as bucket from p`,
    };
  }
  const first = sql`${window.firstDay}::timestamp`;
  const last = sql`${window.lastDay}::timestamp`;
  return {
    days: sql`and d.day >= ${first} and d.day <= ${last}`,
    span: sql`${window.lastDay}::date - ${window.firstDay}::date`,
    series: sql`select generate_series(date_trunc(${unit}, ${first}), date_trunc(${unit}, ${last}), ${step}) as bucket`,
  };
}

/**
 * What a time chart's subtitle says it covers: a period as asked ("Mar 2011", "2011 to date"), else its first
 * to last bucket; and a note when too many points made it roll the grain up.
 */
export function seriesSpan(
  points: { label: string }[],
  window: ResolvedPeriod | undefined,
  grain: Grain,
  requested: Grain,
): { range: string; rolled: string } {
  const first = points[0]!.label;
  const last = points.at(-1)!.label;
  return {
    range: window ? window.label : first === last ? first : `${first} to ${last}`,
    rolled: grain === requested ? '' : ` (rolled up from ${requested}s: too many points)`,
  };
}

export interface RevenuePoint {
  /** First day of the period, YYYY-MM-DD (UTC). */
  period: string;
  label: string;
  revenue: number;
  orders: number;
}

/**
 * Revenue (sum of quantity × unit price) and orders (distinct invoices) per period from purchase lines of
 * completed imports up to the as-of instant, optionally for one segment's members. Empty periods count as 0.
 *
 * @example
 * const { points, grain } = await revenueSeries(database, { grain: 'day' });
 * points[0]; // { period: '2011-01-10', label: '10 Jan 2011', revenue: 35.64, orders: 1 }; grain: 'day'
 */
export async function revenueSeries(
  database: Database,
  options: { grain: Grain; where?: SegmentDefinition | undefined; period?: Period | undefined },
): Promise<{ points: RevenuePoint[]; grain: Grain; window?: ResolvedPeriod | undefined }> {
  if (!GRAINS[options.grain])
    throw new UserError('chart_grain', `Unknown period "${options.grain}". Use day, week or month.`);
  // Orders are distinct invoices per day, summed over the days of a bucket: an invoice has one timestamp.
  await ensureDailySales(database);
  const window = options.period ? await resolvePeriod(database, options.period, 'purchases') : undefined;
  if (options.period && !window) return { points: [], grain: options.grain };
  const { days, span, series } = timeBuckets(
    window,
    sql`(select max(day)::date - min(day)::date from daily)`,
  );
  const rows = await database.rows<{
    period: string;
    unit: Grain;
    revenue: string | number;
    orders: number;
  }>(sql`
    with daily as (
      -- Days are UTC, so both drivers and every server time zone agree on which month a sale falls in.
      select d.day, sum(d.revenue) as revenue, sum(d.orders)::int as orders
      from daily_customer_sales d
      where ${inSegment(database, sql`d.customer_id`, options.where)} ${days}
      group by 1
    ), g as (
      select ${rollupUnit(options.grain, span)} as unit
    ), p as (
      select date_trunc(g.unit, daily.day) as bucket, sum(daily.revenue) as revenue, sum(daily.orders) as orders
      from daily, g group by 1
    ), series as (${series})
    select to_char(series.bucket, 'YYYY-MM-DD') as period, (select unit from g) as unit,
      coalesce(round(p.revenue, 2), 0)::text as revenue,
      coalesce(p.orders, 0)::int as orders
    from series left join p on p.bucket = series.bucket
    order by series.bucket
  `);
  const grain = rows[0]?.unit ?? options.grain;
  const points = rows.map((r) => ({
    period: r.period,
    label: periodLabel(r.period, grain),
    revenue: Number(r.revenue),
    orders: Number(r.orders),
  }));
  return { points, grain, window };
}

/**
 * Revenue and orders over time: revenue as bars (a line for daily data), orders as a line on its own axis.
 *
 * @example
 * const { spec, altText } = await revenueOverTime(database, { grain: 'month' });
 * const { png } = await renderChart(spec);
 */
export async function revenueOverTime(
  database: Database,
  options: { grain: Grain; where?: SegmentDefinition | undefined; period?: Period | undefined },
): Promise<ChartBuild & { data: RevenuePoint[]; grain: Grain }> {
  const { points: data, grain, window } = await revenueSeries(database, options);
  const revenue = data.reduce((sum, row) => sum + row.revenue, 0);
  const orders = data.reduce((sum, row) => sum + row.orders, 0);
  if (data.length === 0 || (window && orders === 0 && revenue === 0)) {
    throw new UserError(
      'chart_no_data',
      window
        ? `No purchases${options.where ? ' by this segment' : ''} ${inPeriod(window.label)}, so there is no revenue to chart.`
        : options.where
          ? 'No purchases by this segment yet, so there is no revenue to chart.'
          : 'No purchases imported yet, so there is no revenue to chart. Import a file first.',
      window ? { hint: 'Try a longer or earlier period, e.g. "revenue by month last year".' } : undefined,
    );
  }
  const peak = data.reduce((best, row) => (row.revenue > best.revenue ? row : best));
  const { range, rolled } = seriesSpan(data, window, grain, options.grain);
  // Name the audience in the title when it is short enough to read ("for Germany · spend > £1,000").
  const who = audienceLabel(options.where);
  const markName = grain === 'day' ? 'Line' : 'Bar';
  const withOrders = grain !== 'day';

  const x = periodAxis(data.length);
  const spec: TopLevelSpec = {
    title: { text: `Revenue by ${grain}${who}`, subtitle: `${range}${rolled}` },
    width: Math.min(720, Math.max(320, data.length * 40)),
    height: 260,
    data: { values: data },
    encoding: { x },
    layer: [
      {
        mark: grain === 'day' ? { type: 'line', color: PALETTE[0] } : { type: 'bar', color: PALETTE[0] },
        encoding: {
          y: {
            field: 'revenue',
            type: 'quantitative',
            title: 'Revenue (£)',
            axis: { titleColor: PALETTE[0] },
          },
          tooltip: [
            { field: 'label', title: 'Period' },
            { field: 'revenue', type: 'quantitative', format: ',.2f', title: 'Revenue (£)' },
            { field: 'orders', type: 'quantitative', title: 'Orders' },
          ],
        },
      },
      // A daily orders line is mostly spikes that hide the revenue line, so days show revenue only.
      ...(withOrders
        ? [
            {
              mark: {
                type: 'line' as const,
                color: PALETTE[1],
                point: data.length <= 60 ? { color: PALETTE[1] } : false,
              },
              encoding: {
                y: {
                  field: 'orders',
                  type: 'quantitative' as const,
                  title: 'Orders',
                  axis: { titleColor: PALETTE[1], tickMinStep: 1, format: 'd' },
                },
              },
            },
          ]
        : []),
    ],
    ...(withOrders ? { resolve: { scale: { y: 'independent' as const } } } : {}),
  };
  const altText =
    `${markName} chart of revenue by ${grain}${who}, ${range}${withOrders ? ', with orders as a line' : ''}; ` +
    `highest in ${peak.label} at ${formatMoney(peak.revenue)} from ${formatNumber(peak.orders)} ` +
    `order${peak.orders === 1 ? '' : 's'}.`;
  const summary =
    `${formatMoney(revenue)} revenue from ${formatNumber(orders)} order${orders === 1 ? '' : 's'}${who}, ` +
    `${range}; best ${grain} ${peak.label}.`;
  return { spec, altText, summary, data, grain };
}

/**
 * The average order (revenue / orders) per day, week or month: bars, with the orders behind each in the
 * tooltip. A bucket without orders has no average and is drawn empty, not as zero.
 *
 * @example
 * const { summary } = await averageOrderOverTime(database, { grain: 'month' });
 */
export async function averageOrderOverTime(
  database: Database,
  options: { grain: Grain; where?: SegmentDefinition | undefined; period?: Period | undefined },
): Promise<ChartBuild & { data: (RevenuePoint & { averageOrder: number | null })[]; grain: Grain }> {
  const { points, grain, window } = await revenueSeries(database, options);
  const revenue = points.reduce((sum, row) => sum + row.revenue, 0);
  const orders = points.reduce((sum, row) => sum + row.orders, 0);
  const who = audienceLabel(options.where);
  if (orders === 0) {
    throw new UserError(
      'chart_no_data',
      `No orders${who}${window ? ` ${inPeriod(window.label)}` : ' yet'}, so there is no average order to chart.`,
    );
  }
  const data = points.map((p) => ({
    ...p,
    averageOrder: p.orders > 0 ? Math.round((100 * p.revenue) / p.orders) / 100 : null,
  }));
  const { range, rolled } = seriesSpan(data, window, grain, options.grain);
  const ordered = data.filter((p) => p.averageOrder !== null);
  const peak = ordered.reduce((best, p) => (p.averageOrder! > best.averageOrder! ? p : best));
  const low = ordered.reduce((least, p) => (p.averageOrder! < least.averageOrder! ? p : least));
  const overall = revenue / orders;
  const spec: TopLevelSpec = {
    title: { text: `Average order by ${grain}${who}`, subtitle: `${range}${rolled}` },
    width: Math.min(720, Math.max(320, data.length * 40)),
    height: 260,
    data: { values: data },
    mark: { type: 'bar', color: PALETTE[0] },
    encoding: {
      x: periodAxis(data.length),
      y: { field: 'averageOrder', type: 'quantitative', title: 'Average order (£)' },
      tooltip: [
        { field: 'label', title: 'Period' },
        { field: 'averageOrder', type: 'quantitative', format: ',.2f', title: 'Average order (£)' },
        { field: 'orders', type: 'quantitative', title: 'Orders' },
        { field: 'revenue', type: 'quantitative', format: ',.2f', title: 'Revenue (£)' },
      ],
    },
  };
  const summary =
    `Average order ${formatMoney(overall)} over ${plural(orders, 'order')}${who}, ${range}; ` +
    `highest ${peak.label} (${formatMoney(peak.averageOrder!)}), lowest ${low.label} (${formatMoney(low.averageOrder!)}).`;
  const altText =
    `Bar chart of the average order by ${grain}${who}, ${range}: ${formatMoney(overall)} overall, ` +
    `highest in ${peak.label} at ${formatMoney(peak.averageOrder!)} and lowest in ${low.label} at ` +
    `${formatMoney(low.averageOrder!)}.`;
  return { spec, altText, summary, data, grain };
}

export type BreakdownBy = 'country' | 'lifecycle' | 'rfm';

/**
 * The classic RFM grid read from R and F scores (1–5): every cell belongs to exactly one group. Order is the
 * order the groups are listed in when two have as many customers.
 */
export const RFM_GROUPS = [
  { label: 'Champions', when: sql`r_score = 5 and f_score >= 4` },
  { label: 'Loyal', when: sql`r_score between 3 and 4 and f_score >= 4` },
  { label: 'Potential loyalists', when: sql`r_score >= 4 and f_score between 2 and 3` },
  { label: 'New customers', when: sql`r_score = 5 and f_score = 1` },
  { label: 'Promising', when: sql`r_score = 4 and f_score = 1` },
  { label: 'Need attention', when: sql`r_score = 3 and f_score = 3` },
  { label: 'About to sleep', when: sql`r_score = 3 and f_score <= 2` },
  { label: 'At risk', when: sql`r_score <= 2 and f_score between 3 and 4` },
  { label: "Can't lose them", when: sql`r_score <= 2 and f_score = 5` },
  { label: 'Hibernating', when: sql`r_score <= 2 and f_score <= 2` },
] as const;

export interface BreakdownRow {
  label: string;
  customers: number;
  /** The customers' spend, as of the features' instant. */
  spend: number;
}

/** What a breakdown shows per group: customers counted, or their spend summed. */
export type BreakdownMeasure = 'customers' | 'spend';

const TOP_COUNTRIES = 10;

type GroupRow = {
  label: string;
  customers: number | string;
  spend: number | string | null;
};

/** A group as the database gave it (counts and sums may arrive as text), or an empty one. */
function groupRow(label: string, row: GroupRow | undefined): BreakdownRow {
  return {
    label,
    customers: Number(row?.customers ?? 0),
    // Spend is money to the penny: rounded so that float noise from the sum never shows.
    spend: Math.round(Number(row?.spend ?? 0) * 100) / 100,
  };
}

const STAGE_LABELS: Record<(typeof LIFECYCLE_STAGES)[number], string> = {
  new: 'New',
  active: 'Active',
  at_risk: 'At risk',
  lapsed: 'Lapsed',
};

/**
 * A segment's members by country (top 10, the rest as "Other"), lifecycle stage (all four stages, zeros
 * included) or RFM group: counted, with their spend summed, largest first by `measure`.
 *
 * @example
 * await breakdownRows(database, { conditions: [] }, 'country');
 * // [{ label: 'France', customers: 1, spend: 180 }, { label: 'Germany', customers: 1, spend: 79.58 }, ...]
 */
export async function breakdownRows(
  database: Database,
  def: SegmentDefinition,
  by: BreakdownBy,
  /** What ranks the groups (and the top 10 countries). */
  measure: BreakdownMeasure = 'customers',
  /** Only customers who bought in this window, with what they spent in it (else everyone, lifetime spend). */
  window?: ResolvedPeriod,
): Promise<BreakdownRow[]> {
  const members = inSegment(database, sql`customer_id`, def);
  // Over a period: the customers who bought in it, each with their country, stage and scores as of now and
  // their spend in the period (from the customer-day rollup), under the features' name so the groupings
  // below read either alike.
  if (window) await ensureDailySales(database);
  const customer_features = window
    ? sql`(
      select f.customer_id, f.country, f.lifecycle, f.r_score, f.f_score, f.m_score, w.spend
      from customer_features f
      join (
        select customer_id, sum(revenue) as spend from daily_customer_sales
        where day >= ${window.firstDay}::timestamp and day <= ${window.lastDay}::timestamp
          and customer_id is not null
        group by 1
      ) w on w.customer_id = f.customer_id
    ) customer_features`
    : sql`customer_features`;
  if (by === 'rfm') {
    const cases = sql.join(
      RFM_GROUPS.map((g) => sql`when ${g.when} then ${g.label}::text`),
      sql` `,
    );
    const rows = await database.rows<GroupRow>(sql`
      select case ${cases} else 'Unscored' end as label, count(*)::int as customers, sum(spend) as spend
      from ${customer_features} where ${members} group by 1
    `);
    const found = new Map(rows.map((r) => [r.label, r]));
    const order = [...RFM_GROUPS.map((g) => g.label as string), 'Unscored'];
    return order
      .map((label, i) => ({ row: groupRow(label, found.get(label)), i }))
      .filter(({ row }) => row.label !== 'Unscored' || row.customers > 0)
      .sort((a, b) => b.row[measure] - a.row[measure] || a.i - b.i)
      .map(({ row }) => row);
  }
  if (by === 'lifecycle') {
    const rows = await database.rows<GroupRow>(sql`
      select lifecycle as label, count(*)::int as customers, sum(spend) as spend
      from ${customer_features} where ${members} group by lifecycle
    `);
    const found = new Map(rows.map((r) => [r.label, r]));
    return LIFECYCLE_STAGES.map((stage) => groupRow(STAGE_LABELS[stage], found.get(stage)))
      .map((row, i) => ({ row, i }))
      .sort((a, b) => b.row[measure] - a.row[measure] || a.i - b.i)
      .map(({ row }) => row);
  }
  if (by !== 'country')
    throw new UserError(
      'chart_breakdown',
      `Cannot break down by "${by}". Use country, lifecycle stage or RFM group.`,
    );
  // Ranked in SQL; the tail beyond the top 10 is folded into one row there too.
  const ranking = measure === 'spend' ? sql`spend` : sql`customers`;
  const rows = await database.rows<GroupRow>(sql`
    with counts as (
      select coalesce(country, 'Unknown') as label, count(*)::int as customers, sum(spend) as spend
      from ${customer_features} where ${members} group by 1
    ), ranked as (
      select label, customers, spend, row_number() over (order by ${ranking} desc, label) as rank from counts
    )
    select case when rank <= ${TOP_COUNTRIES} then label else 'Other' end as label,
      sum(customers)::int as customers, sum(spend) as spend, min(rank) as rank
    from ranked
    group by 1
    order by (min(rank) > ${TOP_COUNTRIES}), sum(${ranking}) desc, 1
  `);
  return rows.map((r) => groupRow(r.label, r));
}

const PRESENT_NOUN: Record<BreakdownBy, [string, string]> = {
  country: ['country', 'countries'],
  lifecycle: ['stage', 'stages'],
  rfm: ['RFM group', 'RFM groups'],
};

/**
 * Bar chart of a segment's members by country or lifecycle stage, largest first.
 *
 * @example
 * const { spec, summary } = await segmentBreakdown(database, { conditions: [] }, 'country');
 */
export async function segmentBreakdown(
  database: Database,
  def: SegmentDefinition,
  by: BreakdownBy,
  /** The saved segment's name, for the title; the definition is described when absent. */
  name?: string,
  /** Customers counted (default), or their spend summed. */
  measure: BreakdownMeasure = 'customers',
  /** Only customers who bought in this period, and their spend in it. */
  period?: Period,
): Promise<ChartBuild & { data: BreakdownRow[] }> {
  const window = period ? await resolvePeriod(database, period, 'purchases') : undefined;
  const data = await breakdownRows(database, def, by, measure, window);
  const who = audienceLabel(def, name);
  const customers = data.reduce((sum, row) => sum + row.customers, 0);
  if (customers === 0) {
    throw new UserError(
      'chart_no_data',
      period
        ? `No customers${who} bought ${inPeriod(window?.label ?? describePeriod(period, null))}, so there is nothing to break down.`
        : 'This segment has no customers, so there is nothing to break down.',
    );
  }
  // "in Q3 2026" after what is counted, when a period is asked for.
  const when = window ? ` ${inPeriod(window.label)}` : '';
  const spending = measure === 'spend';
  const total = spending ? data.reduce((sum, row) => sum + row.spend, 0) : customers;
  const show = (n: number) => (spending ? formatMoney(n) : formatNumber(n));
  const noun = { country: 'country', lifecycle: 'lifecycle stage', rfm: 'RFM group' }[by];
  const top = data[0]!;
  const share = (n: number) => `${total > 0 ? Math.round((100 * n) / total) : 0}%`;
  const groupTitle = { country: 'Country', lifecycle: 'Stage', rfm: 'RFM group' }[by];
  const spec: TopLevelSpec = {
    title: {
      text: `${spending ? 'Spend' : 'Customers'} by ${noun}${who}`,
      subtitle:
        (spending
          ? `${formatMoney(total)} from ${plural(customers, 'customer')}`
          : plural(total, 'customer')) + (window ? ` · ${window.label}` : ''),
    },
    width: 420,
    height: { step: 24 },
    data: { values: data },
    mark: { type: 'bar', color: PALETTE[0] },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: null, title: null },
      x: spending
        ? { field: 'spend', type: 'quantitative', title: 'Spend (£)', axis: { format: ',.0f' } }
        : {
            field: 'customers',
            type: 'quantitative',
            title: 'Customers',
            axis: { tickMinStep: 1, format: 'd' },
          },
      tooltip: [
        { field: 'label', title: groupTitle },
        { field: 'customers', type: 'quantitative', title: 'Customers' },
        { field: 'spend', type: 'quantitative', format: ',.2f', title: 'Spend (£)' },
      ],
    },
  };
  const shown = data.filter((row) => row[measure] > 0);
  const listed = shown
    .slice(0, 5)
    .map((row) => `${row.label} ${show(row[measure])}`)
    .join(', ');
  const present = data.filter((r) => r.customers > 0).length;
  const what = spending ? `spend of ${plural(customers, 'customer')}` : plural(customers, 'customer');
  const altText =
    `Bar chart of ${what}${when} by ${noun}${who}, largest first: ${listed}` +
    `${shown.length > 5 ? ', and more' : ''}.`;
  const summary = spending
    ? `${formatMoney(total)} spent${when} by ${plural(customers, 'customer')} across ${plural(present, ...PRESENT_NOUN[by])}${who}; most in ${top.label} (${formatMoney(top.spend)}, ${share(top.spend)}).`
    : `${plural(customers, 'customer')}${window ? ` buying${when}` : ''} across ${plural(present, ...PRESENT_NOUN[by])}${who}; most in ${top.label} (${formatNumber(top.customers)}, ${share(top.customers)}).`;
  return { spec, altText, summary, data };
}
