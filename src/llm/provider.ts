/**
 * What Megaphone asks of a language model, independent of the vendor: one answer shaped by a zod schema.
 * Importing this costs nothing; the SDK is loaded only by the implementation in `openai.ts`.
 */
import type { z } from 'zod';

export interface LlmMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface StructuredRequest<T> {
  system: string;
  user: string;
  /** The answer must be a JSON object this schema accepts; it is sent as a strict JSON schema. */
  schema: z.ZodType<T>;
  /** Names the schema for the API (letters, digits, `_` and `-`). */
  name: string;
  /** Turns after `user`, e.g. the model's previous answer and a correction. */
  messages?: LlmMessage[];
}

export type StructuredResult<T> =
  | { ok: true; value: T; raw: string }
  /** The model answered, but not with something the schema accepts (or it refused). */
  | { ok: false; error: string; raw?: string };

/** What Megaphone needs from a language model: a schema-shaped answer. */
export interface LlmProvider {
  readonly model: string;
  /** Host (and port) of the API, for messages and logs. */
  readonly host: string;
  /**
   * Asks for one answer shaped by `schema`. Resolves with `ok: false` when the answer is unusable, and
   * rejects with a `MegaphoneError` (codes `llm_*`) when the API itself fails.
   */
  structured<T>(request: StructuredRequest<T>): Promise<StructuredResult<T>>;
}

/**
 * One line per zod issue, with its path: "conditions.0.value: spend must be between 0 and 1,000,000,000,000".
 *
 * @example
 * formatIssues(schema.safeParse(x).error!); // 'top.limit: Too small: expected number to be >0'
 */
export function formatIssues(error: z.ZodError, max = 8): string {
  const lines = error.issues
    .slice(0, max)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
  if (error.issues.length > max) lines.push(`(and ${error.issues.length - max} more)`);
  return lines.join('; ');
}
