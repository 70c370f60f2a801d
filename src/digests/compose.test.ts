import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, drivers, type TestDatabase } from '../../test/database.ts';
import { change } from '../charts/figures.ts';
import { importFile } from '../ingest/import.ts';
import type { SegmentDefinition } from '../segments/definition.ts';
import { deleteSegment, saveSegment } from '../segments/service.ts';
import { composeDigest, type DigestRecommender } from './compose.ts';
import type { Digest } from './service.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/two-weeks.csv', import.meta.url));
const log = pino({ level: 'silent' });
const weekly: Pick<Digest, 'name' | 'contents' | 'timezone'> = {
  name: 'weekly-marketing',
  timezone: 'Europe/London',
  contents: { period: 'week', parts: ['kpis', 'segments', 'products', 'push', 'chart'] },
};
const spentOver = (value: number): SegmentDefinition => ({
  conditions: [{ kind: 'metric', metric: 'spend', op: 'gt', value }],
});

it('describes changes the way a marketer reads them', () => {
  expect(change(100, 50)).toBe('+100%');
  expect(change(33.33, 25)).toBe('+33%');
  expect(change(95, 100)).toBe('−5%');
  expect(change(10, 0)).toBe('new');
  expect(change(0, 0)).toBe('no change');
});

describe.each(drivers)('digest contents on %s', (driver) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(driver);
    await importFile(db, FIXTURE);
  });
  afterAll(async () => {
    await db.dispose();
  });

  it('compares the week to the data’s as-of with the week before, in SQL', async () => {
    // The run is in 2026; the data ends on 2024-03-11 08:00 UTC, so the period ends there.
    const { reply, empty, failed } = await composeDigest(db, weekly, {
      at: new Date('2026-03-23T09:00:00Z'),
      log,
    });
    expect(empty).toBe(false);
    expect(failed).toEqual([]);
    expect(reply.title).toBe('Weekly digest "weekly-marketing": 7 days to 2024-03-11');
    expect(reply.fields).toEqual([
      { label: 'Revenue', value: '£100.00 (+100%)' },
      { label: 'Orders', value: '3 (+50%)' },
      { label: 'Customers', value: '3 (+50%)' },
      { label: 'New customers', value: '2 (+100%)' },
      { label: 'Average order', value: '£33.33 (+33%)' },
    ]);
    expect(reply.table).toEqual({
      columns: ['Product', 'Units', 'Revenue', 'vs the 7 days before'],
      rows: [
        ['LAVENDER CANDLE', '7', '£70.00', 'new'],
        ['CANVAS TOTE BAG', '1', '£30.00', 'no change'],
      ],
    });
    expect(reply.text).toContain('*What to push: rising products*\n• LAVENDER CANDLE: £70.00, up from £0.00');
    expect(reply.context).toBe('Data as of 2024-03-11 08:00 UTC, so the period ends there');
    const png = reply.attachments?.[0];
    expect(png?.mimeType).toBe('image/png');
    expect([...(png?.data.slice(0, 4) ?? [])]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(png?.altText).toMatch(/^Bar chart of revenue by week/);
  });

  it('a run inside the data ends the period at the run time', async () => {
    const { reply } = await composeDigest(db, weekly, { at: new Date('2024-03-04T08:00:00Z'), log });
    expect(reply.title).toBe('Weekly digest "weekly-marketing": 7 days to 2024-03-04');
    expect(reply.fields?.[0]).toEqual({ label: 'Revenue', value: '£50.00 (new)' });
    expect(reply.context).toBeUndefined();
  });

  it('shows saved segments and their change since the last digest', async () => {
    await saveSegment(db, { name: 'big spenders', definition: spentOver(40), createdBy: 'test' });
    try {
      const first = await composeDigest(db, weekly, { at: new Date('2026-03-23T09:00:00Z'), log });
      expect(first.snapshot).toEqual({ segments: { 'big spenders': 2 } });
      expect(first.reply.text).toContain('*Saved segments*\n• big spenders: 2 customers');
      const next = await composeDigest(db, weekly, {
        at: new Date('2026-03-30T08:00:00Z'),
        previous: { segments: { 'big spenders': 5 } },
        log,
      });
      expect(next.reply.text).toContain('• big spenders: 2 customers (−3 since last digest)');
    } finally {
      await deleteSegment(db, 'big spenders');
    }
  });

  it('uses a plugged-in recommender for the chosen segment', async () => {
    await saveSegment(db, { name: 'candle fans', definition: spentOver(40), createdBy: 'test' });
    try {
      const asked: unknown[] = [];
      const recommender: DigestRecommender = {
        async recommend(_database, options) {
          asked.push(options.segment?.name);
          return [{ title: 'Canvas Tote Bag', detail: 'bought together with candles' }];
        },
      };
      const { reply } = await composeDigest(
        db,
        { ...weekly, contents: { ...weekly.contents, recommendFor: 'candle fans' } },
        { at: new Date('2026-03-23T09:00:00Z'), recommender, log },
      );
      expect(asked).toEqual(['candle fans']);
      expect(reply.text).toContain(
        '*What to push to candle fans*\n• Canvas Tote Bag: bought together with candles',
      );
    } finally {
      await deleteSegment(db, 'candle fans');
    }
  });

  it('a part that fails is named and the rest is still there', async () => {
    const broken: DigestRecommender = {
      recommend: async () => {
        throw new Error('recommender down');
      },
    };
    const { reply, failed } = await composeDigest(db, weekly, {
      at: new Date('2026-03-23T09:00:00Z'),
      recommender: broken,
      log,
    });
    expect(failed).toEqual(['push']);
    expect(reply.tone).toBe('warning');
    expect(reply.text).toMatch(
      /^Couldn't build the what to push \(reference [0-9A-F]{8}\); the rest is below\./,
    );
    expect(reply.fields?.[0]?.label).toBe('Revenue');
    expect(reply.attachments).toHaveLength(1);
  });

  it('says briefly when there is nothing to report', async () => {
    const { reply, empty } = await composeDigest(db, weekly, { at: new Date('2024-02-01T09:00:00Z'), log });
    expect(empty).toBe(true);
    expect(reply).toEqual({
      title: 'Weekly digest "weekly-marketing": 7 days to 2024-02-01',
      text: 'Nothing to report: no orders in the 7 days to 2024-02-01 or the 7 days before.',
      context: undefined,
    });
  });
});

describe('a digest on an empty store', () => {
  it('says there is no data yet', async () => {
    const db = await createTestDatabase('pglite');
    try {
      const { reply, empty } = await composeDigest(db, weekly, { at: new Date('2026-03-23T09:00:00Z'), log });
      expect(empty).toBe(true);
      expect(reply.text).toBe('Nothing to report: there is no data yet. Import orders to get figures here.');
    } finally {
      await db.dispose();
    }
  });
});
