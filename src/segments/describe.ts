/**
 * One plain line per definition ("Germany · spend > £1,000 · no purchase in the last 90 days"), shown with
 * every answer so the marketer can check what was understood.
 */
import { NAMED_DAYS, sayCalendarPeriod } from '../charts/period.ts';
import type {
  Comparator,
  Condition,
  Metric,
  ProductMatch,
  PurchasePeriod,
  SegmentDefinition,
} from './definition.ts';

const money = (n: number) =>
  `£${n.toLocaleString('en-GB', { minimumFractionDigits: Number.isInteger(n) ? 0 : 2, maximumFractionDigits: 2 })}`;
const count = (n: number) => n.toLocaleString('en-GB');

export const LABEL: Record<Metric, string> = {
  spend: 'spend',
  orders: 'orders',
  recency_days: 'days since last purchase',
  tenure_days: 'days since first purchase',
  avg_order_value: 'average order',
  distinct_products: 'distinct products',
  returns: 'returns',
  r_score: 'R score',
  f_score: 'F score',
  m_score: 'M score',
};

const SYMBOL: Record<Comparator, string> = { gt: '>', gte: '≥', lt: '<', lte: '≤', eq: '=', neq: '≠' };

function value(metric: Metric, n: number): string {
  return metric === 'spend' || metric === 'avg_order_value' ? money(n) : count(n);
}

/** Lifecycle stages as said in chat. */
export const STAGE: Record<string, string> = {
  new: 'new',
  active: 'active',
  at_risk: 'at risk',
  lapsed: 'lapsed',
};

function list(values: string[]): string {
  if (values.length <= 1) return values.join('');
  return `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
}

/** "in March 2025", "since January", "this month", "on Black Friday". */
export function sayPurchasePeriod(p: PurchasePeriod): string {
  if ('unit' in p) return `${p.offset === 1 ? 'last' : 'this'} ${p.unit}`;
  if (!('named' in p)) return sayCalendarPeriod(p);
  const { name, days } = NAMED_DAYS[p.named];
  const year = p.year !== undefined ? ` ${p.year}` : p.ofYear ? ` ${p.ofYear} year` : '';
  if (p.since) return `since ${name}${year}`;
  return days > 1 ? `over the ${name}${year}` : `on ${name}${year}`;
}

/** " in the last 30 days", " in March", " this month", or nothing. */
export function sayWindow(w: {
  withinDays?: number | undefined;
  period?: PurchasePeriod | undefined;
}): string {
  if (w.withinDays) return ` in the last ${count(w.withinDays)} days`;
  return w.period ? ` ${sayPurchasePeriod(w.period)}` : '';
}

/** A product match as a description says it: "product 85123A", "“tea light”", "Candles & Lights (category)". */
function sayProduct(product: ProductMatch): string {
  if (product.productId) return `product ${product.productId}`;
  if (product.nameContains) return `“${product.nameContains}”`;
  return `${product.categoryContains} (category)`;
}

export function describeCondition(c: Condition): string {
  switch (c.kind) {
    case 'metric': {
      if (c.metric === 'recency_days' && (c.op === 'gt' || c.op === 'gte')) {
        return `no purchase in the last ${count(c.op === 'gt' ? c.value : c.value - 1)} days`;
      }
      if (c.metric === 'recency_days' && (c.op === 'lt' || c.op === 'lte')) {
        return `bought in the last ${count(c.op === 'lte' ? c.value : c.value - 1)} days`;
      }
      if (c.metric === 'tenure_days' && (c.op === 'lt' || c.op === 'lte')) {
        return `first purchase in the last ${count(c.op === 'lte' ? c.value : c.value - 1)} days`;
      }
      if (c.metric === 'orders' && c.op === 'eq' && c.value === 1) return 'one-time buyers';
      return `${LABEL[c.metric]} ${SYMBOL[c.op]} ${value(c.metric, c.value)}`;
    }
    case 'range':
      return `${LABEL[c.metric]} ${value(c.metric, c.min)}–${value(c.metric, c.max)}`;
    case 'country':
      return c.op === 'in' ? list(c.values) : `outside ${list(c.values)}`;
    case 'lifecycle': {
      const names = list(c.values.map((v) => STAGE[v] ?? v));
      return c.op === 'in' ? names : `not ${names}`;
    }
    case 'bought': {
      const { product } = c;
      const what = product ? ` ${sayProduct(product)}` : '';
      const when = sayWindow(c);
      if (c.total) {
        const on = product ? (c.total.measure === 'spend' ? ` on${what}` : ` of${what}`) : '';
        const total = `${LABEL[c.total.measure]}${on}${when} ${SYMBOL[c.total.op]} ${value(c.total.measure, c.total.value)}`;
        return c.negate ? `not ${total}` : total;
      }
      if (!product) return c.negate ? `no purchase${when}` : `bought${when}`;
      return c.negate ? `never bought${what}${when}` : `bought${what}${when}`;
    }
    case 'average':
      return `${LABEL[c.metric]} ${c.op} the average`;
    case 'customers':
      return c.label;
    case 'returned': {
      const what = c.product ? ` ${sayProduct(c.product)}` : '';
      return c.negate ? `no returns${what}${sayWindow(c)}` : `returned${what || ' something'}${sayWindow(c)}`;
    }
    case 'first_purchase':
      return `first purchase ${sayPurchasePeriod(c.period)}`;
    case 'and':
      return c.conditions.map(describeCondition).join(' and ');
    case 'or':
      return `(${c.conditions.map(describeCondition).join(' or ')})`;
    case 'not':
      return `not (${describeCondition(c.condition)})`;
  }
}

/**
 * @example
 * describeSegment({ conditions: [{ kind: 'country', op: 'in', values: ['Germany'] }] }); // 'Germany'
 */
export function describeSegment(def: SegmentDefinition): string {
  const parts = def.conditions.map(describeCondition);
  if (def.top) {
    const by = LABEL[def.top.metric];
    parts.unshift(
      `${def.top.direction === 'desc' ? 'top' : 'bottom'} ${count(def.top.limit)} by ${by}${sayWindow(def.top)}`,
    );
  }
  return parts.length ? parts.join(' · ') : 'all customers';
}
