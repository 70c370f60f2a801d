import { formatNumber, type Reply } from '../core/reply.ts';
import { describeSegment } from './describe.ts';
import type { Discovery } from './discover.ts';
import type { SegmentMemory } from './reply.ts';

/** What a discovery remembers: each group's definition, so "show group 2" or "save group 2 as NAME" work. */
export interface DiscoveryMemory {
  discovery: { index: number; label: string; definition: SegmentMemory['definition'] }[];
}

export function isDiscoveryMemory(value: unknown): value is DiscoveryMemory {
  return typeof value === 'object' && value !== null && Array.isArray((value as DiscoveryMemory).discovery);
}

export function discoveryReply(d: Discovery): Reply {
  const how =
    d.chosenBy === 'silhouette'
      ? `${d.k} groups fit best (silhouette ${d.silhouette.toFixed(2)}; tried ${Object.keys(d.silhouetteByK ?? {}).join(', ')})`
      : `${d.k} groups as asked (silhouette ${d.silhouette.toFixed(2)})`;
  return {
    title: `${formatNumber(d.customers)} customers fall into ${d.k} groups`,
    text:
      'Each group comes with a definition over customer features, so it stays explainable when saved. ' +
      'Say "show group 1" to look at one, or "save group 1 as NAME".',
    table: {
      columns: ['Group', 'Who they are', 'Customers', 'Definition', 'Definition matches'],
      rows: d.clusters.map((c) => [
        c.index + 1,
        c.label,
        `${formatNumber(c.size)} (${(c.share * 100).toFixed(0)}%)`,
        describeSegment(c.definition),
        `${formatNumber(c.definitionMatches)} (agreement ${(c.agreement * 100).toFixed(0)}%)`,
      ]),
    },
    context: `k-means on standardised recency, orders, spend, average order and tenure · ${how}`,
  };
}
