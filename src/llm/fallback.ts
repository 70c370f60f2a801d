/**
 * The model path of a request reader, with the local parser as the fallback: the segment and chart readers
 * both ask the model first and, when its answer cannot be used, explain why and read the text locally.
 */
import type { Logger } from '../logger.ts';
import type { LlmProvider } from './provider.ts';

/** Why a model path's answer could not be used (fit to show in parentheses), with what the SDK reported. */
export interface ModelFailure {
  ok: false;
  reason: string;
  attempts: number;
  error?: { code?: string } | undefined;
}

/**
 * Runs `ask` and hands back its usable answer, or the reason it could not be used (no trailing full stop),
 * logged with the model and host. A bug on the model path is a reason too: it must not cost the marketer the
 * answer the local parser can still give.
 *
 * @example
 * const tried = await tryModel('chart', llm, log, () => llmChartRequest(text, llm));
 * if ('answer' in tried) return tried.answer.request;
 * notes.push(`The language model's answer could not be used (${tried.reason}).`);
 */
export async function tryModel<R extends { ok: true } | ModelFailure>(
  what: string,
  llm: LlmProvider,
  log: Logger | undefined,
  ask: () => Promise<R>,
): Promise<{ answer: Extract<R, { ok: true }> } | { reason: string }> {
  try {
    const answer = await ask();
    if (answer.ok) return { answer: answer as Extract<R, { ok: true }> };
    const failed = answer as ModelFailure;
    const reason = failed.reason.replace(/\.$/, '');
    log?.warn(
      { code: failed.error?.code, attempts: failed.attempts, host: llm.host, model: llm.model, reason },
      `language model ${what} answer not used; falling back to the local parser`,
    );
    return { reason };
  } catch (error) {
    log?.error({ err: error }, `language model ${what} path failed; falling back to the local parser`);
    return { reason: 'an unexpected error' };
  }
}
