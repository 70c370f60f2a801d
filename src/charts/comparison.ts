/**
 * Side-by-side bars for two or more groups over a few measures (one small panel per measure, same colour per
 * group throughout). Segments use it today; anything with a name and a few figures (recommendation sets,
 * campaigns) can be drawn with `comparisonBars` too.
 */
import { sql } from 'drizzle-orm';
import type { TopLevelSpec } from 'vega-lite';
import { UserError } from '../core/errors.ts';
import { formatMoney, formatNumber, plural } from '../core/reply.ts';
import type { Database } from '../db/client.ts';
import type { SegmentDefinition } from '../segments/definition.ts';
import { type ChartBuild, inSegment } from './builders.ts';
import { PALETTE } from './render.ts';

export interface Measure {
  key: string;
  title: string;
  kind: 'count' | 'money';
}

export interface ComparedGroup {
  name: string;
  values: Record<string, number>;
}

export const MAX_GROUPS = PALETTE.length;

const show = (m: Measure, n: number) => (m.kind === 'money' ? formatMoney(n) : formatNumber(n));

/**
 * The spec and texts for groups compared on measures. Generic on purpose: it knows nothing of segments.
 *
 * @example
 * comparisonBars('Segments compared', [{ name: 'A', values: { customers: 3 } }], [
 *   { key: 'customers', title: 'Customers', kind: 'count' },
 * ]);
 */
export function comparisonBars(title: string, groups: ComparedGroup[], measures: Measure[]): ChartBuild {
  if (groups.length < 2) throw new UserError('chart_compare', 'Name at least two things to compare.');
  if (groups.length > MAX_GROUPS) {
    throw new UserError(
      'chart_compare',
      `Compare at most ${MAX_GROUPS} at a time (${groups.length} were named).`,
    );
  }
  const names = groups.map((g) => g.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new UserError('chart_compare', `"${twice}" is named twice: compare different ones.`);
  const values = groups.flatMap((g) =>
    measures.map((m) => ({ group: g.name, measure: m.title, value: g.values[m.key] ?? 0 })),
  );
  const spec: TopLevelSpec = {
    title: { text: title, subtitle: names.join(' vs ') },
    data: { values },
    hconcat: measures.map((m) => ({
      width: 160,
      height: 200,
      title: { text: m.title, fontSize: 12, fontWeight: 'normal' as const, anchor: 'middle' as const },
      transform: [{ filter: { field: 'measure', equal: m.title } }],
      layer: [
        { mark: { type: 'bar' as const } },
        {
          mark: { type: 'text' as const, dy: -6, fontSize: 10, color: '#222222' },
          encoding: {
            text: {
              field: 'value',
              type: 'quantitative' as const,
              format: m.kind === 'money' ? ',.0f' : ',d',
            },
          },
        },
      ],
      encoding: {
        x: {
          field: 'group',
          type: 'nominal' as const,
          sort: names,
          title: null,
          axis: { labelAngle: -30, labelLimit: 120 },
        },
        y: {
          field: 'value',
          type: 'quantitative' as const,
          title: m.kind === 'money' ? '£' : null,
          ...(m.kind === 'count' ? { axis: { tickMinStep: 1, format: 'd' } } : {}),
        },
        color: {
          field: 'group',
          type: 'nominal' as const,
          sort: names,
          legend: null,
          scale: { range: PALETTE },
        },
        tooltip: [
          { field: 'group', title: 'Group' },
          {
            field: 'value',
            type: 'quantitative' as const,
            title: m.title,
            format: m.kind === 'money' ? ',.2f' : ',d',
          },
        ],
      },
    })),
  };
  const lead = (m: Measure) =>
    groups.reduce((b, g) => ((g.values[m.key] ?? 0) > (b.values[m.key] ?? 0) ? g : b));
  const [first] = measures;
  const altText =
    `Bar charts comparing ${names.join(', ')} on ${measures.map((m) => m.title.toLowerCase()).join(', ')}: ` +
    groups
      .map((g) => `${g.name} ${measures.map((m) => `${show(m, g.values[m.key] ?? 0)}`).join(' / ')}`)
      .join('; ') +
    '.';
  const summary = first
    ? `${names.join(' vs ')}: ` +
      measures
        .map((m) => `most ${m.title.toLowerCase()} ${lead(m).name} (${show(m, lead(m).values[m.key] ?? 0)})`)
        .join(', ') +
      '.'
    : title;
  return { spec, altText, summary };
}

export const SEGMENT_MEASURES: Measure[] = [
  { key: 'customers', title: 'Customers', kind: 'count' },
  { key: 'spend', title: 'Total spend', kind: 'money' },
  { key: 'aov', title: 'Average order value', kind: 'money' },
];

/**
 * Segments side by side: size, total spend and average order value (spend / orders of its members), one
 * aggregate statement per segment.
 *
 * @example
 * const chart = await segmentComparison(database, [
 *   { name: 'lapsed-germans', definition: a },
 *   { name: 'big-spenders', definition: b },
 * ]);
 */
export async function segmentComparison(
  database: Database,
  segments: { name: string; definition: SegmentDefinition }[],
): Promise<ChartBuild & { data: ComparedGroup[] }> {
  if (segments.length < 2) throw new UserError('chart_compare', 'Name at least two segments to compare.');
  if (segments.length > MAX_GROUPS) {
    throw new UserError('chart_compare', `Compare at most ${MAX_GROUPS} segments at a time.`);
  }
  const parts = segments.map(
    (s, i) => sql`select ${i}::int as i, count(*)::int as customers, coalesce(sum(spend), 0)::text as spend,
      coalesce(sum(orders), 0)::int as orders
      from customer_features where ${inSegment(database, sql`customer_id`, s.definition)}`,
  );
  const rows = await database.rows<{ i: number; customers: number; spend: string; orders: number }>(
    sql`${sql.join(parts, sql` union all `)} order by 1`,
  );
  const data: ComparedGroup[] = rows.map((r) => {
    const spend = Number(r.spend);
    const orders = Number(r.orders);
    return {
      name: segments[Number(r.i)]!.name,
      values: {
        customers: Number(r.customers),
        spend,
        aov: orders > 0 ? Math.round((100 * spend) / orders) / 100 : 0,
      },
    };
  });
  if (data.every((g) => g.values.customers === 0)) {
    throw new UserError(
      'chart_no_data',
      'None of these segments has any customers, so there is nothing to compare.',
    );
  }
  const built = comparisonBars(`${plural(segments.length, 'segment')} compared`, data, SEGMENT_MEASURES);
  return { ...built, data };
}
