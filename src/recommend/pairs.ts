/**
 * Which products are bought together most: pairs of products in the same orders, for bundles. Pairs are
 * looked for among the products in the most orders (a pair of rarities is chance), and ranked by leverage: the
 * share of orders holding both, less the share that would if the two were bought independently. So a pair is
 * high when it is both common and more common than its products' popularity explains.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Period } from '../charts/period.ts';
import type { Database } from '../db/client.ts';
import type { SegmentDefinition } from '../segments/definition.ts';
import { groupedInMemory, type LineScope, MIN_SHARED, orderLines, ordersScope } from './together.ts';

/** Products a pair is looked for among: those in the most orders. */
export const PAIR_CANDIDATES = 300;

export interface Pair {
  a: { id: string; name: string; orders: number };
  b: { id: string; name: string; orders: number };
  /** Orders holding both. */
  together: number;
}

export interface PairsResult {
  orders: number;
  pairs: Pair[];
  period?: string;
  audience?: string;
  asOf: string | null;
}

/**
 * The pairs of products bought together most, best first.
 *
 * @example
 * const { pairs } = await topPairs(database, { period: { unit: 'year', offset: 0 } });
 */
export async function topPairs(
  database: Database,
  options: { period?: Period | undefined; where?: SegmentDefinition | undefined; limit?: number } = {},
): Promise<PairsResult> {
  const { window, scope, lines, label } = await ordersScope(database, options, 'pairs');
  if (!scope.stop || !lines) return { orders: 0, pairs: [], ...label, asOf: null };
  const found = await groupedInMemory<{
    orders: number;
    a: string | null;
    a_name: string | null;
    a_orders: number | null;
    b: string | null;
    b_name: string | null;
    b_orders: number | null;
    together: number | null;
  }>(database, pairsQuery(lines));
  return {
    orders: found[0]?.orders ?? 0,
    pairs: found
      .filter((r) => r.a !== null && r.b !== null)
      .map((r) => ({
        a: { id: r.a!, name: r.a_name ?? r.a!, orders: r.a_orders ?? 0 },
        b: { id: r.b!, name: r.b_name ?? r.b!, orders: r.b_orders ?? 0 },
        together: r.together ?? 0,
      })),
    ...label,
    asOf: window?.asOf ?? scope.stop.slice(0, 10),
  };
}

/**
 * The statement behind `topPairs`, every value bound.
 *
 * @example
 * new PgDialect().sqlToQuery(pairsQuery({ stop, batches: '{1}', limit: 10 }));
 */
export function pairsQuery(scope: LineScope): SQL {
  // Each product's order count travels with its lines, so no join has to find it again: the planner guesses a
  // CTE at 200 rows, and looking the counts up after grouping made it pair every product with every other
  // (15M rows, ~7 s on the server for the Online Retail file).
  const leverage = sql`p.together::float8 / t.orders - (p.a_orders::float8 / t.orders) * (p.b_orders::float8 / t.orders)`;
  return sql`
    with lines as materialized (
      select e.invoice, e.product_id from events e where ${orderLines(scope)} group by 1, 2
    ), totals as materialized (
      select count(*)::int as orders from (select distinct invoice from lines) o
    ), candidates as materialized (
      select product_id, count(*)::int as orders from lines group by 1
      order by orders desc, product_id limit ${PAIR_CANDIDATES}
    ), candidate_lines as materialized (
      select l.invoice, l.product_id, c.orders from lines l join candidates c on c.product_id = l.product_id
    ), pairs as materialized (
      select x.product_id as a, y.product_id as b, x.orders as a_orders, y.orders as b_orders,
        count(*)::int as together
      from candidate_lines x join candidate_lines y on y.invoice = x.invoice and x.product_id < y.product_id
      group by 1, 2, 3, 4
      having count(*) >= ${MIN_SHARED}
    ), best as materialized (
      select p.*, ${leverage} as leverage from pairs p, totals t
      where p.together::float8 * t.orders > p.a_orders::float8 * p.b_orders
      order by leverage desc, p.together desc, p.a, p.b
      limit ${scope.limit}
    )
    select t.orders, r.* from totals t left join lateral (
      select b.a, pa.name as a_name, b.a_orders, b.b, pb.name as b_name, b.b_orders, b.together
      from best b join products pa on pa.id = b.a join products pb on pb.id = b.b
      order by b.leverage desc, b.together desc, b.a, b.b
    ) r on true`;
}
