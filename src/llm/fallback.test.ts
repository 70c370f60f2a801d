import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { tryModel } from './fallback.ts';
import type { LlmProvider } from './provider.ts';

// tryModel reads only the provider's name and host, for the log line.
const llm = { model: 'gpt-test', host: 'localhost' } as LlmProvider;
const log = createLogger('silent');

describe('tryModel', () => {
  it('hands back a usable answer as it is', async () => {
    const tried = await tryModel('chart', llm, log, async () => ({ ok: true as const, value: 7 }));
    expect(tried).toEqual({ answer: { ok: true, value: 7 } });
  });

  it('gives the reason an answer could not be used, without its full stop', async () => {
    const tried = await tryModel('chart', llm, log, async () => ({
      ok: false as const,
      reason: 'the model is rate-limited (429).',
      attempts: 1,
    }));
    expect(tried).toEqual({ reason: 'the model is rate-limited (429)' });
  });

  it('turns a bug on the model path into a reason, so the local parser still answers', async () => {
    const tried = await tryModel('segment', llm, log, async (): Promise<{ ok: true }> => {
      throw new TypeError('boom');
    });
    expect(tried).toEqual({ reason: 'an unexpected error' });
  });
});
