import { describe, expect, it } from 'vitest';
import { ndcgAtK, recallAtK } from './metrics.ts';

describe('ranking metrics', () => {
  const relevant = new Set(['a', 'c', 'x']);

  it('Recall@K counts hits in the top K over min(K, relevant)', () => {
    // Hits a (position 1) and c (position 3) among 3 relevant: 2/3.
    expect(recallAtK(['a', 'b', 'c', 'd'], relevant, 10)).toBeCloseTo(2 / 3, 12);
    // K = 2: only a is inside, and min(2, 3) = 2: 1/2.
    expect(recallAtK(['a', 'b', 'c', 'd'], relevant, 2)).toBeCloseTo(1 / 2, 12);
    expect(recallAtK(['b', 'd'], relevant, 10)).toBe(0);
    expect(recallAtK(['a'], new Set(), 10)).toBe(0);
  });

  it('NDCG@K discounts by log2(position + 1) and normalises by the ideal list', () => {
    // DCG = 1/log2(2) + 1/log2(4) = 1 + 0.5; ideal (3 hits) = 1 + 1/log2(3) + 1/log2(4) = 2.1309297535714578.
    expect(ndcgAtK(['a', 'b', 'c', 'd'], relevant, 10)).toBeCloseTo(1.5 / 2.1309297535714578, 12);
    // A single relevant item at position 2: (1/log2(3)) / 1 = 0.6309297535714575.
    expect(ndcgAtK(['b', 'a'], new Set(['a']), 10)).toBeCloseTo(0.6309297535714575, 12);
    expect(ndcgAtK(['a', 'c', 'x'], relevant, 3)).toBe(1);
    // A hit beyond K does not count.
    expect(ndcgAtK(['b', 'd', 'a'], new Set(['a']), 2)).toBe(0);
  });
});
