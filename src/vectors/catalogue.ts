/** The catalogue as text to embed: one document per product (name and category). */
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import type { Metadata } from './types.ts';

export interface CatalogueItem {
  id: string;
  name: string;
  category: string;
  price: number | null;
}

export async function loadCatalogue(database: Database): Promise<CatalogueItem[]> {
  const rows = await database.rows<{ id: string; name: string; category: string; price: string | null }>(
    sql`select id, name, category, unit_price::text as price from products order by id`,
  );
  return rows.map((r) => ({ ...r, price: r.price === null ? null : Number(r.price) }));
}

/** What is embedded for a product. */
export function productText(item: Pick<CatalogueItem, 'name' | 'category'>): string {
  return `${item.name} ${item.category}`;
}

export function productMetadata(item: CatalogueItem): Metadata {
  return { name: item.name, category: item.category, ...(item.price !== null ? { price: item.price } : {}) };
}
