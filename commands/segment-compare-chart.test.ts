import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../src/core/command.ts';
import type { Reply } from '../src/core/reply.ts';
import type { Router } from '../src/core/router.ts';
import { getSegment, saveSegment } from '../src/segments/service.ts';
import { chatRouter, slackThread } from '../test/chat.ts';
import { createFixtureDatabase, drivers, type TestDatabase } from '../test/database.ts';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

describe.each(drivers)('the Chart button on a segment comparison on %s', (driver) => {
  let db: TestDatabase;
  let router: Router;
  beforeAll(async () => {
    db = await createFixtureDatabase(driver);
    router = chatRouter(db);
    const setup: Caller = { platform: 'slack', userId: 'U1', conversationId: 'setup' };
    await router.handle('customers in Germany', setup);
    await router.handle('save as germans', setup);
    await router.handle('customers who spent over £50', setup);
    await router.handle('save as big-spenders', setup);
  });
  afterAll(async () => {
    await db.dispose();
  });
  const thread = slackThread;
  const png = (reply: Reply) => reply.attachments?.find((a) => a.mimeType === 'image/png');

  it('charts the two saved segments that were compared', async () => {
    const t = thread('c1');
    const compared = await router.handle('compare germans and big-spenders', t);
    expect(compared.title).toBe('germans vs big-spenders');
    const chart = compared.buttons?.find((b) => b.label === 'Chart');
    expect(chart).toEqual({
      action: 'chart',
      label: 'Chart',
      value: 'compare segments germans and big-spenders',
    });

    const pressed = await router.press(chart!, t);
    expect(pressed.tone).not.toBe('error');
    expect(pressed.title).toMatch(/^germans vs big-spenders: /);
    const image = png(pressed);
    expect(image?.filename).toBe('chart.png');
    expect([...(image?.data.slice(0, 8) ?? [])]).toEqual(PNG_MAGIC);
    expect(image?.altText).toMatch(/germans .* big-spenders/s);
  });

  it('charts audiences described in words, read again as said', async () => {
    const t = thread('c5');
    const compared = await router.handle('compare customers in France and big-spenders', t);
    const chart = compared.buttons?.find((b) => b.label === 'Chart');
    expect(chart?.value).toBe('compare segments customers in France and big-spenders');
    const pressed = await router.press(chart!, t);
    expect(pressed.tone).not.toBe('error');
    expect(pressed.title).toMatch(/^customers in France vs big-spenders: /);
    expect(png(pressed)).toBeDefined();
  });

  it('charts a saved segment against the thread’s segment', async () => {
    const t = thread('c2');
    await router.handle('customers with returns', t);
    const compared = await router.handle('compare big-spenders with this', t);
    const chart = compared.buttons?.find((b) => b.label === 'Chart');
    expect(chart?.value).toBe('compare segments big-spenders and this segment');
    const pressed = await router.press(chart!, t);
    expect(pressed.tone).not.toBe('error');
    expect(pressed.title).toMatch(/^big-spenders vs this segment: /);
    expect(png(pressed)).toBeDefined();
  });

  it('leaves the button out when the names would not read back as the same two segments', async () => {
    // Names the chart request would read differently ("against" splits names; "the X segment" means X).
    const { definition } = await getSegment(db, 'big-spenders');
    await saveSegment(db, { name: 'odds against', definition, createdBy: 'test' });
    const compared = await router.handle('compare germans with odds against', thread('c4'));
    expect(compared.title).toBe('germans vs odds against');
    expect(compared.buttons ?? []).toEqual([]);
    await saveSegment(db, { name: 'the loyal segment', definition, createdBy: 'test' });
    const loyal = await router.handle('compare germans and the loyal segment', thread('c5'));
    expect(loyal.title).toBe('germans vs the loyal segment');
    expect(loyal.buttons ?? []).toEqual([]);
  });
});
