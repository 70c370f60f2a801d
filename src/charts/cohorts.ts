/**
 * Cohort retention: customers grouped by the month of their first purchase, and the share of each cohort
 * buying again 1, 2, 3… months later. Aggregated in SQL; at most `MAX_COHORTS` recent cohorts are drawn.
 */
import { sql } from 'drizzle-orm';
import type { TopLevelSpec } from 'vega-lite';
import { UserError } from '../core/errors.ts';
import { plural } from '../core/reply.ts';
import type { Database } from '../db/client.ts';
import { ensureDailySales } from '../ingest/daily-sales.ts';
import type { SegmentDefinition } from '../segments/definition.ts';
import { audienceLabel, type ChartBuild, inSegment, periodLabel } from './builders.ts';

/** 12 cohorts × up to 12 months: 78 cells at most, readable with its numbers in it. */
export const MAX_COHORTS = 12;

export interface CohortCell {
  cohort: string;
  /** The cohort's size (customers whose first purchase was that month). */
  size: number;
  /** 0 is the first month itself (always 100%). */
  monthsSince: number;
  customers: number;
  /** customers / size, 0–1. */
  retention: number;
}

/**
 * @example
 * const chart = await cohortRetention(database, {});
 * chart.data[0]; // { cohort: 'Jan 2011', size: 1, monthsSince: 0, customers: 1, retention: 1 }
 */
export async function cohortRetention(
  database: Database,
  options: { where?: SegmentDefinition | undefined; cohorts?: number },
): Promise<ChartBuild & { data: CohortCell[] }> {
  const limit = Math.min(Math.max(1, Math.floor(options.cohorts ?? MAX_COHORTS)), 24);
  await ensureDailySales(database);
  const rows = await database.rows<{
    cohort: string;
    size: number;
    months_since: number;
    customers: number;
  }>(sql`
    with cells as (
      -- A customer's cohort is the month of their first day; each of their months counts once, on its first
      -- day (month_first). Months are integers (year * 12 + month - 1), cheaper to group and subtract.
      select cohort, m - cohort as since, count(*)::int as customers
      from (
        select (date_part('year', d.first_day) * 12 + date_part('month', d.first_day) - 1)::int as cohort,
          (date_part('year', d.day) * 12 + date_part('month', d.day) - 1)::int as m
        from daily_customer_sales d
        where d.customer_id is not null and d.month_first
          and ${inSegment(database, sql`d.customer_id`, options.where)}
      ) a
      group by 1, 2
    ), recent as (
      -- Everyone is in their cohort's month 0 exactly once, so that cell is the cohort's size.
      select cohort, customers as size from cells where since = 0 order by cohort desc limit ${limit}
    )
    select to_char(make_date(r.cohort / 12, r.cohort % 12 + 1, 1), 'YYYY-MM-DD') as cohort, r.size,
      c.since as months_since, c.customers
    from cells c join recent r using (cohort)
    order by r.cohort, c.since
  `);
  if (rows.length === 0) {
    throw new UserError(
      'chart_no_data',
      options.where
        ? 'No purchases by this segment yet, so there are no cohorts to chart.'
        : 'No purchases imported yet, so there are no cohorts to chart. Import a file first.',
    );
  }
  // Every cohort gets a cell for each month up to the data's last month, zeros included, so gaps read as 0%.
  const sizes = new Map<string, number>();
  const counts = new Map<string, number>();
  for (const r of rows) {
    sizes.set(r.cohort, Number(r.size));
    counts.set(`${r.cohort}|${r.months_since}`, Number(r.customers));
  }
  const cohorts = [...sizes.keys()];
  const monthIndex = (iso: string) => {
    const [y, m] = iso.split('-').map(Number) as [number, number];
    return y * 12 + m - 1;
  };
  const lastMonth = Math.max(...rows.map((r) => monthIndex(r.cohort) + Number(r.months_since)));
  const data: CohortCell[] = cohorts.flatMap((cohort) => {
    const size = sizes.get(cohort)!;
    const span = lastMonth - monthIndex(cohort);
    return Array.from({ length: span + 1 }, (_, k) => {
      const customers = counts.get(`${cohort}|${k}`) ?? 0;
      return {
        cohort: periodLabel(cohort, 'month'),
        size,
        monthsSince: k,
        customers,
        retention: customers / size,
      };
    });
  });
  const later = data.filter((c) => c.monthsSince === 1);
  const avgMonth1 = later.length ? later.reduce((s, c) => s + c.retention, 0) / later.length : null;
  const best = later.length ? later.reduce((b, c) => (c.retention > b.retention ? c : b)) : null;
  const who = audienceLabel(options.where);
  const pct = (x: number) => `${Math.round(100 * x)}%`;
  const order = cohorts.map((c) => periodLabel(c, 'month'));
  const spec: TopLevelSpec = {
    title: {
      text: `Cohort retention${who}`,
      subtitle: `share of each first-purchase month's customers buying again N months later`,
    },
    data: { values: data },
    width: { step: 40 },
    height: { step: 26 },
    encoding: {
      x: {
        field: 'monthsSince',
        type: 'ordinal',
        title: 'Months since first purchase',
        axis: { labelAngle: 0 },
      },
      y: { field: 'cohort', type: 'ordinal', sort: order, title: null },
    },
    layer: [
      {
        mark: { type: 'rect' },
        encoding: {
          color: {
            field: 'retention',
            type: 'quantitative',
            title: 'Retention',
            scale: { scheme: 'blues', domain: [0, 1] },
            legend: { format: '.0%' },
          },
          tooltip: [
            { field: 'cohort', title: 'First purchase' },
            { field: 'size', type: 'quantitative', title: 'Cohort size' },
            { field: 'monthsSince', type: 'ordinal', title: 'Months since' },
            { field: 'customers', type: 'quantitative', title: 'Customers buying' },
            { field: 'retention', type: 'quantitative', format: '.0%', title: 'Retention' },
          ],
        },
      },
      {
        mark: { type: 'text', fontSize: 10 },
        encoding: {
          text: { field: 'retention', type: 'quantitative', format: '.0%' },
          color: { condition: { test: 'datum.retention > 0.5', value: 'white' }, value: '#222222' },
        },
      },
    ],
  };
  const totalCustomers = [...sizes.values()].reduce((s, n) => s + n, 0);
  const cohortRange = order.length === 1 ? order[0]! : `${order[0]} to ${order.at(-1)}`;
  const summary =
    avgMonth1 === null
      ? `${plural(cohorts.length, 'cohort')} of first-time buyers${who} (${plural(totalCustomers, 'customer')}), ${cohortRange}; too recent to show anyone coming back yet.`
      : `${plural(cohorts.length, 'cohort')}${who}, ${cohortRange}: on average ${pct(avgMonth1)} buy again the month after their first purchase${best!.retention > 0 ? `; best ${best!.cohort} (${pct(best!.retention)})` : ''}.`;
  const altText =
    `Heatmap of cohort retention${who}: ${plural(cohorts.length, 'monthly cohort')} (${cohortRange}, ` +
    `${plural(totalCustomers, 'customer')}) by months since first purchase` +
    (avgMonth1 === null ? '.' : `; month-1 retention averages ${pct(avgMonth1)}.`);
  return { spec, altText, summary, data };
}
