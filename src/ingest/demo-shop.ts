/**
 * A synthetic gift and homeware shop, generated from a seed as Online Retail CSV lines. It gives demos and
 * tests a year of believable trading (seasonality, loyal and one-time customers, churn, returns) without
 * shipping a real data set.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { categorize } from './categorize.ts';

export interface DemoShopOptions {
  /** PRNG seed; the same seed always produces the same shop. Default 42. */
  seed?: number;
  /** Number of registered customers. Default 1500. */
  customers?: number;
  /** First day of trading (UTC). Default 2025-12-01T00:00:00Z. */
  start?: Date;
  /** Number of days of trading. Default 365. */
  days?: number;
}

export const ONLINE_RETAIL_HEADER =
  'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';

export interface DemoCatalogueItem {
  stockCode: string;
  name: string;
  category: string;
  price: number;
}

const DEFAULT_SEED = 42;
const DEFAULT_CUSTOMERS = 1500;
const DEFAULT_START = '2025-12-01T00:00:00Z';
const DEFAULT_DAYS = 365;
const DAY_MS = 86_400_000;
const FIRST_INVOICE_NO = 600001;
const FIRST_CUSTOMER_ID = 12346;

// ---------------------------------------------------------------------------------------------------------
// Randomness

class Rng {
  constructor(private readonly gen: RandomGenerator) {}

  float(): number {
    return uniformFloat64(this.gen);
  }

  int(min: number, max: number): number {
    return uniformInt(this.gen, min, max);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  normal(): number {
    const u = 1 - this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }

  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  exponential(mean: number): number {
    return -mean * Math.log(1 - this.float());
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}

class WeightedSampler<T> {
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(
    private readonly items: readonly T[],
    weights: readonly number[],
  ) {
    this.cumulative = new Float64Array(items.length);
    let sum = 0;
    for (let i = 0; i < items.length; i++) {
      sum += weights[i]!;
      this.cumulative[i] = sum;
    }
    this.total = sum;
  }

  sample(rng: Rng): T {
    const x = rng.float() * this.total;
    let lo = 0;
    let hi = this.items.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo]!;
  }
}

function weightedPick<T>(rng: Rng, items: readonly (readonly [T, number])[]): T {
  let total = 0;
  for (const [, w] of items) total += w;
  let x = rng.float() * total;
  for (const [item, w] of items) {
    x -= w;
    if (x < 0) return item;
  }
  return items[items.length - 1]![0];
}

// ---------------------------------------------------------------------------------------------------------
// Catalogue

interface Product extends DemoCatalogueItem {
  /** Relative popularity (long tail). */
  weight: number;
  /** Shared design used to suggest bought-together items, e.g. `RETROSPOT`. */
  motif: string | null;
}

interface NounSpec {
  noun: string;
  min: number;
  max: number;
}

interface CategorySpec {
  category: string;
  count: number;
  nouns: readonly NounSpec[];
  /** Extra category-specific adjectives on top of the shared colours, materials and motifs. */
  adjectives: readonly string[];
}

const PRICE_POINTS = [
  0.29, 0.39, 0.42, 0.55, 0.65, 0.72, 0.85, 0.95, 1.25, 1.45, 1.65, 1.95, 2.1, 2.55, 2.95, 3.25, 3.75, 4.25,
  4.95, 5.95, 6.75, 7.95, 8.5, 9.95, 10.95, 12.75, 14.95, 16.95, 18.95, 24.95, 29.95, 34.95, 39.95,
];

const COLOURS = [
  'RED',
  'PINK',
  'BLUE',
  'GREEN',
  'WHITE',
  'IVORY',
  'CREAM',
  'BLACK',
  'SILVER',
  'GOLD',
  'PURPLE',
  'ORANGE',
  'TURQUOISE',
  'PASTEL',
];

const MATERIALS = [
  'VINTAGE',
  'WOODEN',
  'ZINC',
  'ENAMEL',
  'CERAMIC',
  'FELT',
  'RUSTIC',
  'ANTIQUE',
  'RETRO',
  'HAND PAINTED',
  'WIRE',
  'PATCHWORK',
  'MINI',
  'LARGE',
  'SMALL',
];

const MOTIFS = [
  'RETROSPOT',
  'REGENCY',
  'PAISLEY',
  'POLKADOT',
  'DOILY',
  'STRAWBERRY',
  'SKULL',
  'WOODLAND',
  'JUNGLE',
  'DOLLY GIRL',
  'SPACEBOY',
  'ENGLISH ROSE',
  'PANTRY',
  'FRENCH',
  'SCANDINAVIAN',
  'MOROCCAN',
  'CHERRY BLOSSOM',
  'HEART',
  'STAR',
  'FLORAL',
  'GINGHAM',
  'VINTAGE LEAF',
  'LOVEBIRD',
  'OWL',
  'SWALLOWS',
  'I LOVE LONDON',
];

const CATEGORY_SPECS: readonly CategorySpec[] = [
  {
    category: 'Christmas',
    count: 48,
    adjectives: ['GLITTER', 'SNOWY', 'TRADITIONAL', 'NORDIC', 'JOLLY'],
    nouns: [
      { noun: 'CHRISTMAS BAUBLE SET', min: 1.25, max: 4.95 },
      { noun: 'BAUBLE', min: 0.42, max: 1.65 },
      { noun: 'CHRISTMAS TREE DECORATION', min: 0.42, max: 1.65 },
      { noun: 'CHRISTMAS STOCKING', min: 2.95, max: 6.75 },
      { noun: 'ADVENT CALENDAR', min: 2.95, max: 8.5 },
      { noun: 'REINDEER ORNAMENT', min: 0.85, max: 2.95 },
      { noun: 'SNOWFLAKE GARLAND', min: 1.65, max: 4.95 },
      { noun: 'NATIVITY SET', min: 4.95, max: 12.75 },
      { noun: 'CHRISTMAS WREATH', min: 4.95, max: 18.95 },
      { noun: 'CHRISTMAS CRACKERS', min: 2.95, max: 6.75 },
      { noun: 'CHRISTMAS GIFT WRAP', min: 0.42, max: 0.85 },
      { noun: 'CHRISTMAS CARD PACK', min: 1.25, max: 2.95 },
      { noun: 'SANTA SACK', min: 2.95, max: 6.75 },
      { noun: 'CHRISTMAS TABLE RUNNER', min: 3.75, max: 7.95 },
      { noun: 'XMAS TREE TOPPER', min: 1.95, max: 4.95 },
      { noun: 'SANTA HAT', min: 0.85, max: 2.55 },
    ],
  },
  {
    category: 'Candles & Lights',
    count: 44,
    adjectives: ['GLASS', 'SCENTED', 'FROSTED', 'BATTERY'],
    nouns: [
      { noun: 'T-LIGHT HOLDER', min: 0.85, max: 3.75 },
      { noun: 'HANGING T-LIGHT HOLDER', min: 1.25, max: 2.95 },
      { noun: 'LANTERN', min: 3.75, max: 24.95 },
      { noun: 'FAIRY LIGHTS', min: 2.95, max: 9.95 },
      { noun: 'STRING LIGHTS', min: 3.75, max: 9.95 },
      { noun: 'NIGHT LIGHT', min: 1.65, max: 4.95 },
      { noun: 'CANDLE', min: 0.85, max: 4.25 },
      { noun: 'PILLAR CANDLE', min: 1.95, max: 5.95 },
      { noun: 'TABLE LAMP', min: 9.95, max: 34.95 },
      { noun: 'TEALIGHT SET', min: 0.55, max: 1.95 },
      { noun: 'CANDLE POT', min: 1.25, max: 3.75 },
    ],
  },
  {
    category: 'Bags',
    count: 30,
    adjectives: ['JUMBO', 'CHARLOTTE', 'CANVAS', 'RECYCLED'],
    nouns: [
      { noun: 'LUNCH BAG', min: 1.65, max: 1.95 },
      { noun: 'JUMBO BAG', min: 1.95, max: 2.1 },
      { noun: 'SHOPPER', min: 2.95, max: 4.95 },
      { noun: 'TOTE', min: 2.95, max: 4.25 },
      { noun: 'PURSE', min: 1.25, max: 2.95 },
      { noun: 'BACKPACK', min: 4.95, max: 9.95 },
      { noun: 'RUCKSACK', min: 4.95, max: 12.75 },
      { noun: 'GIFT BAG', min: 0.42, max: 1.25 },
      { noun: 'STORAGE BAG', min: 1.95, max: 3.75 },
    ],
  },
  {
    category: 'Kitchen & Dining',
    count: 70,
    adjectives: ['GLASS', 'CHINA', 'STONEWARE', 'SET OF 3', 'SET OF 4'],
    nouns: [
      { noun: 'MUG', min: 1.25, max: 2.95 },
      { noun: 'TEA CUP AND SAUCER', min: 2.95, max: 4.95 },
      { noun: 'TEAPOT', min: 4.95, max: 12.75 },
      { noun: 'PLATE', min: 0.85, max: 2.55 },
      { noun: 'BOWL', min: 0.85, max: 3.75 },
      { noun: 'MILK JUG', min: 2.55, max: 4.95 },
      { noun: 'CAKE STAND 3 TIER', min: 9.95, max: 24.95 },
      { noun: 'CAKE CASES', min: 0.55, max: 0.55 },
      { noun: 'BAKING SET', min: 4.95, max: 8.5 },
      { noun: 'LUNCH BOX', min: 1.65, max: 2.55 },
      { noun: 'CAKE TIN', min: 2.95, max: 4.95 },
      { noun: 'STORAGE TIN', min: 1.95, max: 4.25 },
      { noun: 'CUTLERY SET', min: 4.95, max: 12.75 },
      { noun: 'NAPKINS', min: 0.85, max: 0.85 },
      { noun: 'APRON', min: 4.25, max: 5.95 },
      { noun: 'TEA TOWEL', min: 1.25, max: 2.95 },
      { noun: 'MEASURING SPOON SET', min: 1.25, max: 2.55 },
      { noun: 'DRINKING GLASS', min: 0.85, max: 2.55 },
      { noun: 'WATER BOTTLE', min: 2.55, max: 4.95 },
      { noun: 'JAM JAR', min: 0.85, max: 1.95 },
      { noun: 'COASTER SET', min: 1.25, max: 3.25 },
      { noun: 'KITCHEN SCALES', min: 12.75, max: 39.95 },
    ],
  },
  {
    category: 'Stationery',
    count: 50,
    adjectives: ['A5', 'POCKET', 'LUXURY', 'RECYCLED'],
    nouns: [
      { noun: 'NOTEBOOK', min: 0.85, max: 2.55 },
      { noun: 'GREETING CARD', min: 0.42, max: 0.42 },
      { noun: 'BIRTHDAY CARD', min: 0.42, max: 0.42 },
      { noun: 'PEN', min: 0.29, max: 0.85 },
      { noun: 'PENCILS', min: 0.29, max: 0.65 },
      { noun: 'WRAPPING PAPER', min: 0.42, max: 0.42 },
      { noun: 'STICKER SHEET', min: 0.85, max: 0.85 },
      { noun: 'TISSUES', min: 0.39, max: 0.39 },
      { noun: 'ENVELOPES', min: 0.55, max: 1.25 },
      { noun: 'DIARY', min: 2.95, max: 4.95 },
      { noun: 'JOURNAL', min: 3.75, max: 6.75 },
      { noun: 'WALL CALENDAR', min: 2.95, max: 5.95 },
      { noun: 'PENCIL CASE', min: 1.25, max: 2.95 },
      { noun: 'GIFT TAGS CARD', min: 0.42, max: 0.85 },
    ],
  },
  {
    category: 'Toys & Games',
    count: 40,
    adjectives: ['KIDS', 'CHILDRENS', 'TRAVEL', 'MAGNETIC'],
    nouns: [
      { noun: 'SOFT TOY', min: 2.95, max: 6.75 },
      { noun: 'RAG DOLL', min: 2.95, max: 5.95 },
      { noun: 'JIGSAW PUZZLE', min: 1.25, max: 4.95 },
      { noun: 'DOMINOES', min: 1.25, max: 2.55 },
      { noun: 'SKITTLES', min: 4.95, max: 7.95 },
      { noun: 'PLAYHOUSE', min: 4.95, max: 12.75 },
      { noun: 'SNAKES AND LADDERS GAME', min: 2.95, max: 4.95 },
      { noun: 'SPINNING TOP TOY', min: 0.85, max: 1.65 },
      { noun: 'MEMORY GAME', min: 1.65, max: 3.75 },
      { noun: 'FINGER PUPPET TOY', min: 0.85, max: 1.25 },
      { noun: 'BUILDING BLOCKS GAME', min: 4.95, max: 9.95 },
      { noun: 'DRESS UP DOLL', min: 2.55, max: 4.95 },
    ],
  },
  {
    category: 'Garden & Outdoor',
    count: 34,
    adjectives: ['OUTDOOR', 'GALVANISED', 'TERRACOTTA', 'WEATHERPROOF'],
    nouns: [
      { noun: 'PLANT POT', min: 0.85, max: 3.75 },
      { noun: 'PLANTER', min: 4.95, max: 12.75 },
      { noun: 'WATERING CAN', min: 1.25, max: 7.95 },
      { noun: 'BIRD FEEDER', min: 1.65, max: 5.95 },
      { noun: 'BIRD HOUSE', min: 3.75, max: 8.5 },
      { noun: 'PICNIC BASKET', min: 12.75, max: 29.95 },
      { noun: 'PICNIC BLANKET', min: 6.75, max: 12.75 },
      { noun: 'PARASOL', min: 2.95, max: 29.95 },
      { noun: 'GARDEN KNEELER', min: 2.95, max: 4.95 },
      { noun: 'GARDEN THERMOMETER', min: 2.55, max: 4.95 },
      { noun: 'GARDEN HERB MARKERS', min: 1.25, max: 2.55 },
      { noun: 'GARDEN GLOVES', min: 1.95, max: 3.75 },
    ],
  },
  {
    category: 'Jewellery & Accessories',
    count: 30,
    adjectives: ['DIAMANTE', 'BEADED', 'SILVER PLATED', 'VELVET'],
    nouns: [
      { noun: 'NECKLACE', min: 1.65, max: 12.75 },
      { noun: 'BRACELET', min: 1.25, max: 8.5 },
      { noun: 'EARRINGS', min: 1.25, max: 4.95 },
      { noun: 'KEY RING', min: 0.85, max: 2.1 },
      { noun: 'HAIR CLIPS', min: 0.85, max: 1.25 },
      { noun: 'HAIR BAND', min: 0.55, max: 1.25 },
      { noun: 'BROOCH', min: 1.25, max: 3.75 },
      { noun: 'JEWELLERY BOX', min: 3.75, max: 12.75 },
      { noun: 'SCARF', min: 4.95, max: 9.95 },
      { noun: 'UMBRELLA', min: 4.95, max: 8.5 },
      { noun: 'HANDBAG', min: 5.95, max: 14.95 },
    ],
  },
  {
    category: 'Home Decor',
    count: 54,
    adjectives: ['SHABBY CHIC', 'DISTRESSED', 'HANGING', 'DECORATIVE'],
    nouns: [
      { noun: 'PHOTO FRAME', min: 1.25, max: 6.75 },
      { noun: 'WALL CLOCK', min: 3.75, max: 24.95 },
      { noun: 'METAL SIGN', min: 1.65, max: 2.95 },
      { noun: 'CUSHION COVER', min: 2.95, max: 4.95 },
      { noun: 'DOORSTOP', min: 3.75, max: 6.75 },
      { noun: 'COAT HOOK', min: 1.25, max: 3.75 },
      { noun: 'HANGING HEART', min: 0.65, max: 1.65 },
      { noun: 'MIRROR', min: 4.95, max: 39.95 },
      { noun: 'VASE', min: 1.65, max: 8.5 },
      { noun: 'HANGING DECORATION', min: 0.85, max: 2.55 },
      { noun: 'BUNTING', min: 2.95, max: 4.95 },
      { noun: 'DOOR WREATH', min: 3.75, max: 9.95 },
      { noun: 'STORAGE BOX', min: 1.25, max: 4.95 },
      { noun: 'CHEST OF DRAWERS', min: 14.95, max: 39.95 },
      { noun: 'CABINET', min: 12.75, max: 34.95 },
      { noun: 'WALL SHELF', min: 4.95, max: 14.95 },
      { noun: 'DOORMAT', min: 6.75, max: 7.95 },
    ],
  },
];

/** Hand-written best sellers, in popularity order, so the top of the charts reads like a real gift shop. */
const BEST_SELLERS: readonly (readonly [string, string, number, string | null])[] = [
  ['85123A', 'WHITE HANGING HEART T-LIGHT HOLDER', 2.55, 'HEART'],
  ['22423', 'REGENCY CAKESTAND 3 TIER', 12.75, 'REGENCY'],
  ['85099B', 'JUMBO BAG RED RETROSPOT', 1.95, 'RETROSPOT'],
  ['47566', 'PARTY BUNTING', 4.65, null],
  ['20725', 'LUNCH BAG RED RETROSPOT', 1.65, 'RETROSPOT'],
  ['22720', 'SET OF 3 CAKE TINS PANTRY DESIGN', 4.95, 'PANTRY'],
  ['21212', 'PACK OF 72 RETROSPOT CAKE CASES', 0.55, 'RETROSPOT'],
  ['22086', "PAPER CHAIN KIT 50'S CHRISTMAS", 2.95, null],
  ['23084', 'RABBIT NIGHT LIGHT', 2.08, null],
  ['22382', 'LUNCH BAG SPACEBOY DESIGN', 1.65, 'SPACEBOY'],
  ['21181', 'PLEASE ONE PERSON METAL SIGN', 2.1, null],
  ['22457', 'NATURAL SLATE HEART CHALKBOARD', 2.95, 'HEART'],
  ['22469', 'HEART OF WICKER SMALL', 1.65, 'HEART'],
  ['22961', 'JAM MAKING SET WITH JARS', 4.25, 'PANTRY'],
  ['21754', 'HOME BUILDING BLOCK WORD SIGN, LARGE', 5.95, null],
  ['21175', 'METAL SIGN "HOME SWEET HOME"', 2.55, null],
];

const CATEGORY_NAMES = CATEGORY_SPECS.map((spec) => spec.category);

/**
 * Builds the demo shop's product catalogue (~400 products across every category in `CATEGORY_RULES`).
 * Each item's `category` is exactly what `categorize(name)` returns.
 *
 * @example
 * ```ts
 * const items = demoCatalogue(42);
 * items.find((item) => item.stockCode === '85123A')?.name; // 'WHITE HANGING HEART T-LIGHT HOLDER'
 * ```
 */
export function demoCatalogue(seed: number = DEFAULT_SEED): DemoCatalogueItem[] {
  return buildCatalogue(seed).map(({ stockCode, name, category, price }) => ({
    stockCode,
    name,
    category,
    price,
  }));
}

function buildCatalogue(seed: number): Product[] {
  const rng = new Rng(xoroshiro128plus(seed));
  const names = new Set<string>();
  const codes = new Set<string>();
  const products: Omit<Product, 'weight'>[] = [];

  for (const [stockCode, name, price, motif] of BEST_SELLERS) {
    names.add(name);
    codes.add(stockCode);
    products.push({ stockCode, name, category: categorize(name), price, motif });
  }

  const plainCode = (): string => {
    for (;;) {
      const code = String(rng.int(20000, 23999));
      if (!codes.has(code)) {
        codes.add(code);
        return code;
      }
    }
  };
  // Colour variants of one design share a base code with a letter suffix, as in `85123A` / `85123B`.
  const variantBase = (): string => {
    for (;;) {
      const base = String(rng.int(84000, 85999));
      if (![...'ABC'].some((letter) => codes.has(base + letter))) return base;
    }
  };

  for (const spec of CATEGORY_SPECS) {
    let made = products.filter((p) => p.category === spec.category).length;
    for (let attempt = 0; made < spec.count && attempt < spec.count * 200; attempt++) {
      const noun = rng.pick(spec.nouns);
      const motif = rng.chance(0.75) ? rng.pick(MOTIFS) : null;
      const extra = rng.chance(0.5) ? rng.pick([...MATERIALS, ...spec.adjectives]) : null;
      const design = [extra, motif].filter((part) => part !== null).join(' ');
      if (design === '') continue;
      const nounFirst = rng.chance(0.2);
      const compose = (colour: string | null): string => {
        const mods = [colour, design].filter((part) => part !== null).join(' ');
        if (!nounFirst) return `${mods} ${noun.noun}`;
        // A few names carry a comma so importers have to honour CSV quoting.
        return spec.category === 'Kitchen & Dining' ? `${noun.noun}, ${mods}` : `${noun.noun} ${mods}`;
      };
      const accept = (name: string): boolean => !names.has(name) && categorize(name) === spec.category;
      const price = pricePoint(rng, noun.min, noun.max);

      if (rng.chance(0.15) && made + 2 <= spec.count) {
        const colours = rng.shuffle([...COLOURS]).slice(0, rng.int(2, 3));
        const variants = colours.map(compose);
        if (!variants.every(accept)) continue;
        const base = variantBase();
        variants.forEach((name, i) => {
          const stockCode = base + 'ABC'[i];
          names.add(name);
          codes.add(stockCode);
          products.push({ stockCode, name, category: spec.category, price, motif });
        });
        made += variants.length;
      } else {
        const name = compose(rng.chance(0.4) ? rng.pick(COLOURS) : null);
        if (!accept(name)) continue;
        names.add(name);
        products.push({ stockCode: plainCode(), name, category: spec.category, price, motif });
        made++;
      }
    }
  }

  // Zipf-like popularity: best sellers lead, the generated products follow in a shuffled order.
  const generated = rng.shuffle(products.slice(BEST_SELLERS.length));
  return [...products.slice(0, BEST_SELLERS.length), ...generated].map((product, rank) => ({
    ...product,
    weight: 1 / (rank + 3) ** 0.95,
  }));
}

function pricePoint(rng: Rng, min: number, max: number): number {
  const points = PRICE_POINTS.filter((p) => p >= min && p <= max);
  if (points.length === 0) return min;
  // Bias towards the cheaper end: most of a range's products sit at the lower price points.
  const u = rng.float() ** 1.6;
  return points[Math.min(points.length - 1, Math.floor(u * points.length))]!;
}

// ---------------------------------------------------------------------------------------------------------
// Calendar

const MONTH_FACTOR = [0.5, 0.55, 0.75, 0.7, 0.8, 0.8, 0.8, 0.85, 1.25, 1.6, 2.1, 1.8];
// Sunday first, as `getUTCDay()` numbers the week.
const WEEKDAY_FACTOR = [0.55, 1.0, 1.1, 1.05, 1.2, 0.9, 0.3];
const HOUR_WEIGHTS: readonly (readonly [number, number])[] = [
  [7, 0.3],
  [8, 1],
  [9, 1.6],
  [10, 1.9],
  [11, 2],
  [12, 2],
  [13, 1.8],
  [14, 1.5],
  [15, 1.2],
  [16, 0.8],
  [17, 0.5],
  [18, 0.3],
  [19, 0.2],
];

/** How strongly each category sells per month (index 0 = January) relative to its usual level. */
const CATEGORY_SEASON: Record<string, readonly number[]> = {
  Christmas: [0.12, 0.05, 0.05, 0.05, 0.08, 0.12, 0.3, 0.6, 1.6, 3, 4, 2.6],
  'Candles & Lights': [0.8, 0.7, 0.7, 0.6, 0.6, 0.6, 0.6, 0.7, 1, 1.3, 1.5, 1.4],
  'Garden & Outdoor': [0.4, 0.6, 1.3, 1.9, 2.1, 1.9, 1.5, 1, 0.6, 0.4, 0.3, 0.3],
};

function categorySeason(category: string, month: number): number {
  return CATEGORY_SEASON[category]?.[month] ?? 1;
}

function dayFactor(date: Date): number {
  const month = date.getUTCMonth();
  const day = date.getUTCDate();
  if ((month === 11 && day >= 24 && day <= 26) || (month === 0 && day === 1)) return 0;
  let factor = MONTH_FACTOR[month]! * WEEKDAY_FACTOR[date.getUTCDay()]!;
  if (month === 11 && day >= 27) factor *= 0.25;
  else if (month === 11 && day >= 18) factor *= 0.6;
  return factor;
}

// ---------------------------------------------------------------------------------------------------------
// Customers

type CustomerKind = 'one-time' | 'occasional' | 'loyal' | 'wholesale';

const EXISTING_CUSTOMER_SHARE = 0.4;

interface Customer {
  id: string;
  country: string;
  kind: CustomerKind;
  /** Orders per year while active. */
  rate: number;
  /** Typical number of lines per invoice. */
  basket: number;
  favCategories: readonly (readonly [string, number])[];
  favProducts: readonly Product[];
  /** Day of the first order for new customers; `null` for customers who already shopped before the period. */
  signupDay: number | null;
  lastDay: number;
}

const COUNTRY_SHARES: readonly (readonly [string, number])[] = [
  ['Germany', 0.055],
  ['France', 0.048],
  ['EIRE', 0.03],
  ['Netherlands', 0.02],
  ['Spain', 0.02],
  ['Belgium', 0.018],
  ['Switzerland', 0.015],
  ['Portugal', 0.012],
  ['Australia', 0.01],
  ['Italy', 0.01],
  ['Norway', 0.008],
  ['Sweden', 0.008],
  ['Denmark', 0.006],
  ['USA', 0.006],
  ['Finland', 0.005],
  ['Austria', 0.005],
  ['Channel Islands', 0.004],
  ['Japan', 0.004],
  ['Poland', 0.004],
  ['Canada', 0.003],
  ['Cyprus', 0.003],
  ['Iceland', 0.002],
];

/** Deals out countries by quota so every seed gets the same mix (United Kingdom takes the remainder). */
function countryList(rng: Rng, count: number): string[] {
  const list: string[] = [];
  for (const [country, share] of COUNTRY_SHARES) {
    const n = Math.max(count >= 200 ? 1 : 0, Math.round(share * count));
    for (let i = 0; i < n && list.length < count; i++) list.push(country);
  }
  while (list.length < count) list.push('United Kingdom');
  return rng.shuffle(list);
}

const KIND_SHARES_UK: readonly (readonly [CustomerKind, number])[] = [
  ['one-time', 0.14],
  ['occasional', 0.55],
  ['loyal', 0.26],
  ['wholesale', 0.05],
];
// Overseas accounts in gift wholesale skew towards trade buyers placing large orders.
const KIND_SHARES_ABROAD: readonly (readonly [CustomerKind, number])[] = [
  ['one-time', 0.12],
  ['occasional', 0.4],
  ['loyal', 0.3],
  ['wholesale', 0.18],
];

function makeCustomers(
  rng: Rng,
  count: number,
  days: number,
  signupDays: WeightedSampler<number>,
  catalogue: readonly Product[],
  byCategory: ReadonlyMap<string, WeightedSampler<Product>>,
): Customer[] {
  const countries = countryList(rng, count);
  const categoryWeights = CATEGORY_NAMES.map(
    (category) =>
      [
        category,
        catalogue.filter((p) => p.category === category).reduce((sum, p) => sum + p.weight, 0),
      ] as const,
  );
  return countries.map((country, i) => {
    const kind = weightedPick(rng, country === 'United Kingdom' ? KIND_SHARES_UK : KIND_SHARES_ABROAD);
    const rate =
      kind === 'one-time'
        ? 0
        : kind === 'occasional'
          ? 2.5 + rng.float() * 4
          : kind === 'loyal'
            ? Math.min(45, Math.max(5, rng.logNormal(6.5, 0.5)))
            : Math.min(40, Math.max(6, rng.logNormal(13, 0.4)));
    const basket = rng.logNormal({ 'one-time': 4, occasional: 4.5, loyal: 5.5, wholesale: 12 }[kind], 0.45);

    const favCount = rng.int(1, 3);
    const favCategories: (readonly [string, number])[] = [];
    while (favCategories.length < favCount) {
      const category = weightedPick(rng, categoryWeights);
      if (!favCategories.some(([c]) => c === category))
        favCategories.push([category, 1 / (favCategories.length + 1)]);
    }
    const favProducts = new Set<Product>();
    const favProductCount = kind === 'one-time' ? 0 : rng.int(2, 6);
    for (let k = 0; k < favProductCount * 3 && favProducts.size < favProductCount; k++) {
      const category = weightedPick(rng, favCategories);
      favProducts.add(byCategory.get(category)!.sample(rng));
    }

    // A share of the base predates the period, so trading does not start from an empty shop.
    const signupDay = rng.chance(EXISTING_CUSTOMER_SHARE) ? null : signupDays.sample(rng);
    // Some accounts lapse: they stop buying a while after signing up, which spreads recency out.
    const churns = kind !== 'one-time' && rng.chance(0.5);
    const lastDay = churns
      ? Math.min(
          days - 1,
          (signupDay ?? 0) + 14 + Math.round(rng.exponential(signupDay === null ? 200 : 110)),
        )
      : days - 1;
    return {
      id: `${FIRST_CUSTOMER_ID + i}.0`,
      country,
      kind,
      rate,
      basket,
      favCategories,
      favProducts: [...favProducts],
      signupDay,
      lastDay,
    };
  });
}

// ---------------------------------------------------------------------------------------------------------
// Orders

interface Line {
  stockCode: string;
  description: string;
  quantity: number;
  price: number;
}

interface Invoice {
  time: number;
  order: number;
  cancellation: boolean;
  customerId: string;
  country: string;
  lines: Line[];
}

function quantityFor(rng: Rng, price: number, wholesale: boolean): number {
  if (wholesale) {
    if (price < 1) return rng.pick([24, 48, 48, 72, 96, 144]);
    if (price < 3) return rng.pick([12, 12, 24, 24, 36, 48, 96]);
    if (price < 8) return rng.pick([6, 8, 12, 12, 24, 36]);
    return rng.pick([2, 4, 4, 6, 12]);
  }
  if (price < 1) return rng.pick([1, 2, 3, 4, 6, 6, 10, 12, 12, 24]);
  if (price < 3) return rng.pick([1, 1, 2, 2, 3, 4, 6, 6, 12]);
  if (price < 8) return rng.pick([1, 1, 1, 2, 2, 3, 4, 6]);
  return rng.pick([1, 1, 1, 1, 2, 2, 3, 4]);
}

function lineFor(rng: Rng, product: Product, wholesale: boolean): Line {
  const quantity = quantityFor(rng, product.price, wholesale);
  // Large quantities get the trade price, as in the real data where one product shows two prices.
  const price = quantity >= 48 ? Math.max(0.01, Math.round(product.price * 85) / 100) : product.price;
  return { stockCode: product.stockCode, description: product.name, quantity, price };
}

/**
 * Generates a synthetic gift and homeware shop's year of trading as Online Retail CSV lines: the header, then
 * one line per invoice line, in invoice order. The output depends only on the options.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * writeFileSync('demo.csv', [...generateDemoShop({ seed: 7, customers: 300 })].join('\n') + '\n');
 * ```
 */
export function* generateDemoShop(opts: DemoShopOptions = {}): Generator<string> {
  const seed = opts.seed ?? DEFAULT_SEED;
  const customerCount = opts.customers ?? DEFAULT_CUSTOMERS;
  const startMs = (opts.start ?? new Date(DEFAULT_START)).getTime();
  const days = opts.days ?? DEFAULT_DAYS;
  if (!Number.isInteger(days) || days < 1)
    throw new RangeError(`days must be a positive integer, got ${days}`);
  if (!Number.isInteger(customerCount) || customerCount < 0) {
    throw new RangeError(`customers must be a non-negative integer, got ${customerCount}`);
  }
  if (Number.isNaN(startMs)) throw new RangeError('start must be a valid date');

  const catalogue = buildCatalogue(seed);
  const gen = xoroshiro128plus(seed);
  // A jump gives the shop its own stream, independent of the catalogue's.
  gen.jump();
  const rng = new Rng(gen);

  const dates = Array.from({ length: days }, (_, d) => new Date(startMs + d * DAY_MS));
  const months = dates.map((date) => date.getUTCMonth());
  const factors = dates.map(dayFactor);
  const meanFactor = factors.reduce((a, b) => a + b, 0) / Math.max(1, days);
  const dayIndexes = dates.map((_, d) => d);
  const orderDays = new WeightedSampler(dayIndexes, factors);
  const signupDays = new WeightedSampler(
    dayIndexes,
    factors.map((f) => (f > 0 ? 0.5 * meanFactor + 0.5 * f : 0)),
  );
  const hours = new WeightedSampler(
    HOUR_WEIGHTS.map(([hour]) => hour),
    HOUR_WEIGHTS.map(([, w]) => w),
  );

  const byCategory = new Map<string, WeightedSampler<Product>>();
  for (const category of CATEGORY_NAMES) {
    const items = catalogue.filter((p) => p.category === category);
    byCategory.set(
      category,
      new WeightedSampler(
        items,
        items.map((p) => p.weight),
      ),
    );
  }
  const byMonth = Array.from(
    { length: 12 },
    (_, month) =>
      new WeightedSampler(
        catalogue,
        catalogue.map((p) => p.weight * categorySeason(p.category, month)),
      ),
  );
  const byMotif = new Map<string, Product[]>();
  for (const product of catalogue) {
    if (product.motif === null) continue;
    const list = byMotif.get(product.motif) ?? [];
    list.push(product);
    byMotif.set(product.motif, list);
  }

  const timeOn = (day: number): number =>
    startMs + day * DAY_MS + (hours.sample(rng) * 60 + rng.int(0, 59)) * 60_000;

  const invoices: Invoice[] = [];
  const addInvoice = (invoice: Omit<Invoice, 'order'>): void => {
    invoices.push({ ...invoice, order: invoices.length });
  };

  const fillBasket = (size: number, month: number, pickOne: () => Product, wholesale: boolean): Line[] => {
    const chosen = new Set<Product>();
    const add = (product: Product): void => {
      if (chosen.size < size) chosen.add(product);
    };
    for (let attempt = 0; chosen.size < size && attempt < size * 4; attempt++) {
      const product = pickOne();
      add(product);
      // Matching designs sell together: a RETROSPOT lunch bag pulls in a RETROSPOT cake tin.
      if (product.motif !== null && rng.chance(0.15)) {
        const partner = rng.pick(byMotif.get(product.motif)!);
        if (categorySeason(partner.category, month) >= 0.3) add(partner);
      }
    }
    return [...chosen].map((product) => lineFor(rng, product, wholesale));
  };

  const customers = makeCustomers(rng, customerCount, days, signupDays, catalogue, byCategory);
  for (const customer of customers) {
    const orderDaysOf: number[] = [];
    if (customer.signupDay !== null) orderDaysOf.push(customer.signupDay);
    for (let d = customer.signupDay === null ? 0 : customer.signupDay + 1; d <= customer.lastDay; d++) {
      if (rng.chance(((customer.rate / 365) * factors[d]!) / meanFactor)) orderDaysOf.push(d);
    }
    if (orderDaysOf.length === 0) {
      let day = orderDays.sample(rng);
      for (let k = 0; k < 20 && day > customer.lastDay; k++) day = orderDays.sample(rng);
      while (day > 0 && (day > customer.lastDay || factors[day] === 0)) day--;
      orderDaysOf.push(day);
    }
    const wholesale = customer.kind === 'wholesale';
    for (const day of orderDaysOf) {
      const month = months[day]!;
      const categories = customer.favCategories.map(([c, w]) => [c, w * categorySeason(c, month)] as const);
      const size = Math.min(30, Math.max(1, Math.round(customer.basket * rng.logNormal(1, 0.4))));
      const lines: Line[] = [];
      for (const favourite of customer.favProducts) {
        if (lines.length < size && categorySeason(favourite.category, month) >= 0.3 && rng.chance(0.3)) {
          lines.push(lineFor(rng, favourite, wholesale));
        }
      }
      const taken = new Set(lines.map((line) => line.stockCode));
      const pickOne = (): Product => {
        const r = rng.float();
        if (r < 0.65) return byCategory.get(weightedPick(rng, categories))!.sample(rng);
        return byMonth[month]!.sample(rng);
      };
      for (const line of fillBasket(size - lines.length, month, pickOne, wholesale)) {
        if (!taken.has(line.stockCode)) lines.push(line);
      }
      if (customer.country !== 'United Kingdom' && rng.chance(0.04)) {
        lines.push({ stockCode: 'POST', description: 'POSTAGE', quantity: rng.int(1, 3), price: 18 });
      }
      if (rng.chance(0.003)) {
        lines.push(
          rng.chance(0.5)
            ? { stockCode: 'M', description: 'MANUAL', quantity: 1, price: 0 }
            : {
                stockCode: 'M',
                description: 'MANUAL',
                quantity: -rng.int(1, 3),
                price: pricePoint(rng, 0.42, 4.95),
              },
        );
      }
      const time = timeOn(day);
      addInvoice({ time, cancellation: false, customerId: customer.id, country: customer.country, lines });

      const returned = lines.filter(
        (line) => line.quantity > 0 && line.stockCode !== 'POST' && rng.chance(0.022),
      );
      let returnDay = day + rng.int(1, 10);
      while (returnDay < days && factors[returnDay] === 0) returnDay++;
      if (returned.length > 0 && returnDay < days) {
        addInvoice({
          time: timeOn(returnDay),
          cancellation: true,
          customerId: customer.id,
          country: customer.country,
          lines: returned.map((line) => ({
            ...line,
            quantity: -(rng.chance(0.75) ? line.quantity : Math.max(1, Math.floor(line.quantity / 2))),
          })),
        });
      }
    }
  }

  // Guest checkouts make up about 15% of invoices: small baskets of whatever is popular that month.
  const customerInvoices = invoices.filter((invoice) => !invoice.cancellation).length;
  const guestInvoices = Math.round((customerInvoices * 0.15) / 0.85);
  for (let i = 0; i < guestInvoices; i++) {
    const day = orderDays.sample(rng);
    const month = months[day]!;
    const size = Math.min(30, Math.max(1, Math.round(rng.logNormal(3, 0.6))));
    const country = rng.chance(0.9) ? 'United Kingdom' : rng.pick(COUNTRY_SHARES)[0];
    const lines = fillBasket(size, month, () => byMonth[month]!.sample(rng), false);
    addInvoice({ time: timeOn(day), cancellation: false, customerId: '', country, lines });
  }

  invoices.sort((a, b) => a.time - b.time || a.order - b.order);

  yield ONLINE_RETAIL_HEADER;
  let invoiceNo = FIRST_INVOICE_NO;
  for (const invoice of invoices) {
    const number = `${invoice.cancellation ? 'C' : ''}${invoiceNo++}`;
    const date = new Date(invoice.time).toISOString().slice(0, 19).replace('T', ' ');
    const country = csvField(invoice.country);
    for (const line of invoice.lines) {
      yield `${number},${line.stockCode},${csvField(line.description)},${line.quantity},${date},${line.price.toFixed(2)},${invoice.customerId},${country}`;
    }
  }
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
