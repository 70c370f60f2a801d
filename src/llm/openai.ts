/**
 * The language model behind Megaphone's optional understanding of free text: OpenAI or any OpenAI-compatible
 * server (Ollama, vLLM, llama.cpp) through the official SDK. It only ever returns data validated by a zod
 * schema; nothing it answers is executed. API failures become `MegaphoneError`s that name the host and the
 * status, never the key.
 */
import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import type { z } from 'zod';
import { MegaphoneError } from '../core/errors.ts';
import { formatIssues, type LlmProvider, type StructuredRequest, type StructuredResult } from './provider.ts';

export type { LlmMessage, LlmProvider, StructuredRequest, StructuredResult } from './provider.ts';

export interface OpenAiConfig {
  apiKey: string;
  /** An OpenAI-compatible endpoint, e.g. http://localhost:11434/v1; api.openai.com when absent. */
  baseUrl?: string | undefined;
  model: string;
}

export interface OpenAiOptions {
  /** Per attempt; the marketer is waiting in a chat. */
  timeoutMs?: number;
  /** The SDK retries 408, 409, 429, 5xx and connection errors, honouring retry-after. */
  maxRetries?: number;
}

const DEFAULT_TIMEOUT_MS = 20_000;
const DEFAULT_MAX_RETRIES = 2;

/**
 * A provider backed by the official `openai` SDK (Chat Completions with a strict `json_schema` response format).
 *
 * @example
 * const llm = createOpenAiClient({ apiKey, baseUrl: 'http://localhost:11434/v1', model: 'llama3.1' });
 * const answer = await llm.structured({ system, user: 'top 50 by spend', schema, name: 'segment' });
 * if (answer.ok) use(answer.value);
 */
export function createOpenAiClient(config: OpenAiConfig, opts: OpenAiOptions = {}): LlmProvider {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxRetries = opts.maxRetries ?? DEFAULT_MAX_RETRIES;
  const { client, host } = openAiSdk(config, { maxRetries, timeoutMs });
  const context: ErrorContext = { host, model: config.model, apiKey: config.apiKey, timeoutMs, maxRetries };

  return {
    model: config.model,
    host,
    async structured<T>(request: StructuredRequest<T>): Promise<StructuredResult<T>> {
      let completion: OpenAI.Chat.Completions.ChatCompletion;
      try {
        // `create` rather than `parse`: `parse` throws on an answer the schema rejects and loses the raw text,
        // which the caller needs to show the model its mistake.
        completion = await client.chat.completions.create({
          model: config.model,
          messages: [
            { role: 'system', content: request.system },
            { role: 'user', content: request.user },
            ...(request.messages ?? []),
          ],
          response_format: responseFormat(request.schema, request.name),
        });
      } catch (error) {
        throw toLlmError(error, context);
      }
      return readAnswer(completion, request.schema);
    },
  };
}

const formats = new WeakMap<z.ZodType, Map<string, ReturnType<typeof zodResponseFormat>>>();

/** The JSON schema sent with each request; converting a large schema costs more than the lookup. */
function responseFormat(schema: z.ZodType, name: string): ReturnType<typeof zodResponseFormat> {
  let byName = formats.get(schema);
  if (!byName) {
    byName = new Map();
    formats.set(schema, byName);
  }
  let format = byName.get(name);
  if (!format) {
    format = zodResponseFormat(schema, name);
    byName.set(name, format);
  }
  return format;
}

function readAnswer<T>(
  completion: OpenAI.Chat.Completions.ChatCompletion,
  schema: z.ZodType<T>,
): StructuredResult<T> {
  const choice = completion.choices?.[0];
  if (!choice) return { ok: false, error: 'the answer had no choices' };
  const { message } = choice;
  if (message.refusal) return { ok: false, error: `the model refused: ${message.refusal}` };
  const raw = message.content ?? '';
  if (choice.finish_reason === 'length')
    return { ok: false, error: 'the answer was cut off (too long)', raw };
  if (choice.finish_reason === 'content_filter') {
    return { ok: false, error: 'the answer was withheld by a content filter', raw };
  }
  if (!raw.trim()) return { ok: false, error: 'the answer was empty', raw };
  let json: unknown;
  try {
    json = JSON.parse(stripFence(raw));
  } catch (error) {
    return { ok: false, error: `the answer was not valid JSON (${(error as Error).message})`, raw };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    return { ok: false, error: `the answer did not match the schema: ${formatIssues(parsed.error)}`, raw };
  return { ok: true, value: parsed.data, raw };
}

/** Servers without strict structured outputs (some local ones) wrap JSON in a Markdown fence. */
function stripFence(text: string): string {
  const m = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/i.exec(text);
  return m ? m[1]! : text;
}

/**
 * The official SDK client, configured only from Megaphone's configuration, and the host it talks to (for
 * messages; never the key). Shared by chat completions and embeddings.
 *
 * @example
 * const { client, host } = openAiSdk({ apiKey, baseUrl }, { maxRetries: 2, timeoutMs: 30_000 });
 */
export function openAiSdk(
  config: { apiKey: string; baseUrl?: string | undefined },
  opts: { maxRetries: number; timeoutMs: number },
): { client: OpenAI; host: string } {
  const client = new OpenAI({
    apiKey: config.apiKey,
    // Explicit nulls (null base URL = api.openai.com): configuration comes from config.ts, so the SDK must not
    // pick up OPENAI_BASE_URL, OPENAI_ORG_ID or OPENAI_PROJECT_ID from the environment by itself.
    baseURL: config.baseUrl ?? null,
    organization: null,
    project: null,
    webhookSecret: null,
    // Failures are reported as MegaphoneErrors; SDK console output would mix into the CLI's stdout.
    logLevel: 'off',
    maxRetries: opts.maxRetries,
    timeout: opts.timeoutMs,
  });
  return { client, host: hostOf(client.baseURL) };
}

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return 'an unparseable base URL';
  }
}

interface ErrorContext {
  host: string;
  model: string;
  apiKey: string;
  timeoutMs: number;
  maxRetries: number;
}

/** Removes the key, and anything shaped like a key, from text an API or server returned. */
function scrub(text: string, apiKey: string): string {
  let out = apiKey.length >= 4 ? text.split(apiKey).join('[redacted]') : text;
  out = out.replace(/\b(sk|pk|rk)-[A-Za-z0-9_*-]{8,}/g, '[redacted]');
  return out.length > 300 ? `${out.slice(0, 300)}…` : out;
}

/** The API's own explanation, without the status prefix the SDK adds and without any key. */
function detail(error: APIError, apiKey: string): string {
  const message = error.message.replace(/^\d{3}\s+/, '');
  return scrub(message, apiKey);
}

/** The system-level reason under a fetch failure (ECONNREFUSED, ENOTFOUND, ...), when there is one. */
function networkCode(error: unknown): string | undefined {
  for (let e = error as { cause?: unknown; code?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === 'string') return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

function toLlmError(error: unknown, ctx: ErrorContext): unknown {
  if (!(error instanceof APIError)) return error;
  const at = `The language model at ${ctx.host}`;
  const retried =
    ctx.maxRetries > 0 ? ` (after ${ctx.maxRetries} ${ctx.maxRetries === 1 ? 'retry' : 'retries'})` : '';
  const wrap = (code: string, message: string) =>
    new MegaphoneError(code, message, {
      // A scrubbed copy: the SDK's own message may quote part of the key.
      cause: Object.assign(new Error(scrub(error.message, ctx.apiKey)), {
        name: error.name,
        status: error.status,
        requestId: error.requestID,
      }),
    });

  if (error instanceof APIConnectionTimeoutError) {
    return wrap('llm_timeout', `${at} did not answer within ${ctx.timeoutMs / 1000} s${retried}.`);
  }
  if (error instanceof APIUserAbortError)
    return wrap('llm_aborted', `The request to the language model at ${ctx.host} was cancelled.`);
  if (error instanceof APIConnectionError) {
    const code = networkCode(error.cause);
    return wrap(
      'llm_unreachable',
      `Could not reach the language model at ${ctx.host}${code ? ` (${code})` : ''}${retried}. ` +
        'Check OPENAI_BASE_URL and that the server is running.',
    );
  }
  if (error instanceof AuthenticationError) {
    return wrap('llm_auth', `${at} refused the API key (401). Check OPENAI_API_KEY.`);
  }
  if (error instanceof PermissionDeniedError) {
    return wrap(
      'llm_forbidden',
      `${at} denied access to model "${ctx.model}" (403): ${detail(error, ctx.apiKey)}`,
    );
  }
  if (error instanceof NotFoundError) {
    return wrap(
      'llm_not_found',
      `${at} does not know model "${ctx.model}" or the chat completions path (404). ` +
        'Check OPENAI_MODEL, and that OPENAI_BASE_URL ends in /v1 for most servers.',
    );
  }
  if (error instanceof RateLimitError) {
    if (error.code === 'insufficient_quota') {
      return wrap('llm_quota', `${at} says this key has no quota left (429 insufficient_quota).`);
    }
    return wrap(
      'llm_rate_limited',
      `${at} is rate limiting requests (429)${retried}. Try again in a minute.`,
    );
  }
  if (error instanceof BadRequestError) {
    return wrap('llm_bad_request', `${at} rejected the request (400): ${detail(error, ctx.apiKey)}`);
  }
  if (error instanceof InternalServerError) {
    return wrap('llm_unavailable', `${at} failed (${error.status})${retried}. Try again later.`);
  }
  return wrap(
    'llm_error',
    `${at} answered with an error (${error.status ?? 'no status'}): ${detail(error, ctx.apiKey)}`,
  );
}
