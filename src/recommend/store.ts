/** Trained models in Postgres: one `rec_models` row and one `rec_items` row per item. */
import { desc, eq, lt, sql } from 'drizzle-orm';
import { recItems, recModels } from '../../db/schema.ts';
import type { Database } from '../db/client.ts';
import type { ItemEntry, Model, Params } from './model.ts';

const CHUNK = 500;

export interface StoredModel {
  id: number;
  trainedAt: Date;
  summary: Record<string, unknown>;
  model: Model;
}

/** Saves a model and drops older ones (serving only ever reads the latest). */
export async function saveModel(
  database: Database,
  model: Model,
  summary: Record<string, unknown>,
): Promise<number> {
  return database.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(recModels)
      .values({
        asOf: new Date(model.asOf),
        params: model.params,
        summary,
        customers: model.customers,
        items: model.items.size,
      })
      .returning({ id: recModels.id });
    const id = row!.id;
    const items = [...model.items.values()];
    for (let i = 0; i < items.length; i += CHUNK) {
      await tx.insert(recItems).values(
        items.slice(i, i + CHUNK).map((it) => ({
          modelId: id,
          itemId: it.id,
          popularity: it.popularity,
          trending: it.trending,
          cfIds: it.cf.map((n) => n.id),
          cfWeights: it.cf.map((n) => n.score),
          contentIds: it.content.map((n) => n.id),
          contentWeights: it.content.map((n) => n.score),
        })),
      );
    }
    await tx.delete(recModels).where(lt(recModels.id, id));
    return id;
  });
}

export async function latestModelId(database: Database): Promise<number | null> {
  const [row] = await database.rows<{ id: number | null }>(sql`select max(id) as id from rec_models`);
  return row?.id ?? null;
}

export async function loadModel(database: Database, id?: number): Promise<StoredModel | null> {
  const [head] = await database.db
    .select()
    .from(recModels)
    .where(id === undefined ? undefined : eq(recModels.id, id))
    .orderBy(desc(recModels.id))
    .limit(1);
  if (!head) return null;
  const rows = await database.rows<{
    item_id: string;
    name: string | null;
    popularity: number;
    trending: boolean;
    cf_ids: string[];
    cf_weights: number[];
    content_ids: string[];
    content_weights: number[];
  }>(sql`
    select r.item_id, p.name, r.popularity, r.trending, r.cf_ids, r.cf_weights, r.content_ids, r.content_weights
    from rec_items r left join products p on p.id = r.item_id
    where r.model_id = ${head.id}`);
  const items = new Map<string, ItemEntry>();
  for (const r of rows) {
    items.set(r.item_id, {
      id: r.item_id,
      name: r.name ?? r.item_id,
      popularity: Number(r.popularity),
      trending: r.trending,
      cf: r.cf_ids.map((nid, i) => ({ id: nid, score: Number(r.cf_weights[i]) })),
      content: r.content_ids.map((nid, i) => ({ id: nid, score: Number(r.content_weights[i]) })),
    });
  }
  const popular = [...items.values()]
    .filter((it) => it.popularity > 0)
    .sort((a, b) => b.popularity - a.popularity || (a.id < b.id ? -1 : 1))
    .slice(0, 300)
    .map((it) => it.id);
  return {
    id: head.id,
    trainedAt: head.trainedAt,
    summary: head.summary as Record<string, unknown>,
    model: {
      asOf: head.asOf.getTime(),
      params: head.params as Params,
      items,
      popular,
      customers: head.customers,
    },
  };
}
