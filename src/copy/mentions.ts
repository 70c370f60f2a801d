/**
 * Products a draft names in its words, not only the ids it declares. Two checks:
 *
 * - **The catalogue.** Every product name in the store is indexed by its normalised words (lower case, no
 *   accents or punctuation, singular, small words dropped): the whole name, and every run of three or more
 *   of its words that holds at least two content words. A run of the draft's words that matches one names a
 *   real product; it passes only when that product (or a product whose name holds the run) was given to the
 *   writer. So "the rabbit night light" and "T-light holders" pass for the White Hanging Heart T-Light Holder
 *   and the Rabbit Night Light, while "Jumbo Bag Red Retrospot" is rejected when it was not asked for.
 * - **Names that look like products.** Words that read as a product name: capitalised words before a product
 *   noun ("our Velvet Dream Lamp", "the Velvet Dream lamp"), or any words after a launch cue ("our new velvet
 *   dream lamp", "introducing the ..."). Such a name must be made of the given products' words (names,
 *   categories), the brand's, or everyday copy words; two or more other words, or one other word with a noun
 *   none of the given products has, make it a product that is not in the data.
 *
 * Both are heuristics over plain words: they catch the common ways a writer names a product it was not
 * given, and leave ordinary copy ("Christmas decorations", "cosy evenings") alone.
 */
import type { ProductFact } from './guard.ts';

/** Words that never tell two product names apart. */
const STOP = new Set(
  'a an and the of with in on for to or at by from your our my is are it this that its'.split(' '),
);

/** Singular product nouns: a capitalised phrase ending in one reads as a product name. */
const NOUNS = new Set(
  `lamp light lantern candle candleholder holder tealight chandelier bag tote purse backpack rucksack wallet mug
  cup teacup saucer teapot plate bowl jug jar tin bottle tumbler beaker coaster tray cakestand apron towel napkin
  cutlery spoon cushion pillow throw blanket quilt rug doormat curtain vase frame mirror clock hook shelf cabinet
  drawer box case cover set rack dish pot pouch tape magnet print poster basket hamper planter ornament decoration bauble wreath garland bunting notebook journal diary pen
  pencil calendar sticker ribbon toy doll puzzle necklace bracelet earring brooch charm scarf umbrella hat glove
  sock dress shirt jumper sweater jacket coat boot shoe sandal watch kit sofa chair stool desk bed duvet soap
  diffuser perfume lipstick speaker headphone charger kettle toaster blender doorstop lunchbox`
    .split(/\s+/)
    .filter(Boolean),
);

/** Everyday copy words: in a product-like phrase they describe, they do not name. */
const GENERIC = new Set(
  `christmas xmas festive holiday season seasonal winter summer spring autumn easter halloween valentine mother
  father birthday new year all brand latest exclusive limited edition perfect ideal lovely little big best
  favourite favorite special cosy cozy warm soft bright classic timeless beautiful pretty charming essential
  everyday handmade gift treat meet say hello discover shop explore introducing welcome hi hey dear get find love
  more sale offer deal just now here back top must have happy merry cheerful sparkling twinkling glowing golden
  magical dreamy home kitchen garden living room bedroom evening morning night day week weekend collection range
  piece pick picks one ones great good fresh simple stylish elegant modern vintage retro style tiny mini large
  small original signature`
    .split(/\s+/)
    .filter(Boolean),
);

/** Words after which a writer presents a product. */
const CUES = [
  ['our', 'new'],
  ['the', 'new'],
  ['a', 'new'],
  ['all', 'new'],
  ['brand', 'new'],
  ['introducing'],
  ['meet'],
];

export interface Word {
  /** Normalised: lower case, no accents, singular. */
  norm: string;
  raw: string;
  start: number;
  end: number;
  capital: boolean;
  /** First word of a sentence (its capital says nothing). */
  initial: boolean;
  /** Punctuation stands between this word and the one before: a name does not run across it. */
  boundary: boolean;
}

function singular(w: string): string {
  if (w.length <= 3) return w;
  if (w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  if (/(?:ss|x|ch|sh)es$/.test(w)) return w.slice(0, -2);
  if (w.endsWith('s') && !/(?:ss|us|is)$/.test(w)) return w.slice(0, -1);
  return w;
}

// The same few thousand words come back in every draft and every catalogue name.
const normalised = new Map<string, string>();
function norm(w: string): string {
  let n = normalised.get(w);
  if (n === undefined) {
    n = singular(w.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/['’]/g, ''));
    if (normalised.size > 100_000) normalised.clear();
    normalised.set(w, n);
  }
  return n;
}

const WORD = /[\p{L}\p{N}]+(?:['’]\p{L}+)?/gu;
const SENTENCE_END = /[.!?:\n]/;
const BREAK = /[^\s'’"“”«»&+/-]/;

/**
 * The words of a text with their places; a hyphen splits ("T-Light" is "t", "light").
 *
 * @example
 * words('Our Velvet Dream Lamps!').map((w) => w.norm); // ['our', 'velvet', 'dream', 'lamp']
 */
export function words(text: string): Word[] {
  const out: Word[] = [];
  let last = 0;
  for (const m of text.matchAll(WORD)) {
    const raw = m[0];
    // What stands between this word and the last one: a sentence end, other punctuation, or only spaces,
    // hyphens and the marks that join the parts of a name (& + /).
    const gap = text.slice(last, m.index);
    const initial = out.length === 0 || SENTENCE_END.test(gap);
    const first = raw[0]!;
    out.push({
      norm: norm(raw),
      raw,
      start: m.index,
      end: m.index + raw.length,
      capital: first !== first.toLowerCase() || (first >= '0' && first <= '9'),
      initial,
      boundary: initial || BREAK.test(gap) || / - /.test(gap),
    });
    last = m.index + raw.length;
  }
  return out;
}

/** Normalised words of a name. */
export function nameKey(name: string): string[] {
  return words(name).map((w) => w.norm);
}

const isContent = (w: string) => !STOP.has(w) && !/^\d/.test(w) && w.length > 1;

export interface Catalogue {
  /** A run of a name's normalised words (joined by spaces) → the ids of the products whose name holds it. */
  spans: Map<string, string[]>;
  /** Display names by id (for messages). */
  names: Map<string, string>;
  /** The longest run indexed, in words. */
  longest: number;
  /** The first two words of every indexed run: most places in a text start none, and are skipped at once. */
  starts: Set<string>;
}

/**
 * Indexes product names for `productMentions`: each whole name with two or more content words, and each run
 * of three or more of its words holding two content words and a product noun ("hot water bottle", not "home
 * sweet home").
 *
 * @example
 * const catalogue = buildCatalogue([{ id: '85099B', name: 'JUMBO BAG RED RETROSPOT' }]);
 * catalogue.spans.get('jumbo bag red retrospot'); // ['85099B']
 */
export function buildCatalogue(rows: readonly { id: string; name: string }[]): Catalogue {
  const spans = new Map<string, string[]>();
  const names = new Map<string, string>();
  const starts = new Set<string>();
  let longest = 0;
  const add = (key: string, id: string) => {
    starts.add(key.split(' ', 2).join(' '));
    const ids = spans.get(key);
    if (!ids) spans.set(key, [id]);
    else if (ids.at(-1) !== id) ids.push(id);
  };
  for (const { id, name } of rows) {
    const key = nameKey(name);
    if (key.filter(isContent).length < 2) continue;
    names.set(id, name);
    longest = Math.max(longest, key.length);
    add(key.join(' '), id);
    for (let len = 3; len < key.length; len++) {
      for (let i = 0; i + len <= key.length; i++) {
        const run = key.slice(i, i + len);
        if (run.filter(isContent).length >= 2 && run.some((w) => NOUNS.has(w))) add(run.join(' '), id);
      }
    }
  }
  return { spans, names, longest, starts };
}

/** Whether `run` appears, word for word in order, inside `name`. */
function within(run: readonly string[], name: readonly string[]): boolean {
  outer: for (let i = 0; i + run.length <= name.length; i++) {
    for (let j = 0; j < run.length; j++) if (name[i + j] !== run[j]) continue outer;
    return true;
  }
  return false;
}

export interface Mention {
  /** The words as the draft wrote them. */
  text: string;
  /** Catalogue products whose name holds these words (empty: not in the catalogue). */
  productIds: string[];
  allowed: boolean;
}

interface Allowed {
  ids: Set<string>;
  names: string[][];
  /** Words of the given products' names and categories, and the brand's own. */
  vocabulary: Set<string>;
}

const allowedCache = new WeakMap<readonly ProductFact[], Map<string, Allowed>>();

/** Built once per draft's facts and brand: every field of every variant is checked against it. */
function allowedFrom(products: readonly ProductFact[], extraWords: readonly string[]): Allowed {
  const key = extraWords.join('\0');
  let byBrand = allowedCache.get(products);
  if (!byBrand) {
    byBrand = new Map();
    allowedCache.set(products, byBrand);
  }
  let allowed = byBrand.get(key);
  if (!allowed) {
    allowed = buildAllowed(products, extraWords);
    byBrand.set(key, allowed);
  }
  return allowed;
}

function buildAllowed(products: readonly ProductFact[], extraWords: readonly string[]): Allowed {
  const names = products.map((p) => nameKey(p.name));
  const vocabulary = new Set<string>();
  for (const p of products) for (const w of words(`${p.name} ${p.category}`)) vocabulary.add(w.norm);
  for (const text of extraWords) for (const w of words(text)) vocabulary.add(w.norm);
  return { ids: new Set(products.map((p) => p.id)), names, vocabulary };
}

/** Runs of the text that match catalogue names, longest first from left to right. */
function catalogueRuns(
  ws: Word[],
  catalogue: Catalogue,
  allowed: Allowed,
): (Mention & { from: number; to: number })[] {
  const found: (Mention & { from: number; to: number })[] = [];
  for (let i = 0; i < ws.length; ) {
    let hit: (Mention & { from: number; to: number }) | null = null;
    const next = ws[i + 1];
    if (!next || next.boundary || !catalogue.starts.has(`${ws[i]!.norm} ${next.norm}`)) {
      i++;
      continue;
    }
    let room = 1;
    while (i + room < ws.length && room < catalogue.longest && !ws[i + room]!.boundary) room++;
    for (let len = room; len >= 2 && !hit; len--) {
      const run = ws.slice(i, i + len);
      const key = run.map((w) => w.norm);
      const ids = catalogue.spans.get(key.join(' '));
      if (!ids) continue;
      hit = {
        text: '',
        productIds: ids,
        allowed: ids.some((id) => allowed.ids.has(id)) || allowed.names.some((n) => within(key, n)),
        from: run[0]!.start,
        to: run.at(-1)!.end,
      };
    }
    if (hit) {
      found.push(hit);
      while (i < ws.length && ws[i]!.start < hit.to) i++;
    } else i++;
  }
  return found;
}

/** Phrases that read as a product's name: capitalised words before a product noun, or words after a cue. */
function productLikePhrases(ws: Word[]): { from: number; to: number; words: Word[] }[] {
  const phrases: { from: number; to: number; words: Word[] }[] = [];
  for (let j = 0; j < ws.length; j++) {
    const noun = ws[j]!;
    if (!NOUNS.has(noun.norm)) continue;
    let i = j;
    while (i > 0 && j - i < 4) {
      const w = ws[i - 1]!;
      if (!w.capital || STOP.has(w.norm) || ws[i]!.boundary) break;
      i--;
    }
    const modifiers = ws.slice(i, j);
    // A capital at the start of a sentence says nothing: "Velvet lamps" alone is not a name.
    const named = noun.capital
      ? modifiers.length >= 1
      : modifiers.some((m) => !m.initial) || modifiers.length >= 2;
    if (named) phrases.push({ from: ws[i]!.start, to: noun.end, words: ws.slice(i, j + 1) });
  }
  for (let c = 0; c < ws.length; c++) {
    for (const cue of CUES) {
      if (!cue.every((w, k) => ws[c + k]?.norm === w)) continue;
      let start = c + cue.length;
      if (ws[start] && ['the', 'our', 'a'].includes(ws[start]!.norm)) start++;
      for (let j = start; j < Math.min(ws.length, start + 4); j++) {
        if (j > start && ws[j]!.boundary) break;
        if (NOUNS.has(ws[j]!.norm)) {
          if (j > start) {
            phrases.push({ from: ws[start]!.start, to: ws[j]!.end, words: ws.slice(start, j + 1) });
          }
          break;
        }
      }
    }
  }
  return phrases;
}

/**
 * Products the text names that the draft was not given: catalogue products outside `products`, and names
 * that look like products but are in neither.
 *
 * @example
 * productMentions('Meet our Velvet Dream Lamp', TEST_PRODUCTS, { catalogue }); // [{ text: 'Velvet Dream Lamp', productIds: [], allowed: false }]
 */
export function productMentions(
  text: string,
  products: readonly ProductFact[],
  options: { catalogue?: Catalogue | undefined; extraWords?: readonly string[] } = {},
): Mention[] {
  const ws = words(text);
  const allowed = allowedFrom(products, options.extraWords ?? []);
  const mentions: Mention[] = [];
  const judged: { from: number; to: number }[] = [];
  if (options.catalogue) {
    for (const run of catalogueRuns(ws, options.catalogue, allowed)) {
      judged.push(run);
      if (!run.allowed)
        mentions.push({ text: text.slice(run.from, run.to), productIds: run.productIds, allowed: false });
    }
  }
  const seen = new Set<string>();
  for (const phrase of productLikePhrases(ws)) {
    if (judged.some((j) => phrase.from < j.to && j.from < phrase.to)) continue;
    const noun = phrase.words.at(-1)!.norm;
    const unknown = phrase.words
      .slice(0, -1)
      .map((w) => w.norm)
      .filter((w) => isContent(w) && !GENERIC.has(w) && !allowed.vocabulary.has(w));
    const inventive = unknown.length >= 2 || (unknown.length >= 1 && !allowed.vocabulary.has(noun));
    const said = text.slice(phrase.from, phrase.to);
    if (inventive && !seen.has(said.toLowerCase())) {
      seen.add(said.toLowerCase());
      // One name, read twice ("Velvet Dream Lamp" after "our new"), is reported once.
      judged.push(phrase);
      mentions.push({ text: said, productIds: [], allowed: false });
    }
  }
  return mentions;
}
