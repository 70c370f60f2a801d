import type { z } from 'zod';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import type { LlmProvider } from '../llm/provider.ts';
import type { Logger } from '../logger.ts';
import type { Reply } from './reply.ts';

/** Who is asking, and from where: enough for access control and conversation state. */
export interface Caller {
  platform: 'cli' | 'slack' | 'discord' | 'digest';
  userId: string;
  /** The thread or session the message belongs to; follow-ups in it share state. */
  conversationId: string;
  /** The channel the message came from (access control by channel). */
  channelId?: string;
  /** Set by the router from the access policy: may this caller see personal data? */
  canSeePersonalData?: boolean;
}

export interface CommandContext {
  database: Database;
  /** The configuration Megaphone booted with (commands never read the environment themselves). */
  config: Config;
  log: Logger;
  caller: Caller;
  /**
   * The conversation's previous command, and what the conversation remembers for follow-ups: the latest result
   * a command chose to remember (see CommandResult.remember), possibly from an earlier command.
   */
  previous: { command: string; args: unknown; result: unknown } | null;
  /** The language model when one is configured; commands fall back to local heuristics without it. */
  llm: LlmProvider | undefined;
  /** Commands known to the router (for help). */
  commands: readonly AnyCommand[];
}

/** What a command hands back: the reply, and optionally state to remember for follow-ups. */
export interface CommandResult {
  reply: Reply;
  /**
   * What follow-ups in this conversation refer to. Left out, the conversation keeps what it had: listing saved
   * segments or asking for help between "customers in France" and "export" does not forget the segment.
   * `null` forgets it.
   */
  remember?: unknown;
}

export interface Command<S extends z.ZodType> {
  name: string;
  /** One line, shown in help and as the Slack/Discord command description. */
  description: string;
  /** Example requests, shown in help. */
  examples: string[];
  /** Other words that start this command. */
  aliases?: string[];
  args: S;
  /**
   * Claims a free-text message that starts with no command word ("customers in Germany who..."). Checked in
   * registry order after the command words; the whole message is then handed to `parse`.
   */
  claims?: (text: string, previous: CommandContext['previous']) => boolean;
  /**
   * Whether the text after the command word is meant for this command. When it says no, the message is read
   * as free text instead (so "brand new customers in Germany" stays a segment request, not the brand command).
   */
  takes?: (rest: string) => boolean;
  /** Turns the text after the command word into raw arguments for `args` to validate. */
  parse?: (text: string) => unknown;
  /** Hands out personal data (e.g. customer ids in an export): refused to callers not allowed to see it. */
  personalData?: boolean;
  run(ctx: CommandContext, args: z.output<S>): Promise<CommandResult | Reply>;
}

// biome-ignore lint/suspicious/noExplicitAny: a registry holds commands of every argument shape.
export type AnyCommand = Command<any>;

/**
 * Declares a command: one file per command in `commands/`, arguments declared with zod.
 *
 * @example
 * export default defineCommand({
 *   name: 'ping',
 *   description: 'Checks that Megaphone answers',
 *   examples: ['ping'],
 *   args: z.object({}),
 *   run: async () => ({ text: 'pong' }),
 * });
 */
export function defineCommand<S extends z.ZodType>(command: Command<S>): Command<S> {
  return command;
}
