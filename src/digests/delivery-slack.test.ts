/**
 * Digests delivered through the real Slack adapter (Bolt's Web API client) to the loopback Slack stand-in.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { createTestDatabase, drivers, type TestDatabase } from '../../test/database.ts';
import { createSlackHarness, type SlackHarness, toPosted } from '../../test/stand-ins/slack-harness.ts';
import { createRouter } from '../core/router.ts';
import { importFile } from '../ingest/import.ts';
import { createLogger } from '../logger.ts';
import { createDigestScheduler } from './scheduler.ts';
import { createDigest, deleteDigest, runsOf } from './service.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/two-weeks.csv', import.meta.url));
const log = createLogger('silent');
const at = (iso: string) => new Date(iso);

describe.each(drivers)('digests through the Slack adapter on %s', (driver) => {
  let database: TestDatabase;
  let slack: SlackHarness;
  beforeAll(async () => {
    database = await createTestDatabase(driver);
    await importFile(database, FIXTURE);
    slack = await createSlackHarness(createRouter({ database, log, commands }), { database, log });
  });
  afterAll(async () => {
    await slack?.close();
    await database?.dispose();
  });

  const digest = (name: string, channel: string) =>
    createDigest(database, {
      name,
      schedule: 'Mondays at 09:00',
      cron: '0 9 * * 1',
      timezone: 'Europe/London',
      platform: 'slack',
      channel,
      contents: { period: 'week', parts: ['kpis', 'segments', 'products', 'push', 'chart'] },
      createdBy: 'test',
      activeFrom: at('2026-03-20T00:00:00Z'),
    });

  it('posts the digest once, with its chart in the thread, and records Slack’s message ts', async () => {
    const weekly = await digest('weekly-slack', 'C_DIGEST');
    const a = createDigestScheduler({
      database,
      deliveries: { slack: slack.adapter.delivery },
      log,
      instanceId: 'A',
    });
    const b = createDigestScheduler({
      database,
      deliveries: { slack: slack.adapter.delivery },
      log,
      instanceId: 'B',
    });
    await Promise.all([a.tick(at('2026-03-23T09:00:00Z')), b.tick(at('2026-03-23T09:00:00Z'))]);

    const messages = slack.api.messages().filter((m) => m.channel === 'C_DIGEST');
    const top = messages.filter((m) => m.threadTs === undefined);
    expect(top).toHaveLength(1);
    const shown = toPosted(top[0]!).text;
    expect(shown).toContain('Weekly digest "weekly-slack": 7 days to 2024-03-11');
    expect(shown).toContain('£100.00 (+100%)');
    expect(shown).toContain('LAVENDER CANDLE');
    const chart = messages.find((m) => m.threadTs === top[0]!.ts)?.files[0];
    expect(chart?.filename).toBe('revenue.png');
    expect(chart?.altText).toMatch(/^Bar chart of revenue by week/);
    expect([...(chart?.bytes.slice(0, 4) ?? [])]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(await runsOf(database, weekly.id)).toMatchObject([
      { status: 'sent', attempts: 1, messageRef: top[0]!.ts },
    ]);
  });

  it('retries when Slack refuses, and reports Slack’s error when it keeps refusing', async () => {
    const s = createDigestScheduler({
      database,
      deliveries: { slack: slack.adapter.delivery },
      log,
      maxAttempts: 2,
      backoffMs: () => 60_000,
    });
    // A refused post throws (no note in the channel), so each attempt is one refused call.
    const refuse = (n: number) =>
      slack.api.failNext(
        'chat.postMessage',
        ...Array.from({ length: n }, () => ({ error: 'channel_not_found' })),
      );

    await deleteDigest(database, 'weekly-slack');
    const flaky = await digest('flaky-slack', 'C_FLAKY');
    refuse(1);
    expect(await s.tick(at('2026-03-23T09:00:00Z'))).toMatchObject([
      { digest: 'flaky-slack', outcome: 'retrying' },
    ]);
    expect(await s.tick(at('2026-03-23T09:01:00Z'))).toMatchObject([
      { digest: 'flaky-slack', outcome: 'sent', attempt: 2 },
    ]);
    expect(slack.api.messages().filter((m) => m.channel === 'C_FLAKY' && !m.threadTs)).toHaveLength(1);
    expect(await runsOf(database, flaky.id)).toMatchObject([{ status: 'sent', attempts: 2, error: null }]);

    await deleteDigest(database, 'flaky-slack');
    const gone = await digest('gone-slack', 'C_GONE');
    refuse(2);
    expect(await s.tick(at('2026-03-30T08:00:00Z'))).toMatchObject([
      { digest: 'gone-slack', outcome: 'retrying' },
    ]);
    expect(await s.tick(at('2026-03-30T08:01:00Z'))).toMatchObject([
      { digest: 'gone-slack', outcome: 'failed' },
    ]);
    const [run] = await runsOf(database, gone.id);
    expect(run).toMatchObject({ status: 'failed', attempts: 2 });
    expect(run?.error).toMatch(/channel_not_found/);
    expect(slack.api.messages().filter((m) => m.channel === 'C_GONE')).toEqual([]);
  });
});
