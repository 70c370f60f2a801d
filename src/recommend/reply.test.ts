import { describe, expect, it } from 'vitest';
import { prospectsReply, togetherReply } from './reply.ts';
import type { ServedModel } from './service.ts';
import type { TogetherResult } from './together.ts';

const row = (productId: string, together: number, orders: number) => ({
  productId,
  name: `Product ${productId}`,
  category: 'Other',
  together,
  orders,
});

describe('what is bought together, as a reply', () => {
  it('warns when too few orders had the products to tell a pattern from chance', () => {
    const result: TogetherResult = {
      orders: 500,
      withGoods: 12,
      rows: [row('A', 6, 40)],
      asOf: '2026-11-30',
    };
    const reply = togetherReply('candle products', result);
    expect(reply.text).toMatch(/Only 12 orders had them: too few to tell a pattern from chance/);
    expect(reply.table?.rows).toEqual([[1, 'A', 'Product A', '50% (6)', '8%', '6.3x']]);
  });

  it('says when no partner stands out, as when the products are in most orders', () => {
    const result: TogetherResult = {
      orders: 1000,
      withGoods: 600,
      rows: [row('A', 330, 500), row('B', 130, 200)],
      asOf: '2026-11-30',
    };
    const reply = togetherReply('candle products', result);
    expect(reply.text).toMatch(
      /None stands out strongly \(at most 1\.1x as often as usual\): candle products go with most things\./,
    );
    expect(reply.text).not.toMatch(/too few/);
  });

  it('shows neither note for a clear pattern over enough orders', () => {
    const result: TogetherResult = {
      orders: 1000,
      withGoods: 100,
      rows: [row('A', 40, 80)],
      asOf: '2026-11-30',
    };
    const reply = togetherReply('candle products', result);
    expect(reply.text).toBe(
      '100 orders of 1,000 (10%) had candle products. These products are in more of those orders than usual:',
    );
    expect(reply.table?.rows[0]?.[5]).toBe('5.0x');
  });

  it('says when there are no orders at all', () => {
    const reply = togetherReply('candle products', { orders: 0, withGoods: 0, rows: [], asOf: null });
    expect(reply).toEqual({ tone: 'warning', text: 'There are no orders to look in.' });
  });
});

describe('who is likely to buy, as a reply', () => {
  const served = {
    model: { asOf: Date.parse('2026-12-01T00:00:00Z'), customers: 1500 },
    trainedAt: new Date('2026-11-30T00:00:00Z'),
    trainedNow: false,
  } as unknown as ServedModel;
  const prospect = (customerId: string) => ({
    customerId,
    itemId: '85123A',
    name: 'WHITE HANGING HEART T-LIGHT HOLDER',
    score: 0.5,
    reason: 'bought RABBIT NIGHT LIGHT',
    country: 'France',
    lifecycle: 'at_risk',
    spend: 1234.5,
  });

  it('leaves out who bought them before when no one did, and masks ids', () => {
    const reply = prospectsReply(
      'candle products',
      {
        candidates: 650,
        scored: 600,
        alreadyBought: 0,
        rows: [prospect('12345')],
        ranked: ['12345'],
        served,
      },
      { audience: 'never bought candles', topic: 'candles' },
    );
    expect(reply.title).toBe('Most likely to buy candle products (never bought candles)');
    expect(reply.text).toBe(
      '600 of 650 customers (never bought candles) bought products that point to candle products; this one the most.\n' +
        'Save them as a segment, export them, or draft copy for them with the buttons below.',
    );
    expect(reply.table?.rows).toEqual([
      [
        1,
        '12***',
        'France',
        'at risk',
        '£1,234.50',
        'WHITE HANGING HEART T-LIGHT HOLDER',
        'bought RABBIT NIGHT LIGHT',
      ],
    ]);
  });
});
