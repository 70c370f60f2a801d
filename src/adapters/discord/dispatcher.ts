/**
 * A connection pool of discord.js's own undici for its REST client.
 *
 * Without one, discord.js sends through undici's process-wide dispatcher, which is whichever undici loaded
 * first. `@slack/bolt` brings undici 7 (through `@slack/socket-mode`); when it loads first, every Discord
 * upload fails with `TypeError: action is not a function` (undici 7 cannot stream the FormData that
 * discord.js builds on Node 20). An npm `overrides` to one undici does not help: with undici 7 everywhere
 * the upload fails the same way, and Socket Mode needs undici 7. So the Discord client gets a dispatcher
 * from the very undici copy its REST package resolves, whatever else is loaded in the process.
 */
import { createRequire } from 'node:module';
import type { RESTOptions } from 'discord.js';

type Agent = NonNullable<RESTOptions['agent']>;

let agent: Agent | undefined;

/**
 * The undici module that `@discordjs/rest` itself imports (resolved from its own location).
 *
 * @example
 * const { Agent } = discordUndici();
 */
export function discordUndici(): { Agent: new () => Agent } {
  const fromHere = createRequire(import.meta.url);
  const fromDiscord = createRequire(fromHere.resolve('discord.js'));
  const fromRest = createRequire(fromDiscord.resolve('@discordjs/rest'));
  return fromRest('undici') as { Agent: new () => Agent };
}

/**
 * The shared REST dispatcher for every Discord client in this process.
 *
 * @example
 * const client = new Client({ intents, rest: { agent: discordAgent() } });
 */
export function discordAgent(): Agent {
  agent ??= new (discordUndici().Agent)();
  return agent;
}
