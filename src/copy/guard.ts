/**
 * The guardrails every draft passes before anyone sees it, whichever provider wrote it: the brand's banned
 * words and claims and emoji policy (repaired), the channel's limits (repaired where possible), and the facts
 * check (never repaired: a draft naming a price, discount, offer or product that is not in the data or the
 * request is rejected, and the caller writes another). Products are checked by the ids a draft declares and
 * by the names its words use (`mentions.ts`).
 */
import { type BrandVoice, bannedPattern } from './brand.ts';
import {
  channelProblems,
  countEmoji,
  type DraftContent,
  draftContent,
  fitContent,
  type Problem,
  stripEmoji,
  textFields,
} from './channels.ts';
import { type Catalogue, productMentions } from './mentions.ts';

export interface ProductFact {
  id: string;
  /** As a marketer would write it ("White Hanging Heart T-Light Holder"). */
  name: string;
  category: string;
  /** Latest unit price in the data; null when the product has no priced sale. */
  price: number | null;
  /** Why it was chosen, for the rationale ("is this segment's top seller"). */
  why?: string;
}

/** What a draft may state: the products given to the writer, and the amounts and offers the request names. */
export interface Facts {
  products: ProductFact[];
  /** Money amounts in the marketer's request ("£5 off"). */
  amounts: number[];
  /** Percentages in the marketer's request ("20% off"). */
  percents: number[];
  /** Offer phrases in the marketer's request ("free delivery"). */
  offers: string[];
}

const MONEY = /(?:£|€|\$|\bGBP\s?|\bEUR\s?)\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?(?!\d)/giu;
const PERCENT = /(\d{1,3}(?:\.\d+)?)\s?(?:%|per\s?cent\b|percent\b)/giu;
const OFFERS = [
  'free shipping',
  'free delivery',
  'free postage',
  'free p&p',
  'free gift',
  'buy one get one',
  'bogo',
  'half price',
  'half-price',
  '2 for 1',
  'two for one',
  '3 for 2',
  'three for two',
];

const money = (whole: string, cents: string | undefined) =>
  Number(`${whole.replace(/,/g, '')}.${(cents ?? '0').padEnd(2, '0')}`);

/**
 * The amounts, percentages and offers a text names.
 *
 * @example
 * claimsIn('20% off everything, from £2.55, free delivery'); // { amounts: [2.55], percents: [20], offers: ['free delivery'] }
 */
export function claimsIn(text: string): { amounts: number[]; percents: number[]; offers: string[] } {
  const lower = text.toLowerCase();
  return {
    amounts: [...text.matchAll(MONEY)].map((m) => money(m[1]!, m[2])),
    percents: [...text.matchAll(PERCENT)].map((m) => Number(m[1])),
    offers: OFFERS.filter((o) => lower.includes(o)),
  };
}

/** Facts from the products given to the writer and from the request's own words. */
export function factsFrom(products: ProductFact[], request: string): Facts {
  return { products, ...claimsIn(request) };
}

const sameAmount = (a: number, b: number) => Math.abs(a - b) < 0.005;

/** What the product-name check needs besides the facts. */
export interface MentionContext {
  /** The store's product names; without it only names that look invented are caught. */
  catalogue?: Catalogue | undefined;
  /** Words that are not products although they may look like it (the brand's name, sign-off). */
  extraWords?: readonly string[];
}

/**
 * Every price, discount, offer and product in a draft that is not in the facts: declared product ids, and
 * products named in the words (catalogue products not given to the writer, names that look invented).
 *
 * @example
 * factProblems({ channel: 'sms', text: 'Now 30% off!' }, [], facts); // [{ kind: 'fact', field: 'text', message: 'names a 30% discount ...' }]
 */
export function factProblems(
  content: DraftContent,
  productIds: readonly string[],
  facts: Facts,
  mentions: MentionContext = {},
): Problem[] {
  const problems: Problem[] = [];
  const prices = facts.products.flatMap((p) => (p.price === null ? [] : [p.price]));
  for (const [field, value] of textFields(content)) {
    const found = claimsIn(value);
    for (const amount of found.amounts) {
      if (!prices.some((p) => sameAmount(p, amount)) && !facts.amounts.some((a) => sameAmount(a, amount))) {
        problems.push({
          kind: 'fact',
          field,
          message: `names £${amount.toFixed(2)}, which is neither a price in the data nor in the request`,
        });
      }
    }
    for (const percent of found.percents) {
      if (!facts.percents.includes(percent)) {
        problems.push({
          kind: 'fact',
          field,
          message: `names a ${percent}% discount the request does not offer`,
        });
      }
    }
    for (const offer of found.offers) {
      if (!facts.offers.includes(offer)) {
        problems.push({
          kind: 'fact',
          field,
          message: `promises "${offer}", which the request does not offer`,
        });
      }
    }
    for (const m of productMentions(value, facts.products, mentions)) {
      problems.push({
        kind: 'fact',
        field,
        message: m.productIds.length
          ? `names "${m.text}", a product in the catalogue that is not among this draft's products (${facts.products.map((p) => p.name).join(', ')})`
          : `names "${m.text}", which is not a product in the data`,
      });
    }
  }
  const known = new Set(facts.products.map((p) => p.id));
  for (const id of productIds) {
    if (!known.has(id)) {
      problems.push({
        kind: 'fact',
        field: 'products',
        message: `names product "${id}", which is not in the data`,
      });
    }
  }
  return problems;
}

interface BrandPatterns {
  words: { w: string; test: RegExp; all: RegExp }[];
  claims: { c: string; test: RegExp; all: RegExp }[];
}

const patternCache = new WeakMap<BrandVoice, BrandPatterns>();

/** Compiled once per brand: the checks run on every draft. */
function patterns(brand: BrandVoice): BrandPatterns {
  let p = patternCache.get(brand);
  if (!p) {
    p = {
      words: brand.banned_words.map((w) => ({ w, test: bannedPattern(w), all: bannedPattern(w, 'giu') })),
      claims: brand.banned_claims.map((c) => ({ c, test: bannedPattern(c), all: bannedPattern(c, 'giu') })),
    };
    patternCache.set(brand, p);
  }
  return p;
}

/** Banned words and claims, and the emoji policy, field by field. */
export function brandProblems(content: DraftContent, brand: BrandVoice): Problem[] {
  const problems: Problem[] = [];
  const { words, claims } = patterns(brand);
  let emoji = 0;
  for (const [field, value] of textFields(content)) {
    for (const { w, test } of words) {
      const m = test.exec(value);
      if (m) problems.push({ kind: 'banned', field, message: `uses the banned word "${m[0]}" (${w})` });
    }
    for (const { c, test } of claims) {
      if (test.test(value)) problems.push({ kind: 'claim', field, message: `makes the banned claim "${c}"` });
    }
    const n = countEmoji(value);
    emoji += n;
    if (n > 0 && brand.emoji === 'none') {
      problems.push({ kind: 'emoji', field, message: 'uses emoji; the brand uses none' });
    } else if (n > 0 && brand.emoji === 'sparing' && (content.channel === 'sms' || field === 'subject')) {
      problems.push({
        kind: 'emoji',
        field,
        message: `uses emoji in the ${field}; the brand keeps them out of it`,
      });
    }
  }
  if (brand.emoji === 'sparing' && emoji > 1) {
    problems.push({
      kind: 'emoji',
      field: 'draft',
      message: `uses ${emoji} emoji; the brand allows one per draft`,
    });
  }
  return problems;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function tidy(text: string): string {
  return text
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/ +([.,!?;:])/g, '$1')
    .replace(/^[ \t]+|[ \t]+$/gm, '')
    .replace(/([.!?])\s*[,;]/g, '$1')
    .replace(/(^|[.!?]\s+)(\p{Ll})/gu, (_, before: string, c: string) => before + c.toUpperCase());
}

/** Replaces banned words (or drops them), drops sentences making banned claims, applies the emoji policy. */
export function repairBrand(content: DraftContent, brand: BrandVoice): DraftContent {
  const replacements = new Map(Object.entries(brand.replacements).map(([k, v]) => [k.toLowerCase(), v]));
  let emojiLeft = brand.emoji === 'free' ? Number.POSITIVE_INFINITY : brand.emoji === 'sparing' ? 1 : 0;
  const out: Record<string, string> = {};
  for (const [field, original] of textFields(content)) {
    let value = original;
    const { words, claims } = patterns(brand);
    for (const { w, all } of words) {
      const instead = replacements.get(w.toLowerCase()) ?? '';
      // Keep a capital at the start of a sentence: "Cheap lights" becomes "Affordable lights".
      value = value.replace(all, (m) => (/^\p{Lu}/u.test(m) ? cap(instead) : instead));
    }
    for (const { test: re, all } of claims) {
      if (!re.test(value)) continue;
      value = value
        .split('\n')
        .map((line) =>
          (line.match(/[^.!?]+(?:[.!?]+|$)/g) ?? [line])
            .filter((sentence) => !re.test(sentence))
            .join('')
            .trim(),
        )
        .join('\n');
      // A claim inside a short field with no sentence to spare: cut the phrase itself.
      value = value.replace(all, '');
    }
    const noEmojiHere = content.channel === 'sms' || (brand.emoji === 'sparing' && field === 'subject');
    if (countEmoji(value) > 0 && (noEmojiHere || emojiLeft <= 0)) value = stripEmoji(value);
    else if (countEmoji(value) > emojiLeft) value = stripEmoji(value);
    emojiLeft -= countEmoji(value);
    out[field] = tidy(value);
  }
  return draftContent.parse({ ...content, ...out });
}

export interface GuardContext {
  brand: BrandVoice;
  facts: Facts;
  productIds: readonly string[];
  /** The store's product names, for catalogue products named in the words (see `mentions.ts`). */
  catalogue?: Catalogue | undefined;
}

const mentionContext = (ctx: GuardContext): MentionContext => ({
  catalogue: ctx.catalogue,
  extraWords: [ctx.brand.name, ctx.brand.sign_off, ctx.brand.sms_opt_out],
});

export interface GuardResult {
  content: DraftContent;
  /** What still breaks a rule after repair; empty when the draft may be shown. */
  problems: Problem[];
  /** Whether repair changed the draft. */
  repaired: boolean;
}

/**
 * Repairs what can be repaired, then checks everything. A draft with problems left must not be shown.
 *
 * @example
 * const { content, problems } = guardDraft(draft, { brand, facts, productIds: ['85123A'] });
 * if (problems.length) regenerate();
 */
export function guardDraft(content: DraftContent, ctx: GuardContext): GuardResult {
  const opt = { optOut: ctx.brand.sms_opt_out };
  const repairedContent = fitContent(repairBrand(content, ctx.brand), opt);
  const problems = [
    ...brandProblems(repairedContent, ctx.brand),
    ...channelProblems(repairedContent, opt),
    ...factProblems(repairedContent, ctx.productIds, ctx.facts, mentionContext(ctx)),
  ];
  return {
    content: repairedContent,
    problems,
    repaired: JSON.stringify(repairedContent) !== JSON.stringify(content),
  };
}

/** Checks without repairing (a marketer's own edit is checked, not rewritten). */
export function checkDraft(content: DraftContent, ctx: GuardContext): Problem[] {
  return [
    ...brandProblems(content, ctx.brand),
    ...channelProblems(content, { optOut: ctx.brand.sms_opt_out }),
    ...factProblems(content, ctx.productIds, ctx.facts, mentionContext(ctx)),
  ];
}
