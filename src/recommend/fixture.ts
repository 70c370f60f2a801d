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
