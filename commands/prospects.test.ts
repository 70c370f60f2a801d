import { describe, expect, it } from 'vitest';
import { tasteGroupsCsv } from '../src/recommend/fixture.ts';
import { chatOver, slackThread } from '../test/chat.ts';
import { createCsvDatabase, drivers } from '../test/database.ts';

describe.each(drivers)('who is likely to buy some products, in a conversation on %s', (driver) => {
  const chat = chatOver(() => createCsvDatabase(driver, tasteGroupsCsv()));
  const thread = slackThread;

  it('lists the customers most likely to buy them, ids masked, and keeps the list to save and export', async () => {
    const t = thread('p1');
    const reply = await chat.router.handle('which customers are most likely to buy candles?', t);
    expect(reply.title).toBe('Most likely to buy Candles & Lights products');
    expect(reply.text).toMatch(
      /^30 of 60 customers bought products that point to Candles & Lights products; these 20 the most\./,
    );
    expect(reply.text).toMatch(/30 of the 60 have bought Candles & Lights products before/);
    expect(reply.table?.columns).toEqual(['#', 'Customer', 'Country', 'Stage', 'Spend', 'Best match', 'Why']);
    expect(reply.table?.rows).toHaveLength(20);
    // Candle customers only (c01..c30), masked: "c0*", "c1*", "c2*", "c3*".
    for (const row of reply.table!.rows) expect(row[1]).toMatch(/^c[0-3]\*$/);
    expect(reply.table?.truncated).toBe(0);
    expect(reply.buttons?.map((b) => b.label)).toContain('Save segment');
    // Copy for the list is about the products it was ranked for.
    const draft = reply.buttons!.find((b) => b.action === 'draft')!;
    expect(draft.value).toBe('copy for this segment about candles');

    const saved = await chat.router.handle('save as candle-prospects', t);
    expect(saved.text).toMatch(/^Saved "candle-prospects" \(20 customers today\)/);
    const exported = await chat.router.handle('export', t);
    const lines = new TextDecoder().decode(exported.attachments?.[0]?.data).trim().split('\r\n');
    expect(lines).toHaveLength(21);
    for (const line of lines.slice(1)) expect(line).toMatch(/^c\d\d,/);
    const drafted = await chat.router.press(draft, t);
    expect(drafted.tone).not.toBe('error');
    expect(JSON.stringify(drafted)).toMatch(/scented candle|Candle holder|Tea light candle|Candle snuffer/i);
    const shown = await chat.router.handle('show segment candle-prospects', thread('p1b'));
    expect(JSON.stringify(shown)).toMatch(/the 20 most likely to buy Candles & Lights products/);
  });

  it('shows the first 25 of a longer list and exports all of it', async () => {
    const t = thread('p2');
    // Only the 30 candle customers' purchases point to candles.
    const reply = await chat.router.handle('top 40 prospects for candles', t);
    expect(reply.table?.rows).toHaveLength(25);
    expect(reply.table?.truncated).toBe(5);
    const exported = await chat.router.handle('export', t);
    expect(new TextDecoder().decode(exported.attachments?.[0]?.data).trim().split('\r\n')).toHaveLength(31);
  });

  it('ranks only an audience, said before the question', async () => {
    const reply = await chat.router.handle(
      'which customers with at least 4 orders would buy garden products?',
      thread('p3'),
    );
    expect(reply.title).toBe('Most likely to buy Garden & Outdoor products (orders ≥ 4)');
    expect(reply.table?.rows.length).toBeGreaterThan(0);
    for (const row of reply.table!.rows) expect(row[1]).toMatch(/^g[0-3]\*$/);
    const none = await chat.router.handle(
      'which customers who bought candles would buy garden products?',
      thread('p3'),
    );
    expect(none.tone).toBe('info');
    expect(none.text).toMatch(
      /^None of the 30 customers \(bought Candles & Lights \(category\)\) has bought anything that points to Garden & Outdoor products/,
    );
  });

  it('ranks those who have not bought the products yet, when asked that way', async () => {
    // Only the garden customers never bought a candle, and nothing they bought points to candles.
    const reply = await chat.router.handle(
      "which customers haven't bought candles but are likely to?",
      thread('p6'),
    );
    expect(reply.tone).toBe('info');
    expect(reply.text).toMatch(
      /^None of the 30 customers \(never bought Candles & Lights \(category\)\) has bought anything that points to Candles & Lights products/,
    );
    const garden = await chat.router.handle(
      'which customers never bought garden products but would?',
      thread('p6'),
    );
    expect(garden.tone).toBe('info');
    expect(garden.text).toMatch(/^None of the 30 customers \(never bought Garden & Outdoor \(category\)\)/);
  });

  it('says what to ask instead of products it cannot find or nothing named', async () => {
    const none = await chat.router.handle('who would buy halloween stuff?', thread('p4'));
    expect(none.tone).toBe('error');
    expect(none.text).toMatch(/No product in the catalogue is named with “halloween”/);
    const nothing = await chat.router.handle('which customers are likely to buy?', thread('p4'));
    expect(nothing.tone).toBe('error');
    expect(nothing.text).toMatch(/say which products/);
    const many = await chat.router.handle('top 5000 prospects for candles', thread('p4'));
    expect(many.tone).toBe('error');
    expect(many.text).toMatch(/at most 1000 customers/);
  });

  it('leaves segment requests and recommendations to their commands', async () => {
    const segment = await chat.router.handle('customers who bought candles', thread('p5'));
    expect(segment.title).toMatch(/^Segment: /);
    const recommend = await chat.router.handle('what should we recommend to customer c01?', thread('p5'));
    expect(recommend.title).toBe('Recommendations for customer c0*');
  });
});
