import { randomBytes } from 'node:crypto';
/**
 * Drives the real Slack adapter (Bolt, HTTP receiver on loopback) through the Slack stand-in, as the shared
 * adapter contract and the Slack tests need: a person asks, presses, and we read what Slack would show.
 */

import {
  createSlackAdapter,
  type SlackAdapter,
  type SlackAdapterConfig,
} from '../../src/adapters/slack/adapter.ts';
import type { Router } from '../../src/core/router.ts';
import type { AdapterHarness, AskOptions, HarnessEnv, Posted } from '../adapter-contract.ts';
import { type SlackStandIn, type StoredMessage, slackPlatform, startSlackStandIn } from './slack.ts';

export const SIGNING_SECRET = 'stand-in-signing-secret-0123456789';

export interface SlackHarness extends AdapterHarness {
  api: SlackStandIn;
  adapter: SlackAdapter;
  platform: ReturnType<typeof slackPlatform>;
  /** A new message ts, as Slack gives people's messages. */
  personTs(): string;
  /** Everything posted or edited since `mark()`. */
  since(mark: Map<string, number>): Posted[];
  mark(): Map<string, number>;
  /** The stored message a Posted came from. */
  messageOf(posted: Posted): StoredMessage;
  eventId(): string;
}

function blockTexts(value: unknown, out: string[]): void {
  if (Array.isArray(value)) {
    for (const v of value) blockTexts(v, out);
  } else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.text === 'string' && o.type !== 'button') out.push(o.text);
    for (const [k, v] of Object.entries(o)) if (k !== 'text' || typeof v !== 'string') blockTexts(v, out);
  }
}

export function toPosted(m: StoredMessage): Posted {
  const texts: string[] = [];
  blockTexts(
    m.blocks.filter((b) => b.type !== 'actions'),
    texts,
  );
  if (texts.length === 0 && m.text) texts.push(m.text);
  const buttons = m.blocks
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements as { action_id: string; text: { text: string }; value: string }[])
    .map((e) => ({ actionId: e.action_id, label: e.text.text, value: e.value }));
  return {
    channel: m.channel,
    thread: m.threadTs ?? m.ts,
    text: texts.join('\n'),
    buttons,
    files: m.files.map((f) => ({
      filename: f.filename,
      bytes: f.bytes,
      ...(f.altText ? { altText: f.altText } : {}),
    })),
  };
}

export async function createSlackHarness(
  router: Router,
  env: HarnessEnv,
  config: Partial<SlackAdapterConfig> = {},
): Promise<SlackHarness> {
  const api = await startSlackStandIn();
  const adapter = createSlackAdapter(
    {
      botToken: api.botToken,
      signingSecret: SIGNING_SECRET,
      apiUrl: api.apiUrl,
      port: 0,
      retryConfig: { retries: 0 },
      ...config,
    },
    { router, database: env.database, log: env.log },
  );
  const { port } = await adapter.start();
  const platform = slackPlatform(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET);
  const origin = new WeakMap<Posted, StoredMessage>();
  let people = 0;
  let events = 0;
  const runId = randomBytes(4).toString('hex').toUpperCase();

  const mark = () => new Map(api.messages().map((m) => [m.ts, m.edits]));
  const since = (before: Map<string, number>): Posted[] =>
    api
      .messages()
      .filter((m) => before.get(m.ts) !== m.edits)
      .map((m) => {
        const p = toPosted(m);
        origin.set(p, m);
        return p;
      });

  async function expectOk(response: Response): Promise<void> {
    if (response.status !== 200)
      throw new Error(`Slack request refused: ${response.status} ${await response.text()}`);
  }

  const harness: SlackHarness = {
    api,
    adapter,
    platform,
    mark,
    since,
    personTs: () => `9${String(++people).padStart(9, '0')}.000100`,
    // Event ids are unique across a workspace: harnesses sharing a database must not collide.
    eventId: () => `Ev${runId}${String(++events).padStart(6, '0')}`,
    messageOf(posted) {
      const m = origin.get(posted);
      if (!m) throw new Error('not a message from this harness');
      return m;
    },
    async ask(text: string, options: AskOptions = {}) {
      const user = options.user ?? 'U_ASKER';
      const channel = options.channel ?? 'C_MARKETING';
      const before = mark();
      if (options.thread) {
        await expectOk(
          await platform.event(
            {
              type: 'app_mention',
              user,
              text: `<@${api.botUserId}> ${text}`,
              ts: harness.personTs(),
              thread_ts: options.thread,
              channel,
            },
            harness.eventId(),
          ),
        );
      } else {
        await expectOk(await platform.command({ text, user, channel, responseUrl: `${api.url}response/1` }));
      }
      await adapter.idle();
      return since(before);
    },
    async press(on: Posted, label: string, options: { user?: string } = {}) {
      const message = harness.messageOf(on);
      const button = on.buttons.find((b) => b.label === label);
      if (!button) throw new Error(`no button labelled ${label}`);
      const user = options.user ?? 'U_ASKER';
      const before = mark();
      await expectOk(
        await platform.blockActions({
          user: { id: user, username: user.toLowerCase(), team_id: 'T0STANDIN' },
          api_app_id: 'A0MEGAPHONE',
          team: { id: 'T0STANDIN', domain: 'stand-in' },
          container: {
            type: 'message',
            message_ts: message.ts,
            channel_id: message.channel,
            is_ephemeral: false,
          },
          channel: { id: message.channel, name: 'marketing' },
          message: {
            type: 'message',
            ts: message.ts,
            ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
            text: message.text,
            blocks: message.blocks,
          },
          trigger_id: 'trigger-press',
          response_url: `${api.url}response/2`,
          actions: [
            {
              type: 'button',
              action_id: button.actionId,
              block_id: 'actions',
              text: { type: 'plain_text', text: button.label, emoji: true },
              value: button.value,
              action_ts: String(Date.now() / 1000),
            },
          ],
        }),
      );
      await adapter.idle();
      return since(before);
    },
    async close() {
      await adapter.stop();
      await api.close();
    },
  };
  return harness;
}
