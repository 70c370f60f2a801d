import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random.ts';
import { blankEvent, type EventKind, type ParsedEvent } from './formats.ts';
import { Catalogue, type CustomerSeen, type ProductSeen } from './seen-catalogue.ts';

/** The catalogue rules written plainly, with Maps: the reference for Catalogue and its product index. */
function reference(events: ParsedEvent[]) {
  const products = new Map<string, ProductSeen>();
  const customers = new Map<string, CustomerSeen>();
  for (const e of events) {
    const p = products.get(e.productId);
    const sale =
      (e.kind === 'purchase' || e.kind === 'anonymous') && e.unitPrice !== null && Number(e.unitPrice) > 0;
    if (!p) {
      products.set(e.productId, {
        name: e.productName,
        at: e.occurredAt,
        price: sale ? e.unitPrice : null,
        firstAt: e.occurredAt,
      });
    } else {
      if (e.occurredAt >= p.at && e.productName) {
        p.name = e.productName;
        p.at = e.occurredAt;
      } else if (!p.name && e.productName) p.name = e.productName;
      if (sale && (e.occurredAt >= p.at || p.price === null)) p.price = e.unitPrice;
      if (e.occurredAt < p.firstAt) p.firstAt = e.occurredAt;
    }
    if (e.customerId) {
      const c = customers.get(e.customerId);
      if (!c) customers.set(e.customerId, { country: e.country, at: e.occurredAt, firstAt: e.occurredAt });
      else {
        if (e.occurredAt >= c.at && e.country) {
          c.country = e.country;
          c.at = e.occurredAt;
        }
        if (e.occurredAt < c.firstAt) c.firstAt = e.occurredAt;
      }
    }
  }
  const latestAt = events.reduce<string | null>(
    (m, e) => (m === null || e.occurredAt > m ? e.occurredAt : m),
    null,
  );
  return { products: [...products], customers: [...customers], latestAt };
}

describe('Catalogue', () => {
  it('keeps the latest names, sale prices and countries and the first and last times, as the plain rules do', () => {
    const random = seededRandom(11);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
    const kinds: EventKind[] = ['purchase', 'anonymous', 'return', 'adjustment'];
    const events: ParsedEvent[] = [];
    // Enough products for the index to grow several times; similar ids, and a few long ones.
    for (let i = 0; i < 30_000; i++) {
      const n = Math.floor(random() * 9_000);
      const price = pick(['1.25', '0', '2.10', '0.00', '12345678901.25', '3']);
      events.push({
        ...blankEvent(),
        kind: pick(kinds),
        productId: n % 97 === 0 ? `LONG-PRODUCT-ID-${n}` : `${n}${pick(['', 'A', 'B'])}`,
        productName: pick([null, `NAME ${n % 50}`, `OTHER NAME FOR PRODUCT ${n % 7}`]),
        unitPrice: price,
        price: Number(price),
        occurredAt: `2011-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 10)}T10:00:00.000Z`,
        customerId: pick([null, `${12000 + Math.floor(random() * 3000)}`]),
        country: pick([null, 'France', 'United Kingdom']),
      });
    }
    const catalogue = new Catalogue();
    events.forEach((e, i) => {
      catalogue.add(e);
      if (i % 1_000 === 0) catalogue.own();
    });
    const expected = reference(events);
    expect(expected.products.length).toBeGreaterThan(8_000);
    expect(catalogue.rows()).toEqual(expected);
  });
});
