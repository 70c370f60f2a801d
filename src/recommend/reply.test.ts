import { describe, expect, it } from 'vitest';
import { togetherReply } from './reply.ts';
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
