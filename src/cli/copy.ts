/**
 * `megaphone copy` (drafts for a segment) and `megaphone draft approve|export|list` on the command line.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { renderReply } from '../adapters/cli/render.ts';
import { CHANNELS, type Channel, textFields } from '../copy/channels.ts';
import { MAX_VARIANTS } from '../copy/generate.ts';
import { draftsReply } from '../copy/reply.ts';
import { currentBrand, resolveAudience } from '../copy/request.ts';
import { checkNearDuplicates, indexApproved } from '../copy/similar.ts';
import { approveDraft, createDrafts, exportDraft, listDrafts } from '../copy/store.ts';
import { UserError } from '../core/errors.ts';
import { withApp, writeOutputFile } from './with-app.ts';

function variantsOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_VARIANTS) {
    throw new InvalidArgumentError(`expected a whole number from 1 to ${MAX_VARIANTS}`);
  }
  return n;
}

function seedOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n >= 2 ** 31)
    throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

function idArgument(value: string): number {
  const n = Number(value.replace(/^#/, ''));
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a draft number, e.g. 12');
  return n;
}

const collect = (value: string, previous: string[]) => [...previous, value];

const CLI_USER = 'cli';

/**
 * Adds `copy` and `draft` to the program.
 *
 * @example
 * registerCopyCommands(program); // megaphone copy --segment lapsed-germans --channel sms --json
 */
export function registerCopyCommands(program: Command): void {
  program
    .command('copy')
    .description('Draft copy for a segment: variants in the brand voice, checked against limits and facts')
    .requiredOption(
      '--segment <request|name>',
      'a saved segment name or a sentence, e.g. "customers in Germany"',
    )
    .option('--product <id>', 'a product to feature (repeatable)', collect, [])
    .addOption(new Option('--channel <channel>', 'where the copy goes').choices(CHANNELS).default('email'))
    .option('--variants <n>', `how many variants, 1 to ${MAX_VARIANTS}`, variantsOption, 3)
    .option(
      '--about <text>',
      'what the copy is about, in words (products are found by name; an offer like "20% off")',
    )
    .option('--seed <n>', 'seed for the local templates (the same seed writes the same drafts)', seedOption)
    .option('--json', 'print the drafts as JSON')
    .action(
      async (opts: {
        segment: string;
        product: string[];
        channel: Channel;
        variants: number;
        about?: string;
        seed?: number;
        json?: boolean;
      }) => {
        await withApp(async (app) => {
          const audience = await resolveAudience(app.database, opts.segment, { llm: app.llm, log: app.log });
          const request = [`${opts.channel} for ${opts.segment}`, opts.about ? `about ${opts.about}` : '']
            .filter(Boolean)
            .join(' ');
          const { drafts, notices } = await createDrafts(
            {
              database: app.database,
              brand: await currentBrand(app.config.brandFile, app.database),
              llm: app.llm,
              log: app.log,
            },
            {
              request,
              topic: opts.about ?? '',
              segment: { definition: audience.definition, label: audience.label },
              productIds: opts.product,
              channel: opts.channel,
              variants: opts.variants,
              seed: opts.seed,
            },
            CLI_USER,
          );
          const similar = await checkNearDuplicates(app.database, app.config, drafts, app.log);
          if (opts.json) {
            console.log(
              JSON.stringify({
                segment: audience.label,
                notices: [...audience.notes, ...notices],
                drafts: drafts.map((d) => ({
                  id: d.id,
                  variant: d.variant,
                  channel: d.channel,
                  status: d.status,
                  content: Object.fromEntries(textFields(d.content)),
                  rationale: d.rationale,
                  productIds: d.productIds,
                  writer: d.writer,
                  seed: d.seed,
                  similarTo: similar.notes.find((n) => n.draftId === d.id) ?? null,
                })),
                ...(similar.skipped ? { nearDuplicateCheckSkipped: similar.skipped } : {}),
              }),
            );
          } else {
            for (const n of notices) console.error(`note: ${n}`);
            const reply = draftsReply(drafts, {
              similar: similar.notes,
              ...(similar.skipped ? { skippedSimilarity: similar.skipped } : {}),
            });
            console.log(renderReply({ ...reply, buttons: [] }));
            console.log(`\nApprove one with: megaphone draft approve ${drafts[0]?.id ?? 'ID'}`);
          }
        });
      },
    );

  const draft = program.command('draft').description('Copy drafts: approve, export, list');
  draft
    .command('approve')
    .description('Approve a draft')
    .argument('<id>', 'draft number', idArgument)
    .action(async (id: number) => {
      await withApp(async (app) => {
        const d = await approveDraft(app.database, id, CLI_USER);
        const notIndexed = await indexApproved(app.database, app.config, d);
        console.log(`Approved draft #${d.id} (${d.channel} for ${d.segment}).`);
        if (notIndexed)
          console.error(`note: not added to the near-duplicate check (${notIndexed.replace(/\.$/, '')})`);
      });
    });
  draft
    .command('export')
    .description('Export an approved draft as text (default) or JSON, to stdout or a file')
    .argument('<id>', 'draft number', idArgument)
    .option('--json', 'JSON instead of text')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (id: number, opts: { json?: boolean; out?: string }) => {
      await withApp(async (app) => {
        const file = await exportDraft(app.database, id, opts.json ? 'json' : 'text');
        if (opts.out) {
          await writeOutputFile(opts.out, file.data);
          console.log(`wrote ${opts.out}`);
        } else {
          process.stdout.write(file.data);
        }
      });
    });
  draft
    .command('list')
    .description('Recent drafts')
    .addOption(new Option('--status <status>', 'only these').choices(['draft', 'approved', 'rejected']))
    .action(async (opts: { status?: 'draft' | 'approved' | 'rejected' }) => {
      await withApp(async (app) => {
        const drafts = await listDrafts(app.database, { status: opts.status });
        if (drafts.length === 0) throw new UserError('no_drafts', 'No drafts yet.');
        for (const d of drafts) {
          console.log(
            `#${d.id}\t${d.status}\t${d.channel}\t${d.segment}\t${textFields(d.content)[0]![1].slice(0, 60)}`,
          );
        }
      });
    });
}
