import { describe, expect, it } from 'vitest';
import { basketsCsv } from '../src/recommend/fixture.ts';
import { chatOver, slackThread } from '../test/chat.ts';
import { createCsvDatabase, drivers } from '../test/database.ts';

describe.each(drivers)('what is bought together, in a conversation on %s', (driver) => {
  const chat = chatOver(() => createCsvDatabase(driver, basketsCsv(), 'baskets.csv'));
  const thread = slackThread;

  it('answers "what do people buy with …?" with each partner against its usual share of orders', async () => {
    const reply = await chat.router.handle('what do people buy with 90001?', thread('t1'));
    expect(reply.title).toBe('Bought with GLASS CANDLE HOLDER (90001)');
    expect(reply.text).toBe(
      '37 orders of 78 (47.4%) had GLASS CANDLE HOLDER (90001). These products are in more of those orders than usual:',
    );
    expect(reply.fields).toEqual([
      { label: 'Orders', value: '78' },
      { label: 'With this product', value: '37' },
    ]);
    expect(reply.table?.columns).toEqual([
      '#',
      'Item',
      'Product',
      'In those orders',
      'In all orders',
      'Lift',
    ]);
    expect(reply.table?.rows).toEqual([
      [1, '90002', 'TEA LIGHTS PACK OF 24', '83.8% (31)', '39.7%', '2.1x'],
      [2, '90004', 'CANDLE WICK TRIMMER', '13.5% (5)', '12.8%', '1.1x'],
    ]);
    expect(reply.context).toMatch(/^orders up to 10 Mar 2011 · a product is listed when it is in at least 3/);
  });

  it('reads the command word, a number and a period', async () => {
    const top = await chat.router.handle('bought together with 90001, top 1', thread('t2'));
    expect(top.table?.rows.map((r) => r[1])).toEqual(['90002']);
    const one = await chat.router.handle('top 1 cross-sell for 90001', thread('t2'));
    expect(one.table?.rows.map((r) => r[1])).toEqual(['90002']);
    const word = await chat.router.handle('bought together with "candle holder"', thread('t2'));
    expect(word.title).toBe('Bought with GLASS CANDLE HOLDER (90001)');
    const february = await chat.router.handle('what goes well with 90001 in February?', thread('t2'));
    expect(february.title).toBe('Bought with GLASS CANDLE HOLDER (90001) in Feb 2011');
    expect(february.text).toBe(
      '4 orders of 4 in Feb 2011 (100%) had GLASS CANDLE HOLDER (90001). No other product is in at least 3 of them and more often than in orders overall.',
    );
  });

  it('says when no order in the period had the products', async () => {
    const march = await chat.router.handle('what goes with 90001 in March', thread('t3'));
    expect(march.tone).toBe('info');
    expect(march.text).toBe(
      'None of the 1 order in Mar 2011 to date had GLASS CANDLE HOLDER (90001), so nothing was bought with them.',
    );
    expect(march.context).toMatch(/longer period/);
  });

  it('says what to ask instead of products it cannot find, a period it cannot use, or nothing named', async () => {
    const none = await chat.router.handle('what goes well with halloween stuff?', thread('t4'));
    expect(none.tone).toBe('error');
    expect(none.text).toMatch(/No product in the catalogue is named with “halloween”/);
    expect(none.text).toMatch(/what goes well with candles\?/);
    const period = await chat.router.handle('what goes with 90001 in the last 9999 days', thread('t4'));
    expect(period.tone).toBe('error');
    expect(period.text).toMatch(/ask for the last 1 to 3,660 days/);
    const nothing = await chat.router.handle('what goes well with?', thread('t4'));
    expect(nothing.tone).toBe('error');
    expect(nothing.text).toMatch(/^Say which products, e\.g\. "what goes well with candles\?"/);
    expect(nothing.text).toMatch(/which products are bought together most\?/);
    const compared = await chat.router.handle('what goes with 90001 in January vs February', thread('t4'));
    expect(compared.tone).toBe('error');
    expect(compared.text).toMatch(
      /^I find what goes with products over one period at a time, so I can't compare "vs February"/,
    );
    const many = await chat.router.handle('30 cross-sells for 90001', thread('t4'));
    expect(many.tone).toBe('error');
    expect(many.text).toMatch(/at most 25 products/);
  });

  it('takes typed arguments, as a Discord slash command sends them, the period as said', async () => {
    const reply = await chat.router.run(
      'together',
      { goods: '90001', k: 1, when: 'in January' },
      thread('t6'),
    );
    expect(reply.title).toBe('Bought with GLASS CANDLE HOLDER (90001) in Jan 2011');
    expect(reply.table?.rows.map((r) => r[1])).toEqual(['90002']);
    const vague = await chat.router.run(
      'together',
      { goods: '90001', when: 'the summer holidays' },
      thread('t6'),
    );
    expect(vague.tone).toBe('error');
    expect(vague.text).toMatch(/I can't read "the summer holidays" as a period/);
    expect(vague.text).toMatch(/last quarter/);
    const extra = await chat.router.run(
      'together',
      { goods: '90001', when: 'last month please' },
      thread('t6'),
    );
    expect(extra.text).toMatch(/I can't read "last month please" as a period/);
  });

  it('reads an audience and counts only its orders', async () => {
    const reply = await chat.router.handle('what do German customers buy with 90001?', thread('t7'));
    expect(reply.title).toBe('Bought with GLASS CANDLE HOLDER (90001) for Germany');
    expect(reply.text).toMatch(/^10 orders of 15 for Germany \(66\.7%\) had GLASS CANDLE HOLDER \(90001\)\./);
    expect(reply.table?.rows).toEqual([[1, '90002', 'TEA LIGHTS PACK OF 24', '100% (10)', '66.7%', '1.5x']]);
    const after = await chat.router.handle('what goes with 90001 among customers in Germany', thread('t7'));
    expect(after.title).toBe(reply.title);
    const unknown = await chat.router.handle('what do Narnian customers buy with 90001?', thread('t7'));
    expect(unknown.tone).toBe('error');
    expect(unknown.text).toMatch(/"Narnian customers" is neither a saved segment nor an audience I can read/);
  });

  it('answers "which products are bought together most?" with the pairs and their lift', async () => {
    const reply = await chat.router.handle('which products are bought together most?', thread('t8'));
    expect(reply.title).toBe('Bought together most');
    expect(reply.table?.columns).toEqual(['#', 'Product', 'With', 'Orders with both', 'Lift']);
    expect(reply.table?.rows).toEqual([
      [1, 'GLASS CANDLE HOLDER (90001)', 'TEA LIGHTS PACK OF 24 (90002)', '31 (39.7%)', '2.1x'],
      [2, 'SPOTTY MUG (90006)', 'SPOTTY PLATE (90007)', '21 (26.9%)', '1.7x'],
      [3, 'TEA LIGHTS PACK OF 24 (90002)', 'CANDLE WICK TRIMMER (90004)', '5 (6.4%)', '1.3x'],
      [4, 'GLASS CANDLE HOLDER (90001)', 'CANDLE WICK TRIMMER (90004)', '5 (6.4%)', '1.1x'],
    ]);
    const german = await chat.router.handle('top 1 bundle ideas for German customers', thread('t8'));
    expect(german.title).toBe('Bought together most for Germany');
    expect(german.table?.rows).toHaveLength(1);
    const february = await chat.router.handle('what sells together in February?', thread('t8'));
    expect(february.tone).toBe('info');
    expect(february.text).toBe(
      'No two products are in at least 3 of the 4 orders in Feb 2011 together more often than chance.',
    );
  });

  it("reads the thread's segment as the audience when asked about these customers", async () => {
    const t = thread('t9');
    await chat.router.handle('customers in Germany', t);
    const reply = await chat.router.handle('what do these customers buy with 90001?', t);
    expect(reply.title).toBe('Bought with GLASS CANDLE HOLDER (90001) for Germany');
    expect(reply.text).toMatch(/^10 orders of 15 for Germany/);
  });

  it('leaves audiences and recommendations to their commands', async () => {
    const push = await chat.router.handle('cross-sell to customers who bought 90001', thread('t5'));
    expect(push.title).toMatch(/^What to push to /);
    const segment = await chat.router.handle('customers who bought 90001', thread('t5'));
    expect(segment.title).not.toMatch(/^Bought with/);
    expect(segment.fields?.some((f) => f.label === 'Customers')).toBe(true);
  });
});
