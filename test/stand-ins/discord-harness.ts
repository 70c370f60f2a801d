/**
 * Drives the real Discord adapter (real discord.js client) through the Discord stand-in: a person asks with
 * `/megaphone request:...` (or mentions the bot in a thread opened from an answer), presses buttons, and
 * everything Megaphone posted or edited comes back as `Posted` messages for the shared adapter contract.
 */
import { createDiscordAdapter, type DiscordAdapter } from '../../src/adapters/discord/adapter.ts';
import type { Router } from '../../src/core/router.ts';
import type { Database } from '../../src/db/client.ts';
import { createLogger } from '../../src/logger.ts';
import type { AdapterHarness, AskOptions, Posted } from '../adapter-contract.ts';
import { type DiscordStandIn, type StoredMessage, startDiscordStandIn } from './discord.ts';

export interface DiscordHarness extends AdapterHarness {
  standIn: DiscordStandIn;
  adapter: DiscordAdapter;
  /** Sends one interaction and waits until the adapter has finished answering it. */
  interact(
    input: Parameters<DiscordStandIn['interact']>[0],
  ): Promise<{ id: string; token: string; posted: Posted[] }>;
  /** Runs `send` and waits until the adapter has handled what it caused; returns the messages it touched. */
  settle(send: () => unknown): Promise<Posted[]>;
  stored(posted: Posted): StoredMessage;
}

/** Starts a stand-in and the real adapter logged in to it. */
export async function startDiscordHarness(
  router: Router,
  database: Database,
  options: { now?: () => number } = {},
): Promise<DiscordHarness> {
  const standIn = await startDiscordStandIn();
  const adapter = createDiscordAdapter(
    {
      token: 'test-token',
      applicationId: standIn.applicationId,
      guildId: standIn.guildId,
      apiUrl: standIn.apiUrl,
    },
    { router, database, log: createLogger('silent'), ...(options.now ? { now: options.now } : {}) },
  );
  await adapter.start();
  const origin = new WeakMap<Posted, StoredMessage>();

  function threadOf(m: StoredMessage): string {
    if (m.token) return standIn.interactionOf(m.token)?.originalId ?? m.id;
    if (standIn.messages.some((x) => x.id === m.channel_id)) return m.channel_id;
    return m.message_reference?.message_id ?? m.id;
  }

  function toPosted(m: StoredMessage): Posted {
    const text: string[] = [];
    if (m.content) text.push(m.content);
    for (const e of m.embeds as {
      title?: string;
      description?: string;
      fields?: { name: string; value: string }[];
      footer?: { text: string };
    }[]) {
      if (e.title) text.push(e.title);
      if (e.description) text.push(e.description);
      for (const f of e.fields ?? []) text.push(`${f.name}: ${f.value}`);
      if (e.footer) text.push(e.footer.text);
    }
    const buttons = (m.components as { components?: { custom_id?: string; label?: string }[] }[]).flatMap(
      (row) =>
        (row.components ?? []).map((b) => ({
          actionId: b.custom_id ?? '',
          label: b.label ?? '',
          value: b.custom_id ?? '',
        })),
    );
    const files = m.attachments.map((a) => ({
      filename: a.filename,
      bytes: m.files.get(a.filename) ?? new Uint8Array(),
      ...(a.description ? { altText: a.description } : {}),
    }));
    // What a person sees: Discord shows **bold** without its asterisks.
    const visible = text.join('\n').replace(/\*\*([^*\n]+)\*\*/g, '$1');
    const posted: Posted = { channel: m.channel_id, thread: threadOf(m), text: visible, buttons, files };
    origin.set(posted, m);
    return posted;
  }

  async function settle(send: () => unknown): Promise<Posted[]> {
    const requestsBefore = standIn.requests.length;
    const touchedBefore = standIn.touched.length;
    send();
    // The adapter always calls the API for what it receives (defer, typing, lookup); from then on the
    // answer is in flight and idle() waits for it.
    const deadline = Date.now() + 20_000;
    while (standIn.requests.length === requestsBefore) {
      if (Date.now() > deadline) throw new Error('the adapter made no API call for what was sent');
      await new Promise((r) => setTimeout(r, 5));
    }
    await adapter.idle();
    const ids = [...new Set(standIn.touched.slice(touchedBefore))];
    return ids
      .map((id) => standIn.messages.find((m) => m.id === id)!)
      .filter((m) => m.content || m.embeds.length || m.attachments.length)
      .map(toPosted);
  }

  return {
    standIn,
    adapter,
    settle,
    stored: (posted) => origin.get(posted)!,
    async interact(input) {
      let sent = { id: '', token: '' };
      const posted = await settle(() => {
        sent = standIn.interact(input);
      });
      return { ...sent, posted };
    },
    async ask(text: string, opts: AskOptions = {}) {
      const userId = opts.user ?? '111';
      if (opts.thread) {
        const anchor = standIn.messages.find((m) => m.id === opts.thread);
        const thread = anchor ? standIn.openThread(anchor) : opts.thread;
        return settle(() => standIn.say(text, { userId, channelId: thread }));
      }
      return settle(() =>
        standIn.interact({
          type: 2,
          userId,
          ...(opts.channel ? { channelId: opts.channel } : {}),
          data: {
            id: '900000000000000050',
            name: 'megaphone',
            type: 1,
            options: [{ name: 'request', type: 3, value: text }],
          },
        }),
      );
    },
    async press(on: Posted, label: string, opts: { user?: string } = {}) {
      const message = origin.get(on);
      if (!message) throw new Error('press: that message was not posted through this harness');
      const button = on.buttons.find((b) => b.label === label);
      if (!button) throw new Error(`press: no button labelled "${label}"`);
      return settle(() =>
        standIn.interact({
          type: 3,
          userId: opts.user ?? '111',
          channelId: message.channel_id,
          message,
          data: { custom_id: button.actionId, component_type: 2 },
        }),
      );
    },
    async close() {
      await adapter.stop();
      await standIn.close();
    },
  };
}
