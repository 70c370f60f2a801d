/**
 * Ranking metrics with binary relevance.
 *
 * - Recall@K = hits in the top K / min(K, number of relevant items), so a perfect list scores 1 even when a
 *   customer bought more than K new items.
 * - NDCG@K = DCG@K / ideal DCG@K, with DCG = sum over hit positions p (1-based) of 1 / log2(p + 1) and the
 *   ideal list putting min(K, relevant) hits first.
 */
export function recallAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  if (relevant.size === 0) return 0;
  let hits = 0;
  for (const item of ranked.slice(0, k)) if (relevant.has(item)) hits++;
  return hits / Math.min(k, relevant.size);
}

export function ndcgAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  if (relevant.size === 0) return 0;
  let dcg = 0;
  const top = ranked.slice(0, k);
  for (const [p, item] of top.entries()) if (relevant.has(item)) dcg += 1 / Math.log2(p + 2);
  let ideal = 0;
  for (let p = 0; p < Math.min(k, relevant.size); p++) ideal += 1 / Math.log2(p + 2);
  return dcg / ideal;
}
