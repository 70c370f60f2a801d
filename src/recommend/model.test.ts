import { describe, expect, it } from 'vitest';
import { nameNeighbours } from './content.ts';
import { evaluateSplit, randomSplit, score, temporalSplit, tune } from './evaluate.ts';
import { CANDLES, FIXTURE_START, GARDEN, NAMES, NEW_CANDLE, tasteGroups } from './fixture.ts';
import { invertSpd } from './linalg.ts';
import {
  affinityTo,
  DEFAULT_PARAMS,
  fitModel,
  histories,
  type Interaction,
  type Params,
  recommend,
} from './model.ts';

const DAY = 86_400_000;
const catalogue = Object.entries(NAMES).map(([id, name]) => ({ id, name }));
const names = new Map(Object.entries(NAMES));
const content = nameNeighbours(catalogue, 20);
const interactions = tasteGroups();
const asOf = FIXTURE_START + 151 * DAY;
const train = (params: Partial<Params> = {}) =>
  fitModel({ interactions, asOf, names, content }, { ...DEFAULT_PARAMS, ...params });
const historyOf = (customer: string) => [...(histories(interactions).get(customer)?.values() ?? [])];

describe('invertSpd', () => {
  it('inverts a symmetric positive-definite matrix', () => {
    const a = new Float64Array([4, 2, 0.6, 2, 5, 1, 0.6, 1, 3]);
    const copy = a.slice();
    const inv = invertSpd(a, 3);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += copy[i * 3 + k]! * inv[k * 3 + j]!;
        expect(s).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    }
  });
});

describe('recommender on two taste groups', () => {
  it("recommends the customer's own group first, never what they bought, each with a reason", () => {
    const model = train();
    const recs = recommend(model, historyOf('c01'), { k: 5 });
    expect(
      recs
        .slice(0, 3)
        .map((r) => r.itemId)
        .sort(),
    ).toEqual(['C4', 'C5', 'C6']);
    expect(recs.map((r) => r.itemId)).not.toEqual(expect.arrayContaining(['C1']));
    for (const r of recs) {
      expect(['C1', 'C2', 'C3']).not.toContain(r.itemId);
      expect(r.reason).not.toBe('');
      expect(r.name).toBe(NAMES[r.itemId]);
    }
    expect(recs[0]!.reason).toMatch(
      /^bought together with (Lavender scented candle|Vanilla scented candle|Candle holder glass)$/,
    );
    // And for a garden customer, garden tools.
    const g = recommend(model, historyOf('g02'), { k: 2 });
    for (const r of g) expect(GARDEN).toContain(r.itemId);
  });

  it('ranks only the items asked for, each a candidate even when no neighbour leads to it', () => {
    const model = train();
    // A candle customer asked for garden items: the model's candle neighbours are all left out.
    const recs = recommend(model, historyOf('c01'), { k: 3, only: new Set(GARDEN) });
    expect(recs).toHaveLength(3);
    for (const r of recs) expect(GARDEN).toContain(r.itemId);
  });

  it('buy again ranks what the customer bought, with how often and when', () => {
    const model = train();
    const again = recommend(model, historyOf('c01'), { mode: 'again' });
    expect(again.map((r) => r.itemId).sort()).toEqual(['C1', 'C2', 'C3']);
    for (const r of again) expect(r.reason).toMatch(/^bought once, on \d{4}-\d{2}-\d{2}$/);
    const twice = recommend(
      model,
      [
        { item: 'C1', count: 1, last: asOf - DAY },
        { item: 'C2', count: 4, last: asOf - DAY },
      ],
      { mode: 'again' },
    );
    expect(twice[0]).toMatchObject({
      itemId: 'C2',
      reason: expect.stringMatching(/^bought 4 times, last on/),
    });
  });

  it('cold start: no history gets popular items, reasons say so', () => {
    const model = train();
    const recs = recommend(model, [], { k: 4 });
    expect(recs).toHaveLength(4);
    // The recency-weighted popularity order, nothing else.
    expect(recs.map((r) => r.itemId)).toEqual(model.popular.slice(0, 4));
    for (const r of recs) expect(['trending this month', 'a best seller right now']).toContain(r.reason);
  });

  it('new products are reached through content similarity', () => {
    const model = train({ wContent: 1, wPop: 0 });
    expect(model.items.get(NEW_CANDLE)?.cf).toEqual([]);
    // c01 bought candles only; after the group's other items the unbought new candle comes up, as similar.
    const history = CANDLES.filter((c) => c !== 'C6').map((item) => ({ item, count: 1, last: asOf - DAY }));
    const recs = recommend(model, history, { k: 3 });
    const fresh = recs.find((r) => r.itemId === NEW_CANDLE);
    expect(fresh?.reason).toMatch(/^similar to .*scented candle$/);
  });

  it('beats popularity on a temporal split of the fixture', () => {
    const cutoff = FIXTURE_START + 100 * DAY;
    const split = temporalSplit(interactions, cutoff);
    const result = evaluateSplit('temporal', split, { names, content }, DEFAULT_PARAMS);
    expect(result.model.customers).toBeGreaterThan(10);
    expect(result.model.ndcg).toBeGreaterThan(result.popularity.ndcg);
    expect(result.model.recall).toBeGreaterThan(result.popularity.recall);
  });
});

describe('evaluation protocol', () => {
  const x = (customer: string, item: string, day: number): Interaction => ({
    customer,
    item,
    at: FIXTURE_START + day * DAY,
  });

  it('temporal split: relevant items are those first bought from the cutoff on, for customers seen before', () => {
    const data = [x('a', 'i1', 1), x('a', 'i2', 10), x('a', 'i1', 11), x('b', 'i3', 12), x('a', 'i4', 30)];
    const split = temporalSplit(data, FIXTURE_START + 10 * DAY, FIXTURE_START + 20 * DAY);
    expect(split.train).toEqual([data[0]]);
    // i1 was bought before; i4 is after the end; b has no history before the cutoff.
    expect([...split.test]).toEqual([['a', new Set(['i2'])]]);
    const perfect = score(split, () => ['i2']);
    expect(perfect).toEqual({ recall: 1, ndcg: 1, customers: 1 });
  });

  it('random split: 20% of the products of customers with at least 5, seeded, and no overlap with training', () => {
    const data = [
      ...['i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7', 'i8', 'i9', 'i10'].map((item, n) => x('a', item, n)),
      ...['i1', 'i2', 'i3'].map((item, n) => x('b', item, n)),
    ];
    const split = randomSplit(data, 3);
    expect([...split.test.keys()]).toEqual(['a']);
    const held = split.test.get('a')!;
    expect(held.size).toBe(2);
    expect(split.train.filter((i) => i.customer === 'a' && held.has(i.item))).toEqual([]);
    expect(split.train.filter((i) => i.customer === 'b')).toHaveLength(3);
    expect(randomSplit(data, 3).test).toEqual(split.test);
    // Hundreds of thousands of lines (Online Retail has 400k) must not overflow the stack.
    const many = Array.from({ length: 200_000 }, (_, n) => x(`c${n % 3000}`, `i${n % 997}`, n % 300));
    expect(randomSplit(many, 1).test.size).toBeGreaterThan(0);
  });

  it('tuning never reads the test period: changing everything after the training end changes nothing', () => {
    const trainEnd = FIXTURE_START + 120 * DAY;
    const small = { ...DEFAULT_PARAMS, neighbours: 20 };
    const base = tune(interactions, trainEnd, { names, content }, small);
    expect(base.window.to).toBe(trainEnd);
    expect(base.window.from).toBeLessThan(trainEnd);
    expect(base.validation.customers).toBeGreaterThan(0);
    // Scramble the test period: other customers, other items, many more lines.
    const noisy = [
      ...interactions.filter((i) => i.at < trainEnd),
      ...interactions
        .filter((i) => i.at >= trainEnd)
        .flatMap((i) => [
          { ...i, item: i.item.startsWith('C') ? 'G1' : 'C1' },
          { customer: 'c01', item: 'G6', at: i.at },
        ]),
    ];
    const again = tune(noisy, trainEnd, { names, content }, small);
    expect(again).toEqual(base);
    // And the test period itself is not empty, so the check above can tell.
    expect(interactions.some((i) => i.at >= trainEnd)).toBe(true);
  });
});

describe('affinity to a set of items, across customers', () => {
  const model = train();
  const toCandles = affinityTo(model, new Set(CANDLES));

  it('scores a candle customer on a candle they have not bought, from the purchase that points to it most', () => {
    const a = toCandles(historyOf('c01'));
    expect(a).not.toBeNull();
    expect(['C4', 'C5', 'C6']).toContain(a!.itemId);
    expect(['C1', 'C2', 'C3']).toContain(a!.from);
    expect(a!.next).toBeGreaterThan(0);
    expect(a!.next).toBeLessThanOrEqual(a!.affinity);
  });

  it("gives a garden customer a lower affinity to candles than any candle customer's", () => {
    const candleCustomers = Array.from({ length: 30 }, (_, i) => `c${String(i + 1).padStart(2, '0')}`);
    const lowestCandle = Math.min(...candleCustomers.map((c) => toCandles(historyOf(c))?.affinity ?? 0));
    for (let n = 1; n <= 30; n++) {
      const garden = toCandles(historyOf(`g${String(n).padStart(2, '0')}`));
      expect(garden?.affinity ?? 0).toBeLessThan(lowestCandle);
    }
  });

  it('matches the collaborative part of a recommendation before it is scaled per customer', () => {
    // With no popularity and no content in the blend, a recommendation's order is the affinity's order.
    const cfOnly = train({ wPop: 0, wContent: 0 });
    const history = historyOf('c05');
    const [first] = recommend(cfOnly, history, { k: 1, only: new Set(CANDLES) });
    expect(affinityTo(cfOnly, new Set(CANDLES))(history)?.itemId).toBe(first?.itemId);
  });

  it('has nothing for a customer with no purchases, or who bought every item of the set', () => {
    expect(toCandles([])).toBeNull();
    const all = CANDLES.map((item) => ({ item, count: 1, last: asOf - DAY }));
    expect(toCandles(all)).toBeNull();
  });
});
