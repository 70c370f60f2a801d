/**
 * A small shop with known structure, for tests: two taste groups (candles and garden tools) whose customers
 * buy within their group, plus one new candle nobody has bought yet and one customer with no purchases.
 */

import { seededRandom } from '../random.ts';
import type { Interaction } from './model.ts';

const DAY = 86_400_000;
export const FIXTURE_START = Date.parse('2011-01-03T10:00:00Z');

export const CANDLES = ['C1', 'C2', 'C3', 'C4', 'C5', 'C6'];
export const GARDEN = ['G1', 'G2', 'G3', 'G4', 'G5', 'G6'];
/** In the catalogue, never bought: reachable only through content similarity. */
export const NEW_CANDLE = 'C7';

export const NAMES: Record<string, string> = {
  C1: 'Lavender scented candle',
  C2: 'Vanilla scented candle',
  C3: 'Candle holder glass',
  C4: 'Rose scented candle',
  C5: 'Tea light candle set',
  C6: 'Candle snuffer brass',
  C7: 'Cinnamon scented candle',
  G1: 'Garden trowel steel',
  G2: 'Garden gloves leather',
  G3: 'Watering can green',
  G4: 'Pruning shears garden',
  G5: 'Plant pots terracotta',
  G6: 'Garden kneeler pad',
};

/**
 * 30 candle customers (c01..c30) and 30 garden customers (g01..g30), each buying 3 to 5 of their group's
 * items on different days over 150 days. Candle customer c01 buys exactly C1, C2, C3.
 */
export function tasteGroups(seed = 7): Interaction[] {
  const random = seededRandom(seed);
  const out: Interaction[] = [];
  for (const [prefix, items] of [
    ['c', CANDLES],
    ['g', GARDEN],
  ] as const) {
    for (let n = 1; n <= 30; n++) {
      const customer = `${prefix}${String(n).padStart(2, '0')}`;
      const picks =
        customer === 'c01'
          ? ['C1', 'C2', 'C3']
          : [...items].sort(() => random() - 0.5).slice(0, 3 + Math.floor(random() * 3));
      for (const item of picks)
        out.push({ customer, item, at: FIXTURE_START + Math.floor(random() * 150) * DAY });
    }
  }
  return out;
}

/** The fixture as an `events` CSV for the importer (every event a purchase). */
export function tasteGroupsCsv(seed = 7): string {
  const lines = ['customer_id,item_id,event_type,occurred_at,quantity,unit_price,item_name'];
  for (const x of tasteGroups(seed)) {
    lines.push(`${x.customer},${x.item},purchase,${new Date(x.at).toISOString()},1,5.00,${NAMES[x.item]}`);
  }
  // The new candle enters the catalogue through a view (no purchase), and customer z99 only viewed it.
  lines.push(
    `z99,${NEW_CANDLE},view,${new Date(FIXTURE_START + 149 * DAY).toISOString()},,,${NAMES[NEW_CANDLE]}`,
  );
  return `${lines.join('\n')}\n`;
}

/**
 * Orders with a known basket structure, in the Online Retail layout, for what is bought together. All in
 * January 2011 but for 4 orders in February and 1 in March (the as-of month):
 * - 30 orders of a candle holder (90001), tea lights (90002) and a gift bag (90003); one lists the tea lights
 *   twice, and 5 of them have a wick trimmer (90004) too;
 * - 2 orders of the holder, a doorstop (90005) and the bag; 20 of a mug (90006), a plate (90007) and the bag;
 *   20 of the mug and the bag, 5 of them with the trimmer;
 * - 1 order of the holder, the tea lights and the bag with no customer (it counts: an order is an invoice);
 * - a cancellation of the holder and the tea lights (not an order);
 * - in February, 4 orders of the holder, the mug and the bag; in March, 1 of the mug, the plate and the bag.
 *
 * So of 78 orders, 37 hold the holder. With it: the tea lights in 31 (of 31 in all), the trimmer in 5 (of 10),
 * the mug in 4 (of 45), the doorstop in 2 (of 2) and the bag, which is in every order, in all 37.
 *
 * Each order is its own customer's. The first 10 holder orders (5 of them with the trimmer) and the 5 mug
 * orders with the trimmer are German: of Germany's 15 orders, 10 hold the holder, all 10 with the tea lights
 * (of 10 in all) and 5 with the trimmer (of 10).
 */
export function basketsCsv(): string {
  const names: Record<string, string> = {
    '90001': 'GLASS CANDLE HOLDER',
    '90002': 'TEA LIGHTS PACK OF 24',
    '90003': 'PAPER GIFT BAG',
    '90004': 'CANDLE WICK TRIMMER',
    '90005': 'BRASS DOORSTOP',
    '90006': 'SPOTTY MUG',
    '90007': 'SPOTTY PLATE',
  };
  const lines = ['InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country'];
  let invoice = 600000;
  let customer = 20000;
  const order = (
    items: string[],
    day: string,
    who: string | null = String(customer++),
    country = 'United Kingdom',
  ) => {
    invoice++;
    for (const item of items) {
      lines.push(`${invoice},${item},${names[item]},1,${day} 10:00:00,2.50,${who ?? ''},${country}`);
    }
  };
  for (let i = 0; i < 30; i++) {
    order(
      ['90001', '90002', '90003', ...(i === 0 ? ['90002'] : []), ...(i < 5 ? ['90004'] : [])],
      '2011-01-10',
      undefined,
      i < 10 ? 'Germany' : undefined,
    );
  }
  for (let i = 0; i < 2; i++) order(['90001', '90005', '90003'], '2011-01-11');
  for (let i = 0; i < 20; i++) order(['90006', '90007', '90003'], '2011-01-12');
  for (let i = 0; i < 20; i++) {
    order(
      ['90006', '90003', ...(i < 5 ? ['90004'] : [])],
      '2011-01-13',
      undefined,
      i < 5 ? 'Germany' : undefined,
    );
  }
  order(['90001', '90002', '90003'], '2011-01-14', null);
  lines.push(`C${invoice + 1},90001,${names['90001']},-1,2011-01-15 10:00:00,2.50,20000,United Kingdom`);
  lines.push(`C${invoice + 1},90002,${names['90002']},-1,2011-01-15 10:00:00,2.50,20000,United Kingdom`);
  for (let i = 0; i < 4; i++) order(['90001', '90006', '90003'], '2011-02-10');
  order(['90006', '90007', '90003'], '2011-03-10');
  return `${lines.join('\n')}\n`;
}
