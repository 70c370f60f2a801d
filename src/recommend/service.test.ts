import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, drivers, type TestDatabase } from '../../test/database.ts';
import { importFile } from '../ingest/import.ts';
import { CANDLES, GARDEN, NEW_CANDLE, tasteGroupsCsv } from './fixture.ts';
import { currentModel, forgetModel, recommendFor, recommendForSegment, trainRecommender } from './service.ts';
import { loadModel } from './store.ts';

describe.each(drivers)('recommender in the feature store on %s', (driver) => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'megaphone-rec-'));
    const file = join(dir, 'taste-groups.csv');
    await writeFile(file, tasteGroupsCsv());
    db = await createTestDatabase(driver);
    await importFile(db, file);
  });
  afterAll(async () => {
    await db.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses to train on an empty store with what to do', async () => {
    const empty = await createTestDatabase(driver);
    try {
      await expect(trainRecommender(empty)).rejects.toMatchObject({
        code: 'no_purchases',
        hint: expect.stringMatching(/megaphone import/),
      });
    } finally {
      await empty.dispose();
    }
  });

  it('trains, stores the model, and serves it from memory with reasons', async () => {
    const phases: string[] = [];
    const summary = await trainRecommender(db, { onProgress: (phase) => phases.push(phase) });
    expect(summary).toMatchObject({
      customers: 60,
      purchaseLines: expect.any(Number),
      contentSource: 'names',
    });
    expect(phases).toEqual(expect.arrayContaining(['load', 'collaborative model', 'save']));
    const stored = await loadModel(db);
    expect(stored?.id).toBe(summary.modelId);
    // Every catalogue product is in the model, the never-bought one too (content neighbours only).
    expect(stored?.model.items.get(NEW_CANDLE)).toMatchObject({ popularity: 0, cf: [] });
    expect(stored?.model.items.get(NEW_CANDLE)?.content.length).toBeGreaterThan(0);

    const [c01] = await recommendFor(db, ['c01'], { k: 3 });
    expect(c01!.historyItems).toBe(3);
    expect(c01!.items.map((r) => r.itemId).sort()).toEqual(['C4', 'C5', 'C6']);
    for (const r of c01!.items) expect(r.reason).toMatch(/^bought together with /);

    const [again] = await recommendFor(db, ['c01'], { mode: 'again' });
    expect(again!.items.map((r) => r.itemId).sort()).toEqual(['C1', 'C2', 'C3']);
  });

  it('gives a customer with no purchases the popular items, and refuses unknown ids', async () => {
    const [z] = await recommendFor(db, ['z99'], { k: 5 });
    expect(z!.historyItems).toBe(0);
    expect(z!.items).toHaveLength(5);
    for (const r of z!.items) expect([...CANDLES, ...GARDEN]).toContain(r.itemId);
    await expect(recommendFor(db, ['nobody-1'])).rejects.toMatchObject({
      code: 'unknown_customer',
      message: 'There is no customer nobody-1 in the data.',
    });
    // Batch scoring accepts them, as cold starts.
    const [unknown] = await recommendFor(db, ['nobody-1'], { allowUnknown: true, k: 2 });
    expect(unknown!.items).toHaveLength(2);
  });

  it('pools members’ recommendations for a segment', async () => {
    const members = ['g01', 'g02', 'g03', 'g04', 'g05'];
    const result = await recommendForSegment(db, members, { k: 3 });
    expect(result.members).toBe(5);
    expect(result.items).toHaveLength(3);
    for (const item of result.items) {
      expect(GARDEN).toContain(item.itemId);
      expect(item.customers).toBeGreaterThanOrEqual(0);
      expect(item.customers).toBeLessThanOrEqual(5);
      expect(item.reason).not.toBe('');
    }
  });

  it('trains as of a date on the purchases before it, and serving picks up the newer model', async () => {
    const first = await currentModel(db);
    const summary = await trainRecommender(db, { asOf: new Date('2011-03-01T00:00:00Z') });
    expect(summary.purchaseLines).toBeLessThan(first.model.customers * 10);
    forgetModel(db);
    const served = await currentModel(db);
    expect(served.model.asOf).toBe(Date.parse('2011-03-01T00:00:00Z'));
    expect(served.model.customers).toBeLessThan(60);
    await expect(trainRecommender(db, { asOf: new Date('2000-01-01T00:00:00Z') })).rejects.toMatchObject({
      code: 'no_purchases',
    });
  });
});
