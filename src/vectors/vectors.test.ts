import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, drivers, type TestDatabase } from '../../test/database.ts';
import { type OpenAiStandIn, startOpenAiStandIn } from '../../test/stand-ins/openai.ts';
import { type PineconeStandIn, startPineconeStandIn } from '../../test/stand-ins/pinecone.ts';
import { UserError } from '../core/errors.ts';
import { insertProducts, PRODUCTS } from './fixtures/products.ts';
import { indexCatalogue, openEmbeddingProvider, openVectorStore, type VectorConfig } from './index.ts';
import { loadLocalModel } from './local-embeddings.ts';
import { getSpace } from './registry.ts';
import { findSimilar, resolveItem } from './similar.ts';
import { PRODUCTS_NAMESPACE, type VectorStore } from './types.ts';

const local: VectorConfig = {
  openai: undefined,
  pinecone: undefined,
  openaiEmbeddingModel: 'text-embedding-3-small',
};

for (const driver of drivers) {
  describe(`content similarity on ${driver}`, () => {
    let db: TestDatabase;
    let pc: PineconeStandIn;
    let openai: OpenAiStandIn;
    let store: VectorStore;
    /** pgvector where the database has it (PGlite); the Pinecone stand-in on a server without it. */
    let config: VectorConfig;

    beforeAll(async () => {
      db = await createTestDatabase(driver);
      await insertProducts(db);
      pc = await startPineconeStandIn({ indexes: [{ name: 'megaphone', dimension: 64, metric: 'cosine' }] });
      openai = await startOpenAiStandIn({
        // A deterministic 24-dimensional "model" that knows colours: enough to tell spaces apart.
        embed: (text) => {
          const v = Array.from(
            { length: 24 },
            (_, i) => ((text.length * (i + 3)) % 7) - 3 + (/red/i.test(text) ? 5 : 0),
          );
          const n = Math.hypot(...v) || 1;
          return v.map((x) => x / n);
        },
      });
      const pinecone = db.vectorAvailable
        ? undefined
        : { apiKey: pc.apiKey, index: 'megaphone', host: undefined, controllerUrl: pc.url };
      config = { ...local, pinecone };
      store = await openVectorStore({ config, database: db });
    });
    afterAll(async () => {
      await db.dispose();
      await pc.close();
      await openai.close();
    });

    it('says to run `megaphone vectors index` when the local model has not been fitted', async () => {
      const error = await openEmbeddingProvider({ config, database: db }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toMatch(/megaphone vectors index.*megaphone train/);
    });

    it('fits, saves and reloads the local model: reloaded embeddings are identical', async () => {
      const fitted = await openEmbeddingProvider({ config, database: db, fit: true });
      const saved = await loadLocalModel(db);
      expect(saved?.model).toBe(fitted.model);
      const loaded = await openEmbeddingProvider({ config, database: db });
      expect(loaded.model).toBe(fitted.model);
      const text = ['red heart lantern', 'cake'];
      expect(await loaded.embed(text)).toEqual(await fitted.embed(text));
    });

    it('indexes the catalogue with metadata and records the vector space', async () => {
      const phases = new Set<string>();
      const summary = await indexCatalogue(db, { store, config, onProgress: (phase) => phases.add(phase) });
      expect(summary).toMatchObject({
        namespace: 'products',
        provider: 'local',
        indexed: PRODUCTS.length,
        removed: 0,
      });
      expect([...phases].sort()).toEqual(['embed', 'fit', 'store']);
      const [rec] = await store.fetch(PRODUCTS_NAMESPACE, ['22726']);
      expect(rec?.metadata).toEqual({ name: 'ALARM CLOCK BAKELIKE GREEN', category: 'Home' });
      const [priced] = await store.fetch(PRODUCTS_NAMESPACE, ['22423']);
      expect(priced?.metadata).toMatchObject({ price: 12.75 });
      expect(await getSpace(db, store.backend, PRODUCTS_NAMESPACE)).toMatchObject({
        provider: 'local',
        model: summary.model,
        dimension: summary.dimension,
        count: PRODUCTS.length,
      });
    });

    it('finds similar products by stock code, by name and by description, with reasons', async () => {
      const byId = await findSimilar(db, '85123a', { config, store, k: 3 });
      expect(byId.anchor).toMatchObject({ kind: 'item', matchedBy: 'id', item: { id: '85123A' } });
      expect(byId.items.map((i) => i.id)).not.toContain('85123A');
      expect(
        byId.items
          .slice(0, 2)
          .map((i) => i.id)
          .sort(),
      ).toEqual(['21733', '85123B']);
      expect(byId.items[0]!.reason).toMatch(/^shares "hanging", "heart"/);
      expect(byId.items[0]).toMatchObject({ category: 'Candles & Lights' });
      expect(byId.items[0]!.score).toBeGreaterThan(byId.items[2]!.score);

      const byName = await findSimilar(db, 'white hanging heart t-light holder', { config, store, k: 3 });
      expect(byName.anchor).toMatchObject({ kind: 'item', matchedBy: 'name' });
      expect(byName.items.map((i) => i.id)).toEqual(byId.items.map((i) => i.id));

      const byText = await findSimilar(db, 'christmas candles', { config, store, k: 2 });
      expect(byText.anchor).toEqual({ kind: 'text', text: 'christmas candles' });
      expect(byText.items.map((i) => i.id).sort()).toEqual(['23084', '23085']);
      expect(byText.items[0]!.reason).toMatch(/^matches "christmas", "candle"/);

      const filtered = await findSimilar(db, 'red', { config, store, k: 5, filter: { category: 'Bags' } });
      expect(filtered.items.length).toBeGreaterThan(0);
      expect(filtered.items.every((i) => i.category === 'Bags')).toBe(true);
    });

    it('explains what to do with words the catalogue does not know, and bad k', async () => {
      await expect(findSimilar(db, 'zzqx wvvy', { config, store })).rejects.toThrow(
        /none of its words appear/,
      );
      await expect(findSimilar(db, 'heart', { config, store, k: 0 })).rejects.toThrow(/between 1 and 100/);
      await expect(findSimilar(db, '  ', { config, store })).rejects.toThrow(/stock code/);
    });

    it('switching to OpenAI re-embeds the namespace instead of mixing spaces, and back again', async () => {
      const before = await getSpace(db, store.backend, PRODUCTS_NAMESPACE);
      const withOpenAi: VectorConfig = {
        ...config,
        openai: { apiKey: openai.apiKey, baseUrl: openai.url, model: 'gpt-4o-mini' },
        openaiEmbeddingModel: 'stand-in-embedding',
      };
      const result = await findSimilar(db, '85123A', { config: withOpenAi, store, k: 3 });
      expect(result.provider).toMatchObject({ name: 'openai', model: 'stand-in-embedding', dimension: 24 });
      expect(result.reindexed).toMatchObject({
        provider: 'openai',
        indexed: PRODUCTS.length,
        removed: PRODUCTS.length,
        replaced: { provider: 'local', model: before!.model, dimension: before!.dimension },
      });
      const [rec] = await store.fetch(PRODUCTS_NAMESPACE, ['85123A']);
      const stored = Array.from(rec!.values).filter((_, i) => i < 24);
      const [fresh] = await (await openEmbeddingProvider({ config: withOpenAi, database: db })).embed([
        'WHITE HANGING HEART T-LIGHT HOLDER Candles & Lights',
      ]);
      for (const [i, x] of stored.entries()) expect(x).toBeCloseTo(fresh![i]!, 5);
      const stats = (await store.stats()).namespaces[PRODUCTS_NAMESPACE]!;
      expect(stats.count).toBe(PRODUCTS.length);
      // The SDK asked for base64 and decoded it.
      const bodies = openai.requests
        .filter((r) => r.path === '/v1/embeddings')
        .map((r) => r.body as { encoding_format?: string });
      expect(bodies.length).toBeGreaterThan(0);
      expect(bodies.every((b) => b.encoding_format === 'base64')).toBe(true);

      const again = await findSimilar(db, '85123A', { config: withOpenAi, store, k: 3 });
      expect(again.reindexed).toBeUndefined();

      const back = await findSimilar(db, '85123A', { config, store, k: 3 });
      expect(back.reindexed).toMatchObject({ provider: 'local', replaced: { provider: 'openai' } });
      expect(back.items.map((i) => i.id)).toEqual(
        (await findSimilar(db, '85123A', { config, store, k: 3 })).items.map((i) => i.id),
      );
    });

    it('rebuilds product vectors when the catalogue grew since they were stored', async () => {
      await insertProducts(db, [['99999', 'PINK HANGING HEART T-LIGHT HOLDER', 'Candles & Lights', 2.1]]);
      const result = await findSimilar(db, '85123A', { config, store, k: 3 });
      expect(result.reindexed?.indexed).toBe(PRODUCTS.length + 1);
      expect(result.items.map((i) => i.id)).toContain('99999');
    });

    it('an OpenAI key the server refuses is a clear message', async () => {
      const bad: VectorConfig = {
        ...config,
        openai: { apiKey: 'sk-wrong-key-000000000', baseUrl: openai.url, model: 'gpt-4o-mini' },
        openaiEmbeddingModel: 'stand-in-embedding',
      };
      const error = await findSimilar(db, '85123A', { config: bad, store }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toMatch(/refused the API key \(401\).*OPENAI_API_KEY/);
      expect((error as UserError).message).not.toContain('sk-wrong');
    });
  });
}

describe('resolveItem', () => {
  const catalogue = PRODUCTS.map(([id, name, category, price]) => ({ id, name, category, price }));
  it('matches a code, an exact name, or a unique part of a name; otherwise nothing', () => {
    expect(resolveItem(catalogue, ' 85123a ')?.item.id).toBe('85123A');
    expect(resolveItem(catalogue, 'Regency cake fork')?.item.id).toBe('22699');
    expect(resolveItem(catalogue, 'white metal')?.item.id).toBe('71053');
    expect(resolveItem(catalogue, 'hanging heart')).toBeUndefined();
    expect(resolveItem(catalogue, 'garden gnome')).toBeUndefined();
  });
});
