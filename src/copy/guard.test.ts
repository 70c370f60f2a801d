import { describe, expect, it } from 'vitest';
import { parseBrand } from './brand.ts';
import { TEST_BRAND, TEST_PRODUCTS } from './fixtures.ts';
import {
  brandProblems,
  checkDraft,
  claimsIn,
  factProblems,
  factsFrom,
  guardDraft,
  repairBrand,
} from './guard.ts';

const facts = factsFrom(
  TEST_PRODUCTS,
  'sms for lapsed Germans about night lights, 15% off, free delivery, £5 off',
);

describe('facts check', () => {
  it('finds amounts, percentages and offers in text', () => {
    expect(claimsIn('Now 20% off, from £2.55 or €1,200.50; 10 per cent; free delivery!')).toEqual({
      amounts: [2.55, 1200.5],
      percents: [20, 10],
      offers: ['free delivery'],
    });
  });

  it('accepts prices from the data and offers from the request', () => {
    const ok = {
      channel: 'social' as const,
      text: 'Rabbit Night Light, £2.08. 15% off, plus free delivery and £5 off!',
    };
    expect(factProblems(ok, ['23084'], facts)).toEqual([]);
  });

  it('rejects a made-up discount, price, offer or product', () => {
    const bad = { channel: 'social' as const, text: 'Now 30% off! Only £1.99, buy one get one free.' };
    expect(factProblems(bad, ['99999'], facts).map((p) => p.message)).toEqual([
      'names £1.99, which is neither a price in the data nor in the request',
      'names a 30% discount the request does not offer',
      'promises "buy one get one", which the request does not offer',
      'names product "99999", which is not in the data',
    ]);
  });
});

describe('brand guardrails', () => {
  it('replaces or drops banned words with their inflections, and drops sentences with banned claims', () => {
    const draft = {
      channel: 'email' as const,
      subject: 'Cheap and cheerful lights',
      preheader: 'Guaranteed to glow.',
      body: 'Hello,\n\nOur cheapest lights yet. The lowest price in town! See you soon.',
      cta: 'Shop bargains',
    };
    const fixed = repairBrand(draft, TEST_BRAND);
    expect(fixed).toEqual({
      channel: 'email',
      subject: 'Affordable and cheerful lights',
      preheader: 'To glow.',
      body: 'Hello,\n\nOur affordable lights yet. See you soon.',
      cta: 'Shop',
    });
    expect(brandProblems(fixed, TEST_BRAND)).toEqual([]);
    expect(brandProblems(draft, TEST_BRAND).map((p) => p.kind)).toEqual([
      'banned',
      'banned',
      'banned',
      'claim',
      'banned',
    ]);
  });

  it('applies the emoji policy: none, or one per draft and never in SMS or subjects', () => {
    const none = parseBrand('name: X\nemoji: none', 'b');
    const push = { channel: 'push' as const, title: 'Lights ✨', body: 'Glow 🎄 up 🎁' };
    expect(brandProblems(push, none).map((p) => p.message)).toEqual([
      'uses emoji; the brand uses none',
      'uses emoji; the brand uses none',
    ]);
    expect(brandProblems(push, TEST_BRAND).map((p) => p.message)).toEqual([
      'uses 3 emoji; the brand allows one per draft',
    ]);
    expect(repairBrand(push, TEST_BRAND)).toEqual({ channel: 'push', title: 'Lights ✨', body: 'Glow up' });
    expect(repairBrand(push, none)).toEqual({ channel: 'push', title: 'Lights', body: 'Glow up' });
  });

  it('guardDraft repairs limits and brand, but a wrong fact stays a problem', () => {
    const sms = {
      channel: 'sms' as const,
      text: `Hearth & Co: It’s cheap! ${'Night lights for every room. '.repeat(6)}`,
    };
    const guarded = guardDraft(sms, { brand: TEST_BRAND, facts, productIds: [] });
    expect(guarded.problems).toEqual([]);
    expect(guarded.repaired).toBe(true);
    expect(guarded.content).toMatchObject({
      text: expect.stringMatching(/^Hearth & Co: It's affordable!.*Reply STOP to opt out$/),
    });
    const invented = guardDraft(
      { channel: 'push', title: 'Sale', body: '40% off today' },
      { brand: TEST_BRAND, facts, productIds: [] },
    );
    expect(invented.problems.map((p) => p.kind)).toEqual(['fact']);
  });

  it('checkDraft reports without rewriting (for a marketer’s own edit)', () => {
    const draft = { channel: 'push' as const, title: 'x'.repeat(41), body: 'cheap lights' };
    expect(checkDraft(draft, { brand: TEST_BRAND, facts, productIds: [] }).map((p) => p.kind)).toEqual([
      'banned',
      'limit',
    ]);
  });
});
