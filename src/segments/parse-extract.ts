/**
 * The feature extractors of the segment parser. Each one finds its phrasings in the normalised text,
 * records the condition it means and replaces the words it consumed with a marker (`§3§`), so later
 * extractors cannot read them twice and whatever is left at the end is connectors, filler or not understood.
 * The order of `EXTRACTORS` matters: specific phrasings run before the general ones that would misread them
 * ("returned more than 3 times" before "more than 3 times", "haven't bought in 90 days" before "bought X").
 */
import { CALENDAR_PHRASE, calendarOfPhrase, NAMED_DAY_PHRASE, takeNamedDay } from '../charts/period.ts';
import { CATEGORY_RULES } from '../ingest/categorize.ts';
import { COUNTRY_CODES, countriesNear, countryIndex, HOME_COUNTRY, WORD_LIKE_CODES } from './countries.ts';
import type {
  AverageCondition,
  BoughtCondition,
  Comparator,
  Condition,
  LifecycleCondition,
  Metric,
  MetricCondition,
  ProductMatch,
  PurchasePeriod,
  TotalMeasure,
} from './definition.ts';
import { LABEL, sayWindow } from './describe.ts';
import {
  CALENDAR_LAST,
  COMP,
  comparatorOf,
  compile,
  DURATION,
  DURATION_OR_DAYS,
  END,
  MONEY,
  parseDuration,
  parseValue,
  START,
  SUFFIX,
  suffixOp,
  VALUE,
  WINDOW,
} from './parse-text.ts';
import type { Vocabulary } from './vocabulary.ts';

export interface Top {
  metric: Metric;
  direction: 'asc' | 'desc';
  limit: number;
  withinDays?: number;
  period?: PurchasePeriod;
}

export interface Ctx {
  text: string;
  conditions: Condition[];
  notes: string[];
  /** Reasons the request cannot be answered as asked (refused with ok:false). */
  problems: string[];
  vocab: Vocabulary;
  top?: Top;
}

type Groups = Record<string, string | undefined>;

/**
 * Records a condition and returns the marker that stands for it in the text.
 *
 * @example
 * ctx.text = ctx.text.replace('lapsed', mark(ctx, { kind: 'lifecycle', op: 'in', values: ['lapsed'] }));
 */
export function mark(ctx: Ctx, c: Condition): string {
  ctx.conditions.push(c);
  return ` §${ctx.conditions.length - 1}§ `;
}

function note(ctx: Ctx, text: string): void {
  if (!ctx.notes.includes(text)) ctx.notes.push(text);
}

function problem(ctx: Ctx, text: string): void {
  if (!ctx.problems.includes(text)) ctx.problems.push(text);
}

/** Replaces each match of `re` with what `fn` returns; `null` keeps the matched text. */
function apply(ctx: Ctx, re: RegExp, fn: (g: Groups, match: string, after: string) => string | null): void {
  ctx.text = ctx.text.replace(re, (...args: unknown[]) => {
    const match = args[0] as string;
    const last = args[args.length - 1];
    const hasGroups = typeof last === 'object' && last !== null;
    const offset = args[args.length - (hasGroups ? 3 : 2)] as number;
    const whole = args[args.length - (hasGroups ? 2 : 1)] as string;
    return fn(hasGroups ? (last as Groups) : {}, match, whole.slice(offset + match.length)) ?? match;
  });
}

const rx = (source: string) => compile(source);

const metric = (m: Metric, op: Comparator, value: number): Condition => ({
  kind: 'metric',
  metric: m,
  op,
  value,
});

function noteDuration(ctx: Ctx, phrase: string): number {
  const d = parseDuration(phrase);
  if (d.approximate) note(ctx, `Read "${d.said}" as ${d.days} days.`);
  return d.days;
}

const WINDOW_AFTER = new RegExp(
  `^\\s*(?:${WINDOW}|(?:this|last|past)\\s+(?:year|month|week|quarter)|since\\s+\\w+|recently|lately|ytd|year\\s+to\\s+date)`,
  'i',
);

// "this month", "this quarter so far", "year to date": the current one, from its start to the as-of instant.
const CURRENT_PHRASE = `(?:(?:in|during|for)\\s+)?this\\s+(?:week|month|quarter)(?:\\s+so\\s+far)?|ytd|(?:the\\s+)?year\\s+to\\s+date|${CALENDAR_LAST}`;
/** When purchases were made, as segments read it: a calendar period, or the current week, month or quarter. */
const PURCHASE_PHRASE = `(?:${CALENDAR_PHRASE})|(?:${CURRENT_PHRASE})|(?:(?:on|over|during|since)\\s+(?:the\\s+)?${NAMED_DAY_PHRASE})`;

function purchasePeriodOf(phrase: string): PurchasePeriod | undefined {
  const said = phrase.trim();
  if (/^(?:ytd|(?:the\s+)?year\s+to\s+date)$/i.test(said)) return { calendar: 'year', ofYear: 'this' };
  const current = /^(?:(?:in|during|for)\s+)?this\s+(week|month|quarter)(?:\s+so\s+far)?$/i.exec(said);
  if (current) return { unit: current[1]!.toLowerCase() as 'week' | 'month' | 'quarter', offset: 0 };
  const last = /^(?:(?:in|during|for|over)\s+)?(?:last|previous)\s+(week|month|quarter|year)$/i.exec(said);
  if (last?.[1]?.toLowerCase() === 'year') return { calendar: 'year', ofYear: 'last' };
  if (last) return { unit: last[1]!.toLowerCase() as 'week' | 'month' | 'quarter', offset: 1 };
  return takeNamedDay(said)?.period ?? calendarOfPhrase(said);
}

type When = Pick<BoughtCondition, 'withinDays' | 'period'> & { length: number };

/**
 * A time said at the start of `rest` ("in the last 90 days", "in March", "this month"), or null. After "but
 * not" a named day needs no "on": "bought on Cyber Monday but not Black Friday".
 */
function readWhen(ctx: Ctx, rest: string, afterNot = false): When | null {
  if (afterNot) {
    const day = rest.match(compile(`^\\s+(?:the\\s+)?${NAMED_DAY_PHRASE}(?![\\w§])`, 'i'));
    const period = day ? takeNamedDay(day[0].trim())?.period : undefined;
    if (day && period) return { period, length: day[0].length };
  }
  const window = rest.match(compile(`^\\s+(?:${WINDOW}|recently|lately)(?![\\w§])`, 'i'));
  if (window) {
    if (!/recently|lately/i.test(window[0]))
      return { withinDays: noteDuration(ctx, window[0]), length: window[0].length };
    note(ctx, '"Recently" read as in the last 30 days.');
    return { withinDays: 30, length: window[0].length };
  }
  const said = rest.match(compile(`^\\s+(?:${PURCHASE_PHRASE})(?![\\w§])`, 'i'));
  const period = said ? purchasePeriodOf(said[0]) : undefined;
  return said && period ? { period, length: said[0].length } : null;
}

const whenOf = (w: When | null): Pick<BoughtCondition, 'withinDays' | 'period'> =>
  w?.withinDays ? { withinDays: w.withinDays } : w?.period ? { period: w.period } : {};

/**
 * Replaces each match of `re` (global) with what `replace` makes of it and the time said right after it, if
 * any; a time read is taken out with the match ("repeat buyers this year", "returned something last month").
 */
function eachWithTime(
  ctx: Ctx,
  re: RegExp,
  replace: (m: RegExpExecArray, when: When | null) => string,
): void {
  let from = 0;
  for (;;) {
    re.lastIndex = from;
    const m = re.exec(ctx.text);
    if (!m) break;
    const end = m.index + m[0].length;
    const when = readWhen(ctx, ctx.text.slice(end));
    const replaced = replace(m, when);
    ctx.text = ctx.text.slice(0, m.index) + replaced + ctx.text.slice(end + (when?.length ?? 0));
    from = m.index + replaced.length;
  }
}

// ---------------------------------------------------------------- generic metric comparisons

interface MetricSpec {
  metric: Metric;
  /** Words that come before the comparison: "spent", "revenue", "orders". */
  names: string;
  /** Words that come after a number: "orders", "in revenue", "different products". */
  nouns?: string;
  /** Operator when no comparator is said ("spent £500", "R score 5"). */
  bare: Comparator;
  /** Counts refuse money values: "purchases over £500" is spend, not orders. */
  count: boolean;
  /** Optional words after the value ("returned more than 3 times"). */
  trailing?: string;
  /** Lifetime totals: "spent £500 in the last year" cannot be answered. */
  lifetime?: boolean;
}

const RANGE_SEP = '\\s*(?:and|to|-)\\s*';

function metricForms(spec: MetricSpec): [RegExp, (g: Groups) => Condition | null][] {
  const names = `(?:${spec.names})`;
  const nouns = spec.nouns ? `(?:${spec.nouns})` : undefined;
  const trail = spec.trailing ?? '';
  const lead = '(?:\\s+(?:of|is|was|are|=|a\\s+total\\s+of|in\\s+total|total(?:ling)?|at))?';
  const range = (g: Groups): Condition | null => {
    const a = parseValue(g.a!);
    const b = parseValue(g.b!);
    if (spec.count && (a.money || b.money)) return null;
    return { kind: 'range', metric: spec.metric, min: a.value, max: b.value };
  };
  const compared = (g: Groups): Condition | null => {
    const v = parseValue(g.v!);
    if (spec.count && v.money) return null;
    const op = (g.comp ? comparatorOf(g.comp) : undefined) ?? suffixOp(g.suf) ?? spec.bare;
    return metric(spec.metric, op, v.value);
  };
  const forms: [string, (g: Groups) => Condition | null][] = [
    [`${names}${lead}\\s+(?:between|from)\\s+(?<a>${VALUE})${RANGE_SEP}(?<b>${VALUE})${trail}`, range],
    [`${names}${lead}\\s+(?<a>${VALUE})\\s*(?:-|to)\\s*(?<b>${VALUE})${trail}`, range],
    [`${names}${lead}\\s+(?<comp>${COMP})\\s*(?<v>${VALUE})(?:\\s*(?<suf>${SUFFIX}))?${trail}`, compared],
  ];
  if (nouns) {
    forms.push(
      [`(?:between|from)\\s+(?<a>${VALUE})${RANGE_SEP}(?<b>${VALUE})\\s+(?:in\\s+|of\\s+)?${nouns}`, range],
      [`(?<a>${VALUE})\\s*(?:-|to)\\s*(?<b>${VALUE})\\s+(?:in\\s+|of\\s+)?${nouns}`, range],
      [`(?<comp>${COMP})\\s*(?<v>${VALUE})\\s+(?:(?:in|of|worth\\s+of|in\\s+total)\\s+)?${nouns}`, compared],
      [`(?<v>${VALUE})\\s*(?<suf>${SUFFIX})\\s+(?:(?:in|of)\\s+)?${nouns}`, compared],
      [`(?<v>${VALUE})\\s+(?:(?:in|of)\\s+)?${nouns}\\s+(?<suf>${SUFFIX})`, compared],
    );
  }
  forms.push([`${names}${lead}\\s+(?<v>${VALUE})(?:\\s*(?<suf>${SUFFIX}))?${trail}`, compared]);
  if (nouns) forms.push([`(?<v>${VALUE})\\s+(?:(?:in|of)\\s+)?${nouns}`, compared]);
  return forms.map(([source, build]) => [rx(`${START}${source}${END}`), build]);
}

const formsCache = new WeakMap<MetricSpec, ReturnType<typeof metricForms>>();

function formsOf(spec: MetricSpec): ReturnType<typeof metricForms> {
  let forms = formsCache.get(spec);
  if (!forms) {
    forms = metricForms(spec);
    formsCache.set(spec, forms);
  }
  return forms;
}

function extractMetric(ctx: Ctx, spec: MetricSpec): void {
  const forms = formsOf(spec);
  for (const [re, build] of forms) {
    apply(ctx, re, (g, match, after) => {
      const c = build(g);
      if (!c) return null;
      if (spec.lifetime) lifetimeOnly(ctx, spec.metric === 'spend' ? 'Spend' : 'Number of orders', after);
      noteBare(ctx, spec, g, c, match);
      return mark(ctx, c);
    });
  }
}

function noteBare(ctx: Ctx, spec: MetricSpec, g: Groups, c: Condition, match: string): void {
  if (!g.comp && !g.suf && c.kind === 'metric' && spec.bare === 'gte' && !spec.count) {
    note(ctx, `Read "${match.trim().replace(MONEY, '£')}" as at least that amount.`);
  }
}

/**
 * "spent over £500 in October", "3+ orders this year", "spent over £100 on candles": a total over the purchases
 * in a window or of a product, which the lifetime features cannot answer. Runs before the lifetime extractors,
 * which take a total said with neither.
 */
function extractPurchaseTotals(ctx: Ctx): void {
  purchaseTotals(ctx, [SPEC_SPEND, SPEC_ORDERS]);
}

function purchaseTotals(ctx: Ctx, specs: MetricSpec[]): void {
  for (const spec of specs) {
    for (const [re, build] of formsOf(spec)) {
      let from = 0;
      for (;;) {
        re.lastIndex = from;
        const m = re.exec(ctx.text);
        if (!m) break;
        const g: Groups = m.groups ?? {};
        const c = build(g);
        let pos = m.index + m[0].length;
        from = pos;
        if (!c || (c.kind !== 'metric' && c.kind !== 'range')) continue;
        // "on candles in March" or "in March on candles".
        const onProduct = (): ProductMatch | undefined => {
          if (spec.metric !== 'spend') return undefined;
          const on = ctx.text.slice(pos).match(/^\s+on\s+(?:the\s+|our\s+)?/i);
          const item = on ? readProduct(ctx, ctx.text.slice(pos + on[0].length), 'none', true) : null;
          if (on && item) pos += on[0].length + item.length;
          return item?.match;
        };
        // The time first: "on Black Friday" is when, not what.
        let when = readWhen(ctx, ctx.text.slice(pos));
        if (when) pos += when.length;
        const product = onProduct();
        if (!when) {
          when = readWhen(ctx, ctx.text.slice(pos));
          if (when) pos += when.length;
        }
        if (!product && !when) continue;
        noteBare(ctx, spec, g, c, m[0]);
        const totals =
          c.kind === 'metric'
            ? [{ op: c.op, value: c.value }]
            : [
                { op: 'gte' as const, value: c.min },
                { op: 'lte' as const, value: c.max },
              ];
        const replaced = totals
          .map((t) =>
            mark(ctx, {
              kind: 'bought',
              ...(product ? { product } : {}),
              ...whenOf(when),
              total: { measure: spec.metric as TotalMeasure, ...t },
              negate: false,
            }),
          )
          .join(' and ');
        ctx.text = ctx.text.slice(0, m.index) + replaced + ctx.text.slice(pos);
        from = m.index + replaced.length;
      }
    }
  }
}

// ---------------------------------------------------------------- top N

const TOP_BY: [string, Metric][] = [
  [
    '(?:average|avg)\\s+(?:order|basket)(?:\\s+(?:value|size))?|aov|basket\\s+(?:size|value)|order\\s+value',
    'avg_order_value',
  ],
  ['(?:r|recency)[\\s-]*score', 'r_score'],
  ['(?:f|frequency)[\\s-]*score', 'f_score'],
  ['(?:m|monetary)[\\s-]*score', 'm_score'],
  [
    '(?:(?:the\\s+)?number\\s+of\\s+)?(?:distinct|different|unique)\\s+(?:products|items|skus)|product\\s+variety',
    'distinct_products',
  ],
  ['(?:(?:the\\s+)?number\\s+of\\s+)?(?:returns|refunds)', 'returns'],
  [
    '(?:(?:the\\s+)?number\\s+of\\s+|total\\s+)?(?:orders|purchases|transactions|invoices)|order\\s+count|(?:order\\s+|purchase\\s+)?frequency|how\\s+often\\s+they\\s+(?:buy|order)',
    'orders',
  ],
  [
    'recency|(?:most\\s+recent|last|latest)\\s+(?:purchase|order)(?:\\s+date)?|how\\s+recently\\s+they\\s+(?:bought|ordered)',
    'recency_days',
  ],
  [
    'tenure|loyalty|first\\s+(?:purchase|order)(?:\\s+date)?|time\\s+as\\s+(?:a\\s+)?customers?|how\\s+long\\s+they\\s+have\\s+been\\s+(?:customers|with\\s+us)',
    'tenure_days',
  ],
  [
    '(?:total\\s+|lifetime\\s+)?(?:spend|spending|spent|revenue|sales|value|ltv|clv|lifetime\\s+value|money\\s+spent|amount\\s+spent|monetary\\s+value)',
    'spend',
  ],
];

/** For these a "top" customer has the smallest value: the most recent buyer has the fewest days. */
const SMALL_IS_TOP = new Set<Metric>(['recency_days']);

const TOP_ADJ: [string, Metric, boolean][] = [
  [
    'biggest|largest|highest[\\s-]spending|top[\\s-]spending|highest|top|biggest[\\s-]spending|most\\s+valuable|highest[\\s-]value|best|heaviest|most\\s+lucrative',
    'spend',
    true,
  ],
  ['lowest[\\s-]spending|least\\s+valuable|lowest[\\s-]value|smallest|lowest|worst|cheapest', 'spend', false],
  ['most\\s+frequent|most\\s+loyal|most\\s+active|most\\s+regular', 'orders', true],
  ['least\\s+frequent|least\\s+active|least\\s+loyal', 'orders', false],
  ['most\\s+recent|latest|most\\s+recently\\s+active', 'recency_days', true],
  ['least\\s+recent|longest\\s+inactive|most\\s+lapsed', 'recency_days', false],
  ['oldest|longest[\\s-]standing|longest[\\s-]serving|earliest', 'tenure_days', true],
  ['newest', 'tenure_days', false],
];
const TOP_ADJ_ALT = TOP_ADJ.map(([p]) => p).join('|');
const TOP_NOUN =
  '(?:customers?|clients?|buyers?|shoppers?|spenders?|purchasers?|accounts?|people|users?|members?|ones|orderers)';
const TOP_WORD = 'top|best|biggest|largest|highest|leading|greatest|bottom|worst|lowest|smallest';

const TOP_FORMS = [
  rx(
    `${START}(?:the\\s+|our\\s+)?(?<word>${TOP_WORD})\\s+(?<n>-?\\d+(?:\\.\\d+)?)(?<pct>\\s*%)?(?:\\s+(?<adj>${TOP_ADJ_ALT}))?(?:\\s+(?<noun>${TOP_NOUN}))?${END}`,
  ),
  rx(
    `${START}(?:the\\s+|our\\s+)?(?<n>\\d+)(?<pct>\\s*%)?\\s+(?<adj>${TOP_ADJ_ALT})(?:\\s+(?<noun>${TOP_NOUN}))?${END}`,
  ),
  rx(
    `${START}(?:the\\s+|our\\s+)?(?<adj>${TOP_ADJ_ALT})\\s+(?<n>\\d+)(?<pct>\\s*%)?(?:\\s+(?<noun>${TOP_NOUN}))?${END}`,
  ),
  // "10 customers who spent the most": the ranking clause is read by TOP_BY_RES.
  rx(
    `${START}(?:the\\s+|our\\s+)?(?<n>\\d+)\\s+(?<noun>${TOP_NOUN})(?=\\s+(?:who|that|with|having)\\s+(?:have\\s+)?(?:(?:spent|spend|ordered|bought|purchased|returned|shopped|order|buy)\\s+)?the\\s+(?:most|highest|biggest|largest|greatest|lowest|least|smallest|fewest))`,
  ),
];
const BY_PREFIX =
  '(?:(?:ranked|sorted|ordered)\\s+)?(?:by|in\\s+terms\\s+of|based\\s+on|according\\s+to|for|on|(?:with|having)\\s+the\\s+(?:most|highest|biggest|largest|greatest|best|(?<low>lowest|least|smallest|fewest)))\\s+(?:(?:their|the|total|highest|most|number\\s+of)\\s+)*';

const TOP_BY_RES = [
  ...TOP_BY.map(([pattern, m]) => [rx(`${START}${BY_PREFIX}(?:${pattern})${END}`), m] as const),
  [
    rx(`${START}(?:who|that)\\s+(?:have\\s+)?(?:spent|spend)\\s+the\\s+(?:most|(?<low>least))${END}`),
    'spend',
  ] as const,
  [
    rx(
      `${START}(?:who|that)\\s+(?:have\\s+)?(?:ordered|bought|purchased|shop(?:ped)?|buy|order)\\s+the\\s+most(?:\\s+often)?${END}`,
    ),
    'orders',
  ] as const,
  [rx(`${START}(?:who|that)\\s+(?:have\\s+)?returned\\s+the\\s+most${END}`), 'returns'] as const,
];

function extractTop(ctx: Ctx): void {
  let found: { n: number; good: boolean; metric?: Metric; noun?: string } | undefined;
  for (const re of TOP_FORMS) {
    apply(ctx, re, (g) => {
      if (found) return null;
      if (g.pct) {
        problem(
          ctx,
          'I can only keep a number of customers, not a percentage: ask for e.g. "top 100 by spend", ' +
            'or "M score 5" for the top fifth by spend.',
        );
        return ' ';
      }
      const adj = g.adj ? TOP_ADJ.find(([p]) => compile(`^(?:${p})$`, 'i').test(g.adj!.trim())) : undefined;
      const wordGood = !['bottom', 'worst', 'lowest', 'smallest'].includes(g.word?.toLowerCase() ?? '');
      const adjGood = adj ? adj[2] : true;
      found = {
        n: Number(g.n),
        // "bottom 10 lowest spenders" is still the lowest: two "bad" words do not cancel out.
        good: wordGood && adjGood,
        metric: adj?.[1] ?? (g.noun && /^spender/i.test(g.noun) ? 'spend' : undefined),
      };
      return ' ';
    });
  }
  if (!found) return;
  let by: Metric | undefined;
  let byLow = false;
  for (const [re, m] of TOP_BY_RES) {
    if (by) break;
    apply(ctx, re, (g) => {
      if (by) return null;
      by = m;
      byLow = Boolean(g.low);
      return ' ';
    });
  }
  const chosen = by ?? found.metric ?? 'spend';
  if (!by && !found.metric) note(ctx, 'Ranked by spend (say "by orders" to rank by number of orders).');
  const good = byLow ? false : by && found.metric && found.metric !== by ? true : found.good;
  const desc = SMALL_IS_TOP.has(chosen) ? !good : good;
  ctx.top = { metric: chosen, direction: desc ? 'desc' : 'asc', limit: found.n };
}

// ---------------------------------------------------------------- RFM scores

const SCORE_NAMES: [Metric, string][] = [
  ['r_score', '(?:recency|r)[\\s-]*(?:score|rank|quintile|rating)s?|r(?=\\s+(?:>=|<=|!=|[<>=])\\s)'],
  ['f_score', '(?:frequency|f)[\\s-]*(?:score|rank|quintile|rating)s?|f(?=\\s+(?:>=|<=|!=|[<>=])\\s)'],
  ['m_score', '(?:monetary|m)[\\s-]*(?:score|rank|quintile|rating)s?|m(?=\\s+(?:>=|<=|!=|[<>=])\\s)'],
];
const SCORES = SCORE_NAMES.map(([m, names]) => ({
  metric: m,
  list: rx(`${START}(?:${names})(?:\\s+(?:of|is|=))?\\s+(?<list>\\d+(?:\\s*(?:,|or|and|/)\\s*\\d+)+)${END}`),
  spec: { metric: m, names, bare: 'eq', count: false } as MetricSpec,
}));
const SCORE_OF: Record<string, Metric> = { r: 'r_score', f: 'f_score', m: 'm_score' };

/** "4 or 5" → ≥ 4; "1, 2" → ≤ 2; "2 or 3" → 2–3; otherwise any of the values. */
function scoreSet(m: Metric, values: number[]): Condition {
  const v = [...new Set(values)].sort((a, b) => a - b);
  const lo = v[0]!;
  const hi = v.at(-1)!;
  if (v.length === 1) return metric(m, 'eq', lo);
  const contiguous = hi - lo === v.length - 1;
  if (contiguous && hi === 5) return metric(m, 'gte', lo);
  if (contiguous && lo === 1) return metric(m, 'lte', hi);
  if (contiguous) return { kind: 'range', metric: m, min: lo, max: hi };
  return { kind: 'or', conditions: v.map((x) => metric(m, 'eq', x)) };
}

const RFM_CODE = rx(
  `${START}rfm(?:\\s+(?:score|segment|cell|code|group|value))?(?:\\s+(?:of|is|=))?\\s*(?<r>\\d)\\s*[-/,.]?\\s*(?<f>\\d)\\s*[-/,.]?\\s*(?<m>\\d)${END}`,
);
const RFM_SHORT = rx(`${START}r(?<r>\\d)\\s*f(?<f>\\d)\\s*m(?<m>\\d)${END}`);
const CHAMPIONS = rx(`${START}(?:rfm\\s+)?champions?${END}`);
const SCORE_SHORT = rx(`${START}(?<l>[rfm])(?<v>\\d)(?<plus>\\+)?${END}`);

function extractRfm(ctx: Ctx): void {
  const all = (r: number, f: number, m: number, op: Comparator = 'eq'): Condition => ({
    kind: 'and',
    conditions: [metric('r_score', op, r), metric('f_score', op, f), metric('m_score', op, m)],
  });
  apply(ctx, RFM_CODE, (g) => mark(ctx, all(Number(g.r), Number(g.f), Number(g.m))));
  apply(ctx, RFM_SHORT, (g) => mark(ctx, all(Number(g.r), Number(g.f), Number(g.m))));
  apply(ctx, CHAMPIONS, () => {
    note(ctx, '"Champions" read as R, F and M scores all 4 or 5.');
    return mark(ctx, all(4, 4, 4, 'gte'));
  });
  for (const { metric: m, list, spec } of SCORES) {
    apply(ctx, list, (g) => mark(ctx, scoreSet(m, g.list!.split(/\D+/).filter(Boolean).map(Number))));
    extractMetric(ctx, spec);
  }
  apply(ctx, SCORE_SHORT, (g) =>
    mark(ctx, metric(SCORE_OF[g.l!.toLowerCase()]!, g.plus ? 'gte' : 'eq', Number(g.v))),
  );
}

// ---------------------------------------------------------------- average order value, distinct products

const AOV_NAMES =
  '(?:average|avg|mean|typical)\\s+(?:order|basket|cart|transaction|purchase|ticket|spend)(?:\\s+(?:value|size|amount|total|spend))?(?:\\s+per\\s+order)?|aov|basket\\s+(?:size|value)|cart\\s+(?:size|value)|order\\s+(?:value|size)|(?:average\\s+)?(?:spend|value)\\s+per\\s+(?:order|transaction|visit|basket|purchase)';

const SPEND_PER_ORDER = rx(
  `${START}(?:spend|spent|spends|spending)\\s+(?:on\\s+average\\s+)?(?:(?<comp>${COMP})\\s*)?(?<v>${VALUE})(?:\\s*(?<suf>${SUFFIX}))?(?:\\s+on\\s+average)?\\s+(?:per|an?|each)\\s+(?:order|basket|transaction|purchase|visit)(?:\\s+on\\s+average)?${END}`,
);

const SPEC_AVG_ORDER_VALUE: MetricSpec = {
  metric: 'avg_order_value',
  names: AOV_NAMES,
  nouns: `${AOV_NAMES}|per\\s+order|an?\\s+order|each\\s+order|on\\s+average\\s+per\\s+order`,
  bare: 'gte',
  count: false,
};

function extractAov(ctx: Ctx): void {
  // "spends over £200 per order (in the last 90 days)": with a time, the average of those days' orders.
  eachWithTime(ctx, SPEND_PER_ORDER, (m, when) => {
    const g: Groups = m.groups ?? {};
    const op = (g.comp ? comparatorOf(g.comp) : undefined) ?? suffixOp(g.suf) ?? 'gte';
    const value = parseValue(g.v!).value;
    return when
      ? mark(ctx, {
          kind: 'bought',
          ...whenOf(when),
          total: { measure: 'avg_order_value', op, value },
          negate: false,
        })
      : mark(ctx, metric('avg_order_value', op, value));
  });
  // "an average order over £300 this year": the average of that year's orders, among those who ordered then.
  purchaseTotals(ctx, [SPEC_AVG_ORDER_VALUE]);
  extractMetric(ctx, SPEC_AVG_ORDER_VALUE);
}

const DISTINCT_NOUNS =
  '(?:different|distinct|unique|separate|individual|various)\\s+(?:products?|items?|skus?|articles?|product\\s+lines?|lines|things|stock\\s*codes?)|product\\s+variety|product\\s+range';

const SPEC_DISTINCT_PRODUCTS: MetricSpec = {
  metric: 'distinct_products',
  names: `(?:(?:the\\s+)?number\\s+of\\s+)?(?:${DISTINCT_NOUNS})`,
  nouns: `${DISTINCT_NOUNS}|products?|skus?`,
  bare: 'eq',
  count: true,
};

function extractDistinct(ctx: Ctx): void {
  extractMetric(ctx, SPEC_DISTINCT_PRODUCTS);
}

// ---------------------------------------------------------------- against the average

const ABOVE = 'above|over|higher|better|greater|more|bigger|larger';
const BELOW = 'below|under|lower|less|fewer|smaller';
/** What is compared with the average, by the words for it. */
const AVERAGE_NOUNS: [string, AverageCondition['metric']][] = [
  [
    '(?:average\\s+)?order\\s+values?|aov|basket(?:\\s+(?:sizes?|values?))?|order\\s+sizes?',
    'avg_order_value',
  ],
  ['(?:different|distinct|unique)\\s+products|product\\s+variety', 'distinct_products'],
  [
    'orders|order\\s+counts?|purchases|order\\s+frequency|purchase\\s+frequency|frequency|ordered|purchased',
    'orders',
  ],
  ['spend(?:ers?|ing|s)?|spent|revenue|value', 'spend'],
];

/**
 * "above-average spenders", "spent more than average", "below average order value", "more orders than the
 * average customer": a metric against the store's average.
 */
function extractAverages(ctx: Ctx): void {
  for (const [noun, m] of AVERAGE_NOUNS) {
    const forms = [
      // "above average spenders", "higher-than-average order value"
      `(?<dir>${ABOVE}|${BELOW})(?:[\\s-]+than)?[\\s-]+(?:the\\s+)?average\\s+(?:${noun})`,
      // "spent more than average", "order value below the average", "spend is above average"
      `(?:${noun})\\s+(?:(?:is|are|was|were)\\s+)?(?:(?:a\\s+)?(?:lot|bit|much|way)\\s+)?(?<dir>${ABOVE}|${BELOW})(?:\\s+than)?\\s+(?:the\\s+)?average(?:\\s+(?:customer|shopper|buyer|amount|one))?`,
      // "more orders than average", "fewer different products than the average customer"
      `(?<dir>more|fewer|less)\\s+(?:${noun})\\s+than\\s+(?:the\\s+)?average(?:\\s+(?:customer|shopper|buyer|one))?`,
    ];
    for (const form of forms) {
      apply(ctx, rx(`${START}${form}${END}`), (g, _m, after) => {
        lifetimeOnly(ctx, `${LABEL[m][0]!.toUpperCase()}${LABEL[m].slice(1)} against the average`, after);
        const op = new RegExp(`^(?:${ABOVE})$`, 'i').test(g.dir!) ? 'above' : 'below';
        return mark(ctx, { kind: 'average', metric: m, op });
      });
    }
  }
}

// ---------------------------------------------------------------- orders

const BUYER_NOUN = '(?:buyers?|customers?|shoppers?|purchasers?|clients?|orderers?|people|users?)';
const BUY_PAST = '(?:bought|ordered|purchased|shopped)';

function lifetimeOnly(ctx: Ctx, what: string, after: string): void {
  if (!WINDOW_AFTER.test(after)) return;
  problem(
    ctx,
    `${what} is counted over each customer's whole history, so I can't limit it to a time window ` +
      `("${after.trim().split(' ').slice(0, 4).join(' ')}"). Ask for it without the window, and add ` +
      `"bought in the last N days" if you want recent buyers.`,
  );
}

const MORE_THAN_ONCE = rx(
  `${START}(?:(?:${BUY_PAST}|came\\s+back|come\\s+back)\\s+(?:(?:from|with)\\s+us\\s+)?(?:more\\s+than|over)\\s+1\\s+times?|(?:more\\s+than|over)\\s+1\\s+(?:times?|orders?|purchases?|transactions?|invoices?))${END}`,
);
const REPEAT_BUYERS = rx(
  `${START}(?:(?:repeat|recurring|repeated)(?:[\\s-]+(?:${BUYER_NOUN}|purchases?|orders?|business|purchasers?))?|returning\\s+${BUYER_NOUN}|repeaters|multi[\\s-]?(?:order|purchase|buy)(?:\\s+${BUYER_NOUN})?|(?:multiple|several|many)\\s+(?:orders|purchases|transactions)|(?:came|come)\\s+back(?:\\s+(?:and|to)\\s+(?:bought|buy|ordered|order|purchased|purchase)(?:\\s+again)?)?(?!\\s+(?:in|within|during|over|for)\\s)|(?:bought|ordered|purchased|shopped)\\s+(?:from\\s+us\\s+|with\\s+us\\s+)?again(?!\\s+(?:in|within|during|over|for)\\s))${END}`,
);
const ONE_TIME_BUYERS = rx(
  `${START}(?:(?:1|single)[\\s-]?(?:timers?|offs)|(?:1|single)(?:-(?:time|off)(?:\\s+(?:only\\s+)?(?:${BUYER_NOUN}|purchases?|orders?))?|\\s+(?:time|off)\\s+(?:${BUYER_NOUN}|purchases?|orders?))|single[\\s-]+(?:purchase|order|transaction|basket)(?:\\s+(?:${BUYER_NOUN}|only))?|1\\s+(?:purchase|order|transaction)\\s+(?:${BUYER_NOUN}|only)|(?:only|just)\\s+(?:(?:${BUY_PAST}|placed|made)\\s+)?(?:(?:from|with)\\s+us\\s+)?(?:1\\s+times?|(?:1|a\\s+single)\\s+(?:orders?|purchases?|transactions?))|${BUY_PAST}\\s+(?:(?:from|with)\\s+us\\s+)?(?:only\\s+|just\\s+)?1\\s+times?(?:\\s+only)?|(?:(?:have|has|did)\\s+)?(?:never|not)\\s+(?:bought|ordered|purchased|come\\s+back|came\\s+back|returned)\\s+again)${END}`,
);

/**
 * "repeat buyers", "one-time buyers": a lifetime order count, or with a time after them ("repeat buyers this
 * year", "one-time buyers in the last 90 days") the count of orders in that time, among those who bought then.
 */
function extractOrderPhrases(ctx: Ctx): void {
  // The user's words are gone by now ("one" reads as 1): notes name each phrase as a marketer says it.
  const phrases: [RegExp, Pick<MetricCondition, 'op' | 'value'>, string, string, string][] = [
    [MORE_THAN_ONCE, { op: 'gte', value: 2 }, '2 or more orders', 'bought more than once', 'and bought'],
    [REPEAT_BUYERS, { op: 'gte', value: 2 }, '2 or more orders', 'repeat buyers', 'who bought'],
    [ONE_TIME_BUYERS, { op: 'eq', value: 1 }, 'exactly 1 order', 'one-time buyers', 'who bought'],
  ];
  for (const [re, total, words, said, join] of phrases) {
    eachWithTime(ctx, re, (m, when) => {
      if (!when) {
        lifetimeOnly(ctx, 'Number of orders', ctx.text.slice(m.index + m[0].length));
        return mark(ctx, metric('orders', total.op, total.value));
      }
      const time = ctx.text.slice(m.index + m[0].length, m.index + m[0].length + when.length).trim();
      note(
        ctx,
        `Read "${said} ${time}" as ${words} ${time}. For customers with ${words} in all who bought ` +
          `${time}, ask for "${said} ${join} ${time}".`,
      );
      return mark(ctx, {
        kind: 'bought',
        ...whenOf(when),
        total: { measure: 'orders', ...total },
        negate: false,
      });
    });
  }
}

const SPEC_ORDERS: MetricSpec = {
  metric: 'orders',
  names:
    '(?:(?:the\\s+)?(?:total|number|count)\\s+of\\s+|total\\s+)?(?:orders|purchases|transactions|invoices|baskets|checkouts)|order\\s+count|purchase\\s+count|(?:purchase\\s+|order\\s+)?frequency',
  nouns:
    '(?:(?:separate|different|distinct|total|individual)\\s+)?(?:orders?|purchases?|transactions?|invoices?|baskets?|checkouts?)|times?',
  bare: 'eq',
  count: true,
  lifetime: true,
};

function extractOrders(ctx: Ctx): void {
  extractMetric(ctx, SPEC_ORDERS);
}

// ---------------------------------------------------------------- spend

const SPEC_SPEND: MetricSpec = {
  metric: 'spend',
  names:
    '(?:big|high|heavy|top|large)\\s+spenders?|(?:total\\s+|lifetime\\s+|overall\\s+)?(?:spent|spend|spends|spending|spenders?|revenue|sales|value|worth|valued\\s+at)|customer\\s+lifetime\\s+value|lifetime\\s+value|ltv|clv|cltv|monetary\\s+value|gmv|(?:purchases?|orders?)\\s+(?:worth|totall?ing)|(?:bought|purchased|ordered|shopped)\\s+for|paid|generated|brought\\s+in|contributed',
  nouns:
    '(?:total\\s+|lifetime\\s+)?(?:spend|spending|spent|revenue|sales|value|ltv|clv|lifetime\\s+value)|spenders?|worth\\s+of\\s+(?:purchases|orders|products|goods)',
  bare: 'gte',
  count: false,
  lifetime: true,
  trailing: '(?:\\s+(?:in|of)\\s+(?:revenue|sales|spend|value|purchases))?',
};

function extractSpend(ctx: Ctx): void {
  extractMetric(ctx, SPEC_SPEND);
}

// ---------------------------------------------------------------- returns

const OBJECT =
  '(?:anything|something|any(?:thing)?|items?|products?|a\\s+thing|an?\\s+(?:item|product|order)|goods|stuff|orders?|purchases?|things)';
const NO_RETURNS = rx(
  `${START}(?:(?:no|zero|without(?:\\s+any)?)\\s+(?:returns?|refunds?|returned\\s+(?:items?|products?|orders?|goods))|(?:(?:have|has|had|did|do|does)\\s+)?(?:never|not)\\s+(?:ever\\s+)?(?:returned|return|made\\s+(?:a|any)\\s+returns?|had\\s+(?:a|any)\\s+returns?)(?:\\s+${OBJECT})?|return[\\s-]free)${END}`,
);
const SOME_RETURNS = rx(
  `${START}(?:(?:returned|returning)\\s+(?:some\\s+)?${OBJECT}|(?:with|has|have|had|made|making)\\s+(?:a\\s+|any\\s+|some\\s+)?(?:returns?|refunds?)|returners?|(?:who\\s+)?(?:returned|returning)(?:\\s+(?:some\\s+)?${OBJECT})?)${END}`,
);

const SPEC_RETURNS: MetricSpec = {
  metric: 'returns',
  names:
    '(?:(?:the\\s+)?number\\s+of\\s+)?(?:returns|refunds|cancell?ations)|return\\s+count|returned(?:\\s+(?:items?|products?|goods|orders?|things|stuff|something|purchases?))?',
  nouns:
    'returns?|refunds?|returned\\s+(?:items?|products?|orders?|goods)|cancell?ations?|return\\s+lines?|cancelled\\s+orders?',
  bare: 'eq',
  count: true,
  trailing: '(?:\\s+(?:times?|items?|products?|things|orders?))?',
};

function extractReturns(ctx: Ctx): void {
  extractMetric(ctx, SPEC_RETURNS);
  returnsSaid(ctx, NO_RETURNS, true);
  returnsSaid(ctx, SOME_RETURNS, false);
}

/**
 * Returns said with no count: of all time ("with returns": returns ≥ 1, "never returned": returns = 0), or in
 * the time said right after them ("returned something last month", "no returns in the last 90 days"), which
 * is when the return happened, not when they bought.
 */
function returnsSaid(ctx: Ctx, re: RegExp, none: boolean): void {
  eachWithTime(ctx, re, (_m, when) =>
    when
      ? mark(ctx, { kind: 'returned', ...whenOf(when), negate: none })
      : mark(ctx, none ? metric('returns', 'eq', 0) : metric('returns', 'gte', 1)),
  );
}

// ---------------------------------------------------------------- tenure (first purchase) and recency (last)

/** Operator from a comparator word, a "+" in the duration, or the default. */
function durationOp(g: Groups, fallback: Comparator): Comparator {
  if (g.comp) return comparatorOf(g.comp) ?? fallback;
  if (g.suf) return suffixOp(g.suf) ?? fallback;
  if (g.later) return 'gte';
  if (g.dur?.includes('+')) return 'gte';
  return fallback;
}

const FIRST =
  '(?:(?:their|the|a)\\s+)?first\\s+(?:purchase|order|bought|ordered|purchased|transaction|shopped|buy|seen)(?:\\s+(?:date|was|is|made|placed|happened))*';
const LAST =
  '(?:(?:(?:their|the|a)\\s+)?(?:last|latest|most\\s+recent)\\s+(?:purchase|order|purchased|bought|ordered|transaction|activity|visit|shopped|seen|buy)|stopped\\s+(?:buying|ordering|shopping|purchasing)(?:\\s+(?:from|with)\\s+us)?)(?:\\s+(?:date|was|is|made|placed|happened))*';
const OLDER_SUFFIX = '(?:\\s+(?<suf>or\\s+more|or\\s+longer|plus|or\\s+less|or\\s+fewer))?';

const CUSTOMER_FOR = rx(
  `${START}(?:been\\s+)?(?:(?:a|our)\\s+)?(?:customers?|clients?|shoppers?|members?|buyers?|with\\s+us|shopping\\s+with\\s+us|(?:buying|ordering|shopping|purchasing)(?:\\s+(?:from|with)\\s+us)?|around|on\\s+board|on\\s+the\\s+books|loyal)\\s+for\\s+(?:(?<comp>${COMP})\\s*)?(?<dur>${DURATION})${OLDER_SUFFIX}${END}`,
);
const CUSTOMER_SINCE = rx(
  `${START}(?:customers?|clients?)\\s+since\\s+(?:(?<comp>${COMP})\\s*)?(?<dur>${DURATION})\\s+ago${END}`,
);
const TENURE_RANGE = rx(
  `${START}(?:tenure|customer\\s+age|account\\s+age|days\\s+since\\s+(?:(?:their|the)\\s+)?first\\s+(?:purchase|order))(?:\\s+(?:of|is))?\\s+(?:between|from)\\s+(?<a>\\d+(?:\\.\\d+)?)\\s*(?:and|to|-)\\s*(?<dur>${DURATION_OR_DAYS})${END}`,
);
const TENURE_COMPARED = rx(
  `${START}(?:tenure|customer\\s+age|account\\s+age|days\\s+since\\s+(?:(?:their|the)\\s+)?first\\s+(?:purchase|order))(?:\\s+(?:of|is))?\\s+(?:(?<comp>${COMP})\\s*)?(?<dur>${DURATION_OR_DAYS})(?:\\s*(?<suf>${SUFFIX}))?${END}`,
);
const FIRST_PURCHASE_AGO = rx(
  `${START}${FIRST}\\s+(?:(?<comp>${COMP})\\s*)?(?<dur>${DURATION})${OLDER_SUFFIX}\\s+ago${END}`,
);
const FIRST_PURCHASE_WITHIN = rx(`${START}${FIRST}\\s+(?<w>${WINDOW})${END}`);
const JOINED_WITHIN = rx(
  `${START}(?:(?:joined|signed\\s+up|registered|acquired|onboarded|started\\s+(?:buying|shopping|ordering)|became\\s+(?:a\\s+)?customers?|came\\s+on\\s+board|converted|first[\\s-]time\\s+${BUYER_NOUN}|(?:brand\\s+)?new(?:\\s+(?:${BUYER_NOUN}|members?|sign[\\s-]?ups?|accounts?))?)\\s+(?:(?:who|that)\\s+)?(?:(?:joined|signed\\s+up|registered|arrived|came|were\\s+acquired|started)\\s+)?)(?<w>${WINDOW})${END}`,
);
// "first bought in March", "made their first purchase in 2025", "new customers in Q3", "joined since January".
const FIRST_PURCHASE_IN_CALENDAR = rx(`${START}${FIRST}\\s+(?<cal>${PURCHASE_PHRASE})${END}`);
const JOINED_IN_CALENDAR = rx(
  `${START}(?:joined|signed\\s+up|registered|acquired|onboarded|started\\s+(?:buying|shopping|ordering)|became\\s+(?:a\\s+)?customers?|came\\s+on\\s+board|converted|first[\\s-]time\\s+${BUYER_NOUN}|(?:brand\\s+)?new(?:\\s+(?:${BUYER_NOUN}|members?|sign[\\s-]?ups?|accounts?))?)\\s+(?:(?:who|that)\\s+)?(?:(?:joined|signed\\s+up|registered|arrived|came|were\\s+acquired|started)\\s+)?(?<cal>${PURCHASE_PHRASE})${END}`,
);
const JOINED_AGO = rx(
  `${START}(?:joined|signed\\s+up|registered|acquired|onboarded|became\\s+(?:a\\s+)?customers?|started\\s+(?:buying|shopping|ordering))\\s+(?:(?<comp>${COMP})\\s*)?(?<dur>${DURATION})${OLDER_SUFFIX}\\s+ago${END}`,
);
const LONG_STANDING = rx(
  `${START}(?:long[\\s-]?standing|long[\\s-]?time|veteran)(?:\\s+${BUYER_NOUN})?${END}`,
);

function extractTenure(ctx: Ctx): void {
  const tenure = (op: Comparator) => (g: Groups) =>
    mark(ctx, metric('tenure_days', durationOp(g, op), noteDuration(ctx, g.dur ?? g.w!)));
  const firstIn = (g: Groups) => {
    const period = purchasePeriodOf(g.cal!);
    return period ? mark(ctx, { kind: 'first_purchase', period }) : null;
  };
  apply(ctx, FIRST_PURCHASE_IN_CALENDAR, firstIn);
  apply(ctx, JOINED_IN_CALENDAR, firstIn);
  apply(ctx, CUSTOMER_FOR, tenure('gte'));
  apply(ctx, CUSTOMER_SINCE, tenure('gte'));
  apply(ctx, TENURE_RANGE, (g) => rangeOf(ctx, 'tenure_days', g));
  apply(ctx, TENURE_COMPARED, tenure('gte'));
  apply(ctx, FIRST_PURCHASE_AGO, tenure('gte'));
  apply(ctx, FIRST_PURCHASE_WITHIN, tenure('lte'));
  apply(ctx, JOINED_WITHIN, tenure('lte'));
  apply(ctx, JOINED_AGO, tenure('gte'));
  apply(ctx, LONG_STANDING, () => {
    note(ctx, '"Long-standing" read as first purchase at least a year (365 days) ago.');
    return mark(ctx, metric('tenure_days', 'gte', 365));
  });
}

function rangeOf(ctx: Ctx, m: Metric, g: Groups): string {
  const hi = parseDuration(g.dur!);
  const factor = Number.isFinite(Number(g.dur))
    ? 1
    : hi.days / Number(g.dur!.match(/\d+(?:\.\d+)?/)?.[0] ?? 1);
  if (hi.approximate)
    note(ctx, `Read "${g.a} to ${hi.said}" as ${Math.round(Number(g.a) * factor)} to ${hi.days} days.`);
  return mark(ctx, { kind: 'range', metric: m, min: Math.round(Number(g.a) * factor), max: hi.days });
}

const ACT =
  '(?:bought|ordered|purchased|shopped|spent|transacted|engaged|visited|been\\s+active|been\\s+back|been\\s+seen|been\\s+in|come\\s+back|came\\s+back|made\\s+(?:a|an|any)\\s+(?:purchases?|orders?)|placed\\s+(?:an?|any)\\s+orders?|had\\s+(?:a|an|any)\\s+(?:purchases?|orders?)|active|seen|buy|order|purchase|shop)';
const ACT_OBJECT =
  '(?:\\s+(?:anything|something|again|from\\s+us|with\\s+us|at\\s+all|online|a\\s+thing|any))*';
const NOT = '(?:(?:have|has|had|did|do|does)\\s+)?(?:not|never|no\\s+longer)\\s+(?:ever\\s+)?';
const GAP = '\\s+(?:(?:in|for|within|during|over|since|the)\\s+)*(?:(?:last|past|previous)\\s+)?';

const RECENCY_NAMES =
  '(?:recency(?:\\s+days)?|days\\s+since\\s+(?:(?:their|the)\\s+)?last\\s+(?:purchase|order)|days\\s+inactive)';
const NOT_BOUGHT_FOR = rx(
  `${START}${NOT}${ACT}${ACT_OBJECT}${GAP}(?:(?<comp>${COMP})\\s*)?(?<dur>${DURATION})(?:\\s+ago)?${OLDER_SUFFIX}${END}`,
);
const NOT_BOUGHT_RECENTLY = rx(
  `${START}${NOT}${ACT}${ACT_OBJECT}\\s+(?:recently|lately|in\\s+a\\s+while|for\\s+a\\s+while|in\\s+ages|for\\s+ages|in\\s+a\\s+long\\s+time|for\\s+a\\s+long\\s+time)${END}`,
);
const NO_PURCHASE_FOR = rx(
  `${START}no\\s+(?:purchases?|orders?|activity|transactions?|sales?|buys|shopping|invoices?|spend)${GAP}(?:(?<comp>${COMP})\\s*)?(?<dur>${DURATION})${END}`,
);
const INACTIVE_FOR = rx(
  `${START}(?:inactive|dormant|lapsed|quiet|absent|silent|idle|churned|gone|away|unseen|asleep)${GAP}(?:(?<comp>${COMP})\\s*)?(?<dur>${DURATION})${OLDER_SUFFIX}${END}`,
);
const LAST_PURCHASE_AGO = rx(
  `${START}${LAST}\\s+(?:(?<comp>${COMP})\\s*)?(?<dur>${DURATION})${OLDER_SUFFIX}\\s+ago(?:\\s+(?<later>or\\s+(?:more|longer|earlier|before)))?${END}`,
);
const LAST_PURCHASE_COMPARED = rx(`${START}${LAST}\\s+(?<comp>${COMP})\\s*(?<dur>${DURATION})${END}`);
const LAST_PURCHASE_BEFORE = rx(
  `${START}${LAST}\\s+(?:before|earlier\\s+than)\\s+(?:the\\s+)?(?:last|past)\\s+(?<dur>${DURATION})${END}`,
);
const LAST_PURCHASE_RANGE = rx(
  `${START}${LAST}\\s+(?:between|from)?\\s*(?<a>\\d+(?:\\.\\d+)?)\\s*(?:and|to|-)\\s*(?<dur>${DURATION})\\s+ago${END}`,
);
const LAST_PURCHASE_WITHIN = rx(`${START}${LAST}\\s+(?<w>${WINDOW})${END}`);
const SINCE_LAST_PURCHASE = rx(
  `${START}(?:(?<comp>${COMP})\\s*)?(?<dur>${DURATION})${OLDER_SUFFIX}\\s+(?:since|from)\\s+(?:(?:their|the|a|his|her)\\s+)?(?:last|latest|most\\s+recent)\\s+(?:purchase|order|transaction|visit)${END}`,
);
const RECENCY_RANGE = rx(
  `${START}${RECENCY_NAMES}(?:\\s+(?:of|is))?\\s+(?:between|from)\\s+(?<a>\\d+(?:\\.\\d+)?)\\s*(?:and|to|-)\\s*(?<dur>${DURATION_OR_DAYS})${END}`,
);
const RECENCY_COMPARED = rx(
  `${START}${RECENCY_NAMES}(?:\\s+(?:of|is))?\\s+(?:(?<comp>${COMP})\\s*)?(?<dur>${DURATION_OR_DAYS})(?:\\s*(?<suf>${SUFFIX}))?${END}`,
);
const BOUGHT_WITHIN = rx(
  `${START}(?:(?:have|has|had|who)\\s+)?(?:recent\\s+(?:${BUYER_NOUN}|purchases?|orders?)|(?:recently\\s+)?(?:bought|ordered|purchased|shopped|been\\s+active|were\\s+active|was\\s+active|active|purchasing|buying|ordering|shopping|transacted|engaged|visited|been\\s+seen|seen|came\\s+back|come\\s+back|made\\s+(?:a|an|any)\\s+(?:purchases?|orders?)|placed\\s+(?:an?|any)\\s+orders?|had\\s+(?:a|an|any)\\s+(?:purchases?|orders?)|(?:a|any)\\s+(?:purchases?|orders?)|buy|order|purchase|shop))${ACT_OBJECT}\\s+(?<w>${WINDOW})${END}`,
);

function extractRecency(ctx: Ctx): void {
  const recency = (op: Comparator) => (g: Groups) =>
    mark(ctx, metric('recency_days', durationOp(g, op), noteDuration(ctx, g.dur ?? g.w!)));
  apply(ctx, NOT_BOUGHT_FOR, recency('gt'));
  apply(ctx, NOT_BOUGHT_RECENTLY, () => {
    note(ctx, '"Not recently" read as no purchase in the last 90 days (the "active" threshold).');
    return mark(ctx, metric('recency_days', 'gt', 90));
  });
  apply(ctx, NO_PURCHASE_FOR, recency('gt'));
  apply(ctx, INACTIVE_FOR, recency('gt'));
  apply(ctx, LAST_PURCHASE_AGO, recency('gte'));
  apply(ctx, LAST_PURCHASE_COMPARED, recency('gte'));
  apply(ctx, LAST_PURCHASE_BEFORE, recency('gt'));
  apply(ctx, LAST_PURCHASE_WITHIN, recency('lte'));
  apply(ctx, LAST_PURCHASE_RANGE, (g) => rangeOf(ctx, 'recency_days', g));
  apply(ctx, SINCE_LAST_PURCHASE, recency('gte'));
  apply(ctx, RECENCY_RANGE, (g) => rangeOf(ctx, 'recency_days', g));
  apply(ctx, RECENCY_COMPARED, recency('eq'));
  apply(ctx, BOUGHT_WITHIN, recency('lte'));
}

// ---------------------------------------------------------------- words without numbers

const BIG_SPENDERS = rx(
  `${START}(?:(?:big|high|heavy|top|large|biggest|major|best|high[\\s-]value|high[\\s-]spending|valuable|most\\s+valuable|premium|vip)\\s+(?:spenders?|${BUYER_NOUN}|accounts?)|vips?|whales|big\\s+spenders|high\\s+rollers|high[\\s-]value|high[\\s-]spending|(?:used\\s+to\\s+)?spen(?:d|ds|t|ding)\\s+(?:a\\s+lot|lots|heavily|big|loads)(?:\\s+(?:with|at)\\s+us)?)${END}`,
);
const LOW_SPENDERS = rx(
  `${START}(?:(?:low|small|light|low[\\s-]value|low[\\s-]spending)\\s+(?:spenders?|${BUYER_NOUN}|value\\s+customers)|bargain\\s+hunters)${END}`,
);
const FREQUENT_BUYERS = rx(
  `${START}(?:(?:frequent|regular|loyal)\\s+(?:${BUYER_NOUN})|regulars|loyalists|frequent|loyal)${END}`,
);
const OCCASIONAL_BUYERS = rx(`${START}(?:infrequent|occasional|rare|irregular)\\s+(?:${BUYER_NOUN})${END}`);
const RECENT_BUYERS = rx(
  `${START}(?:(?:recent|recently\\s+active)\\s+(?:${BUYER_NOUN}|purchasers?)|(?:${BUY_PAST}|active)\\s+(?:recently|lately)|recently\\s+(?:${BUY_PAST}|active))${END}`,
);

function extractValueWords(ctx: Ctx): void {
  // "high-value lapsed: spend over £1,000": the amount said is the definition, the adjective only a title.
  const spendSaid =
    ctx.text.includes(MONEY) ||
    ctx.conditions.some((c) => (c.kind === 'metric' || c.kind === 'range') && c.metric === 'spend');
  const scoreWord = (m: Metric, op: Comparator, v: number, reading: string) => (_g: Groups, said: string) => {
    if (m === 'm_score' && spendSaid) return ' ';
    note(ctx, `"${said.trim()}" read as ${reading}.`);
    return mark(ctx, metric(m, op, v));
  };
  apply(ctx, BIG_SPENDERS, scoreWord('m_score', 'gte', 4, 'M score 4 or 5 (the top 40% by spend)'));
  apply(ctx, LOW_SPENDERS, scoreWord('m_score', 'lte', 2, 'M score 1 or 2 (the bottom 40% by spend)'));
  apply(
    ctx,
    FREQUENT_BUYERS,
    scoreWord('f_score', 'gte', 4, 'F score 4 or 5 (the top 40% by number of orders)'),
  );
  apply(
    ctx,
    OCCASIONAL_BUYERS,
    scoreWord('f_score', 'lte', 2, 'F score 1 or 2 (the bottom 40% by number of orders)'),
  );
  apply(ctx, RECENT_BUYERS, scoreWord('recency_days', 'lte', 30, 'bought in the last 30 days'));
}

// ---------------------------------------------------------------- products and categories

const GENERIC_NOUNS = new Set([
  'items',
  'item',
  'products',
  'product',
  'stuff',
  'things',
  'goods',
  'merchandise',
  'merch',
]);
const CATEGORY_FILLER = new Set([
  ...GENERIC_NOUNS,
  'decorations',
  'decoration',
  'decor',
  'gifts',
  'gift',
  'bits',
  'ware',
  'supplies',
  'range',
  'category',
  'section',
  'department',
  'collection',
  'line',
  'lines',
]);
/**
 * Other words for the default categories. Every word of a category's own name also names it ("candles" →
 * Candles & Lights, "games" → Toys & Games); a longer phrase ("lunch bags", "fairy lights") is a product name.
 */
const CATEGORY_WORDS: Record<string, string[]> = {
  Christmas: ['xmas', 'festive'],
  'Kitchen & Dining': ['kitchenware', 'tableware'],
  Stationery: ['stationary'],
  'Garden & Outdoor': ['gardening', 'outdoors'],
  'Jewellery & Accessories': ['jewelry'],
  'Home Decor': ['home decoration', 'homeware', 'homewares'],
};
/** Product nouns from the category rules ("mug", "candle", "lantern"), to read "mug buyers". */
const PRODUCT_NOUNS = [
  ...new Set(
    CATEGORY_RULES.flatMap((r) =>
      (r.pattern.match(/\(([^)]*)\)/)?.[1] ?? '')
        .split('|')
        .map((w) => w.replace(/s\?$|\?$/g, '').replace(/\\/g, '')),
    ).filter((w) => /^[a-z][a-z -]+$/.test(w)),
  ),
];

const norm = (s: string) =>
  s
    .toLowerCase()
    .replace(/\s*(?:&|\band\b|\bn\b)\s*/g, ' & ')
    .replace(/\s+/g, ' ')
    .trim();

interface CategoryIndex {
  byWord: Map<string, string>;
  /** Full category names as regex sources ("kitchen\s*(?:&|and)\s*dining"), longest first. */
  names: { source: string; name: string }[];
  /** "candle buyers", "Christmas shoppers". */
  buyers: RegExp;
}
const categoryCache = new WeakMap<object, CategoryIndex>();

function categoryIndex(vocab: Vocabulary): CategoryIndex {
  const cached = categoryCache.get(vocab.categories);
  if (cached) return cached;
  const byWord = new Map<string, string>();
  for (const name of vocab.categories) {
    byWord.set(norm(name), name);
    for (const w of name.toLowerCase().split(/[\s&]+/)) {
      if (w.length < 3 || w === 'and' || byWord.has(w)) continue;
      byWord.set(w, name);
      byWord.set(singular(w), name);
    }
    for (const w of CATEGORY_WORDS[name] ?? []) byWord.set(w, name);
  }
  const names = [...vocab.categories]
    .sort((a, b) => b.length - a.length)
    .map((name) => ({
      name,
      source: name
        .toLowerCase()
        .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        .replace(/\s*&\s*/g, '\\s*(?:&|and|n)\\s*')
        .replace(/ /g, '\\s+'),
    }));
  const alternatives = [
    ...names.map((n) => n.source),
    ...[...byWord.keys()].map((w) => w.replace(/ & /g, '\\s*(?:&|and)\\s*').replace(/ /g, '\\s+')),
    ...PRODUCT_NOUNS.flatMap((w) => [`${w}s`, w]).map((w) => w.replace(/ /g, '\\s+')),
  ].sort((a, b) => b.length - a.length);
  const buyers = rx(
    `${START}(?<x>${alternatives.join('|')})\\s+(?:buyers?|shoppers?|purchasers?|lovers|fans|customers?)${END}`,
  );
  const index = { byWord, names, buyers };
  categoryCache.set(vocab.categories, index);
  return index;
}

function singular(word: string): string {
  if (word.length <= 3 || /(?:ss|us|is)$/i.test(word)) return word;
  if (/ies$/i.test(word)) return `${word.slice(0, -3)}y`;
  if (/(?:ches|shes|xes|sses|zes)$/i.test(word)) return word.slice(0, -2);
  if (/s$/i.test(word)) return word.slice(0, -1);
  return word;
}

/** Words that end a product phrase: connectors, filler, time words, other features. */
const PRODUCT_STOP = new Set(
  `in within during from with and or but nor plus who whom that which whose where when while since
   before after over under above below more less fewer least most than between exactly at by to for on
   of as so then because not no excluding except without neither either last past this ever again
   recently lately times time only also yet still are is was were have has had customers customer
   clients people shoppers buyers users anything something all any the a an our their them those these
   every each us we you me it spent spend spending orders returns returned bought buy buys purchased
   purchase ordered got shopped live lives living based located new active lapsed churned dormant
   at-risk across outside non lots lot loads plenty many today yesterday tonight week month year`.split(
    /\s+/,
  ),
);

interface ProductItem {
  match: ProductMatch;
  joiner?: 'and' | 'or';
  /** "candles but not mugs": this one is negated. */
  except?: boolean;
}

function isCapsWord(w: string): boolean {
  return /^[A-Z0-9][A-Z0-9&'./-]*$/.test(w) && /[A-Z]/.test(w);
}

/** 'strict' after "anything from" (must be a category), 'soft' after a bare "from" (a category or nothing). */
type Intent = 'none' | 'soft' | 'strict';

/** Reads one product, category or stock code at the start of `rest`; returns it and the length read. */
function readProduct(
  ctx: Ctx,
  rest: string,
  intentIn: Intent,
  first: boolean,
): { match: ProductMatch; length: number } | null {
  let intent = intentIn;
  const countries = countryIndex(ctx.vocab);
  const id = rest.match(
    /^(?:(?:products?|items?|skus?|stock\s*codes?|codes?|articles?)\s*(?:no|number|id|code)?\s*)?(\d{5}[a-z]{0,2}|[a-z]{1,4}\d{3,}[a-z0-9]*)(?![\w§])/i,
  );
  if (id) return { match: { productId: id[1]!.toUpperCase() }, length: id[0].length };
  const quoted = rest.match(/^"([^"]{2,})"/);
  if (quoted) {
    const category = categoryIndex(ctx.vocab).byWord.get(norm(quoted[1]!));
    return {
      match: category ? { categoryContains: category } : { nameContains: quoted[1]!.trim() },
      length: quoted[0].length,
    };
  }
  for (const { source, name } of categoryIndex(ctx.vocab).names) {
    const m = rest.match(
      compile(
        `^${source}(?:\\s+(?:items?|products?|stuff|things|goods|range|category|section|department|collection|decorations?|gifts?))*(?![\\w§])`,
        'i',
      ),
    );
    // "Christmas tree" is a product, not the Christmas category.
    const next = rest
      .slice(m?.[0].length ?? 0)
      .match(/^\s+([a-z][\w'-]*)/i)?.[1]
      ?.toLowerCase();
    if (m && !(next && !PRODUCT_STOP.has(next) && !countryIndex(ctx.vocab).lookup(next))) {
      return { match: { categoryContains: name }, length: m[0].length };
    }
  }
  const words = [...rest.matchAll(/\S+/g)];
  const taken: string[] = [];
  const ends: number[] = [];
  const caps = words[0] && isCapsWord(words[0][0]) && words[1] && isCapsWord(words[1][0]);
  for (const w of words) {
    const word = w[0];
    if (caps) {
      if (!(isCapsWord(word) || /^\d+$/.test(word)) || taken.length >= 12) break;
    } else {
      const lower = word.toLowerCase();
      if (!/^[a-z][a-z0-9'-]*$/i.test(word) && word !== '&') break;
      if (PRODUCT_STOP.has(lower) || taken.length >= 6) break;
      if (taken.length === 0 && (word === '&' || countries.lookup(lower))) break;
    }
    taken.push(word);
    ends.push((w.index ?? 0) + word.length);
  }
  while (taken.at(-1) === '&' || (caps && /^\d+$/.test(taken.at(-1) ?? ''))) {
    taken.pop();
    ends.pop();
  }
  if (!taken.length) return null;
  let end = ends.at(-1)!;
  let phrase = taken.join(' ');
  const trailing = rest
    .slice(end)
    .match(/^\s+(?:category|range|section|department|collection|line)(?![\w§])/i);
  if (trailing) {
    end += trailing[0].length;
    intent = 'strict';
  }
  const onIt = rest.slice(end).match(/^\s+(?:on\s+(?:it|them)|in\s+(?:the|its|their)\s+names?)(?![\w§])/i);
  if (onIt) end += onIt[0].length;
  if (caps && intent === 'none') return { match: { nameContains: phrase }, length: end };
  const lowerWords = phrase.toLowerCase().split(' ');
  const categoryWords = lowerWords.filter((w) => !CATEGORY_FILLER.has(w));
  const category = categoryIndex(ctx.vocab).byWord.get(norm(categoryWords.join(' ')));
  if (category && categoryWords.length) return { match: { categoryContains: category }, length: end };
  if (intent === 'soft') return null;
  if (intent === 'strict') {
    const known = ctx.vocab.categories.join(', ') || 'none yet (import some data first)';
    problem(ctx, `There is no category "${phrase}". Categories: ${known}.`);
    return { match: { categoryContains: phrase }, length: end };
  }
  const nameWords = lowerWords.length > 1 ? lowerWords.filter((w) => !GENERIC_NOUNS.has(w)) : lowerWords;
  if (!nameWords.length || (!first && nameWords.every((w) => PRODUCT_STOP.has(w)))) return null;
  nameWords[nameWords.length - 1] = singular(nameWords.at(-1)!);
  phrase = nameWords.join(' ');
  if (phrase.length < 2) return null;
  return { match: { nameContains: phrase }, length: end };
}

// ---------------------------------------------------------------- purchases in a calendar period

const CAL_ACT =
  '(?:bought|ordered|purchased|shopped|made\\s+(?:a|an|any)\\s+(?:purchases?|orders?)|placed\\s+(?:an?|any)\\s+orders?|(?:been|were|was)\\s+active|active|buy|order|purchase|shop)';
const BOUGHT_IN_CALENDAR = rx(
  `${START}(?:(?<neg>${NOT})|(?:(?:have|has|had|who)\\s+))?${CAL_ACT}${ACT_OBJECT}\\s+(?<cal>${PURCHASE_PHRASE})(?:\\s*,?\\s*but\\s+not\\s+(?<not>${PURCHASE_PHRASE}|(?:the\\s+)?${NAMED_DAY_PHRASE}))?${END}`,
);
const NO_PURCHASE_IN_CALENDAR = rx(
  `${START}no\\s+(?:purchases?|orders?|activity|transactions?|sales?|buys|shopping|invoices?)\\s+(?<cal>${PURCHASE_PHRASE})${END}`,
);

/**
 * "bought in March", "haven't bought since January", "no orders in Q3 2025": any purchase in a calendar
 * period, or none. Runs before the products, which would read "in March" as a product called March.
 */
function extractCalendarPurchases(ctx: Ctx): void {
  const purchase = (negate: boolean) => (g: Groups) => {
    const period = purchasePeriodOf(g.cal!);
    if (!period) return null;
    // "bought in Q4 last year but not this year": and no purchase in the second period.
    const not = g.not ? purchasePeriodOf(g.not) : undefined;
    if (g.not && !not) return null;
    const first = mark(ctx, { kind: 'bought', period, negate });
    return not ? `${first} and ${mark(ctx, { kind: 'bought', period: not, negate: !negate })}` : first;
  };
  apply(ctx, BOUGHT_IN_CALENDAR, (g) => purchase(Boolean(g.neg))(g));
  apply(ctx, NO_PURCHASE_IN_CALENDAR, purchase(true));
}

const BUY =
  '(?:(?<neg>never|not|(?:have|has|had|did|do|does)\\s+(?:not|never)|without|no\\s+longer)\\s+(?:(?:ever|yet|already|once)\\s+)?)?(?:(?:ever|also|recently|previously|already)\\s+)?(?:bought|buy|buys|buying|purchased|purchase|purchasing|ordered|order|ordering|got|shopped\\s+for|picked\\s+up|(?:buyers|purchasers|shoppers|fans)\\s+of)\\s+';

const BUY_VERB = rx(`${START}${BUY}`);

function extractProducts(ctx: Ctx): void {
  const verb = BUY_VERB;
  let from = 0;
  let previous: { end: number; negate: boolean } | undefined;
  for (;;) {
    verb.lastIndex = from;
    const v = verb.exec(ctx.text);
    if (!v) break;
    const start = v.index;
    let pos = start + v[0].length;
    let intent: Intent = 'none';
    const lead = ctx.text
      .slice(pos)
      .match(
        /^(?:(?:the|a|an|some|any|our|their|both|either|at\s+least\s+1|1\s+of\s+(?:the|our))\s+)*(?:(?<generic>(?:anything|something|items?|products?|stuff|goods|things)\s+)?(?<from>from|in)\s+(?:the\s+|our\s+)?|(?:anything|something|items?|products?|stuff|things)\s+(?:with|called|named|containing|labelled|saying)\s+(?:(?:the\s+)?words?\s+)?|(?:anything|something)\s+)?/i,
      );
    if (lead) {
      pos += lead[0].length;
      if (lead.groups?.from) intent = lead.groups.generic ? 'strict' : 'soft';
    }
    const items: ProductItem[] = [];
    let joiner: 'and' | 'or' | undefined;
    let except = false;
    for (;;) {
      const item = readProduct(ctx, ctx.text.slice(pos), intent, items.length === 0);
      if (!item) break;
      items.push({ match: item.match, joiner, except });
      pos += item.length;
      const sep = ctx.text
        .slice(pos)
        .match(
          /^\s*(?:,\s*)?(?:(?<not>(?:but|and)\s+not|except(?:\s+for)?|excluding|but\s+no)|(?<j>or|and|&|,))\s+(?:(?:the|a|an|some|any)\s+)?/i,
        );
      if (!sep) break;
      const next = ctx.text.slice(pos + sep[0].length);
      const peek = next.match(/^(?:[A-Za-z"][\w'-]*|\d{5}[a-z]{0,2}(?![\w§]))/i)?.[0]?.toLowerCase() ?? '';
      if (!peek || PRODUCT_STOP.has(peek) || countryIndex(ctx.vocab).lookup(peek)) break;
      if (!readProductPeek(ctx, next, intent)) break;
      except = Boolean(sep.groups?.not);
      joiner = except ? 'and' : sep.groups?.j?.toLowerCase() === 'or' ? 'or' : 'and';
      pos += sep[0].length;
    }
    if (!items.length) {
      from = start + v[0].length;
      continue;
    }
    const when = readWhen(ctx, ctx.text.slice(pos));
    if (when) pos += when.length;
    // "bought Christmas stuff but not in the last 90 days": bought it, and not recently.
    // ...or "bought candles in 2011 but not since March": in one period, and not in another.
    const but = ctx.text.slice(pos).match(/^\s*(?:,\s*)?but\s+not(?=\s)/i);
    const notWhen = but ? readWhen(ctx, ctx.text.slice(pos + but[0].length), true) : null;
    if (but && notWhen) pos += but[0].length + notWhen.length;
    // "never bought bags or purchased mugs": the second verb is negated too.
    const inherited =
      !v.groups?.neg &&
      previous?.negate &&
      /^\s*(?:,\s*)?(?:or|nor|and)\s*$/i.test(ctx.text.slice(previous.end, start));
    const negate = Boolean(v.groups?.neg) || Boolean(inherited);
    // Never bought (A or B) is never bought A and never bought B.
    const replacement = items
      .map(
        (it, i) =>
          `${i ? ` ${negate ? 'and' : it.joiner} ` : ''}${mark(ctx, {
            kind: 'bought',
            product: it.match,
            ...whenOf(when),
            negate: negate !== Boolean(it.except),
          })}`,
      )
      .join('');
    const recentExclusions = notWhen
      ? items.map(
          (it) =>
            ` and ${mark(ctx, {
              kind: 'bought',
              product: it.match,
              ...whenOf(notWhen),
              negate: !negate,
            })}`,
        )
      : [];
    const head = inherited && previous ? `${ctx.text.slice(0, previous.end)} and ` : ctx.text.slice(0, start);
    const replaced = replacement + recentExclusions.join('');
    ctx.text = head + replaced + ctx.text.slice(pos);
    from = head.length + replaced.length;
    previous = { end: from, negate };
  }
  extractProductBuyers(ctx);
}

function readProductPeek(ctx: Ctx, rest: string, intent: Intent): boolean {
  const problems = ctx.problems.length;
  const item = readProduct(ctx, rest, intent, false);
  ctx.problems.length = problems;
  return Boolean(item);
}

/** "candle buyers", "Christmas shoppers", "Kitchen & Dining customers". */
function extractProductBuyers(ctx: Ctx): void {
  apply(ctx, categoryIndex(ctx.vocab).buyers, (g) => {
    const item = readProduct(ctx, g.x!, 'none', true);
    if (!item) return null;
    return mark(ctx, { kind: 'bought', product: item.match, negate: false });
  });
}

// ---------------------------------------------------------------- lifecycle

const STAGES: [string, LifecycleCondition['values'][number], string?][] = [
  ['(?:brand[\\s-]+)?new', 'new'],
  ['active', 'active'],
  [
    'at[\\s_-]?risk|lapsing|churning|about\\s+to\\s+(?:churn|lapse)|likely\\s+to\\s+(?:churn|lapse)|churn[\\s-]risk|slipping(?:\\s+away)?',
    'at_risk',
  ],
  ['lapsed', 'lapsed'],
  [
    'churned|dormant|lost|inactive|win[\\s-]?back',
    'lapsed',
    '"%s" read as lapsed (no purchase in more than 180 days).',
  ],
];
const STAGE = `(?:${STAGES.map(([p]) => p).join('|')})`;

const STAGE_LIST = rx(
  `${START}(?:(?:lifecycle|stage|status)(?:\\s+stage)?\\s*(?:is|=|:)?\\s*)?(?:(?<neg>not|non|never)[\\s-]+)?(?<list>${STAGE}(?:\\s*(?:,|or|and|/|&)\\s*(?:(?:the|also)\\s+)?${STAGE})*)${END}`,
);
const STAGE_WORD = rx(`${START}${STAGE}${END}`);

function extractLifecycle(ctx: Ctx): void {
  apply(ctx, STAGE_LIST, (g) => {
    const values: LifecycleCondition['values'] = [];
    for (const m of g.list!.matchAll(STAGE_WORD)) {
      const said = m[0].toLowerCase().replace(/\s+/g, ' ');
      const stage = STAGES.find(([p]) => compile(`^(?:${p})$`, 'i').test(said));
      if (!stage) continue;
      if (stage[2]) note(ctx, stage[2].replace('%s', said));
      if (!values.includes(stage[1])) values.push(stage[1]);
    }
    if (!values.length) return null;
    return mark(ctx, { kind: 'lifecycle', op: g.neg ? 'not_in' : 'in', values });
  });
}

// ---------------------------------------------------------------- countries

const NEGATIVE_PLACE =
  '(?:country\\s+(?:is\\s+not|!=|not)|not\\s+(?:in|from|based\\s+in|located\\s+in|living\\s+in)|(?:do|does|did)\\s+not\\s+live\\s+in|outside(?:\\s+of)?|non|excluding|exclude|excl|except(?:\\s+for)?|other\\s+than|apart\\s+from|aside\\s+from|but\\s+not(?:\\s+in|\\s+from)?|minus|without|everywhere\\s+but|anywhere\\s+but|not)';
const POSITIVE_PLACE =
  '(?:country\\s*(?:is|=|:)?|(?:(?:who|that)\\s+)?(?:(?:are|is)\\s+)?(?:based|located|living|live|lives|residing|resident|shipping|shipped|delivered)\\s+(?:in|to)|in|from|across|within|to)';
const countryRegexCache = new WeakMap<object, { list: RegExp; item: RegExp }>();

const CODE = new RegExp(`(?<![\\w§])(?:${Object.keys(COUNTRY_CODES).join('|')})(?![\\w§])`, 'g');

const PLACED_CODE = new RegExp(
  `(?<![\\w§])((?:in|from|outside|not\\s+in|non-?)\\s*)(${Object.keys(WORD_LIKE_CODES).join('|')})(?![\\w§])`,
  'g',
);

/** "FR + BE", "BE, NL": a word-like code in a list of codes. */
const LISTED_CODE = new RegExp(
  `(?<=(?<![\\w§])(?:${[...Object.keys(COUNTRY_CODES), ...Object.keys(WORD_LIKE_CODES), 'UK', 'USA'].join('|')})\\s*(?:[,&/+]|and|or)\\s*)(?:${Object.keys(WORD_LIKE_CODES).join('|')})(?![\\w§])|(?<![\\w§])(?:${Object.keys(WORD_LIKE_CODES).join('|')})(?=\\s*[,&/+]\\s*[A-Z]{2}(?![\\w§]))`,
  'g',
);

function extractCountries(ctx: Ctx): void {
  ctx.text = ctx.text
    .replace(LISTED_CODE, (code) => WORD_LIKE_CODES[code]!.toLowerCase())
    .replace(CODE, (code) => COUNTRY_CODES[code]!.toLowerCase())
    .replace(
      PLACED_CODE,
      (_, place: string, code: string) => `${place} ${WORD_LIKE_CODES[code]!.toLowerCase()}`,
    );
  const index = countryIndex(ctx.vocab);
  let cached = countryRegexCache.get(index);
  if (!cached) {
    const c = `(?:${index.pattern})`;
    const list = new RegExp(
      `${START}(?:(?<neg>${NEGATIVE_PLACE})[\\s-]+|(?<pos>${POSITIVE_PLACE})\\s+)?(?:the\\s+)?(?<list>${c}(?:\\s*(?:,|and|or|&|/|\\+|plus)\\s*(?:(?:the|in|from)\\s+)*${c})*)(?:\\s+(?:only|alone)|-(?:based|located|only))?(?![\\w§])`,
      'gi',
    );
    cached = { list, item: new RegExp(`(?<![\\w§])(?:${index.pattern})(?![\\w§])`, 'gi') };
    countryRegexCache.set(index, cached);
  }
  const itemRe = cached.item;
  apply(ctx, cached.list, (g) => {
    const negated = Boolean(g.neg);
    const inside: string[] = [];
    const outside: string[] = [];
    for (const m of g.list!.matchAll(itemRe)) {
      const hit = index.lookup(m[0]);
      if (!hit) continue;
      if (hit.kind === 'home') {
        const home = index.entries.find((e) => e.name === HOME_COUNTRY);
        const name = home && index.inData(home);
        if (!name) {
          problem(ctx, `There are no ${HOME_COUNTRY} customers in this data to compare "${m[0]}" against.`);
          continue;
        }
        note(ctx, `"${m[0]}" read as ${hit.inside ? 'in' : 'outside'} the ${HOME_COUNTRY}.`);
        (hit.inside !== negated ? inside : outside).push(name);
      } else if (hit.kind === 'region') {
        const names = index.entries.filter(hit.region.members).flatMap((e) => index.inData(e) ?? []);
        if (!names.length) {
          problem(
            ctx,
            `No customers in ${hit.region.label} in this data. Countries with customers: ${near(ctx)}.`,
          );
          continue;
        }
        note(ctx, `${hit.region.label} read as: ${names.join(', ')}.`);
        (negated ? outside : inside).push(...names);
      } else {
        const name = index.inData(hit.entry);
        if (!name) {
          problem(
            ctx,
            `No customers in ${hit.entry.name} in this data. Countries with customers: ${near(ctx, hit.entry.region)}.`,
          );
          continue;
        }
        if (hit.entry.partOf?.includes(m[0].toLowerCase())) {
          note(ctx, `${m[0]} read as ${name}: the data doesn't split it further.`);
        }
        (negated ? outside : inside).push(name);
      }
    }
    const parts: string[] = [];
    if (inside.length) parts.push(mark(ctx, { kind: 'country', op: 'in', values: [...new Set(inside)] }));
    if (outside.length)
      parts.push(mark(ctx, { kind: 'country', op: 'not_in', values: [...new Set(outside)] }));
    return parts.length ? parts.join(' and ') : ' ';
  });
}

function near(ctx: Ctx, region?: Parameters<typeof countriesNear>[0]): string {
  const list = countriesNear(region, ctx.vocab);
  if (!list.length) return 'none yet (import some data first)';
  const more = ctx.vocab.countries.length - list.length;
  return `${list.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

// ---------------------------------------------------------------- fallbacks

const LOOSE_MONEY = rx(
  `${START}(?:(?<comp>${COMP})\\s*)?(?<v>${MONEY}\\s*-?\\d+(?:\\.\\d+)?|-?\\d+(?:\\.\\d+)?\\s*${MONEY})(?:\\s*(?<suf>${SUFFIX}))?(?![\\w§])`,
);

function extractLooseMoney(ctx: Ctx): void {
  apply(ctx, LOOSE_MONEY, (g) => {
    const op = (g.comp ? comparatorOf(g.comp) : undefined) ?? suffixOp(g.suf) ?? 'gte';
    const value = parseValue(g.v!).value;
    note(ctx, `Read £${value} as lifetime spend.`);
    return mark(ctx, metric('spend', op, value));
  });
}

const LOOSE_WINDOW = rx(`${START}(?:(?:active|shopping|buying)\\s+)?(?<w>${WINDOW})${END}`);

const LOOSE_CALENDAR_LAST = rx(`${START}(?<w>${CALENDAR_LAST})${END}`);

function extractLooseWindow(ctx: Ctx): void {
  // "top 10 by average order value last month", "new customers from France last month": when they bought.
  apply(ctx, LOOSE_CALENDAR_LAST, (g) => {
    const period = purchasePeriodOf(g.w!);
    if (!period) return null;
    const said = g.w!.trim();
    const fresh = ctx.conditions.findIndex(
      (c) => c.kind === 'lifecycle' && c.op === 'in' && c.values.length === 1 && c.values[0] === 'new',
    );
    if (fresh >= 0) {
      ctx.conditions[fresh] = { kind: 'first_purchase', period };
      return ' ';
    }
    note(ctx, `Read "${said}" as bought ${said.replace(/^(?:in|during|for|over)\s+/i, '')}.`);
    return mark(ctx, { kind: 'bought', period, negate: false });
  });
  apply(ctx, LOOSE_WINDOW, (g) => {
    const days = noteDuration(ctx, g.w!);
    // "new customers from France in the last 30 days": the window says how new.
    const fresh = ctx.conditions.findIndex(
      (c) => c.kind === 'lifecycle' && c.op === 'in' && c.values.length === 1 && c.values[0] === 'new',
    );
    if (fresh >= 0) {
      ctx.conditions[fresh] = metric('tenure_days', 'lte', days);
      return ' ';
    }
    note(ctx, `Read "${g.w!.trim()}" as bought in the last ${days} days.`);
    return mark(ctx, metric('recency_days', 'lte', days));
  });
}

const RANK_WINDOW = rx(`${START}(?:${WINDOW}|${PURCHASE_PHRASE}|recently|lately)${END}`);

/**
 * "top 10 customers by spend last month", "the 20 who ordered the most this year": a time said on its own
 * with a spend or orders ranking is what the ranking counts, among the customers who bought then.
 */
function extractRankWindow(ctx: Ctx): void {
  const top = ctx.top;
  if (!top || (top.metric !== 'spend' && top.metric !== 'orders')) return;
  let done = false;
  apply(ctx, RANK_WINDOW, (_g, match) => {
    const when = done ? null : readWhen(ctx, ` ${match.trim()}`);
    if (!when) return null;
    done = true;
    Object.assign(top, whenOf(when));
    note(ctx, `Ranked by ${top.metric}${sayWindow(when)}, among the customers who bought then.`);
    return ' ';
  });
}

/** In order: specific phrasings first. */
export const EXTRACTORS: readonly ((ctx: Ctx) => void)[] = [
  extractTop,
  extractAverages,
  extractRfm,
  extractAov,
  extractDistinct,
  extractOrderPhrases,
  extractReturns,
  extractTenure,
  extractRecency,
  extractPurchaseTotals,
  extractOrders,
  extractSpend,
  extractValueWords,
  extractCalendarPurchases,
  extractProducts,
  extractLifecycle,
  extractCountries,
  extractRankWindow,
  extractLooseMoney,
  extractLooseWindow,
];
