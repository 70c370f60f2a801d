import { describe, expect, it } from 'vitest';
import { parseRecommendRequest } from './request.ts';

describe('parseRecommendRequest', () => {
  it.each([
    ['what should we recommend to customer 12347?', { customer: '12347' }],
    ['for customer 12347', { customer: '12347' }],
    ['customer #12347', { customer: '12347' }],
    // Ids of a shop's own system (events layout): an email address, or any id in quotes.
    ['what should we recommend to customer jane.doe@example.com?', { customer: 'jane.doe@example.com' }],
    ['buy again for customer "alice"', { customer: 'alice', mode: 'again' }],
    ['recommend to customer ‘C-ALPHA’', { customer: 'C-ALPHA' }],
    // "no" starts the id here; it is not "customer no. 12347".
    ['recommend to customer nobody@example.com', { customer: 'nobody@example.com' }],
    ['recommend to customer no. 12347', { customer: '12347' }],
    ['recommend to customer number 12347', { customer: '12347' }],
    ['buy again for customer 12347', { customer: '12347', mode: 'again' }],
    ['top 5 for customer 12347', { customer: '12347', k: 5 }],
    ['what should we push to the lapsed Germans segment?', { segment: 'lapsed Germans' }],
    ['to lapsed-germans', { segment: 'lapsed-germans' }],
    ['what should we push to "big spenders"?', { segment: 'big spenders' }],
    [
      'to customers in Germany who spent over £1000',
      { segment: 'customers in Germany who spent over £1000' },
    ],
    ['3 products for customer 12347', { customer: '12347', k: 3 }],
    ['what should we push to the top 50 customers by spend?', { segment: 'top 50 customers by spend' }],
    ['to this segment', { thisSegment: true }],
    ['recommend for these customers', { thisSegment: true }],
  ])('%s', (text, expected) => {
    expect(parseRecommendRequest(text)).toEqual(expected);
  });

  it('leaves the audience empty when none is named, so the command asks who for', () => {
    expect(parseRecommendRequest('recommend')).toEqual({});
  });
});
