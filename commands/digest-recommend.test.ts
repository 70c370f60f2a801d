import { describe, expect, it } from 'vitest';
import type { Caller } from '../src/core/command.ts';
import { NO_MODEL_NOTE } from '../src/digests/recommender.ts';
import { tasteGroupsCsv } from '../src/recommend/fixture.ts';
import { trainRecommender } from '../src/recommend/service.ts';
import { latestModelId } from '../src/recommend/store.ts';
import { chatOver } from '../test/chat.ts';
import { createCsvDatabase, drivers } from '../test/database.ts';

describe.each(drivers)('what to push in a digest, from the trained recommender, on %s', (driver) => {
  const chat = chatOver(() => createCsvDatabase(driver, tasteGroupsCsv()));
  const slack = (id: string): Caller => ({
    platform: 'slack',
    userId: 'U1',
    conversationId: id,
    channelId: 'C0GENERAL',
  });

  it('falls back to rising products with a note until a model exists, then pushes its picks', async () => {
    await chat.router.handle('customers who spent over £20', slack('s1'));
    expect((await chat.router.handle('save as big-spenders', slack('s1'))).text).toMatch(
      /^Saved "big-spenders"/,
    );
    const created = await chat.router.handle(
      'every Monday at 9:00 weekly digest to #marketing with recommendations for big-spenders',
      slack('s2'),
    );
    expect(created.tone).toBe('success');

    const before = await chat.router.handle('preview digest weekly-marketing', slack('s3'));
    expect(before.text).toContain(NO_MODEL_NOTE);
    expect(before.text).not.toContain('What to push to big-spenders');
    // A digest never trains.
    expect(await latestModelId(chat.db)).toBeNull();

    await trainRecommender(chat.db);
    const after = await chat.router.handle('preview digest weekly-marketing', slack('s4'));
    expect(after.text).not.toContain(NO_MODEL_NOTE);
    const push = after.text?.split('\n\n').find((p) => p.startsWith('*What to push to big-spenders*'));
    expect(push).toBeDefined();
    const lines = push!.split('\n').slice(1);
    expect(lines.length).toBeGreaterThan(0);
    // The same ranking the chat gives for the segment.
    const answer = await chat.router.handle('recommend to big-spenders', slack('s5'));
    const members = answer.fields?.[0]?.value;
    expect(lines[0]).toBe(
      `• ${answer.table?.rows[0]?.[2]}: ${answer.table?.rows[0]?.[4]} (suits ${answer.table?.rows[0]?.[3]})`,
    );
    expect(lines.every((l) => new RegExp(` of ${members}\\)$`).test(l))).toBe(true);
  });

  it('a digest without a chosen segment keeps its rising products, without a note', async () => {
    await chat.router.handle('every day at 8:00 daily digest to #sales called daily', slack('s6'));
    const preview = await chat.router.handle('preview digest daily', slack('s7'));
    expect(preview.tone).not.toBe('error');
    expect(preview.text ?? '').not.toContain(NO_MODEL_NOTE);
    // Only the rising products heading (or none): the model speaks for a chosen segment.
    expect(preview.text ?? '').not.toMatch(/What to push to|\*What to push\*\n/);
  });
});
