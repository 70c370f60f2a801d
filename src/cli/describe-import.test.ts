import { describe, expect, it } from 'vitest';
import type { ImportSummary } from '../ingest/import.ts';
import { describeImport } from './program.ts';

const base: ImportSummary = {
  batchId: 3,
  source: 'orders.csv',
  format: 'events',
  read: 0,
  imported: 0,
  rejected: 0,
  byKind: {},
  rejections: [],
  durationMs: 120,
};

describe('describeImport (the one-line summary of megaphone import)', () => {
  it('says a file with only a header had no data lines, and that there are no features yet', () => {
    expect(describeImport({ ...base, customersWithFeatures: 0 })).toBe(
      'orders.csv (events): read 0 = imported 0 + rejected 0 in 0.1 s; no events in the store yet, so no features\n' +
        '  orders.csv has a header but no data lines.',
    );
  });

  it('gives the accounting, the kinds, the features and the first rejections', () => {
    const text = describeImport({
      ...base,
      read: 3,
      imported: 2,
      rejected: 1,
      byKind: { purchase: 2 },
      rejections: [{ lineNo: 4, reason: 'Quantity "two" is not a whole number' }],
      customersWithFeatures: 2,
      asOf: new Date('2026-01-02T10:30:00Z'),
    });
    expect(text).toBe(
      'orders.csv (events): read 3 = imported 2 + rejected 1 (2 purchase) in 0.1 s; features for 2 customers as of 2026-01-02 10:30 UTC\n' +
        '  rejected lines are in the quarantine (batch #3); first ones:\n' +
        '    line 4: Quantity "two" is not a whole number',
    );
  });
});
