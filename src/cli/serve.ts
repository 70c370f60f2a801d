/**
 * `npm start` with chat platforms configured: starts each one, hands their deliveries to whoever posts
 * unprompted, and stops them cleanly on SIGINT/SIGTERM. Adapters are imported only when configured: Bolt
 * replaces the process-wide fetch dispatcher and vega-lite patches `Set.prototype` (see the adapters).
 */
import type { App } from '../app.ts';
import type { Delivery } from '../core/delivery.ts';
import { modelRecommender } from '../digests/recommender.ts';
import { createDigestScheduler, type Deliveries, type DigestScheduler } from '../digests/scheduler.ts';

export interface RunningPlatform {
  name: 'slack' | 'discord';
  /** One line for the person who started Megaphone: where it listens or what it is connected to. */
  status: string;
  delivery: Delivery;
  stop(): Promise<void>;
}

export const HOW_TO_CONNECT =
  'No chat platform is configured, so Megaphone runs in this terminal (every command works here too). ' +
  'To serve a team, set SLACK_BOT_TOKEN + SLACK_APP_TOKEN (Slack, Socket Mode) or DISCORD_TOKEN + ' +
  'DISCORD_APPLICATION_ID (Discord) in .env — README "Connect Slack" / "Connect Discord" take a few minutes — ' +
  'then run npm start again.';

/** Whether any chat platform is configured. */
export function platformsConfigured(app: App): boolean {
  return Boolean(app.config.slack || app.config.discord);
}

/**
 * Starts the configured chat platforms. If one fails to start, the ones already started are stopped and the
 * error is passed on (its message names the setting to fix).
 *
 * @example
 * const platforms = await startPlatforms(app);
 * for (const p of platforms) console.log(p.status);
 */
export async function startPlatforms(app: App): Promise<RunningPlatform[]> {
  const running: RunningPlatform[] = [];
  const deps = { router: app.router, database: app.database, log: app.log };
  try {
    if (app.config.slack) {
      const { createSlackAdapter } = await import('../adapters/slack/adapter.ts');
      const slack = createSlackAdapter({ ...app.config.slack, port: app.config.port }, deps);
      const { port } = await slack.start();
      running.push({
        name: 'slack',
        status: app.config.slack.appToken
          ? 'Slack: connected in Socket Mode. Try /megaphone help in a channel Megaphone was invited to.'
          : `Slack: listening for events on http://0.0.0.0:${port}/slack/events (point the app's Request URL there).`,
        delivery: slack.delivery,
        stop: () => slack.stop(),
      });
    }
    if (app.config.discord) {
      const { createDiscordAdapter } = await import('../adapters/discord/adapter.ts');
      const discord = createDiscordAdapter(app.config.discord, deps);
      await discord.start();
      running.push({
        name: 'discord',
        status:
          'Discord: connected. Register the slash commands once with npm run discord:register, then try /megaphone.',
        delivery: discord.delivery,
        stop: () => discord.stop(),
      });
    }
  } catch (error) {
    await Promise.allSettled(running.map((p) => p.stop()));
    throw error;
  }
  return running;
}

/**
 * Starts the in-process digest scheduler with the running platforms' deliveries: it catches up on a missed
 * run at once, then checks every minute. Digests for a platform that is not running wait for it.
 *
 * @example
 * const scheduler = startDigestScheduler(app, await startPlatforms(app));
 * scheduler.stop();
 */
export function startDigestScheduler(app: App, platforms: RunningPlatform[]): DigestScheduler {
  const deliveries: Deliveries = {};
  for (const p of platforms) deliveries[p.name] = p.delivery;
  const scheduler = createDigestScheduler({
    database: app.database,
    deliveries,
    log: app.log,
    recommender: modelRecommender,
  });
  scheduler.start();
  return scheduler;
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const done = (signal: NodeJS.Signals) => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve(signal);
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
