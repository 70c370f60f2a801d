/**
 * The pgvector backend: one table per namespace (`vec_<namespace>`: id, embedding vector(d), metadata jsonb)
 * with an HNSW index on cosine distance. The dimension is only known when the first vectors arrive, so tables
 * are created then; a namespace that receives vectors of another dimension is rebuilt (a namespace holds one
 * vector space). Table names come from a checked namespace, never from raw input; every value is a parameter.
 */
import { type SQL, sql } from 'drizzle-orm';
import { MegaphoneError, UserError } from '../core/errors.ts';
import { type Database, NO_PGVECTOR_MESSAGE, resultRows } from '../db/client.ts';
import { filterToSql, parseFilter } from './filter.ts';
import type {
  Metadata,
  VectorMatch,
  VectorQuery,
  VectorRecord,
  VectorStore,
  VectorStoreStats,
} from './types.ts';

const NAMESPACE = /^[a-z][a-z0-9_]{0,39}$/;
/** HNSW indexes `vector` columns of at most 2000 dimensions; wider ones are searched exactly. */
const HNSW_MAX_DIMENSION = 2000;
const UPSERT_CHUNK = 500;

export interface PgvectorOptions {
  /** HNSW build parameters (pgvector defaults: m 16, ef_construction 64). */
  m?: number;
  efConstruction?: number;
  /** Candidates examined per query (pgvector default 40); raised to topK when smaller. */
  efSearch?: number;
}

/** The table of a namespace; refuses anything that is not a plain lower-case name. */
export function tableFor(namespace: string): string {
  if (!NAMESPACE.test(namespace)) {
    throw new UserError(
      'bad_namespace',
      `"${namespace}" is not a valid vector namespace: use lower-case letters, digits and _ (at most 40).`,
    );
  }
  return `vec_${namespace}`;
}

function checkDimension(values: ArrayLike<number>, id: string): number {
  const d = values.length;
  if (!Number.isInteger(d) || d < 1 || d > 16_000) {
    throw new MegaphoneError('vector_dimension', `Vector ${id} has ${d} dimensions (1 to 16,000 allowed).`);
  }
  return d;
}

function literal(values: ArrayLike<number>): string {
  let out = '[';
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw new MegaphoneError('vector_value', 'A vector holds a non-finite value.');
    out += i ? `,${v}` : `${v}`;
  }
  return `${out}]`;
}

function parseVector(text: string): Float32Array {
  return Float32Array.from(text.slice(1, -1).split(','), Number);
}

/**
 * Opens the pgvector store on the feature store's database.
 *
 * @example
 * const store = await openPgvectorStore(database);
 * await store.upsert('products', [{ id: '85123A', values: vector, metadata: { name: 'WHITE HANGING HEART' } }]);
 */
export async function openPgvectorStore(
  database: Database,
  options: PgvectorOptions = {},
): Promise<VectorStore> {
  if (!database.vectorAvailable) {
    throw new UserError('no_pgvector', NO_PGVECTOR_MESSAGE);
  }
  const m = Math.trunc(options.m ?? 16);
  const efConstruction = Math.trunc(options.efConstruction ?? 64);
  const efSearch = Math.trunc(options.efSearch ?? 40);
  if (!(m >= 2 && m <= 100 && efConstruction >= 4 && efConstruction <= 1000 && efSearch >= 1)) {
    throw new MegaphoneError('hnsw_options', 'HNSW options out of range (m 2-100, ef_construction 4-1000).');
  }

  /** Dimensions of namespace tables seen by this store: saves a catalogue lookup on every query. */
  const known = new Map<string, number>();

  /** The dimension of a namespace's table, or null when it has none yet. */
  async function tableDimension(table: string, fresh = false): Promise<number | null> {
    if (!fresh && known.has(table)) return known.get(table)!;
    const rows = await database.rows<{ dim: number }>(sql`
      select a.atttypmod as dim from pg_attribute a
      where a.attrelid = to_regclass(${table}) and a.attname = 'embedding' and not a.attisdropped`);
    const dim = rows[0]?.dim ?? null;
    if (dim === null) known.delete(table);
    else known.set(table, dim);
    return dim;
  }

  async function ensureTable(namespace: string, dimension: number): Promise<string> {
    const table = tableFor(namespace);
    // Fresh: another process may have rebuilt the namespace since this store last looked.
    const existing = await tableDimension(table, true);
    if (existing === dimension) return table;
    // Identifiers cannot be parameters: `table` passed the namespace check, `dimension` is an integer.
    if (existing !== null) await database.rows(sql.raw(`drop table if exists ${table}`));
    await database.rows(
      sql.raw(
        `create table if not exists ${table} (id text primary key, embedding vector(${dimension}) not null, ` +
          `metadata jsonb not null default '{}'::jsonb)`,
      ),
    );
    if (dimension <= HNSW_MAX_DIMENSION) {
      await database.rows(
        sql.raw(
          `create index if not exists ${table}_hnsw on ${table} using hnsw (embedding vector_cosine_ops) ` +
            `with (m = ${m}, ef_construction = ${efConstruction})`,
        ),
      );
    }
    known.set(table, dimension);
    return table;
  }

  return {
    backend: 'pgvector',

    async upsert(namespace, records) {
      if (records.length === 0) return;
      const dimension = checkDimension(records[0]!.values, records[0]!.id);
      for (const r of records) {
        if (r.values.length !== dimension) {
          throw new MegaphoneError(
            'vector_dimension',
            `Vectors of one upsert must share a dimension: ${r.id} has ${r.values.length}, expected ${dimension}.`,
          );
        }
      }
      const table = await ensureTable(namespace, dimension);
      // The last record of an id wins, as in Pinecone (one statement cannot update a row twice).
      records = [...new Map(records.map((r) => [r.id, r])).values()];
      for (let start = 0; start < records.length; start += UPSERT_CHUNK) {
        const chunk = records.slice(start, start + UPSERT_CHUNK);
        // One statement per chunk, the rows as one JSON parameter (the same on both drivers).
        const rows = JSON.stringify(
          chunk.map((r) => ({ id: r.id, embedding: literal(r.values), metadata: r.metadata ?? {} })),
        );
        await database.rows(sql`
          insert into ${sql.identifier(table)} (id, embedding, metadata)
          select id, embedding::vector, metadata
          from jsonb_to_recordset(${rows}::jsonb) as t(id text, embedding text, metadata jsonb)
          on conflict (id) do update set embedding = excluded.embedding, metadata = excluded.metadata`);
      }
    },

    async query(namespace, q: VectorQuery): Promise<VectorMatch[]> {
      const table = tableFor(namespace);
      let dimension = await tableDimension(table);
      if (dimension !== q.vector.length) dimension = await tableDimension(table, true);
      if (dimension === null) return [];
      if (q.vector.length !== dimension) {
        throw new MegaphoneError(
          'vector_dimension',
          `The query vector has ${q.vector.length} dimensions but namespace ${namespace} holds ${dimension}.`,
        );
      }
      const topK = Math.trunc(q.topK);
      if (!(topK >= 1 && topK <= 10_000))
        throw new UserError('bad_top_k', 'topK must be between 1 and 10,000.');
      const where: SQL = q.filter ? filterToSql(parseFilter(q.filter), sql`metadata`) : sql`true`;
      const vec = literal(q.vector);
      const distance = sql`(embedding <=> ${vec}::vector)`;
      // `+ 0` makes the ordering an expression the HNSW index cannot serve: an exact scan.
      const order = q.exact ? sql`${distance} + 0` : distance;
      const statement = sql`
        select id, 1 - ${distance} as score${q.includeMetadata ? sql`, metadata` : sql``}
        from ${sql.identifier(table)} where ${where} order by ${order} limit ${topK}`;
      const run = () =>
        database.db.transaction(async (tx) => {
          // Per transaction: enough candidates for topK, and with a filter keep scanning the graph until topK
          // matches are found (pgvector 0.8 iterative scans) instead of returning fewer.
          await tx.execute(sql`select set_config('hnsw.ef_search', ${String(Math.max(efSearch, topK))}, true),
          set_config('hnsw.iterative_scan', ${q.filter ? 'strict_order' : 'off'}, true)`);
          const result = await tx.execute(statement);
          return resultRows<{ id: string; score: number | string; metadata?: Metadata }>(result);
        });
      let rows: Awaited<ReturnType<typeof run>>;
      try {
        rows = await run();
      } catch (error) {
        // The cached dimension may be stale: another process rebuilt or dropped the namespace.
        const now = await tableDimension(table, true);
        if (now === null) return [];
        if (now !== q.vector.length) {
          throw new MegaphoneError(
            'vector_dimension',
            `The query vector has ${q.vector.length} dimensions but namespace ${namespace} holds ${now}.`,
          );
        }
        throw error;
      }
      return rows.map((r) => ({
        id: r.id,
        score: Number(r.score),
        ...(q.includeMetadata ? { metadata: r.metadata ?? {} } : {}),
      }));
    },

    async fetch(namespace, ids): Promise<VectorRecord[]> {
      const table = tableFor(namespace);
      if (ids.length === 0 || (await tableDimension(table, true)) === null) return [];
      const rows = await database.rows<{ id: string; embedding: string; metadata: Metadata }>(sql`
        select id, embedding::text as embedding, metadata from ${sql.identifier(table)}
        where id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`);
      return rows.map((r) => ({ id: r.id, values: parseVector(r.embedding), metadata: r.metadata }));
    },

    async delete(namespace, ids) {
      const table = tableFor(namespace);
      if ((await tableDimension(table, true)) === null) return;
      if (ids === 'all') {
        await database.rows(sql.raw(`drop table if exists ${table}`));
        known.delete(table);
        return;
      }
      if (ids.length === 0) return;
      await database.rows(
        sql`delete from ${sql.identifier(table)} where id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`,
      );
    },

    async stats(): Promise<VectorStoreStats> {
      const tables = await database.rows<{ table: string; dim: number }>(sql`
        select c.relname as "table", a.atttypmod as dim
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        join pg_attribute a on a.attrelid = c.oid and a.attname = 'embedding'
        where c.relkind = 'r' and n.nspname = current_schema() and c.relname like 'vec\\_%'
        order by c.relname`);
      const namespaces: VectorStoreStats['namespaces'] = {};
      for (const t of tables) {
        const namespace = t.table.slice('vec_'.length);
        if (!NAMESPACE.test(namespace)) continue;
        const [row] = await database.rows<{ n: number }>(
          sql`select count(*)::int as n from ${sql.identifier(t.table)}`,
        );
        namespaces[namespace] = { count: row?.n ?? 0, dimension: t.dim };
      }
      return { namespaces };
    },
  };
}
