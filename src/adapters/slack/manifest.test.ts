import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Manifest {
  features: { slash_commands: { command: string }[]; app_home: { home_tab_enabled: boolean } };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { bot_events: string[] };
    interactivity: { is_enabled: boolean };
    socket_mode_enabled: boolean;
  };
}

describe('slack/manifest.yml', () => {
  it('asks for what the adapter uses: the command, events, scopes, interactivity and Socket Mode', async () => {
    const manifest = parse(
      await readFile(new URL('../../../slack/manifest.yml', import.meta.url), 'utf8'),
    ) as Manifest;
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual(['/megaphone']);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(
      expect.arrayContaining([
        'app_mention',
        'message.channels',
        'message.groups',
        'message.im',
        'app_home_opened',
      ]),
    );
    // chat.postMessage, reactions.add/remove, conversations.open, files.uploadV2, views.publish (no scope).
    expect(manifest.oauth_config.scopes.bot).toEqual(
      expect.arrayContaining([
        'app_mentions:read',
        'channels:history',
        'groups:history',
        'im:history',
        'chat:write',
        'reactions:write',
        'im:write',
        'commands',
        'files:write',
      ]),
    );
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
  });
});
