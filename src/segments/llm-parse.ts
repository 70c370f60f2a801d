/**
 * Reading a segment request with a language model. The model fills an LLM-facing "wire" schema that OpenAI's
 * strict structured outputs accept (every field required, nullable instead of optional, no refinements,
 * `and`/`or`/`not` nested at most `GROUP_DEPTH` deep); the answer is converted to a `SegmentDefinition` and
 * always checked with the real `segmentDefinition` schema and against the data's vocabulary. The model only
 * produces data: the compiler alone turns a definition into a parameterised query.
 */
import { z } from 'zod';
import { calendarFromWire, NAMED_DAYS, type NamedDay, namedFromWire } from '../charts/period.ts';
import { MegaphoneError } from '../core/errors.ts';
import { LIFECYCLE_STAGES, LIFECYCLE_THRESHOLDS } from '../ingest/features.ts';
import type { Prompt } from '../llm/prompts.ts';
import { promptOnce, renderPrompt } from '../llm/prompts.ts';
import { formatIssues, type LlmMessage, type LlmProvider, type StructuredResult } from '../llm/provider.ts';
import type { Logger } from '../logger.ts';
import { suggestCountries } from './countries.ts';
import {
  AVERAGE_METRICS,
  COMPARATORS,
  type Condition,
  METRIC_BOUNDS,
  METRICS,
  type Metric,
  type PurchasePeriod,
  type SegmentDefinition,
  segmentDefinition,
  TOTAL_MEASURES,
} from './definition.ts';
import type { Vocabulary } from './vocabulary.ts';

/** How deep `and`/`or`/`not` may nest below the top-level list, which is itself an AND. */
export const GROUP_DEPTH = 2;

const metric = z.enum(METRICS);
const inOrNot = z.enum(['in', 'not_in']);

const CURRENT = { this_week: 'week', this_month: 'month', this_quarter: 'quarter' } as const;
const LAST = { last_week: 'week', last_month: 'month', last_quarter: 'quarter' } as const;

/** A named calendar month, quarter or year, or the current one, every field present (strict structured output). */
const NAMED = Object.keys(NAMED_DAYS) as NamedDay[];
const wirePeriod = z.object({
  calendar: z
    .enum([
      'month',
      'quarter',
      'year',
      'this_week',
      'this_month',
      'this_quarter',
      'last_week',
      'last_month',
      'last_quarter',
      ...NAMED,
    ])
    .describe(
      'this_week, this_month, this_quarter: the current one so far; last_week, last_month, last_quarter: the ' +
        'whole one before it (the other fields unused); a named day ' +
        '(black_friday, cyber_monday, ...): that day, in `year` or `ofYear` when said, else the latest one',
    ),
  number: z.number().nullable().describe('the month (1-12) or quarter (1-4); null for a year'),
  year: z.number().nullable().describe('the year, when said'),
  ofYear: z.enum(['this', 'last']).nullable().describe('"March last year": last; "Q1 this year": this'),
  last: z.boolean().describe('"last March": the latest one already ended'),
  since: z.boolean().describe('"since March": from it to today'),
});

/** Products as the model names them: every field present, null when unused. */
const wireProduct = z.object({
  productId: z.string().nullable(),
  nameContains: z.string().nullable(),
  categoryContains: z.string().nullable(),
});

const wireLeaf = z
  .union([
    z.object({ kind: z.literal('metric'), metric, op: z.enum(COMPARATORS), value: z.number() }),
    z.object({
      kind: z.literal('range'),
      metric,
      min: z.number().describe('inclusive'),
      max: z.number().describe('inclusive'),
    }),
    z.object({
      kind: z.literal('country'),
      op: inOrNot,
      values: z.array(z.string()).describe('country names spelled exactly as in the list of countries'),
    }),
    z.object({ kind: z.literal('lifecycle'), op: inOrNot, values: z.array(z.enum(LIFECYCLE_STAGES)) }),
    z.object({
      kind: z.literal('bought'),
      product: wireProduct,
      withinDays: z.number().nullable().describe('only purchases in the last N days; null for ever'),
      period: wirePeriod
        .nullable()
        .describe('only purchases in a named calendar month, quarter or year; null otherwise'),
      total: z
        .object({ measure: z.enum(TOTAL_MEASURES), op: z.enum(COMPARATORS), value: z.number() })
        .nullable()
        .describe(
          'only customers whose matching purchases add up to this: "spent over £500 in October" → spend gt 500; null otherwise',
        ),
      negate: z.boolean().describe('true: customers who did NOT buy it (in that window, to that total)'),
    }),
    z.object({
      kind: z.literal('returned'),
      product: wireProduct,
      withinDays: z.number().nullable().describe('returns in the last N days; null when a period is given'),
      period: wirePeriod
        .nullable()
        .describe('returns in a named calendar month, quarter or year; null when withinDays is given'),
      negate: z
        .boolean()
        .describe('true: customers with no return then. Returns of all time are the returns metric instead'),
    }),
    z.object({
      kind: z.literal('first_purchase'),
      period: wirePeriod.describe('the calendar month, quarter or year of the first purchase'),
    }),
    z.object({
      kind: z.literal('average'),
      metric: z.enum(AVERAGE_METRICS),
      op: z.enum(['above', 'below']).describe('"above-average spenders" → spend above'),
    }),
  ])
  .meta({ id: 'condition' });

type WireLeaf = z.infer<typeof wireLeaf>;
type WireCondition =
  | WireLeaf
  | { kind: 'and' | 'or'; conditions: WireCondition[] }
  | { kind: 'not'; condition: WireCondition };

/**
 * Strict structured outputs take recursive schemas, but OpenAI-compatible local servers often do not, and a
 * marketer's sentence never nests deeply: each level is a separate definition referring to the one below.
 */
function groupLevel(inner: z.ZodType<WireCondition>, level: number): z.ZodType<WireCondition> {
  return z
    .union([
      wireLeaf,
      z.object({ kind: z.enum(['and', 'or']), conditions: z.array(inner) }),
      z.object({ kind: z.literal('not'), condition: inner }),
    ])
    .meta({ id: `condition_group_${level}` });
}

let nested: z.ZodType<WireCondition> = wireLeaf;
for (let level = 1; level <= GROUP_DEPTH; level++) nested = groupLevel(nested, level);

/** What the model fills in. Exported for tests and for the JSON schema it produces. */
export const wireDefinition = z.object({
  conditions: z.array(nested).describe('combined with AND; empty for all customers'),
  top: z
    .object({
      metric,
      direction: z.enum(['desc', 'asc']),
      limit: z.number(),
      withinDays: z
        .number()
        .nullable()
        .describe(
          'rank spend or orders over the last N days ("top 10 by spend last month": 30); null for lifetime',
        ),
      period: wirePeriod
        .nullable()
        .describe(
          'rank spend or orders over a calendar or current period ("top 5 customers in March"); else null',
        ),
    })
    .nullable()
    .describe('top/bottom N customers by a metric, or null'),
  unrecognized: z
    .array(z.string())
    .describe('parts of the request that cannot be expressed with this schema and vocabulary; empty if none'),
  assumptions: z.array(z.string()).describe('one short sentence per reading of a vague word; usually empty'),
});

export type WireDefinition = z.infer<typeof wireDefinition>;

const blankToUndefined = (s: string | null) => (s === null || s.trim() === '' ? undefined : s);

function fromWire(c: WireCondition): unknown {
  switch (c.kind) {
    case 'and':
    case 'or':
      return { kind: c.kind, conditions: c.conditions.map(fromWire) };
    case 'not':
      return { kind: 'not', condition: fromWire(c.condition) };
    case 'first_purchase':
      return { kind: 'first_purchase', period: periodFromWire(c.period) };
    case 'returned':
    case 'bought': {
      const product = Object.fromEntries(
        Object.entries(c.product)
          .map(([k, v]) => [k, blankToUndefined(v)])
          .filter(([, v]) => v !== undefined),
      );
      if (c.kind === 'returned') {
        return {
          kind: 'returned',
          ...(Object.keys(product).length > 0 ? { product } : {}),
          ...(c.withinDays === null ? {} : { withinDays: c.withinDays }),
          ...(c.period ? { period: periodFromWire(c.period) } : {}),
          negate: c.negate,
        };
      }
      return {
        kind: 'bought',
        // No product named: any purchase (in the window).
        ...(Object.keys(product).length > 0 ? { product } : {}),
        ...(c.withinDays === null ? {} : { withinDays: c.withinDays }),
        ...(c.period ? { period: periodFromWire(c.period) } : {}),
        ...(c.total ? { total: c.total } : {}),
        negate: c.negate,
      };
    }
    default:
      return c;
  }
}

type WirePeriod = z.infer<typeof wirePeriod>;

function periodFromWire(p: WirePeriod): unknown {
  const { calendar } = p;
  if (calendar === 'month' || calendar === 'quarter' || calendar === 'year')
    return calendarFromWire({ ...p, calendar });
  if (calendar in CURRENT) return { unit: CURRENT[calendar as keyof typeof CURRENT], offset: 0 };
  if (calendar in LAST) return { unit: LAST[calendar as keyof typeof LAST], offset: 1 };
  return namedFromWire(calendar as NamedDay, p);
}

function periodToWire(p: PurchasePeriod): WirePeriod {
  if ('unit' in p) {
    const calendar = `${p.offset === 1 ? 'last' : 'this'}_${p.unit}` as const;
    return { calendar, number: null, year: null, ofYear: null, last: false, since: false };
  }
  if ('named' in p) {
    const { named, year, ofYear, since } = p;
    return {
      calendar: named,
      number: null,
      year: year ?? null,
      ofYear: ofYear ?? null,
      last: false,
      since: Boolean(since),
    };
  }
  return {
    calendar: p.calendar,
    number: p.calendar === 'month' ? p.month : p.calendar === 'quarter' ? p.quarter : null,
    year: p.year ?? null,
    ofYear: p.ofYear ?? null,
    last: p.calendar !== 'year' && Boolean(p.last),
    since: Boolean(p.since),
  };
}

/**
 * The model's answer in the shape of a segment definition, not yet validated.
 *
 * @example
 * definitionFromWire({ conditions: [], top: null, unrecognized: [], assumptions: [] }); // { conditions: [] }
 */
export function definitionFromWire(wire: WireDefinition): unknown {
  if (!wire.top) return { conditions: wire.conditions.map(fromWire) };
  const { withinDays, period, ...top } = wire.top;
  return {
    conditions: wire.conditions.map(fromWire),
    top: {
      ...top,
      ...(withinDays === null || withinDays === undefined ? {} : { withinDays }),
      ...(period ? { period: periodFromWire(period) } : {}),
    },
  };
}

/** What a bought or returned condition names and when, in the wire's shape (every field, null when unused). */
function productAndWindowToWire(c: Extract<Condition, { kind: 'bought' | 'returned' }>) {
  return {
    product: {
      productId: c.product?.productId ?? null,
      nameContains: c.product?.nameContains ?? null,
      categoryContains: c.product?.categoryContains ?? null,
    },
    withinDays: c.withinDays ?? null,
    period: c.period ? periodToWire(c.period) : null,
  };
}

function toWire(c: Condition): WireCondition {
  switch (c.kind) {
    case 'and':
    case 'or':
      return { kind: c.kind, conditions: c.conditions.map(toWire) };
    case 'not':
      return { kind: 'not', condition: toWire(c.condition) };
    case 'bought':
      return {
        kind: 'bought',
        ...productAndWindowToWire(c),
        total: c.total ?? null,
        negate: c.negate,
      };
    case 'first_purchase':
      return { kind: 'first_purchase', period: periodToWire(c.period) };
    case 'returned':
      return {
        kind: 'returned',
        ...productAndWindowToWire(c),
        negate: c.negate,
      };
    case 'customers':
      // The model has no way to say a list, so a segment with one is refined by the local parser.
      throw new Error('a list of customers cannot be shown to the model');
    default:
      return c;
  }
}

/** A definition in the shape the model answers in, so a refinement shows it its own format. */
function definitionToWire(def: SegmentDefinition): Omit<WireDefinition, 'unrecognized' | 'assumptions'> {
  const top = def.top && {
    ...def.top,
    withinDays: def.top.withinDays ?? null,
    period: def.top.period ? periodToWire(def.top.period) : null,
  };
  return { conditions: def.conditions.map(toWire), top: top ?? null };
}

export type DefinitionCheck = { ok: true; definition: SegmentDefinition } | { ok: false; problems: string[] };

/**
 * Validates a candidate with the real schema, then against the data: countries must be ones customers live
 * in (matched case-insensitively and rewritten to the data's spelling), and a category text must occur in the
 * catalogue.
 *
 * @example
 * checkSegmentDefinition({ conditions: [{ kind: 'country', op: 'in', values: ['eire'] }] }, vocab);
 * // { ok: true, definition: { conditions: [{ kind: 'country', op: 'in', values: ['EIRE'] }] } }
 */
export function checkSegmentDefinition(candidate: unknown, vocab: Vocabulary): DefinitionCheck {
  const parsed = segmentDefinition.safeParse(candidate);
  if (!parsed.success) return { ok: false, problems: [formatIssues(parsed.error)] };
  const problems: string[] = [];
  const countries = new Map(vocab.countries.map((c) => [c.toLowerCase(), c]));
  const categories = vocab.categories.map((c) => c.toLowerCase());

  const check = (c: Condition): Condition => {
    switch (c.kind) {
      case 'country':
        return {
          ...c,
          values: c.values.map((v) => {
            const known = countries.get(v.trim().toLowerCase());
            if (!known) {
              const near = suggestCountries(v, vocab);
              problems.push(
                `country "${v}" is not in the data${near.length ? ` (closest: ${near.join(', ')})` : ''}; ` +
                  'use a country from the list exactly as spelled, or put the word in unrecognized',
              );
            }
            return known ?? v;
          }),
        };
      case 'bought': {
        const text = c.product?.categoryContains?.toLowerCase();
        if (text && categories.length && !categories.some((cat) => cat.includes(text))) {
          problems.push(
            `category "${c.product?.categoryContains}" matches no catalogue category; ` +
              'use one of the listed categories or nameContains',
          );
        }
        return c;
      }
      case 'and':
      case 'or':
        return { ...c, conditions: c.conditions.map(check) };
      case 'not':
        return { ...c, condition: check(c.condition) };
      default:
        return c;
    }
  };

  const definition = { ...parsed.data, conditions: parsed.data.conditions.map(check) };
  return problems.length ? { ok: false, problems } : { ok: true, definition };
}

const METRIC_MEANING: Record<Metric, string> = {
  spend: 'total spent on purchases, in the shop currency',
  orders: 'number of orders (invoices)',
  recency_days: 'whole days since the last purchase',
  tenure_days: 'whole days since the first purchase',
  avg_order_value: 'spend divided by orders',
  distinct_products: 'number of different products bought',
  returns: 'number of returned order lines',
  r_score: 'recency score, 5 = bought most recently',
  f_score: 'frequency score, 5 = orders most often',
  m_score: 'monetary score, 5 = spends most',
};

function metricsText(): string {
  return METRICS.map((m) => {
    const b = METRIC_BOUNDS[m];
    const range = b.max <= 36_500 ? `${b.min} to ${b.max}` : `${b.min} or more`;
    return `- ${m}: ${METRIC_MEANING[m]} (${range}${b.integer ? ', whole number' : ''})`;
  }).join('\n');
}

function lifecycleText(): string {
  const t = LIFECYCLE_THRESHOLDS;
  const meaning: Record<(typeof LIFECYCLE_STAGES)[number], string> = {
    new: `first purchase in the last ${t.newWithinDays} days`,
    active: `last purchase in the last ${t.activeWithinDays} days`,
    at_risk: `last purchase ${t.activeWithinDays + 1} to ${t.atRiskWithinDays} days ago`,
    lapsed: `last purchase more than ${t.atRiskWithinDays} days ago`,
  };
  return LIFECYCLE_STAGES.map((s) => `${s} (${meaning[s]})`).join(', ');
}

/** A long catalogue would crowd the prompt; the model falls back to nameContains beyond it. */
const MAX_LISTED = 200;

/**
 * The system prompt for one vocabulary and as-of date.
 *
 * @example
 * const system = segmentSystemPrompt(await loadPrompt('segment-definition'), vocab, new Date('2011-12-09'));
 */
export function segmentSystemPrompt(prompt: Prompt, vocab: Vocabulary, today: Date): string {
  const list = (values: string[], none: string) =>
    values.length ? values.slice(0, MAX_LISTED).join(', ') : none;
  return renderPrompt(prompt, {
    countries: list(vocab.countries, '(none: no customer has a country yet)'),
    categories: list(vocab.categories, '(none yet)'),
    metrics: metricsText(),
    lifecycle: lifecycleText(),
    today: today.toISOString().slice(0, 10),
  });
}

const segmentPrompt = promptOnce('segment-definition');

export type LlmParseResult =
  | { ok: true; definition: SegmentDefinition; notes: string[]; attempts: number }
  | {
      ok: false;
      /** Why the answer could not be used, fit to show in parentheses. */
      reason: string;
      /** Words the model said it could not express. */
      unknown: string[];
      attempts: number;
      /** The API failure, when that was the reason. */
      error?: MegaphoneError;
    };

export interface LlmParseOptions {
  /** The current definition, when the text refines it. */
  previous?: SegmentDefinition;
  /** The date day counts are relative to (the data's as-of instant); now by default. */
  today?: Date;
  log?: Logger;
}

const MAX_ATTEMPTS = 2;

/** The model's stated readings become notes, like the local parser's; a chatty model is cut short. */
function notesFrom(wire: WireDefinition): string[] {
  return wire.assumptions
    .map((a) => a.trim())
    .filter(Boolean)
    .slice(0, 5)
    .map((a) => (a.length > 200 ? `${a.slice(0, 199)}…` : a));
}

/**
 * Asks the model for a segment definition, validates it, and on an invalid answer asks once more with the
 * problems appended to the conversation. API failures and a second invalid answer give `ok: false`.
 *
 * @example
 * const result = await llmParseSegment('Irish customers who spent over 500', vocab, llm);
 * if (result.ok) previewSegment(database, result.definition);
 */
export async function llmParseSegment(
  text: string,
  vocab: Vocabulary,
  llm: LlmProvider,
  opts: LlmParseOptions = {},
): Promise<LlmParseResult> {
  const user = opts.previous
    ? `Current definition:\n${JSON.stringify(definitionToWire(opts.previous))}\n\nChange requested: ${text}`
    : `Audience: ${text}`;
  const messages: LlmMessage[] = [];
  let problems: string[] = [];
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    let answer: StructuredResult<WireDefinition>;
    try {
      const system = segmentSystemPrompt(await segmentPrompt(), vocab, opts.today ?? new Date());
      answer = await llm.structured({
        system,
        user,
        schema: wireDefinition,
        name: 'segment_definition',
        messages,
      });
    } catch (error) {
      if (error instanceof MegaphoneError) {
        return { ok: false, reason: error.message, unknown: [], attempts: attempt, error };
      }
      throw error;
    }
    if (answer.ok && answer.value.unrecognized.length) {
      // Asking again would only invite a guess; the local parser says what it does not know.
      const words = answer.value.unrecognized;
      return {
        ok: false,
        reason: `it could not express ${words.map((w) => `"${w}"`).join(', ')}`,
        unknown: words,
        attempts: attempt,
      };
    }
    if (answer.ok) {
      const checked = checkSegmentDefinition(definitionFromWire(answer.value), vocab);
      if (checked.ok) {
        return {
          ok: true,
          definition: checked.definition,
          notes: notesFrom(answer.value),
          attempts: attempt,
        };
      }
      problems = checked.problems;
    } else {
      problems = [answer.error];
    }
    opts.log?.debug(
      { attempt, problems, model: llm.model },
      'segment definition from the language model rejected',
    );
    if (answer.raw !== undefined) messages.push({ role: 'assistant', content: answer.raw });
    messages.push({
      role: 'user',
      content:
        `That answer cannot be used: ${problems.join('; ')}.\n` +
        'Answer again with the complete corrected definition for the same request.',
    });
  }
  return {
    ok: false,
    reason: `its answer was invalid twice: ${problems.join('; ')}`,
    unknown: [],
    attempts: MAX_ATTEMPTS,
  };
}
