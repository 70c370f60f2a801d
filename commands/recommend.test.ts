import { describe, expect, it } from 'vitest';
import { GARDEN, tasteGroupsCsv } from '../src/recommend/fixture.ts';
import { chatOver, slackThread } from '../test/chat.ts';
import { createCsvDatabase, drivers } from '../test/database.ts';

describe.each(drivers)('recommend conversation on %s', (driver) => {
  const chat = chatOver(() => createCsvDatabase(driver, tasteGroupsCsv()));
  const thread = slackThread;

  it('answers "what should we recommend to customer …?" with a table of reasons, the id masked', async () => {
    const reply = await chat.router.handle('what should we recommend to customer c01?', thread('r1'));
    expect(reply.title).toBe('Recommendations for customer c0*');
    expect(reply.table?.columns).toEqual(['#', 'Item', 'Product', 'Why']);
    expect(reply.table?.rows).toHaveLength(10);
    expect(
      reply.table?.rows
        .slice(0, 3)
        .map((r) => r[1])
        .sort(),
    ).toEqual(['C4', 'C5', 'C6']);
    expect(reply.table?.rows[0]?.[3]).toMatch(/^bought together with /);
    // There was no model yet: one was trained, and the reply says so.
    expect(reply.context).toMatch(/trained just now/);
    // Only the button's payload (never displayed) carries the id, so pressing it can act.
    const { buttons: _, ...shown } = reply;
    expect(JSON.stringify(shown)).not.toMatch(/c01\b/);
    expect(reply.buttons?.map((b) => b.label)).toEqual(['Buy again']);

    const again = await chat.router.press(reply.buttons![0]!, thread('r1'));
    expect(again.title).toBe('Buy again: customer c0*');
    expect(again.table?.rows.map((r) => r[1]).sort()).toEqual(['C1', 'C2', 'C3']);

    const five = await chat.router.handle('recommend top 5 for customer c01', thread('r1'));
    expect(five.table?.rows).toHaveLength(5);
    expect(five.context).not.toMatch(/trained just now/);
  });

  it('says clearly when the customer is unknown or no one is named', async () => {
    const unknown = await chat.router.handle('recommend to customer 99999', thread('r2'));
    expect(unknown.tone).toBe('error');
    expect(unknown.text).toMatch(/There is no customer 99999 in the data/);
    const nobody = await chat.router.handle('recommend', thread('r2'));
    expect(nobody.tone).toBe('error');
    expect(nobody.text).toMatch(/say who for/);
  });

  it('recommends to a saved segment by name and to the segment of the thread', async () => {
    const t = thread('r3');
    await chat.router.handle('customers who spent over £20', t);
    const saved = await chat.router.handle('save as big-spenders', t);
    expect(saved.text).toMatch(/^Saved "big-spenders"/);

    const reply = await chat.router.handle('what should we push to the big-spenders segment?', thread('r4'));
    expect(reply.title).toBe('What to push to "big-spenders"');
    expect(reply.table?.columns).toEqual(['#', 'Item', 'Product', 'Suits', 'Why (most often)']);
    expect(reply.table?.rows.length).toBeGreaterThan(0);
    for (const row of reply.table!.rows) expect(String(row[4])).not.toBe('');

    const followUp = await chat.router.handle('recommend to this segment', t);
    expect(followUp.title).toBe('What to push to spend > £20');
    expect(followUp.fields).toEqual(reply.fields);

    const missing = await chat.router.handle(
      'what should we push to the unicorn lovers segment?',
      thread('r5'),
    );
    expect(missing.tone).toBe('error');
    expect(missing.text).toMatch(/"unicorn lovers" is neither a saved segment nor an audience I can read/);
  });

  it('recommends only the products named, to a customer or a segment', async () => {
    const segment = await chat.router.handle(
      'recommend garden products to customers who bought Lavender scented candle',
      thread('r7'),
    );
    if (segment.tone === 'error') throw new Error(segment.text);
    expect(segment.title).toMatch(/^What Garden & Outdoor products to push to /);
    expect(segment.table!.rows.length).toBeGreaterThan(0);
    for (const row of segment.table!.rows) expect(GARDEN).toContain(row[1]);
    const one = await chat.router.handle('recommend garden products for customer c01', thread('r8'));
    expect(one.title).toMatch(/^Garden & Outdoor products for customer /);
    for (const row of one.table!.rows) expect(GARDEN).toContain(row[1]);
    const none = await chat.router.handle('recommend halloween products to customer c01', thread('r9'));
    expect(none.tone).toBe('error');
    expect(none.text).toMatch(/^No product in the catalogue is named with “halloween”/);
  });

  it('recommends to a segment request, pooling garden customers into garden tools', async () => {
    const reply = await chat.router.handle(
      'recommend to customers who bought Garden trowel steel',
      thread('r6'),
    );
    if (reply.tone === 'error') throw new Error(reply.text);
    expect(reply.title).toMatch(/^What to push to /);
    for (const row of reply.table!.rows.slice(0, 3)) expect(GARDEN).toContain(row[1]);
  });
});
