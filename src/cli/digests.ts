/**
 * `megaphone digests ...`: run due digests once (for an external scheduler: a Kubernetes CronJob, a systemd
 * timer), print one without posting, list and add them. Also the stdout delivery, which renders with the
 * terminal adapter (domains may not import adapters, the command line may).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { renderReply } from '../adapters/cli/render.ts';
import type { App } from '../app.ts';
import type { Delivery } from '../core/delivery.ts';
import { UserError } from '../core/errors.ts';
import type { Reply } from '../core/reply.ts';
import { composeDigest } from '../digests/compose.ts';
import { modelRecommender } from '../digests/recommender.ts';
import { createDigestScheduler, type Deliveries, type RunOutcome } from '../digests/scheduler.ts';
import { getDigest, lastSentSnapshot } from '../digests/service.ts';
import { withApp } from './with-app.ts';

/**
 * Prints replies as terminal text; attachments are saved to `attachmentsDir` when given.
 *
 * @example
 * const delivery = createStdoutDelivery({ write: (text) => process.stdout.write(text) });
 * await delivery.post({ channel: 'stdout' }, { title: 'Weekly digest' });
 */
export function createStdoutDelivery(options: {
  write: (text: string) => void;
  attachmentsDir?: string | undefined;
}): Delivery {
  let n = 0;
  return {
    platform: 'stdout',
    async post(_target, reply: Reply) {
      n += 1;
      const attachmentPaths: Record<string, string> = {};
      if (options.attachmentsDir) {
        await mkdir(options.attachmentsDir, { recursive: true });
        for (const a of reply.attachments ?? []) {
          const path = join(options.attachmentsDir, a.filename);
          await writeFile(path, a.data);
          attachmentPaths[a.filename] = path;
        }
      }
      options.write(`${renderReply(reply, { attachmentPaths })}\n`);
      return { messageRef: `stdout:${n}` };
    },
  };
}

function parseInstant(value: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) {
    throw new InvalidArgumentError('expected an ISO-8601 date-time, e.g. 2026-03-30T09:00:00Z');
  }
  return d;
}

function describeOutcome(o: RunOutcome): string {
  const when = o.scheduledFor.toISOString().slice(0, 16).replace('T', ' ');
  switch (o.outcome) {
    case 'sent':
      return `sent "${o.digest}" (due ${when} UTC${o.late ? ', late' : ''}) as ${o.messageRef}`;
    case 'retrying':
      return `"${o.digest}" (due ${when} UTC) failed on attempt ${o.attempt}: ${o.error}; next attempt after ${o.nextAttemptAt.toISOString()}`;
    case 'failed':
      return `"${o.digest}" (due ${when} UTC) FAILED after ${o.attempt} attempts: ${o.error}`;
  }
}

/**
 * Deliveries this process can use: the terminal always, Slack when it is configured (posting needs only the
 * Web API, so the adapter is not started), Discord when it is configured (its delivery posts through a
 * logged-in client, so the bot connects on the first Discord digest due and disconnects in `close`). Adapters
 * are imported only then (see integration facts: Bolt replaces the process-wide fetch dispatcher).
 */
export async function commandLineDeliveries(
  app: App,
  write: (text: string) => void,
  attachmentsDir?: string,
): Promise<{ deliveries: Deliveries; close(): Promise<void> }> {
  const deliveries: Deliveries = { stdout: createStdoutDelivery({ write, attachmentsDir }) };
  const deps = { router: app.router, database: app.database, log: app.log };
  if (app.config.slack) {
    const { createSlackAdapter } = await import('../adapters/slack/adapter.ts');
    deliveries.slack = createSlackAdapter({ ...app.config.slack, port: app.config.port }, deps).delivery;
  }
  const discordConfig = app.config.discord;
  let discord: { stop(): Promise<void>; delivery: Delivery } | undefined;
  if (discordConfig) {
    deliveries.discord = {
      platform: 'discord',
      async post(target, reply) {
        if (!discord) {
          const { createDiscordAdapter } = await import('../adapters/discord/adapter.ts');
          const adapter = createDiscordAdapter(discordConfig, deps);
          await adapter.start();
          discord = adapter;
        }
        return discord.delivery.post(target, reply);
      },
    };
  }
  return { deliveries, close: async () => discord?.stop() };
}

export function registerDigestCommands(program: Command): void {
  const digests = program
    .command('digests')
    .description('Scheduled digests: run what is due, print, list, add');
  const write = (text: string) => process.stdout.write(text);

  digests
    .command('tick')
    .description(
      'Send every digest due now once, then exit (for cron, a Kubernetes CronJob or a systemd timer)',
    )
    .option(
      '--now <iso-time>',
      'act as if it were this instant (UTC unless the time has an offset)',
      parseInstant,
    )
    .option('--attachments <dir>', 'save charts of digests printed to stdout in this directory')
    .action(async (opts: { now?: Date; attachments?: string }) => {
      await withApp(async (app) => {
        const { deliveries, close } = await commandLineDeliveries(app, write, opts.attachments);
        const scheduler = createDigestScheduler({
          database: app.database,
          deliveries,
          log: app.log,
          recommender: modelRecommender,
        });
        const outcomes = await scheduler.tick(opts.now).finally(close);
        if (outcomes.length === 0) console.log('Nothing due.');
        for (const o of outcomes) console.log(describeOutcome(o));
        if (outcomes.some((o) => o.outcome !== 'sent')) process.exitCode = 1;
      });
    });

  digests
    .command('run')
    .description('Print a digest as it would be posted now, without posting it')
    .argument('<name>', 'the digest')
    .addOption(new Option('--target <target>', 'where to print it').choices(['stdout']).makeOptionMandatory())
    .option('--now <iso-time>', 'compose it as of this instant', parseInstant)
    .option('--attachments <dir>', 'save the chart in this directory')
    .action(async (name: string, opts: { target: 'stdout'; now?: Date; attachments?: string }) => {
      await withApp(async (app) => {
        const digest = await getDigest(app.database, name);
        const { reply } = await composeDigest(app.database, digest, {
          at: opts.now ?? new Date(),
          previous: await lastSentSnapshot(app.database, digest.id),
          recommender: modelRecommender,
          log: app.log,
        });
        await createStdoutDelivery({ write, attachmentsDir: opts.attachments }).post(
          { channel: 'stdout' },
          reply,
        );
      });
    });

  digests
    .command('list')
    .description('Scheduled digests: when, where, and how the last one went')
    .action(async () => {
      await withApp(async (app) => {
        const reply = await app.router.handle('digests', {
          platform: 'cli',
          userId: 'cli',
          conversationId: 'cli:digests',
        });
        console.log(renderReply(reply));
      });
    });

  digests
    .command('add')
    .description(
      'Schedule a digest, e.g. "every Monday at 9:00 Europe/London weekly digest to slack #marketing"',
    )
    .argument('<request>', 'when, where and what, in words or with a cron expression')
    .action(async (request: string) => {
      await withApp(async (app) => {
        const text = /^(schedule|new|create|add) digest\b/i.test(request)
          ? request
          : `schedule digest ${request}`;
        const reply = await app.router.handle(text, {
          platform: 'cli',
          userId: 'cli',
          conversationId: 'cli:digests',
        });
        if (reply.tone === 'error')
          throw new UserError('digest_not_added', reply.text ?? 'The digest was not added.');
        console.log(renderReply(reply));
      });
    });
}
