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
        at: e.productName ? e.occurredAt : '',
        price: sale ? e.unitPrice : null,
        priceAt: sale ? e.occurredAt : '',
        firstAt: e.occurredAt,
      });
    } else {
      if (e.productName && e.occurredAt >= p.at) {
        p.name = e.productName;
        p.at = e.occurredAt;
      }
      if (sale && e.occurredAt >= p.priceAt) {
        p.price = e.unitPrice;
        p.priceAt = e.occurredAt;
      }
      if (e.occurredAt < p.firstAt) p.firstAt = e.occurredAt;
    }
    if (e.customerId) {
      const c = customers.get(e.customerId);
      if (!c) {
        customers.set(e.customerId, {
          country: e.country,
          at: e.country ? e.occurredAt : '',
          firstAt: e.occurredAt,
        });
      } else {
        if (e.country && e.occurredAt >= c.at) {
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
  it('takes names, prices and countries from the latest line that has one, whatever the order of the file', () => {
    const line = (at: string, name: string | null, price: string, country: string | null): ParsedEvent => ({
      ...blankEvent(),
      kind: 'purchase',
      productId: '85123A',
      productName: name,
      unitPrice: price,
      price: Number(price),
      occurredAt: `2011-0${at}-01T10:00:00.000Z`,
      customerId: '17850',
      country,
    });
    // Sorted by anything but time: the first line has neither a name nor a country, and is the latest.
    const lines = [
      line('5', null, '1.00', null),
      line('3', 'HEART HOLDER', '2.00', 'France'),
      line('4', 'WHITE HEART HOLDER', '2.55', 'Germany'),
      line('2', 'HEART', '3.00', 'Spain'),
    ];
    for (const order of [lines, [...lines].reverse()]) {
      const catalogue = new Catalogue();
      for (const e of order) catalogue.add(e);
      const { products, customers } = catalogue.rows();
      expect(products).toEqual([
        [
          '85123A',
          {
            name: 'WHITE HEART HOLDER',
            at: '2011-04-01T10:00:00.000Z',
            price: '1.00',
            priceAt: '2011-05-01T10:00:00.000Z',
            firstAt: '2011-02-01T10:00:00.000Z',
          },
        ],
      ]);
      expect(customers).toEqual([
        [
          '17850',
          { country: 'Germany', at: '2011-04-01T10:00:00.000Z', firstAt: '2011-02-01T10:00:00.000Z' },
        ],
      ]);
    }
  });

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
