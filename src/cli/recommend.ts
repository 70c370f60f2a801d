/**
 * `megaphone train`, `megaphone recommend` and `megaphone eval recommend`. Recommendations for people go
 * through the same replies as the chat; `--json` and `--customers-file` print machine-readable lines.
 */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { SingleBar } from 'cli-progress';
import { type Command, InvalidArgumentError } from 'commander';
import { renderReply } from '../adapters/cli/render.ts';
import { isInteractive } from '../config.ts';
import { UserError } from '../core/errors.ts';
import { formatNumber, plural } from '../core/reply.ts';
import { resolveAudience } from '../recommend/audience.ts';
import { evalMarkdown, runEvaluation } from '../recommend/eval-run.ts';
import { customerReply, segmentRecommendationReply } from '../recommend/reply.ts';
import {
  type CustomerRecommendations,
  currentModel,
  recommendFor,
  recommendForSegment,
  trainRecommender,
} from '../recommend/service.ts';
import { contentFromVectors, type VectorContent } from '../recommend/vectors.ts';
import { wholeNumber, withApp } from './with-app.ts';

function parseDate(value: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new InvalidArgumentError('expected an ISO-8601 date, e.g. 2011-11-01');
  return d;
}

const parseK = wholeNumber(1, 100);

/** A bar of training steps on a terminal; plain lines on stderr otherwise (for logs), nothing on stdout. */
function stepBar(): { update: (phase: string, done: number, total: number) => void; stop: () => void } {
  if (!isInteractive()) return { update: () => {}, stop: () => {} };
  const bar = new SingleBar({
    format: 'training [{bar}] {value}/{total} {phase}',
    stream: process.stderr,
    hideCursor: true,
  });
  let started = false;
  return {
    update(phase, done, total) {
      if (!started) {
        bar.start(total, 0, { phase });
        started = true;
      }
      bar.setTotal(total);
      bar.update(done, { phase });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

const jsonLine = (r: CustomerRecommendations) =>
  JSON.stringify({
    customerId: r.customerId,
    // false: the id is not a customer in the data, and the items are the cold-start list (popular, trending).
    known: r.known,
    items: r.items.map(({ itemId, name, score, reason }) => ({ itemId, name, score, reason })),
  });

/** Customer ids from a file: one per line (or the first CSV column); blank lines, `#` comments and a header skipped. */
async function readIds(file: string): Promise<string[]> {
  try {
    await access(file);
  } catch {
    throw new UserError('file_not_found', `Cannot read ${file}.`, {
      hint: 'Give a file with one customer id per line.',
    });
  }
  const ids: string[] = [];
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const raw of lines) {
    const line = raw
      .replace(/^\uFEFF/, '')
      .split(',')[0]!
      .trim()
      .replace(/^"|"$/g, '');
    if (!line || line.startsWith('#') || /^customer[ _]?id$/i.test(line)) continue;
    ids.push(line);
  }
  return ids;
}

export function registerRecommendCommands(program: Command): void {
  program
    .command('train')
    .description('Train the recommender on the purchases in the database (and tune it first with --tune)')
    .option('--as-of <date>', 'learn from purchases before this instant only', parseDate)
    .option('--tune', 'choose hyperparameters on the last slice of the training period first')
    .option('--no-vectors', 'do not embed the catalogue into the vector store (content from product names)')
    .option('--json', 'print the training summary as JSON')
    .action(async (opts: { asOf?: Date; tune?: boolean; json?: boolean; vectors?: boolean }) => {
      await withApp(async (app) => {
        const bar = stepBar();
        let summary: Awaited<ReturnType<typeof trainRecommender>>;
        let vectors: VectorContent = {};
        try {
          if (opts.vectors !== false) {
            vectors = await contentFromVectors(app.database, app.config, (phase, done, total) =>
              bar.update(`vectors: ${phase}`, done, total),
            );
          }
          summary = await trainRecommender(app.database, {
            asOf: opts.asOf,
            tune: opts.tune,
            onProgress: bar.update,
            ...(vectors.content ? { content: vectors.content } : {}),
          });
        } finally {
          bar.stop();
        }
        if (vectors.note) console.error(`note: ${vectors.note}`);
        if (opts.json) {
          console.log(JSON.stringify({ ...summary, vectors: vectors.indexed ?? null }));
          return;
        }
        const p = summary.params;
        console.log(
          `Trained model #${summary.modelId} on ${formatNumber(summary.purchaseLines)} purchase lines of ` +
            `${plural(summary.customers, 'customer')} before ${summary.asOf.toISOString().slice(0, 16).replace('T', ' ')} UTC ` +
            `(${plural(summary.items, 'product')}) in ${(summary.trainMs / 1000).toFixed(1)} s.`,
        );
        console.log(
          `Settings: EASE lambda ${p.lambda} x mean co-occurrence, purchase half-life ${p.cfHalfLifeDays ?? 'none'}${p.cfHalfLifeDays ? ' days' : ''}, ` +
            `popularity half-life ${p.popHalfLifeDays} days, blend popularity ${p.wPop} / content ${p.wContent}, ` +
            `${formatNumber(p.maxItems)} products at most in the collaborative model; content from ${summary.contentSource}.`,
        );
        if (vectors.indexed) {
          const v = vectors.indexed;
          console.log(
            `Product vectors: ${formatNumber(v.indexed)} in "${v.namespace}" (${v.provider} ${v.model}, ${v.dimension} dimensions).`,
          );
        }
        if (summary.tuned) {
          const t = summary.tuned;
          console.log(
            `Tuned on ${new Date(t.window.from).toISOString().slice(0, 10)} to ${new Date(t.window.to).toISOString().slice(0, 10)} ` +
              `(${t.tried} settings, ${plural(t.validation.customers, 'customer')}): NDCG@10 ${t.validation.ndcg.toFixed(4)}, Recall@10 ${t.validation.recall.toFixed(4)}.`,
          );
        }
      });
    });

  program
    .command('recommend')
    .description('Recommend products to a customer, to each customer in a file (JSON lines), or to a segment')
    .option('--customer <id>', 'one customer')
    .option('--customers-file <file>', 'one customer id per line; prints one JSON line per customer')
    .option('--segment <segment>', 'a saved segment name or a segment request')
    .option('--k <n>', 'how many items', parseK, 10)
    .option('--buy-again', 'rank what the customer bought before instead of new items')
    .option('--json', 'print JSON')
    .action(
      async (opts: {
        customer?: string;
        customersFile?: string;
        segment?: string;
        k: number;
        buyAgain?: boolean;
        json?: boolean;
      }) => {
        const chosen = [opts.customer, opts.customersFile, opts.segment].filter(
          (x) => x !== undefined,
        ).length;
        if (chosen !== 1) {
          throw new UserError(
            'recommend_who',
            'Say who to recommend to: exactly one of --customer ID, --customers-file FILE or --segment "NAME or request".',
          );
        }
        const mode = opts.buyAgain ? 'again' : 'new';
        await withApp(async (app) => {
          if (opts.customer) {
            const served = await currentModel(app.database);
            const [rec] = await recommendFor(app.database, [opts.customer], { k: opts.k, mode, served });
            console.log(opts.json ? jsonLine(rec!) : renderReply(customerReply(rec!, mode, served)));
            return;
          }
          if (opts.customersFile) {
            const ids = await readIds(opts.customersFile);
            const served = await currentModel(app.database);
            const unknown: string[] = [];
            for (let i = 0; i < ids.length; i += 500) {
              const batch = await recommendFor(app.database, ids.slice(i, i + 500), {
                k: opts.k,
                mode,
                served,
                allowUnknown: true,
              });
              for (const r of batch) if (!r.known) unknown.push(r.customerId);
              process.stdout.write(`${batch.map(jsonLine).join('\n')}\n`);
            }
            // Every id is answered; the ones not in the data are said, on stderr so stdout stays JSON lines.
            console.error(
              `${plural(ids.length, 'customer')} answered` +
                (unknown.length
                  ? `; ${formatNumber(unknown.length)} not in the data got the popular items ("known": false): ` +
                    `${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', ...' : ''}`
                  : ''),
            );
            return;
          }
          const audience = await resolveAudience(app.database, opts.segment!, { llm: app.llm, log: app.log });
          const served = await currentModel(app.database);
          const result = await recommendForSegment(app.database, audience.memberIds, { k: opts.k });
          if (opts.json) {
            console.log(
              JSON.stringify({ segment: audience.label, members: result.members, items: result.items }),
            );
          } else {
            console.log(renderReply(segmentRecommendationReply(audience, result, served)));
          }
        });
      },
    );

  const evaluate =
    program.commands.find((c) => c.name() === 'eval') ??
    program.command('eval').description('Measure quality on the data in the database');
  evaluate
    .command('recommend')
    .description(
      'Recall@10 and NDCG@10 of the recommender against popularity: temporal and random 80/20 splits',
    )
    .option(
      '--cutoff <date>',
      'temporal split: train before this date (default: 30 days before the last purchase)',
      parseDate,
    )
    .option('--tune', 'tune on the last slice before the cutoff first (never on the test period)')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { cutoff?: Date; tune?: boolean; json?: boolean }) => {
      await withApp(async (app) => {
        const report = await runEvaluation(app.database, {
          cutoff: opts.cutoff,
          tune: opts.tune,
          onProgress: (phase) => {
            if (isInteractive()) process.stderr.write(`${phase}\n`);
          },
        });
        console.log(opts.json ? JSON.stringify(report) : evalMarkdown(report));
      });
    });
}
