/**
 * The local parser: a marketer's sentence to a segment definition, with no model and no network. The text is
 * normalised (parse-text.ts), feature extractors consume the phrasings they know and leave markers
 * (parse-extract.ts), and what is left must be connectors ("and", "or", "excluding") or filler ("show me all
 * customers who"). Anything else is sent back as a question naming the words not understood: a definition
 * that silently dropped half the request would target the wrong people.
 */
import { closest, distance } from 'fastest-levenshtein';
import { CATEGORY_RULES, DEFAULT_CATEGORY } from '../ingest/categorize.ts';
import { COUNTRIES, countryLikeness, suggestCountries } from './countries.ts';
import {
  type Condition,
  METRIC_BOUNDS,
  type Metric,
  type SegmentDefinition,
  segmentDefinition,
} from './definition.ts';
import { describeSegment } from './describe.ts';
import { type Ctx, EXTRACTORS, type Top } from './parse-extract.ts';
import { MAX_LENGTH, MONEY, normalise } from './parse-text.ts';
import type { Vocabulary } from './vocabulary.ts';

export type ParseResult =
  | {
      ok: true;
      definition: SegmentDefinition;
      /** Things worth telling the user, e.g. assumptions. */
      notes: string[];
    }
  | {
      ok: false;
      /** A question/explanation to send back, naming the problem and nearby valid options. */
      message: string;
      /** The words not understood. */
      unknown: string[];
    };

const HINT =
  'I can filter on spend, orders, last and first purchase, average order value, distinct products, returns, ' +
  'RFM scores, lifecycle (new, active, at risk, lapsed), country and products bought, e.g. ' +
  '"lapsed German customers who spent over £500".';

const words = (s: string) => s.split(/\s+/).filter(Boolean);

const FILLER = new Set(
  words(`
    a an the all any every each our my your their his her its this these those them they we us you i me it
    customer customers client clients shopper shoppers buyer buyers people person persons user users account accounts
    contact contacts member members folks ones one profiles profile audience audiences segment segments cohort cohorts
    group groups list lists base everyone everybody anyone anybody someone somebody individuals consumers purchasers
    who whom whose that which what where when
    have has had having do does did done be is are was were been being am
    with of for to on at by in from into as about within across well
    please pls kindly thanks thank hi hello hey megaphone ok okay so
    show find list give get pull fetch display see view bring build create make want need would like could can will
    should may might let lets tell
    how many much count number total
    only just also currently ever still already both either
    live lives living based located residing resident situated
    bought purchased ordered shopped placed made buy purchase order shop
    country countries region regions nation nations location locations
    email emails emailing campaign campaigns newsletter target targeting send sending mail mailing reach promo
    promotion offer far date overall lifetime etc there here lifecycle stage stages status used among amongst
  `),
);
/** Extra words a follow-up uses to point at the previous answer. */
const REFINEMENT_FILLER = new Set(
  words(`only just those them these ones now then instead same again narrow down filter filtered limit limited
    restrict restricted keep among out what about how it this that list segment add too further`),
);
const DETERMINERS = new Set(words('the those these any all our a an'));
const AND_WORDS = new Set(words('and but & , also plus while whilst yet - +'));
const OR_WORDS = new Set(['or', '/']);
const NEG_WORDS = new Set(
  words(
    'not excluding exclude excludes excluded except without minus non neither no remove removing drop dropping',
  ),
);
/** Words that, said alone, mean every customer ("all customers", "everyone"). */
const EVERYONE = new Set(
  words(`all every everyone everybody anyone customers customer clients shoppers buyers people users audience
    segment base contacts members list`),
);
const CALENDAR =
  /^(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|yesterday|tonight|year|month|week|quarter|ytd|(?:19|20)\d\d)$/i;
const PER_GROUP =
  /\b(?:in|per|for|by|within|of)\s+(?:each|every)\s+(?:country|countries|category|categories|market|region)\b|\bper\s+(?:country|category|market|region)\b/i;
const PLACE_WORDS = new Set(words('in from outside across to'));
const AUDIENCE_NOUNS = ['customers', 'customer', 'clients', 'shoppers', 'buyers', 'people', 'purchasers'];
const KEYWORDS =
  words(`spent spend spending revenue orders ordered purchases purchased bought returns returned lapsed
  active churned dormant new risk customers champions average products different distinct recency frequency
  monetary score top bottom country excluding except outside between`);

type Token = {
  text: string;
  kind: 'marker' | 'and' | 'or' | 'nor' | 'neg' | 'filler' | 'unknown';
  /** The condition a marker stands for. */
  index?: number;
  position: number;
};

function tokenize(text: string, refinement: boolean): Token[] {
  const joined = text
    .replace(/\b(?:other\s+than|apart\s+from|aside\s+from|leav(?:e|ing)\s+out|but\s+not)\b/gi, 'not')
    // "between 100 and 200" left over is one question, not two.
    .replace(/\bbetween\s+(\S+)\s+and\s+(\S+)/gi, 'between\u0001$1\u0001and\u0001$2');
  return (joined.match(/§\d+§|[^\s]+/g) ?? []).map((raw, position): Token => {
    const m = raw.match(/^§(\d+)§$/);
    if (m) return { text: raw, kind: 'marker', index: Number(m[1]), position };
    const text = raw.replaceAll('\u0001', ' ');
    const w = text.toLowerCase();
    if (w === 'nor') return { text, kind: 'nor', position };
    if (OR_WORDS.has(w)) return { text, kind: 'or', position };
    if (AND_WORDS.has(w)) return { text, kind: 'and', position };
    if (NEG_WORDS.has(w)) return { text, kind: 'neg', position };
    if (FILLER.has(w) || (refinement && REFINEMENT_FILLER.has(w)) || w === '"')
      return { text, kind: 'filler', position };
    if (w.length >= 6 && /^[a-z]+$/.test(w) && AUDIENCE_NOUNS.some((n) => distance(w, n) <= 2)) {
      return { text, kind: 'filler', position };
    }
    return { text, kind: 'unknown', position };
  });
}

/**
 * The opposite condition, in its most natural form ("excluding one-time buyers" → orders ≥ 2).
 *
 * @example
 * negateCondition({ kind: 'metric', metric: 'orders', op: 'eq', value: 1 }); // orders gte 2
 */
export function negateCondition(c: Condition): Condition {
  switch (c.kind) {
    case 'metric': {
      const inverse = { gt: 'lte', gte: 'lt', lt: 'gte', lte: 'gt', eq: 'neq', neq: 'eq' } as const;
      const op = inverse[c.op];
      const { min, integer } = METRIC_BOUNDS[c.metric];
      // Every customer with features has at least one order.
      const floor = c.metric === 'orders' ? 1 : min;
      if (integer && op === 'neq' && c.value === floor) return { ...c, op: 'gte', value: floor + 1 };
      if (integer && op === 'lt' && c.value === floor + 1) return { ...c, op: 'eq', value: floor };
      return { ...c, op };
    }
    case 'country':
    case 'lifecycle':
      return { ...c, op: c.op === 'in' ? 'not_in' : 'in' } as Condition;
    case 'bought':
    case 'returned':
      return { ...c, negate: !c.negate };
    // Exactly the average is neither: "not above average" is read as below it, as a marketer means it.
    case 'average':
      return { ...c, op: c.op === 'above' ? 'below' : 'above' };
    case 'not':
      return c.condition;
    default:
      return { kind: 'not', condition: c };
  }
}

interface Structured {
  conditions: Condition[];
  /** Runs of words not understood, each with the token before it (a place follows "in": "in Atlantis"). */
  unknownRuns: { tokens: Token[]; before?: Token }[];
}

const CLAUSE_STARTERS = new Set(
  words('in from who those customers clients people anyone everyone shoppers buyers users ones any all'),
);

/**
 * "in Germany who spent over 500 or in France who spent over 1000" is two whole clauses: an "or" with at least
 * two conditions on each side and a new subject after it. Elsewhere "or" joins just its two neighbours.
 */
function clauseSplit(tokens: Token[], conditions: Condition[]): number | undefined {
  const markers = (from: number, to: number) =>
    tokens.slice(from, to).filter((t) => t.kind === 'marker').length;
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]!.kind !== 'or' || markers(0, i) < 2 || markers(i + 1, tokens.length) < 2) continue;
    const next = tokens
      .slice(i + 1)
      .find((t) => t.kind !== 'filler' || CLAUSE_STARTERS.has(t.text.toLowerCase()));
    if (!next) continue;
    const subject = next.kind === 'marker' ? conditions[next.index!]!.kind : '';
    if (CLAUSE_STARTERS.has(next.text.toLowerCase()) || subject === 'country' || subject === 'lifecycle')
      return i;
  }
  return undefined;
}

function structure(tokens: Token[], conditions: Condition[]): Structured {
  const split = clauseSplit(tokens, conditions);
  if (split === undefined) return structureFlat(tokens, conditions);
  const sides = [tokens.slice(0, split), tokens.slice(split + 1)].map((t) => structureFlat(t, conditions));
  const group = (cs: Condition[]): Condition => (cs.length === 1 ? cs[0]! : { kind: 'and', conditions: cs });
  return {
    conditions: [{ kind: 'or', conditions: sides.map((s) => group(s.conditions)) }],
    unknownRuns: sides.flatMap((s) => s.unknownRuns),
  };
}

/** Applies "or", "not/excluding" and "and" between markers; collects the words left over. */
function structureFlat(tokens: Token[], conditions: Condition[]): Structured {
  const groups: Condition[][] = [];
  let neg: Token | undefined;
  let carry = false;
  let joinOr = false;
  let lastMarker = false;
  const unknownRuns: Structured['unknownRuns'] = [];
  let run: Token[] = [];
  let held: Token[] = [];
  let before: Token | undefined;
  const closeRun = () => {
    if (run.length) unknownRuns.push({ tokens: run, before });
    run = [];
    held = [];
  };
  const skipped = new Set<number>();
  tokens.forEach((tok, i) => {
    if (skipped.has(i)) return;
    if (tok.kind === 'unknown') {
      if (!run.length) before = tokens[i - 1];
      run.push(...held, tok);
      held = [];
      carry = false;
      lastMarker = false;
      return;
    }
    if (tok.kind === 'filler' && run.length) held.push(tok);
    else closeRun();
    switch (tok.kind) {
      case 'marker': {
        let c = conditions[tok.index!]!;
        // "except one-time buyers from the UK" excludes one group: not (one-time and UK).
        if (neg) {
          const phrase = [c];
          for (let j = i + 1; j < tokens.length; j++) {
            const next = tokens[j]!;
            if (next.kind === 'filler') continue;
            if (next.kind !== 'marker') break;
            phrase.push(conditions[next.index!]!);
            for (let k = i + 1; k <= j; k++) skipped.add(k);
          }
          if (phrase.length > 1) c = { kind: 'and', conditions: phrase };
        }
        const negated = Boolean(neg) || carry;
        const value = negated ? negateCondition(c) : c;
        // "excluding A or B" excludes both: not A and not B.
        if (joinOr && groups.length && !(carry && !neg)) groups.at(-1)!.push(value);
        else groups.push([value]);
        carry = negated;
        neg = undefined;
        joinOr = false;
        lastMarker = true;
        break;
      }
      case 'or':
        if (lastMarker) joinOr = true;
        break;
      case 'nor':
        joinOr = false;
        neg = tok;
        lastMarker = false;
        break;
      case 'and':
        joinOr = false;
        break;
      case 'neg':
        neg = tok;
        carry = false;
        lastMarker = false;
        break;
      case 'filler':
        if (!DETERMINERS.has(tok.text.toLowerCase())) carry = false;
        break;
    }
  });
  closeRun();
  if (neg) unknownRuns.push({ tokens: [neg] });
  unknownRuns.sort((a, b) => a.tokens[0]!.position - b.tokens[0]!.position);
  const merged = groups.map((g) => (g.length === 1 ? g[0]! : mergeAlternatives(g)));
  return { conditions: flattenAnd(merged), unknownRuns };
}

/** "German or French customers" said as two conditions is one country list. */
function mergeAlternatives(all: Condition[]): Condition {
  const group = dedupe(all);
  if (group.length === 1) return group[0]!;
  const kinds = new Set(group.map((c) => `${c.kind}:${'op' in c ? c.op : ''}`));
  if (kinds.size === 1 && (kinds.has('country:in') || kinds.has('lifecycle:in'))) {
    const values = [...new Set(group.flatMap((c) => ('values' in c ? (c.values as string[]) : [])))];
    return { ...(group[0] as Extract<Condition, { kind: 'country' }>), values };
  }
  return { kind: 'or', conditions: group };
}

function flattenAnd(conditions: Condition[]): Condition[] {
  return conditions.flatMap((c) => (c.kind === 'and' ? flattenAnd(c.conditions) : [c]));
}

type CountryCondition = Extract<Condition, { kind: 'country' }>;

/** Unions the top-level country lists; "Europe except Germany" becomes one list without Germany. */
function mergeCountries(conditions: Condition[], problems: string[]): Condition[] {
  const isCountry = (c: Condition, op: 'in' | 'not_in'): c is CountryCondition =>
    c.kind === 'country' && c.op === op;
  const inside = conditions.filter((c) => isCountry(c, 'in')) as CountryCondition[];
  const outside = conditions.filter((c) => isCountry(c, 'not_in')) as CountryCondition[];
  if (inside.length + outside.length <= 1) return conditions;
  const inValues = [...new Set(inside.flatMap((c) => c.values))];
  const outValues = [...new Set(outside.flatMap((c) => c.values))];
  let replacementIn: Condition | undefined = inside.length
    ? { kind: 'country', op: 'in', values: inValues }
    : undefined;
  let replacementOut: Condition | undefined = outside.length
    ? { kind: 'country', op: 'not_in', values: outValues }
    : undefined;
  if (inside.length && outside.length) {
    const kept = inValues.filter((v) => !outValues.includes(v));
    if (!kept.length) {
      problems.push(`That excludes every country asked for (${inValues.join(', ')}), so nobody would match.`);
    } else {
      replacementIn = { kind: 'country', op: 'in', values: kept };
      replacementOut = undefined;
    }
  }
  const out: Condition[] = [];
  for (const c of conditions) {
    if (isCountry(c, 'in')) {
      if (replacementIn) out.push(replacementIn);
      replacementIn = undefined;
    } else if (isCountry(c, 'not_in')) {
      if (replacementOut) out.push(replacementOut);
      replacementOut = undefined;
    } else out.push(c);
  }
  return out;
}

/** "Neither lapsed nor at risk": one not-in list. */
function mergeLifecycleExclusions(conditions: Condition[]): Condition[] {
  const outside = conditions.filter(
    (c): c is Extract<Condition, { kind: 'lifecycle' }> => c.kind === 'lifecycle' && c.op === 'not_in',
  );
  if (outside.length <= 1) return conditions;
  const merged: Condition = {
    kind: 'lifecycle',
    op: 'not_in',
    values: [...new Set(outside.flatMap((c) => c.values))],
  };
  return conditions.flatMap((c) => (c === outside[0] ? [merged] : outside.includes(c as never) ? [] : [c]));
}

function dedupe(conditions: Condition[]): Condition[] {
  const seen = new Set<string>();
  return conditions.filter((c) => {
    const key = JSON.stringify(c);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const LABEL: Record<Metric, string> = {
  spend: 'spend',
  orders: 'the number of orders',
  recency_days: 'days since the last purchase',
  tenure_days: 'days since the first purchase',
  avg_order_value: 'average order value',
  distinct_products: 'the number of distinct products',
  returns: 'the number of returns',
  r_score: 'the R score',
  f_score: 'the F score',
  m_score: 'the M score',
};
const isScore = (m: Metric) => m === 'r_score' || m === 'f_score' || m === 'm_score';
const show = (m: Metric, v: number) =>
  m === 'spend' || m === 'avg_order_value' ? `${v < 0 ? '-' : ''}£${Math.abs(v)}` : String(v);

function boundProblem(m: Metric, v: number): string | undefined {
  const { min, max } = METRIC_BOUNDS[m];
  if (isScore(m) && (v < min || v > max || !Number.isInteger(v))) {
    return `${cap(LABEL[m])} goes from 1 to 5, so ${v} isn't possible.`;
  }
  if (v < min) return `${cap(LABEL[m])} can't be negative (${show(m, v)}).`;
  if (v > max) return `${show(m, v)} is too large for ${LABEL[m]}.`;
  return undefined;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Plain-words checks before zod's, so "R score 9" gets a sentence rather than a schema path. */
function valueProblems(c: Condition, out: string[]): void {
  switch (c.kind) {
    case 'metric': {
      const p = boundProblem(c.metric, c.value);
      if (p) out.push(p);
      break;
    }
    case 'range': {
      if (c.min > c.max) {
        out.push(
          `"${show(c.metric, c.min)} to ${show(c.metric, c.max)}" is an empty range for ${LABEL[c.metric]}: ` +
            `did you mean between ${show(c.metric, c.max)} and ${show(c.metric, c.min)}?`,
        );
      }
      for (const v of [c.min, c.max]) {
        const p = boundProblem(c.metric, v);
        if (p) out.push(p);
      }
      break;
    }
    case 'bought': {
      if (c.withinDays !== undefined && (c.withinDays < 1 || !Number.isInteger(c.withinDays))) {
        out.push(`The time window must be at least one whole day (got ${c.withinDays}).`);
      }
      const p = c.total && boundProblem(c.total.measure, c.total.value);
      if (p) out.push(p);
      break;
    }
    case 'and':
    case 'or':
      for (const x of c.conditions) valueProblems(x, out);
      break;
    case 'not':
      valueProblems(c.condition, out);
      break;
  }
}

function topProblems(top: Top | undefined, out: string[]): void {
  if (!top) return;
  if (!Number.isInteger(top.limit) || top.limit < 1) {
    out.push(`"Top ${top.limit}" needs a whole number of customers, at least 1.`);
  } else if (top.limit > 1_000_000)
    out.push(`"Top ${top.limit}" is more than I can list (at most 1,000,000).`);
}

type Internal =
  | { ok: true; conditions: Condition[]; top?: Top; notes: string[]; understood: number }
  | { ok: false; message: string; unknown: string[]; understood: number };

const refuse = (message: string, unknown: string[] = [], understood = 0): Internal => ({
  ok: false,
  message,
  unknown,
  understood,
});

const displayed = (s: string) => s.replaceAll(MONEY, '£').replace(/£\s+/g, '£').trim();

function parseInternal(input: string, vocab: Vocabulary, refinement: boolean): Internal {
  if (typeof input !== 'string' || !input.trim()) {
    return refuse(`Tell me which customers you want, e.g. "lapsed customers in Germany". ${HINT}`);
  }
  if (input.length > MAX_LENGTH) {
    return refuse(
      `That's ${input.length} characters; I read audience requests of up to ${MAX_LENGTH}. ` +
        'Please shorten it to the conditions themselves, e.g. "French customers who spent over £500".',
    );
  }
  const normalised = normalise(input);
  // "everyone but the Germans": here "but" excludes.
  normalised.text = normalised.text.replace(
    /\b(everyone|everybody|anyone|all(?:\s+customers)?|customers|people)\s+but\s+(?!not\b)/gi,
    '$1 except ',
  );
  if (!/[a-z0-9]/i.test(normalised.text)) {
    return refuse(`Tell me which customers you want, e.g. "lapsed customers in Germany". ${HINT}`);
  }
  const ctx: Ctx = { text: ` ${normalised.text} `, conditions: [], notes: [], problems: [], vocab };
  if (PER_GROUP.test(ctx.text)) {
    return refuse(
      'I can rank customers overall, not within each country or category: ask for one at a time, ' +
        'e.g. "top 3 customers in Germany by spend".',
    );
  }
  for (const extract of EXTRACTORS) extract(ctx);
  const tokens = tokenize(ctx.text, refinement);
  const { conditions: structured, unknownRuns: runs } = structure(tokens, ctx.conditions);
  let unknownRuns = runs;
  const understood = ctx.conditions.length + (ctx.top ? 1 : 0);
  const conditions = dedupe(mergeLifecycleExclusions(mergeCountries(structured, ctx.problems)));
  if (ctx.problems.length) return refuse(ctx.problems.join(' '), [], understood);

  if (unknownRuns.length) {
    const unknown = unknownRuns.map((r) => displayed(r.tokens.map((t) => t.text).join(' ')));
    const parts: string[] = [];
    const calendar = unknownRuns.filter((r) => r.tokens.some((t) => CALENDAR.test(t.text)));
    if (calendar.length) {
      parts.push(
        `I can't read "${displayed(calendar[0]!.tokens.map((t) => t.text).join(' '))}" as a time here: ` +
          'say when they bought ("bought in March", "haven\'t bought since January", "bought candles in Q4 2025") ' +
          'or count back from the latest data ("in the last 90 days", "more than 6 months ago").',
      );
    }
    // "haven't bought since January": the "not" belongs to the date already explained.
    if (calendar.length) {
      unknownRuns = unknownRuns.filter((r) => !(r.tokens.length === 1 && r.tokens[0]!.kind === 'neg'));
    }
    const places = unknownRuns.filter((r) => !calendar.includes(r)).filter(isPlace(vocab));
    for (const r of places) {
      const said = r.tokens.map((t) => t.text).join(' ');
      const suggestions = suggestCountries(said, vocab);
      parts.push(
        suggestions.length > 0
          ? `I don't know "${said}" as a country. Did you mean ${orList(suggestions)}?`
          : `I don't know "${said}" as a country, and no customer has a country on record to choose from.`,
      );
    }
    const numeric = unknownRuns.filter(
      (r) => !calendar.includes(r) && !places.includes(r) && r.tokens.some((t) => /\d/.test(t.text)),
    );
    for (const r of numeric) {
      const said = displayed(r.tokens.map((t) => t.text).join(' '));
      const n = said.match(/-?\d+(?:\.\d+)?/)?.[0] ?? 'N';
      parts.push(
        `What does "${said}" refer to? Say e.g. "spent over £${n}", "more than ${n} orders" or ` +
          `"no purchase in the last ${n} days".`,
      );
    }
    const rest = unknownRuns.filter(
      (r) => !calendar.includes(r) && !places.includes(r) && !numeric.includes(r),
    );
    if (rest.length) {
      const quoted = rest.map((r) => {
        const said = displayed(r.tokens.map((t) => t.text).join(' '));
        const single = r.tokens.length === 1 ? r.tokens[0]!.text.toLowerCase() : '';
        const guess = single.length >= 4 ? closest(single, KEYWORDS) : undefined;
        const near = guess && distance(single, guess) <= (single.length >= 6 ? 2 : 1) && guess !== single;
        return near ? `"${said}" (did you mean "${guess}"?)` : `"${said}"`;
      });
      parts.push(`I didn't understand ${andList(quoted)}.`);
    }
    const partial: SegmentDefinition = { conditions, ...(ctx.top ? { top: ctx.top } : {}) };
    // An impossible value is a problem to name, not something "understood" ("spend over -5").
    const impossible: string[] = [];
    for (const c of conditions) valueProblems(c, impossible);
    topProblems(ctx.top, impossible);
    if (impossible.length) parts.push(`Also, that can't work: ${impossible.join(' ')}`);
    else if (conditions.length || ctx.top) parts.push(`Understood so far: ${describeSegment(partial)}.`);
    if (!places.length) parts.push(HINT);
    return refuse(parts.join(' '), unknown, understood);
  }

  if (
    !conditions.length &&
    !ctx.top &&
    !refinement &&
    !tokens.some((t) => EVERYONE.has(t.text.toLowerCase()))
  ) {
    return refuse(`Which customers do you want? ${HINT}`, [], understood);
  }
  const notes = [...ctx.notes];
  if (normalised.foreignCurrency && /£|¤/.test(`${normalised.text}`)) {
    notes.push(
      'Amounts are compared in the shop’s own currency (£); $ and € amounts were read as the same numbers.',
    );
  }
  return { ok: true, conditions, top: ctx.top, notes, understood };
}

function isPlace(vocab: Vocabulary) {
  return (r: Structured['unknownRuns'][number]): boolean => {
    if (r.tokens.length > 2 || !r.tokens.every((t) => /^[A-Za-z][A-Za-z'-]*$/.test(t.text))) return false;
    if (r.tokens.some((t) => KEYWORDS.includes(t.text.toLowerCase()))) return false;
    const said = r.tokens.map((t) => t.text).join(' ');
    const afterPlaceWord = Boolean(r.before && PLACE_WORDS.has(r.before.text.toLowerCase()));
    const likeness = countryLikeness(said, vocab);
    if (afterPlaceWord) return true;
    return said.length >= 5 && likeness <= Math.min(2, Math.floor(said.length / 3));
  };
}

const orList = (xs: string[]) =>
  xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} or ${xs.at(-1)}`;
const andList = (xs: string[]) =>
  xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`;

function finish(conditions: Condition[], top: Top | undefined, notes: string[]): ParseResult {
  const problems: string[] = [];
  for (const c of conditions) valueProblems(c, problems);
  topProblems(top, problems);
  if (problems.length) return { ok: false, message: `That can't work: ${problems.join(' ')}`, unknown: [] };
  const parsed = segmentDefinition.safeParse({ conditions, ...(top ? { top } : {}) });
  if (!parsed.success) {
    const issues = [...new Set(parsed.error.issues.map((i) => i.message))];
    return { ok: false, message: `That can't work: ${issues.join('; ')}.`, unknown: [] };
  }
  if (!conditions.length && !top) notes.push('No conditions: this is every customer.');
  return { ok: true, definition: parsed.data, notes };
}

function safely(run: () => ParseResult): ParseResult {
  try {
    return run();
  } catch {
    return { ok: false, message: `Sorry, I couldn't read that request. ${HINT}`, unknown: [] };
  }
}

/**
 * Reads a marketer's request as a segment definition, or explains what it could not read.
 *
 * @example
 * parseSegmentRequest('lapsed Germans who spent over £1k', vocab);
 * // { ok: true, definition: { conditions: [lifecycle lapsed, country Germany, spend > 1000] }, notes: [] }
 */
export function parseSegmentRequest(text: string, vocab: Vocabulary): ParseResult {
  return safely(() => {
    const r = parseInternal(text, vocab, false);
    if (!r.ok) return { ok: false, message: r.message, unknown: r.unknown };
    return finish(r.conditions, r.top, r.notes);
  });
}

/**
 * A follow-up in the same thread refining the previous definition: "only those in France", "and spent over
 * 500", "exclude one-time buyers", "but not in Germany", "top 20 of them by spend". Returns the merged
 * definition. Same-field country "in" conditions are replaced (only those in France => country in [France]);
 * other conditions are ANDed; "exclude/without/except X" adds the negation of X.
 *
 * @example
 * parseRefinement('only those in France', { conditions: [{ kind: 'country', op: 'in', values: ['Germany'] }] }, vocab);
 * // { ok: true, definition: { conditions: [{ kind: 'country', op: 'in', values: ['France'] }] }, notes: [...] }
 */
export function parseRefinement(text: string, previous: SegmentDefinition, vocab: Vocabulary): ParseResult {
  return safely(() => {
    const r = parseInternal(text, vocab, true);
    if (!r.ok) return { ok: false, message: r.message, unknown: r.unknown };
    if (!r.conditions.length && !r.top) {
      return {
        ok: false,
        message:
          'What should I change? E.g. "only those in France", "and spent over £500", "exclude one-time buyers" ' +
          'or "top 20 of them by spend".',
        unknown: [],
      };
    }
    const notes = [...r.notes];
    // "and in France too" adds a country; "only those in France" replaces it.
    const adding = /\b(?:too|as\s+well|also|plus)\b/i.test(text);
    const newCountry = r.conditions.find((c): c is CountryCondition => c.kind === 'country' && c.op === 'in');
    let conditions: Condition[] = [];
    let placed = false;
    for (const c of previous.conditions) {
      if (newCountry && c.kind === 'country' && c.op === 'in') {
        const values = adding ? [...new Set([...c.values, ...newCountry.values])] : newCountry.values;
        if (!adding) notes.push(`Replaced ${c.values.join(', ')} with ${values.join(', ')}.`);
        if (!placed) conditions.push({ ...newCountry, values });
        placed = true;
      } else conditions.push(c);
    }
    for (const c of r.conditions) if (c !== newCountry || !placed) conditions.push(c);
    const problems: string[] = [];
    conditions = dedupe(mergeCountries(conditions, problems));
    if (problems.length) return { ok: false, message: problems.join(' '), unknown: [] };
    return finish(conditions, r.top ?? previous.top, notes);
  });
}

/** Every country the alias table knows and the default categories: enough to tell a request from chatter. */
const ANY_VOCABULARY: Vocabulary = {
  countries: COUNTRIES.map((c) => c.name),
  categories: [...CATEGORY_RULES.map((r) => r.category), DEFAULT_CATEGORY],
};

const AUDIENCE_RE =
  /\b(?:customers?|clients?|shoppers?|buyers?|spenders?|purchasers?|audiences?|segment|cohort|(?:people|users|members|anyone|everyone|those)\s+(?:who|that|with|in|from))\b/i;

/**
 * True when the text reads like an audience request (used by the router to route free text to the segment
 * command), even one the parser will answer with a question.
 *
 * @example
 * looksLikeSegmentRequest('lapsed Germans'); // true
 * looksLikeSegmentRequest('what can you do?'); // false
 */
export function looksLikeSegmentRequest(text: string): boolean {
  try {
    if (typeof text !== 'string' || !text.trim()) return false;
    const t = normalise(text.slice(0, MAX_LENGTH)).text;
    if (AUDIENCE_RE.test(t)) return true;
    const r = parseInternal(text.slice(0, MAX_LENGTH), ANY_VOCABULARY, false);
    return r.understood > 0;
  } catch {
    return false;
  }
}

const REFINE_START =
  /^(?:only|just|and|but|also|plus|now|then|exclude|excluding|without|except|minus|remove|drop|narrow|filter|limit|restrict|keep|what\s+about|how\s+about|same|instead|of\s+(?:them|those|these)|among\s+(?:them|those)|out\s+of\s+(?:them|those))\b/i;
const REFINE_REFERENCE =
  /\b(?:of\s+them|of\s+those|of\s+these|among\s+them|those|them|these|the\s+ones|instead)\b|\bonly$/i;

/**
 * True when the text reads like a follow-up narrowing the previous audience ("only those in France",
 * "exclude one-time buyers", "top 20 of them by spend").
 *
 * @example
 * looksLikeRefinement('but not in Germany'); // true
 * looksLikeRefinement('lapsed Germans'); // false
 */
export function looksLikeRefinement(text: string): boolean {
  try {
    if (typeof text !== 'string' || !text.trim()) return false;
    const t = normalise(text.slice(0, MAX_LENGTH)).text;
    if (!REFINE_START.test(t) && !REFINE_REFERENCE.test(t)) return false;
    return parseInternal(text.slice(0, MAX_LENGTH), ANY_VOCABULARY, true).understood > 0;
  } catch {
    return false;
  }
}
