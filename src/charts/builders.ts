/**
 * Chart specs built from the feature store. Every builder aggregates in SQL and plots the aggregate, never raw
 * rows: rendering cost grows with the number of marks (see integration-facts, "Vega-Lite to PNG").
 */
import { type SQL, sql } from 'drizzle-orm';
import type { TopLevelSpec } from 'vega-lite';
import { UserError } from '../core/errors.ts';
import { formatMoney, formatNumber, plural } from '../core/reply.ts';
import type { Database } from '../db/client.ts';
import { DONE_BATCHES, LIFECYCLE_STAGES } from '../ingest/features.ts';
import { memberIdsQuery } from '../segments/compile.ts';
import type { SegmentDefinition } from '../segments/definition.ts';
import { describeSegment } from '../segments/describe.ts';
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
const GRAINS: Record<Grain, { trunc: SQL; step: string }> = {
  day: { trunc: sql.raw(`'day'`), step: '1 day' },
  week: { trunc: sql.raw(`'week'`), step: '1 week' },
  month: { trunc: sql.raw(`'month'`), step: '1 month' },
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function periodLabel(isoDate: string, grain: Grain): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  const month = `${MONTHS[m - 1]} ${y}`;
  if (grain === 'month') return month;
  return grain === 'week' ? `w/c ${d} ${month}` : `${d} ${month}`;
}

/** Segment membership as a predicate on a customer id column; `top` is honoured, so members match previews. */
function inSegment(database: Database, column: SQL, def: SegmentDefinition | undefined): SQL {
  if (!def || (def.conditions.length === 0 && !def.top)) return sql`true`;
  return sql`${column} in (${memberIdsQuery(database.db, def)})`;
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
 * const rows = await revenueSeries(database, { grain: 'month' });
 * rows[0]; // { period: '2011-01-01', label: 'Jan 2011', revenue: 35.64, orders: 1 }
 */
export async function revenueSeries(
  database: Database,
  options: { grain: Grain; where?: SegmentDefinition | undefined },
): Promise<RevenuePoint[]> {
  const grain = GRAINS[options.grain];
  if (!grain)
    throw new UserError('chart_grain', `Unknown period "${options.grain}". Use day, week or month.`);
  const rows = await database.rows<{ period: string; revenue: string | number; orders: number }>(sql`
    with as_of as (
      select coalesce(
        (select (value->>'asOf')::timestamptz from meta where key = 'as_of'),
        (select max(occurred_at) from events where batch_id in ${DONE_BATCHES})
      ) as at
    ), p as (
      -- Buckets in UTC, so both drivers and every server time zone agree on which month a sale falls in.
      select date_trunc(${grain.trunc}, events.occurred_at at time zone 'UTC') as bucket,
        sum(events.quantity * events.unit_price) as revenue,
        count(distinct events.invoice)::int as orders
      from events
      where events.kind = 'purchase' and events.batch_id in ${DONE_BATCHES}
        and events.occurred_at <= (select at from as_of)
        and ${inSegment(database, sql`events.customer_id`, options.where)}
      group by 1
    ), series as (
      select generate_series(min(bucket), max(bucket), ${grain.step}::interval) as bucket from p
    )
    select to_char(series.bucket, 'YYYY-MM-DD') as period,
      coalesce(round(p.revenue, 2), 0)::text as revenue,
      coalesce(p.orders, 0)::int as orders
    from series left join p on p.bucket = series.bucket
    order by series.bucket
  `);
  return rows.map((r) => ({
    period: r.period,
    label: periodLabel(r.period, options.grain),
    revenue: Number(r.revenue),
    orders: Number(r.orders),
  }));
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
  options: { grain: Grain; where?: SegmentDefinition | undefined },
): Promise<ChartBuild & { data: RevenuePoint[] }> {
  const data = await revenueSeries(database, options);
  if (data.length === 0) {
    throw new UserError(
      'chart_no_data',
      options.where
        ? 'No purchases by this segment yet, so there is no revenue to chart.'
        : 'No purchases imported yet, so there is no revenue to chart. Import a file first.',
    );
  }
  const peak = data.reduce((best, row) => (row.revenue > best.revenue ? row : best));
  const revenue = data.reduce((sum, row) => sum + row.revenue, 0);
  const orders = data.reduce((sum, row) => sum + row.orders, 0);
  const first = data[0]!.label;
  const last = data.at(-1)!.label;
  const range = first === last ? first : `${first} to ${last}`;
  // Name the audience in the title when it is short enough to read ("for Germany · spend > £1,000").
  const described = options.where ? describeSegment(options.where) : '';
  const who = options.where ? (described.length <= 40 ? ` for ${described}` : ' for this segment') : '';
  const markName = options.grain === 'day' ? 'Line' : 'Bar';
  const withOrders = options.grain !== 'day';

  const x = {
    field: 'label',
    type: 'ordinal' as const,
    sort: null,
    title: null,
    axis: { labelOverlap: true, labelAngle: data.length > 12 ? -45 : 0, ticks: data.length <= 60 },
  };
  const spec: TopLevelSpec = {
    title: { text: `Revenue by ${options.grain}${who}`, subtitle: range },
    width: Math.min(720, Math.max(320, data.length * 40)),
    height: 260,
    data: { values: data },
    encoding: { x },
    layer: [
      {
        mark:
          options.grain === 'day' ? { type: 'line', color: PALETTE[0] } : { type: 'bar', color: PALETTE[0] },
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
    `${markName} chart of revenue by ${options.grain}${who}, ${range}${withOrders ? ', with orders as a line' : ''}; ` +
    `highest in ${peak.label} at ${formatMoney(peak.revenue)} from ${formatNumber(peak.orders)} ` +
    `order${peak.orders === 1 ? '' : 's'}.`;
  const summary =
    `${formatMoney(revenue)} revenue from ${formatNumber(orders)} order${orders === 1 ? '' : 's'}${who}, ` +
    `${range}; best ${options.grain} ${peak.label}.`;
  return { spec, altText, summary, data };
}

export type BreakdownBy = 'country' | 'lifecycle';

export interface BreakdownRow {
  label: string;
  customers: number;
}

const TOP_COUNTRIES = 10;

const STAGE_LABELS: Record<(typeof LIFECYCLE_STAGES)[number], string> = {
  new: 'New',
  active: 'Active',
  at_risk: 'At risk',
  lapsed: 'Lapsed',
};

/**
 * A segment's members counted by country (top 10, the rest as "Other") or by lifecycle stage (all four
 * stages, zeros included), largest first.
 *
 * @example
 * await breakdownRows(database, { conditions: [] }, 'country');
 * // [{ label: 'France', customers: 1 }, { label: 'Germany', customers: 1 }, ...]
 */
export async function breakdownRows(
  database: Database,
  def: SegmentDefinition,
  by: BreakdownBy,
): Promise<BreakdownRow[]> {
  const members = inSegment(database, sql`customer_id`, def);
  if (by === 'lifecycle') {
    const rows = await database.rows<{ label: string; customers: number }>(sql`
      select lifecycle as label, count(*)::int as customers
      from customer_features where ${members} group by lifecycle
    `);
    const counts = new Map(rows.map((r) => [r.label, Number(r.customers)]));
    return LIFECYCLE_STAGES.map((stage) => ({
      label: STAGE_LABELS[stage],
      customers: counts.get(stage) ?? 0,
    }))
      .map((row, i) => ({ row, i }))
      .sort((a, b) => b.row.customers - a.row.customers || a.i - b.i)
      .map(({ row }) => row);
  }
  if (by !== 'country')
    throw new UserError('chart_breakdown', `Cannot break down by "${by}". Use country or lifecycle.`);
  // Ranked in SQL; the tail beyond the top 10 is folded into one row there too.
  const rows = await database.rows<{ label: string; customers: number }>(sql`
    with counts as (
      select coalesce(country, 'Unknown') as label, count(*)::int as customers
      from customer_features where ${members} group by 1
    ), ranked as (
      select label, customers, row_number() over (order by customers desc, label) as rank from counts
    )
    select case when rank <= ${TOP_COUNTRIES} then label else 'Other' end as label,
      sum(customers)::int as customers, min(rank) as rank
    from ranked
    group by 1
    order by (min(rank) > ${TOP_COUNTRIES}), sum(customers) desc, 1
  `);
  return rows.map((r) => ({ label: r.label, customers: Number(r.customers) }));
}

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
): Promise<ChartBuild & { data: BreakdownRow[] }> {
  const data = await breakdownRows(database, def, by);
  const total = data.reduce((sum, row) => sum + row.customers, 0);
  if (total === 0) {
    throw new UserError('chart_no_data', 'This segment has no customers, so there is nothing to break down.');
  }
  const noun = by === 'country' ? 'country' : 'lifecycle stage';
  const top = data[0]!;
  const share = (n: number) => `${Math.round((100 * n) / total)}%`;
  const spec: TopLevelSpec = {
    title: { text: `Customers by ${noun}`, subtitle: plural(total, 'customer') },
    width: 420,
    height: { step: 24 },
    data: { values: data },
    mark: { type: 'bar', color: PALETTE[0] },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: null, title: null },
      x: {
        field: 'customers',
        type: 'quantitative',
        title: 'Customers',
        axis: { tickMinStep: 1, format: 'd' },
      },
      tooltip: [
        { field: 'label', title: by === 'country' ? 'Country' : 'Stage' },
        { field: 'customers', type: 'quantitative', title: 'Customers' },
      ],
    },
  };
  const listed = data
    .filter((row) => row.customers > 0)
    .slice(0, 5)
    .map((row) => `${row.label} ${formatNumber(row.customers)}`)
    .join(', ');
  const present = data.filter((r) => r.customers > 0).length;
  const altText =
    `Bar chart of ${plural(total, 'customer')} by ${noun}, largest first: ${listed}` +
    `${present > 5 ? ', and more' : ''}.`;
  const summary = `${plural(total, 'customer')} across ${plural(present, by === 'country' ? 'country' : 'stage', by === 'country' ? 'countries' : 'stages')}; most in ${top.label} (${formatNumber(top.customers)}, ${share(top.customers)}).`;
  return { spec, altText, summary, data };
}
