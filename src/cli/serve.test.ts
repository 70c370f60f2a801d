import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DiscordStandIn, startDiscordStandIn } from '../../test/stand-ins/discord.ts';
import { type SlackStandIn, startSlackStandIn } from '../../test/stand-ins/slack.ts';
import { type App, bootApp } from '../app.ts';
import { renderChart } from '../charts/render.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import {
  HOW_TO_CONNECT,
  platformsConfigured,
  type RunningPlatform,
  startDigestScheduler,
  startPlatforms,
} from './serve.ts';

// One process serving Slack and Discord at once, as `npm start` does with both configured: each platform
// starts, and each delivery posts a chart (Slack's undici and vega-lite's Set patch loaded before discord.js).
describe('npm start with Slack and Discord configured', () => {
  let slack: SlackStandIn;
  let discord: DiscordStandIn;
  let app: App;
  let dir: string;
  let platforms: RunningPlatform[] = [];

  beforeAll(async () => {
    slack = await startSlackStandIn();
    discord = await startDiscordStandIn();
    dir = await mkdtemp(join(tmpdir(), 'megaphone-serve-'));
    const config = loadConfig({
      MEGAPHONE_DATA_DIR: dir,
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      DISCORD_TOKEN: 'test-token',
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_API_URL: discord.apiUrl,
    });
    app = await bootApp(config, createLogger('silent'));
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled(platforms.map((p) => p.stop()));
    await app?.close();
    await slack?.close();
    await discord?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('starts both, and both deliver a chart image', async () => {
    expect(platformsConfigured(app)).toBe(true);
    platforms = await startPlatforms(app);
    expect(platforms.map((p) => p.name)).toEqual(['slack', 'discord']);
    expect(platforms[0]!.status).toMatch(/listening for events on http:\/\/0\.0\.0\.0:\d+\/slack\/events/);

    const chart = await renderChart({
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: { values: [{ x: 'a', y: 1 }] },
      mark: 'bar',
      encoding: { x: { field: 'x', type: 'nominal' }, y: { field: 'y', type: 'quantitative' } },
    });
    const reply = {
      title: 'Weekly digest',
      text: 'Revenue up 4%',
      attachments: [
        { filename: 'revenue.png', mimeType: 'image/png', data: chart.png, altText: 'Revenue by week' },
      ],
    };
    for (const p of platforms) {
      const channel = p.name === 'slack' ? 'C0DIGEST' : discord.channelId;
      const { messageRef } = await p.delivery.post({ channel }, reply);
      expect(messageRef).not.toBe('');
    }
    expect(slack.callsTo('files.completeUploadExternal')).toHaveLength(1);
    const posted = discord.messages.find((m) => m.attachments.some((a) => a.filename === 'revenue.png'));
    expect(posted?.files.get('revenue.png')?.length).toBe(chart.png.length);
  });

  it('runs the digest scheduler with those deliveries: a due Slack digest is posted there once', async () => {
    const caller = {
      platform: 'slack' as const,
      userId: 'U1',
      conversationId: 'serve-test',
      channelId: 'C1',
    };
    const created = await app.router.handle(
      'every day at 9:00 UTC post a daily digest to slack <#C0DAILY>',
      caller,
    );
    expect(created.tone).not.toBe('error');
    const scheduler = startDigestScheduler(app, platforms);
    try {
      const tomorrow = new Date(Date.now() + 86_400_000);
      tomorrow.setUTCHours(9, 0, 30, 0);
      const outcomes = await scheduler.tick(tomorrow);
      expect(outcomes.map((o) => o.outcome)).toEqual(['sent']);
      expect(slack.callsTo('chat.postMessage').some((c) => JSON.stringify(c).includes('C0DAILY'))).toBe(true);
      expect(await scheduler.tick(tomorrow)).toHaveLength(0);
    } finally {
      scheduler.stop();
    }
  });

  it('says how to connect a platform when none is configured', async () => {
    const bare = { ...app, config: { ...app.config, slack: undefined, discord: undefined } };
    expect(platformsConfigured(bare)).toBe(false);
    expect(HOW_TO_CONNECT).toMatch(/SLACK_BOT_TOKEN/);
    expect(HOW_TO_CONNECT).toMatch(/DISCORD_TOKEN/);
  });
});
