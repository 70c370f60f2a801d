/**
 * Running, saving, comparing and exporting segments. Everything goes through the compiler (parameterised SQL);
 * saved segments store the definition, never SQL.
 */

import { asc, eq, type SQL, sql } from 'drizzle-orm';
import { distance } from 'fastest-levenshtein';
import Papa from 'papaparse';
import { customerFeatures, segments } from '../../db/schema.ts';
import { UserError } from '../core/errors.ts';
import type { Database } from '../db/client.ts';
import {
  COLUMNS,
  compileWhere,
  MEMBER_COLUMNS,
  memberIdsQuery,
  membersQuery,
  rankWindow,
} from './compile.ts';
import {
  type AverageCondition,
  type Condition,
  type SegmentDefinition,
  segmentDefinition,
} from './definition.ts';
import { describeSegment } from './describe.ts';

export interface Member {
  customerId: string;
  country: string | null;
  spend: number;
  orders: number;
  recencyDays: number | null;
  lifecycle: string;
  /** Spend or orders over a top-N list's ranking window ("top 10 by spend last month"), when it has one. */
  ranked?: number;
}

export interface Preview {
  count: number;
  /** Customers with features: the share's denominator. */
  total: number;
  share: number;
  totalSpend: number;
  avgSpend: number;
  avgOrders: number;
  sample: Member[];
  asOf: string | null;
  /** The store's averages a definition compares with ("above-average spenders"), for the reply to show. */
  averages?: Partial<Record<AverageCondition['metric'], number>>;
}

/** The metrics a definition compares with the store's average, however deep. */
function averagesIn(conditions: readonly Condition[]): Set<AverageCondition['metric']> {
  const found = new Set<AverageCondition['metric']>();
  const walk = (c: Condition): void => {
    if (c.kind === 'average') found.add(c.metric);
    else if (c.kind === 'and' || c.kind === 'or') c.conditions.forEach(walk);
    else if (c.kind === 'not') walk(c.condition);
  };
  conditions.forEach(walk);
  return found;
}

function toMember(row: Record<string, unknown>): Member {
  return {
    customerId: String(row.customerId),
    country: (row.country as string | null) ?? null,
    spend: Number(row.spend),
    orders: Number(row.orders),
    recencyDays: row.recencyDays === null ? null : Number(row.recencyDays),
    lifecycle: String(row.lifecycle),
    ...(row.ranked === null || row.ranked === undefined ? {} : { ranked: Number(row.ranked) }),
  };
}

/** Count, share, spend and a sample of the members. With top-N the figures are over the top N only. */
export async function previewSegment(
  database: Database,
  def: SegmentDefinition,
  sampleSize = 5,
): Promise<Preview> {
  const { db } = database;
  // One statement for the figures: the segment's aggregates plus the whole base's size and as-of instant.
  const figures = {
    count: sql<number>`count(*)::int`,
    totalSpend: sql<string>`coalesce(sum(${customerFeatures.spend}), 0)::text`,
    avgOrders: sql<string>`coalesce(avg(${customerFeatures.orders}), 0)::text`,
    total: sql<number>`(select count(*)::int from customer_features)`,
    asOf: sql<string | null>`(select max(as_of)::text from customer_features)`,
  };
  let agg:
    | { count: number; totalSpend: string; avgOrders: string; total: number; asOf: string | null }
    | undefined;
  if (def.top) {
    const members = memberIdsQuery(db, def).as('members');
    [agg] = await db
      .select(figures)
      .from(members)
      .innerJoin(customerFeatures, eq(customerFeatures.customerId, members.customerId));
  } else {
    [agg] = await db.select(figures).from(customerFeatures).where(compileWhere(db, def));
  }
  const all = { n: agg?.total ?? 0, asOf: agg?.asOf ?? null };
  // The sample shows the top of a top-N list, otherwise the biggest spenders: the most telling members.
  const sampleQuery = def.top
    ? membersQuery(db, def).limit(Math.min(sampleSize, def.top.limit))
    : db
        .select(MEMBER_COLUMNS)
        .from(customerFeatures)
        .where(compileWhere(db, def))
        .orderBy(sql`${customerFeatures.spend} desc`, asc(customerFeatures.customerId))
        .limit(sampleSize);
  const sample = sampleSize > 0 ? (await sampleQuery).map(toMember) : [];
  const compared = [...averagesIn(def.conditions)];
  let averages: Preview['averages'];
  if (compared.length > 0) {
    const [row] = await db
      .select(
        Object.fromEntries(compared.map((m) => [m, sql<string | null>`avg(${COLUMNS[m]})::text`])) as Record<
          string,
          SQL<string | null>
        >,
      )
      .from(customerFeatures);
    averages = Object.fromEntries(compared.map((m) => [m, Number(row?.[m] ?? 0)]));
  }
  const n = Number(agg?.count ?? 0);
  const total = Number(all?.n ?? 0);
  const totalSpend = Number(agg?.totalSpend ?? 0);
  return {
    count: n,
    total,
    share: total ? n / total : 0,
    totalSpend,
    avgSpend: n ? totalSpend / n : 0,
    avgOrders: Number(agg?.avgOrders ?? 0),
    sample,
    asOf: all?.asOf ? new Date(all.asOf).toISOString() : null,
    ...(averages ? { averages } : {}),
  };
}

/** The measure a top-N list is ranked by over a window, or undefined when it ranks lifetime features. */
export function rankedOverWindow(def: SegmentDefinition): 'spend' | 'orders' | undefined {
  if (!rankWindow(def.top)) return undefined;
  return def.top?.metric === 'orders' ? 'orders' : 'spend';
}

export async function segmentMemberIds(database: Database, def: SegmentDefinition): Promise<string[]> {
  const rows = await memberIdsQuery(database.db, def);
  return rows.map((r) => r.customerId);
}

/**
 * Every member as CSV (id, country, spend, orders, days since last purchase, lifecycle), and for a top-N list
 * ranked over a window what it was ranked by (`spend_in_window` or `orders_in_window`).
 */
export async function exportSegmentCsv(
  database: Database,
  def: SegmentDefinition,
): Promise<{ csv: string; rows: number }> {
  const rows = (await membersQuery(database.db, def)).map(toMember);
  const windowed = rankedOverWindow(def);
  const csv = Papa.unparse({
    fields: [
      'customer_id',
      'country',
      'spend',
      'orders',
      'recency_days',
      'lifecycle',
      ...(windowed ? [`${windowed}_in_window`] : []),
    ],
    data: rows.map((r) => [
      r.customerId,
      r.country ?? '',
      r.spend.toFixed(2),
      r.orders,
      r.recencyDays ?? '',
      r.lifecycle,
      ...(windowed ? [windowed === 'spend' ? (r.ranked ?? 0).toFixed(2) : (r.ranked ?? 0)] : []),
    ]),
  });
  return { csv: `${csv}\n`, rows: rows.length };
}

export interface SavedSegment {
  id: number;
  name: string;
  definition: SegmentDefinition;
  description: string;
  request: string | null;
  createdBy: string;
  createdAt: Date;
  lastCount: number | null;
}

/** Quotes around a name ("save as 'big spenders'") are not part of it. */
const QUOTES = /^["'“”]+|["'“”]+$/g;

const NAME = /^[\p{L}\p{N}][\p{L}\p{N} _\-'&.]{0,62}$/u;

export function validateSegmentName(raw: string): string {
  const name = raw.trim().replace(QUOTES, '').trim();
  if (!NAME.test(name)) {
    throw new UserError(
      'segment_bad_name',
      `"${raw.slice(0, 80)}" can't be a segment name: use 1 to 63 letters, digits, spaces, - or _ (e.g. lapsed-germans).`,
    );
  }
  return name;
}

function fromRow(row: typeof segments.$inferSelect): SavedSegment {
  return { ...row, definition: segmentDefinition.parse(row.definition) };
}

export async function saveSegment(
  database: Database,
  input: { name: string; definition: SegmentDefinition; request?: string | null; createdBy: string },
): Promise<SavedSegment> {
  const name = validateSegmentName(input.name);
  const { count: n } = await previewSegment(database, input.definition, 0);
  const inserted = await database.db
    .insert(segments)
    .values({
      name,
      nameKey: name.toLowerCase(),
      definition: input.definition,
      description: describeSegment(input.definition),
      request: input.request ?? null,
      createdBy: input.createdBy,
      lastCount: n,
    })
    .onConflictDoNothing({ target: segments.nameKey })
    .returning();
  if (!inserted[0]) {
    throw new UserError('segment_exists', `There is already a segment called "${name}".`, {
      hint: `Pick another name, or say "delete segment ${name}" first.`,
    });
  }
  return fromRow(inserted[0]);
}

export async function listSegments(database: Database): Promise<SavedSegment[]> {
  const rows = await database.db.select().from(segments).orderBy(asc(segments.nameKey));
  return rows.map(fromRow);
}

/** Finds a saved segment by name (any case); a miss names the closest saved ones. */
export async function getSegment(database: Database, rawName: string): Promise<SavedSegment> {
  const name = rawName.trim().replace(QUOTES, '');
  const [row] = await database.db.select().from(segments).where(eq(segments.nameKey, name.toLowerCase()));
  if (row) return fromRow(row);
  const all = await listSegments(database);
  const close = all
    .map((s) => ({ s, d: distance(s.name.toLowerCase(), name.toLowerCase()) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((x) => `"${x.s.name}"`);
  throw new UserError('segment_not_found', `There is no saved segment called "${name}".`, {
    hint: all.length
      ? `Saved segments include ${close.join(', ')}. Say "segments" to list them all.`
      : 'No segments are saved yet: describe an audience, then say "save as NAME".',
  });
}

export async function deleteSegment(database: Database, name: string): Promise<SavedSegment> {
  const segment = await getSegment(database, name);
  await database.db.delete(segments).where(eq(segments.id, segment.id));
  return segment;
}

export interface Comparison {
  a: number;
  b: number;
  both: number;
  onlyA: number;
  onlyB: number;
  /** Overlap as a share of the union (Jaccard). */
  jaccard: number;
}

/** Sizes and overlap of two definitions, counted in the database. */
export async function compareSegments(
  database: Database,
  a: SegmentDefinition,
  b: SegmentDefinition,
): Promise<Comparison> {
  const { db } = database;
  const qa = memberIdsQuery(db, a).as('a');
  const qb = memberIdsQuery(db, b).as('b');
  const [row] = await db
    .select({
      a: sql<number>`count(${qa.customerId})::int`,
      b: sql<number>`count(${qb.customerId})::int`,
      both: sql<number>`count(*) filter (where ${qa.customerId} is not null and ${qb.customerId} is not null)::int`,
    })
    .from(qa)
    .fullJoin(qb, eq(qa.customerId, qb.customerId));
  const na = Number(row?.a ?? 0);
  const nb = Number(row?.b ?? 0);
  const both = Number(row?.both ?? 0);
  const union = na + nb - both;
  return { a: na, b: nb, both, onlyA: na - both, onlyB: nb - both, jaccard: union ? both / union : 0 };
}
