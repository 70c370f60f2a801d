import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listDrafts } from '../src/copy/store.ts';
import { tasteGroupsCsv } from '../src/recommend/fixture.ts';
import { chatOver, slackThread } from '../test/chat.ts';
import { createCsvDatabase, drivers } from '../test/database.ts';

beforeAll(() => {
  // Offline: local templates for copy, no cloud vectors.
  vi.stubEnv('OPENAI_API_KEY', '');
  vi.stubEnv('PINECONE_API_KEY', '');
});
afterAll(() => {
  vi.unstubAllEnvs();
});

describe.each(drivers)('segment preview buttons on %s', (driver) => {
  const chat = chatOver(() => createCsvDatabase(driver, tasteGroupsCsv()));
  const thread = slackThread;
  const button = (reply: { buttons?: { label: string }[] | undefined }, label: string) => {
    const found = reply.buttons?.find((b) => b.label === label);
    if (!found) throw new Error(`no "${label}" button`);
    return found as { action: string; value: string; label: string };
  };

  it('"Recommend for this segment" recommends to the previewed segment', async () => {
    const t = thread(`${driver}-rec`);
    const preview = await chat.router.handle('customers who spent over £20', t);
    expect(preview.title).toMatch(/^Segment: \d+ customers?$/);
    const reply = await chat.router.press(button(preview, 'Recommend for this segment'), t);
    expect(reply.tone).not.toBe('error');
    expect(reply.title).toBe('What to push to spend > £20');
    expect(reply.table?.columns).toEqual(['#', 'Item', 'Product', 'Suits', 'Why (most often)']);
    expect(reply.table?.rows.length).toBeGreaterThan(0);
    // The thread still holds the segment: the next step works on it too.
    const saved = await chat.router.handle('save as big-spenders', t);
    expect(saved.text).toMatch(/^Saved "big-spenders"/);
  });

  it('"Draft copy for this segment" drafts copy for the previewed segment', async () => {
    const t = thread(`${driver}-copy`);
    const preview = await chat.router.handle('customers who spent over £20', t);
    const before = (await listDrafts(chat.db)).length;
    const reply = await chat.router.press(button(preview, 'Draft copy for this segment'), t);
    expect(reply.tone).not.toBe('error');
    const drafts = await listDrafts(chat.db);
    expect(drafts.length).toBeGreaterThan(before);
    const fresh = drafts.filter((d) => d.request === 'copy for this segment');
    expect(fresh.length).toBeGreaterThan(0);
    for (const d of fresh) expect(d.segment).toBe('spend > £20');
  });

  it('the buttons say plainly when the thread has no segment', async () => {
    const reply = await chat.router.press(
      { action: 'recommend', value: 'to this segment' },
      thread(`${driver}-empty`),
    );
    expect(reply.tone).toBe('error');
    expect(reply.text).toMatch(/no segment in this thread/);
    const copy = await chat.router.press(
      { action: 'draft', value: 'copy for this segment' },
      thread(`${driver}-e2`),
    );
    expect(copy.tone).toBe('error');
    expect(copy.text).toMatch(/no segment in this thread/);
  });
});
