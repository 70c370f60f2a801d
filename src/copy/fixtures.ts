/** A brief for tests and the bench: real-looking facts, no database. */
import { type BrandVoice, parseBrand } from './brand.ts';
import type { Channel } from './channels.ts';
import { factsFrom, type ProductFact } from './guard.ts';
import type { CopyBrief, SegmentTraits } from './local.ts';
import { buildCatalogue, type Catalogue } from './mentions.ts';

export const TEST_BRAND: BrandVoice = parseBrand(
  [
    'name: Hearth & Co',
    'tone: [warm, friendly]',
    'banned_words: [cheap, bargain, guaranteed]',
    'banned_claims: [lowest price, best in the world]',
    'replacements: {cheap: affordable}',
    'emoji: sparing',
    'sign_off: With love, the Hearth & Co team',
  ].join('\n'),
  'test brand',
);

export const TEST_PRODUCTS: ProductFact[] = [
  {
    id: '23084',
    name: 'Rabbit Night Light',
    category: 'Candles & Lights',
    price: 2.08,
    why: "is this segment's top seller",
  },
  { id: '85123A', name: 'White Hanging Heart T-Light Holder', category: 'Candles & Lights', price: 2.55 },
  { id: '22086', name: "Paper Chain Kit 50's Christmas", category: 'Christmas', price: 2.95 },
];

/** A catalogue as the store holds it (Online Retail names, in capitals): the test products and others. */
export const TEST_CATALOGUE: Catalogue = buildCatalogue(
  [
    ['23084', 'RABBIT NIGHT LIGHT'],
    ['85123A', 'WHITE HANGING HEART T-LIGHT HOLDER'],
    ['22086', "PAPER CHAIN KIT 50'S CHRISTMAS "],
    ['85099B', 'JUMBO BAG RED RETROSPOT'],
    ['22423', 'REGENCY CAKESTAND 3 TIER'],
    ['22112', 'CHOCOLATE HOT WATER BOTTLE'],
    ['84029E', 'RED WOOLLY HOTTIE WHITE HEART.'],
    ['22804', 'CANDLEHOLDER PINK HANGING HEART'],
    ['21733', 'RED HANGING HEART T-LIGHT HOLDER'],
    ['22469', 'HEART OF WICKER SMALL'],
    ['48187', 'DOORMAT NEW ENGLAND'],
    ['22690', 'DOORMAT HOME SWEET HOME BLUE'],
    ['47566', 'PARTY BUNTING'],
    ['22910', 'PAPER CHAIN KIT VINTAGE CHRISTMAS'],
    ['22727', 'ALARM CLOCK BAKELIKE RED'],
    ['22578', 'WOODEN STAR CHRISTMAS SCANDINAVIAN'],
    ['22961', 'JAM MAKING SET PRINTED'],
    ['POST', 'POSTAGE'],
  ].map(([id, name]) => ({ id: id!, name: name! })),
);

export const TEST_TRAITS: SegmentTraits = {
  description: 'Germany · lapsed',
  count: 42,
  avgSpend: 812.5,
  avgOrders: 3.4,
  lifecycle: { stage: 'lapsed', share: 0.8 },
  country: { name: 'Germany', share: 1 },
};

export function testBrief(
  channel: Channel,
  request = 'an email about the Christmas lights',
  brand = TEST_BRAND,
): CopyBrief {
  return {
    channel,
    brand,
    facts: factsFrom(TEST_PRODUCTS, request),
    segment: TEST_TRAITS,
    catalogue: TEST_CATALOGUE,
  };
}
