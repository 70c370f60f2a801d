import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, drivers, RETAIL_FIXTURE, type TestDatabase } from '../../test/database.ts';
import { importFile } from '../ingest/import.ts';
import { loadVocabulary } from './vocabulary.ts';

describe.each(drivers)('vocabulary on %s', (driver) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(driver);
  });
  afterAll(async () => {
    await db.dispose();
  });

  it('is empty before any import and lists the data’s countries and categories after one', async () => {
    expect(await loadVocabulary(db)).toEqual({ countries: [], categories: [] });
    await importFile(db, RETAIL_FIXTURE);
    expect(await loadVocabulary(db)).toEqual({
      countries: ['France', 'Germany', 'United Kingdom'],
      categories: ['Candles & Lights', 'Christmas', 'Garden & Outdoor', 'Home Decor', 'Other'],
    });
  });
});
