import { sql } from 'drizzle-orm';
import { distance } from 'fastest-levenshtein';
import { type Config, loadConfig } from '../config.ts';
import type { Database } from '../db/client.ts';
import type { LlmProvider } from '../llm/provider.ts';
import type { Logger } from '../logger.ts';
import { type AccessPolicy, OPEN_ACCESS } from './access.ts';
import type { AnyCommand, Caller, CommandContext, CommandResult } from './command.ts';
import { isUserError, newReferenceId, UserError } from './errors.ts';
import type { Button, Reply } from './reply.ts';

export interface RouterOptions {
  database: Database;
  log: Logger;
  commands: readonly AnyCommand[];
  llm?: LlmProvider | undefined;
  /** The configuration booted with; read from the environment once, here, when not given. */
  config?: Config;
  /** Who may use Megaphone and see personal data; everyone when absent. */
  access?: AccessPolicy;
}

export interface Router {
  /** Answers one message. Never throws: every failure becomes a reply. */
  handle(message: string, caller: Caller): Promise<Reply>;
  /** Runs a command by name with raw arguments (buttons, slash-command options). */
  run(name: string, rawArgs: unknown, caller: Caller): Promise<Reply>;
  /**
   * A button from an earlier reply was pressed: runs `action value` as a message in the same conversation,
   * so a button does exactly what typing its request would.
   */
  press(button: Pick<Button, 'action' | 'value'>, caller: Caller): Promise<Reply>;
  commands: readonly AnyCommand[];
  /**
   * The access policy the router applies to every request; adapters apply it to what they show outside
   * commands too (a home page, autocomplete suggestions).
   */
  access: AccessPolicy;
}

/** Strips what platforms put in front of a request: `@Megaphone`, `<@U123>`, `/megaphone`. */
export function normaliseMessage(message: string): string {
  return message
    .replace(/^\s*(<@[A-Z0-9]+>|@megaphone\b|\/megaphone\b)[\s,:]*/i, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The conversation engine: finds the command a message asks for, validates its arguments with the command's
 * zod schema, runs it with the thread's previous answer at hand, and turns every error into a reply.
 *
 * @example
 * const router = createRouter({ database, log, commands: await loadCommands() });
 * const reply = await router.handle('stats', { platform: 'cli', userId: 'me', conversationId: 'cli:1' });
 */
export function createRouter(options: RouterOptions): Router {
  const { database, log, commands } = options;
  const access = options.access ?? OPEN_ACCESS;
  const config = options.config ?? loadConfig();
  const byWord = new Map<string, AnyCommand>();
  for (const command of commands) {
    for (const word of [command.name, ...(command.aliases ?? [])]) byWord.set(word.toLowerCase(), command);
  }

  function find(text: string): { command: AnyCommand; rest: string } | null {
    const lower = text.toLowerCase();
    // Longest alias first, so "import status" wins over "import".
    const words = [...byWord.keys()].sort((a, b) => b.length - a.length);
    for (const word of words) {
      if (lower === word || lower.startsWith(`${word} `)) {
        const command = byWord.get(word)!;
        const rest = text.slice(word.length).trim();
        if (command.takes && !command.takes(rest)) continue;
        return { command, rest };
      }
    }
    return null;
  }

  function notUnderstood(text: string): Reply {
    const first = text.split(' ')[0]?.toLowerCase() ?? '';
    const close = [...byWord.keys()].filter(
      (w) => distance(w, first) <= Math.max(2, Math.floor(w.length / 3)),
    );
    const suggestion = close.length ? `Did you mean *${close[0]}*? ` : '';
    return {
      tone: 'warning',
      text:
        `I don't know how to answer "${text.length > 80 ? `${text.slice(0, 77)}...` : text}" yet. ${suggestion}` +
        `I can do: ${commands.map((c) => c.name).join(', ')}. Say *help* for examples.`,
    };
  }

  async function loadPrevious(conversationId: string): Promise<CommandContext['previous']> {
    const [row] = await database.rows<{
      last_command: string | null;
      last_args: unknown;
      last_result: unknown;
    }>(sql`select last_command, last_args, last_result from conversations where id = ${conversationId}`);
    if (!row?.last_command) return null;
    return { command: row.last_command, args: row.last_args, result: row.last_result };
  }

  async function remember(caller: Caller, command: string, args: unknown, result: unknown): Promise<void> {
    await database.rows(sql`
      insert into conversations (id, platform, last_command, last_args, last_result, turns, updated_at)
      values (${caller.conversationId}, ${caller.platform}, ${command}, ${JSON.stringify(args ?? null)}::jsonb,
        ${JSON.stringify(result ?? null)}::jsonb, 1, now())
      on conflict (id) do update set last_command = excluded.last_command, last_args = excluded.last_args,
        last_result = excluded.last_result, turns = conversations.turns + 1, updated_at = now()`);
  }

  async function execute(command: AnyCommand, rawArgs: unknown, caller: Caller): Promise<Reply> {
    if (command.personalData && !caller.canSeePersonalData) {
      throw new UserError(
        'personal_data_refused',
        `*${command.name}* hands out customer data, and you're not on the list of people allowed to see it. Ask your Megaphone admin (MEGAPHONE_PERSONAL_DATA_USERS), or ask someone who is.`,
      );
    }
    const parsed = command.args.safeParse(rawArgs);
    if (!parsed.success) {
      // A command's own messages are written for people ("name two segments, e.g. ...") and start in lower
      // case: they stand alone. zod's defaults ("Too small: ...") need the argument they are about.
      const problems = [
        ...new Set(
          parsed.error.issues.map((i: { path: PropertyKey[]; message: string }) =>
            /^[a-z]/.test(i.message) ? i.message : `${i.path.join('.') || 'request'}: ${i.message}`,
          ),
        ),
      ].join('; ');
      throw new UserError('bad_arguments', `I couldn't use that for *${command.name}*: ${problems}.`, {
        hint: command.examples.length ? `For example: ${command.examples.join(' · ')}` : undefined,
      });
    }
    const ctx: CommandContext = {
      database,
      config,
      log: log.child({ command: command.name, conversation: caller.conversationId }),
      caller,
      previous: await loadPrevious(caller.conversationId),
      llm: options.llm,
      commands,
    };
    const out = await command.run(ctx, parsed.data);
    const result: CommandResult = 'reply' in out ? out : { reply: out };
    const kept = result.remember === undefined ? (ctx.previous?.result ?? null) : result.remember;
    await remember(caller, command.name, parsed.data, kept);
    return result.reply;
  }

  async function guarded(work: (caller: Caller) => Promise<Reply>, asked: Caller): Promise<Reply> {
    const decision = access.check(asked);
    if (!decision.allowed)
      return { tone: 'warning', text: decision.reason ?? 'Sorry, you cannot use Megaphone here.' };
    const caller: Caller = { ...asked, canSeePersonalData: access.canSeePersonalData(asked) };
    try {
      return await work(caller);
    } catch (error) {
      if (isUserError(error)) {
        return { tone: 'error', text: error.hint ? `${error.message}\n${error.hint}` : error.message };
      }
      const ref = newReferenceId();
      log.error({ err: error, ref, caller }, 'command failed');
      return {
        tone: 'error',
        text: `Something went wrong on our side and the request was not completed (reference ${ref}). The details are in Megaphone's log under that reference.`,
      };
    }
  }

  return {
    commands,
    access,
    handle(message, caller) {
      return guarded(async (caller) => {
        const text = normaliseMessage(message);
        if (text === '') return execute(byWord.get('help')!, {}, caller);
        const found = find(text);
        if (!found) {
          const previous = await loadPrevious(caller.conversationId);
          const claimer = commands.find((c) => c.claims?.(text, previous));
          if (!claimer) return notUnderstood(text);
          return execute(claimer, claimer.parse ? claimer.parse(text) : {}, caller);
        }
        const raw = found.command.parse ? found.command.parse(found.rest) : {};
        return execute(found.command, raw, caller);
      }, caller);
    },
    press(button, caller) {
      return this.handle(`${button.action} ${button.value}`.trim(), caller);
    },
    run(name, rawArgs, caller) {
      return guarded(async (caller) => {
        const command = byWord.get(name.toLowerCase());
        if (!command) throw new UserError('unknown_command', `There is no command called "${name}".`);
        return execute(command, rawArgs, caller);
      }, caller);
    },
  };
}
