/**
 * Top products by revenue or units for an audience and a period. Ranked and cut in SQL: the N best and one
 * "Other products" bar for the rest, whatever the size of the catalogue.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { TopLevelSpec } from 'vega-lite';
import { products } from '../../db/schema.ts';
import { UserError } from '../core/errors.ts';
import { formatMoney, formatNumber, plural } from '../core/reply.ts';
import type { Database } from '../db/client.ts';
import { ensureDailySales } from '../ingest/daily-sales.ts';
import { productMatches } from '../segments/compile.ts';
import type { ProductMatch, SegmentDefinition } from '../segments/definition.ts';
import { sayGoods, sayGoodsAs } from '../segments/goods.ts';
import { audienceLabel, type ChartBuild, inSegment, readScope } from './builders.ts';
import { describePeriod, inPeriod, type Period, resolvePeriod } from './period.ts';
import { PALETTE } from './render.ts';

export const PRODUCT_METRICS = ['revenue', 'units'] as const;
export type ProductMetric = (typeof PRODUCT_METRICS)[number];
export const MAX_TOP = 25;

export interface ProductRow {
  /** Product name (or category), or "Other products (N)" ("Other categories (N)") for the rest. */
  label: string;
  /** The product's id, or the category in a chart of categories; null for the rest. */
  productId: string | null;
  revenue: number;
  units: number;
}

export interface TopProductsOptions {
  metric?: ProductMetric | undefined;
  limit?: number | undefined;
  period?: Period | undefined;
  where?: SegmentDefinition | undefined;
  /** Rank products (default), or their categories ("revenue by category"). */
  by?: 'product' | 'category' | undefined;
  /** Only these products ("top Christmas products"). */
  product?: ProductMatch | undefined;
}

/**
 * Bar chart of the best-selling products. Sales to unknown customers count when no audience is given (they
 * are real sales of the product); with an audience only its members' purchases count.
 *
 * @example
 * const chart = await topProducts(database, { limit: 10, period: { unit: 'quarter', offset: 1 } });
 */
export async function topProducts(
  database: Database,
  options: TopProductsOptions = {},
): Promise<ChartBuild & { data: ProductRow[] }> {
  const metric = options.metric ?? 'revenue';
  const byCategory = options.by === 'category';
  if (byCategory && options.product) {
    throw new UserError(
      'chart_goods_by_category',
      `I rank categories over all products: for the best ${sayGoods(options.product)} products, ask for "top ${sayGoods(options.product)} products".`,
    );
  }
  const limit = options.limit ?? 10;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TOP) {
    throw new UserError('chart_limit', `Top ${limit} products is not possible: ask for 1 to ${MAX_TOP}.`);
  }
  if (
    options.period &&
    'days' in options.period &&
    !(options.period.days >= 1 && options.period.days <= 3660)
  ) {
    throw new UserError('chart_period', 'Ask for the last 1 to 3,660 days.');
  }
  // Everyone of all time reads the per-product totals; a window (a calendar period or the last N days) reads
  // its events through the BRIN index on time, and an audience its buyers' lines.
  const everyone = !options.where || (options.where.conditions.length === 0 && !options.where.top);
  // The per-product totals are up to the as-of instant, and empty when there is none.
  const allTime = everyone && !options.period;
  // The window is worked out first and bound as plain timestamps: a range on `occurred_at` whose bounds the
  // planner can see is estimated from statistics, where an expression over subqueries was guessed at 0.5%
  // of rows and a segment filter then turned into a nested loop (20 s at 100k events).
  const window = options.period ? await resolvePeriod(database, options.period, 'sales to rank') : undefined;
  const read = allTime ? undefined : await readScope(database);
  const bounds = read && {
    start: window?.start ?? null,
    stop: options.period ? (window?.stop ?? null) : read.stop,
    batches: read.batches,
  };
  const rankBy = metric === 'revenue' ? sql`revenue desc, units desc` : sql`units desc, revenue desc`;
  const { product } = options;
  const onlyGoods = (id: SQL) =>
    product
      ? sql`and ${id} in (select ${products.id} from ${products} where ${productMatches(product, products.id)})`
      : sql``;
  let sales: SQL;
  if (allTime) {
    // One row per product, where summing the lines took ~40 ms of ~60 at 100k events.
    await ensureDailySales(database);
    sales = sql`select s.product_id, s.revenue, s.units::bigint as units from product_sales s
      where true ${onlyGoods(sql`s.product_id`)}`;
  } else {
    const kinds = options.where ? sql`e.kind = 'purchase'` : sql`e.kind in ('purchase', 'anonymous')`;
    const from =
      options.period && bounds?.start ? sql`and e.occurred_at >= ${bounds.start}::timestamptz` : sql``;
    let buyers = inSegment(database, sql`e.customer_id`, options.where);
    if (!everyone) {
      // Only members who bought in the window can count: the customer-day rollup names them (a range on
      // its day index), which spares most of the events: 100 → 55 ms for big spenders last quarter at 100k
      // events. It can only drop lines that the window or the segment drop anyway.
      await ensureDailySales(database);
      const fromDay =
        options.period && bounds?.start
          ? sql`and d.day >= date_trunc('day', ${bounds.start}::timestamptz at time zone 'UTC')`
          : sql``;
      buyers = sql`e.customer_id in (
        select d.customer_id from daily_customer_sales d
        where d.day <= (${bounds?.stop ?? null}::timestamptz at time zone 'UTC') ${fromDay}
          and ${inSegment(database, sql`d.customer_id`, options.where)})`;
    }
    // The completed imports go in as values, like the window: `batch_id in (subquery)` was estimated at a
    // few rows, so the product totals were sorted instead of hashed (big spenders last quarter: 18k lines).
    sales = sql`
      select e.product_id, sum(e.quantity * e.unit_price_e4) * 0.0001 as revenue, sum(e.quantity)::bigint as units
      from events e
      where ${kinds} and e.batch_id = any(${bounds?.batches ?? '{}'}::int[]) and e.product_id is not null
        ${from} and e.occurred_at <= ${bounds?.stop ?? null}::timestamptz
        and ${buyers} ${onlyGoods(sql`e.product_id`)}
      group by 1`;
  }
  const rows =
    allTime || bounds?.stop
      ? await database.rows<{
          label: string;
          product_id: string | null;
          revenue: string;
          units: number;
          products: number;
        }>(sql`
    with sales as (${sales}
    ), grouped as (${
      byCategory
        ? sql`select coalesce(p.category, 'Uncategorised') as product_id, sum(s.revenue) as revenue,
            sum(s.units) as units
          from sales s left join products p on p.id = s.product_id group by 1`
        : sql`select product_id, revenue, units from sales`
    }), ranked as (
      select product_id, revenue, units,
        row_number() over (order by ${rankBy}, product_id) as rank
      from grouped
    )
    select case when r.rank <= ${limit} then ${byCategory ? sql`r.product_id` : sql`coalesce(p.name, r.product_id)`}
        else 'Other' end as label,
      case when r.rank <= ${limit} then r.product_id end as product_id,
      round(sum(r.revenue), 2)::text as revenue, sum(r.units)::int as units, count(*)::int as products
    from ranked r ${byCategory ? sql`` : sql`left join products p on p.id = r.product_id`}
    group by 1, 2
    order by min(r.rank)
  `)
      : [];
  const periodText = window?.label ?? describePeriod(options.period, null);
  const kind = product ? `${sayGoods(product)} ` : '';
  const noun: [string, string] = byCategory
    ? ['category', 'categories']
    : [`${kind}product`, `${kind}products`];
  const who = audienceLabel(options.where);
  if (rows.length === 0) {
    if (product) {
      const [known] = await database.rows<{ n: number }>(
        sql`select count(*)::int as n from ${products} where ${productMatches(product, products.id)}`,
      );
      if (!Number(known?.n)) {
        throw new UserError('chart_no_goods', `No product in the catalogue is ${sayGoodsAs(product)}.`, {
          hint: 'Name a category, or other words from product names, e.g. "top candle products".',
        });
      }
    }
    throw new UserError(
      'chart_no_data',
      `No ${product ? `sales of ${noun[1]}` : 'product sales'}${who} ${inPeriod(periodText)}, so there is nothing to rank.`,
      {
        hint: options.period ? 'Try a longer period, e.g. "last year".' : undefined,
      },
    );
  }
  const data: ProductRow[] = rows.map((r) => ({
    label:
      r.product_id === null
        ? `Other ${noun[1]} (${formatNumber(Number(r.products))})`
        : byCategory
          ? r.label
          : titleCase(r.label),
    productId: r.product_id,
    revenue: Number(r.revenue),
    units: Number(r.units),
  }));
  const shown = data.filter((r) => r.productId !== null);
  const total = data.reduce((s, r) => s + r[metric], 0);
  const topShare = data.filter((r) => r.productId !== null).reduce((s, r) => s + r[metric], 0);
  const show = (n: number) => (metric === 'revenue' ? formatMoney(n) : plural(n, 'unit'));
  const spec: TopLevelSpec = {
    title: {
      text: `Top ${plural(shown.length, noun[0], noun[1])} by ${metric}${who}`,
      subtitle: periodText,
    },
    width: 420,
    height: { step: 22 },
    data: { values: data },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelLimit: 360 } },
      x: {
        field: metric,
        type: 'quantitative',
        title: metric === 'revenue' ? 'Revenue (£)' : 'Units sold',
        ...(metric === 'units' ? { axis: { tickMinStep: 1, format: 'd' } } : {}),
      },
      // The "Other" bar is greyed out, so it does not read as a product or category.
      color: {
        condition: { test: 'datum.productId === null', value: PALETTE[9]! },
        value: PALETTE[0]!,
      },
      tooltip: [
        { field: 'label', title: byCategory ? 'Category' : 'Product' },
        { field: 'revenue', type: 'quantitative', format: ',.2f', title: 'Revenue (£)' },
        { field: 'units', type: 'quantitative', title: 'Units' },
      ],
    },
  };
  const first = shown[0]!;
  const pct = total > 0 ? Math.round((100 * topShare) / total) : 0;
  const summary =
    `Top ${noun[0]}${who} ${inPeriod(periodText)}: ${first.label} (${show(first[metric])}); ` +
    `the top ${shown.length} make ${pct}% of ${metric === 'revenue' ? formatMoney(total) : plural(total, 'unit')}.`;
  const altText =
    `Bar chart of the top ${plural(shown.length, noun[0], noun[1])} by ${metric}${who}, ${periodText}: ` +
    shown
      .slice(0, 5)
      .map((r) => `${r.label} ${show(r[metric])}`)
      .join(', ') +
    `${shown.length > 5 ? ', and more' : ''}.`;
  return { spec, altText, summary, data };
}

/** Catalogues often shout ("WHITE METAL LANTERN"); a chart reads better in title case. */
function titleCase(name: string): string {
  if (name !== name.toUpperCase()) return name;
  return name
    .toLowerCase()
    .replace(/(^|[\s\-/(])([a-z])/g, (_, pre: string, c: string) => pre + c.toUpperCase());
}
