/**
 * Generates `eval/segments/fixture.csv`: a small, deterministic Online Retail file for the segment eval.
 * The committed CSV is the source of truth; this script documents how it was made and can rebuild it
 * byte for byte (`npx tsx eval/segments/make-fixture.ts`).
 *
 * Shape: 61 registered customers over two years (2023-07-03 .. 2025-07-01) in ten countries, every lifecycle
 * stage, one-time and repeat buyers, small shoppers and trade buyers, returns, every category, plus a few guest
 * (anonymous) and adjustment lines that must not count. Every customer line is timed before 16:30 and the last
 * line of the file is at 16:30 on the final day, so recency_days and tenure_days are the whole days "ago" below.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { categorize } from '../../src/ingest/categorize.ts';
import { seededRandom } from '../../src/random.ts';

const HEADER = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';
const AS_OF_DAY = Date.UTC(2025, 6, 1); // 2025-07-01
const DAY_MS = 86_400_000;

const random = seededRandom(20250701);
const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;

interface Item {
  code: string;
  name: string;
  price: number;
  category: string;
}

const CATALOGUE: readonly Omit<Item, 'category'>[] = [
  { code: '85123A', name: 'WHITE HANGING HEART T-LIGHT HOLDER', price: 2.55 },
  { code: '23084', name: 'RABBIT NIGHT LIGHT', price: 2.08 },
  { code: '71053', name: 'WHITE METAL LANTERN', price: 3.75 },
  { code: '21733', name: 'ROSE SCENTED PILLAR CANDLE', price: 2.95 },
  { code: '22478', name: 'FAIRY LIGHTS WARM WHITE', price: 6.75 },
  { code: '22086', name: "PAPER CHAIN KIT 50'S CHRISTMAS", price: 2.95 },
  { code: '22910', name: 'CHRISTMAS BAUBLE SET GOLD', price: 3.25 },
  { code: '22734', name: 'ADVENT CALENDAR WOODLAND', price: 4.95 },
  { code: '22578', name: 'SANTA SACK RED', price: 3.75 },
  { code: '85099B', name: 'JUMBO BAG RED RETROSPOT', price: 1.95 },
  { code: '20725', name: 'LUNCH BAG RED RETROSPOT', price: 1.65 },
  { code: '22382', name: 'LUNCH BAG SPACEBOY DESIGN', price: 1.65 },
  { code: '22661', name: 'CHARLOTTE TOTE FLORAL', price: 2.95 },
  { code: '22423', name: 'REGENCY CAKESTAND 3 TIER', price: 12.75 },
  { code: '22720', name: 'SET OF 3 CAKE TINS PANTRY DESIGN', price: 4.95 },
  { code: '37370', name: 'RETRO COFFEE MUG', price: 1.25 },
  { code: '21231', name: 'ENGLISH ROSE TEAPOT', price: 8.5 },
  { code: '21212', name: 'PACK OF 72 RETROSPOT CAKE CASES', price: 0.55 },
  { code: '22961', name: 'JAM MAKING SET WITH JARS', price: 4.25 },
  { code: '20727', name: 'NOTEBOOK A5 FLORAL', price: 1.65 },
  { code: '22029', name: 'SPACEBOY BIRTHDAY CARD', price: 0.42 },
  { code: '22048', name: 'WRAPPING PAPER VINTAGE LEAF', price: 0.42 },
  { code: '22551', name: 'PLASTERS IN TIN SPACEBOY', price: 1.65 },
  { code: '22617', name: 'JIGSAW PUZZLE WOODLAND', price: 2.95 },
  { code: '22748', name: 'RAG DOLL DOLLY GIRL', price: 4.95 },
  { code: '22138', name: 'SOFT TOY OWL', price: 3.75 },
  { code: '21914', name: 'WATERING CAN ZINC', price: 4.25 },
  { code: '22180', name: 'BIRD FEEDER HEART', price: 2.95 },
  { code: '22193', name: 'PICNIC BASKET WICKER', price: 16.95 },
  { code: '90001', name: 'DIAMANTE NECKLACE BLACK', price: 5.95 },
  { code: '90002', name: 'SILK SCARF PAISLEY', price: 6.75 },
  { code: '22457', name: 'NATURAL SLATE HEART CHALKBOARD', price: 2.95 },
  { code: '47566', name: 'PARTY BUNTING', price: 4.65 },
  { code: '48187', name: 'DOORMAT NEW ENGLAND', price: 7.95 },
  { code: '22960', name: 'PHOTO FRAME CORNICE', price: 2.95 },
  { code: '22633', name: 'HAND WARMER UNION JACK', price: 2.1 },
  { code: 'GV50', name: 'GIFT VOUCHER', price: 50 },
];
const ITEMS: Item[] = CATALOGUE.map((p) => ({ ...p, category: categorize(p.name) }));
/** What generated customers buy: everything but gift vouchers (hand-written customers only). */
const SHOP = ITEMS.filter((p) => p.code !== 'GV50');

type Kind = 'one-time' | 'occasional' | 'loyal' | 'trade';
interface Spec {
  country: string;
  kind: Kind;
  /** Days before the as-of day of the first and the last order. */
  firstAgo: number;
  lastAgo: number;
}

// Countries and lifecycles are dealt out by hand so every request has something to select.
const COUNTRIES = [
  ...Array(17).fill('United Kingdom'),
  ...Array(5).fill('Germany'),
  ...Array(5).fill('France'),
  ...Array(4).fill('EIRE'),
  ...Array(3).fill('Netherlands'),
  ...Array(2).fill('USA'),
  ...Array(2).fill('RSA'),
  ...Array(2).fill('Spain'),
  'Australia',
] as string[];

function specFor(i: number): Spec {
  const country = COUNTRIES[(i * 7) % COUNTRIES.length]!;
  const kind: Kind = (['one-time', 'occasional', 'loyal', 'one-time', 'occasional', 'trade'] as const)[
    i % 6
  ]!;
  // Stage by position: new, active, active, at risk, lapsed, lapsed, active, lapsed.
  const stage = (['new', 'active', 'active', 'at_risk', 'lapsed', 'lapsed', 'active', 'lapsed'] as const)[
    i % 8
  ]!;
  let firstAgo: number;
  let lastAgo: number;
  switch (stage) {
    case 'new':
      firstAgo = int(1, 30);
      lastAgo = kind === 'one-time' ? firstAgo : int(0, firstAgo);
      break;
    case 'active':
      lastAgo = int(0, 90);
      firstAgo = kind === 'one-time' ? Math.max(lastAgo, 31) : int(Math.max(lastAgo + 20, 31), 729);
      break;
    case 'at_risk':
      lastAgo = int(91, 180);
      firstAgo = kind === 'one-time' ? lastAgo : int(lastAgo + 20, 729);
      break;
    case 'lapsed':
      lastAgo = int(181, 700);
      firstAgo = kind === 'one-time' ? lastAgo : int(Math.min(lastAgo + 20, 729), 729);
      break;
  }
  if (kind === 'one-time') lastAgo = firstAgo;
  return { country, kind, firstAgo, lastAgo };
}

const stamp = (ago: number, minutes: number) =>
  new Date(AS_OF_DAY - ago * DAY_MS + minutes * 60_000).toISOString().slice(0, 19).replace('T', ' ');

const lines: string[] = [HEADER];
let invoiceNo = 700001;
const row = (
  invoice: string,
  item: Item,
  qty: number,
  when: string,
  price: number,
  customer: string,
  country: string,
) =>
  lines.push(
    [invoice, item.code, item.name, qty, when, price.toFixed(2), customer, country]
      .map((v) => (/[",]/.test(String(v)) ? `"${String(v).replaceAll('"', '""')}"` : String(v)))
      .join(','),
  );

const SCALE: Record<Kind, () => number> = {
  'one-time': () => pick([1, 1, 2, 3, 6]),
  occasional: () => pick([1, 2, 3, 4, 6, 12]),
  loyal: () => pick([2, 4, 6, 12, 24]),
  trade: () => pick([24, 48, 72, 96, 144]),
};
const ORDERS: Record<Kind, () => number> = {
  'one-time': () => 1,
  occasional: () => int(2, 4),
  loyal: () => int(4, 8),
  trade: () => int(3, 5),
};

// Two more generated customers placed by hand (a lapsed German trade buyer, a Spanish regular), so combined
// requests of the eval select someone here too.
const SPECS = Array.from({ length: COUNTRIES.length }, (_, i) => specFor(i));
SPECS.push(
  { country: 'Germany', kind: 'trade', firstAgo: 610, lastAgo: 240 },
  { country: 'Spain', kind: 'occasional', firstAgo: 400, lastAgo: 45 },
);

for (let i = 0; i < SPECS.length; i++) {
  const spec = SPECS[i]!;
  const customer = `${20001 + i}.0`;
  const orders = spec.firstAgo === spec.lastAgo ? 1 : ORDERS[spec.kind]();
  const days = [spec.firstAgo];
  for (let k = 1; k < orders - 1; k++) days.push(int(spec.lastAgo + 1, spec.firstAgo - 1));
  if (orders > 1) days.push(spec.lastAgo);
  days.sort((a, b) => b - a);
  // One or two favourite categories per customer, so category questions split the base.
  const favourites = [pick(SHOP).category, pick(SHOP).category];
  for (const ago of days) {
    const invoice = String(invoiceNo++);
    const when = stamp(ago, int(8 * 60, 15 * 60));
    const basket = new Set<Item>();
    const size = spec.kind === 'loyal' || spec.kind === 'trade' ? int(1, 3) : int(1, 2);
    while (basket.size < size) {
      const fromFavourite = random() < 0.7;
      const pool = fromFavourite ? SHOP.filter((p) => favourites.includes(p.category)) : SHOP;
      basket.add(pick(pool));
    }
    for (const item of basket) {
      const qty = SCALE[spec.kind]();
      const price = qty >= 48 ? Math.round(item.price * 85) / 100 : item.price;
      row(invoice, item, qty, when, price, customer, spec.country);
    }
    if (spec.country !== 'United Kingdom' && random() < 0.15) {
      row(
        invoice,
        { code: 'POST', name: 'POSTAGE', price: 18, category: 'Other' },
        1,
        when,
        18,
        customer,
        spec.country,
      );
    }
    // About one order in seven has a line sent back a few days later (a cancellation invoice).
    if (random() < 0.15 && ago >= 3) {
      const item = [...basket][0]!;
      row(`C${invoiceNo++}`, item, -1, stamp(ago - int(1, 3), 9 * 60), item.price, customer, spec.country);
    }
  }
}

/** Customers written out line by line: [days ago, [stock code, quantity][]], returns as negative quantities. */
type HandLine = readonly [code: string, quantity: number];
type HandOrder = readonly [daysAgo: number, lines: readonly HandLine[]];
const HAND_WRITTEN: readonly { country: string; orders: readonly HandOrder[] }[] = [
  // A new French one-time necklace buyer (one order over £50).
  {
    country: 'France',
    orders: [
      [
        20,
        [
          ['90001', 12],
          ['90002', 1],
        ],
      ],
    ],
  },
  // Two orders and a return in between.
  {
    country: 'United Kingdom',
    orders: [
      [
        300,
        [
          ['21231', 2],
          ['37370', 6],
        ],
      ],
      [298, [['37370', -1]]],
      [12, [['22720', 3]]],
    ],
  },
  // The best customer: recent, frequent and big, never returns anything (RFM 5-5-5).
  {
    country: 'United Kingdom',
    orders: [330, 280, 210, 150, 95, 40, 15, 1].map((ago, k): HandOrder => {
      const lines: HandLine[] = [
        ['22423', 24],
        [k % 2 ? '22720' : '21212', 24],
      ];
      if (ago === 15) lines.push(['71053', 6]);
      return [ago, lines];
    }),
  },
  // Customers sitting exactly on the round thresholds of the requests (spend £1,000 / £500 / £200 /
  // £100 / £2,500 / £50 / £20 / £300 / £250 / £1,500, average order £100 / £50 / £20, last purchase exactly
  // 90 / 30 / 60 / 365 days ago), so "over" and "at least", "under" and "at most" select different sets.
  { country: 'Germany', orders: [[200, [['GV50', 20]]]] },
  { country: 'United Kingdom', orders: [[90, [['GV50', 10]]]] },
  { country: 'EIRE', orders: [[30, [['GV50', 4]]]] },
  {
    country: 'United Kingdom',
    orders: [
      [400, [['GV50', 1]]],
      [60, [['GV50', 1]]],
    ],
  },
  {
    country: 'France',
    orders: [
      [40, [['GV50', 20]]],
      [30, [['GV50', 20]]],
      [14, [['GV50', 10]]],
    ],
  },
  { country: 'United Kingdom', orders: [[365, [['GV50', 1]]]] },
  { country: 'Netherlands', orders: [[120, [['37370', 16]]]] },
  { country: 'United Kingdom', orders: [[150, [['GV50', 4]]]] },
  { country: 'United Kingdom', orders: [[25, [['GV50', 2]]]] },
  { country: 'USA', orders: [[100, [['GV50', 6]]]] },
  { country: 'Spain', orders: [[45, [['GV50', 5]]]] },
  { country: 'United Kingdom', orders: [[50, [['GV50', 30]]]] },
  // A British trade buyer who spent over £1,000 and has not been back for 200 days.
  {
    country: 'United Kingdom',
    orders: [
      [400, [['22423', 96]]],
      [200, [['47566', 48]]],
    ],
  },
  // A German trade buyer gone quiet (at risk) after spending over £1,000.
  {
    country: 'Germany',
    orders: [
      [520, [['85123A', 96]]],
      [310, [['22423', 96]]],
      [130, [['21733', 144]]],
    ],
  },
  // A Belgian one-off trade order: average order value over £1,000.
  { country: 'Belgium', orders: [[150, [['22193', 96]]]] },
];
HAND_WRITTEN.forEach((spec, i) => {
  const customer = `${20001 + SPECS.length + i}.0`;
  for (const [ago, basket] of spec.orders) {
    const isReturn = basket.every(([, qty]) => qty < 0);
    const invoice = `${isReturn ? 'C' : ''}${invoiceNo++}`;
    for (const [code, qty] of basket) {
      const item = ITEMS.find((p) => p.code === code)!;
      const price = qty >= 48 && code !== 'GV50' ? Math.round(item.price * 85) / 100 : item.price;
      row(invoice, item, qty, stamp(ago, 10 * 60 + i), price, customer, spec.country);
    }
  }
});

// Guest checkouts and a manual adjustment: imported, but never part of any customer's features.
const guest = ITEMS.find((p) => p.code === '22086')!;
row(String(invoiceNo++), guest, 4, stamp(12, 11 * 60), guest.price, '', 'United Kingdom');
row(String(invoiceNo++), ITEMS.find((p) => p.code === '47566')!, 2, stamp(40, 10 * 60), 4.65, '', 'France');
const regular = SPECS[1]!;
row(
  String(invoiceNo++),
  { code: 'M', name: 'MANUAL', price: 0, category: 'Other' },
  1,
  stamp(5, 10 * 60),
  0,
  '20002.0',
  regular.country,
);
// The final line of the data: fixes the as-of instant at 2025-07-01 16:30 UTC.
const last = ITEMS.find((p) => p.code === '85123A')!;
row(String(invoiceNo++), last, 6, stamp(0, 16 * 60 + 30), last.price, '20002.0', regular.country);

const out = fileURLToPath(new URL('./fixture.csv', import.meta.url));
writeFileSync(out, `${lines.join('\n')}\n`);
console.log(`wrote ${lines.length - 1} lines to ${out}`);
