import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { type OpenAiStandIn, startOpenAiStandIn } from '../../test/stand-ins/openai.ts';
import { openEmbeddingProvider, openVectorStore } from '../vectors/index.ts';
import { TEST_PRODUCTS, TEST_TRAITS } from './fixtures.ts';
import { factsFrom } from './guard.ts';
import { flagSimilar, rememberApproved, type SimilarityIndex } from './similar.ts';
import type { StoredDraft } from './store.ts';

const draft = (id: number, text: string, approvedAt?: Date): StoredDraft => ({
  id,
  batch: 'b',
  variant: 1,
  channel: 'social',
  status: approvedAt ? 'approved' : 'draft',
  content: { channel: 'social', text },
  rationale: 'Spotlight angle.',
  request: 'social',
  segment: 'everyone',
  facts: factsFrom(TEST_PRODUCTS, ''),
  traits: TEST_TRAITS,
  productIds: [],
  writer: 'local',
  seed: 1,
  createdBy: 'cli',
  createdAt: new Date(),
  actedBy: approvedAt ? 'cli' : null,
  actedAt: approvedAt ?? null,
  replaces: null,
});

// pgvector runs in PGlite (the Postgres server here has no pgvector); embeddings through the official SDK.
describe('near-duplicate copy (pgvector on PGlite, OpenAI embeddings from the stand-in)', () => {
  let api: OpenAiStandIn;
  let db: TestDatabase;
  let index: SimilarityIndex;
  const now = new Date('2026-11-28T12:00:00Z');
  beforeAll(async () => {
    // text-embedding-3-small answers 1536 dimensions; equal texts get equal vectors.
    api = await startOpenAiStandIn({
      embed: (text) => {
        const hash = createHash('sha256').update(text).digest();
        const v = Array.from({ length: 1536 }, (_, i) => Math.sin(hash[i % 32]! * (i + 1)));
        const norm = Math.hypot(...v);
        return v.map((x) => x / norm);
      },
    });
    db = await createTestDatabase('pglite');
    const config = {
      openai: { apiKey: api.apiKey, baseUrl: api.url, model: 'gpt-test' },
      pinecone: undefined,
      openaiEmbeddingModel: 'text-embedding-3-small',
    };
    index = {
      store: await openVectorStore({ config, database: db }),
      provider: await openEmbeddingProvider({ config, database: db }),
    };
  });
  afterAll(async () => {
    await db.dispose();
    await api.close();
  });

  it('flags a draft that repeats recent approved copy, and nothing else', async () => {
    await rememberApproved(
      index,
      draft(1, 'Meet the Rabbit Night Light, £2.08.', new Date('2026-11-01T00:00:00Z')),
    );
    await rememberApproved(
      index,
      draft(2, 'Christmas is coming: be ready.', new Date('2025-01-01T00:00:00Z')),
    );
    const notes = await flagSimilar(
      index,
      [
        draft(10, 'Meet the Rabbit Night Light, £2.08.'),
        draft(11, 'A completely different message about paper chains.'),
        // Approved long ago: not recent copy any more.
        draft(12, 'Christmas is coming: be ready.'),
      ],
      { now },
    );
    expect(notes).toEqual([{ draftId: 10, similarTo: 1, similarity: expect.closeTo(1, 5) }]);
  });

  it('does not compare vectors of another embedding model', async () => {
    const other: SimilarityIndex = {
      ...index,
      provider: { ...index.provider, model: 'another-model', embed: (t) => index.provider.embed(t) },
    };
    expect(await flagSimilar(other, [draft(20, 'Meet the Rabbit Night Light, £2.08.')], { now })).toEqual([]);
  });
});
