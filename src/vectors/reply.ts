/** Content similarity as a platform-neutral reply: a table with name, category, price, similarity and why. */
import { formatMoney, plural, type Reply } from '../core/reply.ts';
import type { SimilarResult } from './similar.ts';

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
