/**
 * A loopback stand-in for the OpenAI API, speaking the wire protocol the official SDK uses: Chat Completions
 * (scripted answers and errors, in order) and Embeddings (deterministic vectors, float or base64). It records
 * every request so tests can assert what was sent.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, sendJson as sendJsonBody } from './http.ts';

/** An answer: the assistant's content, or the message in more detail. */
export type ScriptedAnswer =
  | string
  | {
      content: string | null;
      refusal?: string;
      finishReason?: 'stop' | 'length' | 'content_filter';
      /** Wait this long before answering (client timeouts). */
      delayMs?: number;
    };

/** An HTTP error as the API sends it. */
export interface ScriptedError {
  status: number;
  message?: string;
  type?: string;
  code?: string | null;
  /** Seconds, sent as `retry-after` (429). */
  retryAfter?: number;
  /** Milliseconds, sent as `retry-after-ms` (the SDK prefers it). */
  retryAfterMs?: number;
  headers?: Record<string, string>;
  delayMs?: number;
}

export type Scripted = ScriptedAnswer | ScriptedError;

export interface RecordedRequest {
  method: string;
  path: string;
  /** Whether `Authorization: Bearer <key>` carried the expected key. */
  authorized: boolean;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface OpenAiStandIn {
  /** The base URL to give the SDK, ending in /v1. */
  url: string;
  apiKey: string;
  /** Every request, in arrival order (including refused ones). */
  requests: RecordedRequest[];
  /** Chat completion requests only, bodies as sent. */
  chatBodies(): ChatBody[];
  /** Queues answers for the next chat completion requests, one per request. */
  enqueue(...responses: Scripted[]): void;
  /** Scripted answers not consumed yet. */
  pending(): number;
  close(): Promise<void>;
}

export interface ChatBody {
  model: string;
  messages: { role: string; content: string }[];
  response_format?: { type: string; json_schema?: { name: string; strict?: boolean; schema: unknown } };
  [key: string]: unknown;
}

export interface StandInOptions {
  apiKey?: string;
  /** Vector for an embeddings input; a deterministic 8-dimensional one by default. */
  embed?: (text: string, dimensions: number | undefined) => number[];
}

const isError = (s: Scripted): s is ScriptedError => typeof s === 'object' && s !== null && 'status' in s;

/**
 * Starts the stand-in on 127.0.0.1 (a free port).
 *
 * @example
 * const api = await startOpenAiStandIn();
 * api.enqueue('{"conditions":[]}', { status: 429, retryAfterMs: 10 });
 * const client = new OpenAI({ apiKey: api.apiKey, baseURL: api.url });
 * await api.close();
 */
export async function startOpenAiStandIn(options: StandInOptions = {}): Promise<OpenAiStandIn> {
  const apiKey = options.apiKey ?? 'sk-test-stand-in-0123456789';
  const embed = options.embed ?? defaultEmbedding;
  const requests: RecordedRequest[] = [];
  const queue: Scripted[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let sequence = 0;

  const later = (ms: number | undefined, fn: () => void): void => {
    if (!ms) {
      fn();
      return;
    }
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const server = createServer((req, res) => {
    readBody(req)
      .then((raw) => handle(req, res, raw.toString('utf8')))
      .catch((error: unknown) => sendError(res, { status: 500, message: String(error) }));
  });

  function handle(req: IncomingMessage, res: ServerResponse, text: string): void {
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      sendError(res, { status: 400, message: 'We could not parse the JSON body of your request.' });
      return;
    }
    const path = (req.url ?? '/').split('?')[0]!;
    const authorized = req.headers.authorization === `Bearer ${apiKey}`;
    requests.push({ method: req.method ?? 'GET', path, authorized, headers: req.headers, body });
    if (!authorized) {
      sendError(res, {
        status: 401,
        message:
          'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
        type: 'invalid_request_error',
        code: 'invalid_api_key',
      });
    } else if (req.method === 'POST' && path === '/v1/chat/completions') {
      chat(res, body as ChatBody);
    } else if (req.method === 'POST' && path === '/v1/embeddings') {
      embeddings(res, body as EmbeddingsBody);
    } else {
      sendError(res, {
        status: 404,
        message: `Unknown request URL: ${req.method} ${path}.`,
        code: 'unknown_url',
      });
    }
  }

  function chat(res: ServerResponse, body: ChatBody): void {
    if (body?.stream) {
      sendError(res, { status: 400, message: 'The stand-in does not stream.' });
      return;
    }
    const next = queue.shift();
    if (next === undefined) {
      // Not retryable: a test that forgot to script an answer should fail at once, not after back-off.
      sendError(res, {
        status: 500,
        message: 'stand-in: no scripted answer left',
        headers: { 'x-should-retry': 'false' },
      });
      return;
    }
    if (isError(next)) {
      later(next.delayMs, () => sendError(res, next));
      return;
    }
    const answer = typeof next === 'string' ? { content: next } : next;
    later(answer.delayMs, () => {
      if (res.destroyed) return;
      const content = answer.refusal ? null : answer.content;
      const promptTokens = Math.ceil(JSON.stringify(body.messages ?? []).length / 4);
      const completionTokens = Math.ceil((content ?? answer.refusal ?? '').length / 4);
      sendJson(res, 200, {
        id: `chatcmpl-standin${++sequence}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content, refusal: answer.refusal ?? null, annotations: [] },
            logprobs: null,
            finish_reason: answer.finishReason ?? 'stop',
          },
        ],
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completionTokens,
          total_tokens: promptTokens + completionTokens,
        },
        system_fingerprint: 'fp_standin',
      });
    });
  }

  function embeddings(res: ServerResponse, body: EmbeddingsBody): void {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    if (inputs.some((i) => typeof i !== 'string')) {
      sendError(res, { status: 400, message: 'The stand-in only embeds strings.' });
      return;
    }
    const base64 = body.encoding_format === 'base64';
    sendJson(res, 200, {
      object: 'list',
      data: (inputs as string[]).map((text, index) => {
        const vector = embed(text, body.dimensions);
        return {
          object: 'embedding',
          index,
          embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector,
        };
      }),
      model: body.model,
      usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    apiKey,
    requests,
    chatBodies: () =>
      requests
        .filter((r) => r.path === '/v1/chat/completions' && r.authorized)
        .map((r) => r.body as ChatBody),
    enqueue: (...responses) => {
      queue.push(...responses);
    },
    pending: () => queue.length,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}

interface EmbeddingsBody {
  model: string;
  input: string | string[];
  encoding_format?: 'float' | 'base64';
  dimensions?: number;
}

/** Unit-length vector from a hash of the text: equal texts, equal vectors. */
function defaultEmbedding(text: string, dimensions = 8): number[] {
  const hash = createHash('sha256').update(text).digest();
  const v = Array.from({ length: dimensions }, (_, i) => hash[i % hash.length]! / 255 - 0.5);
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

function sendJson(
  res: ServerResponse,
  status: number,
  payload: unknown,
  headers: Record<string, string> = {},
): void {
  sendJsonBody(res, status, payload, {
    'x-request-id': `req_standin_${Date.now().toString(36)}`,
    ...headers,
  });
}

function sendError(res: ServerResponse, e: ScriptedError): void {
  const headers: Record<string, string> = { ...e.headers };
  if (e.retryAfter !== undefined) headers['retry-after'] = String(e.retryAfter);
  if (e.retryAfterMs !== undefined) headers['retry-after-ms'] = String(e.retryAfterMs);
  const type =
    e.type ??
    (e.status === 429 ? 'rate_limit_exceeded' : e.status >= 500 ? 'server_error' : 'invalid_request_error');
  sendJson(
    res,
    e.status,
    {
      error: { message: e.message ?? `stand-in error ${e.status}`, type, param: null, code: e.code ?? null },
    },
    headers,
  );
}
