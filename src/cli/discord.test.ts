import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { megaphone } from '../../test/cli.ts';
import { type DiscordStandIn, startDiscordStandIn } from '../../test/stand-ins/discord.ts';
import { buildSlashCommands } from '../adapters/discord/slash.ts';
import { registerSlashCommands } from './discord.ts';

describe('discord register: slash commands by bulk overwrite', () => {
  let discord: DiscordStandIn;
  beforeAll(async () => {
    discord = await startDiscordStandIn();
  });
  afterAll(async () => {
    await discord?.close();
  });

  it('overwrites the guild commands with the generated ones, and the same again on a second run', async () => {
    const config = {
      token: 'test-token',
      applicationId: discord.applicationId,
      guildId: discord.guildId,
      apiUrl: discord.apiUrl,
    };
    const first = await registerSlashCommands(config, commands);
    const second = await registerSlashCommands(config, commands);
    expect(first.scope).toBe('guild');
    const puts = discord.requests.filter((r) => r.method === 'PUT');
    expect(puts.map((r) => r.path)).toEqual([
      `/applications/${discord.applicationId}/guilds/${discord.guildId}/commands`,
      `/applications/${discord.applicationId}/guilds/${discord.guildId}/commands`,
    ]);
    expect(puts[0]!.authorization).toBe('Bot test-token');
    expect(puts[0]!.body).toEqual(buildSlashCommands(commands).json);
    expect(puts[1]!.body).toEqual(puts[0]!.body);
    expect(second.names).toEqual(first.names);
    expect(first.names).toEqual(expect.arrayContaining(['megaphone', 'stats', 'show-segment', 'chart']));
  });

  it('registers globally through the real bin when no guild is configured', async () => {
    const run = await megaphone(['discord', 'register'], {
      DISCORD_TOKEN: 'bin-token',
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_API_URL: discord.apiUrl,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Registered \d+ slash commands globally .*\/megaphone, \/help, \/stats/);
    expect(discord.commandsByScope.get('global')?.length).toBe(buildSlashCommands(commands).json.length);
  });

  it('says what to set when Discord is not configured', async () => {
    const run = await megaphone(['discord', 'register'], {});
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/set DISCORD_TOKEN and DISCORD_APPLICATION_ID/);
  });
});
