/** Which vector space (provider, model, dimension) fills each namespace of each backend, kept in Postgres. */
import { and, eq, sql } from 'drizzle-orm';
import { vectorNamespaces } from '../../db/schema.ts';
import type { Database } from '../db/client.ts';
import type { EmbeddingProvider, NamespaceSpace, VectorStore } from './types.ts';

export async function getSpace(
  database: Database,
  backend: VectorStore['backend'],
  namespace: string,
): Promise<NamespaceSpace | undefined> {
  const [row] = await database.db
    .select()
    .from(vectorNamespaces)
    .where(and(eq(vectorNamespaces.backend, backend), eq(vectorNamespaces.namespace, namespace)));
  if (!row) return undefined;
  return {
    ...row,
    backend: row.backend as NamespaceSpace['backend'],
    provider: row.provider as NamespaceSpace['provider'],
  };
}

export async function setSpace(
  database: Database,
  backend: VectorStore['backend'],
  namespace: string,
  provider: Pick<EmbeddingProvider, 'name' | 'model' | 'dimension'>,
  count: number,
): Promise<void> {
  const values = { provider: provider.name, model: provider.model, dimension: provider.dimension, count };
  await database.db
    .insert(vectorNamespaces)
    .values({ backend, namespace, ...values })
    .onConflictDoUpdate({
      target: [vectorNamespaces.backend, vectorNamespaces.namespace],
      set: { ...values, updatedAt: sql`now()` },
    });
}

export async function clearSpace(database: Database, backend: VectorStore['backend'], namespace: string) {
  await database.db
    .delete(vectorNamespaces)
    .where(and(eq(vectorNamespaces.backend, backend), eq(vectorNamespaces.namespace, namespace)));
}

/** Whether vectors from `provider` may join a namespace filled with `space`. */
export function sameSpace(
  space: Pick<NamespaceSpace, 'provider' | 'model' | 'dimension'>,
  provider: Pick<EmbeddingProvider, 'name' | 'model' | 'dimension'>,
): boolean {
  return (
    space.provider === provider.name &&
    space.model === provider.model &&
    space.dimension === provider.dimension
  );
}
