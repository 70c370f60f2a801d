import { describe, expect, it } from 'vitest';
import { parseProspectsRequest, prospectsCue } from './prospects-request.ts';

describe('reading who is likely to buy some products', () => {
  it.each([
    ['which customers are likely to buy candles?', { goods: 'candles' }],
    ['which customers are most likely to buy christmas items', { goods: 'christmas items' }],
    ['which of our customers would buy garden products?', { goods: 'garden products' }],
    ['which lapsed customers are most likely to buy candles?', { goods: 'candles', who: 'lapsed customers' }],
    ['which German customers would want mugs', { goods: 'mugs', who: 'German customers' }],
    ['who is likely to buy 85123A?', { goods: '85123A' }],
    [
      "who's most likely to order the white hanging heart t-light holder",
      { goods: 'white hanging heart t-light holder' },
    ],
    ['who would buy "tea light" items', { goods: '"tea light" items' }],
    ['customers likely to buy candles next month', { goods: 'candles' }],
    ['top 50 customers most likely to buy candles', { goods: 'candles', k: 50 }],
    [
      'show me the 20 big spenders most likely to buy christmas items',
      { goods: 'christmas items', who: 'big spenders', k: 20 },
    ],
    ['best prospects for candles', { goods: 'candles' }],
    ['top 30 prospects for garden products', { goods: 'garden products', k: 30 }],
    ['top 5000 prospects for candles', { goods: 'candles', k: 5000 }],
    ['propensity to buy candles', { goods: 'candles' }],
    ['who should we target with christmas items?', { goods: 'christmas items' }],
    ['who to email about candles', { goods: 'candles' }],
    ['who would buy the 3 tier cakestand', { goods: '3 tier cakestand' }],
    [
      "which customers haven't bought candles but are likely to?",
      { goods: 'candles', who: 'customers who never bought candles' },
    ],
    [
      'German customers who never bought christmas items but would probably buy them',
      { goods: 'christmas items', who: 'German customers who never bought christmas items' },
    ],
    [
      "top 50 customers who haven't bought mugs yet but are most likely to buy some",
      { goods: 'mugs', who: 'customers who never bought mugs', k: 50 },
    ],
    ['customers who would like candles', { goods: 'candles' }],
    [
      'German customers who might want christmas items',
      { goods: 'christmas items', who: 'German customers' },
    ],
    ['which customers should get the candle email?', { goods: 'candle' }],
    [
      'which lapsed customers should receive our christmas gifts campaign',
      { goods: 'christmas gifts', who: 'lapsed customers' },
    ],
    ['who will buy the new christmas range?', { goods: 'christmas range' }],
    // After a command word, which the router takes off.
    ['for candles', { goods: 'candles' }],
    ['candles', { goods: 'candles' }],
  ])('%s', (text, expected) => {
    expect(parseProspectsRequest(text)).toEqual(expected);
  });

  it('has no products when none are said', () => {
    expect(parseProspectsRequest('which customers are likely to buy?')).toEqual({});
    // After the command word "prospects".
    expect(parseProspectsRequest('for')).toEqual({});
  });

  it.each([
    'what should we recommend to customer 12347?',
    'customers who bought candles',
    'what goes well with candles?',
    'who are our best customers?',
    'customers likely to churn',
    "customers who haven't bought candles and are lapsed",
  ])('finds no words that ask in "%s"', (text) => {
    expect(prospectsCue(text)).toBeNull();
  });
});
