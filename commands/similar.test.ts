import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../src/core/command.ts';
import type { Router } from '../src/core/router.ts';
import { useVectorConfig } from '../src/vectors/context.ts';
import { insertProducts } from '../src/vectors/fixtures/products.ts';
import { chatRouter } from '../test/chat.ts';
import { createTestDatabase, drivers, type TestDatabase } from '../test/database.ts';
import { type PineconeStandIn, startPineconeStandIn } from '../test/stand-ins/pinecone.ts';
import { commands } from './index.ts';
import { parseSimilar } from './similar.ts';

const caller = (conversationId: string): Caller => ({ platform: 'cli', userId: 'u1', conversationId });

describe('parseSimilar', () => {
  it('takes the product after the cue, with an optional count', () => {
    expect(parseSimilar('the white hanging heart t-light holder?')).toEqual({
      query: 'white hanging heart t-light holder',
    });
    expect(parseSimilar('show me 5 products similar to 85123A')).toEqual({ query: '85123A', k: 5 });
    expect(parseSimilar('top 3 items like "christmas candles"')).toEqual({
      query: 'christmas candles',
      k: 3,
    });
    expect(parseSimilar('85123A --k 4')).toEqual({ query: '85123A', k: 4 });
  });
});

for (const driver of drivers) {
  describe(`similar in the conversation (${driver})`, () => {
    let db: TestDatabase;
    let pc: PineconeStandIn;
    let router: Router;
    beforeAll(async () => {
      db = await createTestDatabase(driver);
      await insertProducts(db);
      pc = await startPineconeStandIn({ indexes: [{ name: 'megaphone', dimension: 32, metric: 'cosine' }] });
      useVectorConfig(db, {
        openai: undefined,
        openaiEmbeddingModel: 'text-embedding-3-small',
        // pgvector where the database has it, Pinecone on a server without it.
        pinecone: db.vectorAvailable
          ? undefined
          : { apiKey: pc.apiKey, index: 'megaphone', host: undefined, controllerUrl: pc.url },
      });
      router = chatRouter(db);
    });
    afterAll(async () => {
      await db.dispose();
      await pc.close();
    });

    it('answers "what is similar to <name>?" with a table of products and reasons', async () => {
      const reply = await router.handle(
        'what is similar to the white hanging heart t-light holder?',
        caller('a'),
      );
      expect(reply.tone).not.toBe('error');
      expect(reply.title).toBe('10 products similar to WHITE HANGING HEART T-LIGHT HOLDER (85123A)');
      expect(reply.table?.columns).toEqual(['Stock code', 'Name', 'Category', 'Price', 'Similarity', 'Why']);
      const first = reply.table!.rows[0]!;
      expect(['85123B', '21733']).toContain(first[0]);
      expect(first[3]).toMatch(/^£\d+\.\d\d$/);
      expect(first[4]).toMatch(/^\d{1,3}%$/);
      expect(first[5]).toMatch(/shares "hanging", "heart"/);
      expect(reply.table!.rows.map((r) => r[0])).not.toContain('85123A');
      expect(reply.context).toMatch(
        /local embeddings in (pgvector|pinecone); product vectors \(re\)built just now/,
      );
    });

    it('takes a stock code, a count, and free text that names no product', async () => {
      const byCode = await router.handle('similar to 85123A', caller('b'));
      expect(byCode.title).toMatch(/similar to WHITE HANGING HEART T-LIGHT HOLDER \(85123A\)$/);
      expect(byCode.context).not.toMatch(/built just now/);
      const counted = await router.handle('show me 3 products similar to 22423', caller('c'));
      expect(counted.title).toBe('3 products similar to REGENCY CAKESTAND 3 TIER (22423)');
      const text = await router.handle('products like christmas candles', caller('d'));
      expect(text.title).toMatch(/similar to "christmas candles"$/);
      expect(text.context).toMatch(/no product has that name or code/);
      expect(
        text
          .table!.rows.slice(0, 2)
          .map((r) => r[0])
          .sort(),
      ).toEqual(['23084', '23085']);
    });

    it('says what to do when nothing can be compared', async () => {
      const unknown = await router.handle('similar to zzqx wvvy', caller('e'));
      expect(unknown.tone).toBe('error');
      expect(unknown.text).toMatch(/none of its words appear in the catalogue/);
      const empty = await router.handle('similar to', caller('f'));
      expect(empty.text).toMatch(/say which product/);
      const tooMany = await router.handle('similar to 85123A --k 500', caller('g'));
      expect(tooMany.text).toMatch(/at most 50/);
    });
  });
}

describe('which messages the similar command claims', () => {
  const similar = commands.find((c) => c.name === 'similar')!;
  it('claims product similarity, not people or segments', () => {
    expect(similar.claims?.('show me 3 products similar to 22423', null)).toBe(true);
    expect(similar.claims?.('anything like the regency cakestand? products like it', null)).toBe(true);
    expect(similar.claims?.('customers similar to 12347', null)).toBe(false);
    expect(similar.claims?.('customers in Germany who spent over £1000', null)).toBe(false);
  });
});
