import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Router } from '../src/core/router.ts';
import { chatRouter, slackThread } from '../test/chat.ts';
import { createFixtureDatabase, createTestDatabase, drivers, type TestDatabase } from '../test/database.ts';

// retail-small.csv, as of 2011-06-30 12:00 UTC. Purchases by known customers: Jan 35.64 (17850, first),
// Feb 54.08 (13047, first), Mar 11.10 (17850), Jun 180.00 (12583, first) and 25.50 (13047). Total 306.32.
describe.each(drivers)('figures in the conversation on %s', (driver) => {
  let db: TestDatabase;
  let router: Router;
  beforeAll(async () => {
    db = await createFixtureDatabase(driver);
    router = chatRouter(db);
  });
  afterAll(async () => {
    await db.dispose();
  });
  const fields = (reply: { fields?: { label: string; value: string }[] }) =>
    Object.fromEntries((reply.fields ?? []).map((f) => [f.label, f.value]));

  it('answers a question about a period with its figures, against the period before', async () => {
    const month = await router.handle('how many orders this month?', slackThread('f1'));
    expect(month.title).toBe('Figures for Jun 2011 to date');
    expect(fields(month)).toEqual({
      Revenue: '£205.50 (new)',
      Orders: '2 (new)',
      Customers: '2 (new)',
      'New customers': '1 (new)',
      'Average order': '£102.75 (new)',
    });
    expect(month.context).toMatch(
      /^Changes against the first 30 days of May 2011 · .* as of 2011-06-30 12:00 UTC$/,
    );

    const quarter = await router.handle('revenue last quarter', slackThread('f2'));
    expect(quarter.title).toBe('Figures for Q1 2011');
    expect(fields(quarter)).toMatchObject({
      Revenue: '£100.82 (new)',
      Orders: '3 (new)',
      'New customers': '2 (new)',
    });

    // June's purchases against the 120 days before them (Jan 10 to Mar 1: £100.82).
    const days = await router.handle('what were sales in the last 120 days', slackThread('f3'));
    expect(days.title).toBe('Figures for the last 120 days');
    expect(fields(days).Revenue).toBe('£205.50 (+104%)');
    expect(days.context).toMatch(/^Changes against the 120 days before/);
  });

  it('gives all-time figures when no period is said, as stats counts them', async () => {
    const all = await router.handle('what is our average order value?', slackThread('f4'));
    expect(all.title).toBe('Figures of all time');
    expect(fields(all)).toEqual({
      Revenue: '£306.32',
      Orders: '5',
      Customers: '3',
      'New customers': '3',
      'Average order': '£61.26',
    });
  });

  it('leaves audiences, charts and calendar dates to what handles them', async () => {
    expect((await router.handle('customers with more than 1 orders', slackThread('f5'))).title).toMatch(
      /^Segment: /,
    );
    expect((await router.handle('revenue by month', slackThread('f6'))).title).toMatch(/revenue/i);
    // An audience in the question is not dropped: it goes to the segment command, which counts it.
    const bought = await router.handle('how many customers bought lanterns last month?', slackThread('f9'));
    expect(bought.title ?? bought.text).not.toMatch(/^Figures/);
    const named = await router.handle('figures for big spenders last month', slackThread('f10'));
    expect(named.tone).toBe('error');
    expect(named.text).toMatch(/^Figures count every customer, so I can't narrow them to "big spenders"/);
    const year = await router.handle('revenue in 2026', slackThread('f11'));
    expect(year.text).toMatch(
      /^I count periods back from the latest data, not by calendar dates like "in 2026"/,
    );
    const march = await router.handle('how much did we sell in March?', slackThread('f7'));
    expect(march.tone).toBe('error');
    expect(march.text).toMatch(
      /^I count periods back from the latest data, not by calendar dates like "in March"/,
    );
  });

  it('says there is no data yet on an empty store', async () => {
    const empty = await createTestDatabase(driver);
    try {
      const reply = await chatRouter(empty).handle('revenue last month', slackThread('f8'));
      expect(reply.tone).toBe('warning');
      expect(reply.text).toMatch(/^There is no data yet/);
    } finally {
      await empty.dispose();
    }
  });
});
