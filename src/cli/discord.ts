/**
 * `megaphone discord register` (`npm run discord:register`): registers the slash commands with Discord.
 */
import type { Command } from 'commander';
import { commands as registry } from '../../commands/index.ts';
import { type Config, loadConfig, loadDotEnv } from '../config.ts';
import type { AnyCommand } from '../core/command.ts';
import { UserError } from '../core/errors.ts';

export interface RegisterResult {
  scope: 'guild' | 'global';
  names: string[];
}

/**
 * Replaces the application's slash commands with the ones generated from the registry (one bulk overwrite:
 * running it again changes nothing). Guild-scoped when a guild id is configured (visible at once), global
 * otherwise (Discord may take up to an hour to show changes).
 *
 * @example
 * const { scope, names } = await registerSlashCommands(loadConfig().discord!);
 */
export async function registerSlashCommands(
  discord: NonNullable<Config['discord']>,
  commands: readonly AnyCommand[] = registry,
): Promise<RegisterResult> {
  // Loaded here, not at start-up of every `megaphone` command.
  const { loadDiscordJs } = await import('../adapters/discord/discord-js.ts');
  const { discordAgent } = await import('../adapters/discord/dispatcher.ts');
  const { buildSlashCommands } = await import('../adapters/discord/slash.ts');
  const { REST, Routes } = await loadDiscordJs();
  const rest = new REST({
    agent: discordAgent(),
    ...(discord.apiUrl ? { api: discord.apiUrl.replace(/\/+$/, '') } : {}),
  }).setToken(discord.token);
  const { json } = buildSlashCommands(commands);
  const route = discord.guildId
    ? Routes.applicationGuildCommands(discord.applicationId, discord.guildId)
    : Routes.applicationCommands(discord.applicationId);
  const saved = (await rest.put(route, { body: json })) as { name: string }[];
  return { scope: discord.guildId ? 'guild' : 'global', names: saved.map((c) => c.name) };
}

export function registerDiscordCommands(program: Command): void {
  program
    .command('discord')
    .description('Discord: set up the Megaphone bot')
    .command('register')
    .description(
      'Register the slash commands (guild-scoped when DISCORD_GUILD_ID is set, global otherwise); safe to re-run',
    )
    .action(async () => {
      loadDotEnv();
      const config = loadConfig();
      if (!config.discord) {
        throw new UserError(
          'discord_not_configured',
          'Discord is not configured: set DISCORD_TOKEN and DISCORD_APPLICATION_ID (Discord developer portal → your application), optionally DISCORD_GUILD_ID for one server.',
        );
      }
      const { scope, names } = await registerSlashCommands(config.discord);
      console.log(
        `Registered ${names.length} slash commands ${
          scope === 'guild'
            ? `in server ${config.discord.guildId} (available now)`
            : 'globally (Discord can take up to an hour to show changes)'
        }: ${names.map((n) => `/${n}`).join(', ')}`,
      );
    });
}
