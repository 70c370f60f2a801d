/**
 * Segment definition → SQL, with drizzle's query builder only: every value is a bound parameter and every
 * column comes from the allow-list below, never from the definition's text.
 */
import {
  and,
  asc,
  type Column,
  desc,
  eq,
  exists,
  gt,
  gte,
  ilike,
  inArray,
  isNotNull,
  lt,
  lte,
  ne,
  not,
  notInArray,
  or,
  type SQL,
  sql,
} from 'drizzle-orm';
import type { PgSelect } from 'drizzle-orm/pg-core';
import { customerFeatures, events, importBatches, products } from '../../db/schema.ts';
import { type Period, periodWindow } from '../charts/period.ts';
import type { Db } from '../db/client.ts';
import type {
  Comparator,
  Condition,
  Metric,
  ProductMatch,
  SegmentDefinition,
  TotalMeasure,
} from './definition.ts';

export const COLUMNS: Record<Metric, Column> = {
  spend: customerFeatures.spend,
  orders: customerFeatures.orders,
  recency_days: customerFeatures.recencyDays,
  tenure_days: customerFeatures.tenureDays,
  avg_order_value: customerFeatures.avgOrderValue,
  distinct_products: customerFeatures.distinctProducts,
  returns: customerFeatures.returns,
  r_score: customerFeatures.rScore,
  f_score: customerFeatures.fScore,
  m_score: customerFeatures.mScore,
};

// drizzle's own comparison operators: a value is bound with the column's encoding, or as is against SQL.
const COMPARE = { gt, gte, lt, lte, eq, neq: ne } satisfies Record<Comparator, unknown>;

/** A bought condition's totals over the lines it matches, as features.ts counts them. */
const TOTALS: Record<TotalMeasure, SQL> = {
  // A purchase line without a price (optional in the events layout) adds nothing to spend.
  spend: sql`coalesce(sum(${events.quantity} * ${events.unitPriceE4}), 0) * 0.0001`,
  orders: sql`count(distinct ${events.invoice})`,
  // Spend over orders, as the lifetime feature is: the average of the window's orders.
  avg_order_value: sql`coalesce(sum(${events.quantity} * ${events.unitPriceE4}), 0) * 0.0001 / nullif(count(distinct ${events.invoice}), 0)`,
};

/** `%`, `_` and `\` in a user's text are literal characters, not LIKE wildcards. */
function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/**
 * Rows of `products` (joined, or in a subquery over it) that a product match names: its id, words in its name
 * or its category.
 *
 * @example
 * db.select({ id: products.id }).from(products).where(productMatches({ categoryContains: 'Christmas' }, products.id));
 */
export function productMatches(product: ProductMatch, productId: Column): SQL {
  const filters: SQL[] = [];
  if (product.productId) filters.push(eq(productId, product.productId));
  if (product.nameContains) filters.push(ilike(products.name, likeContains(product.nameContains)));
  if (product.categoryContains)
    filters.push(ilike(products.category, likeContains(product.categoryContains)));
  return or(...filters)!;
}

/** The features' as-of instant: each row's own, or in a subquery over all customers the one they share. */
const ROW_AS_OF = sql`${customerFeatures.asOf}`;
const SHARED_AS_OF = sql`(select max(${customerFeatures.asOf}) from ${customerFeatures})`;

/** An instant column within a period as of the features' instant (in UTC, see periodWindow). */
function within(column: Column, period: Period, asOf: SQL = ROW_AS_OF): SQL {
  const { start, stop } = periodWindow(period, sql`(${asOf} at time zone 'UTC')`);
  return and(
    gte(column, sql`((${start}) at time zone 'UTC')`),
    lte(column, sql`((${stop}) at time zone 'UTC')`),
  )!;
}

type Bought = Extract<Condition, { kind: 'bought' }>;

/** A customer's purchase lines that a bought condition counts: the filters, and whether products are joined. */
function boughtLines(
  db: Db,
  c: Pick<Bought, 'product' | 'withinDays' | 'period'>,
  /** Every customer's lines (for a grouping), not the current row's. */
  everyone = false,
  /** Purchase lines, or return (cancellation) lines. */
  kind: 'purchase' | 'return' = 'purchase',
): { filters: SQL; joinProducts: boolean } {
  const asOf = everyone ? SHARED_AS_OF : ROW_AS_OF;
  const filters: SQL[] = [
    everyone ? isNotNull(events.customerId) : eq(events.customerId, customerFeatures.customerId),
    eq(events.kind, kind),
    lte(events.occurredAt, asOf),
    inArray(
      events.batchId,
      db.select({ id: importBatches.id }).from(importBatches).where(eq(importBatches.status, 'done')),
    ),
  ];
  const { product } = c;
  if (product) filters.push(productMatches(product, events.productId));
  if (c.withinDays !== undefined) {
    filters.push(gt(events.occurredAt, sql`${asOf} - make_interval(days => ${c.withinDays})`));
  }
  if (c.period) filters.push(within(events.occurredAt, c.period, asOf));
  return { filters: and(...filters)!, joinProducts: Boolean(product) };
}

function bought(db: Db, c: Bought): SQL {
  if (c.total) return boughtTotal(db, c, c.total);
  return linesExist(db, c, 'purchase');
}

/** Whether the row's customer has lines of that kind (of the product, in the window), or has none. */
function linesExist(
  db: Db,
  c: Pick<Bought, 'product' | 'withinDays' | 'period' | 'negate'>,
  kind: 'purchase' | 'return',
): SQL {
  const { filters, joinProducts } = boughtLines(db, c, false, kind);
  const lines = db.select({ one: sql`1` }).from(events).$dynamic();
  const sub = (joinProducts ? lines.innerJoin(products, eq(products.id, events.productId)) : lines).where(
    filters,
  );
  return c.negate ? not(exists(sub)) : exists(sub);
}

/**
 * Customers whose matching lines add up to the total: one grouping of everyone's lines in the window (a
 * subquery per customer cost ~2.8x as much on the Online Retail file), so one who bought nothing then has
 * no total and is not "under £50".
 */
function boughtTotal(db: Db, c: Bought, total: NonNullable<Bought['total']>): SQL {
  const { filters, joinProducts } = boughtLines(db, c, true);
  const lines = db.select({ customerId: events.customerId }).from(events).$dynamic();
  const totals = (joinProducts ? lines.innerJoin(products, eq(products.id, events.productId)) : lines)
    .where(filters)
    .groupBy(events.customerId)
    .having(COMPARE[total.op](TOTALS[total.measure], total.value));
  return c.negate
    ? notInArray(customerFeatures.customerId, totals)
    : inArray(customerFeatures.customerId, totals);
}

/** One condition as a SQL predicate over `customer_features`. */
export function compileCondition(db: Db, c: Condition): SQL {
  switch (c.kind) {
    case 'metric':
      return COMPARE[c.op](COLUMNS[c.metric], c.value);
    case 'range':
      return and(gte(COLUMNS[c.metric], c.min), lte(COLUMNS[c.metric], c.max))!;
    case 'country': {
      // Countries compare case-insensitively: "germany" and "Germany" are the same place.
      const lowered = c.values.map((v) => v.toLowerCase());
      const column = sql`lower(${customerFeatures.country})`;
      return c.op === 'in'
        ? inArray(column, lowered)
        : or(notInArray(column, lowered), sql`${customerFeatures.country} is null`)!;
    }
    case 'lifecycle':
      return c.op === 'in'
        ? inArray(customerFeatures.lifecycle, c.values)
        : notInArray(customerFeatures.lifecycle, c.values);
    case 'bought':
      return bought(db, c);
    case 'first_purchase':
      return within(customerFeatures.firstPurchaseAt, c.period);
    case 'average': {
      // The inner reference is the subquery's own table: the average over every customer with features.
      const column = COLUMNS[c.metric];
      const average = sql`(select avg(${column}) from ${customerFeatures})`;
      return c.op === 'above' ? gt(column, average) : lt(column, average);
    }
    case 'customers':
      return inArray(customerFeatures.customerId, c.ids);
    case 'returned':
      return linesExist(db, c, 'return');
    case 'and':
      return c.conditions.length ? and(...c.conditions.map((x) => compileCondition(db, x)))! : sql`true`;
    case 'or':
      return or(...c.conditions.map((x) => compileCondition(db, x)))!;
    case 'not':
      return not(compileCondition(db, c.condition));
  }
}

export function compileWhere(db: Db, def: SegmentDefinition): SQL | undefined {
  if (def.conditions.length === 0) return undefined;
  return and(...def.conditions.map((c) => compileCondition(db, c)));
}

/** Columns a segment's members are listed with (previews, exports). */
export const MEMBER_COLUMNS = {
  customerId: customerFeatures.customerId,
  country: customerFeatures.country,
  spend: customerFeatures.spend,
  orders: customerFeatures.orders,
  recencyDays: customerFeatures.recencyDays,
  lifecycle: customerFeatures.lifecycle,
};

type Top = NonNullable<SegmentDefinition['top']>;

/** A top-N list ranked over a window ("top 10 by spend last month"): its window, else undefined. */
export function rankWindow(top: Top | undefined): Pick<Bought, 'withinDays' | 'period'> | undefined {
  if (!top || (top.withinDays === undefined && !top.period)) return undefined;
  return top.withinDays !== undefined ? { withinDays: top.withinDays } : { period: top.period! };
}

/**
 * What a top-N list is ranked by, as a SQL value per customer: the lifetime feature, or the spend or orders
 * over the purchases in its window (a correlated total, as the bought condition counts them).
 */
function rankValue(db: Db, top: Top): SQL {
  const window = rankWindow(top);
  if (!window) return sql`${COLUMNS[top.metric]}`;
  const { filters } = boughtLines(db, window);
  return sql`(select ${TOTALS[top.metric as TotalMeasure]} from ${events} where ${filters})`;
}

/** The definition's WHERE, and with a ranking window only the customers who bought in it. */
function rankedWhere(db: Db, def: SegmentDefinition): SQL | undefined {
  const window = rankWindow(def.top);
  const where = compileWhere(db, def);
  return window ? and(where, bought(db, { kind: 'bought', ...window, negate: false })) : where;
}

/** A member's total over the ranking window, as listed beside the lifetime figures; null without one. */
export function rankedTotal(db: Db, def: SegmentDefinition): SQL<string | null> {
  return def.top && rankWindow(def.top) ? sql<string>`${rankValue(db, def.top)}::text` : sql<null>`null`;
}

/** Which customers are listed and how: by the top-N ranking, ties by id, and kept to N; else by id. */
function listing(db: Db, def: SegmentDefinition): { where: SQL | undefined; order: SQL[]; limit?: number } {
  const where = rankedWhere(db, def);
  const id = asc(customerFeatures.customerId);
  if (!def.top) return { where, order: [id] };
  const value = rankValue(db, def.top);
  return { where, order: [def.top.direction === 'asc' ? asc(value) : desc(value), id], limit: def.top.limit };
}

/**
 * The members query: customers matching the definition, in a stable order (the top-N metric, else id).
 *
 * @example
 * const { sql, params } = membersQuery(db, def).toSQL();
 */
export function membersQuery(db: Db, def: SegmentDefinition) {
  const columns = { ...MEMBER_COLUMNS, ranked: rankedTotal(db, def) };
  return listed(db, def, db.select(columns).from(customerFeatures).$dynamic());
}

/** Member ids only: the set a segment stands for (top-N applied). */
export function memberIdsQuery(db: Db, def: SegmentDefinition) {
  return listed(
    db,
    def,
    db.select({ customerId: customerFeatures.customerId }).from(customerFeatures).$dynamic(),
  );
}

/** A select over customer_features narrowed to the definition's customers, listed as `listing` says. */
function listed<Q extends PgSelect>(db: Db, def: SegmentDefinition, query: Q) {
  const { where, order, limit } = listing(db, def);
  const sorted = query.where(where).orderBy(...order);
  return limit === undefined ? sorted : sorted.limit(limit);
}
