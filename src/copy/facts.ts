/**
 * The facts a draft is written from, read from the feature store: products (named by id, found by the words of
 * the request, or the segment's top sellers) and the segment's traits. Parameterised SQL only.
 */
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { customerFeatures, events, products } from '../../db/schema.ts';
import { UserError } from '../core/errors.ts';
import type { Database } from '../db/client.ts';
import { DONE_BATCHES } from '../ingest/features.ts';
import { memberIdsQuery } from '../segments/compile.ts';
import type { SegmentDefinition } from '../segments/definition.ts';
import { describeSegment } from '../segments/describe.ts';
import { previewSegment } from '../segments/service.ts';
import type { ProductFact } from './guard.ts';
import type { SegmentTraits } from './local.ts';
import { buildCatalogue, type Catalogue } from './mentions.ts';

const SMALL = new Set(['a', 'an', 'and', 'of', 'the', 'in', 'on', 'with', 'for', 'to', 'or']);

/**
 * A catalogue name as a marketer writes it: shop exports are often in capitals.
 *
 * @example
 * displayName('WHITE HANGING HEART T-LIGHT HOLDER'); // 'White Hanging Heart T-Light Holder'
 * displayName("PAPER CHAIN KIT 50'S CHRISTMAS"); // "Paper Chain Kit 50's Christmas"
 */
export function displayName(raw: string): string {
  const name = raw.trim().replace(/\s+/g, ' ');
  if (/\p{Ll}/u.test(name)) return name;
  return name
    .toLowerCase()
    .split(' ')
    .map((w, i) =>
      i > 0 && SMALL.has(w)
        ? w
        : w.replace(/(^|[-/(])(\p{L})/gu, (_, sep: string, c: string) => sep + c.toUpperCase()),
    )
    .join(' ');
}

type ProductRow = { id: string; name: string; category: string; unitPrice: string | null };

function toFact(row: ProductRow, why: string): ProductFact {
  return {
    id: row.id,
    name: displayName(row.name),
    category: row.category,
    price: row.unitPrice === null ? null : Math.round(Number(row.unitPrice) * 100) / 100,
    why,
  };
}

const COLUMNS = {
  id: products.id,
  name: products.name,
  category: products.category,
  unitPrice: products.unitPrice,
};

/** Products by id, in the given order; an unknown id is the marketer's to fix. */
export async function productsByIds(database: Database, ids: string[]): Promise<ProductFact[]> {
  if (ids.length === 0) return [];
  const wanted = [...new Set(ids.map((id) => id.trim()))];
  const rows = await database.db.select(COLUMNS).from(products).where(inArray(products.id, wanted));
  const byId = new Map(rows.map((r) => [r.id.toLowerCase(), r]));
  const missing = wanted.filter((id) => !byId.has(id.toLowerCase()));
  if (missing.length) {
    throw new UserError(
      'copy_unknown_product',
      `No product with id ${missing.map((m) => `"${m}"`).join(', ')}.`,
      {
        hint: 'Use stock codes as they appear in the imported data (e.g. 85123A), or name the product in words.',
      },
    );
  }
  return wanted.map((id) => toFact(byId.get(id.toLowerCase())!, 'was named in the request'));
}

const STOP = new Set(
  `a an and the of for to in on at with about our new latest some this that these those range collection items
  item products product stuff things email push sms text social post message draft write copy them customers
  segment please also just all any our their your my sale launch announce announcing promote promoting featuring
  off percent price prices from only now christmas`
    .split(/\s+/)
    .filter(Boolean),
);

/** Content words of the topic, singular ("the new Christmas lights" → ['light'], Christmas kept aside). */
export function topicWords(topic: string): string[] {
  const words = topic
    .toLowerCase()
    .replace(/[^\p{L}\p{N}' -]+/gu, ' ')
    .split(/[\s-]+/)
    .filter((w) => w.length >= 3 && !STOP.has(w) && !/^\d/.test(w));
  return [
    ...new Set(words.map((w) => (w.length > 4 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w))),
  ];
}

/**
 * Products the request names in words, best match first: the most topic words in the name or category, then
 * what sells most (to this segment when given).
 */
export async function productsForTopic(
  database: Database,
  topic: string,
  def?: SegmentDefinition,
  limit = 3,
): Promise<ProductFact[]> {
  const seasonal = /christmas|xmas|festive/i.test(topic);
  const words = topicWords(topic);
  if (words.length === 0 && !seasonal) return [];
  const terms = words.map((w) => `%${w}%`);
  const hits = terms.map(
    (t) => sql`(case when ${products.name} ilike ${t} or ${products.category} ilike ${t} then 1 else 0 end)`,
  );
  if (seasonal) hits.push(sql`(case when ${products.category} = 'Christmas' then 1 else 0 end)`);
  const score = sql<number>`(${sql.join(hits, sql` + `)})::int`;
  const candidates = await database.db
    .select({ ...COLUMNS, score })
    .from(products)
    .where(sql`${score} > 0`)
    .orderBy(desc(score), products.id)
    .limit(50);
  if (candidates.length === 0) return [];
  const best = candidates[0]!.score;
  // With several words, a product must match more than one of them (unless none does).
  const kept = candidates.filter((c) => c.score === best);
  const sold = await salesOf(
    database,
    kept.map((k) => k.id),
    def,
  );
  kept.sort((a, b) => (sold.get(b.id) ?? 0) - (sold.get(a.id) ?? 0) || a.id.localeCompare(b.id));
  return kept.slice(0, limit).map((r) => toFact(r, 'matches the request'));
}

async function salesOf(
  database: Database,
  ids: string[],
  def?: SegmentDefinition,
): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const { db } = database;
  const conditions = [
    eq(events.kind, 'purchase'),
    inArray(events.productId, ids),
    sql`${events.batchId} in ${DONE_BATCHES}`,
  ];
  if (def) conditions.push(inArray(events.customerId, memberIdsQuery(db, def)));
  const rows = await db
    .select({ id: events.productId, qty: sql<number>`sum(${events.quantity})::int` })
    .from(events)
    .where(and(...conditions))
    .groupBy(events.productId);
  return new Map(rows.map((r) => [r.id!, Number(r.qty)]));
}

/** What the segment's members bought most (by units); the whole shop's best sellers when they bought nothing. */
export async function topSellers(
  database: Database,
  def: SegmentDefinition,
  limit = 3,
): Promise<ProductFact[]> {
  const { db } = database;
  const query = (forSegment: boolean) =>
    db
      .select({ ...COLUMNS, qty: sql<number>`sum(${events.quantity})::int` })
      .from(events)
      .innerJoin(products, eq(products.id, events.productId))
      .where(
        and(
          inArray(events.kind, ['purchase', 'anonymous']),
          sql`${events.batchId} in ${DONE_BATCHES}`,
          forSegment ? inArray(events.customerId, memberIdsQuery(db, def)) : undefined,
        ),
      )
      .groupBy(products.id, products.name, products.category, products.unitPrice)
      .orderBy(desc(sql`sum(${events.quantity})`), products.id)
      .limit(limit);
  const mine = await query(true);
  if (mine.length) return mine.map((r) => toFact(r, "is this segment's top seller"));
  return (await query(false)).map((r) => toFact(r, 'is a top seller in the shop'));
}

/** Size, spend, orders, and the most common lifecycle stage and country of the segment. */
export async function segmentTraits(database: Database, def: SegmentDefinition): Promise<SegmentTraits> {
  const preview = await previewSegment(database, def, 0);
  const { db } = database;
  const members = inArray(customerFeatures.customerId, memberIdsQuery(db, def));
  const top = async (col: typeof customerFeatures.lifecycle | typeof customerFeatures.country) => {
    const [row] = await db
      .select({ value: col, n: sql<number>`count(*)::int` })
      .from(customerFeatures)
      .where(members)
      .groupBy(col)
      .orderBy(desc(sql`count(*)`), col)
      .limit(1);
    return row?.value && preview.count ? { value: row.value, share: Number(row.n) / preview.count } : null;
  };
  const stage = await top(customerFeatures.lifecycle);
  const country = await top(customerFeatures.country);
  return {
    description: describeSegment(def),
    count: preview.count,
    avgSpend: preview.avgSpend,
    avgOrders: preview.avgOrders,
    lifecycle: stage ? { stage: stage.value, share: stage.share } : null,
    country: country ? { name: country.value, share: country.share } : null,
  };
}

const catalogues = new WeakMap<Database, { signature: string; catalogue: Catalogue }>();

/**
 * Every product name in the store, indexed for the product-name check. Built once per database and again
 * only when the products change (an import): a signature query over the names decides.
 *
 * @example
 * const catalogue = await loadCatalogue(database);
 * productMentions('Pair it with the Jumbo Bag Red Retrospot', facts.products, { catalogue });
 */
export async function loadCatalogue(database: Database): Promise<Catalogue> {
  const [sig] = await database.db
    .select({
      n: sql<number>`count(*)::int`,
      h: sql<string>`coalesce(sum(hashtext(${products.id} || ':' || ${products.name})::bigint), 0)::text`,
    })
    .from(products);
  const signature = `${sig?.n ?? 0}:${sig?.h ?? 0}`;
  const cached = catalogues.get(database);
  if (cached?.signature === signature) return cached.catalogue;
  const rows = await database.db.select({ id: products.id, name: products.name }).from(products);
  const catalogue = buildCatalogue(rows);
  catalogues.set(database, { signature, catalogue });
  return catalogue;
}
