import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Router } from '../src/core/router.ts';
import { chatRouter, slackThread } from '../test/chat.ts';
import {
  createCsvDatabase,
  createFixtureDatabase,
  createTestDatabase,
  drivers,
  type TestDatabase,
} from '../test/database.ts';
import { THANKSGIVING_WEEK } from '../test/named-days.ts';

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
    // The quarter before began before the data did: no change against it, and said why.
    expect(fields(quarter)).toMatchObject({ Revenue: '£100.82', Orders: '3', 'New customers': '2' });
    expect(quarter.context).toMatch(/^Nothing to compare with in Q4 2010: the data starts on 10 Jan 2011 · /);

    // June's purchases against the 120 days before them (Jan 10 to Mar 1: £100.82).
    const days = await router.handle('what were sales in the last 120 days', slackThread('f3'));
    expect(days.title).toBe('Figures for the last 120 days');
    expect(fields(days).Revenue).toBe('£205.50 (+104%)');
    expect(days.context).toMatch(
      /^Changes against the 120 days before, which the data covers only from 10 Jan 2011 · /,
    );
  });

  it('reads "order" in "average order value" as the figure, not as when an audience ordered', async () => {
    // The command's own example: it answered for all time.
    const aov = await router.handle('what is our average order value this month?', slackThread('o1'));
    expect(aov.title).toBe('Figures for Jun 2011 to date');
    const versus = await router.handle('average order value this month vs last month', slackThread('o2'));
    expect(versus.title).toBe('Figures for Jun 2011 to date');
    expect(versus.context).toMatch(/^Changes against May 2011 · /);
    // An audience's time and a period to compare with, but no period of the figures' own: it failed inside.
    const audience = await router.handle(
      'figures for customers who bought this month vs last month',
      slackThread('o3'),
    );
    expect(audience.tone).toBe('error');
    expect(audience.text).toMatch(/^Say which period to give figures for as well as the one to compare with/);
  });

  it('answers "how did we do last week?" and the like with the figures', async () => {
    for (const text of [
      'how did we do last quarter?',
      "how's business this month",
      'how are we doing this month?',
      'key figures for last quarter',
      'what were the numbers in March?',
    ]) {
      const reply = await router.handle(text, slackThread(`perf-${text}`));
      expect(reply.title ?? reply.text, text).toMatch(/^Figures for /);
    }
    // An audience still goes to the segment command.
    const audience = await router.handle('how did German customers do last month?', slackThread('perf-de'));
    expect(audience.title ?? audience.text).not.toMatch(/^Figures/);
  });

  it("gives the figures of an audience: described, saved or this thread's", async () => {
    // Germany is 13047: £54.08 on 1 Feb in Q1.
    const de = await router.handle('revenue from German customers in Q1', slackThread('a1'));
    expect(de.title).toBe('Figures for Germany, Q1 2011');
    expect(fields(de)).toMatchObject({ Revenue: '£54.08', Orders: '1', Customers: '1' });
    expect(de.context).toMatch(/purchases by customers in the audience \(Germany\), as of /);
    // France is 12583: £180.00 on 1 June.
    const fr = await router.handle('how much did customers in France spend in June?', slackThread('a2'));
    expect(fr.title).toBe('Figures for France, Jun 2011 to date');
    expect(fields(fr).Revenue).toBe('£180.00 (new)');
    // The UK is 17850: orders on 10 Jan and 1 Mar.
    const uk = await router.handle('how many orders did UK customers place this year?', slackThread('a3'));
    expect(fields(uk).Orders).toBe('2');
    expect(uk.context).toMatch(/^Nothing to compare with in the first 181 days of 2010: the data starts on /);
    // The thread's segment, and a saved one.
    await router.handle('customers in Germany', slackThread('a4'));
    const thread = await router.handle('revenue from this segment this year', slackThread('a4'));
    expect(thread.title).toBe('Figures for Germany, 2011 to date');
    expect(fields(thread).Revenue).toBe('£79.58');
    await router.handle('save as the-germans', slackThread('a4'));
    const saved = await router.handle('sales for the-germans in Q1', slackThread('a5'));
    expect(saved.title).toBe('Figures for the-germans, Q1 2011');
    // A breakdown is not an audience; an unknown place says so.
    expect((await router.handle('revenue by country last quarter', slackThread('a6'))).title).toMatch(/^£/);
    const narnia = await router.handle('revenue from customers in Narnia last month', slackThread('a7'));
    expect(narnia.tone).toBe('error');
    expect(narnia.text).toMatch(/Narnia/);
    await router.handle('delete segment the-germans', slackThread('a5'));
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
    // An audience the figures cannot name stays a segment question.
    const named = await router.handle('figures big spenders last month', slackThread('f10'));
    expect(named.tone).toBe('error');
    expect(named.text).toMatch(/^Figures count every customer, so I can't narrow them to "big spenders"/);
    const range = await router.handle('revenue from March to June', slackThread('f11'));
    expect(range.tone).toBe('error');
    expect(range.text).toMatch(
      /^I give figures for one period at a time, and can't read "from March to June" as one/,
    );
    // A shopping day whose date moves in ways not worked out is refused with what to ask instead, never dropped.
    for (const [request, said] of [
      ['how did easter go?', 'easter'],
      ['revenue on Prime Day vs last year', 'Prime Day'],
    ]) {
      const reply = await router.handle(request!, slackThread('f11b'));
      expect(reply.tone).toBe('error');
      expect(reply.text).toContain(`I can't read "${said}" as a period yet`);
    }
  });

  it('answers for a calendar month, quarter or year, against the one before', async () => {
    const march = await router.handle('how much did we sell in March?', slackThread('f12'));
    expect(march.title).toBe('Figures for Mar 2011');
    expect(fields(march)).toEqual({
      Revenue: '£11.10 (−79%)',
      Orders: '1 (no change)',
      Customers: '1 (no change)',
      'New customers': '0 (−100%)',
      'Average order': '£11.10 (−79%)',
    });
    expect(march.context).toMatch(/^Changes against Feb 2011 · /);

    // The as-of month, to date: against the same days of the month before, as "this month" is.
    const june = await router.handle('orders in June 2011', slackThread('f13'));
    expect(june.title).toBe('Figures for Jun 2011 to date');
    expect(june.context).toMatch(/^Changes against the first 30 days of May 2011 · /);

    const q1 = await router.handle('revenue in Q1', slackThread('f14'));
    expect(q1.title).toBe('Figures for Q1 2011');
    expect(fields(q1).Revenue).toBe('£100.82');

    // Since February: Feb 54.08 + Mar 11.10 + Jun 205.50, against as long a stretch before it (Jan's 35.64).
    const since = await router.handle('revenue since February', slackThread('f15'));
    expect(since.title).toBe('Figures since Feb 2011');
    expect(fields(since).Revenue).toBe('£270.68 (+659%)');
    expect(since.context).toMatch(
      /^Changes against the 150 days before, which the data covers only from 10 Jan 2011 · /,
    );

    // "last March" is the latest March ended; "last June" in June is a year earlier, before the data starts.
    const lastMarch = await router.handle('revenue last March', slackThread('f16'));
    expect(lastMarch.title).toBe('Figures for Mar 2011');
    const lastJune = await router.handle('revenue last June', slackThread('f18'));
    expect(lastJune.tone).toBe('error');
    expect(lastJune.text).toBe(
      'Jun 2010 is before the data starts (10 Jan 2011), so there are no figures for it.\n' +
        'Ask for a later period, e.g. "revenue last month".',
    );

    // The as-of day (30 Jun 2011, 12:00) so far against the day before up to the same time; the day before it.
    const today = await router.handle('how many orders today?', slackThread('f19'));
    expect(today.title).toBe('Figures for 30 Jun 2011 to date');
    expect(fields(today).Orders).toBe('1 (new)');
    expect(today.context).toMatch(/^Changes against 29 Jun 2011 up to the same time · /);
    const yesterday = await router.handle('revenue yesterday', slackThread('f20'));
    expect(yesterday.title).toBe('Figures for 29 Jun 2011');
    expect(fields(yesterday).Revenue).toBe('£0.00 (no change)');
    const lastYear = await router.handle('revenue in March last year', slackThread('f21'));
    expect(lastYear.text).toMatch(/^Mar 2010 is before the data starts \(10 Jan 2011\)/);

    // Two periods said: the first's figures against the second.
    const q2 = await router.handle('what were sales in Q2 vs Q1?', slackThread('f22'));
    expect(q2.title).toBe('Figures for Q2 2011 to date');
    expect(fields(q2).Revenue).toBe('£205.50 (+104%)');
    expect(q2.context).toMatch(/^Changes against Q1 2011, which the data covers only from 10 Jan 2011 · /);
    const months = await router.handle('revenue in March compared with January', slackThread('f23'));
    expect(fields(months).Revenue).toBe('£11.10 (−69%)');
    expect(months.context).toMatch(
      /^Changes against Jan 2011, which the data covers only from 10 Jan 2011 · /,
    );
    // "vs the week before" is what the figures compare with anyway.
    const week = await router.handle('orders last quarter vs the quarter before', slackThread('f24'));
    expect(week.title).toBe('Figures for Q1 2011');
    expect(week.context).toMatch(/^Nothing to compare with in Q4 2010: /);
    // The chart still draws this month against last month day by day.
    const chart = await router.handle('revenue this month vs last month', slackThread('f25'));
    expect(chart.title).toMatch(/^Jun 2011 to date: /);
    const later = await router.handle('revenue in March vs 2026', slackThread('f26'));
    expect(later.text).toMatch(
      /^2026 is after the latest data \(as of 2011-06-30\), so there is nothing to compare with/,
    );

    const year = await router.handle('revenue in 2026', slackThread('f17'));
    expect(year.tone).toBe('error');
    expect(year.text).toMatch(/^2026 is after the latest data \(as of 2011-06-30\)/);
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

describe.each(drivers)('figures for named shopping days on %s', (driver) => {
  let db: TestDatabase;
  let router: Router;
  beforeAll(async () => {
    db = await createCsvDatabase(driver, THANKSGIVING_WEEK);
    router = chatRouter(db);
  });
  afterAll(async () => {
    await db.dispose();
  });
  const fields = (reply: { fields?: { label: string; value: string }[] }) =>
    Object.fromEntries((reply.fields ?? []).map((f) => [f.label, f.value]));

  it('answers Black Friday against the same day a year before, however the comparison is said', async () => {
    for (const request of [
      'how did black friday go?',
      'revenue on Black Friday vs last year',
      'figures for black friday 2025',
    ]) {
      const reply = await router.handle(request, slackThread('n1'));
      expect(reply.title).toBe('Figures for Black Friday 2025 (28 Nov)');
      // 30.00 + 25.50 against 20.00; Thanksgiving's order one second before midnight is not in it.
      expect(fields(reply)).toMatchObject({
        Revenue: '£55.50 (+178%)',
        Orders: '2 (+100%)',
        'New customers': '1 (no change)',
      });
      expect(reply.context).toMatch(/^Changes against Black Friday 2024 \(29 Nov\)/);
    }
  });

  it('counts a weekend, Cyber Monday and a fixed day, each in its own window', async () => {
    const weekend = await router.handle('orders over the black friday weekend', slackThread('n2'));
    expect(weekend.title).toBe('Figures for Black Friday weekend 2025 (28 Nov–1 Dec)');
    expect(fields(weekend).Orders).toBe('4 (+300%)');
    const monday = await router.handle('revenue on cyber monday', slackThread('n3'));
    expect(monday.title).toBe('Figures for Cyber Monday 2025 (1 Dec)');
    expect(fields(monday).Revenue).toBe('£12.75 (new)');
    // Since Black Friday: 28 Nov to 5 Dec 2025 against as long a stretch from Black Friday 2024.
    const since = await router.handle('revenue since black friday', slackThread('n3b'));
    expect(since.title).toBe('Figures since Black Friday 2025 (28 Nov)');
    expect(fields(since)).toMatchObject({ Revenue: '£80.25 (+301%)', Orders: '5 (+400%)' });
    expect(since.context).toMatch(/^Changes against as long a stretch since Black Friday 2024 \(29 Nov\)/);
    // The latest Christmas Day begun by 5 Dec 2025 is 2024's, which had no sales.
    const christmas = await router.handle('how did christmas day go?', slackThread('n4'));
    expect(christmas.title).toBe('Figures for Christmas Day 2024 (25 Dec)');
    expect(fields(christmas).Orders).toBe('0');
    expect(christmas.context).toMatch(
      /^Nothing to compare with on Christmas Day 2023 \(25 Dec\): the data starts on /,
    );
  });

  it('charts the top products of a named day, and the day in one year against another', async () => {
    const top = await router.handle('top products on black friday', slackThread('n5'));
    expect(top.title).toMatch(
      /^Top product on Black Friday 2025 \(28 Nov\): Lunch Bag Red Spotty \(£30\.00\)/,
    );
    const chart = await router.handle(
      'chart revenue this year vs last year on black friday',
      slackThread('n6'),
    );
    expect(chart.title).toBe(
      'Black Friday 2025 (28 Nov): £55.50 revenue vs £20.00 on Black Friday 2024 (29 Nov) (+178%).',
    );
    expect(chart.attachments?.[0]?.mimeType).toBe('image/png');
  });
});
