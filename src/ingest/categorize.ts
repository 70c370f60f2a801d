/**
 * Product categories derived from product names. Retail exports such as Online Retail carry no category
 * column, so a keyword rule list gives every product a category marketers can filter on. The first rule
 * whose pattern matches the name wins; the rules are applied in SQL (see `categoryCaseSql`) at import.
 */
export interface CategoryRule {
  category: string;
  /** POSIX regular expression, matched case-insensitively against the product name. */
  pattern: string;
}

export const CATEGORY_RULES: readonly CategoryRule[] = [
  { category: 'Christmas', pattern: '\\m(christmas|xmas|advent|santa|reindeer|snowflake|nativity|bauble)' },
  {
    category: 'Candles & Lights',
    pattern: '\\m(candle|t-light|tlight|lantern|lights?|lamp|night light|fairy)',
  },
  { category: 'Bags', pattern: '\\m(bag|bags|tote|purse|backpack|rucksack|shopper)\\M' },
  {
    category: 'Kitchen & Dining',
    pattern:
      '\\m(mug|cup|cups|teapot|plate|bowl|jug|cake|baking|lunch box|tin|tins|cutlery|napkin|apron|tea towel|spoon|glass|bottle|jar|coaster|kitchen)',
  },
  {
    category: 'Stationery',
    pattern:
      '\\m(card|cards|notebook|pen|pencil|paper|wrap|stickers?|tissues?|envelope|diary|journal|calendar)',
  },
  {
    category: 'Toys & Games',
    pattern: '\\m(toy|game|games|doll|puzzle|jigsaw|dominoes|skittles|playhouse|spaceboy|children|kids)',
  },
  { category: 'Garden & Outdoor', pattern: '\\m(garden|plant|planter|watering|bird|picnic|parasol|outdoor)' },
  {
    category: 'Jewellery & Accessories',
    pattern: '\\m(necklace|bracelet|earrings|ring|hair|brooch|jewel|scarf|umbrella|handbag)',
  },
  {
    category: 'Home Decor',
    pattern:
      '\\m(heart|frame|clock|sign|cushion|doorstop|hook|hanging|wall|mirror|vase|ornament|decoration|bunting|wreath|box|drawer|cabinet|shelf|doormat)',
  },
];

export const DEFAULT_CATEGORY = 'Other';

/** Categorises one name in JavaScript with the same rules (used by tests and previews). */
export function categorize(name: string): string {
  for (const rule of CATEGORY_RULES) {
    if (new RegExp(toJsRegex(rule.pattern), 'i').test(name)) return rule.category;
  }
  return DEFAULT_CATEGORY;
}

// Postgres word boundaries \m and \M have no JavaScript spelling; \b covers both.
function toJsRegex(pattern: string): string {
  return pattern.replaceAll('\\m', '\\b').replaceAll('\\M', '\\b');
}
