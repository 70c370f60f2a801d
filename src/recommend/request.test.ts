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
    // Products named: the command reads them against the catalogue.
    [
      'recommend christmas products for lapsed customers',
      { goods: 'christmas', segment: 'lapsed customers' },
    ],
    // As the router hands it over, the command word taken off.
    ['christmas products to lapsed customers', { goods: 'christmas', segment: 'lapsed customers' }],
    ['which candle items should we push to big spenders?', { goods: 'candle', segment: 'big spenders' }],
    ['recommend garden products for customer 12347', { goods: 'garden', customer: '12347' }],
    ['recommend some products to customer 12347', { customer: '12347' }],
    // "promote", and a time after the audience, which recommendations do not take.
    ['what should I promote to big spenders this week?', { segment: 'big spenders' }],
  ])('%s', (text, expected) => {
    expect(parseRecommendRequest(text)).toEqual(expected);
  });

  it('leaves the audience empty when none is named, so the command asks who for', () => {
    expect(parseRecommendRequest('recommend')).toEqual({});
  });
});
