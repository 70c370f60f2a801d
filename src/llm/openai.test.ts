import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type OpenAiStandIn, startOpenAiStandIn } from '../../test/stand-ins/openai.ts';
import { MegaphoneError } from '../core/errors.ts';
import { createOpenAiClient, type LlmProvider } from './openai.ts';

const answer = z.object({ greeting: z.string(), count: z.number() });
const ask = (llm: LlmProvider) =>
  llm.structured({ system: 'Be brief.', user: 'Say hello.', schema: answer, name: 'hello' });

async function failure(promise: Promise<unknown>): Promise<MegaphoneError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MegaphoneError);
  return error as MegaphoneError;
}

describe('OpenAI client (official SDK against the loopback stand-in)', () => {
  let api: OpenAiStandIn;
  let host: string;
  const client = (opts: { maxRetries?: number; timeoutMs?: number; apiKey?: string } = {}) =>
    createOpenAiClient(
      { apiKey: opts.apiKey ?? api.apiKey, baseUrl: api.url, model: 'gpt-test' },
      { maxRetries: opts.maxRetries ?? 0, timeoutMs: opts.timeoutMs ?? 5_000 },
    );

  beforeAll(async () => {
    api = await startOpenAiStandIn();
    host = new URL(api.url).host;
  });
  afterAll(async () => {
    await api.close();
  });
  afterEach(() => {
    expect(api.pending()).toBe(0);
    api.requests.length = 0;
  });

  it('sends a strict json_schema response format and returns the validated answer', async () => {
    api.enqueue('{"greeting":"hello","count":2}');
    const result = await ask(client());
    expect(result).toEqual({
      ok: true,
      value: { greeting: 'hello', count: 2 },
      raw: '{"greeting":"hello","count":2}',
    });
    const [body] = api.chatBodies();
    expect(body?.model).toBe('gpt-test');
    expect(body?.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Say hello.' },
    ]);
    expect(body?.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: {
        name: 'hello',
        strict: true,
        schema: { type: 'object', required: ['greeting', 'count'] },
      },
    });
    expect(api.requests[0]?.headers.authorization).toBe(`Bearer ${api.apiKey}`);
  });

  it('reports unusable answers with the raw text instead of throwing', async () => {
    api.enqueue(
      'Sure! {"greeting": "hi"',
      '{"greeting":"hi"}',
      { content: '{"greeting":"hi","count":1', finishReason: 'length' },
      { content: null, refusal: "I can't help with that." },
      '```json\n{"greeting":"fenced","count":3}\n```',
    );
    const llm = client();
    const invalidJson = await ask(llm);
    expect(invalidJson).toMatchObject({ ok: false, raw: 'Sure! {"greeting": "hi"' });
    expect(!invalidJson.ok && invalidJson.error).toMatch(/not valid JSON/);
    const wrongShape = await ask(llm);
    expect(!wrongShape.ok && wrongShape.error).toMatch(/did not match the schema: count:/);
    expect(await ask(llm)).toMatchObject({ ok: false, error: 'the answer was cut off (too long)' });
    expect(await ask(llm)).toMatchObject({ ok: false, error: "the model refused: I can't help with that." });
    // Local OpenAI-compatible servers without strict mode sometimes fence their JSON.
    expect(await ask(llm)).toMatchObject({ ok: true, value: { greeting: 'fenced', count: 3 } });
  });

  it('turns a refused key into a clear error that never shows the key', async () => {
    const secret = 'sk-wrong-0123456789abcdef';
    const error = await failure(ask(client({ apiKey: secret })));
    expect(error.code).toBe('llm_auth');
    expect(error.message).toBe(
      `The language model at ${host} refused the API key (401). Check OPENAI_API_KEY.`,
    );
    expect(JSON.stringify({ message: error.message, cause: String(error.cause) })).not.toContain(secret);
    expect(api.requests[0]).toMatchObject({ authorized: false });
  });

  it('scrubs the key from an error message the server echoes back', async () => {
    api.enqueue({ status: 400, message: `response_format json_schema is not supported (key ${api.apiKey})` });
    const error = await failure(ask(client()));
    expect(error.code).toBe('llm_bad_request');
    expect(error.message).toContain(
      'rejected the request (400): response_format json_schema is not supported',
    );
    expect(error.message).not.toContain(api.apiKey);
    expect(String((error.cause as Error).message)).not.toContain(api.apiKey);
  });

  it('retries a 429 after the retry-after the server asks for', async () => {
    api.enqueue({ status: 429, retryAfterMs: 10, retryAfter: 0.01 }, '{"greeting":"again","count":1}');
    const result = await ask(client({ maxRetries: 1 }));
    expect(result).toMatchObject({ ok: true, value: { greeting: 'again' } });
    expect(api.chatBodies()).toHaveLength(2);
  });

  it('names rate limits, exhausted quota, server failures and unknown models', async () => {
    api.enqueue({ status: 429, retryAfterMs: 10 });
    expect((await failure(ask(client()))).message).toBe(
      `The language model at ${host} is rate limiting requests (429). Try again in a minute.`,
    );
    api.enqueue({ status: 429, code: 'insufficient_quota', type: 'insufficient_quota' });
    expect((await failure(ask(client()))).code).toBe('llm_quota');
    api.enqueue({ status: 500, retryAfterMs: 5 }, { status: 503, retryAfterMs: 5 });
    const unavailable = await failure(ask(client({ maxRetries: 1 })));
    expect(unavailable.code).toBe('llm_unavailable');
    expect(unavailable.message).toBe(
      `The language model at ${host} failed (503) (after 1 retry). Try again later.`,
    );
    api.enqueue({ status: 404, message: 'The model `gpt-test` does not exist', code: 'model_not_found' });
    const notFound = await failure(ask(client()));
    expect(notFound.code).toBe('llm_not_found');
    expect(notFound.message).toContain('model "gpt-test"');
  });

  it('gives up on a slow server after the timeout', async () => {
    api.enqueue({ content: '{"greeting":"late","count":0}', delayMs: 1_000 });
    const error = await failure(ask(client({ timeoutMs: 100 })));
    expect(error.code).toBe('llm_timeout');
    expect(error.message).toBe(`The language model at ${host} did not answer within 0.1 s.`);
  });

  it('says when nothing listens at the base URL', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    server.close();
    await once(server, 'close');
    const llm = createOpenAiClient(
      { apiKey: 'sk-anything-0123456789', baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm' },
      { maxRetries: 0 },
    );
    const error = await failure(ask(llm));
    expect(error.code).toBe('llm_unreachable');
    expect(error.message).toBe(
      `Could not reach the language model at 127.0.0.1:${port} (ECONNREFUSED). ` +
        'Check OPENAI_BASE_URL and that the server is running.',
    );
  });

  it('serves embeddings as floats or as base64 float32, as the SDK asks', async () => {
    const sdk = new OpenAI({ apiKey: api.apiKey, baseURL: api.url, maxRetries: 0 });
    const base64 = await sdk.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['candles', 'mugs'],
    });
    const floats = await sdk.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['candles', 'mugs'],
      encoding_format: 'float',
    });
    expect(api.requests[0]?.body).toMatchObject({ encoding_format: 'base64' });
    expect(api.requests[1]?.body).toMatchObject({ encoding_format: 'float' });
    expect(base64.data).toHaveLength(2);
    for (const [i, item] of base64.data.entries()) {
      expect(item.embedding).toHaveLength(8);
      item.embedding.forEach((x, j) => {
        expect(x).toBeCloseTo(floats.data[i]!.embedding[j]!, 6);
      });
    }
    expect(base64.data[0]!.embedding).not.toEqual(base64.data[1]!.embedding);
  });
});
