import { describe, expect, it } from 'vitest';
import { chartRequest, parseChartRequest, takePeriod } from './request.ts';

const read = (text: string) => {
  const parsed = parseChartRequest(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.request;
};

describe('parseChartRequest', () => {
  it.each([
    [
      'chart revenue by month for German customers',
      { chart: 'revenue', grain: 'month', audience: 'German customers' },
    ],
    [
      'revenue by week for customers in Germany',
      { chart: 'revenue', grain: 'week', audience: 'customers in Germany' },
    ],
    ['monthly revenue', { chart: 'revenue', grain: 'month' }],
    // "in" brings the audience as "for" does: it used to be dropped, and the chart showed everyone.
    ['chart revenue by month in Germany', { chart: 'revenue', grain: 'month', audience: 'Germany' }],
    [
      'new vs returning customers by week in France',
      { chart: 'new_vs_returning', grain: 'week', audience: 'France' },
    ],
    ['cohort retention in Germany', { chart: 'cohorts', audience: 'Germany' }],
    ['sales per day among big spenders', { chart: 'revenue', grain: 'day', audience: 'big spenders' }],
    [
      'show the lapsed segment by country',
      { chart: 'breakdown', by: 'country', measure: 'customers', audience: 'lapsed segment' },
    ],
    [
      'chart this segment by country',
      { chart: 'breakdown', by: 'country', measure: 'customers', audience: 'this segment' },
    ],
    [
      'lapsed customers by rfm score',
      { chart: 'breakdown', by: 'rfm', measure: 'customers', audience: 'lapsed customers' },
    ],
    ['customers by lifecycle stage', { chart: 'breakdown', by: 'lifecycle', measure: 'customers' }],
    // Money by group: the customers' spend summed.
    ['show me revenue by country', { chart: 'breakdown', by: 'country', measure: 'spend' }],
    [
      'spend of lapsed customers per stage',
      { chart: 'breakdown', by: 'lifecycle', measure: 'spend', audience: 'lapsed customers' },
    ],
    [
      'plot top 10 products last quarter',
      { chart: 'top_products', metric: 'revenue', limit: 10, period: { unit: 'quarter', offset: 1 } },
    ],
    // Asked as a question: "sold best" is revenue, "sold the most" is units.
    [
      'what sold best last month?',
      { chart: 'top_products', metric: 'revenue', limit: 10, period: { unit: 'month', offset: 1 } },
    ],
    [
      'which products sold the most in Germany this year',
      {
        chart: 'top_products',
        metric: 'units',
        limit: 10,
        period: { unit: 'year', offset: 0 },
        audience: 'Germany',
      },
    ],
    [
      'top 5 products by units for lapsed customers this year',
      {
        chart: 'top_products',
        metric: 'units',
        limit: 5,
        period: { unit: 'year', offset: 0 },
        audience: 'lapsed customers',
      },
    ],
    [
      'best sellers in the last 30 days',
      { chart: 'top_products', metric: 'revenue', limit: 10, period: { days: 30 } },
    ],
    [
      'top products last quarter in Germany',
      {
        chart: 'top_products',
        metric: 'revenue',
        limit: 10,
        period: { unit: 'quarter', offset: 1 },
        audience: 'Germany',
      },
    ],
    [
      'top 5 products in units last month',
      { chart: 'top_products', metric: 'units', limit: 5, period: { unit: 'month', offset: 1 } },
    ],
    ['cohort retention', { chart: 'cohorts' }],
    ['cohort retention for customers in Germany', { chart: 'cohorts', audience: 'customers in Germany' }],
    ['new vs returning customers by week', { chart: 'new_vs_returning', grain: 'week' }],
    ['new and returning customers daily', { chart: 'new_vs_returning', grain: 'day' }],
    [
      'revenue this month vs last month',
      { chart: 'revenue_compare', unit: 'month', compare: 'previous', metric: 'revenue' },
    ],
    [
      'orders this quarter vs same quarter last year',
      { chart: 'revenue_compare', unit: 'quarter', compare: 'last_year', metric: 'orders' },
    ],
    [
      'revenue month on month for French customers',
      {
        chart: 'revenue_compare',
        unit: 'month',
        compare: 'previous',
        metric: 'revenue',
        audience: 'French customers',
      },
    ],
    // Two periods said: a named day or a calendar period on either side of "vs".
    [
      'revenue in March vs February',
      {
        chart: 'period_compare',
        period: { calendar: 'month', month: 3 },
        against: { calendar: 'month', month: 2 },
        metric: 'revenue',
      },
    ],
    [
      'chart orders Q3 vs Q2 by week for German customers',
      {
        chart: 'period_compare',
        period: { calendar: 'quarter', quarter: 3 },
        against: { calendar: 'quarter', quarter: 2 },
        metric: 'orders',
        grain: 'week',
        audience: 'German customers',
      },
    ],
    [
      'revenue on black friday vs last year',
      {
        chart: 'period_compare',
        period: { named: 'black_friday' },
        against: { named: 'black_friday', ofYear: 'last' },
        metric: 'revenue',
      },
    ],
    [
      'sales this year vs 2024',
      {
        chart: 'period_compare',
        period: { unit: 'year', offset: 0 },
        against: { calendar: 'year', year: 2024 },
        metric: 'revenue',
      },
    ],
    [
      'compare segments lapsed-germans and big-spenders',
      { chart: 'compare_segments', segments: ['lapsed-germans', 'big-spenders'] },
    ],
    ['compare a, b and c', { chart: 'compare_segments', segments: ['a', 'b', 'c'] }],
    // Products named: the goods, read against the catalogue when the chart is built (readGoods).
    [
      'top christmas products last quarter',
      {
        chart: 'top_products',
        metric: 'revenue',
        limit: 10,
        period: { unit: 'quarter', offset: 1 },
        goods: 'christmas',
      },
    ],
    [
      'top 5 christmas decorations items for lapsed customers',
      {
        chart: 'top_products',
        metric: 'revenue',
        limit: 5,
        goods: 'christmas decorations',
        audience: 'lapsed customers',
      },
    ],
    [
      'best-selling candles in Germany this year',
      {
        chart: 'top_products',
        metric: 'revenue',
        limit: 10,
        period: { unit: 'year', offset: 0 },
        goods: 'candles',
        audience: 'Germany',
      },
    ],
    [
      'top products in the Kitchen category by units',
      { chart: 'top_products', metric: 'units', limit: 10, goods: 'Kitchen' },
    ],
    [
      'most popular "tea light" items',
      { chart: 'top_products', metric: 'revenue', limit: 10, goods: '"tea light"' },
    ],
    // Words that say how products rank are not products.
    ['top selling products', { chart: 'top_products', metric: 'revenue', limit: 10 }],
    [
      'top performing products last quarter',
      { chart: 'top_products', metric: 'revenue', limit: 10, period: { unit: 'quarter', offset: 1 } },
    ],
    [
      'top 10 products for new customers',
      { chart: 'top_products', metric: 'revenue', limit: 10, audience: 'new customers' },
    ],
    // "What are people buying?": the top products, with whoever is buying as the audience.
    [
      'what are people buying this week?',
      { chart: 'top_products', metric: 'revenue', limit: 10, period: { unit: 'week', offset: 0 } },
    ],
    [
      'what did German customers buy last month?',
      {
        chart: 'top_products',
        metric: 'revenue',
        limit: 10,
        period: { unit: 'month', offset: 1 },
        audience: 'German customers',
      },
    ],
    [
      'what do customers who bought candles buy?',
      { chart: 'top_products', metric: 'revenue', limit: 10, audience: 'customers who bought candles' },
    ],
    ["what's selling?", { chart: 'top_products', metric: 'revenue', limit: 10 }],
    // A themed day before "products" is goods; after "on", the day.
    ['top halloween products', { chart: 'top_products', metric: 'revenue', limit: 10, goods: 'halloween' }],
  ])('reads "%s"', (text, expected) => {
    expect(read(text)).toEqual(expected);
  });

  it('says what it cannot read instead of guessing', () => {
    expect(parseChartRequest('a pie of happiness')).toMatchObject({
      ok: false,
      message: expect.stringContaining('which chart'),
    });
    expect(parseChartRequest('top 100 products')).toMatchObject({
      ok: false,
      message: expect.stringContaining('1 to 25'),
    });
    expect(parseChartRequest('compare big-spenders')).toMatchObject({
      ok: false,
      message: expect.stringContaining('at least two'),
    });
  });

  it('only ever produces what the chart request schema accepts', () => {
    for (const text of ['revenue by day', 'top 3 products this week', 'cohorts', 'new vs returning weekly']) {
      expect(chartRequest.safeParse(read(text)).success).toBe(true);
    }
  });

  it('reads periods, and takes them out of the text', () => {
    expect(takePeriod('top products last month for Germans')).toEqual({
      period: { unit: 'month', offset: 1 },
      rest: 'top products for Germans',
    });
    expect(takePeriod('over the past 2 weeks').period).toEqual({ days: 14 });
    expect(takePeriod('year to date').period).toEqual({ unit: 'year', offset: 0 });
    expect(takePeriod('all of it').period).toBeUndefined();
    expect(takePeriod('how many orders yesterday?')).toEqual({
      period: { unit: 'day', offset: 1 },
      rest: 'how many orders ?',
    });
    expect(takePeriod('revenue today').period).toEqual({ unit: 'day', offset: 0 });
    expect(takePeriod('revenue last year').period).toEqual({ unit: 'year', offset: 1 });
  });

  it('reads named shopping days, with a year or not, and refuses the ones whose date it cannot work out', () => {
    const cases: [string, unknown, string][] = [
      ['how did black friday go?', { named: 'black_friday' }, 'how did go?'],
      ['revenue on Cyber Monday 2025', { named: 'cyber_monday', year: 2025 }, 'revenue'],
      [
        "orders over last year's Black Friday weekend",
        { named: 'black_friday_weekend', ofYear: 'last' },
        'orders',
      ],
      ['sales over the cyber weekend', { named: 'black_friday_weekend' }, 'sales'],
      ['revenue on christmas eve last year', { named: 'christmas_eve', ofYear: 'last' }, 'revenue'],
      ["how was new year's day", { named: 'new_years_day' }, 'how was'],
      ['new years eve 2024 orders', { named: 'new_years_eve', year: 2024 }, 'orders'],
      ["valentine's day revenue", { named: 'valentines_day' }, 'revenue'],
      ['sales on singles day', { named: 'singles_day' }, 'sales'],
      ['orders on boxing day', { named: 'boxing_day' }, 'orders'],
      ['revenue since black friday', { named: 'black_friday', since: true }, 'revenue'],
    ];
    for (const [text, period, rest] of cases) {
      expect(takePeriod(text), text).toEqual({ period, rest });
    }
    // "Christmas" alone is a product category, not a day; goods for a day are goods.
    for (const goods of [
      'revenue from christmas decorations',
      'top halloween products',
      "revenue from valentine's cards",
      'new year sale revenue',
    ]) {
      expect(takePeriod(goods).period, goods).toBeUndefined();
    }
    const easter = takePeriod('how did easter weekend go');
    expect(easter.period).toBeUndefined();
    expect(easter.problem).toContain(`I can't read "easter weekend" as a period yet`);
  });

  it('reads calendar months, quarters and years, and takes them out of the text', () => {
    const cases: [string, unknown, string][] = [
      ['revenue in March', { calendar: 'month', month: 3 }, 'revenue'],
      [
        'top products for sept 2025 in Germany',
        { calendar: 'month', month: 9, year: 2025 },
        'top products in Germany',
      ],
      ['orders last March', { calendar: 'month', month: 3, last: true }, 'orders'],
      ['orders this March', { calendar: 'month', month: 3 }, 'orders'],
      ['sales March 2025', { calendar: 'month', month: 3, year: 2025 }, 'sales'],
      ['revenue since January', { calendar: 'month', month: 1, since: true }, 'revenue'],
      ['revenue in the month of December, 2010', { calendar: 'month', month: 12, year: 2010 }, 'revenue'],
      ['revenue in Q3', { calendar: 'quarter', quarter: 3 }, 'revenue'],
      ['orders q4 2025', { calendar: 'quarter', quarter: 4, year: 2025 }, 'orders'],
      ['sales in the third quarter of 2025', { calendar: 'quarter', quarter: 3, year: 2025 }, 'sales'],
      ['revenue last Q4', { calendar: 'quarter', quarter: 4, last: true }, 'revenue'],
      ['revenue in 2026', { calendar: 'year', year: 2026 }, 'revenue'],
      ['orders since 2025', { calendar: 'year', year: 2025, since: true }, 'orders'],
      ['revenue for the year 2011', { calendar: 'year', year: 2011 }, 'revenue'],
      // "may" is a month only with a preposition, "last"/"this" or a year; the later month is then read.
      ['may I see top products in June', { calendar: 'month', month: 6 }, 'may I see top products'],
      ['orders in May', { calendar: 'month', month: 5 }, 'orders'],
      // "last year" after a month or quarter names its year, not a period of its own.
      ['revenue in March last year', { calendar: 'month', month: 3, ofYear: 'last' }, 'revenue'],
      ['orders Q1 this year', { calendar: 'quarter', quarter: 1, ofYear: 'this' }, 'orders'],
    ];
    for (const [text, period, rest] of cases) {
      expect(takePeriod(text), text).toEqual({ period, rest });
      expect(
        chartRequest.safeParse({ chart: 'top_products', metric: 'revenue', limit: 3, period }).success,
      ).toBe(true);
    }
    // Amounts, words and places are not periods.
    for (const text of [
      'customers who spent over 2000',
      'may I see the top products',
      'decorations in Marseille',
      'top products for 2000 customers',
    ]) {
      expect(takePeriod(text).period, text).toBeUndefined();
    }
  });

  it('refuses a named day against anything but another year', () => {
    const parsed = parseChartRequest('revenue on black friday vs last month');
    expect(parsed).toEqual({
      ok: false,
      message:
        'I draw Black Friday against the same day in another year, e.g. "revenue on Black Friday vs last year".',
    });
  });

  it('refuses a period for a chart that always covers all the data, instead of dropping it', () => {
    for (const [text, said] of [
      ['cohort retention this year', 'this year'],
      ['cohorts since March', 'since March'],
    ] as const) {
      const parsed = parseChartRequest(text);
      expect(parsed.ok, text).toBe(false);
      if (!parsed.ok) {
        expect(parsed.message).toContain(`"${said}"`);
        expect(parsed.message).toMatch(/it always covers all the data.*revenue this month vs last month/);
      }
    }
    for (const [text, said] of [
      ['cohorts for Q3 2025', 'for Q3 2025'],
      ['cohort retention last March', 'last March'],
    ] as const) {
      const parsed = parseChartRequest(text);
      expect(parsed.ok, text).toBe(false);
      if (!parsed.ok) expect(parsed.message).toContain(`"${said}"`);
    }
    // A number in the audience is not a year.
    expect(read('chart revenue by month for customers who spent over 2000')).toMatchObject({
      chart: 'revenue',
      audience: 'customers who spent over 2000',
    });
    expect(read('revenue this month vs last month in Germany')).toMatchObject({
      chart: 'revenue_compare',
      audience: 'Germany',
    });
  });

  it('limits revenue, the average order, breakdowns, new vs returning and top products to one period', () => {
    // The average order over time is the revenue chart's other measure.
    expect(read('chart AOV by week this year for German customers')).toEqual({
      chart: 'revenue',
      grain: 'week',
      period: { unit: 'year', offset: 0 },
      measure: 'average_order',
      audience: 'German customers',
    });
    expect(read('average order value by month')).toMatchObject({ measure: 'average_order', grain: 'month' });
    // Categories are ranked like products.
    expect(read('revenue by product category last month')).toEqual({
      chart: 'top_products',
      metric: 'revenue',
      limit: 10,
      period: { unit: 'month', offset: 1 },
      by: 'category',
    });
    expect(read('top 5 categories by units for German customers')).toMatchObject({
      metric: 'units',
      limit: 5,
      by: 'category',
      audience: 'German customers',
    });
    // New vs returning takes one, like revenue over time.
    expect(read('new vs returning customers this year')).toEqual({
      chart: 'new_vs_returning',
      grain: 'month',
      period: { unit: 'year', offset: 0 },
    });
    expect(read('new vs returning customers by week since March')).toMatchObject({
      grain: 'week',
      period: { calendar: 'month', month: 3, since: true },
    });
    // Top products take a calendar period; a comparison and a range are refused, not read as an audience.
    expect(read('top 10 products in 2026')).toEqual({
      chart: 'top_products',
      metric: 'revenue',
      limit: 10,
      period: { calendar: 'year', year: 2026 },
    });
    expect(read('what sold best since March in Germany')).toMatchObject({
      period: { calendar: 'month', month: 3, since: true },
      audience: 'Germany',
    });
    // A breakdown over a period counts who bought in it; "last year" there is that period, not a comparison.
    expect(read('lapsed customers by country in 2025')).toEqual({
      chart: 'breakdown',
      by: 'country',
      measure: 'customers',
      period: { calendar: 'year', year: 2025 },
      audience: 'lapsed customers',
    });
    expect(read('revenue by country last year')).toMatchObject({
      chart: 'breakdown',
      measure: 'spend',
      period: { unit: 'year', offset: 1 },
    });
    // When the audience bought or joined is the audience's, not the chart's period.
    expect(read('revenue by week since September for customers who first bought in 2026')).toEqual({
      chart: 'revenue',
      grain: 'week',
      period: { calendar: 'month', month: 9, since: true },
      audience: 'customers who first bought in 2026',
    });
    expect(read('revenue by month for customers who bought in the last 30 days')).toEqual({
      chart: 'revenue',
      grain: 'month',
      audience: 'customers who bought in the last 30 days',
    });
    expect(read('cohort retention for customers who bought candles in 2025')).toEqual({
      chart: 'cohorts',
      audience: 'customers who bought candles in 2025',
    });
    // Revenue over time takes one, drawn in days, weeks or months as the period suits unless one is asked for.
    expect(read('chart revenue by week in 2026')).toEqual({
      chart: 'revenue',
      grain: 'week',
      period: { calendar: 'year', year: 2026 },
    });
    expect(read('revenue over time last quarter for German customers')).toEqual({
      chart: 'revenue',
      grain: 'week',
      period: { unit: 'quarter', offset: 1 },
      audience: 'German customers',
    });
    expect(read('plot sales for the last 90 days')).toMatchObject({ grain: 'week', period: { days: 90 } });
    expect(read('chart revenue in March')).toMatchObject({
      grain: 'day',
      period: { calendar: 'month', month: 3 },
    });
    expect(read('chart revenue since Q2 2025')).toMatchObject({
      grain: 'month',
      period: { calendar: 'quarter', quarter: 2, year: 2025, since: true },
    });
    for (const [text, message] of [
      ['revenue this month vs last month in 2025', /^I draw one period against one other, not three/],
      ['chart revenue from March to June', /"from March to June": ask for one period/],
      ['top 10 products from March to June', /"from March to June": ask for one period/],
      // Two periods side by side are drawn for revenue and orders only: not dropped elsewhere.
      ['top 5 products this year vs last year', /^I draw top products for one period at a time, not two/],
      ['revenue by country this year vs last year', /^I can't split a comparison of two periods by country/],
    ] as const) {
      const parsed = parseChartRequest(text);
      expect(parsed.ok, text).toBe(false);
      if (!parsed.ok) expect(parsed.message).toMatch(message);
    }
  });

  it('refuses a period of no days or of more than ten years instead of quietly changing it', () => {
    for (const text of ['top products for the last 0 days', 'best sellers over the past 200 months']) {
      const parsed = parseChartRequest(text);
      expect(parsed.ok, text).toBe(false);
      if (!parsed.ok)
        expect(parsed.message).toMatch(/is not a period I can chart: ask for the last 1 to 3,660 days/);
    }
    expect(takePeriod('the last 0 days').problem).toContain('"the last 0 days"');
  });
});
