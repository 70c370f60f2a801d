/**
 * The local copywriter: no model, no network. It composes drafts from phrase templates per channel, angle and
 * register (from the brand's tone words), filled only with facts it was given (product names, prices,
 * categories, the request's offer, the segment's traits). Variety comes from a seeded generator, so the same
 * seed gives the same draft.
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { type BrandVoice, register } from './brand.ts';
import { type Channel, charLength, type DraftContent, LIMITS } from './channels.ts';
import type { Facts, ProductFact } from './guard.ts';
import type { Catalogue } from './mentions.ts';

/** What the segment looks like, in figures the copy can play to. */
export interface SegmentTraits {
  description: string;
  count: number;
  avgSpend: number;
  avgOrders: number;
  /** The most common lifecycle stage and its share of the segment. */
  lifecycle: { stage: string; share: number } | null;
  /** The most common country and its share. */
  country: { name: string; share: number } | null;
}

export interface CopyBrief {
  channel: Channel;
  brand: BrandVoice;
  facts: Facts;
  segment: SegmentTraits;
  /** The store's product names, for the check on products named in the words (absent: names only). */
  catalogue?: Catalogue | undefined;
}

/** One draft as a writer hands it over, before the guardrails. */
export interface WrittenDraft {
  content: DraftContent;
  /** One line: the angle and the trait or fact it plays to. */
  rationale: string;
  /** Products the draft names (checked against the facts). */
  productIds: string[];
  angle: Angle;
}

export const ANGLES = ['offer', 'win-back', 'welcome', 'loyalty', 'seasonal', 'spotlight', 'value'] as const;
export type Angle = (typeof ANGLES)[number];

type Register = 'formal' | 'playful' | 'warm';

class Rng {
  private gen;
  constructor(seed: number) {
    this.gen = xoroshiro128plus(seed);
  }
  int(max: number): number {
    return max <= 1 ? 0 : uniformInt(this.gen, 0, max - 1);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

/** The angles that fit this brief, most telling first. */
export function anglesFor(brief: CopyBrief): Angle[] {
  const angles: Angle[] = [];
  const { facts, segment } = brief;
  if (facts.percents.length || facts.amounts.length || facts.offers.length) angles.push('offer');
  const stage = segment.lifecycle?.stage;
  const share = segment.lifecycle?.share ?? 0;
  if ((stage === 'lapsed' || stage === 'at_risk') && share >= 0.5) angles.push('win-back');
  if (stage === 'new' && share >= 0.5) angles.push('welcome');
  if ((stage === 'active' && share >= 0.5) || segment.avgOrders >= 3) angles.push('loyalty');
  if (facts.products.some((p) => /christmas/i.test(p.category) || /christmas|xmas/i.test(p.name))) {
    angles.push('seasonal');
  }
  angles.push('spotlight');
  if (facts.products.some((p) => p.price !== null)) angles.push('value');
  return angles;
}

// One formatter for every draft: toLocaleString with options builds a new one per call, which dominated writing.
const GBP = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP', minimumFractionDigits: 2 });
const formatMoney = (n: number) => GBP.format(n);

const pct = (share: number) => `${Math.round(share * 100)}%`;
const price = (p: ProductFact) => (p.price === null ? '' : formatMoney(p.price));

function offerText(facts: Facts): string | null {
  if (facts.percents.length) return `${facts.percents[0]}% off`;
  if (facts.amounts.length) return `${formatMoney(facts.amounts[0]!)} off`;
  return facts.offers[0] ?? null;
}

interface Slots {
  brand: string;
  product: string;
  price: string;
  category: string;
  offer: string;
}

type Lines = Record<Register, ((s: Slots) => string)[]>;

const HEADLINES: Record<Angle, Lines> = {
  offer: {
    warm: [(s) => `${cap(s.offer)} the ${s.product}`, (s) => `A little treat: ${s.offer} ${s.category}`],
    playful: [(s) => `${cap(s.offer)}? Yes, really!`, (s) => `Psst… ${s.offer} the ${s.product}`],
    formal: [(s) => `${cap(s.offer)} selected ${s.category}`, (s) => `An offer for you: ${s.offer}`],
  },
  'win-back': {
    warm: [(s) => `We've missed you at ${s.brand}`, () => "It's been a while: come and see what's new"],
    playful: [() => 'Long time no see!', (s) => `Come back, we saved you a ${s.product}`],
    formal: [(s) => `An invitation to return to ${s.brand}`, (s) => `Something new for you at ${s.brand}`],
  },
  welcome: {
    warm: [(s) => `Welcome to ${s.brand}`, () => 'So glad you found us'],
    playful: [(s) => `Hello, new friend! Welcome to ${s.brand}`, () => "You're in! Here's what's next"],
    formal: [(s) => `Welcome to ${s.brand}`, () => 'Thank you for your first order'],
  },
  loyalty: {
    warm: [() => 'A thank-you for coming back', (s) => `Picked for our regulars: ${s.product}`],
    playful: [() => "You're one of our favourites", (s) => `Regulars first: ${s.product}`],
    formal: [() => 'With thanks for your loyalty', () => 'Selected for our valued customers'],
  },
  seasonal: {
    warm: [(s) => `Get ready for Christmas with ${s.product}`, () => 'Christmas is coming: be ready'],
    playful: [() => 'Deck the halls (and the shelves)', (s) => `Your Christmas needs a ${s.product}`],
    formal: [(s) => `Prepare for the season with ${s.brand}`, () => 'The Christmas collection'],
  },
  spotlight: {
    warm: [(s) => `Meet the ${s.product}`, (s) => `Just for you: ${s.product}`],
    playful: [(s) => `Say hello to the ${s.product}`, (s) => `Your new favourite: ${s.product}`],
    formal: [(s) => `Introducing the ${s.product}`, (s) => `Featured: ${s.product}`],
  },
  value: {
    warm: [(s) => `${s.product}, from ${s.price}`, (s) => `${cap(s.category)} from ${s.price}`],
    playful: [
      (s) => `${s.price}? For the ${s.product}? Go on`,
      (s) => `${cap(s.category)} from just ${s.price}`,
    ],
    formal: [(s) => `${s.product}: ${s.price}`, (s) => `${cap(s.category)}, from ${s.price}`],
  },
};

const HOOKS: Record<Angle, Lines> = {
  offer: {
    warm: [(s) => `For a short while it's ${s.offer} the ${s.product} and friends.`],
    playful: [(s) => `Treat yourself: ${s.offer} the ${s.product}, while it lasts.`],
    formal: [(s) => `We are pleased to offer ${s.offer} the ${s.product}.`],
  },
  'win-back': {
    warm: [() => "It's been a while since your last order, so we picked a few things you'll like."],
    playful: [() => "We've been rearranging the shelves while you were away. Come and have a look!"],
    formal: [() => 'It has been some time since your last visit; here is a selection chosen for you.'],
  },
  welcome: {
    warm: [() => 'Thank you for your first order. Here are a few favourites to explore next.'],
    playful: [() => 'First order done. Now for the fun part: a few favourites to explore.'],
    formal: [() => 'Thank you for choosing us. May we suggest a few favourites.'],
  },
  loyalty: {
    warm: [() => 'You keep coming back, and we love that. Here is something chosen for you.'],
    playful: [() => 'You clearly have great taste, so here are a few more picks.'],
    formal: [() => 'As one of our regular customers, you may enjoy this selection.'],
  },
  seasonal: {
    warm: [(s) => `Our ${festive(s.category)} are here, and they go quickly.`],
    playful: [() => 'The festive season is nearly here. Time to get sparkly!'],
    formal: [(s) => `Our ${festive(s.category)} are now available.`],
  },
  spotlight: {
    warm: [(s) => `The ${s.product} is a favourite with customers like you.`],
    playful: [(s) => `The ${s.product} has fans. Lots of them. Be one.`],
    formal: [(s) => `The ${s.product} is among our most chosen pieces.`],
  },
  value: {
    warm: [(s) => `Lovely ${s.category} at everyday prices, like the ${s.product} at ${s.price}.`],
    playful: [(s) => `Good things, small prices: the ${s.product} is ${s.price}.`],
    formal: [(s) => `Quality ${s.category}, with the ${s.product} at ${s.price}.`],
  },
};

const GREETINGS: Record<Register, string[]> = {
  warm: ['Hello,', 'Hi there,'],
  playful: ['Hey you!', 'Hello hello!'],
  formal: ['Dear customer,', 'Good day,'],
};

const CTAS: Record<Register, string[]> = {
  warm: ['Shop now', 'Take a look', 'See what’s new'],
  playful: ['Go on, have a look', 'Show me', 'Let’s go'],
  formal: ['Discover the collection', 'View the selection', 'Shop now'],
};

const EMOJI: Record<Angle, string> = {
  offer: '🎁',
  'win-back': '💌',
  welcome: '👋',
  loyalty: '⭐',
  seasonal: '🎄',
  spotlight: '✨',
  value: '🏷️',
};

/**
 * A category as copy names it, in the plural: the catalogue's names are shelf labels ("Christmas", "Kitchen &
 * Dining"), and put in a sentence as they are they read "Our Christmas christmas are here".
 */
const CATEGORY_NOUNS: Record<string, string> = {
  // Christmas goes in front where the season is the point (see festive).
  Christmas: 'decorations',
  'Candles & Lights': 'candles and lights',
  Bags: 'bags',
  'Kitchen & Dining': 'kitchen and dining pieces',
  Stationery: 'stationery',
  'Toys & Games': 'toys and games',
  'Garden & Outdoor': 'garden pieces',
  'Jewellery & Accessories': 'jewellery and accessories',
  'Home Decor': 'home decor pieces',
  Other: 'finds',
};

export function categoryNoun(category: string): string {
  return CATEGORY_NOUNS[category] ?? category.toLowerCase().replaceAll(' & ', ' and ');
}

/** "Christmas candles and lights", "Christmas decorations". */
function festive(noun: string): string {
  return /christmas/i.test(noun) ? noun : `Christmas ${noun}`;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Why this angle suits this segment, for the rationale. */
function because(angle: Angle, brief: CopyBrief, lead: ProductFact): string {
  const { segment, facts } = brief;
  switch (angle) {
    case 'offer':
      return `the request offers ${offerText(facts)}`;
    case 'win-back':
      return `${pct(segment.lifecycle?.share ?? 0)} of the segment are ${segment.lifecycle?.stage === 'at_risk' ? 'at risk' : 'lapsed'} customers`;
    case 'welcome':
      return `${pct(segment.lifecycle?.share ?? 0)} of the segment are new customers`;
    case 'loyalty':
      return `they average ${segment.avgOrders.toFixed(1)} orders each`;
    case 'seasonal':
      return 'the products are Christmas lines';
    case 'spotlight':
      return `the ${lead.name} ${lead.why ?? 'fits the request'}`;
    case 'value':
      return `it leads with a real price (${price(lead)}); average spend is ${formatMoney(segment.avgSpend)}`;
  }
}

const LABEL: Record<Angle, string> = {
  offer: 'Offer',
  'win-back': 'Win-back',
  welcome: 'Welcome',
  loyalty: 'Loyalty',
  seasonal: 'Seasonal',
  spotlight: 'Product spotlight',
  value: 'Price-led',
};

/** A phrase that fits `max`, chosen among those that fit; the shortest when none does. */
function pickFitting(rng: Rng, options: string[], max: number): string {
  const fitting = options.filter((o) => charLength(o) <= max);
  if (fitting.length) return rng.pick(fitting);
  return [...options].sort((a, b) => charLength(a) - charLength(b))[0]!;
}

/**
 * Phrases for the full product name when any fits; a shorter form of the name only when none does. `ok`
 * drops phrases that would not read well where they go (saying the same thing twice).
 */
function pickWithName(
  rng: Rng,
  name: string,
  phrases: (n: string) => string[],
  max: number,
  ok: (phrase: string) => boolean = () => true,
): string {
  const forms = nameForms(name);
  for (const form of forms) {
    const fitting = phrases(form).filter((o) => charLength(o) <= max && ok(o));
    if (fitting.length) return rng.pick(fitting);
  }
  const last = phrases(forms.at(-1)!);
  return pickFitting(rng, last.filter(ok).length ? last.filter(ok) : last, max);
}

const AMOUNT = /[£€$]\d[\d,]*(?:\.\d\d)?|\d+(?:\.\d+)?%/g;
const normalSentence = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}£€$.]+/gu, ' ')
    .replace(/[.\s]+$/, '')
    .trim();

/**
 * Whether a text says the same thing twice: a sentence, or an amount (a product and its price, an offer).
 *
 * @example
 * repeatsItself('Jumbo Bag, from £1.95. Jumbo Bag from £1.95.'); // true
 */
export function repeatsItself(text: string): boolean {
  const sentences = text
    .split(/(?<=[.!?])\s+|\n+/)
    .map(normalSentence)
    .filter(Boolean);
  if (new Set(sentences).size < sentences.length) return true;
  const prices = text.match(AMOUNT) ?? [];
  return new Set(prices).size < prices.length;
}

/** Whether a text names a product at most once, in any of its forms (every form ends with the shortest). */
function namedAtMostOnce(text: string, name: string): boolean {
  const shortest = nameForms(name).at(-1)!.toLowerCase();
  return text.toLowerCase().split(shortest).length <= 2;
}

/** Shorter forms of a product name, for tight fields: all words, then fewer. */
function nameForms(name: string): string[] {
  const words = name.split(' ');
  const forms = [name];
  for (let n = words.length - 1; n >= 2; n--) forms.push(words.slice(words.length - n).join(' '));
  return forms;
}

/**
 * One draft for variant `variant` (0-based) of a brief: angle and lead product rotate with the variant,
 * phrasing comes from `seed`.
 *
 * @example
 * const draft = writeLocalDraft(brief, 0, 42);
 * draft.content; // { channel: 'email', subject: 'Meet the White Hanging Heart T-Light Holder', ... }
 */
export function writeLocalDraft(brief: CopyBrief, variant: number, seed: number): WrittenDraft {
  const rng = new Rng(seed * 31 + variant);
  const angles = anglesFor(brief);
  const angle = angles[variant % angles.length]!;
  const { brand, facts, channel } = brief;
  const reg = register(brand);
  if (facts.products.length === 0) {
    throw new Error('writeLocalDraft needs at least one product');
  }
  const products = [...facts.products];
  // Rotate the lead product with the variant so A/B drafts feature different things.
  const lead = products[(variant + rng.int(2)) % products.length]!;
  const featured = [lead, ...products.filter((p) => p !== lead)].slice(0, 3);
  const priced = featured.find((p) => p.price !== null) ?? lead;
  const slots = (productName: string): Slots => ({
    brand: brand.name,
    product: productName,
    price: price(priced) || 'a good price',
    category: categoryNoun(lead.category),
    offer: offerText(facts) ?? 'something special on',
  });
  const headline = (max: number, ok?: (h: string) => boolean) =>
    pickWithName(rng, lead.name, (n) => HEADLINES[angle][reg].map((f) => f(slots(n))), max, ok);
  const hook = rng.pick(HOOKS[angle][reg])(slots(lead.name));
  const cta = rng.pick(CTAS[reg]);
  const emoji = brand.emoji !== 'none' && reg !== 'formal' ? ` ${EMOJI[angle]}` : '';
  // A list under a sentence that already gave a product's price names it without the price again.
  const priceOf = (p: ProductFact, said = '') =>
    p.price === null || said.includes(price(p)) ? p.name : `${p.name}, ${price(p)}`;

  let content: DraftContent;
  switch (channel) {
    case 'email': {
      const lines = featured.map((p) => `- ${priceOf(p, hook)}`);
      const body = [`${rng.pick(GREETINGS[reg])}`, `${hook}${emoji}`, lines.join('\n'), brand.sign_off]
        .filter(Boolean)
        .join('\n\n');
      const preheader = pickFitting(
        rng,
        [hook, `${lead.name}${lead.price === null ? '' : ` from ${price(lead)}`} and more.`],
        LIMITS.email.preheader,
      );
      content = { channel, subject: headline(LIMITS.email.subject), preheader, body, cta };
      break;
    }
    case 'push': {
      const title = headline(LIMITS.push.title - charLength(emoji)) + emoji;
      const body = pickWithName(
        rng,
        lead.name,
        (n) => [
          `${hook} ${cta}.`,
          lead.price === null ? `${n}. ${cta}.` : `${n} from ${price(lead)}. ${cta}.`,
          `${HOOKS.spotlight[reg][0]!(slots(n))} ${cta}.`,
        ],
        LIMITS.push.body,
        (b) => !repeatsItself(`${title}. ${b}`),
      );
      content = { channel, title, body };
      break;
    }
    case 'sms': {
      const optOut = brand.sms_opt_out;
      const room = LIMITS.sms.gsm7 - charLength(brand.name) - charLength(optOut) - 4;
      const offer = offerText(facts);
      const priced = (n: string) => `${n}${lead.price === null ? '' : ` from ${price(lead)}`}`;
      const title = headline(60).replace(/[.!?]$/, '');
      const core = pickWithName(
        rng,
        lead.name,
        (n) =>
          angle === 'offer' && offer
            ? [
                `${cap(offer)} the ${n}. ${hook}`,
                `${cap(offer)} the ${n}. ${cta}!`,
                `${cap(offer)} the ${n}.`,
              ]
            : [
                `${title}. ${hook}`,
                // A headline that already names the product gets its price, not the name a second time.
                title.includes(n)
                  ? `${title}${lead.price === null ? '' : `, from ${price(lead)}`}. ${cta}!`
                  : `${title}. ${priced(n)}. ${cta}!`,
                `${priced(n)}. ${cta}!`,
              ],
        room,
        // The price-led headline already names the product and its price: never say them twice. In 160
        // characters the product is named once too ("Just for you: Paper Chain Kit. The Paper Chain Kit is…").
        (core) => !repeatsItself(core) && namedAtMostOnce(core, lead.name),
      );
      content = { channel, text: `${brand.name}: ${core} ${optOut}` };
      break;
    }
    case 'social': {
      let said = hook;
      const head = headline(80, (h) => !repeatsItself(`${h}. ${hook}`));
      // Every price-led headline states the price the hook states: then the hook speaks of the product instead.
      if (repeatsItself(`${head}. ${said}`)) said = HOOKS.spotlight[reg][0]!(slots(lead.name));
      const list = featured.map((p) => priceOf(p, `${head} ${said}`)).join(' · ');
      content = { channel, text: `${head}${emoji}\n\n${said}\n\n${list}\n\n${cta}.` };
      break;
    }
  }
  return {
    content,
    angle,
    productIds: featured.map((p) => p.id),
    rationale: `${LABEL[angle]} angle: ${because(angle, brief, lead)}.`,
  };
}

/**
 * `n` drafts, one angle each as far as the brief allows.
 *
 * @example
 * writeLocalDrafts(brief, 3, 7).map((d) => d.angle); // ['win-back', 'seasonal', 'spotlight']
 */
export function writeLocalDrafts(brief: CopyBrief, n: number, seed: number): WrittenDraft[] {
  return Array.from({ length: n }, (_, i) => writeLocalDraft(brief, i, seed));
}
