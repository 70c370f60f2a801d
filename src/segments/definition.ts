/**
 * A segment definition: the typed, explainable form of an audience. Both the local parser and the LLM produce
 * one of these (validated by the same schema); only the compiler turns it into SQL.
 */
import { z } from 'zod';
import { calendarPeriodSchema, namedDaySchema } from '../charts/period.ts';
import { LIFECYCLE_STAGES } from '../ingest/features.ts';
import { LABEL } from './describe.ts';

/** Customer features a condition may compare. Each maps to one allow-listed column (see compile.ts). */
export const METRICS = [
  'spend',
  'orders',
  'recency_days',
  'tenure_days',
  'avg_order_value',
  'distinct_products',
  'returns',
  'r_score',
  'f_score',
  'm_score',
] as const;
export type Metric = (typeof METRICS)[number];

export const COMPARATORS = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'] as const;
export type Comparator = (typeof COMPARATORS)[number];

/** Sane bounds per metric, so "spend over -5" or "R score 9" is refused with a clear message. */
export const METRIC_BOUNDS: Record<Metric, { min: number; max: number; integer: boolean }> = {
  spend: { min: 0, max: 1e12, integer: false },
  orders: { min: 0, max: 1e9, integer: true },
  recency_days: { min: 0, max: 36_500, integer: true },
  tenure_days: { min: 0, max: 36_500, integer: true },
  avg_order_value: { min: 0, max: 1e12, integer: false },
  distinct_products: { min: 0, max: 1e9, integer: true },
  returns: { min: 0, max: 1e9, integer: true },
  r_score: { min: 1, max: 5, integer: true },
  f_score: { min: 1, max: 5, integer: true },
  m_score: { min: 1, max: 5, integer: true },
};

const metric = z.enum(METRICS);

function withinBounds(m: Metric, value: number, ctx: z.RefinementCtx): void {
  const b = METRIC_BOUNDS[m];
  if (value < b.min || value > b.max) {
    const n = (x: number) => x.toLocaleString('en-GB');
    ctx.addIssue({
      code: 'custom',
      message: `${LABEL[m]} must be between ${n(b.min)} and ${n(b.max)}, not ${n(value)}`,
    });
  }
}
const finite = z.number().finite();

export const metricCondition = z
  .object({
    kind: z.literal('metric'),
    metric,
    op: z.enum(COMPARATORS),
    value: finite,
  })
  .superRefine((c, ctx) => withinBounds(c.metric, c.value, ctx));

export const rangeCondition = z
  .object({
    kind: z.literal('range'),
    metric,
    /** Inclusive bounds. */
    min: finite,
    max: finite,
  })
  .superRefine((c, ctx) => {
    const b = METRIC_BOUNDS[c.metric];
    if (c.min > c.max)
      ctx.addIssue({ code: 'custom', message: `range for ${c.metric} is empty: ${c.min} > ${c.max}` });
    if (c.min < b.min || c.max > b.max) {
      ctx.addIssue({ code: 'custom', message: `${c.metric} must be between ${b.min} and ${b.max}` });
    }
  });

export const countryCondition = z.object({
  kind: z.literal('country'),
  op: z.enum(['in', 'not_in']),
  /** Country names as they appear in the data (e.g. "Germany", "EIRE"). */
  values: z.array(z.string().min(1)).min(1),
});

export const lifecycleCondition = z.object({
  kind: z.literal('lifecycle'),
  op: z.enum(['in', 'not_in']),
  values: z.array(z.enum(LIFECYCLE_STAGES)).min(1),
});

/** The metrics an "above average" condition compares: lifetime totals and averages a marketer ranks by. */
export const AVERAGE_METRICS = ['spend', 'orders', 'avg_order_value', 'distinct_products'] as const;

/**
 * A metric above or below the average of all customers ("above-average spenders", "more orders than
 * average"): the average is the store's at the time the segment is run, so a saved segment follows it.
 */
export const averageCondition = z.object({
  kind: z.literal('average'),
  metric: z.enum(AVERAGE_METRICS),
  op: z.enum(['above', 'below']),
});

/** What a customer bought: a product by id, or any product whose name or category contains a text. */
export const productMatch = z
  .object({
    productId: z.string().min(1).optional(),
    nameContains: z.string().min(2).optional(),
    categoryContains: z.string().min(2).optional(),
  })
  .refine((p) => p.productId || p.nameContains || p.categoryContains, {
    message: 'say which product, name or category',
  });

/**
 * "this week", "this month", "this quarter": the current one so far, as of the data's as-of instant (offset 0);
 * "last week", "last month", "last quarter": the one before it, whole (offset 1), as figures and charts read them.
 */
export const currentPeriod = z.object({
  unit: z.enum(['week', 'month', 'quarter']),
  offset: z.union([z.literal(0), z.literal(1)]),
});

/**
 * When purchases were made: a calendar month, quarter or year ("in March", "since January"), the current one, or
 * a named day ("on Black Friday").
 */
export const purchasePeriod = z.union([...calendarPeriodSchema.options, currentPeriod, namedDaySchema]);
export type PurchasePeriod = z.infer<typeof purchasePeriod>;

export const TOTAL_MEASURES = ['spend', 'orders', 'avg_order_value'] as const;
export type TotalMeasure = (typeof TOTAL_MEASURES)[number];

/**
 * A total over the purchases a `bought` condition counts ("spent over £500 in October", "3+ orders this year",
 * "spent over £100 on candles"). Only customers with such purchases have a total: one who bought nothing
 * then is not "under £50".
 */
export const purchaseTotal = z
  .object({
    measure: z.enum(TOTAL_MEASURES),
    op: z.enum(COMPARATORS),
    value: finite,
  })
  .superRefine((t, ctx) => {
    withinBounds(t.measure, t.value, ctx);
    const empty =
      (t.op === 'lt' && t.value <= (t.measure === 'orders' ? 1 : 0)) ||
      ((t.op === 'lte' || t.op === 'eq') && t.value === 0);
    if (empty) {
      ctx.addIssue({
        code: 'custom',
        message:
          `nobody who bought then ${t.measure === 'spend' ? `spent ${TOTAL_WORDS[t.op]} £${t.value}` : `has ${TOTAL_WORDS[t.op]} ${t.value} order${t.value === 1 ? '' : 's'}`}: ` +
          `for customers who bought nothing then, ask for those who "didn't buy"`,
      });
    }
  });
export type PurchaseTotal = z.infer<typeof purchaseTotal>;

const TOTAL_WORDS: Record<Comparator, string> = {
  gt: 'over',
  gte: 'at least',
  lt: 'under',
  lte: 'at most',
  eq: 'exactly',
  neq: 'other than',
};

export const boughtCondition = z
  .object({
    kind: z.literal('bought'),
    /** What was bought; any product when absent ("bought in March"). */
    product: productMatch.optional(),
    /** Only purchases in the last N days before the as-of instant. */
    withinDays: z.number().int().positive().max(36_500).optional(),
    /**
     * Only purchases in a calendar month, quarter or year ("in March", "last December", "in 2025"), or from
     * one to the as-of instant ("since January"). A month or quarter without a year is the latest one begun.
     */
    period: purchasePeriod.optional(),
    /** Only customers whose purchases (of that product, in that window) add up to this. */
    total: purchaseTotal.optional(),
    /** true: customers who did NOT buy it (in that window, to that total). */
    negate: z.boolean().default(false),
  })
  .refine((c) => c.withinDays === undefined || c.period === undefined, {
    message: 'give the last N days or a calendar period, not both',
  })
  .refine((c) => c.product || c.withinDays !== undefined || c.period, {
    message: 'say what was bought, or when',
  });

/**
 * Customers who returned something in a window ("returned something last month", "with returns in the last 90
 * days", "no returns this year"): a cancellation line of theirs then. Returns of all time are the `returns`
 * metric.
 */
export const returnedCondition = z
  .object({
    kind: z.literal('returned'),
    /** What was returned; anything when absent. */
    product: productMatch.optional(),
    withinDays: z.number().int().positive().max(36_500).optional(),
    period: purchasePeriod.optional(),
    /** true: customers with no return then. */
    negate: z.boolean().default(false),
  })
  .refine((c) => (c.withinDays === undefined) !== (c.period === undefined), {
    message: 'give the last N days or a calendar period for the returns (one of them)',
  });

/** Customers whose first purchase falls in a calendar period ("first bought in 2025", "new customers in March"). */
export const firstPurchaseCondition = z.object({
  kind: z.literal('first_purchase'),
  period: purchasePeriod,
});

/** Most customers a list names: a list comes from an answer (the prospects for some products), not typing. */
export const MAX_LISTED = 1000;

/**
 * Customers named one by one: a list an answer produced ("the 50 most likely to buy candles"), kept as it was
 * then, so saving or exporting it gives the customers that were shown.
 */
export const customersCondition = z.object({
  kind: z.literal('customers'),
  ids: z
    .array(z.string().min(1).max(64))
    .min(1)
    .max(MAX_LISTED, `a list holds at most ${MAX_LISTED} customers`)
    .refine((ids) => new Set(ids).size === ids.length, { message: 'a customer is listed twice' }),
  /** What the list is, as its description says it: "50 most likely to buy Candles & Lights products". */
  label: z.string().trim().min(1).max(160),
});

export type MetricCondition = z.infer<typeof metricCondition>;
export type RangeCondition = z.infer<typeof rangeCondition>;
export type CountryCondition = z.infer<typeof countryCondition>;
export type LifecycleCondition = z.infer<typeof lifecycleCondition>;
export type BoughtCondition = z.infer<typeof boughtCondition>;
export type FirstPurchaseCondition = z.infer<typeof firstPurchaseCondition>;
export type AverageCondition = z.infer<typeof averageCondition>;
export type CustomersCondition = z.infer<typeof customersCondition>;
export type ReturnedCondition = z.infer<typeof returnedCondition>;
export type ProductMatch = z.infer<typeof productMatch>;

export type Condition =
  | MetricCondition
  | RangeCondition
  | CountryCondition
  | LifecycleCondition
  | BoughtCondition
  | FirstPurchaseCondition
  | AverageCondition
  | CustomersCondition
  | ReturnedCondition
  | { kind: 'and'; conditions: Condition[] }
  | { kind: 'or'; conditions: Condition[] }
  | { kind: 'not'; condition: Condition };

export const condition: z.ZodType<Condition> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    metricCondition,
    rangeCondition,
    countryCondition,
    lifecycleCondition,
    boughtCondition,
    firstPurchaseCondition,
    averageCondition,
    customersCondition,
    returnedCondition,
    z.object({ kind: z.literal('and'), conditions: z.array(condition) }),
    z.object({ kind: z.literal('or'), conditions: z.array(condition).min(1) }),
    z.object({ kind: z.literal('not'), condition }),
  ]),
) as z.ZodType<Condition>;

export const segmentDefinition = z.object({
  /** All customers when the list is empty. */
  conditions: z.array(condition),
  /** "top 50 customers by spend": order by a metric and keep the first `limit`. */
  top: z
    .object({
      metric,
      direction: z.enum(['desc', 'asc']).default('desc'),
      limit: z.number().int().positive().max(1_000_000),
      /**
       * Rank by spend or orders over the purchases in the last N days or a period ("top 10 customers by spend
       * last month"), among the customers who bought then; without either, by the lifetime feature.
       */
      withinDays: z.number().int().positive().max(36_500).optional(),
      period: purchasePeriod.optional(),
    })
    .refine((t) => t.withinDays === undefined || t.period === undefined, {
      message: 'rank over the last N days or a calendar period, not both',
    })
    .refine(
      (t) => (t.withinDays === undefined && !t.period) || t.metric === 'spend' || t.metric === 'orders',
      {
        message: 'only spend and orders can be ranked over a time window',
      },
    )
    .optional(),
});

export type SegmentDefinition = z.infer<typeof segmentDefinition>;

/** Conditions are ANDed at the top level; this adds one, keeping the definition flat and readable. */
export function withCondition(def: SegmentDefinition, c: Condition): SegmentDefinition {
  return { ...def, conditions: [...def.conditions, c] };
}

/** Whether a condition (or one inside it) names customers one by one. */
export function namesCustomers(c: Condition): boolean {
  if (c.kind === 'customers') return true;
  if (c.kind === 'and' || c.kind === 'or') return c.conditions.some(namesCustomers);
  return c.kind === 'not' && namesCustomers(c.condition);
}
