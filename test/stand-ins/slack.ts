/**
 * A loopback stand-in for Slack, both directions:
 * - the Web API the official client (@slack/web-api, through Bolt) calls: auth.test, chat.postMessage,
 *   chat.update, reactions.add/remove, views.publish, conversations.open/info, files.getUploadURLExternal, the
 *   upload URL and files.completeUploadExternal, apps.connections.open; it records every call and keeps the
 *   messages as Slack would show them;
 * - Socket Mode: a WebSocket server that says hello, sends envelopes and collects their acks;
 * - the platform calling the app over HTTP: signed slash commands, events and block actions.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { readBody } from './http.ts';

export interface RecordedCall {
  method: string;
  /** Arguments as sent, JSON-valued fields (blocks, files, view) decoded. */
  args: Record<string, unknown>;
  /** The bearer token the call carried. */
  token: string | undefined;
  /** What the stand-in answered: `ok`, a Slack error code, or `429`. */
  outcome: string;
}

export interface UploadedFile {
  id: string;
  filename: string;
  title: string | undefined;
  altText: string | undefined;
  bytes: Uint8Array;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  threadTs: string | undefined;
  text: string;
  blocks: Record<string, unknown>[];
  files: UploadedFile[];
  /** How many times chat.update changed it. */
  edits: number;
}

/** A failure for the next call of a method: an HTTP 429 with Retry-After, or a Slack error code. */
export type Failure = { status: 429; retryAfter: number } | { error: string };

export interface SlackStandIn {
  /** Web API base URL (ends with a slash), for `slackApiUrl` / SLACK_API_URL. */
  apiUrl: string;
  /** Root URL of the stand-in (response URLs live here). */
  url: string;
  botToken: string;
  appToken: string;
  botUserId: string;
  calls: RecordedCall[];
  callsTo(method: string): RecordedCall[];
  /** Messages in posting order (their latest version). */
  messages(): StoredMessage[];
  /** Bodies POSTed to response URLs (slash-command `respond`). */
  responses: unknown[];
  /** Makes the next call(s) of `method` fail, in order. */
  failNext(method: string, ...failures: Failure[]): void;
  /** Socket Mode: sends an envelope to the connected app; resolves with the app's ack. */
  sendEnvelope(
    type: 'events_api' | 'slash_commands' | 'interactive',
    payload: unknown,
    options?: { retryAttempt?: number },
  ): Promise<{ envelope_id: string; payload?: unknown }>;
  /** Resolves once an app has connected over Socket Mode and been greeted. */
  socketConnected(): Promise<void>;
  close(): Promise<void>;
}

function jsonish(value: string): unknown {
  if (!/^[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * Starts the stand-in on 127.0.0.1 (a free port).
 *
 * @example
 * const slack = await startSlackStandIn();
 * const app = new App({ token: slack.botToken, clientOptions: { slackApiUrl: slack.apiUrl }, ... });
 * await slack.close();
 */
export async function startSlackStandIn(): Promise<SlackStandIn> {
  const botToken = 'xoxb-stand-in-0000000000';
  const appToken = 'xapp-1-stand-in-0000000000';
  const botUserId = 'U0MEGAPHONE';
  const calls: RecordedCall[] = [];
  const messages = new Map<string, StoredMessage>();
  const pendingUploads = new Map<
    string,
    { filename: string; altText: string | undefined; bytes?: Uint8Array }
  >();
  const failures = new Map<string, Failure[]>();
  const responses: unknown[] = [];
  const acks = new Map<string, (ack: { envelope_id: string; payload?: unknown }) => void>();
  let seq = 0;
  let socket: WebSocket | undefined;
  let onSocket: (() => void) | undefined;
  const connected = new Promise<void>((resolve) => {
    onSocket = resolve;
  });

  const nextTs = () => `${1_700_000_000 + ++seq}.${String(seq).padStart(6, '0')}`;

  const server = createServer((req, res) => {
    readBody(req)
      .then((raw) => route(req, res, raw))
      .catch((error: unknown) => send(res, 500, { ok: false, error: String(error) }));
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, sock, head) => {
    if (!req.url?.startsWith('/socket')) {
      sock.destroy();
      return;
    }
    wss.handleUpgrade(req, sock, head, (ws) => {
      socket = ws;
      ws.on('message', (data) => {
        const message = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
        if (message.envelope_id) acks.get(message.envelope_id)?.(message as { envelope_id: string });
      });
      ws.send(
        JSON.stringify({
          type: 'hello',
          num_connections: 1,
          debug_info: { host: 'stand-in', approximate_connection_time: 3600 },
          connection_info: { app_id: 'A0MEGAPHONE' },
        }),
      );
      onSocket?.();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/`;

  async function route(req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path.startsWith('/upload/')) {
      const id = path.slice('/upload/'.length);
      const pending = pendingUploads.get(id);
      if (!pending) return send(res, 404, { ok: false, error: 'unknown_upload' });
      const form = await new Response(new Uint8Array(raw), {
        headers: { 'content-type': String(req.headers['content-type']) },
      }).formData();
      const file = form.get('body') ?? form.get('file');
      if (!file || typeof file === 'string') return send(res, 400, { ok: false, error: 'no_file_data' });
      pending.bytes = new Uint8Array(await file.arrayBuffer());
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${pending.bytes.length}`);
      return;
    }
    if (path.startsWith('/response/')) {
      responses.push(JSON.parse(raw.toString('utf8')));
      return send(res, 200, { ok: true });
    }
    if (!path.startsWith('/api/')) return send(res, 404, { ok: false, error: 'not_found' });
    const method = path.slice('/api/'.length);
    const type = String(req.headers['content-type'] ?? '');
    const args: Record<string, unknown> = {};
    if (type.includes('application/json')) {
      Object.assign(args, raw.length ? JSON.parse(raw.toString('utf8')) : {});
    } else {
      for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) args[k] = jsonish(v);
    }
    const auth = String(req.headers.authorization ?? '');
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : (args.token as string | undefined);
    const call: RecordedCall = { method, args, token, outcome: 'ok' };
    calls.push(call);
    const failure = failures.get(method)?.shift();
    if (failure && 'status' in failure) {
      call.outcome = '429';
      return send(
        res,
        429,
        { ok: false, error: 'ratelimited' },
        { 'retry-after': String(failure.retryAfter) },
      );
    }
    const expected = method === 'apps.connections.open' ? appToken : botToken;
    if (token !== expected) {
      call.outcome = 'invalid_auth';
      return send(res, 200, { ok: false, error: 'invalid_auth' });
    }
    if (failure) {
      call.outcome = failure.error;
      return send(res, 200, { ok: false, error: failure.error });
    }
    const answer = handle(method, args);
    if (answer.ok === false) call.outcome = String(answer.error);
    send(res, 200, answer);
  }

  function handle(method: string, args: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://stand-in.slack.com/',
          team: 'Stand-in',
          user: 'megaphone',
          team_id: 'T0STANDIN',
          user_id: botUserId,
          bot_id: 'B0MEGAPHONE',
        };
      case 'chat.postMessage': {
        const channel = String(args.channel ?? '');
        if (!channel) return { ok: false, error: 'channel_not_found' };
        const ts = nextTs();
        const threadTs = args.thread_ts ? String(args.thread_ts) : undefined;
        const message: StoredMessage = {
          channel,
          ts,
          threadTs,
          text: String(args.text ?? ''),
          blocks: (args.blocks as Record<string, unknown>[] | undefined) ?? [],
          files: [],
          edits: 0,
        };
        messages.set(ts, message);
        return {
          ok: true,
          channel,
          ts,
          message: { type: 'message', text: message.text, ts, user: botUserId },
        };
      }
      case 'chat.update': {
        const message = messages.get(String(args.ts));
        if (!message || message.channel !== args.channel) return { ok: false, error: 'message_not_found' };
        message.text = String(args.text ?? message.text);
        if (args.blocks) message.blocks = args.blocks as Record<string, unknown>[];
        message.edits++;
        return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
      }
      case 'chat.delete': {
        const message = messages.get(String(args.ts));
        if (!message || message.channel !== args.channel) return { ok: false, error: 'message_not_found' };
        messages.delete(message.ts);
        return { ok: true, channel: message.channel, ts: message.ts };
      }
      case 'reactions.add':
      case 'reactions.remove':
        return args.channel && args.timestamp && args.name
          ? { ok: true }
          : { ok: false, error: 'invalid_arguments' };
      case 'views.publish':
        return args.user_id && args.view
          ? { ok: true, view: { id: `V${++seq}`, ...(args.view as object) } }
          : { ok: false, error: 'invalid_arguments' };
      case 'conversations.open':
        return { ok: true, channel: { id: `D${String(args.users)}` } };
      case 'conversations.info':
        return { ok: true, channel: { id: args.channel, is_channel: !String(args.channel).startsWith('D') } };
      case 'files.getUploadURLExternal': {
        if (!args.filename || !args.length) return { ok: false, error: 'invalid_arguments' };
        const id = `F${++seq}`;
        pendingUploads.set(id, {
          filename: String(args.filename),
          altText: args.alt_text === undefined ? undefined : String(args.alt_text),
        });
        return { ok: true, upload_url: `${url}upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const files = (args.files as { id: string; title?: string }[] | undefined) ?? [];
        const done: UploadedFile[] = [];
        for (const f of files) {
          const pending = pendingUploads.get(f.id);
          if (!pending?.bytes) return { ok: false, error: 'file_not_found' };
          done.push({
            id: f.id,
            filename: pending.filename,
            title: f.title,
            altText: pending.altText,
            bytes: pending.bytes,
          });
        }
        if (args.channel_id) {
          const ts = nextTs();
          messages.set(ts, {
            channel: String(args.channel_id),
            ts,
            threadTs: args.thread_ts ? String(args.thread_ts) : undefined,
            text: String(args.initial_comment ?? ''),
            blocks: [],
            files: done,
            edits: 0,
          });
        }
        return { ok: true, files: done.map((f) => ({ id: f.id, title: f.title ?? f.filename })) };
      }
      case 'apps.connections.open':
        return { ok: true, url: `ws://127.0.0.1:${port}/socket` };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  return {
    apiUrl: `${url}api/`,
    url,
    botToken,
    appToken,
    botUserId,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    messages: () => [...messages.values()],
    responses,
    failNext(method, ...list) {
      failures.set(method, [...(failures.get(method) ?? []), ...list]);
    },
    async sendEnvelope(type, payload, options = {}) {
      await connected;
      const envelopeId = `env-${++seq}`;
      const acked = new Promise<{ envelope_id: string; payload?: unknown }>((resolve) =>
        acks.set(envelopeId, resolve),
      );
      socket!.send(
        JSON.stringify({
          envelope_id: envelopeId,
          type,
          payload,
          accepts_response_payload: type !== 'events_api',
          ...(options.retryAttempt ? { retry_attempt: options.retryAttempt, retry_reason: 'timeout' } : {}),
        }),
      );
      return acked;
    },
    socketConnected: () => connected,
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Signs a request body the way Slack does: `v0=` HMAC-SHA256 of `v0:{timestamp}:{body}`. */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SignedOptions {
  /** Seconds since the epoch; now by default. */
  timestamp?: number;
  /** Override the signature (bad-signature tests). */
  signature?: string;
  /** Sent as x-slack-retry-num (a redelivery). */
  retryNum?: number;
}

/**
 * Slack calling the app: signed HTTP requests to its events endpoint.
 *
 * @example
 * const platform = slackPlatform('http://127.0.0.1:3000/slack/events', secret);
 * await platform.command({ text: 'stats', user: 'U1', channel: 'C1', responseUrl });
 */
export function slackPlatform(endpoint: string, signingSecret: string) {
  async function signed(body: string, contentType: string, options: SignedOptions = {}): Promise<Response> {
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    return fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': options.signature ?? slackSignature(signingSecret, timestamp, body),
        ...(options.retryNum
          ? { 'x-slack-retry-num': String(options.retryNum), 'x-slack-retry-reason': 'http_timeout' }
          : {}),
      },
      body,
    });
  }
  return {
    endpoint,
    signed,
    command(
      c: { text: string; user: string; channel: string; responseUrl: string; command?: string },
      options?: SignedOptions,
    ) {
      const body = new URLSearchParams({
        token: 'verification-token-unused',
        team_id: 'T0STANDIN',
        channel_id: c.channel,
        channel_name: 'marketing',
        user_id: c.user,
        user_name: c.user.toLowerCase(),
        command: c.command ?? '/megaphone',
        text: c.text,
        api_app_id: 'A0MEGAPHONE',
        response_url: c.responseUrl,
        trigger_id: `trigger-${Date.now()}`,
      }).toString();
      return signed(body, 'application/x-www-form-urlencoded', options);
    },
    event(event: Record<string, unknown>, eventId: string, options?: SignedOptions) {
      return signed(JSON.stringify(eventCallback(event, eventId)), 'application/json', options);
    },
    blockActions(payload: Record<string, unknown>, options?: SignedOptions) {
      const body = new URLSearchParams({
        payload: JSON.stringify({ type: 'block_actions', ...payload }),
      }).toString();
      return signed(body, 'application/x-www-form-urlencoded', options);
    },
  };
}

/** The Events API envelope around an event (HTTP body, or Socket Mode `events_api` payload). */
export function eventCallback(event: Record<string, unknown>, eventId: string): Record<string, unknown> {
  return {
    token: 'verification-token-unused',
    team_id: 'T0STANDIN',
    api_app_id: 'A0MEGAPHONE',
    event: { event_ts: event.ts, ...event },
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: 'T0STANDIN', user_id: 'U0MEGAPHONE', is_bot: true }],
  };
}
