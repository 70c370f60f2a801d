/**
 * A loopback stand-in for Discord: the REST API (v10) and the gateway, on 127.0.0.1, speaking the real wire
 * protocol so the real discord.js client can log in, receive interactions and answer them. Everything the
 * client sends is recorded for assertions.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { readBody } from './http.ts';

const DISCORD_EPOCH = 1420070400000n;

/** One file of a multipart request. */
export interface RecordedFile {
  field: string;
  filename: string;
  contentType: string;
  bytes: Uint8Array;
}

/** One REST request as the stand-in received it. */
export interface RecordedRequest {
  method: string;
  /** Path after `/api/v10`, e.g. `/interactions/1/tok/callback`. */
  path: string;
  query: URLSearchParams;
  /** JSON body, or `payload_json` of a multipart body. */
  body: Record<string, unknown> | unknown[] | null;
  files: RecordedFile[];
  contentType: string | undefined;
  authorization: string | undefined;
}

/** A message the client created or edited (interaction reply, follow-up, channel message). */
export interface StoredMessage {
  id: string;
  channel_id: string;
  content: string;
  embeds: Record<string, unknown>[];
  components: Record<string, unknown>[];
  attachments: { id: string; filename: string; description?: string; content_type?: string }[];
  /** The bytes of each attachment by filename (the real API would host them on its CDN). */
  files: Map<string, Uint8Array>;
  author: Record<string, unknown>;
  interaction_metadata?: {
    id: string;
    type: number;
    user: Record<string, unknown>;
    authorizing_integration_owners: Record<string, string>;
  };
  message_reference?: { message_id: string; channel_id: string };
  /** How the message was made: `original` (PATCH @original), `followup`, `channel`. */
  via: 'original' | 'followup' | 'channel';
  /** Token of the interaction it answers, when it answers one. */
  token?: string;
}

interface InteractionRecord {
  id: string;
  token: string;
  type: number;
  channelId: string;
  user: Record<string, unknown>;
  /** Id of the interaction's response message, once the client has answered. */
  originalId?: string;
}

export interface DiscordStandInOptions {
  applicationId?: string;
  guildId?: string;
  channelId?: string;
  botId?: string;
  /**
   * The one bot token the REST API accepts; any other gets Discord's 401 (`{"message": "401: Unauthorized",
   * "code": 0}`). Unset: any token is accepted.
   */
  token?: string;
}

export interface InteractionInput {
  type: 2 | 3 | 4;
  data: Record<string, unknown>;
  userId?: string;
  channelId?: string;
  /** The message a component (button) sits on. */
  message?: StoredMessage;
  /** Created this long ago (a snowflake carries its creation time). */
  ageMs?: number;
}

function snowflakeAt(ms: number, counter: number): string {
  return (((BigInt(ms) - DISCORD_EPOCH) << 22n) | BigInt(counter & 0xfff)).toString();
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * Starts the stand-in; point discord.js at `apiUrl` (`rest: { api }`) and log in with any token (or with
 * `options.token`, when set).
 *
 * @example
 * const discord = await startDiscordStandIn();
 * const client = new Client({ intents: [], rest: { api: discord.apiUrl, retries: 0 } });
 * await client.login('test-token');
 */
export async function startDiscordStandIn(options: DiscordStandInOptions = {}) {
  const applicationId = options.applicationId ?? '900000000000000001';
  const guildId = options.guildId ?? '900000000000000002';
  const channelId = options.channelId ?? '900000000000000003';
  const botId = options.botId ?? applicationId;
  const botUser = {
    id: botId,
    username: 'Megaphone',
    discriminator: '0',
    global_name: null,
    avatar: null,
    bot: true,
  };

  let counter = 0;
  const newId = (ageMs = 0) => snowflakeAt(Date.now() - ageMs, ++counter);

  const requests: RecordedRequest[] = [];
  const messages: StoredMessage[] = [];
  const interactions = new Map<string, InteractionRecord>();
  const threads = new Map<string, { id: string; parentId: string }>();
  /** Direct-message channels by id, with the person at the other end. */
  const directChannels = new Map<string, Record<string, unknown>>();
  const identifies: Record<string, unknown>[] = [];
  /** Ids of messages in the order they were created or edited. */
  const touched: string[] = [];
  /** Requests to fail once: the first one matching gets this status and body. */
  const failures: {
    method: string;
    path: RegExp;
    status: number;
    body: unknown;
    headers: Record<string, string>;
  }[] = [];
  /** Application commands as the last bulk overwrite left them, per scope. */
  const commandsByScope = new Map<string, Record<string, unknown>[]>();

  let socket: WebSocket | undefined;
  let seq = 0;
  let ready: () => void = () => {};
  const readyPromise = new Promise<void>((resolve) => {
    ready = resolve;
  });

  function member(userId: string) {
    const user = {
      id: userId,
      username: `user${userId}`,
      discriminator: '0',
      global_name: null,
      avatar: null,
    };
    return {
      user,
      roles: [],
      joined_at: new Date().toISOString(),
      deaf: false,
      mute: false,
      flags: 0,
      permissions: '2248473465835073',
    };
  }

  function channelObject(id: string) {
    const person = directChannels.get(id);
    if (person) return { id, type: 1, recipients: [person], last_message_id: null, flags: 0 };
    const thread = threads.get(id);
    if (thread) {
      return {
        id,
        type: 11,
        guild_id: guildId,
        parent_id: thread.parentId,
        name: `thread-${id}`,
        owner_id: botId,
        thread_metadata: {
          archived: false,
          auto_archive_duration: 1440,
          archive_timestamp: new Date().toISOString(),
          locked: false,
        },
        message_count: 0,
        member_count: 1,
        rate_limit_per_user: 0,
        flags: 0,
      };
    }
    return {
      id,
      type: 0,
      guild_id: guildId,
      name: `channel-${id}`,
      position: 0,
      permission_overwrites: [],
      nsfw: false,
      parent_id: null,
      rate_limit_per_user: 0,
      topic: null,
      last_message_id: null,
    };
  }

  function dispatch(t: string, d: unknown): void {
    if (!socket) throw new Error('the gateway has no client connected');
    socket.send(JSON.stringify({ op: 0, t, s: ++seq, d }));
  }

  function onGateway(ws: WebSocket): void {
    socket = ws;
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41250 }, s: null, t: null }));
    ws.on('message', (raw) => {
      const packet = JSON.parse(String(raw)) as { op: number; d: Record<string, unknown> };
      if (packet.op === 1) ws.send(JSON.stringify({ op: 11, d: null, s: null, t: null }));
      if (packet.op === 2) {
        identifies.push(packet.d);
        const address = server.address() as AddressInfo;
        dispatch('READY', {
          v: 10,
          user: botUser,
          guilds: [{ id: guildId, unavailable: true }],
          session_id: randomBytes(8).toString('hex'),
          resume_gateway_url: `ws://127.0.0.1:${address.port}`,
          application: { id: applicationId, flags: 0 },
          shard: [0, 1],
        });
        dispatch('GUILD_CREATE', {
          id: guildId,
          name: 'Megaphone test server',
          icon: null,
          owner_id: '900000000000000099',
          afk_timeout: 300,
          verification_level: 0,
          default_message_notifications: 0,
          explicit_content_filter: 0,
          roles: [
            {
              id: guildId,
              name: '@everyone',
              permissions: '2248473465835073',
              position: 0,
              color: 0,
              hoist: false,
              managed: false,
              mentionable: false,
              flags: 0,
            },
          ],
          emojis: [],
          stickers: [],
          features: [],
          mfa_level: 0,
          system_channel_flags: 0,
          premium_tier: 0,
          preferred_locale: 'en-US',
          nsfw_level: 0,
          large: false,
          unavailable: false,
          member_count: 2,
          joined_at: new Date().toISOString(),
          voice_states: [],
          members: [member(botId)],
          channels: [channelObject(channelId)],
          threads: [],
          presences: [],
          stage_instances: [],
          guild_scheduled_events: [],
        });
        ready();
      }
    });
    ws.on('close', () => {
      if (socket === ws) socket = undefined;
    });
  }

  function storeMessage(
    message: Omit<
      StoredMessage,
      'id' | 'content' | 'embeds' | 'components' | 'attachments' | 'files' | 'author'
    >,
    body: Record<string, unknown>,
    files: RecordedFile[],
    id = newId(),
  ): StoredMessage {
    const attachments = ((body.attachments as StoredMessage['attachments'] | undefined) ?? []).map(
      (a, i) => ({
        ...a,
        id: newId(),
        filename: a.filename ?? files[i]?.filename ?? `file${i}`,
        content_type: files[i]?.contentType,
      }),
    );
    const stored: StoredMessage = {
      ...message,
      id,
      content: String(body.content ?? ''),
      embeds: (body.embeds as Record<string, unknown>[]) ?? [],
      components: (body.components as Record<string, unknown>[]) ?? [],
      attachments,
      files: new Map(files.map((f) => [f.filename, f.bytes])),
      author: botUser,
    };
    touched.push(id);
    const existing = messages.findIndex((m) => m.id === id);
    if (existing >= 0) messages[existing] = stored;
    else messages.push(stored);
    return stored;
  }

  function apiMessage(m: StoredMessage) {
    return {
      id: m.id,
      type: m.interaction_metadata ? 20 : 0,
      channel_id: m.channel_id,
      guild_id: guildId,
      content: m.content,
      embeds: m.embeds,
      components: m.components,
      attachments: m.attachments.map((a) => ({
        ...a,
        size: m.files.get(a.filename)?.length ?? 0,
        url: `https://cdn.example/${a.id}/${a.filename}`,
        proxy_url: `https://media.example/${a.id}/${a.filename}`,
      })),
      author: m.author,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      pinned: false,
      flags: 0,
      webhook_id: m.interaction_metadata ? applicationId : undefined,
      application_id: m.interaction_metadata ? applicationId : undefined,
      ...(m.interaction_metadata ? { interaction_metadata: m.interaction_metadata } : {}),
      ...(m.message_reference ? { message_reference: m.message_reference } : {}),
    };
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    if (!url.pathname.startsWith('/api/v10/')) return json(res, 404, { message: '404: Not Found', code: 0 });
    const path = decodeURIComponent(url.pathname.slice('/api/v10'.length));
    const raw = await readBody(req);
    const contentType = req.headers['content-type'];
    let body: RecordedRequest['body'] = null;
    const files: RecordedFile[] = [];
    if (contentType?.startsWith('multipart/form-data')) {
      const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
      for (const [field, value] of form.entries()) {
        if (field === 'payload_json') body = JSON.parse(String(value));
        else if (typeof value !== 'string') {
          files.push({
            field,
            filename: value.name,
            contentType: value.type,
            bytes: new Uint8Array(await value.arrayBuffer()),
          });
        }
      }
    } else if (raw.length) {
      body = JSON.parse(raw.toString('utf8'));
    }
    requests.push({
      method,
      path,
      query: url.searchParams,
      body,
      files,
      contentType,
      authorization: req.headers.authorization,
    });

    if (options.token !== undefined && req.headers.authorization !== `Bot ${options.token}`) {
      return json(res, 401, { message: '401: Unauthorized', code: 0 });
    }
    const failure = failures.findIndex((f) => f.method === method && f.path.test(path));
    if (failure >= 0) {
      const [f] = failures.splice(failure, 1);
      res.writeHead(f!.status, { 'content-type': 'application/json', ...f!.headers });
      res.end(JSON.stringify(f!.body));
      return;
    }
    const b = (body ?? {}) as Record<string, unknown>;
    let m: RegExpExecArray | null;

    if (method === 'GET' && path === '/gateway/bot') {
      const address = server.address() as AddressInfo;
      return json(res, 200, {
        url: `ws://127.0.0.1:${address.port}`,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
      });
    }
    m = method === 'POST' ? /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(path) : null;
    if (m) {
      const interaction = interactions.get(m[2]!);
      if (!interaction) return json(res, 404, { message: 'Unknown interaction', code: 10062 });
      const type = b.type as number;
      // 4: message now, 5: deferred message; both create the response message.
      if (type === 4 || type === 5) {
        const stored = storeMessage(
          {
            channel_id: interaction.channelId,
            via: 'original',
            token: interaction.token,
            interaction_metadata: {
              id: interaction.id,
              type: interaction.type,
              user: interaction.user,
              authorizing_integration_owners: { '0': guildId },
            },
          },
          type === 4 ? ((b.data as Record<string, unknown>) ?? {}) : {},
          files,
        );
        interaction.originalId = stored.id;
      }
      res.writeHead(204);
      res.end();
      return;
    }
    m = /^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/.exec(path);
    if (m) {
      const interaction = interactions.get(m[2]!);
      if (!interaction?.originalId) return json(res, 404, { message: 'Unknown Message', code: 10008 });
      const original = messages.find((x) => x.id === interaction.originalId)!;
      if (method === 'GET') return json(res, 200, apiMessage(original));
      if (method === 'PATCH') {
        const stored = storeMessage(
          {
            channel_id: original.channel_id,
            via: 'original',
            token: interaction.token,
            interaction_metadata: original.interaction_metadata!,
          },
          b,
          files,
          original.id,
        );
        return json(res, 200, apiMessage(stored));
      }
    }
    m = method === 'POST' ? /^\/webhooks\/(\d+)\/([^/]+)$/.exec(path) : null;
    if (m) {
      const interaction = interactions.get(m[2]!);
      if (!interaction) return json(res, 404, { message: 'Unknown Webhook', code: 10015 });
      const stored = storeMessage(
        {
          channel_id: interaction.channelId,
          via: 'followup',
          token: interaction.token,
          interaction_metadata: {
            id: interaction.id,
            type: interaction.type,
            user: interaction.user,
            authorizing_integration_owners: { '0': guildId },
          },
        },
        b,
        files,
      );
      return json(res, 200, apiMessage(stored));
    }
    m = method === 'POST' ? /^\/channels\/(\d+)\/messages$/.exec(path) : null;
    if (m) {
      const reference = b.message_reference as { message_id: string } | undefined;
      const stored = storeMessage(
        {
          channel_id: m[1]!,
          via: 'channel',
          ...(reference
            ? { message_reference: { message_id: reference.message_id, channel_id: m[1]! } }
            : {}),
        },
        b,
        files,
      );
      return json(res, 200, apiMessage(stored));
    }
    if (method === 'POST' && /^\/channels\/(\d+)\/typing$/.test(path)) {
      res.writeHead(204);
      res.end();
      return;
    }
    m = method === 'GET' ? /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path) : null;
    if (m) {
      const found = messages.find((x) => x.id === m![2]);
      if (!found) return json(res, 404, { message: 'Unknown Message', code: 10008 });
      return json(res, 200, apiMessage(found));
    }
    m = method === 'GET' ? /^\/channels\/(\d+)$/.exec(path) : null;
    if (m) {
      return json(res, 200, channelObject(m[1]!));
    }
    m = method === 'PUT' ? /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/.exec(path) : null;
    if (m) {
      const list = (Array.isArray(body) ? body : []) as Record<string, unknown>[];
      const scope = m[2] ? `guild:${m[2]}` : 'global';
      const previous = commandsByScope.get(scope) ?? [];
      const saved = list.map((c) => ({
        id: (previous.find((p) => p.name === c.name)?.id as string | undefined) ?? newId(),
        application_id: m![1],
        ...(m![2] ? { guild_id: m![2] } : {}),
        version: newId(),
        type: 1,
        default_member_permissions: null,
        ...c,
      }));
      commandsByScope.set(scope, saved);
      return json(res, 200, saved);
    }
    return json(res, 404, { message: `404: Not Found (${method} ${path})`, code: 0 });
  }

  const server: Server = createServer((req, res) => {
    onRequest(req, res).catch((error: Error) => json(res, 500, { message: error.message, code: 0 }));
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', onGateway);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    apiUrl: `http://127.0.0.1:${port}/api`,
    applicationId,
    guildId,
    channelId,
    botId,
    requests,
    messages,
    touched,
    identifies,
    commandsByScope,
    /** Resolves once a client has identified and received READY and GUILD_CREATE. */
    ready: () => readyPromise,
    /** The next request matching method and path fails with this status and Discord error body. */
    failNext(
      method: string,
      path: RegExp,
      status: number,
      body: Record<string, unknown>,
      headers: Record<string, string> = {},
    ) {
      failures.push({ method, path, status, body, headers });
    },
    /** Sends INTERACTION_CREATE (2 slash command, 3 button press, 4 autocomplete); returns its id and token. */
    interact(input: InteractionInput): { id: string; token: string } {
      const id = newId(input.ageMs ?? 0);
      const token = `tok-${randomBytes(12).toString('hex')}`;
      const channel = input.channelId ?? channelId;
      const m = member(input.userId ?? '111');
      interactions.set(token, { id, token, type: input.type, channelId: channel, user: m.user });
      dispatch('INTERACTION_CREATE', {
        id,
        application_id: applicationId,
        type: input.type,
        data: input.data,
        guild_id: guildId,
        channel_id: channel,
        channel: { id: channel, type: threads.has(channel) ? 11 : 0 },
        member: m,
        token,
        version: 1,
        app_permissions: '2248473465835073',
        locale: 'en-GB',
        guild_locale: 'en-US',
        entitlements: [],
        authorizing_integration_owners: { '0': guildId },
        context: 0,
        ...(input.message ? { message: apiMessage(input.message) } : {}),
      });
      return { id, token };
    },
    /** Someone opens a thread from a message: the thread's channel id is the message id, as on Discord. */
    openThread(fromMessage: StoredMessage): string {
      if (!threads.has(fromMessage.id)) {
        threads.set(fromMessage.id, { id: fromMessage.id, parentId: fromMessage.channel_id });
        dispatch('THREAD_CREATE', { ...channelObject(fromMessage.id), newly_created: true });
      }
      return fromMessage.id;
    },
    /** Someone posts a message in a channel (or thread); `mention` puts `<@bot>` in front of it. */
    say(
      text: string,
      opts: {
        userId?: string;
        channelId?: string;
        mention?: boolean;
        replyTo?: string;
        direct?: boolean;
      } = {},
    ) {
      const id = newId();
      const author = member(opts.userId ?? '111').user;
      const content = opts.mention === false ? text : `<@${botId}> ${text}`;
      const channel = opts.channelId ?? channelId;
      if (opts.direct) directChannels.set(channel, author);
      dispatch('MESSAGE_CREATE', {
        id,
        type: opts.replyTo ? 19 : 0,
        channel_id: channel,
        channel_type: opts.direct ? 1 : threads.has(channel) ? 11 : 0,
        ...(opts.direct ? {} : { guild_id: guildId, member: { ...member(author.id), user: undefined } }),
        author,
        content,
        timestamp: new Date().toISOString(),
        edited_timestamp: null,
        tts: false,
        mention_everyone: false,
        mentions: opts.mention === false ? [] : [botUser],
        mention_roles: [],
        attachments: [],
        embeds: [],
        pinned: false,
        flags: 0,
        ...(opts.replyTo ? { message_reference: { message_id: opts.replyTo, channel_id: channel } } : {}),
      });
      return id;
    },
    interactionOf(token: string) {
      return interactions.get(token);
    },
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type DiscordStandIn = Awaited<ReturnType<typeof startDiscordStandIn>>;
