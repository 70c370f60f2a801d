/**
 * Products named in a request ("top Christmas products", "best-selling candles"), read the way a segment reads
 * what customers bought: a category, words of product names, or a stock code. So "candles" names the same
 * products in a chart as in "customers who bought candles".
 */
import type { ProductMatch } from './definition.ts';
import { parseSegmentRequest } from './parse.ts';
import type { Vocabulary } from './vocabulary.ts';

/** `audience`: the words read as customers instead ("top UK products": products UK customers bought). */
export type GoodsRead =
  | { ok: true; product: ProductMatch }
  | { ok: false; message: string; audience: boolean };

/**
 * Reads `said` as products, or says why not.
 *
 * @example
 * readGoods('christmas decorations', vocab); // { ok: true, product: { categoryContains: 'Christmas' } }
 * readGoods('lapsed', vocab); // { ok: false, message: 'I can\'t read "lapsed" as products: ...' }
 */
export function readGoods(said: string, vocab: Vocabulary): GoodsRead {
  const read = parseSegmentRequest(`customers who bought ${said}`, vocab);
  const [only] = read.ok ? read.definition.conditions : [];
  if (
    read.ok &&
    read.definition.conditions.length === 1 &&
    !read.definition.top &&
    only?.kind === 'bought' &&
    only.product &&
    !only.negate &&
    !only.total &&
    only.withinDays === undefined &&
    !only.period
  ) {
    return { ok: true, product: only.product };
  }
  const categories = vocab.categories.slice(0, 12);
  return {
    ok: false,
    audience:
      read.ok &&
      read.definition.conditions.length > 0 &&
      read.definition.conditions.every((c) => c.kind !== 'bought' || !c.product),
    message:
      `I can't read "${said}" as products: name a category` +
      (categories.length ? ` (${categories.join(', ')})` : '') +
      `, words from product names in quotes ("top \\"tea light\\" products") or a stock code.`,
  };
}

/** The products a match names, as a title or sentence says them: "Christmas", "“tea light”", "product 85123A". */
export function sayGoods(product: ProductMatch): string {
  if (product.productId) return `product ${product.productId}`;
  if (product.nameContains) return `“${product.nameContains}”`;
  return product.categoryContains ?? '';
}

/**
 * The products a match names as a noun phrase: "Candles & Lights products", "“tea light” products",
 * "product 85123A".
 */
export function goodsPhrase(product: ProductMatch): string {
  return product.productId ? sayGoods(product) : `${sayGoods(product)} products`;
}

/**
 * How products a match names are said after "No product in the catalogue is": "named with “halloween”",
 * "stock code 85123A", "in a category like “Garden”".
 */
export function sayGoodsAs(product: ProductMatch): string {
  if (product.productId) return `stock code ${product.productId}`;
  if (product.nameContains) return `named with “${product.nameContains}”`;
  return `in a category like “${product.categoryContains}”`;
}
