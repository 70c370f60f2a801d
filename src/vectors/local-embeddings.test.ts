import { describe, expect, it } from 'vitest';
import {
  fitLocalModel,
  isZeroVector,
  localProvider,
  normalizeText,
  textFeatures,
} from './local-embeddings.ts';

const CATALOGUE = [
  'WHITE HANGING HEART T-LIGHT HOLDER',
  'RED HANGING HEART T-LIGHT HOLDER',
  'HANGING HEART ZINC T-LIGHT HOLDER',
  'CREAM HEART CARD HOLDER',
  'WHITE METAL LANTERN',
  'REGENCY CAKESTAND 3 TIER',
  'REGENCY CAKE FORK',
  'SET OF 3 CAKE TINS PANTRY DESIGN',
  'CHRISTMAS DECOUPAGE CANDLE',
  '3 WICK CHRISTMAS BRIAR CANDLE',
  'ASSORTED COLOUR BIRD ORNAMENT',
  'JUMBO BAG RED RETROSPOT',
  'JUMBO BAG PINK POLKADOT',
  'LUNCH BAG RED RETROSPOT',
  'PACK OF 72 RETROSPOT CAKE CASES',
  'ALARM CLOCK BAKELIKE RED',
  'ALARM CLOCK BAKELIKE GREEN',
];

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

describe('local embeddings (TF-IDF + truncated SVD)', () => {
  it('normalises text and extracts words and padded n-grams', () => {
    expect(normalizeText('Crème BRÛLÉE  t-light, 3-tier!')).toBe('creme brulee t light 3 tier');
    const f = textFeatures('Red red heart');
    expect(f.get('w:red')).toBe(2);
    expect(f.get('c: he')).toBe(1);
    expect(f.get('c:art ')).toBe(1);
    expect(f.has('w:t')).toBe(false);
  });

  it('is deterministic: the same catalogue gives the same model, byte for byte', () => {
    const a = fitLocalModel(CATALOGUE, { dimension: 8 });
    const b = fitLocalModel([...CATALOGUE], { dimension: 8 });
    expect(a.model).toBe(b.model);
    expect(Buffer.from(a.projection.buffer).equals(Buffer.from(b.projection.buffer))).toBe(true);
    expect(fitLocalModel([...CATALOGUE, 'PAPER CHAIN KIT'], { dimension: 8 }).model).not.toBe(a.model);
  });

  it('embeds into unit vectors of the fitted dimension, at most documents - 1', async () => {
    const model = fitLocalModel(CATALOGUE);
    expect(model.dimension).toBe(CATALOGUE.length - 1);
    const vectors = await localProvider(model).embed(CATALOGUE);
    for (const v of vectors) {
      expect(v.length).toBe(model.dimension);
      expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    }
  });

  it('puts products with shared words and word pieces next to each other', async () => {
    const provider = localProvider(fitLocalModel(CATALOGUE, { dimension: 10 }));
    const vectors = await provider.embed(CATALOGUE);
    const nearest = (i: number) =>
      vectors
        .map((v, j) => ({ j, s: dot(vectors[i]!, v) }))
        .filter((x) => x.j !== i)
        .sort((a, b) => b.s - a.s)[0]!.j;
    expect(CATALOGUE[nearest(0)]).toMatch(/HANGING HEART .*T-LIGHT HOLDER/);
    expect(CATALOGUE[nearest(11)]).toMatch(/BAG/);
    expect(CATALOGUE[nearest(15)]).toBe('ALARM CLOCK BAKELIKE GREEN');
    // A free-text query with an inflected word still lands on the candles.
    const [q] = await provider.embed(['christmas candles']);
    const best = vectors.map((v, j) => ({ j, s: dot(q!, v) })).sort((a, b) => b.s - a.s);
    expect(CATALOGUE[best[0]!.j]).toMatch(/CHRISTMAS .*CANDLE/);
    expect(CATALOGUE[best[1]!.j]).toMatch(/CHRISTMAS .*CANDLE/);
  });

  it('embeds text with nothing the catalogue knows to the zero vector', async () => {
    const provider = localProvider(fitLocalModel(CATALOGUE));
    const [v] = await provider.embed(['zzqx wvvy']);
    expect(isZeroVector(v!)).toBe(true);
  });

  it('fits a one-product catalogue without failing', async () => {
    const model = fitLocalModel(['ONLY ONE THING']);
    expect(model.dimension).toBe(1);
    const [v] = await localProvider(model).embed(['only one thing']);
    expect(v!.length).toBe(1);
  });
});
