import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';

/** "what is similar to X", "products like X", "10 items similar to X": the text after the cue is X. */
const CUE = /\b(?:similar\s+(?:to|items\s+to|products\s+to)|(?:items|products|things)\s+like|more\s+like)\b/i;

const PEOPLE = /\b(?:customers?|buyers?|shoppers?|people|users?|clients?|segments?|audiences?)\b/i;

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
    .trim()
    .replace(/^(?:the|a|an|our)\s+/i, '')
    .replace(/[?!.]+\s*$/, '')
    .replace(/^["'“‘]|["'”’]$/g, '')
    .trim();
  return { query, ...(k !== undefined ? { k } : {}) };
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
  // Before the segment command in the registry ("3 products similar to X" is not "distinct products = 3"), so
  // it leaves alone anything about people ("customers similar to 12347").
  claims: (text) => {
    const cue = CUE.exec(text);
    return cue !== null && !PEOPLE.test(text.slice(0, cue.index));
  },
  parse: (text) => parseSimilar(text),
  async run(ctx, { query, k }) {
    // Loaded on first use: embeddings and stores are not needed to start Megaphone or answer other commands.
    const [{ vectorContextFor }, { openVectorStore }, { similarReply }, { findSimilar }] = await Promise.all([
      import('../src/vectors/context.ts'),
      import('../src/vectors/index.ts'),
      import('../src/vectors/reply.ts'),
      import('../src/vectors/similar.ts'),
    ]);
    const vectors = vectorContextFor(ctx.database);
    vectors.store ??= await openVectorStore({ config: vectors.config, database: ctx.database });
    const result = await findSimilar(ctx.database, query, {
      config: vectors.config,
      store: vectors.store,
      k,
    });
    // Nothing follows up on a list of similar products: the thread keeps what it remembered (its segment).
    return similarReply(result);
  },
});
