import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, drivers, type TestDatabase } from '../../test/database.ts';
import { UserError } from '../core/errors.ts';
import { type Database, NO_PGVECTOR_MESSAGE, openDatabase } from '../db/client.ts';
import { matchesFilter, parseFilter } from './filter.ts';
import { openVectorStore } from './index.ts';
import { openPgvectorStore } from './pgvector-store.ts';
import type { Metadata, MetadataFilter, VectorRecord, VectorStore } from './types.ts';

/** PGlite (with pgvector) served over the wire, so the postgres.js driver runs against pgvector too. */
async function pgliteOverSocket(): Promise<{ database: Database; dispose: () => Promise<void> }> {
  const template = await readFile(inject('pgliteTemplate'));
  const pg = new PGlite({ loadDataDir: new Blob([template]), extensions: { vector } });
  await pg.waitReady;
  const server = new PGLiteSocketServer({ db: pg, port: 0, maxConnections: 8 });
  await server.start();
  const database = await openDatabase({
    databaseUrl: `postgres://postgres@${server.getServerConn()}/postgres`,
  });
  return {
    database,
    async dispose() {
      await database.close();
      await server.stop();
      await pg.close();
    },
  };
}

/** A deterministic pseudo-random generator for constructed data. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function unit(v: number[]): number[] {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return dot / Math.sqrt(na * nb);
}

const CATEGORIES = ['Home', 'Garden', 'Kitchen', 'Toys'];
const TAGS = ['red', 'blue', 'green', 'gift'];

function constructed(n: number, dim: number, seed = 7): VectorRecord[] {
  const rand = lcg(seed);
  return Array.from({ length: n }, (_, i) => {
    const metadata: Metadata = {
      category: CATEGORIES[i % CATEGORIES.length]!,
      price: Math.round(rand() * 2000) / 100,
      inStock: i % 3 !== 0,
      tags: TAGS.filter(() => rand() < 0.4),
    };
    if (i % 5 === 0) delete metadata.price;
    return { id: `p${i}`, values: unit(Array.from({ length: dim }, () => rand() - 0.5)), metadata };
  });
}

const FILTERS: MetadataFilter[] = [
  { category: 'Home' },
  { category: { $eq: 'Garden' } },
  { category: { $ne: 'Garden' } },
  { category: { $in: ['Kitchen', 'Toys'] } },
  { category: { $nin: ['Kitchen', 'Toys'] } },
  { price: { $gt: 10 } },
  { price: { $gte: 5, $lt: 12.5 } },
  { price: { $lte: 3 } },
  { inStock: true },
  { inStock: { $ne: true } },
  { tags: 'gift' },
  { tags: { $in: ['red', 'blue'] } },
  { tags: { $nin: ['green'] } },
  { price: { $exists: false } },
  { $or: [{ category: 'Home', price: { $lt: 5 } }, { tags: { $in: ['green'] } }] },
  { $and: [{ category: { $ne: 'Toys' } }, { $or: [{ inStock: false }, { price: { $gte: 15 } }] }] },
];

const targets: { name: string; open: () => Promise<{ database: Database; dispose: () => Promise<void> }> }[] =
  [
    {
      name: 'pglite',
      open: async () => {
        const d = await createTestDatabase('pglite');
        return { database: d, dispose: () => d.dispose() };
      },
    },
    { name: 'postgres.js over pglite-socket', open: pgliteOverSocket },
  ];

for (const target of targets) {
  describe(`pgvector store (${target.name})`, () => {
    let database: Database;
    let dispose: () => Promise<void>;
    let store: VectorStore;
    const records = constructed(300, 16);

    beforeAll(async () => {
      ({ database, dispose } = await target.open());
      store = await openPgvectorStore(database);
      await store.upsert('products', records);
    });
    afterAll(async () => {
      await dispose();
    });

    it('returns the nearest records by cosine similarity, best first, with scores', async () => {
      const q = records[42]!.values;
      const matches = await store.query('products', { vector: q, topK: 5, exact: true });
      const expected = records
        .map((r) => ({ id: r.id, score: cosine(q, r.values) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, 5);
      expect(matches.map((m) => m.id)).toEqual(expected.map((e) => e.id));
      expect(matches[0]).toMatchObject({ id: 'p42' });
      for (const [i, m] of matches.entries()) expect(m.score).toBeCloseTo(expected[i]!.score, 5);
      expect(matches[0]!.metadata).toBeUndefined();
    });

    it('answers from the HNSW index the same nearest records on a small set', async () => {
      for (const i of [3, 77, 150]) {
        const approx = await store.query('products', { vector: records[i]!.values, topK: 10 });
        const exact = await store.query('products', { vector: records[i]!.values, topK: 10, exact: true });
        expect(approx.map((m) => m.id)).toEqual(exact.map((m) => m.id));
      }
    });

    it('honours every filter operator exactly as the in-memory reference does', async () => {
      const q = records[0]!.values;
      for (const filter of FILTERS) {
        const node = parseFilter(filter);
        const expected = records
          .filter((r) => matchesFilter(node, r.metadata))
          .map((r) => ({ id: r.id, score: cosine(q, r.values) }))
          .sort((a, b) => b.score - a.score)
          .slice(0, 20)
          .map((e) => e.id);
        expect(expected.length, JSON.stringify(filter)).toBeGreaterThan(0);
        const approx = await store.query('products', { vector: q, topK: 20, filter, includeMetadata: true });
        const exact = await store.query('products', { vector: q, topK: 20, filter, exact: true });
        expect(
          exact.map((m) => m.id),
          JSON.stringify(filter),
        ).toEqual(expected);
        // Iterative index scans keep going until topK matches are found.
        expect(approx.map((m) => m.id).sort(), JSON.stringify(filter)).toEqual([...expected].sort());
        for (const m of approx) expect(matchesFilter(node, m.metadata), JSON.stringify(filter)).toBe(true);
      }
    });

    it('rejects a malformed filter with a message naming the problem', async () => {
      const q = { vector: records[0]!.values, topK: 3 };
      await expect(store.query('products', { ...q, filter: { price: { $gt: 'cheap' } } })).rejects.toThrow(
        /\$gt on "price" takes a number/,
      );
      await expect(
        store.query('products', { ...q, filter: { price: { $between: [1, 2] } } }),
      ).rejects.toThrow(/unknown operator \$between/);
      await expect(store.query('products', { ...q, filter: { $or: [] } })).rejects.toBeInstanceOf(UserError);
    });

    it('keeps hostile field names and values inside parameters', async () => {
      const filter = { "x'); drop table vec_products; --": { $in: ["'; select 1; --"] } };
      expect(await store.query('products', { vector: records[0]!.values, topK: 3, filter })).toEqual([]);
      expect((await store.stats()).namespaces.products?.count).toBe(300);
    });

    it('fetches values and metadata, skipping unknown ids', async () => {
      const fetched = await store.fetch('products', ['p1', 'p2', 'nope']);
      expect(fetched.map((r) => r.id).sort()).toEqual(['p1', 'p2']);
      const p1 = fetched.find((r) => r.id === 'p1')!;
      expect(p1.metadata).toEqual(records[1]!.metadata);
      expect(Array.from(p1.values)).toEqual(Array.from(Float32Array.from(records[1]!.values)));
      expect(await store.fetch('empty_space', ['p1'])).toEqual([]);
    });

    it('replaces by id (last record of an id wins), deletes by id and in full, and counts per namespace', async () => {
      const v = unit(Array.from({ length: 16 }, (_, i) => (i === 0 ? 1 : 0)));
      await store.upsert('scratch', [
        { id: 'a', values: v, metadata: { n: 1 } },
        { id: 'b', values: v },
        { id: 'a', values: v, metadata: { n: 2 } },
      ]);
      expect((await store.fetch('scratch', ['a']))[0]!.metadata).toEqual({ n: 2 });
      let stats = await store.stats();
      expect(stats.namespaces.scratch).toEqual({ count: 2, dimension: 16 });
      expect(stats.namespaces.products).toEqual({ count: 300, dimension: 16 });
      await store.delete('scratch', ['a']);
      expect((await store.stats()).namespaces.scratch?.count).toBe(1);
      await store.delete('scratch', 'all');
      stats = await store.stats();
      expect(stats.namespaces.scratch).toBeUndefined();
      expect(await store.query('scratch', { vector: v, topK: 3 })).toEqual([]);
    });

    it('rebuilds a namespace that receives vectors of another dimension, and refuses mismatched queries', async () => {
      await store.upsert('resized', [{ id: 'x', values: [1, 0, 0] }]);
      await store.upsert('resized', [{ id: 'y', values: [0, 1, 0, 0, 0] }]);
      expect((await store.stats()).namespaces.resized).toEqual({ count: 1, dimension: 5 });
      await expect(store.query('resized', { vector: [1, 0, 0], topK: 1 })).rejects.toThrow(/3 dimensions/);
      await expect(
        store.upsert('resized', [
          { id: 'z', values: [1, 0, 0, 0, 0] },
          { id: 'w', values: [1, 0] },
        ]),
      ).rejects.toThrow(/share a dimension/);
    });

    it('accepts only plain lower-case namespaces', async () => {
      for (const bad of ['Products', 'a-b', 'x; drop table products', '', '9lives']) {
        await expect(store.upsert(bad, [{ id: 'a', values: [1] }])).rejects.toBeInstanceOf(UserError);
      }
    });
  });
}

for (const driver of drivers) {
  describe(`openVectorStore on ${driver}`, () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase(driver);
    });
    afterAll(async () => {
      await db.dispose();
    });

    it('opens pgvector where the extension is installed, and otherwise names the remedies', async () => {
      const config = {
        pinecone: undefined,
        openai: undefined,
        openaiEmbeddingModel: 'text-embedding-3-small',
      };
      if (db.vectorAvailable) {
        expect((await openVectorStore({ config, database: db })).backend).toBe('pgvector');
      } else {
        const error = await openVectorStore({ config, database: db }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UserError);
        expect((error as UserError).message).toBe(NO_PGVECTOR_MESSAGE);
        expect(NO_PGVECTOR_MESSAGE).toMatch(/install pgvector/);
        expect(NO_PGVECTOR_MESSAGE).toMatch(/PINECONE_API_KEY/);
      }
      // PGlite always ships pgvector; the CI server (Debian) has none.
      if (driver === 'pglite') expect(db.vectorAvailable).toBe(true);
    });
  });
}

describe('two pgvector stores on one database (two processes)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('pglite');
  });
  afterAll(async () => {
    await db.dispose();
  });

  it('a store notices a namespace another store rebuilt or dropped', async () => {
    const first = await openPgvectorStore(db);
    const second = await openPgvectorStore(db);
    await first.upsert('shared', [{ id: 'a', values: [1, 0, 0] }]);
    expect((await first.query('shared', { vector: [1, 0, 0], topK: 1 }))[0]?.id).toBe('a');
    await second.upsert('shared', [{ id: 'b', values: [0, 1, 0, 0] }]);
    await expect(first.query('shared', { vector: [1, 0, 0], topK: 1 })).rejects.toThrow(/holds 4/);
    expect((await first.query('shared', { vector: [0, 1, 0, 0], topK: 1 }))[0]?.id).toBe('b');
    await second.delete('shared', 'all');
    expect(await first.query('shared', { vector: [0, 1, 0, 0], topK: 1 })).toEqual([]);
    expect(await first.fetch('shared', ['b'])).toEqual([]);
  });
});
