import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PineconeStandIn, startPineconeStandIn } from '../../test/stand-ins/pinecone.ts';
import { UserError } from '../core/errors.ts';
import { matchesFilter, parseFilter } from './filter.ts';
import { openVectorStore } from './index.ts';
import { openPineconeStore } from './pinecone-store.ts';
import type { VectorRecord, VectorStore } from './types.ts';

const DIM = 8;

function unit(v: number[]): number[] {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

const records: VectorRecord[] = Array.from({ length: 40 }, (_, i) => ({
  id: `p${i}`,
  values: unit(Array.from({ length: DIM }, (_, j) => Math.sin(i * 1.7 + j * 0.9) + (j === i % DIM ? 1 : 0))),
  metadata: { category: i % 2 ? 'Home' : 'Garden', price: i, tags: i % 3 ? ['gift'] : ['red', 'gift'] },
}));

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}

describe('Pinecone store (official client against the stand-in)', () => {
  let pc: PineconeStandIn;
  let store: VectorStore;
  const config = (extra: Partial<{ apiKey: string; index: string }> = {}) => ({
    apiKey: extra.apiKey ?? pc.apiKey,
    index: extra.index ?? 'megaphone',
    host: undefined,
    controllerUrl: pc.url,
  });

  beforeAll(async () => {
    pc = await startPineconeStandIn({ indexes: [{ name: 'megaphone', dimension: DIM, metric: 'cosine' }] });
    store = await openVectorStore({
      config: { pinecone: config(), openai: undefined, openaiEmbeddingModel: 'text-embedding-3-small' },
      database: undefined as never, // Pinecone needs no database
    });
    await store.upsert('products', records);
  });
  afterAll(async () => {
    await pc.close();
  });

  it('describes the index on the control plane and sends the key and API version on every call', () => {
    expect(store.backend).toBe('pinecone');
    expect(pc.requests[0]).toMatchObject({ method: 'GET', path: '/indexes/megaphone' });
    expect(pc.requests.some((r) => r.path === '/vectors/upsert')).toBe(true);
    for (const r of pc.requests) {
      expect(r.apiKey).toBe(pc.apiKey);
      expect(r.apiVersion).toMatch(/^\d{4}-\d{2}/);
    }
  });

  it('queries by cosine within a namespace, with metadata and filters', async () => {
    const q = records[5]!.values;
    const matches = await store.query('products', { vector: q, topK: 3, includeMetadata: true });
    const expected = [...records].sort((a, b) => cosine(q, b.values) - cosine(q, a.values)).slice(0, 3);
    expect(matches.map((m) => m.id)).toEqual(expected.map((r) => r.id));
    expect(matches[0]).toMatchObject({ id: 'p5', metadata: records[5]!.metadata });
    expect(matches[0]!.score).toBeCloseTo(1, 5);

    const filter = {
      $and: [{ category: 'Home' }, { price: { $gte: 10, $lt: 30 } }, { tags: { $in: ['red'] } }],
    };
    const filtered = await store.query('products', { vector: q, topK: 10, filter });
    const node = parseFilter(filter);
    expect(filtered.map((m) => m.id).sort()).toEqual(
      records
        .filter((r) => matchesFilter(node, r.metadata))
        .map((r) => r.id)
        .sort(),
    );
    const sent = pc.requests.filter((r) => r.path === '/query').at(-1)!.body as Record<string, unknown>;
    expect(sent).toMatchObject({ namespace: 'products', topK: 10, filter });

    expect(await store.query('other', { vector: q, topK: 3 })).toEqual([]);
  });

  it('checks a filter before sending it', async () => {
    const before = pc.requests.length;
    await expect(
      store.query('products', { vector: records[0]!.values, topK: 3, filter: { price: { $gt: 'x' } } }),
    ).rejects.toThrow(/\$gt on "price" takes a number/);
    expect(pc.requests.length).toBe(before);
  });

  it('fetches, deletes by id and in full, and reports per-namespace counts', async () => {
    const fetched = await store.fetch('products', ['p1', 'p2', 'missing']);
    expect(fetched.map((r) => r.id).sort()).toEqual(['p1', 'p2']);
    expect(fetched.find((r) => r.id === 'p1')!.metadata).toEqual(records[1]!.metadata);
    await store.upsert('scratch', records.slice(0, 3));
    expect((await store.stats()).namespaces).toEqual({
      products: { count: 40, dimension: DIM },
      scratch: { count: 3, dimension: DIM },
    });
    await store.delete('scratch', ['p0']);
    expect([...pc.records('megaphone', 'scratch').keys()].sort()).toEqual(['p1', 'p2']);
    await store.delete('scratch', 'all');
    expect((await store.stats()).namespaces.scratch).toBeUndefined();
    expect(pc.records('megaphone', 'products').size).toBe(40);
  });

  it('pads shorter vectors with zeros (cosine unchanged) and refuses longer ones', async () => {
    await store.upsert('short', [
      { id: 'a', values: [1, 0, 0] },
      { id: 'b', values: unit([1, 1, 0]) },
    ]);
    const [top, second] = await store.query('short', { vector: [1, 0, 0], topK: 2 });
    expect(top).toMatchObject({ id: 'a' });
    expect(second!.score).toBeCloseTo(Math.SQRT1_2, 5);
    expect(pc.records('megaphone', 'short').get('a')!.values).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    const error = await store
      .upsert('short', [{ id: 'c', values: new Array(DIM + 1).fill(0.1) }])
      .catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(/has 8 dimensions but the embeddings have 9/);
  });

  it('splits large upserts into requests Pinecone accepts', async () => {
    const before = pc.requests.filter((r) => r.path === '/vectors/upsert').length;
    const many = Array.from({ length: 2500 }, (_, i) => ({ id: `m${i}`, values: records[i % 40]!.values }));
    await store.upsert('bulk', many);
    const upserts = pc.requests.filter((r) => r.path === '/vectors/upsert').slice(before);
    expect(upserts.length).toBe(3);
    expect(pc.records('megaphone', 'bulk').size).toBe(2500);
  });
});

describe('Pinecone failures surface as clear messages', () => {
  let pc: PineconeStandIn;
  beforeAll(async () => {
    pc = await startPineconeStandIn({
      indexes: [
        { name: 'megaphone', dimension: DIM, metric: 'cosine' },
        { name: 'euclid', dimension: DIM, metric: 'euclidean' },
      ],
    });
  });
  afterAll(async () => {
    await pc.close();
  });
  const open = (apiKey = pc.apiKey, index = 'megaphone') =>
    openPineconeStore({ apiKey, index, controllerUrl: pc.url }, { maxRetries: 0 });
  const failure = async (work: Promise<unknown>) => {
    const error = await work.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    return (error as UserError).message;
  };

  it('401: names PINECONE_API_KEY, and never the key', async () => {
    const message = await failure(open('pcsk_wrong_key_123456'));
    expect(message).toMatch(/refused the API key \(401\).*PINECONE_API_KEY/);
    expect(message).not.toContain('pcsk_wrong_key_123456');
    const store = await open();
    pc.fail({ status: 401, path: '/query' });
    expect(await failure(store.query('products', { vector: records[0]!.values, topK: 1 }))).toMatch(/401/);
  });

  it('404: the index does not exist', async () => {
    expect(await failure(open(pc.apiKey, 'nope'))).toMatch(/index was not found.*PINECONE_INDEX/);
  });

  it('429: rate limited, try again later', async () => {
    const store = await open();
    pc.fail({ status: 429, path: '/vectors/upsert', retryAfter: 1 });
    expect(await failure(store.upsert('products', records.slice(0, 2)))).toMatch(/rate limiting us \(429\)/);
  });

  it('5xx: failing on its side, after the client retried', async () => {
    const store = await open();
    pc.fail({ status: 500, path: '/query' });
    expect(await failure(store.query('products', { vector: records[0]!.values, topK: 1 }))).toMatch(
      /failing on its side/,
    );
    pc.fail({ status: 503, path: '/describe_index_stats' });
    expect(await failure(store.stats())).toMatch(/failing on its side/);
    const retrying = await openPineconeStore(
      { apiKey: pc.apiKey, index: 'megaphone', controllerUrl: pc.url },
      { maxRetries: 1 },
    );
    const before = pc.requests.length;
    pc.fail({ status: 502, path: '/vectors/fetch' });
    expect(await retrying.fetch('products', ['p1'])).toEqual([]);
    expect(pc.requests.slice(before).filter((r) => r.path === '/vectors/fetch').length).toBe(2);
  });

  it('refuses a euclidean index, which cannot rank by cosine', async () => {
    expect(await failure(open(pc.apiKey, 'euclid'))).toMatch(/euclidean metric.*cosine/);
  });

  it('an unreachable Pinecone says so', async () => {
    const message = await failure(
      openPineconeStore(
        { apiKey: pc.apiKey, index: 'megaphone', controllerUrl: 'http://127.0.0.1:9' },
        { maxRetries: 0 },
      ),
    );
    expect(message).toMatch(/could not be reached/);
  });
});
