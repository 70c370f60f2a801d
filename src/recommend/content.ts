/**
 * Content neighbours: for each product, the catalogue products closest to it in content. From item vectors
 * (the vector store's embeddings) when given, otherwise from the product names' words (TF-IDF cosine over an
 * inverted index), so training works with no vector store and no network.
 */

export interface Neighbour {
  id: string;
  score: number;
}

const STOP = new Set(['of', 'and', 'the', 'with', 'in', 'a', 'for', 'set', 'to']);

function words(name: string): string[] {
  return [...new Set(name.toLowerCase().match(/[a-z][a-z0-9'-]+/g) ?? [])].filter((w) => !STOP.has(w));
}

/** Top-k neighbours per product by TF-IDF cosine of the words in its name (and category). */
export function nameNeighbours(
  products: readonly { id: string; name: string; category?: string | null }[],
  k: number,
): Map<string, Neighbour[]> {
  const docs = products.map((p) => words(`${p.name} ${p.category ?? ''}`));
  const df = new Map<string, number>();
  for (const d of docs) for (const w of d) df.set(w, (df.get(w) ?? 0) + 1);
  const n = products.length;
  const weights = docs.map((d) => {
    const v = d.map((w) => Math.log((n + 1) / (df.get(w)! + 0.5)));
    const norm = Math.hypot(...v) || 1;
    return v.map((x) => x / norm);
  });
  const postings = new Map<string, { doc: number; w: number }[]>();
  for (const [i, d] of docs.entries()) {
    for (const [j, w] of d.entries()) {
      let list = postings.get(w);
      if (!list) {
        list = [];
        postings.set(w, list);
      }
      list.push({ doc: i, w: weights[i]![j]! });
    }
  }
  const out = new Map<string, Neighbour[]>();
  const acc = new Float64Array(n);
  const touched: number[] = [];
  for (const [i, d] of docs.entries()) {
    for (const [j, w] of d.entries()) {
      const list = postings.get(w)!;
      // Very common words carry little and cost the most: skip them once they cover a tenth of the catalogue.
      if (list.length > Math.max(50, n / 10)) continue;
      for (const p of list) {
        if (p.doc === i) continue;
        if (acc[p.doc] === 0) touched.push(p.doc);
        acc[p.doc]! += weights[i]![j]! * p.w;
      }
    }
    const best = touched
      .map((doc) => ({ id: products[doc]!.id, score: acc[doc]! }))
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
      .slice(0, k);
    for (const doc of touched) acc[doc] = 0;
    touched.length = 0;
    out.set(products[i]!.id, best);
  }
  return out;
}

/** Top-k neighbours per item by cosine of unit vectors (brute force: catalogues of a few thousand items). */
export function vectorNeighbours(vectors: Map<string, Float32Array>, k: number): Map<string, Neighbour[]> {
  const ids = [...vectors.keys()];
  const vs = ids.map((id) => vectors.get(id)!);
  const out = new Map<string, Neighbour[]>();
  for (const [i, a] of vs.entries()) {
    const scores: Neighbour[] = [];
    for (const [j, b] of vs.entries()) {
      if (i === j) continue;
      let s = 0;
      for (let d = 0; d < a.length; d++) s += a[d]! * b[d]!;
      if (s > 0) scores.push({ id: ids[j]!, score: s });
    }
    scores.sort((x, y) => y.score - x.score);
    out.set(ids[i]!, scores.slice(0, k));
  }
  return out;
}
