/**
 * What is bought with some products: market-basket association over orders. For the orders that hold any of
 * the products named (the basket), each other product is measured by how often it is in those orders (its
 * attach rate) against how often it is in any order (its usual rate). Products are ranked by the difference,
 * the share of those orders it is in beyond what chance would put it in: a staple in every order is not
 * "bought with candles", and a rarity bought once with them is not a pattern.
 */
import { type SQL, sql } from 'drizzle-orm';
import { products } from '../../db/schema.ts';
import { audienceLabel, inSegment, readScope, type Scope } from '../charts/builders.ts';
import { type Period, type ResolvedPeriod, resolvePeriod } from '../charts/period.ts';
import { UserError } from '../core/errors.ts';
import { type Database, resultRows } from '../db/client.ts';
import { productMatches } from '../segments/compile.ts';
import type { ProductMatch, SegmentDefinition } from '../segments/definition.ts';

export const MAX_TOGETHER = 25;
/** Orders a product must share with the basket to be listed: fewer is chance, not a pattern. */
export const MIN_SHARED = 3;

export interface TogetherRow {
  productId: string;
  name: string;
  category: string;
  /** Orders holding both this product and one of the products named. */
  together: number;
  /** Orders holding this product. */
  orders: number;
}

export interface TogetherResult {
  /** Orders in the period (all orders when no period was given). */
  orders: number;
  /** Of those, the orders holding one of the products named. */
  withGoods: number;
  /** The product's name when the words name exactly one. */
  onlyProduct?: { id: string; name: string };
  rows: TogetherRow[];
  /** Whose orders, for a title (" for Germany"), or undefined for everyone's. */
  audience?: string;
  /** The period's label ("Nov 2026 to date"), or undefined for all time. */
  period?: string;
  /** The data's as-of date (YYYY-MM-DD), or null when there is no data. */
  asOf: string | null;
}

/**
 * Products bought in the same orders as `product`, best partner first. An order is an invoice; sales to
 * customers not on file count, as they do in the top products (they are real baskets).
 *
 * @example
 * const { withGoods, rows } = await boughtTogether(database, { product: { categoryContains: 'Candles' } });
 */
export async function boughtTogether(
  database: Database,
  options: {
    product: ProductMatch;
    period?: Period | undefined;
    /** Only these customers' orders (sales to customers not on file then leave out too). */
    where?: SegmentDefinition | undefined;
    limit?: number;
  },
): Promise<TogetherResult> {
  const { window, scope, lines, label } = await ordersScope(database, options, 'products');
  if (!scope.stop || !lines) return { orders: 0, withGoods: 0, rows: [], ...label, asOf: null };
  type Found = {
    orders: number;
    with_goods: number;
    one_id: string | null;
    one_name: string | null;
    product_id: string | null;
    name: string | null;
    category: string | null;
    together: number | null;
    product_orders: number | null;
  };
  const found = await groupedInMemory<Found>(database, togetherQuery({ ...lines, product: options.product }));
  const [first] = found;
  return {
    orders: first?.orders ?? 0,
    withGoods: first?.with_goods ?? 0,
    ...(first?.one_id && first.one_name ? { onlyProduct: { id: first.one_id, name: first.one_name } } : {}),
    rows: found
      .filter((r) => r.product_id !== null)
      .map((r) => ({
        productId: r.product_id!,
        name: r.name ?? r.product_id!,
        category: r.category ?? 'Other',
        together: r.together ?? 0,
        orders: r.product_orders ?? 0,
      })),
    ...label,
    asOf: window?.asOf ?? scope.stop.slice(0, 10),
  };
}

/**
 * What a read of orders starts from: the number asked for (checked), the period's window, the completed
 * imports and the as-of instant, and the labels of the period and the audience.
 */
export async function ordersScope(
  database: Database,
  options: { period?: Period | undefined; where?: SegmentDefinition | undefined; limit?: number },
  /** What is counted, for the message when the number is impossible: "products", "pairs". */
  noun: string,
): Promise<{
  window: ResolvedPeriod | undefined;
  scope: Scope;
  /** Which lines count; undefined when there is no data. */
  lines: LineScope | undefined;
  label: { period?: string; audience?: string };
}> {
  const limit = options.limit ?? 10;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TOGETHER) {
    throw new UserError('together_limit', `${limit} ${noun} is not possible: ask for 1 to ${MAX_TOGETHER}.`);
  }
  const window = options.period ? await resolvePeriod(database, options.period, 'orders') : undefined;
  const scope = await readScope(database);
  const who = audienceLabel(options.where);
  const label = { ...(window ? { period: window.label } : {}), ...(who ? { audience: who.trim() } : {}) };
  const lines = scope.stop
    ? {
        start: window?.start,
        stop: window?.stop ?? scope.stop,
        batches: scope.batches,
        limit,
        ...(options.where ? { buyers: inSegment(database, sql`e.customer_id`, options.where) } : {}),
      }
    : undefined;
  return { window, scope, lines, label };
}

/**
 * Runs a statement that groups every order line, with the groupings kept in memory: at the default 4 MB they
 * spilled to disk. Pairs of order and product grouped once, each read again beside its order: the Online
 * Retail file's 520k pairs take ~1 s in PGlite, where counting distinct orders per product in separate passes
 * took ~2.5 s.
 */
export async function groupedInMemory<T>(database: Database, query: SQL): Promise<T[]> {
  return database.db.transaction(async (tx) => {
    await tx.execute(sql`set local work_mem = '64MB'`);
    return resultRows<T>(await tx.execute(query));
  });
}

/** Which order lines count: the window as plain values, the completed imports, an audience. */
export interface LineScope {
  /** First and last instants (ISO-8601 UTC); no start for all time. */
  start?: string | undefined;
  stop: string;
  /** Completed imports, as a Postgres array literal. */
  batches: string;
  limit: number;
  /** A condition on `e.customer_id` naming an audience: only its purchases count. */
  buyers?: SQL;
}

/** What `togetherQuery` reads: the products, and which lines count. */
export interface TogetherScope extends LineScope {
  product: ProductMatch;
}

/**
 * The events (alias `e`) that are lines of orders in scope: purchases, and sales to customers not on file
 * unless an audience is given, with an invoice and a product, in the window, from completed imports.
 */
export function orderLines(scope: LineScope): SQL {
  const start: SQL = scope.start ? sql`and e.occurred_at >= ${scope.start}::timestamptz` : sql``;
  const kinds = scope.buyers
    ? sql`e.kind = 'purchase' and ${scope.buyers}`
    : sql`e.kind in ('purchase', 'anonymous')`;
  return sql`${kinds} and e.batch_id = any(${scope.batches}::int[])
    and e.invoice is not null and e.product_id is not null ${start} and e.occurred_at <= ${scope.stop}::timestamptz`;
}

/**
 * The statement behind `boughtTogether`: every value (the words naming products, the window, the imports) is
 * a bound parameter.
 *
 * @example
 * const { sql: text, params } = new PgDialect().sqlToQuery(togetherQuery({ product, stop, batches: '{1}', limit: 10 }));
 */
export function togetherQuery(scope: TogetherScope): SQL {
  const inScope = orderLines(scope);
  const named = sql`select ${products.id}, ${products.name} from ${products} where ${productMatches(scope.product, products.id)}`;
  const limit = scope.limit;
  return sql`
    with named as (${named}), lines as materialized (
      select e.invoice, e.product_id from events e where ${inScope} group by 1, 2
    ), orders as materialized (
      select invoice, bool_or(product_id in (select id from named)) as has_goods from lines group by 1
    ), totals as materialized (
      select count(*)::int as orders, (count(*) filter (where has_goods))::int as with_goods,
        (select case when count(*) = 1 then min(id) end from named) as one_id,
        (select case when count(*) = 1 then min(name) end from named) as one_name
      from orders
    ), per_product as (
      select l.product_id, count(*)::int as orders, (count(*) filter (where o.has_goods))::int as together
      from lines l join orders o on o.invoice = l.invoice
      group by 1
    )
    select t.orders, t.with_goods, t.one_id, t.one_name, r.product_id, r.name, r.category, r.together, r.product_orders
    from totals t left join lateral (
      select s.product_id, p.name, p.category, s.together, s.orders as product_orders
      from per_product s join products p on p.id = s.product_id
      where s.together >= ${MIN_SHARED} and s.product_id not in (select id from named)
        and s.together::float8 / t.with_goods > s.orders::float8 / t.orders
      order by s.together::float8 / t.with_goods - s.orders::float8 / t.orders desc, s.together desc, s.product_id
      limit ${limit}
    ) r on true`;
}
