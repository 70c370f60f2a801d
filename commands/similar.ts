import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { formatMoney, plural, type Reply } from '../src/core/reply.ts';
import { vectorContextFor } from '../src/vectors/context.ts';
import { openVectorStore } from '../src/vectors/index.ts';
import { findSimilar, type SimilarResult } from '../src/vectors/similar.ts';

/** "what is similar to X", "products like X", "10 items similar to X": the text after the cue is X. */
const CUE = /\b(?:similar\s+(?:to|items\s+to|products\s+to)|(?:items|products|things)\s+like|more\s+like)\b/i;

export function parseSimilar(text: string): { query: string; k?: number } {
  let rest = text.trim();
  const cue = CUE.exec(rest);
  const before = cue ? rest.slice(0, cue.index) : '';
  if (cue) rest = rest.slice(cue.index + cue[0].length);
  let k: number | undefined;
  const count =
    /(?:^|\s)(?:top\s+)?(\d{1,3})(?=\s+(?:items|products|things|similar|most|\w+\s+similar)|\s*$)/i.exec(
      before,
    );
  if (count) k = Number(count[1]);
  const flag = /\s--k\s+(\d+)\s*$/i.exec(rest);
  if (flag) {
    k = Number(flag[1]);
    rest = rest.slice(0, flag.index);
  }
  const query = rest
    .replace(/^\s*(?:the|a|an|our)\s+/i, '')
    .replace(/[?!.]+\s*$/, '')
    .replace(/^["'“‘]|["'”’]$/g, '')
    .trim();
  return { query, ...(k !== undefined ? { k } : {}) };
}

export function similarReply(result: SimilarResult): Reply {
  const about =
    result.anchor.kind === 'item'
      ? `${result.anchor.item.name} (${result.anchor.item.id})`
      : `"${result.anchor.text}"`;
  if (result.items.length === 0) {
    return { tone: 'warning', text: `I found nothing similar to ${about}.` };
  }
  const notes = [
    `${result.provider.name === 'local' ? 'local embeddings' : `OpenAI ${result.provider.model}`} in ${result.backend}`,
  ];
  if (result.anchor.kind === 'text')
    notes.unshift('no product has that name or code, so I compared the description');
  if (result.reindexed) {
    notes.push(`product vectors (re)built just now for ${plural(result.reindexed.indexed, 'product')}`);
  }
  return {
    title: `${plural(result.items.length, 'product')} similar to ${about}`,
    table: {
      columns: ['Stock code', 'Name', 'Category', 'Price', 'Similarity', 'Why'],
      rows: result.items.map((i) => [
        i.id,
        i.name,
        i.category,
        i.price === null ? '-' : formatMoney(i.price),
        `${Math.round(Math.max(0, i.score) * 100)}%`,
        i.reason,
      ]),
    },
    context: notes.join('; '),
  };
}

export default defineCommand({
  name: 'similar',
  description: 'Products similar to a product (stock code or name) or to a description',
  examples: [
    'what is similar to the white hanging heart t-light holder?',
    'similar to 85123A',
    '5 products like christmas candles',
  ],
  aliases: [
    'similar to',
    'what is similar to',
    "what's similar to",
    'products like',
    'items like',
    'more like',
  ],
  args: z.object({
    query: z
      .string()
      .trim()
      .min(1, 'say which product: a stock code (e.g. 85123A), its name, or a description'),
    k: z
      .number()
      .int()
      .min(1, 'ask for at least 1 product')
      .max(50, 'ask for at most 50 products')
      .default(10),
  }),
  claims: (text) => CUE.test(text),
  parse: (text) => parseSimilar(text),
  async run(ctx, { query, k }) {
    const vectors = vectorContextFor(ctx.database);
    vectors.store ??= await openVectorStore({ config: vectors.config, database: ctx.database });
    const result = await findSimilar(ctx.database, query, {
      config: vectors.config,
      store: vectors.store,
      k,
    });
    return {
      reply: similarReply(result),
      remember: { query, k, itemIds: result.items.map((i) => i.id) },
    };
  },
});
