import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';

/** What the data actually holds, so the parser can resolve "Irish" to "EIRE" and refuse "Atlantis". */
export interface Vocabulary {
  /** Countries of customers with features, as spelled in the data. */
  countries: string[];
  /** Product categories in the catalogue. */
  categories: string[];
}

/**
 * The vocabulary is written with the features (see refreshFeatures), so reading it is one key lookup rather
 * than a scan of every customer on each request.
 */
export async function loadVocabulary(database: Database): Promise<Vocabulary> {
  const [row] = await database.rows<{ value: Vocabulary | string }>(
    sql`select value from meta where key = 'vocabulary'`,
  );
  if (row) return typeof row.value === 'string' ? (JSON.parse(row.value) as Vocabulary) : row.value;
  return { countries: [], categories: [] };
}
