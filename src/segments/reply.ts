import { maskId } from '../core/mask.ts';
import { type Button, formatMoney, formatNumber, type Reply } from '../core/reply.ts';
import type { AverageCondition, Condition, SegmentDefinition } from './definition.ts';
import { describeSegment, STAGE, sayWindow } from './describe.ts';
import { type Comparison, type Preview, rankedOverWindow } from './service.ts';

/** Each button's `action value` is a request that works on the thread's segment when pressed. */
export const SEGMENT_BUTTONS: Button[] = [
  { action: 'save', label: 'Save segment', value: '', style: 'primary' },
  { action: 'export', label: 'Export CSV', value: '' },
  { action: 'recommend', label: 'Recommend for this segment', value: 'to this segment' },
  { action: 'draft', label: 'Draft copy for this segment', value: 'copy for this segment' },
];

const hasTotal = (c: Condition): boolean =>
  c.kind === 'bought'
    ? Boolean(c.total)
    : c.kind === 'and' || c.kind === 'or'
      ? c.conditions.some(hasTotal)
      : c.kind === 'not' && hasTotal(c.condition);

/** What "above average" was measured against: "The average customer has spent £829.86 (all 1,500 customers)." */
function averageNotes(preview: Preview): string[] {
  const said: Record<AverageCondition['metric'], (v: number) => string> = {
    spend: (v) => `has spent ${formatMoney(v)}`,
    orders: (v) => `has placed ${oneDecimal(v)} orders`,
    avg_order_value: (v) => `has an average order of ${formatMoney(v)}`,
    distinct_products: (v) => `has bought ${oneDecimal(v)} different products`,
  };
  return (Object.entries(preview.averages ?? {}) as [AverageCondition['metric'], number][]).map(
    ([metric, value]) =>
      `The average customer ${said[metric](value)} (all ${formatNumber(preview.total)} customers).`,
  );
}

const oneDecimal = (v: number) => v.toLocaleString('en-GB', { maximumFractionDigits: 1 });

/** The answer to an audience request: figures, a masked sample, what was understood, and what to do next. */
export function segmentReply(
  def: SegmentDefinition,
  preview: Preview,
  options: { title?: string; notes?: string[]; buttons?: Button[] } = {},
): Reply {
  const pct = (preview.share * 100).toFixed(preview.share < 0.1 ? 1 : 0);
  // Chosen by what they spent or ordered in a window or on a product: the figures shown are not those totals.
  // Ranked by spend or orders over a window: that total is listed beside the lifetime figures.
  const ranked = rankedOverWindow(def);
  const life = Boolean(ranked) || def.conditions.some(hasTotal);
  const rankedColumn =
    ranked && def.top ? `${ranked === 'spend' ? 'Spend' : 'Orders'}${sayWindow(def.top)}` : undefined;
  const lifetime = (name: string) => (life ? `Lifetime ${name.toLowerCase()}` : name);
  const text =
    preview.count === 0
      ? 'No customers match. Loosen a condition, e.g. a lower amount or a longer period.'
      : 'Refine it in this thread ("only those in France", "exclude one-time buyers"), or say "save as NAME" or "export".';
  return {
    title:
      options.title ?? `Segment: ${formatNumber(preview.count)} customer${preview.count === 1 ? '' : 's'}`,
    text: [...(options.notes ?? []), ...averageNotes(preview), text].join('\n'),
    fields: [
      {
        label: 'Customers',
        value: `${formatNumber(preview.count)} (${pct}% of ${formatNumber(preview.total)})`,
      },
      { label: life ? 'Lifetime spend' : 'Total spend', value: formatMoney(preview.totalSpend) },
      { label: life ? 'Average lifetime spend' : 'Average spend', value: formatMoney(preview.avgSpend) },
      { label: life ? 'Average lifetime orders' : 'Average orders', value: preview.avgOrders.toFixed(1) },
    ],
    ...(preview.sample.length
      ? {
          table: {
            columns: [
              'Customer',
              'Country',
              ...(rankedColumn ? [rankedColumn] : []),
              lifetime('Spend'),
              lifetime('Orders'),
              'Days since purchase',
              'Stage',
            ],
            rows: preview.sample.map((m) => [
              maskId(m.customerId),
              m.country,
              ...(rankedColumn ? [ranked === 'spend' ? formatMoney(m.ranked ?? 0) : (m.ranked ?? 0)] : []),
              formatMoney(m.spend),
              m.orders,
              m.recencyDays,
              STAGE[m.lifecycle] ?? m.lifecycle,
            ]),
            truncated: Math.max(0, preview.count - preview.sample.length),
          },
        }
      : {}),
    context: `${describeSegment(def)}${preview.asOf ? ` · as of ${preview.asOf.slice(0, 10)}` : ''}`,
    buttons: preview.count > 0 ? (options.buttons ?? SEGMENT_BUTTONS) : [],
  };
}

export function comparisonReply(
  nameA: string,
  nameB: string,
  c: Comparison,
  options: { buttons?: Button[] } = {},
): Reply {
  return {
    title: `${nameA} vs ${nameB}`,
    fields: [
      { label: nameA, value: formatNumber(c.a) },
      { label: nameB, value: formatNumber(c.b) },
      { label: 'In both', value: formatNumber(c.both) },
      { label: `Only ${nameA}`, value: formatNumber(c.onlyA) },
      { label: `Only ${nameB}`, value: formatNumber(c.onlyB) },
      { label: 'Overlap', value: `${(c.jaccard * 100).toFixed(1)}% of the union` },
    ],
    ...(options.buttons?.length ? { buttons: options.buttons } : {}),
  };
}

/** What a segment answer remembers, so follow-ups in the thread can refine, save or export it. */
export interface SegmentMemory {
  definition: SegmentDefinition;
  description: string;
  request: string;
  name?: string;
}

export function isSegmentMemory(value: unknown): value is SegmentMemory {
  return typeof value === 'object' && value !== null && 'definition' in value && 'description' in value;
}
