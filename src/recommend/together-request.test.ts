import { describe, expect, it } from 'vitest';
import { parseTogetherRequest, togetherCue } from './together-request.ts';

describe('reading what is bought together', () => {
  it.each([
    ['what goes well with candles?', { goods: 'candles' }],
    [
      'what else goes with the white hanging heart t-light holder?',
      { goods: 'white hanging heart t-light holder' },
    ],
    ['what pairs with mugs', { goods: 'mugs' }],
    ['what sells well with garden products', { goods: 'garden products' }],
    ['what do people buy with 85123A?', { goods: '85123A' }],
    ['what else do customers usually order alongside christmas items', { goods: 'christmas items' }],
    ['frequently bought together with "tea light"', { goods: '"tea light"' }],
    ["what's often bought with lunch bags", { goods: 'lunch bags' }],
    ['products often ordered with candles', { goods: 'candles' }],
    ['5 cross-sells for christmas items', { goods: 'christmas items', k: 5 }],
    ['top 3 cross-sell ideas with mugs', { goods: 'mugs', k: 3 }],
    ['bought together with 85123A, top 5', { goods: '85123A', k: 5 }],
    ['bundle ideas for candles', { goods: 'candles' }],
    ['things that go with tea lights', { goods: 'tea lights' }],
    ['what goes with candles last quarter?', { goods: 'candles', when: 'last quarter' }],
    ['what do people buy with candles on black friday', { goods: 'candles', when: 'on black friday' }],
    ['in March, what sold with mugs?', { goods: 'mugs', when: 'in March' }],
    ['what goes with christmas decorations', { goods: 'christmas decorations' }],
    ['what do German customers buy with candles?', { goods: 'candles', who: 'German customers' }],
    [
      'what did lapsed customers order with christmas items last year',
      { goods: 'christmas items', who: 'lapsed customers', when: 'last year' },
    ],
    ['what do our customers buy with mugs', { goods: 'mugs' }],
    [
      'what goes well with candles among customers in Germany?',
      { goods: 'candles', who: 'customers in Germany' },
    ],
    ['cross-sells for candles for the lapsed-germans segment', { goods: 'candles', who: 'lapsed-germans' }],
    ['what goes with candles for big spenders', { goods: 'candles', who: 'big spenders' }],
    ['what else do people buy when they buy mugs?', { goods: 'mugs' }],
    ['what do customers who buy candles also buy?', { goods: 'candles' }],
    ['which products are bought together most often?', { pairs: true }],
    ['what sells together?', { pairs: true }],
    ['top 5 bundle ideas last quarter', { pairs: true, k: 5, when: 'last quarter' }],
    ['best product pairs for German customers', { pairs: true, who: 'German customers' }],
    ['bundle ideas for candles', { goods: 'candles' }],
    ['what goes with our new christmas range?', { goods: 'christmas range' }],
    // After a command word, which the router takes off.
    ['with candles', { goods: 'candles' }],
    ['candles', { goods: 'candles' }],
  ])('%s', (text, expected) => {
    expect(parseTogetherRequest(text)).toEqual(expected);
  });

  it('passes on a period it cannot use, for the command to refuse with the reason', () => {
    expect(parseTogetherRequest('what goes with candles in the last 9999 days')).toEqual({
      goods: 'candles',
      when: 'in the last 9999 days',
    });
  });

  it('has no products when none are said', () => {
    expect(parseTogetherRequest('what goes well with?')).toEqual({});
    // After the command word "bought together".
    expect(parseTogetherRequest('with')).toEqual({});
  });

  it.each([
    'what goes well with candles',
    'what do shoppers buy with mugs',
    'bought together with 85123A',
    'cross-sell ideas for candles',
  ])('finds the words that ask in "%s"', (text) => {
    expect(togetherCue(text)).not.toBeNull();
  });

  it.each(['what are people buying this week?', 'top products', 'recommend candles to lapsed customers'])(
    'finds none in "%s"',
    (text) => {
      expect(togetherCue(text)).toBeNull();
    },
  );
});
