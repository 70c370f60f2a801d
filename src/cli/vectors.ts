/**
 * `megaphone similar` and `megaphone vectors index|stats`: content similarity from the command line.
 */
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { renderReply } from '../adapters/cli/render.ts';
import type { App } from '../app.ts';
import { isInteractive } from '../config.ts';
import { formatNumber, plural } from '../core/reply.ts';
import type { ProgressListener } from '../vectors/types.ts';
import { wholeNumber, withApp } from './with-app.ts';

/** The vector modules, loaded when a vector command runs (not at every start of the CLI). */
async function vectorModules() {
  const [context, index, registry, reply, similar, types] = await Promise.all([
    import('../vectors/context.ts'),
    import('../vectors/index.ts'),
    import('../vectors/registry.ts'),
    import('../vectors/reply.ts'),
    import('../vectors/similar.ts'),
    import('../vectors/types.ts'),
  ]);
  return {
    ...context,
    ...index,
    ...registry,
    ...reply,
    ...similar,
    PRODUCTS_NAMESPACE: types.PRODUCTS_NAMESPACE,
  };
}

const parseK = wholeNumber(1, 100);

/** A progress bar on stderr for interactive terminals; silent otherwise. */
function indexProgress(): { onProgress: ProgressListener; stop: () => void } {
  if (!isInteractive()) return { onProgress: () => {}, stop: () => {} };
  const bar = new SingleBar({
    format: 'vectors {phase} [{bar}] {value}/{total}',
    stream: process.stderr,
    hideCursor: true,
  });
  let started = false;
  return {
    onProgress(phase, done, total) {
      if (!started) {
        bar.start(total, done, { phase });
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

/**
 * Embeds the catalogue right after the demo shop is loaded, so similar products, content-based
 * recommendations and the copy near-duplicate check work from the first `npm start`. A failure (no pgvector
 * on a server, a cloud provider refusing) is a note, not a failed start: `megaphone vectors index` retries.
 */
export async function indexAfterDemo(app: App): Promise<void> {
  try {
    const { summary, backend } = await indexWithProgress(app);
    console.log(
      `Indexed ${plural(summary.indexed, 'product')} for similar products (${summary.provider} embeddings, ${backend}).`,
    );
  } catch (error) {
    console.error(
      `note: similar products are off until the catalogue is indexed: ${(error as Error).message} ` +
        'Fix that, then run `megaphone vectors index`.',
    );
  }
}

/** Embeds every product into the configured vector store, with a progress bar on a terminal. */
async function indexWithProgress(app: App) {
  const { indexCatalogue, openVectorStore } = await vectorModules();
  const store = await openVectorStore({ config: app.config, database: app.database });
  const progress = indexProgress();
  try {
    const summary = await indexCatalogue(app.database, {
      store,
      config: app.config,
      onProgress: progress.onProgress,
    });
    return { summary, backend: store.backend };
  } finally {
    progress.stop();
  }
}

export function registerVectorCommands(program: Command): void {
  program
    .command('similar')
    .description('Products similar to a product (stock code or name) or to a description')
    .argument('<query>', 'a stock code (85123A), a product name, or free text ("christmas candles")')
    .option('--k <n>', 'how many products (default 10)', parseK, 10)
    .option('--json', 'print { query, anchor, items: [{ itemId, name, category, price, score, reason }] }')
    .action(async (query: string, opts: { k: number; json?: boolean }) => {
      await withApp(async (app) => {
        const { findSimilar, similarReply } = await vectorModules();
        const result = await findSimilar(app.database, query, { config: app.config, k: opts.k });
        if (opts.json) {
          console.log(
            JSON.stringify({
              query,
              anchor:
                result.anchor.kind === 'item'
                  ? {
                      kind: 'item',
                      itemId: result.anchor.item.id,
                      name: result.anchor.item.name,
                      matchedBy: result.anchor.matchedBy,
                    }
                  : result.anchor,
              items: result.items.map((i) => ({
                itemId: i.id,
                name: i.name,
                category: i.category,
                price: i.price,
                score: Math.round(i.score * 1e4) / 1e4,
                reason: i.reason,
              })),
              provider: result.provider,
              backend: result.backend,
            }),
          );
        } else {
          console.log(renderReply(similarReply(result)));
        }
      });
    });

  const vectors = program.command('vectors').description('The vector store behind content similarity');

  vectors
    .command('index')
    .description('Embed every product (refits the local model) and store the vectors')
    .action(async () => {
      await withApp(async (app) => {
        const { summary: s, backend } = await indexWithProgress(app);
        console.log(
          `indexed ${plural(s.indexed, 'product')} in ${backend} namespace "${s.namespace}" with ` +
            `${s.provider} embeddings (${s.model}, ${s.dimension} dimensions) in ${(s.durationMs / 1000).toFixed(1)} s` +
            (s.replaced
              ? `; replaced ${formatNumber(s.removed)} vectors of ${s.replaced.provider} ${s.replaced.model} (spaces are never mixed)`
              : ''),
        );
      });
    });

  vectors
    .command('stats')
    .description('Namespaces in the vector store: record counts, dimension, and the model that filled them')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await withApp(async (app) => {
        const { getSpace, openVectorStore, PRODUCTS_NAMESPACE } = await vectorModules();
        const store = await openVectorStore({ config: app.config, database: app.database });
        const stats = await store.stats();
        const space = await getSpace(app.database, store.backend, PRODUCTS_NAMESPACE);
        if (opts.json) {
          console.log(JSON.stringify({ backend: store.backend, ...stats, products: space ?? null }));
          return;
        }
        const names = Object.keys(stats.namespaces);
        console.log(
          renderReply({
            title: `Vector store: ${store.backend}`,
            ...(names.length
              ? {
                  table: {
                    columns: ['Namespace', 'Vectors', 'Dimension'],
                    rows: names.map((n) => [
                      n,
                      formatNumber(stats.namespaces[n]!.count),
                      stats.namespaces[n]!.dimension,
                    ]),
                  },
                }
              : { text: 'No vectors yet. Run `megaphone vectors index`.' }),
            ...(space
              ? {
                  context: `products: ${space.provider} ${space.model}, indexed ${space.updatedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
                }
              : {}),
          }),
        );
      });
    });
}
