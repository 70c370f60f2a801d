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
 * The vocabulary changes only when features are refreshed: requests reuse it for a few seconds, and a
 * refresh in this process drops it at once (an import by another process shows up within CACHE_MS).
 */
const CACHE_MS = 10_000;
const cache = new WeakMap<Database, { at: number; vocabulary: Vocabulary }>();

/**
 * The vocabulary is written with the features (see refreshFeatures), so reading it is one key lookup rather
 * than a scan of every customer, and mostly not even that.
 */
export async function loadVocabulary(database: Database): Promise<Vocabulary> {
  const cached = cache.get(database);
  if (cached && cached.at > Date.now() - CACHE_MS) return cached.vocabulary;
  const [row] = await database.rows<{ value: Vocabulary | string }>(
    sql`select value from meta where key = 'vocabulary'`,
  );
  let vocabulary: Vocabulary = { countries: [], categories: [] };
  if (row) vocabulary = typeof row.value === 'string' ? (JSON.parse(row.value) as Vocabulary) : row.value;
  cache.set(database, { at: Date.now(), vocabulary });
  return vocabulary;
}

export function forgetVocabulary(database: Database): void {
  cache.delete(database);
}
