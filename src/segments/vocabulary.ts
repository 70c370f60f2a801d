import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';

/** What the data actually holds, so the parser can resolve "Irish" to "EIRE" and refuse "Atlantis". */
export interface Vocabulary {
  /** Countries of customers with features, as spelled in the data. */
  countries: string[];
  /** Product categories in the catalogue. */
  categories: string[];
}

export async function loadVocabulary(database: Database): Promise<Vocabulary> {
  const countries = await database.rows<{ country: string }>(
    sql`select distinct country from customer_features where country is not null order by country`,
  );
  const categories = await database.rows<{ category: string }>(
    sql`select distinct category from products order by category`,
  );
  return { countries: countries.map((r) => r.country), categories: categories.map((r) => r.category) };
}
