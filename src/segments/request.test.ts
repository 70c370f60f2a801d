import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { type OpenAiStandIn, startOpenAiStandIn } from '../../test/stand-ins/openai.ts';
import { createOpenAiClient, type LlmProvider } from '../llm/openai.ts';
import { memberIdsQuery } from './compile.ts';
import type { SegmentDefinition } from './definition.ts';
import type { ParseResult } from './parse.ts';
import { type LocalSegmentParser, resolveSegmentRequest } from './request.ts';
import { segmentMemberIds } from './service.ts';
import type { Vocabulary } from './vocabulary.ts';

const vocab: Vocabulary = {
  countries: ['EIRE', 'France', 'Germany', 'Spain', 'United Kingdom'],
  categories: ['candles', 'kitchen'],
};

const wire = (conditions: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({ conditions, top: null, unrecognized: [], assumptions: [], ...extra });

const germansOver1000 = wire([
  { kind: 'country', op: 'in', values: ['Germany'] },
  { kind: 'metric', metric: 'spend', op: 'gt', value: 1000 },
]);

/** A stand-in local parser: what the fallback returns is then independent of the real parser's progress. */
function fakeLocal(
  result: ParseResult = { ok: true, definition: { conditions: [] }, notes: ['local note'] },
) {
  const calls: string[] = [];
  const local: LocalSegmentParser = {
    parse: (text) => {
      calls.push(`parse:${text}`);
      return result;
    },
    refine: (text) => {
      calls.push(`refine:${text}`);
      return result;
    },
  };
  return { local, calls };
}

function capturedLog() {
  const lines: string[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => lines.push(s) });
  return { log, lines };
}

describe('resolveSegmentRequest', () => {
  let api: OpenAiStandIn;
  let llm: LlmProvider;
  let host: string;

  beforeAll(async () => {
    api = await startOpenAiStandIn();
    host = new URL(api.url).host;
    llm = createOpenAiClient({ apiKey: api.apiKey, baseUrl: api.url, model: 'gpt-test' }, { maxRetries: 0 });
  });
  afterAll(async () => {
    await api.close();
  });
  afterEach(() => {
    expect(api.pending()).toBe(0);
    api.requests.length = 0;
  });

  it('uses the local parser when no language model is configured', async () => {
    const result = await resolveSegmentRequest('customers in Germany', { vocab });
    expect(result).toMatchObject({
      ok: true,
      source: 'local',
      definition: { conditions: [{ kind: 'country', op: 'in', values: ['Germany'] }] },
    });
    expect(api.requests).toHaveLength(0);
  });

  it('refines with the local parser when asked to', async () => {
    const previous: SegmentDefinition = { conditions: [{ kind: 'country', op: 'in', values: ['Germany'] }] };
    const { local, calls } = fakeLocal();
    await resolveSegmentRequest('only those in France', { vocab, previous, refine: true, local });
    await resolveSegmentRequest('customers in Spain', { vocab, previous, local });
    expect(calls).toEqual(['refine:only those in France', 'parse:customers in Spain']);
  });

  it('refines a list of customers with the local parser, as the model has no way to say one', async () => {
    const previous: SegmentDefinition = {
      conditions: [{ kind: 'customers', ids: ['12347', '12348'], label: 'the 2 most likely to buy candles' }],
    };
    const { local, calls } = fakeLocal();
    const result = await resolveSegmentRequest('only those in France', {
      vocab,
      llm,
      previous,
      refine: true,
      local,
    });
    expect(result.source).toBe('local');
    expect(calls).toEqual(['refine:only those in France']);
    expect(api.requests).toHaveLength(0);
  });

  it("uses the model's definition when it is valid", async () => {
    api.enqueue(germansOver1000);
    const { local, calls } = fakeLocal();
    const result = await resolveSegmentRequest('Germans who spent more than a grand', { vocab, llm, local });
    expect(result).toEqual({
      ok: true,
      source: 'llm',
      notes: [],
      definition: {
        conditions: [
          { kind: 'country', op: 'in', values: ['Germany'] },
          { kind: 'metric', metric: 'spend', op: 'gt', value: 1000 },
        ],
      },
    });
    expect(calls).toEqual([]);
  });

  it('passes the previous definition and the as-of date to the model when refining', async () => {
    api.enqueue(wire([{ kind: 'country', op: 'in', values: ['France'] }]));
    const previous: SegmentDefinition = { conditions: [{ kind: 'country', op: 'in', values: ['Germany'] }] };
    const result = await resolveSegmentRequest('only those in France', {
      vocab,
      llm,
      previous,
      refine: true,
      asOf: new Date('2011-12-09T00:00:00Z'),
    });
    expect(result).toMatchObject({
      ok: true,
      source: 'llm',
      definition: { conditions: [{ values: ['France'] }] },
    });
    const [system, user] = api.chatBodies()[0]!.messages;
    expect(system?.content).toContain('2011-12-09');
    expect(user?.content).toContain('"values":["Germany"]');
  });

  it('retries an invalid answer once with the error, then uses the corrected one', async () => {
    api.enqueue(wire([{ kind: 'metric', metric: 'spend', op: 'gt', value: -5 }]), germansOver1000);
    const result = await resolveSegmentRequest('Germans who spent over 1000', { vocab, llm });
    expect(result).toMatchObject({ ok: true, source: 'llm' });
    const retry = api.chatBodies()[1]!.messages;
    expect(retry.at(-1)?.content).toContain('spend must be between 0 and 1,000,000,000,000, not -5');
  });

  it('falls back to the local parser with a notice after two invalid answers', async () => {
    api.enqueue(
      wire([{ kind: 'country', op: 'in', values: ['Atlantis'] }]),
      wire([{ kind: 'metric', metric: 'spend', op: 'gt', value: -5 }]),
    );
    const { log, lines } = capturedLog();
    const result = await resolveSegmentRequest('customers in Germany', { vocab, llm, log });
    expect(result).toMatchObject({
      ok: true,
      source: 'local',
      definition: { conditions: [{ kind: 'country', op: 'in', values: ['Germany'] }] },
    });
    expect(result.ok && result.notes[0]).toBe(
      "The language model's answer could not be used (its answer was invalid twice: conditions.0: spend must be " +
        "between 0 and 1,000,000,000,000, not -5); this is the local parser's reading.",
    );
    expect(api.chatBodies()).toHaveLength(2);
    expect(lines.some((l) => l.includes('falling back to the local parser'))).toBe(true);
  });

  it('falls back with a clear message, never the key, when the key is refused (401)', async () => {
    const secret = 'sk-live-do-not-leak-0123456789';
    const badKey = createOpenAiClient(
      { apiKey: secret, baseUrl: api.url, model: 'gpt-test' },
      { maxRetries: 0 },
    );
    const { log, lines } = capturedLog();
    const { local } = fakeLocal();
    const result = await resolveSegmentRequest('customers in Germany', { vocab, llm: badKey, log, local });
    expect(result).toMatchObject({ ok: true, source: 'local' });
    expect(result.ok && result.notes).toEqual([
      `The language model's answer could not be used (The language model at ${host} refused the API key (401). ` +
        "Check OPENAI_API_KEY); this is the local parser's reading.",
      'local note',
    ]);
    expect(JSON.stringify(result)).not.toContain(secret);
    expect(lines.join('\n')).not.toContain(secret);
    expect(lines.join('\n')).toContain('"code":"llm_auth"');
  });

  it('survives a 429 when the SDK may retry once after retry-after', async () => {
    api.enqueue({ status: 429, retryAfterMs: 10, retryAfter: 1 }, germansOver1000);
    const patient = createOpenAiClient(
      { apiKey: api.apiKey, baseUrl: api.url, model: 'gpt-test' },
      { maxRetries: 1 },
    );
    const result = await resolveSegmentRequest('Germans over 1000', { vocab, llm: patient });
    expect(result).toMatchObject({ ok: true, source: 'llm' });
    expect(api.chatBodies()).toHaveLength(2);
  });

  it('falls back when the server fails, and keeps the local failure message when that fails too', async () => {
    api.enqueue({ status: 500 });
    const { local } = fakeLocal({
      ok: false,
      message: 'I don’t know “Atlantis” as a country.',
      unknown: ['Atlantis'],
    });
    const result = await resolveSegmentRequest('customers in Atlantis', { vocab, llm, local });
    expect(result).toEqual({
      ok: false,
      source: 'local',
      unknown: ['Atlantis'],
      message:
        'I don’t know “Atlantis” as a country.\n' +
        `(The language model could not help either: The language model at ${host} failed (500). Try again later.)`,
    });
  });

  it('falls back when the model cannot express part of the request', async () => {
    api.enqueue(wire([], { unrecognized: ['purple people'] }));
    const { local } = fakeLocal();
    const result = await resolveSegmentRequest('the purple people', { vocab, llm, local });
    expect(result.ok && result.notes[0]).toBe(
      'The language model\'s answer could not be used (it could not express "purple people"); ' +
        "this is the local parser's reading.",
    );
  });

  it('falls back when a provider throws something unexpected', async () => {
    const broken: LlmProvider = {
      model: 'broken',
      host: 'nowhere',
      structured: () => Promise.reject(new TypeError('boom')),
    };
    const { local } = fakeLocal();
    const { log, lines } = capturedLog();
    const result = await resolveSegmentRequest('anything', { vocab, llm: broken, local, log });
    expect(result).toMatchObject({ ok: true, source: 'local' });
    expect(result.ok && result.notes[0]).toContain('(an unexpected error)');
    expect(lines.some((l) => l.includes('boom'))).toBe(true);
  });

  it('does not send overlong text to the model', async () => {
    const { local, calls } = fakeLocal();
    await resolveSegmentRequest('x'.repeat(501), { vocab, llm, local });
    expect(calls).toHaveLength(1);
    expect(api.requests).toHaveLength(0);
  });

  describe('SQL from the model is data, never executed', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase('pglite');
    });
    afterAll(async () => {
      await db.dispose();
    });

    it('refuses SQL in place of a definition and falls back', async () => {
      api.enqueue('DROP TABLE customer_features;', 'SELECT * FROM customer_features; DROP TABLE segments;');
      const { local } = fakeLocal();
      const result = await resolveSegmentRequest('everyone', { vocab, llm, local });
      expect(result).toMatchObject({ ok: true, source: 'local' });
      expect(result.ok && result.notes[0]).toContain('the answer was not valid JSON');
    });

    it('refuses SQL as a country, and binds SQL in a product name as a parameter', async () => {
      const injection = "x'); drop table customer_features; --";
      api.enqueue(
        wire([{ kind: 'country', op: 'in', values: ["Germany'); drop table customer_features; --"] }]),
        wire([
          {
            kind: 'bought',
            product: { productId: null, nameContains: injection, categoryContains: null },
            withinDays: 30,
            period: null,
            total: null,
            negate: false,
          },
        ]),
      );
      const result = await resolveSegmentRequest('bought the drop table', { vocab, llm });
      expect(result).toMatchObject({ ok: true, source: 'llm' });
      expect(api.chatBodies()[1]!.messages.at(-1)?.content).toContain('is not in the data');
      if (!result.ok) return;
      const query = memberIdsQuery(db.db, result.definition).toSQL();
      expect(query.sql).not.toMatch(/drop table/i);
      // The compiler escapes LIKE wildcards (`_`), so the text arrives as a bound, escaped pattern.
      expect(query.params.some((p) => String(p).includes("x'); drop table customer"))).toBe(true);
      expect(await segmentMemberIds(db, result.definition)).toEqual([]);
      const [row] = await db.rows<{ n: number }>(sql`select count(*)::int as n from customer_features`);
      expect(row?.n).toBe(0);
    });
  });
});
