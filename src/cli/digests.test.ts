import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { megaphone } from '../../test/cli.ts';
import { startDiscordStandIn } from '../../test/stand-ins/discord.ts';
import { startSlackStandIn } from '../../test/stand-ins/slack.ts';
import { SIGNING_SECRET } from '../../test/stand-ins/slack-harness.ts';

const FIXTURE = fileURLToPath(new URL('../digests/fixtures/two-weeks.csv', import.meta.url));

describe('megaphone digests (the real bin, on an embedded database on disk)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'megaphone-digests-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('adds a digest, ticks it once at a given instant, prints it without posting, and lists it', async () => {
    const env = { MEGAPHONE_DATA_DIR: join(dir, 'data') };
    expect((await megaphone(['import', FIXTURE], env)).code).toBe(0);
    const added = await megaphone(
      ['digests', 'add', 'every day at 9:00 UTC weekly digest to stdout called ops'],
      env,
    );
    expect(added.stdout).toMatch(/Scheduled digest "ops"/);
    expect(added.code).toBe(0);

    // A slot after the digest was added (activeFrom is the real now).
    const due = new Date(Date.now() + 2 * 86_400_000);
    due.setUTCHours(9, 0, 0, 0);
    const charts = join(dir, 'charts');
    const tick = await megaphone(
      ['digests', 'tick', '--now', due.toISOString(), '--attachments', charts],
      env,
    );
    expect(tick.code).toBe(0);
    expect(tick.stdout).toMatch(/^Weekly digest "ops": 7 days to 2024-03-11\n/);
    expect(tick.stdout).toMatch(/Revenue +£100\.00 \(\+100%\)/);
    expect(tick.stdout).toMatch(/\[saved .*revenue\.png: Bar chart of revenue by week/);
    expect(tick.stdout).toMatch(/sent "ops" \(due .* UTC\) as stdout:1\n$/);
    expect([...(await readFile(join(charts, 'revenue.png'))).subarray(0, 4)]).toEqual([
      0x89, 0x50, 0x4e, 0x47,
    ]);

    const again = await megaphone(['digests', 'tick', '--now', due.toISOString()], env);
    expect(again.stdout).toBe('Nothing due.\n');

    const printed = await megaphone(['digests', 'run', 'ops', '--target', 'stdout'], env);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(/^Weekly digest "ops"/);

    const list = await megaphone(['digests', 'list'], env);
    expect(list.stdout).toMatch(/ops .*every day at 09:00 \(UTC\).*sent for/s);
  }, 400_000);

  it('tick posts a Slack digest through the Web API when Slack is configured', async () => {
    const api = await startSlackStandIn();
    try {
      const env = {
        MEGAPHONE_DATA_DIR: join(dir, 'slack-data'),
        SLACK_BOT_TOKEN: api.botToken,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: api.apiUrl,
      };
      expect((await megaphone(['import', FIXTURE], env)).code).toBe(0);
      const added = await megaphone(
        ['digests', 'add', 'every Monday at 9:00 Europe/London weekly digest to slack <#C0OPS|ops>'],
        env,
      );
      expect(added.stdout).toMatch(/Posts to +<#C0OPS> on Slack/);
      const monday = new Date(Date.now() + 8 * 86_400_000);
      monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
      monday.setUTCHours(12, 0, 0, 0);
      const tick = await megaphone(['digests', 'tick', '--now', monday.toISOString()], env);
      expect(tick.stdout).toMatch(/^sent "weekly-digest" \(due .* 09:00 UTC, late\) as \d+\.\d+\n$/);
      const posted = api.messages().filter((m) => m.channel === 'C0OPS');
      expect(posted.filter((m) => !m.threadTs)).toHaveLength(1);
      expect(posted.find((m) => m.threadTs)?.files[0]?.filename).toBe('revenue.png');
    } finally {
      await api.close();
    }
  }, 400_000);

  it('tick connects the Discord bot for a Discord digest that is due, posts it once, and disconnects', async () => {
    const discord = await startDiscordStandIn();
    try {
      const env = {
        MEGAPHONE_DATA_DIR: join(dir, 'discord-data'),
        DISCORD_TOKEN: 'test-token',
        DISCORD_APPLICATION_ID: discord.applicationId,
        DISCORD_API_URL: discord.apiUrl,
      };
      expect((await megaphone(['import', FIXTURE], env)).code).toBe(0);
      const added = await megaphone(
        ['digests', 'add', `every day at 9:00 UTC weekly digest to discord <#${discord.channelId}>`],
        env,
      );
      expect(added.code).toBe(0);
      const due = new Date(Date.now() + 2 * 86_400_000);
      due.setUTCHours(9, 0, 30, 0);
      const tick = await megaphone(['digests', 'tick', '--now', due.toISOString()], env);
      expect(tick.stdout).toMatch(/^sent "weekly-digest" \(due .* 09:00 UTC\) as /);
      expect(tick.code).toBe(0);
      const posted = discord.messages.filter((m) => m.channel_id === discord.channelId);
      expect(posted).toHaveLength(1);
      expect(posted[0]!.attachments.map((a) => a.filename)).toContain('revenue.png');
      expect(discord.identifies).toHaveLength(1);
    } finally {
      await discord.close();
    }
  }, 400_000);
});
