// Slack first, as in a process serving both platforms: Bolt's Socket Mode brings undici 7, which becomes
// the process-wide dispatcher before discord.js loads.
import '@slack/bolt';
import '@slack/socket-mode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../../commands/index.ts';
import { createFixtureDatabase, type TestDatabase } from '../../../test/database.ts';
import { type DiscordHarness, startDiscordHarness } from '../../../test/stand-ins/discord-harness.ts';
import { createRouter } from '../../core/router.ts';
import { createLogger } from '../../logger.ts';
import { loadDiscordJs } from './discord-js.ts';
import { discordUndici } from './dispatcher.ts';

const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

describe('discord attachments with the Slack SDK loaded in the same process', () => {
  let database: TestDatabase;
  let harness: DiscordHarness;

  beforeAll(async () => {
    database = await createFixtureDatabase('pglite');
    const router = createRouter({ database, log: createLogger('silent'), commands });
    harness = await startDiscordHarness(router, database);
  }, 60_000);

  afterAll(async () => {
    await harness?.close();
    await database?.dispose();
  });

  it('runs with the hazard present: the process-wide dispatcher is not discord.js’s undici', () => {
    const global = (globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER];
    expect(global).toBeDefined();
    expect(global).not.toBeInstanceOf(discordUndici().Agent);
  });

  it('shows the failure the adapter avoids: a bare discord.js REST client cannot upload', async () => {
    const { REST } = await loadDiscordJs();
    const rest = new REST({ api: harness.standIn.apiUrl, retries: 0 }).setToken('test-token');
    await expect(
      rest.post(`/channels/${harness.standIn.channelId}/messages`, {
        body: { content: 'x' },
        files: [{ name: 'a.png', data: Buffer.from([0x89, 0x50, 0x4e, 0x47]) }],
      }),
    ).rejects.toThrow(/action is not a function/);
  });

  it('uploads a chart in an interaction reply and a digest attachment through the adapter', async () => {
    const { token } = await harness.interact({
      type: 2,
      data: {
        id: '900000000000000070',
        name: 'chart',
        type: 1,
        options: [{ name: 'request', type: 3, value: 'revenue by month' }],
      },
    });
    const edit = harness.standIn.requests.find((r) => r.method === 'PATCH' && r.path.includes(token));
    expect(edit?.files[0]?.filename).toBe('chart.png');
    expect([...edit!.files[0]!.bytes.slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);

    const csv = new TextEncoder().encode('customer_id\n12347\n');
    const { messageRef } = await harness.adapter.delivery.post(
      { channel: harness.standIn.channelId },
      { text: 'Weekly export', attachments: [{ filename: 'weekly.csv', mimeType: 'text/csv', data: csv }] },
    );
    const posted = harness.standIn.messages.find((m) => m.id === messageRef);
    expect(new TextDecoder().decode(posted?.files.get('weekly.csv'))).toBe('customer_id\n12347\n');
  });
});
