/**
 * Text normalisation and the regular-expression building blocks of the segment parser: numbers ("1,000",
 * "2.5k", "twenty five", "a dozen"), money ("£", "quid", "euros" all become `¤`), comparators ("no more
 * than", ">="), durations ("3 months", "a fortnight") and time windows ("in the last 30 days").
 */
import type { Comparator } from './definition.ts';

const compiled = new Map<string, RegExp>();

/**
 * A regular expression compiled once per source and flags: the parser builds its patterns from shared
 * fragments, and compiling them on every request would cost far more than matching.
 *
 * @example
 * compile(`${START}over${END}`).test(' spent over 500'); // true
 */
export function compile(source: string, flags = 'gi'): RegExp {
  const key = `${flags}/${source}`;
  let re = compiled.get(key);
  if (!re) {
    re = new RegExp(source, flags);
    compiled.set(key, re);
  }
  return re;
}

/** Longer requests are refused: a marketer's audience fits in a sentence or two. */
export const MAX_LENGTH = 500;

/** Stands for any currency mark or word once the text is normalised. */
export const MONEY = '¤';

/** Not a word character, not a marker (`§3§`) and not money: the edge of a phrase. */
export const START = '(?<![\\w§¤])';
export const END = '(?![\\w§])';

const SMALL: Record<string, number> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
};
const TENS: Record<string, number> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fourty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const SCALES: Record<string, number> = { hundred: 100, thousand: 1000 };
const NUMBER_WORD = [...Object.keys(SMALL), ...Object.keys(TENS), ...Object.keys(SCALES)].join('|');
const NUMBER_RUN = new RegExp(`\\b(?:${NUMBER_WORD})(?:(?:[\\s-]+|\\s+and\\s+)(?:${NUMBER_WORD}))*\\b`, 'gi');

/** "twenty five" → "25", "one hundred and fifty" → "150", "between one and five" → "between 1 and 5". */
function numberRun(run: string): string {
  const words = run.toLowerCase().split(/[\s-]+/);
  const out: string[] = [];
  let total = 0;
  let current = 0;
  let have = false;
  let last = '';
  const flush = () => {
    if (have) out.push(String(total + current));
    total = 0;
    current = 0;
    have = false;
  };
  words.forEach((w, i) => {
    if (w === 'and') {
      const next = words[i + 1] ?? '';
      if ((last === 'hundred' || last === 'thousand') && next && !(next in SCALES)) return;
      flush();
      out.push('and');
    } else if (w in SMALL) {
      if (have && (last in SMALL || last === 'and')) flush();
      current += SMALL[w]!;
      have = true;
    } else if (w in TENS) {
      if (have && !(last in SCALES)) flush();
      current += TENS[w]!;
      have = true;
    } else if (w === 'hundred') {
      current = (current || 1) * 100;
      have = true;
    } else {
      total += (current || 1) * SCALES[w]!;
      current = 0;
      have = true;
    }
    last = w;
  });
  flush();
  return out.join(' ');
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function scaleSuffixes(t: string): string {
  return t
    .replace(/(?<![\w.])(\d+(?:\.\d+)?)\s?(?:k|thousand|grand)\b/gi, (_, n) =>
      String(round2(Number(n) * 1e3)),
    )
    .replace(/(?<![\w.])(\d+(?:\.\d+)?)(?:m|mm|mn|\s?million|\s?mil)\b/gi, (_, n) =>
      String(round2(Number(n) * 1e6)),
    )
    .replace(/(?<![\w.])(\d+(?:\.\d+)?)\s?(?:bn|billion)\b/gi, (_, n) => String(round2(Number(n) * 1e9)));
}

export interface Normalised {
  text: string;
  /** Currencies other than the data's own were mentioned ($, €). */
  foreignCurrency: boolean;
}

/**
 * Unifies quotes, dashes, contractions, numbers and money, and spaces out comparators and punctuation. Case
 * is kept (product names typed in capitals stay as typed) unless the whole text is in capitals.
 *
 * @example
 * normalise("Haven't spent £1,000").text; // 'have not spent ¤ 1000'
 */
export function normalise(input: string): Normalised {
  let t = input.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  t = t
    .replace(/[\u2018\u2019\u201a\u201b`\u00b4\u2032]/g, "'")
    .replace(/[\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033]/g, '"')
    .replace(/[\u2010-\u2015\u2212\ufe63\uff0d]/g, '-')
    .replace(/\u2265/g, ' >= ')
    .replace(/\u2264/g, ' <= ')
    .replace(/\u2260/g, ' != ');
  if (!/[a-z]/.test(t)) t = t.toLowerCase();
  t = t.replace(/[^A-Za-z0-9\s£$€%<>=+\-.,'"&/#:;!?()]/g, ' ');
  const foreignCurrency = /[$€]|\b(?:usd|eur|euros?|dollars?|bucks)\b/i.test(t);
  t = t
    .replace(/\bu\.s\.a\.?(?![a-z])/gi, 'USA')
    .replace(/\bu\.s\.(?![a-z])/gi, 'US')
    .replace(/\bu\.k\.?(?![a-z])/gi, 'UK')
    .replace(/\bu\.a\.e\.?(?![a-z])/gi, 'UAE')
    .replace(/\bUS\b/g, 'USA')
    .replace(/\b(in|from|outside(?: of)?|across|throughout|not in) the us\b/gi, '$1 the USA')
    .replace(/\bnon-us\b/gi, 'non-USA')
    .replace(/\b(?:e\.g|i\.e)\.?(?![a-z])/gi, ' , ')
    .replace(/\bw\/o\b/gi, ' without ')
    .replace(/\bw\//gi, ' with ')
    .replace(/\band\s*\/\s*or\b/gi, ' or ')
    .replace(/\bcan'?t\b/gi, 'can not')
    .replace(/\bwon'?t\b/gi, 'will not')
    .replace(/\b(\w+)n't\b/gi, '$1 not')
    .replace(/\b(have|has|had|did|do|does|is|are|was|were|would|should|could)nt\b/gi, '$1 not')
    .replace(/'ve\b/gi, ' have')
    .replace(/'re\b/gi, ' are')
    .replace(/'ll\b/gi, ' will')
    .replace(/'d\b/gi, ' would')
    .replace(/'s\b/gi, '')
    .replace(/(^|[\s(])'([^'"]{2,}?)'(?=$|[\s.,;:!?)])/g, '$1"$2"')
    .replace(/'/g, ' ');
  if ((t.match(/"/g) ?? []).length % 2 === 1) t = t.replace(/"/g, ' ');
  t = t
    .replace(/#\s*of\b/gi, 'number of')
    .replace(/#/g, ' ')
    .replace(/\s*(>=|=>|<=|=<|!=|<>|==|>|<|=)\s*/g, (_, op: string) => {
      const canonical: Record<string, string> = { '=>': '>=', '=<': '<=', '==': '=', '<>': '!=' };
      return ` ${canonical[op] ?? op} `;
    })
    .replace(/(\d),(\d{1,2})(?!\d)(?=\s*(?:k|m)\b)/gi, '$1.$2')
    .replace(/(?<![\d.,])(\d{1,3})((?:,\d{3})+)(?!\d)/g, (_, a: string, b: string) => a + b.replace(/,/g, ''))
    .replace(
      /(?<![\d.,]|\d )(\d{1,3})((?: \d{3})+)(?![\d.,])/g,
      (_, a: string, b: string) => a + b.replace(/ /g, ''),
    );
  t = t
    // "inactive 6m", "6m ago": months, not millions.
    .replace(
      /\b(inactive|dormant|lapsed|churned|quiet|last|past|within|since|for)\s+(\d+(?:\.\d+)?)\s?m\b/gi,
      '$1 $2 months',
    )
    .replace(/\b(\d+(?:\.\d+)?)\s?m\s+ago\b/gi, '$1 months ago')
    .replace(/\b(top|bottom|best|worst)(\d+)\b/gi, '$1 $2');
  t = scaleSuffixes(t)
    .replace(/\bhalf\s+a\s+dozen\b/gi, '6')
    .replace(/\ba\s+dozen\b/gi, '12')
    .replace(/\ba\s+couple(?:\s+of)?\b/gi, '2')
    .replace(/\ba\s+(hundred|thousand)\b/gi, 'one $1')
    .replace(/\ba\s+million\b/gi, '1000000')
    .replace(/\ba\s+grand\b/gi, '1000')
    .replace(/\bhalf\s+(?:a\s+)?year\b/gi, '182 days')
    .replace(NUMBER_RUN, numberRun)
    .replace(/\bonce\b/gi, '1 times')
    .replace(/\btwice\b/gi, '2 times')
    .replace(/\bthrice\b/gi, '3 times');
  t = scaleSuffixes(t)
    .replace(
      /(£|\$|€|\b(?:gbp|usd|eur|euros?|pounds?(?:\s+sterling)?|sterling|quid|dollars?|bucks)\b)/gi,
      ` ${MONEY} `,
    )
    .replace(/\b(?:percent|per\s+cent|pct)\b/gi, '%')
    .replace(/(?<![\w.])(\d{1,4})\s?d\b/gi, '$1 days')
    .replace(/(?<![\w.])(\d{1,4})\s?w\b/gi, '$1 weeks')
    .replace(/(?<![\w.])(\d{1,4})\s?y\b/gi, '$1 years')
    .replace(
      /(\d)(days?|weeks?|months?|years?|wks?|mos?|mths?|yrs?|qtrs?|orders?|times?|returns?)\b/gi,
      '$1 $2',
    )
    .replace(/[!?]+/g, ' ')
    .replace(/\.(?!\d)/g, ' ')
    .replace(/[()[\]]/g, ' , ')
    .replace(/[;:]/g, ' , ')
    .replace(/,/g, ' , ')
    .replace(/&/g, ' & ')
    .replace(/\s*\/\s*/g, ' / ')
    .replace(/(^|\s)-{2,}(?=\s|$)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return { text: t, foreignCurrency };
}

/** A number, optionally money: "¤ 500", "-5", "2.5". */
export const VALUE = `(?:${MONEY}\\s*)?-?\\d+(?:\\.\\d+)?(?![\\w.])(?:\\s*${MONEY})?`;

/**
 * A matched value as a number, and whether it was money.
 *
 * @example
 * parseValue('¤ 500'); // { value: 500, money: true }
 */
export function parseValue(s: string): { value: number; money: boolean } {
  return { value: Number(s.replace(compile(`[${MONEY}\\s]`, 'g'), '')), money: s.includes(MONEY) };
}

const COMPARATOR_PHRASES: [string, Comparator][] = [
  ['no more than', 'lte'],
  ['not more than', 'lte'],
  ['no greater than', 'lte'],
  ['no higher than', 'lte'],
  ['not over', 'lte'],
  ['not above', 'lte'],
  ['not exceeding', 'lte'],
  ['less than or equal to', 'lte'],
  ['fewer than or equal to', 'lte'],
  ['at most', 'lte'],
  ['up to', 'lte'],
  ['a maximum of', 'lte'],
  ['maximum of', 'lte'],
  ['maximum', 'lte'],
  ['max', 'lte'],
  ['<=', 'lte'],
  ['no less than', 'gte'],
  ['not less than', 'gte'],
  ['no fewer than', 'gte'],
  ['not fewer than', 'gte'],
  ['not under', 'gte'],
  ['not below', 'gte'],
  ['more than or equal to', 'gte'],
  ['greater than or equal to', 'gte'],
  ['at least', 'gte'],
  ['a minimum of', 'gte'],
  ['minimum of', 'gte'],
  ['minimum', 'gte'],
  ['min', 'gte'],
  ['>=', 'gte'],
  ['not equal to', 'neq'],
  ['different from', 'neq'],
  ['!=', 'neq'],
  ['more than', 'gt'],
  ['greater than', 'gt'],
  ['higher than', 'gt'],
  ['bigger than', 'gt'],
  ['larger than', 'gt'],
  ['in excess of', 'gt'],
  ['upwards of', 'gt'],
  ['upward of', 'gt'],
  ['north of', 'gt'],
  ['exceeding', 'gt'],
  ['exceeds', 'gt'],
  ['exceeded', 'gt'],
  ['exceed', 'gt'],
  ['beyond', 'gt'],
  ['older than', 'gt'],
  ['over', 'gt'],
  ['above', 'gt'],
  ['>', 'gt'],
  ['less than', 'lt'],
  ['fewer than', 'lt'],
  ['lower than', 'lt'],
  ['smaller than', 'lt'],
  ['south of', 'lt'],
  ['newer than', 'lt'],
  ['more recent than', 'lt'],
  ['under', 'lt'],
  ['below', 'lt'],
  ['beneath', 'lt'],
  ['<', 'lt'],
  ['exactly', 'eq'],
  ['precisely', 'eq'],
  ['equal to', 'eq'],
  ['equals', 'eq'],
  ['equalling', 'eq'],
  ['=', 'eq'],
];

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Any comparator phrase, longest first. */
export const COMP = `(?:${[...COMPARATOR_PHRASES]
  .sort((a, b) => b[0].length - a[0].length)
  .map(([p]) => escapeRe(p).replace(/ /g, '\\s+'))
  .join('|')})`;

const COMPARATOR_BY_PHRASE = new Map(COMPARATOR_PHRASES);

/**
 * @example
 * comparatorOf('no more than'); // 'lte'
 */
export function comparatorOf(phrase: string): Comparator | undefined {
  return COMPARATOR_BY_PHRASE.get(phrase.toLowerCase().replace(/\s+/g, ' ').trim());
}

const SUFFIX_GTE =
  'or\\s+more|or\\s+above|and\\s+above|and\\s+up(?:wards)?|or\\s+higher|or\\s+greater|and\\s+over|or\\s+over|plus|\\+|at\\s+least|minimum|min';
const SUFFIX_LTE =
  'or\\s+less|or\\s+fewer|or\\s+under|and\\s+under|and\\s+below|or\\s+below|or\\s+lower|at\\s+most|maximum|max|tops';
/** "or more", "+", "or less"... after a number. */
export const SUFFIX = `(?:${SUFFIX_GTE}|${SUFFIX_LTE})`;

/**
 * @example
 * suffixOp('or more'); // 'gte'
 */
export function suffixOp(s: string | undefined): Comparator | undefined {
  if (!s) return undefined;
  return compile(`^(?:${SUFFIX_GTE})$`, 'i').test(s.trim()) ? 'gte' : 'lte';
}

export const UNIT =
  '(?:hours?|hrs?|days?|weeks?|wks?|months?|mos?|mths?|years?|yrs?|quarters?|qtrs?|fortnights?)';
/** "90 days", "a month", "3-month", "month" (after "the last"). */
export const DURATION = `(?:(?:\\d+(?:\\.\\d+)?\\s*\\+?|an?)\\s*-?\\s*)?${UNIT}${END}`;
/** A duration whose unit may be left out ("recency over 90"): days. */
export const DURATION_OR_DAYS = `(?:\\d+(?:\\.\\d+)?(?:\\s*-?\\s*${UNIT})?|an?\\s+${UNIT})${END}`;
/**
 * "last month", "during last week", "previous quarter", "last year": the calendar one before the current one,
 * as figures and charts read it, not a count of days ("in the last month", "over the past year" are).
 */
export const CALENDAR_LAST = `(?<!\\bthe\\s+)(?:(?:in|during|for|over)\\s+)?(?:last|previous)\\s+(?:week|month|quarter|year)(?![\\w§-])`;
/** "in the last 30 days", "within 60 days", "over the past month". */
export const WINDOW = `(?:(?!${CALENDAR_LAST})(?:(?:in|within|during|over|for|from)\\s+)?(?:the\\s+)?(?:last|past|previous|prior)\\s+${DURATION}|within\\s+(?:the\\s+)?${DURATION}|in\\s+(?:\\d+(?:\\.\\d+)?|an?)\\s*-?\\s*${UNIT}${END})`;

const UNIT_DAYS: [RegExp, number, string][] = [
  [/^(?:hour|hr)/i, 1 / 24, 'hour'],
  [/^(?:day)/i, 1, 'day'],
  [/^(?:week|wk)/i, 7, 'week'],
  [/^(?:fortnight)/i, 14, 'fortnight'],
  [/^(?:month|mo|mth)/i, 30, 'month'],
  [/^(?:quarter|qtr)/i, 90, 'quarter'],
  [/^(?:year|yr)/i, 365, 'year'],
];

export interface Duration {
  days: number;
  /** Months, quarters and years are approximations worth telling the user about. */
  approximate: boolean;
  /** As said, e.g. "3 months". */
  said: string;
}

/**
 * The last duration in a phrase, in days; a bare number is days.
 *
 * @example
 * parseDuration('in the last 3 months'); // { days: 90, approximate: true, said: '3 months' }
 */
export function parseDuration(phrase: string): Duration {
  const matches = [
    ...phrase.matchAll(compile(`(?:(\\d+(?:\\.\\d+)?|an?)\\s*\\+?\\s*-?\\s*)?(${UNIT})${END}`)),
  ];
  const m = matches.at(-1);
  if (!m) {
    const n = Number(phrase.match(/\d+(?:\.\d+)?/)?.[0] ?? Number.NaN);
    return { days: n, approximate: false, said: `${n} days` };
  }
  const n = m[1] && /\d/.test(m[1]) ? Number(m[1]) : 1;
  const unit = m[2]!;
  const [, factor, name] = UNIT_DAYS.find(([re]) => re.test(unit)) ?? [/x/, 1, 'day'];
  return {
    // Whole days, and a few hours still means the last day.
    days: factor < 1 ? Math.ceil(n * factor) : Math.round(n * factor),
    approximate: factor >= 30 || factor < 1,
    said: `${n === 1 && !(m[1] && /\d/.test(m[1])) ? 'a' : n} ${name}${n === 1 ? '' : 's'}`,
  };
}
