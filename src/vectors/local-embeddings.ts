/**
 * The local embedding model: no network, no downloaded weights. TF-IDF over words and character n-grams of the
 * catalogue's own text, reduced to a few dozen dimensions by a seeded randomised truncated SVD (latent semantic
 * analysis), so "t-light holder" lands near "tealight holder" and "heart" near "hearts". The fitted model
 * (features, idf, projection) is saved in Postgres so free-text queries are embedded in the same space later.
 */
import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { embeddingModels } from '../../db/schema.ts';
import { UserError } from '../core/errors.ts';
import type { Database } from '../db/client.ts';
import type { EmbeddingProvider } from './types.ts';

export interface FitOptions {
  /** Target dimension; smaller catalogues get fewer (at most documents - 1). */
  dimension?: number;
  seed?: number;
  /** Most features kept (the most frequent), bounding model size and fitting time. */
  maxFeatures?: number;
  /** Power iterations of the randomised SVD (accuracy of the small singular values). */
  powerIterations?: number;
}

export interface LocalModelData {
  model: string;
  dimension: number;
  features: string[];
  idf: Float32Array;
  /** features x dimension, row-major. */
  projection: Float32Array;
  documents: number;
}

export const LOCAL_MODEL_NAME = 'catalogue';
const DEFAULT_DIMENSION = 128;
const DEFAULT_SEED = 20240601;
const DEFAULT_MAX_FEATURES = 40_000;
const OVERSAMPLE = 10;
/** Words and n-grams weigh the same in the cosine: each block is scaled to unit length, then by this. */
const BLOCK_WEIGHT = Math.SQRT1_2;

/** Lower case, accents off, anything not a letter or digit becomes a space. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Feature counts of one text: `w:` words (2+ characters) and `c:` 3- and 4-grams of each padded word. */
export function textFeatures(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (f: string) => counts.set(f, (counts.get(f) ?? 0) + 1);
  for (const word of normalizeText(text).split(' ')) {
    if (word.length < 2) continue;
    add(`w:${word}`);
    const padded = ` ${word} `;
    for (const n of [3, 4]) {
      for (let i = 0; i + n <= padded.length; i++) add(`c:${padded.slice(i, i + n)}`);
    }
  }
  return counts;
}

interface Sparse {
  rows: number;
  cols: number;
  rowPtr: Int32Array;
  indices: Int32Array;
  values: Float64Array;
}

/** One TF-IDF row: sublinear tf, idf, each block (words, n-grams) at unit length times BLOCK_WEIGHT. */
function weightRow(
  counts: Map<string, number>,
  index: Map<string, number>,
  idf: ArrayLike<number>,
  isWord: (col: number) => boolean,
): { cols: number[]; vals: number[] } {
  const cols: number[] = [];
  const vals: number[] = [];
  let wordNorm = 0;
  let gramNorm = 0;
  for (const [f, c] of counts) {
    const col = index.get(f);
    if (col === undefined) continue;
    const v = (1 + Math.log(c)) * idf[col]!;
    cols.push(col);
    vals.push(v);
    if (isWord(col)) wordNorm += v * v;
    else gramNorm += v * v;
  }
  wordNorm = Math.sqrt(wordNorm);
  gramNorm = Math.sqrt(gramNorm);
  for (let i = 0; i < cols.length; i++) {
    const norm = isWord(cols[i]!) ? wordNorm : gramNorm;
    vals[i] = norm > 0 ? (vals[i]! / norm) * BLOCK_WEIGHT : 0;
  }
  return { cols, vals };
}

/**
 * Fits the model on the given texts. Deterministic: the same texts and options give the same model and the
 * same model id.
 *
 * @example
 * const model = fitLocalModel(['WHITE HANGING HEART T-LIGHT HOLDER', 'RED HANGING HEART T-LIGHT HOLDER']);
 */
export function fitLocalModel(texts: string[], options: FitOptions = {}): LocalModelData {
  const docs = texts.map(textFeatures);
  const df = new Map<string, number>();
  for (const d of docs) for (const f of d.keys()) df.set(f, (df.get(f) ?? 0) + 1);
  // An n-gram seen in one product only cannot tie two products together; a rare word still can, via queries.
  const kept = [...df.entries()]
    .filter(([f, n]) => f.startsWith('w:') || n >= 2)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, options.maxFeatures ?? DEFAULT_MAX_FEATURES);
  // Words first, then n-grams: `isWord` is then a bound check.
  kept.sort((a, b) => (a[0].startsWith('w:') === b[0].startsWith('w:') ? 0 : a[0].startsWith('w:') ? -1 : 1));
  const features = kept.map(([f]) => f);
  const wordCount = features.filter((f) => f.startsWith('w:')).length;
  const index = new Map(features.map((f, i) => [f, i]));
  const n = docs.length;
  const idf = new Float32Array(features.length);
  for (const [i, [, count]] of kept.entries()) idf[i] = Math.log((1 + n) / (1 + count)) + 1;

  const rowPtr = new Int32Array(n + 1);
  const allCols: number[] = [];
  const allVals: number[] = [];
  for (const [i, d] of docs.entries()) {
    const { cols, vals } = weightRow(d, index, idf, (c) => c < wordCount);
    for (let k = 0; k < cols.length; k++) {
      allCols.push(cols[k]!);
      allVals.push(vals[k]!);
    }
    rowPtr[i + 1] = allCols.length;
  }
  const a: Sparse = {
    rows: n,
    cols: features.length,
    rowPtr,
    indices: Int32Array.from(allCols),
    values: Float64Array.from(allVals),
  };
  const dimension = Math.max(1, Math.min(options.dimension ?? DEFAULT_DIMENSION, n - 1, features.length - 1));
  const projection = randomizedProjection(
    a,
    dimension,
    options.seed ?? DEFAULT_SEED,
    options.powerIterations ?? 2,
  );
  const hash = createHash('sha256')
    .update(features.join('\n'))
    .update(new Uint8Array(projection.buffer))
    .digest('hex')
    .slice(0, 12);
  return {
    model: `tfidf-svd-${dimension}-${hash}`,
    dimension,
    features,
    idf,
    projection,
    documents: n,
  };
}

/** Y = A X, A sparse (n x m), X dense m x l row-major. */
function multiply(a: Sparse, x: Float64Array, l: number): Float64Array {
  const y = new Float64Array(a.rows * l);
  for (let i = 0; i < a.rows; i++) {
    const out = i * l;
    for (let p = a.rowPtr[i]!; p < a.rowPtr[i + 1]!; p++) {
      const v = a.values[p]!;
      const src = a.indices[p]! * l;
      for (let c = 0; c < l; c++) y[out + c]! += v * x[src + c]!;
    }
  }
  return y;
}

/** Z = Aᵀ Y, Y dense n x l row-major. */
function multiplyTransposed(a: Sparse, y: Float64Array, l: number): Float64Array {
  const z = new Float64Array(a.cols * l);
  for (let i = 0; i < a.rows; i++) {
    const src = i * l;
    for (let p = a.rowPtr[i]!; p < a.rowPtr[i + 1]!; p++) {
      const v = a.values[p]!;
      const out = a.indices[p]! * l;
      for (let c = 0; c < l; c++) z[out + c]! += v * y[src + c]!;
    }
  }
  return z;
}

/**
 * Orthonormalises the columns of a rows x l row-major matrix in place: classical Gram-Schmidt applied twice
 * (stable), walking rows so memory is read in order.
 */
function orthonormalize(m: Float64Array, rows: number, l: number): void {
  const dots = new Float64Array(l);
  for (let c = 0; c < l; c++) {
    for (let pass = 0; pass < 2 && c > 0; pass++) {
      dots.fill(0, 0, c);
      for (let r = 0; r < rows; r++) {
        const base = r * l;
        const v = m[base + c]!;
        if (v === 0) continue;
        for (let p = 0; p < c; p++) dots[p]! += v * m[base + p]!;
      }
      for (let r = 0; r < rows; r++) {
        const base = r * l;
        let s = 0;
        for (let p = 0; p < c; p++) s += dots[p]! * m[base + p]!;
        m[base + c]! -= s;
      }
    }
    let norm = 0;
    for (let r = 0; r < rows; r++) norm += m[r * l + c]! ** 2;
    norm = Math.sqrt(norm);
    // A column in the span of the previous ones (rank-deficient input) is dropped, not amplified noise.
    const scale = norm > 1e-10 ? 1 / norm : 0;
    for (let r = 0; r < rows; r++) m[r * l + c]! *= scale;
  }
}

/**
 * The top `d` right singular vectors of A (m x d, row-major float32), by the randomised range finder of Halko,
 * Martinsson and Tropp with power iterations, and an eigen-decomposition of the small l x l matrix B Bᵀ.
 */
function randomizedProjection(a: Sparse, d: number, seed: number, powerIterations: number): Float32Array {
  const l = Math.min(d + OVERSAMPLE, a.rows, a.cols);
  const gen = xoroshiro128plus(seed);
  const gaussian = (): number => {
    // Box-Muller on two uniforms from the seeded generator.
    const u = 1 - uniformFloat64(gen);
    const v = uniformFloat64(gen);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const omega = new Float64Array(a.cols * l);
  for (let i = 0; i < omega.length; i++) omega[i] = gaussian();
  let q = multiply(a, omega, l);
  orthonormalize(q, a.rows, l);
  for (let it = 0; it < powerIterations; it++) {
    const z = multiplyTransposed(a, q, l);
    orthonormalize(z, a.cols, l);
    q = multiply(a, z, l);
    orthonormalize(q, a.rows, l);
  }
  // Bᵀ = Aᵀ Q (m x l); B Bᵀ = (Bᵀ)ᵀ Bᵀ (l x l).
  const bt = multiplyTransposed(a, q, l);
  const gram = new Float64Array(l * l);
  for (let r = 0; r < a.cols; r++) {
    const base = r * l;
    for (let i = 0; i < l; i++) {
      const vi = bt[base + i]!;
      if (vi === 0) continue;
      const row = i * l;
      for (let j = i; j < l; j++) gram[row + j]! += vi * bt[base + j]!;
    }
  }
  const rows = Array.from({ length: l }, (_, i) =>
    Array.from({ length: l }, (_, j) => (j >= i ? gram[i * l + j]! : gram[j * l + i]!)),
  );
  const evd = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const order = evd.realEigenvalues
    .map((value, i) => ({ value, i }))
    .sort((x, y) => y.value - x.value || x.i - y.i)
    .slice(0, d);
  // V = Bᵀ W Λ^(-1/2): right singular vectors of A. W's chosen columns scaled, as a dense l x d block.
  const w = evd.eigenvectorMatrix;
  const scaled = new Float64Array(l * d);
  for (const [k, { value, i }] of order.entries()) {
    if (value <= 1e-12) continue;
    const inv = 1 / Math.sqrt(value);
    for (let j = 0; j < l; j++) scaled[j * d + k] = w.get(j, i) * inv;
  }
  const projection = new Float32Array(a.cols * d);
  const acc = new Float64Array(d);
  for (let r = 0; r < a.cols; r++) {
    acc.fill(0);
    for (let j = 0; j < l; j++) {
      const v = bt[r * l + j]!;
      if (v === 0) continue;
      const base = j * d;
      for (let k = 0; k < d; k++) acc[k]! += v * scaled[base + k]!;
    }
    projection.set(acc, r * d);
  }
  // Fix each column's sign (largest entry positive) so the model does not depend on the eigen solver's choice.
  for (let k = 0; k < d; k++) {
    let largest = 0;
    for (let r = 0; r < a.cols; r++) {
      const v = projection[r * d + k]!;
      if (Math.abs(v) > Math.abs(largest)) largest = v;
    }
    if (largest < 0) for (let r = 0; r < a.cols; r++) projection[r * d + k] = -projection[r * d + k]!;
  }
  return projection;
}

/**
 * An embedding provider over a fitted model. Texts with no word or n-gram the catalogue knows embed to the zero
 * vector (check with `isZeroVector`): there is nothing to compare them by.
 */
export function localProvider(data: LocalModelData): EmbeddingProvider {
  const index = new Map(data.features.map((f, i) => [f, i]));
  const wordCount = data.features.findIndex((f) => !f.startsWith('w:'));
  const words = wordCount === -1 ? data.features.length : wordCount;
  const d = data.dimension;
  return {
    name: 'local',
    model: data.model,
    dimension: d,
    async embed(texts) {
      return texts.map((text) => {
        const { cols, vals } = weightRow(textFeatures(text), index, data.idf, (c) => c < words);
        const out = new Float32Array(d);
        const acc = new Float64Array(d);
        for (let k = 0; k < cols.length; k++) {
          const base = cols[k]! * d;
          const v = vals[k]!;
          for (let j = 0; j < d; j++) acc[j]! += v * data.projection[base + j]!;
        }
        let norm = 0;
        for (let j = 0; j < d; j++) norm += acc[j]! ** 2;
        norm = Math.sqrt(norm);
        if (norm > 0) for (let j = 0; j < d; j++) out[j] = acc[j]! / norm;
        return out;
      });
    },
  };
}

export function isZeroVector(v: ArrayLike<number>): boolean {
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) return false;
  return true;
}

const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
/** Copies: a driver's buffer may not be 4-byte aligned. */
const floats = (b: Uint8Array) => new Float32Array(new Uint8Array(b).buffer);

export async function saveLocalModel(database: Database, data: LocalModelData): Promise<void> {
  const row = {
    model: data.model,
    dimension: data.dimension,
    features: data.features,
    idf: bytes(data.idf),
    projection: bytes(data.projection),
    documents: data.documents,
    fittedAt: new Date(),
  };
  await database.db
    .insert(embeddingModels)
    .values({ name: LOCAL_MODEL_NAME, ...row })
    .onConflictDoUpdate({ target: embeddingModels.name, set: row });
}

export async function loadLocalModel(database: Database): Promise<LocalModelData | undefined> {
  const [row] = await database.db
    .select()
    .from(embeddingModels)
    .where(eq(embeddingModels.name, LOCAL_MODEL_NAME));
  if (!row) return undefined;
  return {
    model: row.model,
    dimension: row.dimension,
    features: row.features,
    idf: floats(row.idf),
    projection: floats(row.projection),
    documents: row.documents,
  };
}

export function notFittedError(): UserError {
  return new UserError(
    'embeddings_not_fitted',
    'The local embedding model has not been fitted on the catalogue yet. Run `megaphone vectors index` ' +
      '(or `megaphone train`) after importing orders, then ask again.',
  );
}
