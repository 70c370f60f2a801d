/**
 * Megaphone as a Slack app (Bolt): `/megaphone <request>`, mentions, direct messages and replies in a
 * Megaphone thread all reach the router; every answer goes into the thread of its request as Block Kit, with
 * charts and exports uploaded as files. Socket Mode when an app token is configured, signed HTTP otherwise.
 *
 * Bolt is imported here only: it brings undici 7 (through @slack/socket-mode), so nothing outside this module
 * may import it (see the note on Slack and Discord in one process in the integration facts).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  App,
  type AppOptions,
  type Logger as BoltLogger,
  HTTPReceiver,
  LogLevel,
  type ReceiverEvent,
  SocketModeReceiver,
  webApi,
} from '@slack/bolt';
import type { Caller } from '../../core/command.ts';
import type { Delivery, DeliveryTarget } from '../../core/delivery.ts';
import { MegaphoneError, newReferenceId, UserError } from '../../core/errors.ts';
import type { Reply } from '../../core/reply.ts';
import type { Router } from '../../core/router.ts';
import type { Database } from '../../db/client.ts';
import { buildHome } from '../../home.ts';
import type { Logger } from '../../logger.ts';
import {
  ACTION_PREFIX,
  escapeText,
  fromSlackText,
  parseButtonValue,
  renderHome,
  renderReply,
} from './blocks.ts';
import { createSlackStore } from './store.ts';

type WebClient = webApi.WebClient;

export interface SlackAdapterConfig {
  /** Bot User OAuth Token (xoxb-...). */
  botToken: string;
  /** App-level token (xapp-...): Socket Mode when set. */
  appToken?: string | undefined;
  /** Verifies HTTP requests when not in Socket Mode. */
  signingSecret?: string | undefined;
  /** Web API base URL (default https://slack.com/api/); tests and proxies point it elsewhere. */
  apiUrl?: string | undefined;
  /** HTTP receiver port (0 = any free port); unused in Socket Mode. */
  port: number;
  /** Web API retries; default up to 5 in 5 minutes. Rate-limited calls (429) wait Retry-After, then retry. */
  retryConfig?: webApi.RetryOptions;
}

export interface SlackAdapterDeps {
  router: Router;
  database: Database;
  log: Logger;
}

export interface SlackAdapter {
  /** Connects (Socket Mode) or listens (HTTP); resolves with the HTTP port when listening. */
  start(): Promise<{ port?: number }>;
  /** Stops receiving, then waits for requests already being answered. */
  stop(): Promise<void>;
  /** Posts replies unprompted (scheduled digests). */
  delivery: Delivery;
  /** Resolves when every request received so far has been answered (graceful stops, tests). */
  idle(): Promise<void>;
}

const PROGRESS_REACTION = 'hourglass_flowing_sand';

/**
 * Bolt logs through ours (pino), so secrets stay redacted and levels follow LOG_LEVEL.
 *
 * @example
 * new App({ token, receiver, logger: boltLogger(log) });
 */
export function boltLogger(log: Logger): BoltLogger {
  const child = log.child({ component: 'slack' });
  // Bolt's debug lines can carry request bodies: tokens and socket tickets never reach our log.
  const line = (parts: unknown[]) =>
    parts
      .map((p) => (typeof p === 'string' ? p : p instanceof Error ? p.message : JSON.stringify(p)))
      .join(' ')
      .replace(/\b(xox[abpre]|xapp)-[A-Za-z0-9-]+/g, '$1-[redacted]')
      .replace(/([?&]ticket=)[^&\s"]+/g, '$1[redacted]');
  const level = (): LogLevel => {
    const l = child.level;
    if (l === 'debug' || l === 'trace') return LogLevel.DEBUG;
    if (l === 'info') return LogLevel.INFO;
    if (l === 'warn') return LogLevel.WARN;
    return LogLevel.ERROR;
  };
  return {
    debug: (...m: unknown[]) => child.debug(line(m)),
    info: (...m: unknown[]) => child.info(line(m)),
    warn: (...m: unknown[]) => child.warn(line(m)),
    error: (...m: unknown[]) => child.error(line(m)),
    setLevel: () => {},
    getLevel: level,
    setName: () => {},
  };
}

/** The Slack error code of a failed Web API call (`not_in_channel`, `invalid_blocks`, ...), if any. */
function slackErrorCode(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

/**
 * What to tell people when Slack refused to show (part of) an answer.
 *
 * @example
 * explainSlackError(error); // 'I’m not a member of this channel, ...' for not_in_channel
 */
export function explainSlackError(error: unknown): string {
  const code = slackErrorCode(error);
  switch (code) {
    case 'not_in_channel':
    case 'channel_not_found':
      return 'I’m not a member of this channel, so I can’t post here. Invite me with `/invite @Megaphone`, or message me directly.';
    case 'missing_scope':
      return 'This Slack app is missing a permission for that. Ask your Slack admin to reinstall Megaphone from slack/manifest.yml.';
    case 'is_archived':
      return 'This channel is archived, so I can’t post in it.';
    default:
      return `Slack refused to show part of this answer${code ? ` (${code})` : ''}.`;
  }
}

/**
 * Whether an event may lead to an answer. Every message in every channel Megaphone is in arrives as an event;
 * only the ones it may answer are worth a row in the dedupe table (the listeners ignore the rest anyway).
 */
function mayAnswer(event: Record<string, unknown> | undefined): boolean {
  if (event?.type !== 'message') return true;
  if (event.subtype !== undefined || event.bot_id !== undefined) return false;
  return event.channel_type === 'im' || event.thread_ts !== undefined;
}

/** Bolt listeners run to completion inside `processEvent`: counting them tells when all work is done. */
class TrackedApp extends App {
  readonly inflight = new Set<Promise<void>>();
  override processEvent(event: ReceiverEvent): Promise<void> {
    const work = super.processEvent(event);
    this.inflight.add(work);
    const done = () => this.inflight.delete(work);
    work.then(done, done);
    return work;
  }
}

/**
 * Creates the Slack adapter. Nothing connects until `start()`.
 *
 * @example
 * const slack = createSlackAdapter({ ...config.slack, port: config.port }, { router, database, log });
 * const { port } = await slack.start();
 * await slack.delivery.post({ channel: 'C0123' }, { title: 'Weekly digest', text: '...' });
 * await slack.stop();
 */
export function createSlackAdapter(config: SlackAdapterConfig, deps: SlackAdapterDeps): SlackAdapter {
  const { router, database } = deps;
  const log = deps.log.child({ adapter: 'slack' });
  const store = createSlackStore(database);
  const logger = boltLogger(deps.log);
  const slackApiUrl = config.apiUrl ? config.apiUrl.replace(/\/?$/, '/') : undefined;
  const clientOptions: webApi.WebClientOptions = {
    ...(slackApiUrl ? { slackApiUrl } : {}),
    retryConfig: config.retryConfig ?? webApi.retryPolicies.fiveRetriesInFiveMinutes,
  };
  const socketMode = Boolean(config.appToken);
  if (!socketMode && !config.signingSecret) {
    throw new MegaphoneError(
      'slack_config',
      'Slack needs SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP events) next to SLACK_BOT_TOKEN.',
    );
  }
  const receiver = socketMode
    ? new SocketModeReceiver({
        appToken: config.appToken!,
        logger,
        // The socket client makes its own Web API client (apps.connections.open): it needs the base URL too.
        installerOptions: { clientOptions: slackApiUrl ? { slackApiUrl } : {} },
      })
    : new HTTPReceiver({
        signingSecret: config.signingSecret!,
        logger,
        processBeforeResponse: false,
        customRoutes: [
          {
            path: '/healthz',
            method: 'GET',
            handler: (_req, res) => {
              res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
            },
          },
        ],
      });
  const options: AppOptions = {
    token: config.botToken,
    receiver,
    logger,
    clientOptions,
    convoStore: false,
    deferInitialization: true,
  };
  const app = new TrackedApp(options);

  async function react(client: WebClient, how: 'add' | 'remove', channel: string, ts: string): Promise<void> {
    try {
      await client.reactions[how]({ channel, timestamp: ts, name: PROGRESS_REACTION });
    } catch (error) {
      // The progress mark is a courtesy: never let it stand between a request and its answer.
      log.debug({ err: error, channel }, `reactions.${how} failed`);
    }
  }

  /**
   * Posts a reply (and its files) in a thread, or as a new message when no thread is given. Resolves with the
   * message ts; on failure rejects with Slack's error, after setting `sent.ts` when the message itself was posted.
   */
  async function send(
    client: WebClient,
    target: DeliveryTarget,
    reply: Reply,
    note: string | undefined,
    sent: { ts?: string | undefined },
  ): Promise<string | undefined> {
    const rendered = renderReply(reply, note ? { note } : {});
    const posted = await client.chat.postMessage({
      channel: target.channel,
      ...(target.thread ? { thread_ts: target.thread } : {}),
      text: rendered.text,
      // A reply of files only has no blocks: Slack refuses an empty block list.
      ...(rendered.blocks.length ? { blocks: rendered.blocks as unknown as webApi.KnownBlock[] } : {}),
      unfurl_links: false,
      unfurl_media: false,
    });
    sent.ts = posted.ts;
    if (rendered.files.length) {
      await client.files.uploadV2({
        channel_id: target.channel,
        thread_ts: target.thread ?? posted.ts!,
        file_uploads: rendered.files.map((f) => ({
          file: Buffer.from(f.data),
          filename: f.filename,
          title: f.filename,
          ...(f.altText ? { alt_text: f.altText } : {}),
        })),
      });
    }
    return posted.ts;
  }

  /**
   * Answers a request in its thread. Slack refusing any part is logged and said in the thread, so the person
   * who asked knows; resolves with the message ts when the message itself was posted.
   */
  async function postReply(
    client: WebClient,
    target: DeliveryTarget,
    reply: Reply,
    options: { note?: string } = {},
  ): Promise<string | undefined> {
    const sent: { ts?: string | undefined } = {};
    try {
      return await send(client, target, reply, options.note, sent);
    } catch (error) {
      const ref = newReferenceId();
      log.error(
        { err: error, ref, channel: target.channel, slackError: slackErrorCode(error) },
        'Slack refused an answer',
      );
      try {
        await client.chat.postMessage({
          channel: target.channel,
          ...(target.thread || sent.ts ? { thread_ts: target.thread ?? sent.ts } : {}),
          text: `:x: ${explainSlackError(error)} The details are in Megaphone’s log under reference ${ref}.`,
        });
      } catch (second) {
        log.error({ err: second, ref }, 'could not report the failure in Slack either');
      }
      return sent.ts;
    }
  }

  /**
   * Posts unprompted (scheduled digests): all or nothing, and silent in the channel on failure. A refused post
   * is logged and thrown, so the caller (the digest scheduler) retries and reports it; a message posted without
   * its files is deleted first, so the retry does not post it twice. Nobody in the channel asked for it, so no
   * error note goes there.
   */
  async function deliver(target: DeliveryTarget, reply: Reply): Promise<string> {
    const sent: { ts?: string | undefined } = {};
    try {
      return posted(await send(app.client, target, reply, undefined, sent));
    } catch (error) {
      log.warn(
        { err: error, channel: target.channel, slackError: slackErrorCode(error), partial: Boolean(sent.ts) },
        'Slack refused an unprompted post',
      );
      if (sent.ts) {
        try {
          await app.client.chat.delete({ channel: target.channel, ts: sent.ts });
        } catch (second) {
          log.error(
            { err: second, channel: target.channel, ts: sent.ts },
            'could not take back a post whose files Slack refused; a retry will repeat it',
          );
        }
      }
      throw new MegaphoneError(
        'slack_delivery',
        `Slack refused the post to ${target.channel}: ${slackErrorCode(error) ?? (error as Error).message}. ${explainSlackError(error)}`,
        { cause: error },
      );
    }
  }

  /** One request: mark it in progress, get the answer, post it in the thread, clear the mark. */
  async function converse(
    client: WebClient,
    request: { channel: string; threadTs: string; markTs: string; note?: string },
    answer: () => Promise<Reply>,
  ): Promise<void> {
    const { channel, threadTs, markTs } = request;
    await react(client, 'add', channel, markTs);
    try {
      await store.rememberThread(channel, threadTs);
      const reply = await answer();
      await postReply(
        client,
        { channel, thread: threadTs },
        reply,
        request.note ? { note: request.note } : {},
      );
    } catch (error) {
      // The router never throws; this is the database or Slack failing outright.
      const ref = newReferenceId();
      log.error({ err: error, ref, channel }, 'request failed');
      await postReply(
        client,
        { channel, thread: threadTs },
        {
          tone: 'error',
          text: `Something went wrong on our side and the request was not completed (reference ${ref}).`,
        },
      );
    } finally {
      await react(client, 'remove', channel, markTs);
    }
  }

  const caller = (userId: string, channelId: string, threadTs: string): Caller => ({
    platform: 'slack',
    userId,
    channelId,
    conversationId: `slack:${channelId}:${threadTs}`,
  });

  // Each event once: Slack redelivers events it thinks were not acknowledged (x-slack-retry-num).
  app.use(async ({ body, next }) => {
    const {
      type,
      event_id: eventId,
      event,
    } = body as {
      type?: string;
      event_id?: unknown;
      event?: Record<string, unknown>;
    };
    if (type === 'event_callback' && typeof eventId === 'string' && mayAnswer(event)) {
      let first = true;
      try {
        first = await store.claimEvent(eventId);
      } catch (error) {
        // Without the database we cannot tell; answering twice beats not answering.
        log.warn({ err: error, eventId }, 'could not check for a redelivered event');
      }
      if (!first) {
        log.info({ eventId }, 'redelivered Slack event ignored');
        return;
      }
    }
    await next();
  });

  // Any slash command this app owns (the manifest names it /megaphone; a team may rename it).
  app.command(/.+/, async ({ command, ack, client, respond }) => {
    await ack();
    const request = fromSlackText(command.text);
    let parentTs: string;
    try {
      const parent = await client.chat.postMessage({
        channel: command.channel_id,
        text: `<@${command.user_id}> asked: ${escapeText(request || 'help')}`,
        blocks: [
          {
            type: 'section',
            text: { type: 'mrkdwn', text: `<@${command.user_id}> asked:\n>${escapeText(request || 'help')}` },
          },
        ],
        unfurl_links: false,
      });
      parentTs = posted(parent.ts);
    } catch (error) {
      log.warn({ err: error, channel: command.channel_id }, 'could not start a thread for a slash command');
      await respond({ response_type: 'ephemeral', text: explainSlackError(error) }).catch((e: unknown) =>
        log.error({ err: e }, 'could not answer the slash command at all'),
      );
      return;
    }
    const who = caller(command.user_id, command.channel_id, parentTs);
    await converse(client, { channel: command.channel_id, threadTs: parentTs, markTs: parentTs }, () =>
      router.handle(request, who),
    );
  });

  app.event('app_mention', async ({ event, client, context }) => {
    // Direct messages arrive as message.im as well; answer them there, once.
    if (event.channel.startsWith('D') || !event.user) return;
    const threadTs = event.thread_ts ?? event.ts;
    const who = caller(event.user, event.channel, threadTs);
    await converse(client, { channel: event.channel, threadTs, markTs: event.ts }, () =>
      router.handle(fromSlackText(event.text, context.botUserId), who),
    );
  });

  app.message(async ({ message, client, context }) => {
    // Edits, joins, bot posts and other subtypes are not requests.
    if (message.subtype !== undefined) return;
    if (message.bot_id || !message.user) return;
    const text = message.text ?? '';
    const inThread = message.thread_ts !== undefined && message.thread_ts !== message.ts;
    if (message.channel_type !== 'im') {
      if (!inThread) return;
      // A mention is answered as app_mention; a reply addressed to someone else is people talking.
      if (context.botUserId && text.includes(`<@${context.botUserId}>`)) return;
      if (/^\s*<@[A-Z0-9_]+(\|[^>]*)?>/i.test(text)) return;
      if (!(await store.isMegaphoneThread(message.channel, message.thread_ts!))) return;
    }
    const threadTs = message.thread_ts ?? message.ts;
    const who = caller(message.user, message.channel, threadTs);
    await converse(client, { channel: message.channel, threadTs, markTs: message.ts }, () =>
      router.handle(fromSlackText(text, context.botUserId), who),
    );
  });

  app.action(new RegExp(`^${ACTION_PREFIX}:`), async ({ ack, body, action, client }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'button') return;
    const button = action as { action_id: string; value?: string; text: { text: string } };
    const payload = parseButtonValue(button.value);
    if (!payload) {
      log.warn({ actionId: button.action_id }, 'button press without a Megaphone payload');
      return;
    }
    const userId = body.user.id;
    const label = button.text.text;
    log.info({ user: userId, action: payload.action, channel: body.channel?.id }, 'button pressed');
    let channel = body.channel?.id;
    let threadTs = body.message
      ? ((body.message.thread_ts as string | undefined) ?? body.message.ts)
      : undefined;
    let markTs = body.message?.ts;
    if (!channel || !threadTs || !markTs) {
      // Pressed on the Home tab: answer in a direct message, in a thread of its own.
      const dm = await client.conversations.open({ users: userId });
      channel = posted(dm.channel?.id);
      const parent = await client.chat.postMessage({
        channel,
        text: `You pressed ${label} on the Home tab.`,
        blocks: [
          {
            type: 'section',
            text: { type: 'mrkdwn', text: `You pressed *${escapeText(label)}* on the Home tab.` },
          },
        ],
      });
      threadTs = markTs = posted(parent.ts);
    }
    const who = caller(userId, channel, threadTs);
    await converse(
      client,
      { channel, threadTs, markTs, note: `<@${userId}> pressed *${escapeText(label)}*` },
      () => router.press(payload, who),
    );
  });

  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    try {
      // The Home tab sits in the person's direct message channel with the app: the same rules as a DM apply.
      const sections = await buildHome(
        {
          database,
          access: router.access,
          caller: {
            platform: 'slack',
            userId: event.user,
            channelId: event.channel,
            conversationId: `slack:home:${event.user}`,
          },
        },
        log,
      );
      await client.views.publish({ user_id: event.user, view: renderHome(sections) as never });
    } catch (error) {
      log.error(
        { err: error, user: event.user, slackError: slackErrorCode(error) },
        'could not publish the Home tab',
      );
    }
  });

  app.error(async (error) => {
    log.error({ err: error }, 'unhandled Slack error');
  });

  async function idle(): Promise<void> {
    while (app.inflight.size) await Promise.allSettled([...app.inflight]);
  }

  return {
    async start() {
      // The token is checked first with a client that gives up after one retry: the adapter's own client
      // retries for minutes, and at start-up that looked like a hang with only warnings in the log.
      const check = new webApi.WebClient(config.botToken, {
        ...(slackApiUrl ? { slackApiUrl } : {}),
        retryConfig: { retries: 1, minTimeout: 500, maxTimeout: 1000 },
        timeout: 10_000,
        logger,
      });
      try {
        await check.auth.test();
        await app.init();
      } catch (error) {
        const code = slackErrorCode(error);
        // The setup's problem, said plainly (no reference id): which setting to fix, or what could not be reached.
        throw new UserError(
          'slack_auth',
          code === 'invalid_auth' || code === 'not_authed' || code === 'token_revoked'
            ? `Slack refused SLACK_BOT_TOKEN (${code}). Copy the Bot User OAuth Token (xoxb-...) from your app's OAuth & Permissions page, and reinstall the app if it was revoked.`
            : `Could not reach Slack at ${slackApiUrl ?? 'https://slack.com/api/'} to check SLACK_BOT_TOKEN: ${(error as Error).message}. ` +
                'Check the network (and SLACK_API_URL if set), then start again.',
          { cause: error },
        );
      }
      await store.purge();
      if (socketMode) {
        try {
          await app.start();
        } catch (error) {
          const code = slackErrorCode(error);
          throw new UserError(
            'slack_socket',
            code
              ? `Slack refused SLACK_APP_TOKEN (${code}). Generate an app-level token with the connections:write scope (app settings → Basic Information → App-Level Tokens), and check that Socket Mode is on.`
              : `Could not open the Socket Mode connection to Slack: ${(error as Error).message}`,
            { cause: error },
          );
        }
        log.info('connected to Slack (Socket Mode)');
        return {};
      }
      const server = (await app.start(config.port)) as Server;
      const port = (server.address() as AddressInfo).port;
      log.info({ port }, 'listening for Slack events (HTTP)');
      return { port };
    },
    async stop() {
      await app.stop();
      await idle();
    },
    idle,
    delivery: {
      platform: 'slack',
      async post(target, reply) {
        return { messageRef: await deliver(target, reply) };
      },
    },
  };
}

/** Slack answers a successful post with its ts; a missing one is a broken answer, not a case to handle. */
function posted(ts: string | undefined): string {
  if (!ts) throw new MegaphoneError('slack_no_ts', 'Slack answered without a message id');
  return ts;
}
