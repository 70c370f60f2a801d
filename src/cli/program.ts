/**
 * The `megaphone` program: start, chat, import, stats, demo. Output for people goes to stdout, logs to stderr.
 */
import { SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import { createCliAdapter } from '../adapters/cli/chat.ts';
import { renderReply } from '../adapters/cli/render.ts';
import type { App } from '../app.ts';
import { ConfigError, isInteractive } from '../config.ts';
import { isUserError, newReferenceId, UserError } from '../core/errors.ts';
import { formatNumber, plural } from '../core/reply.ts';
import { loadDemo } from '../ingest/demo.ts';
import { refreshFeatures } from '../ingest/features.ts';
import { FORMAT_NAMES, type FormatName } from '../ingest/formats.ts';
import { type ImportSummary, importFile } from '../ingest/import.ts';
import { storeStats } from '../ingest/stats.ts';
import { createLogger, type Logger } from '../logger.ts';
import { describeSegment } from '../segments/describe.ts';
import { discoverSegments } from '../segments/discover.ts';
import { discoveryReply } from '../segments/discover-reply.ts';
import { segmentReply } from '../segments/reply.ts';
import { resolveSegmentRequest } from '../segments/request.ts';
import { previewSegment, segmentMemberIds } from '../segments/service.ts';
import { loadVocabulary } from '../segments/vocabulary.ts';
import { registerCopyCommands } from './copy.ts';
import { registerDigestCommands } from './digests.ts';
import { registerDiscordCommands } from './discord.ts';
import { registerRecommendCommands } from './recommend.ts';
import {
  HOW_TO_CONNECT,
  platformsConfigured,
  startDigestScheduler,
  startPlatforms,
  untilSignal,
} from './serve.ts';
import { indexAfterDemo, registerVectorCommands } from './vectors.ts';
import { withApp, writeOutputFile } from './with-app.ts';

function parseDate(value: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new InvalidArgumentError('expected an ISO-8601 date, e.g. 2011-12-09');
  return d;
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

function progressBar(label: string): { onProgress: (done: number, total: number) => void; stop: () => void } {
  if (!isInteractive()) return { onProgress: () => {}, stop: () => {} };
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} MB | {eta_formatted} left`,
    stream: process.stderr,
    hideCursor: true,
  });
  let started = false;
  return {
    onProgress(done, total) {
      const mb = (n: number) => Math.round((n / 1e6) * 10) / 10;
      if (!started) {
        bar.start(mb(total), 0);
        started = true;
      }
      bar.update(mb(done));
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

export function describeImport(s: ImportSummary): string {
  if (s.duplicateOf) {
    return `${s.source}: already imported as batch #${s.duplicateOf.batchId}${
      s.duplicateOf.finishedAt ? ` on ${s.duplicateOf.finishedAt.toISOString().slice(0, 10)}` : ''
    }; nothing changed.`;
  }
  const kinds = Object.entries(s.byKind)
    .map(([k, n]) => `${formatNumber(n)} ${k}`)
    .join(', ');
  let line =
    `${s.source} (${s.format}): read ${formatNumber(s.read)} = imported ${formatNumber(s.imported)} + rejected ${formatNumber(s.rejected)}` +
    (kinds ? ` (${kinds})` : '') +
    ` in ${(s.durationMs / 1000).toFixed(1)} s`;
  if (s.customersWithFeatures !== undefined) {
    line += s.asOf
      ? `; features for ${plural(s.customersWithFeatures, 'customer')} as of ${s.asOf.toISOString().slice(0, 16).replace('T', ' ')} UTC`
      : '; no events in the store yet, so no features';
  }
  if (s.read === 0)
    line += `
  ${s.source} has a header but no data lines.`;
  if (s.rejected > 0) {
    line += `\n  rejected lines are in the quarantine (batch #${s.batchId}); first ones:`;
    for (const r of s.rejections.slice(0, 5)) line += `\n    line ${r.lineNo}: ${r.reason}`;
  }
  return line;
}

export function buildProgram(): Command {
  const program = new Command('megaphone')
    .description('Chat-ops assistant for marketing teams: segments, recommendations, copy and charts.')
    .showHelpAfterError();

  program
    .command('start')
    .description(
      'Start Megaphone: loads the demo shop into an empty database, then serves the configured platforms',
    )
    .action(async () => {
      await withApp(async (app) => {
        for (const n of app.notices) console.error(`note: ${n}`);
        const stats = await storeStats(app.database);
        if (stats.importBatches === 0) {
          console.log('The database is empty: loading the demo shop (a synthetic year of orders)...');
          const progress = progressBar('demo');
          const summary = await loadDemo(app.database, { onProgress: progress.onProgress });
          progress.stop();
          console.log(describeImport(summary));
          await indexAfterDemo(app);
        }
        if (!platformsConfigured(app)) {
          console.log(HOW_TO_CONNECT);
          await chat(app);
          return;
        }
        const platforms = await startPlatforms(app);
        for (const p of platforms) console.log(p.status);
        const scheduler = startDigestScheduler(app, platforms);
        console.log('Megaphone is running. Press Ctrl+C to stop.');
        const signal = await untilSignal();
        console.log(`Stopping (${signal}): finishing answers in progress...`);
        scheduler.stop();
        await Promise.allSettled(platforms.map((p) => p.stop()));
      });
    });

  program
    .command('chat')
    .description('Talk to Megaphone in this terminal')
    .action(async () => withApp(chat));

  program
    .command('import')
    .description('Import CSV files (plain or .gz) of orders or events into the feature store')
    .argument('<files...>', 'CSV files to import')
    .addOption(
      new Option('--format <format>', 'input layout (detected from the header when left out)').choices(
        FORMAT_NAMES,
      ),
    )
    .option('--as-of <date>', 'compute features as of this instant (default: latest event)', parseDate)
    .action(async (files: string[], opts: { format?: FormatName; asOf?: Date }) => {
      await withApp(async (app) => {
        let rejected = 0;
        for (const [i, file] of files.entries()) {
          const progress = progressBar(file);
          try {
            const summary = await importFile(app.database, file, {
              format: opts.format,
              asOf: opts.asOf ?? app.config.asOf,
              onProgress: progress.onProgress,
              // Features are refreshed once, after the last file.
              skipFeatures: i < files.length - 1,
            });
            rejected += summary.rejected;
            progress.stop();
            console.log(describeImport(summary));
          } finally {
            progress.stop();
          }
        }
        if (files.length > 1) {
          const s = await storeStats(app.database);
          console.log(`features for ${plural(s.customers, 'customer')} as of ${s.asOf}`);
        }
        if (rejected > 0) process.exitCode = 3;
      });
    });

  program
    .command('stats')
    .description('Headline figures: customers, products, purchase lines, orders, revenue, as-of')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await withApp(async (app) => {
        const s = await storeStats(app.database);
        if (opts.json) {
          const { customers, products, purchaseLines, orders, revenue, asOf } = s;
          console.log(JSON.stringify({ customers, products, purchaseLines, orders, revenue, asOf }));
        } else {
          const reply = await app.router.handle('stats', {
            platform: 'cli',
            userId: 'cli',
            conversationId: 'cli:stats',
          });
          console.log(renderReply(reply));
        }
      });
    });

  program
    .command('segment')
    .description('Turn a sentence into a segment and print its members (for scripts and evaluation)')
    .argument('<request>', 'e.g. "customers in Germany who spent over £1000 but haven\'t bought in 90 days"')
    .option('--as-of <date>', 'recompute features as of this instant first', parseDate)
    .option('--json', 'print { definition, description, count, customerIds }')
    .option('--limit <n>', 'at most this many customer ids in --json output', parsePositiveInt)
    .action(async (request: string, opts: { asOf?: Date; json?: boolean; limit?: number }) => {
      await withApp(async (app) => {
        if (opts.asOf) await refreshFeatures(app.database, opts.asOf);
        const parsed = await resolveSegmentRequest(request, {
          vocab: await loadVocabulary(app.database),
          llm: app.llm,
          log: app.log,
        });
        if (!parsed.ok) throw new UserError('segment_not_understood', parsed.message);
        const ids = await segmentMemberIds(app.database, parsed.definition);
        if (opts.json) {
          console.log(
            JSON.stringify({
              definition: parsed.definition,
              description: describeSegment(parsed.definition),
              count: ids.length,
              customerIds: opts.limit ? ids.slice(0, opts.limit) : ids,
            }),
          );
        } else {
          const preview = await previewSegment(app.database, parsed.definition, opts.limit ?? 10);
          console.log(
            renderReply(segmentReply(parsed.definition, preview, { notes: parsed.notes, buttons: [] })),
          );
        }
      });
    });

  program
    .command('segments')
    .description('Saved and discovered segments')
    .command('discover')
    .description('Find the natural groups customers fall into (k chosen by silhouette when not given)')
    .option('--k <n>', 'number of groups, 2 to 12', parsePositiveInt)
    .option('--json', 'print the discovery as JSON')
    .action(async (opts: { k?: number; json?: boolean }) => {
      await withApp(async (app) => {
        const discovery = await discoverSegments(app.database, opts.k ? { k: opts.k } : {});
        console.log(opts.json ? JSON.stringify(discovery) : renderReply(discoveryReply(discovery)));
      });
    });

  program
    .command('chart')
    .description('Draw a chart to a PNG file, e.g. "revenue by month for customers in Germany"')
    .argument('<request>', 'what to chart')
    .requiredOption('--out <file>', 'where to write the PNG')
    .option('--spec-out <file>', 'also write the Vega-Lite spec (JSON)')
    .action(async (request: string, opts: { out: string; specOut?: string }) => {
      await withApp(async (app) => {
        const text = /^(chart|plot|graph)\b/i.test(request) ? request : `chart ${request}`;
        const caller = { platform: 'cli' as const, userId: 'cli', conversationId: 'cli:chart' };
        const reply = await app.router.handle(text, caller);
        const png = reply.attachments?.find((a) => a.mimeType === 'image/png');
        if (!png) throw new UserError('chart_failed', reply.text ?? 'No chart was drawn.');
        await writeOutputFile(opts.out, png.data);
        if (opts.specOut) {
          // The same follow-up a chat thread uses, so the file is exactly what a marketer would get.
          const answer = await app.router.handle('chart spec', caller);
          const spec = answer.attachments?.find((a) => a.mimeType === 'application/json');
          if (!spec)
            throw new UserError('chart_failed', answer.text ?? 'The Vega-Lite spec could not be written.');
          await writeOutputFile(opts.specOut, spec.data);
        }
        console.log(
          `${reply.title ?? ''}\n${png.altText ?? ''}\nwrote ${opts.out}${opts.specOut ? ` and ${opts.specOut}` : ''}`,
        );
      });
    });

  program
    .command('demo')
    .description('Load the synthetic demo shop (fixed seed: the same data every time)')
    .option('--seed <n>', 'random seed', parsePositiveInt, 42)
    .option('--customers <n>', 'number of customers', parsePositiveInt, 1500)
    .action(async (opts: { seed: number; customers: number }) => {
      await withApp(async (app) => {
        const progress = progressBar('demo');
        const summary = await loadDemo(app.database, { ...opts, onProgress: progress.onProgress });
        progress.stop();
        console.log(describeImport(summary));
      });
    });

  registerDigestCommands(program);
  registerDiscordCommands(program);
  registerRecommendCommands(program);
  registerVectorCommands(program);
  registerCopyCommands(program);
  return program;
}

async function chat(app: App): Promise<void> {
  const adapter = createCliAdapter({
    router: app.router,
    input: process.stdin,
    output: process.stdout,
    banner: `Megaphone on ${app.database.location}. Ask me something, e.g. "stats" or "help". Type exit to leave.`,
  });
  await adapter.run();
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exitCode = 2;
    } else if (isUserError(error)) {
      console.error(`error: ${error.message}`);
      process.exitCode = 1;
    } else {
      const ref = newReferenceId();
      const log: Logger = createLogger('error');
      log.error({ err: error, ref }, 'megaphone failed');
      console.error(
        `Megaphone failed (reference ${ref}); the details are logged above under that reference.`,
      );
      process.exitCode = 1;
    }
  }
}
