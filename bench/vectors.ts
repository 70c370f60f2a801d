/**
 * Vector search: query latency of the HNSW index against exact search (a full scan) on the same vectors, in the
 * same run, interleaved, and recall@10 of HNSW against exact. On the Online Retail catalogue (local embeddings,
 * loaded with the importer into a temporary PGlite) and on a larger constructed set of clustered vectors. Also
 * the local provider's fitting time and embedding throughput.
 */
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Database, openDatabase } from '../src/db/client.ts';
import { importFile } from '../src/ingest/import.ts';
import { loadCatalogue, productText } from '../src/vectors/catalogue.ts';
import { indexCatalogue, openEmbeddingProvider } from '../src/vectors/index.ts';
import { openPgvectorStore } from '../src/vectors/pgvector-store.ts';
import type { VectorRecord, VectorStore } from '../src/vectors/types.ts';
import { median, progress, type Section, seconds, timed } from './section.ts';

const DATA = fileURLToPath(new URL('../../shared/data/online-retail.csv.gz', import.meta.url));
const K = 10;
const QUERIES = 200;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const ms = (v: number) => `${v.toFixed(2)} ms`;

/** A deterministic generator for the constructed set and the query sample. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

function unit(v: number[]): number[] {
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
}

interface Measured {
  label: string;
  vectors: number;
  dimension: number;
  approx: number[];
  exact: number[];
  recall: number;
  exactAgrees: boolean;
}

/** Runs each query on HNSW and exactly, alternating which goes first; recall@K of HNSW against exact. */
async function measure(
  label: string,
  store: VectorStore,
  namespace: string,
  queries: (Float32Array | number[])[],
  vectors: number,
  dimension: number,
  check?: (q: Float32Array | number[], exactIds: string[]) => boolean,
): Promise<Measured> {
  const approx: number[] = [];
  const exact: number[] = [];
  let hits = 0;
  let exactAgrees = true;
  // Warm-up: first touches load the index and table pages.
  for (const q of queries.slice(0, 5)) {
    await store.query(namespace, { vector: q, topK: K });
    await store.query(namespace, { vector: q, topK: K, exact: true });
  }
  for (const [i, q] of queries.entries()) {
    const runApprox = () => timed(() => store.query(namespace, { vector: q, topK: K }));
    const runExact = () => timed(() => store.query(namespace, { vector: q, topK: K, exact: true }));
    const [a, e] = i % 2 ? [await runApprox(), await runExact()] : [undefined, await runExact()];
    const a2 = a ?? (await runApprox());
    approx.push(a2.ms);
    exact.push(e.ms);
    const truth = new Set(e.value.map((m) => m.id));
    hits += a2.value.filter((m) => truth.has(m.id)).length;
    if (
      check &&
      i < 10 &&
      !check(
        q,
        e.value.map((m) => m.id),
      )
    )
      exactAgrees = false;
  }
  const recall = hits / (queries.length * K);
  progress(
    `${label}: HNSW p50 ${ms(percentile(approx, 50))}, exact p50 ${ms(percentile(exact, 50))}, recall@${K} ${recall.toFixed(3)}`,
  );
  return { label, vectors, dimension, approx, exact, recall, exactAgrees };
}

function row(m: Measured): string {
  const speedup = median(m.exact) / median(m.approx);
  return (
    `| ${m.label} | ${m.vectors.toLocaleString('en-GB')} x ${m.dimension} | ${m.approx.length} | ` +
    `${ms(percentile(m.approx, 50))} | ${ms(percentile(m.approx, 95))} | ${ms(percentile(m.exact, 50))} | ` +
    `${ms(percentile(m.exact, 95))} | ${speedup.toFixed(2)}x | ${m.recall.toFixed(3)} |`
  );
}

function bruteForceTop(records: VectorRecord[], q: ArrayLike<number>, k: number): string[] {
  return records
    .map((r) => {
      let s = 0;
      for (let i = 0; i < q.length; i++) s += q[i]! * (r.values[i] as number);
      return { id: r.id, s };
    })
    .sort((a, b) => b.s - a.s)
    .slice(0, k)
    .map((x) => x.id);
}

async function catalogueCase(lines: string[], failures: string[]): Promise<Measured | undefined> {
  try {
    await access(DATA);
  } catch {
    lines.push(`Online Retail data not found at ${DATA}: catalogue case skipped.`, '');
    return undefined;
  }
  const database: Database = await openDatabase({});
  try {
    progress('vectors: importing Online Retail into a temporary PGlite');
    await importFile(database, DATA, { skipFeatures: true });
    const catalogue = await loadCatalogue(database);
    const config = { openai: undefined, pinecone: undefined, openaiEmbeddingModel: '' };
    const fit = await timed(() => openEmbeddingProvider({ config, database, fit: true }));
    const provider = fit.value;
    const texts = catalogue.map(productText);
    // Throughput: the whole catalogue, three times; the median pass counts.
    const passes: number[] = [];
    for (let i = 0; i < 3; i++) passes.push((await timed(() => provider.embed(texts))).ms);
    const perSecond = texts.length / (median(passes) / 1000);
    const store = await openPgvectorStore(database);
    const indexed = await timed(() => indexCatalogue(database, { store, provider }));
    lines.push(
      `Local embeddings on the Online Retail catalogue (${catalogue.length.toLocaleString('en-GB')} products): ` +
        `fit (TF-IDF over ${provider.dimension}-dimensional truncated SVD) ${seconds(fit.ms)}; embedding ` +
        `${Math.round(perSecond).toLocaleString('en-GB')} products/s (median of 3 passes over the catalogue); ` +
        `embed + store with HNSW maintenance ${seconds(indexed.ms)}.`,
      '',
    );
    const rand = lcg(11);
    const vectors = await provider.embed(texts);
    const records = catalogue.map((p, i) => ({ id: p.id, values: vectors[i]! }));
    const queries = Array.from({ length: QUERIES }, () => vectors[Math.floor(rand() * vectors.length)]!);
    return await measure(
      'Online Retail catalogue, local embeddings',
      store,
      'products',
      queries,
      catalogue.length,
      provider.dimension,
      (q, ids) => {
        // Ties at the cut-off may order differently; compare as sets of the top K - 2.
        const truth = new Set(bruteForceTop(records, q, K));
        const ok = ids.slice(0, K - 2).every((id) => truth.has(id));
        if (!ok) failures.push('catalogue: exact search disagrees with brute force in JavaScript');
        return ok;
      },
    );
  } finally {
    await database.close();
  }
}

/** Clustered vectors (like real embeddings, unlike uniform noise): 200 centres, points scattered around them. */
async function constructedCase(n: number, dimension: number): Promise<Measured> {
  const database = await openDatabase({});
  try {
    const rand = lcg(29);
    const centres = Array.from({ length: 200 }, () =>
      Array.from({ length: dimension }, () => gaussian(rand)),
    );
    const records: VectorRecord[] = Array.from({ length: n }, (_, i) => {
      const c = centres[Math.floor(rand() * centres.length)]!;
      return { id: `v${i}`, values: unit(c.map((x) => x + 0.6 * gaussian(rand))) };
    });
    const store = await openPgvectorStore(database);
    const built = await timed(async () => {
      for (let i = 0; i < records.length; i += 2000)
        await store.upsert('constructed', records.slice(i, i + 2000));
    });
    progress(`vectors: constructed ${n} x ${dimension} stored with HNSW in ${seconds(built.ms)}`);
    const queries = Array.from({ length: QUERIES }, () => {
      const c = centres[Math.floor(rand() * centres.length)]!;
      return unit(c.map((x) => x + 0.6 * gaussian(rand)));
    });
    return await measure(`constructed, clustered`, store, 'constructed', queries, n, dimension);
  } finally {
    await database.close();
  }
}

export async function run(): Promise<Section> {
  const failures: string[] = [];
  const lines: string[] = [];
  const measured: Measured[] = [];
  const catalogue = await catalogueCase(lines, failures);
  if (catalogue) measured.push(catalogue);
  measured.push(await constructedCase(20_000, 64));
  for (const m of measured) {
    if (m.recall < 0.9) failures.push(`${m.label}: recall@${K} of HNSW ${m.recall.toFixed(3)} is below 0.9`);
  }
  lines.push(
    `Top-${K} cosine queries on embedded PGlite + pgvector (HNSW m 16, ef_construction 64, ef_search 40), ` +
      `${QUERIES} queries each, HNSW and exact search (the same ORDER BY made unindexable, so a full scan) ` +
      'interleaved. Recall@10 = share of the exact top 10 that HNSW returns.',
    '',
    '| Vectors | Size | Queries | HNSW p50 | HNSW p95 | Exact p50 | Exact p95 | Exact / HNSW (p50) | Recall@10 |',
    '|---|---|---|---|---|---|---|---|---|',
    ...measured.map(row),
  );
  return { title: 'Vector search (pgvector HNSW vs exact)', markdown: `${lines.join('\n')}\n`, failures };
}
