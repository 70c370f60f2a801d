/**
 * Megaphone in Discord: slash commands (one per chat command, plus `/megaphone request:<text>`), mentions of
 * the bot, buttons, and unprompted posts for digests, all through the real discord.js client.
 */

import type {
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  Client,
  Interaction,
  Message,
  MessageCreateOptions,
  RESTOptions,
} from 'discord.js';
import { Routes } from 'discord-api-types/v10';
import type { Config } from '../../config.ts';
import type { Caller } from '../../core/command.ts';
import type { Delivery } from '../../core/delivery.ts';
import { MegaphoneError, newReferenceId, UserError } from '../../core/errors.ts';
import type { Reply } from '../../core/reply.ts';
import type { Router } from '../../core/router.ts';
import type { Database } from '../../db/client.ts';
import type { Logger } from '../../logger.ts';
import { listSegments } from '../../segments/service.ts';
import { type DiscordJs, loadDiscordJs } from './discord-js.ts';
import { discordAgent } from './dispatcher.ts';
import { decodeButton, type OutgoingMessage, renderDiscordReply } from './render.ts';
import { buildSlashCommands, GENERAL_COMMAND, GENERAL_OPTION, truncate } from './slash.ts';

export type DiscordConfig = NonNullable<Config['discord']>;

export interface DiscordAdapterDeps {
  router: Router;
  database: Database;
  log: Logger;
  /** The clock, in milliseconds (tests move it past the 15-minute life of an interaction token). */
  now?: () => number;
}

export interface DiscordAdapter {
  /** Logs in and resolves once the gateway session is ready. */
  start(): Promise<void>;
  /** Waits for answers in flight, then disconnects. */
  stop(): Promise<void>;
  /** Posts replies to a channel (or thread) unprompted: scheduled digests. */
  delivery: Delivery;
  /** Resolves when no request is being answered. */
  idle(): Promise<void>;
  /** The discord.js client, once started. */
  readonly client: Client | undefined;
}

/** A deferred interaction token lives 15 minutes; after 14 the answer goes to the channel instead. */
export const TOKEN_LIFE_MS = 15 * 60_000;
const TOKEN_MARGIN_MS = 60_000;
const KNOWN_MESSAGES = 10_000;

function payload(message: OutgoingMessage, extra: { content?: string; userToPing?: string } = {}) {
  return {
    content: extra.content ?? message.content ?? '',
    embeds: message.embeds,
    components: message.components,
    files: message.files.map((f) => ({
      attachment: f.data,
      name: f.name,
      ...(f.description ? { description: f.description } : {}),
    })),
    // Data in a reply (a segment name, a product) must never ping anyone.
    allowedMentions: { parse: [], users: extra.userToPing ? [extra.userToPing] : [] },
  } satisfies MessageCreateOptions;
}

function apiErrorText(djs: DiscordJs, error: unknown): string {
  if (error instanceof djs.DiscordAPIError) {
    return `Discord refused the answer: ${truncate(error.message.replace(/\s+/g, ' '), 900)} (code ${error.code}, HTTP ${error.status}).`;
  }
  return `Discord refused the answer: ${truncate(String((error as Error)?.message ?? error), 900)}.`;
}

/**
 * Creates the Discord adapter. Conversations: a slash command starts one (keyed by the interaction id); a
 * thread opened from the answer, a reply to it, a button on it and slash commands in that thread continue
 * it. Access control and masking happen in the router.
 *
 * @example
 * const discord = createDiscordAdapter(config.discord, { router, database, log });
 * await discord.start();
 * await discord.delivery.post({ channel: '123456789012345678' }, { title: 'Weekly digest', text: '...' });
 */
export function createDiscordAdapter(config: DiscordConfig, deps: DiscordAdapterDeps): DiscordAdapter {
  const { router, database } = deps;
  const log = deps.log.child({ platform: 'discord' });
  const now = deps.now ?? Date.now;
  const { bindings } = buildSlashCommands(router.commands);
  let djs: DiscordJs;
  let client: Client;

  /** Message id → conversation, for answers we posted (a thread opened from one continues it). */
  const known = new Map<string, string>();
  const remember = (messageId: string, conversationId: string) => {
    known.set(messageId, conversationId);
    if (known.size > KNOWN_MESSAGES) known.delete(known.keys().next().value!);
  };

  const inFlight = new Set<Promise<void>>();
  function track(work: Promise<void>): void {
    const guarded = work.catch((error) => {
      log.error({ err: error, ref: newReferenceId() }, 'discord event failed');
    });
    inFlight.add(guarded);
    guarded.finally(() => inFlight.delete(guarded));
  }

  /** The conversation a message belongs to (after a restart, read from the message itself). */
  async function conversationOfMessage(channelId: string, messageId: string): Promise<string> {
    const remembered = known.get(messageId);
    if (remembered) return remembered;
    try {
      const raw = (await client.rest.get(Routes.channelMessage(channelId, messageId))) as {
        interaction_metadata?: { id: string };
        message_reference?: { message_id?: string };
      };
      const anchor = raw.interaction_metadata?.id ?? raw.message_reference?.message_id ?? messageId;
      return `discord:${anchor}`;
    } catch {
      return `discord:${messageId}`;
    }
  }

  /** A thread opened from a message continues that message's conversation. */
  async function conversationOfThread(thread: { id: string; parentId: string | null }): Promise<string> {
    return thread.parentId ? conversationOfMessage(thread.parentId, thread.id) : `discord:${thread.id}`;
  }

  function callerOf(
    user: { id: string },
    channel: { id: string; isThread(): boolean; parentId?: string | null } | null,
    channelId: string,
    conversationId: string,
  ): Caller {
    // A thread is governed by the channel it belongs to.
    const parent = channel?.isThread() ? channel.parentId : undefined;
    return { platform: 'discord', userId: user.id, channelId: parent ?? channelId, conversationId };
  }

  async function postToChannel(
    channelId: string,
    messages: OutgoingMessage[],
    options: { replyTo?: string; ping?: string; conversationId?: string } = {},
  ): Promise<Message[]> {
    const channel = await client.channels.fetch(channelId);
    if (!channel?.isSendable()) {
      throw new MegaphoneError('discord_channel', `Megaphone cannot post in Discord channel ${channelId}.`);
    }
    const sent: Message[] = [];
    for (const [i, message] of messages.entries()) {
      const ping = i === 0 && options.ping ? `<@${options.ping}>` : undefined;
      const sentMessage = await channel.send({
        ...payload(message, { ...(ping ? { content: ping, userToPing: options.ping } : {}) }),
        ...(i === 0 && options.replyTo
          ? { reply: { messageReference: options.replyTo, failIfNotExists: false } }
          : {}),
      });
      if (options.conversationId) remember(sentMessage.id, options.conversationId);
      sent.push(sentMessage);
    }
    return sent;
  }

  type Answerable = ChatInputCommandInteraction | ButtonInteraction;

  /** Edits the deferred reply (follow-ups for the rest), or posts in the channel once the token is too old. */
  async function answer(
    interaction: Answerable,
    reply: Reply,
    caller: Caller,
    receivedAt: number,
    deferred: boolean,
  ) {
    const messages = renderDiscordReply(reply);
    const fresh = () => now() - receivedAt < TOKEN_LIFE_MS - TOKEN_MARGIN_MS;
    if (!deferred || !fresh()) {
      log.info(
        { interaction: interaction.id, deferred },
        'interaction token unusable: answering in the channel',
      );
      await postToChannel(interaction.channelId, messages, {
        ping: interaction.user.id,
        conversationId: caller.conversationId,
      });
      return;
    }
    try {
      const [first, ...rest] = messages;
      const edited = await interaction.editReply(payload(first!));
      remember(edited.id, caller.conversationId);
      for (const [i, message] of rest.entries()) {
        if (!fresh()) {
          await postToChannel(interaction.channelId, rest.slice(i), {
            conversationId: caller.conversationId,
          });
          break;
        }
        const followUp = await interaction.followUp(payload(message));
        remember(followUp.id, caller.conversationId);
      }
    } catch (error) {
      const ref = newReferenceId();
      log.error({ err: error, ref, interaction: interaction.id }, 'discord refused an answer');
      const text = `${apiErrorText(djs, error)} The answer could not be shown (reference ${ref}); try again, or narrow the request.`;
      const refusal = renderDiscordReply({ tone: 'error', text })[0]!;
      await interaction.followUp(payload(refusal)).catch((again) => {
        log.error({ err: again, ref }, 'discord refused the error report too');
      });
    }
  }

  /** Acknowledges within Discord's 3 seconds; when that fails the answer still comes, in the channel. */
  async function defer(interaction: Answerable): Promise<boolean> {
    try {
      await interaction.deferReply();
      return true;
    } catch (error) {
      log.warn({ err: error, interaction: interaction.id }, 'could not defer an interaction');
      return false;
    }
  }

  async function onSlashCommand(interaction: ChatInputCommandInteraction): Promise<void> {
    const receivedAt = now();
    const deferred = await defer(interaction);
    const channel = interaction.channel;
    const conversationId =
      channel?.isThread() === true ? await conversationOfThread(channel) : `discord:${interaction.id}`;
    const caller = callerOf(interaction.user, channel, interaction.channelId, conversationId);
    let reply: Reply;
    if (interaction.commandName === GENERAL_COMMAND) {
      reply = await router.handle(interaction.options.getString(GENERAL_OPTION, true), caller);
    } else {
      const binding = bindings.get(interaction.commandName);
      if (!binding) {
        reply = {
          tone: 'warning',
          text: `This server has an old /${interaction.commandName} command that Megaphone no longer knows. Ask your admin to run \`npm run discord:register\`; meanwhile use /megaphone.`,
        };
      } else {
        const args: Record<string, unknown> = {};
        for (const option of interaction.options.data) {
          const key = binding.keys.get(option.name);
          if (key) args[key] = option.value;
        }
        reply = await router.run(binding.command.name, args, caller);
      }
    }
    await answer(interaction, reply, caller, receivedAt, deferred);
  }

  async function onButton(interaction: ButtonInteraction): Promise<void> {
    const receivedAt = now();
    const deferred = await defer(interaction);
    const message = interaction.message;
    const conversationId =
      known.get(message.id) ??
      (message.interactionMetadata ? `discord:${message.interactionMetadata.id}` : undefined) ??
      (interaction.channel?.isThread() ? await conversationOfThread(interaction.channel) : undefined) ??
      (await conversationOfMessage(message.channelId, message.id));
    const caller = callerOf(interaction.user, interaction.channel, interaction.channelId, conversationId);
    const button = decodeButton(interaction.customId);
    const reply: Reply = button
      ? await router.press(button, caller)
      : {
          tone: 'warning',
          text: 'This button belongs to an older version of Megaphone. Ask again to get fresh buttons.',
        };
    await answer(interaction, reply, caller, receivedAt, deferred);
  }

  async function onAutocomplete(interaction: AutocompleteInteraction): Promise<void> {
    const focused = interaction.options.getFocused(true);
    const binding = bindings.get(interaction.commandName);
    // Saved segment names are Megaphone's data: nobody refused by the access rules is shown them.
    const who = callerOf(
      interaction.user,
      interaction.channel,
      interaction.channelId,
      'discord:autocomplete',
    );
    if (!binding?.segmentOptions.has(focused.name) || !router.access.check(who).allowed) {
      await interaction.respond([]);
      return;
    }
    const typed = String(focused.value).trim().toLowerCase();
    const names = (await listSegments(database))
      .map((s) => s.name)
      .filter((name) => name.toLowerCase().includes(typed))
      .sort((a, b) => Number(!a.toLowerCase().startsWith(typed)) - Number(!b.toLowerCase().startsWith(typed)))
      .slice(0, 25);
    await interaction.respond(names.map((name) => ({ name: truncate(name, 100), value: name })));
  }

  async function onMessage(message: Message): Promise<void> {
    const me = client.user;
    const channel = message.channel;
    // In a direct message every message is for Megaphone; in a server only those that mention it.
    const direct = channel.isDMBased();
    if (!me || message.author.bot || (!direct && !message.mentions.users.has(me.id))) return;
    const text = message.content.replace(new RegExp(`<@!?${me.id}>`, 'g'), ' ').trim();
    let conversationId: string;
    if (direct) {
      conversationId = `discord:dm:${channel.id}`;
    } else if (message.reference?.messageId) {
      conversationId = await conversationOfMessage(message.channelId, message.reference.messageId);
    } else if (channel.isThread()) {
      conversationId = await conversationOfThread(channel);
    } else {
      conversationId = `discord:${message.id}`;
    }
    if (channel.isSendable()) await channel.sendTyping().catch(() => {});
    const caller = callerOf(message.author, channel, message.channelId, conversationId);
    const reply = await router.handle(text, caller);
    const messages = renderDiscordReply(reply);
    try {
      // In a thread the answer simply follows; in a channel it replies to the message it answers.
      await postToChannel(message.channelId, messages, {
        ...(channel.isThread() || direct ? {} : { replyTo: message.id }),
        conversationId,
      });
    } catch (error) {
      const ref = newReferenceId();
      log.error({ err: error, ref }, 'discord refused an answer');
      const refusal = renderDiscordReply({
        tone: 'error',
        text: `${apiErrorText(djs, error)} The answer could not be shown (reference ${ref}).`,
      });
      await postToChannel(message.channelId, refusal, { replyTo: message.id }).catch(() => {});
    }
  }

  async function connect(): Promise<void> {
    djs = await loadDiscordJs();
    const { Events, GatewayIntentBits, Partials } = djs;
    const rest: Partial<RESTOptions> = { agent: discordAgent() };
    if (config.apiUrl) rest.api = config.apiUrl.replace(/\/+$/, '');
    client = new djs.Client({
      // None of these is privileged: mentions carry their text without the Message Content intent.
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages],
      partials: [Partials.Channel],
      rest,
      allowedMentions: { parse: [] },
    });
    client.on(Events.InteractionCreate, (interaction: Interaction) => {
      if (interaction.isAutocomplete()) track(onAutocomplete(interaction));
      else if (interaction.isChatInputCommand()) track(onSlashCommand(interaction));
      else if (interaction.isButton()) track(onButton(interaction));
    });
    client.on(Events.MessageCreate, (message) => track(onMessage(message)));
    client.on(Events.Error, (error) => log.error({ err: error }, 'discord client error'));
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    try {
      await client.login(config.token);
    } catch (error) {
      await client.destroy().catch(() => {});
      // The setup's problem, said plainly (no reference id): which setting to fix, or what could not be reached.
      const e = error as { code?: unknown; status?: unknown; message?: string };
      const refused = e.code === 'TokenInvalid' || e.status === 401;
      throw new UserError(
        'discord_login',
        refused
          ? 'Discord refused DISCORD_TOKEN. Copy the bot token from the developer portal (your application → Bot → Reset Token), and check it is the bot of DISCORD_APPLICATION_ID.'
          : `Could not reach Discord at ${config.apiUrl ?? 'https://discord.com/api'} to log in: ${e.message ?? String(error)}. ` +
              'Check the network (and DISCORD_API_URL if set), then start again.',
        { cause: error },
      );
    }
    await ready;
  }

  const delivery: Delivery = {
    platform: 'discord',
    async post(target, reply) {
      if (!client?.isReady()) {
        throw new MegaphoneError(
          'discord_not_started',
          'Discord is not connected yet: start the adapter first.',
        );
      }
      const sent = await postToChannel(target.thread ?? target.channel, renderDiscordReply(reply));
      return { messageRef: sent[0]!.id };
    },
  };

  async function idle(): Promise<void> {
    while (inFlight.size) await Promise.all([...inFlight]);
  }

  return {
    get client() {
      return client;
    },
    delivery,
    idle,
    async start() {
      await connect();
      log.info({ user: client.user?.tag, commands: bindings.size + 1 }, 'discord connected');
    },
    async stop() {
      await idle();
      await client?.destroy();
    },
  };
}
