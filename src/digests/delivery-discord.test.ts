/**
 * A digest scheduled from Discord and delivered through the real Discord adapter (discord.js) to the loopback
 * Discord stand-in.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { createTestDatabase, drivers, type TestDatabase } from '../../test/database.ts';
import { type DiscordHarness, startDiscordHarness } from '../../test/stand-ins/discord-harness.ts';
import { createRouter } from '../core/router.ts';
import { importFile } from '../ingest/import.ts';
import { createLogger } from '../logger.ts';
import { createDigestScheduler } from './scheduler.ts';
import { getDigest, runsOf } from './service.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/two-weeks.csv', import.meta.url));
const log = createLogger('silent');

describe.each(drivers)('digests through the Discord adapter on %s', (driver) => {
  let database: TestDatabase;
  let discord: DiscordHarness;
  beforeAll(async () => {
    database = await createTestDatabase(driver);
    await importFile(database, FIXTURE);
    discord = await startDiscordHarness(createRouter({ database, log, commands }), database);
  });
  afterAll(async () => {
    await discord?.close();
    await database?.dispose();
  });

  it('is scheduled with a slash command and posted once, chart attached, message id recorded', async () => {
    const channel = discord.standIn.channelId;
    const answer = await discord.ask(
      `every Monday at 9:00 Europe/London post a weekly digest to <#${channel}> called team-weekly`,
    );
    expect(answer.map((p) => p.text).join('\n')).toContain('Scheduled digest "team-weekly"');
    const digest = await getDigest(database, 'team-weekly');
    expect(digest).toMatchObject({ platform: 'discord', channel });

    const before = discord.standIn.messages.length;
    const next = new Date(Date.now() + 8 * 86_400_000);
    next.setUTCDate(next.getUTCDate() - ((next.getUTCDay() + 6) % 7));
    next.setUTCHours(12, 0, 0, 0);
    const deliveries = { discord: discord.adapter.delivery };
    const a = createDigestScheduler({ database, deliveries, log, instanceId: 'A' });
    const b = createDigestScheduler({ database, deliveries, log, instanceId: 'B' });
    const outcomes = (await Promise.all([a.tick(next), b.tick(next)])).flat();
    expect(outcomes).toMatchObject([{ digest: 'team-weekly', outcome: 'sent', late: true }]);

    const posted = discord.standIn.messages.slice(before).filter((m) => m.channel_id === channel);
    expect(posted).toHaveLength(1);
    const embed = posted[0]!.embeds[0] as { title?: string; description?: string };
    expect(embed.title).toBe('Weekly digest "team-weekly": 7 days to 2024-03-11');
    expect(posted[0]!.attachments[0]).toMatchObject({ filename: 'revenue.png' });
    expect(posted[0]!.attachments[0]?.description).toMatch(/^Bar chart of revenue by week/);
    expect(await runsOf(database, digest.id)).toMatchObject([
      { status: 'sent', attempts: 1, late: true, messageRef: posted[0]!.id },
    ]);
  });

  it('retries when Discord refuses, then reports its error', async () => {
    const digest = await getDigest(database, 'team-weekly');
    const s = createDigestScheduler({
      database,
      deliveries: { discord: discord.adapter.delivery },
      log,
      maxAttempts: 2,
      backoffMs: () => 60_000,
    });
    for (let i = 0; i < 2; i++) {
      discord.standIn.failNext('POST', /^\/channels\/\d+\/messages$/, 403, {
        message: 'Missing Access',
        code: 50001,
      });
    }
    const due = new Date(Date.now() + 15 * 86_400_000);
    due.setUTCDate(due.getUTCDate() - ((due.getUTCDay() + 6) % 7));
    due.setUTCHours(9, 0, 0, 0);
    expect(await s.tick(due)).toMatchObject([{ outcome: 'retrying' }]);
    expect(await s.tick(new Date(due.getTime() + 60_000))).toMatchObject([{ outcome: 'failed' }]);
    expect((await runsOf(database, digest.id)).at(-1)).toMatchObject({ status: 'failed', attempts: 2 });
    expect((await runsOf(database, digest.id)).at(-1)?.error).toMatch(/Missing Access/);
  });
});
