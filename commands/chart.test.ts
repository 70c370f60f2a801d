import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Caller } from '../src/core/command.ts';
import type { Reply } from '../src/core/reply.ts';
import { chatOver } from '../test/chat.ts';
import { createFixtureDatabase, drivers } from '../test/database.ts';

const png = (reply: Reply) => reply.attachments?.find((a) => a.mimeType === 'image/png');

describe.each(drivers)('chart requests in the conversation on %s', (driver) => {
  const chat = chatOver(() => createFixtureDatabase(driver));
  let n = 0;
  const thread = (): Caller => ({ platform: 'slack', userId: 'U1', conversationId: `chart-${++n}` });

  it.each([
    ['chart revenue by month for German customers', /^£79\.58 revenue from 2 orders for Germany/],
    [
      'plot top 10 products last quarter',
      /^Top product in Q1 2011: Assorted Colour Bird Ornament \(£54\.08\)/,
    ],
    ['top 5 products in March', /^Top product in Mar 2011: .*\(£11\.10\)/],
    ["what's our best selling product this month?", /^Top product in Jun 2011 to date: /],
    ['revenue by product category', /^Top category of all time: /],
    ['average order value by month', /^Average order £61\.26 over 5 orders, Jan 2011 to Jun 2011; /],
    // The audience's own time stays with the audience: 17850 and 13047 bought in Q1.
    [
      'chart revenue by month this year for customers who bought in Q1',
      /^£126\.32 revenue from 4 orders for customers who bought in Q1, 2011 to date; /,
    ],
    [
      'revenue by country last quarter',
      /^£100\.82 spent in Q1 2011 by 2 customers across 2 countries; most in Germany/,
    ],
    [
      'chart revenue by week this year for German customers',
      /^£79\.58 revenue from 2 orders for Germany, 2011 to date/,
    ],
    ['what sold best since February in Germany?', /^Top product for Germany since Feb 2011: /],
    ['cohort retention', /^3 cohorts, Jan 2011 to Jun 2011/],
    ['new vs returning customers by week', /^3 new customers, w\/c 10 Jan 2011 to w\/c 27 Jun 2011/],
    ['revenue this month vs last month', /^Jun 2011 to date: £205\.50 revenue vs £0\.00 in May 2011/],
    ['chart customers by rfm group', /^3 customers across 3 RFM groups/],
    // Products named, read as a segment reads what customers bought.
    [
      'top christmas products',
      /^Top Christmas product of all time: Paper Chain Kit 50's Christmas \(£204\.00\)/,
    ],
    [
      'best selling alarm clocks this year',
      /^Top “alarm clock” product in 2011 to date: Alarm Clock Bakelike /,
    ],
    // Customers named there are the audience: what UK customers bought.
    ['top UK products', /^Top product for United Kingdom of all time: /],
    ['what did German customers buy last quarter?', /^Top product for Germany in Q1 2011: /],
  ])('answers "%s" with a chart image, alt text and a one-line summary', async (text, summary) => {
    const reply = await chat.router.handle(text, thread());
    expect(reply.tone).toBeUndefined();
    expect(reply.title).toMatch(summary);
    const image = png(reply);
    expect([...(image?.data.slice(0, 4) ?? [])]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(image?.altText?.length).toBeGreaterThan(20);
    expect(reply.buttons).toEqual([{ action: 'chart', label: 'Vega-Lite spec', value: 'spec' }]);
    // The spec is not attached until asked for.
    expect(reply.attachments).toHaveLength(1);
  });

  it('hands out the Vega-Lite spec of the last chart from its button or a follow-up', async () => {
    const t = thread();
    const chart = await chat.router.handle('top 3 products', t);
    const pressed = await chat.router.press({ action: 'chart', value: 'spec' }, t);
    const file = pressed.attachments?.[0];
    expect(file?.mimeType).toBe('application/json');
    const spec = JSON.parse(new TextDecoder().decode(file!.data));
    expect(spec.$schema ?? spec.data).toBeDefined();
    expect(spec.data.values.map((v: { label: string }) => v.label)).toContain('Other products (5)');
    expect(pressed.title).toBe(`Vega-Lite spec of "${chart.title}"`);
    const typed = await chat.router.handle('vega-lite spec', t);
    expect(Buffer.from(typed.attachments![0]!.data).equals(Buffer.from(file!.data))).toBe(true);
    // A thread without a chart: a clear answer, not a broken file.
    const none = await chat.router.handle('chart spec', thread());
    expect(none.tone).toBe('error');
    expect(none.text).toMatch(/no chart in this thread/);
  });

  it("charts a saved segment, the thread's segment and a comparison of saved segments", async () => {
    const t = thread();
    await chat.router.handle('customers in Germany', t);
    await chat.router.handle('save as germans', t);
    await chat.router.handle('customers who spent over £50', t);
    await chat.router.handle('save as big-spenders', t);
    const byCountry = await chat.router.handle('show the germans segment by country', thread());
    expect(byCountry.title).toBe('1 customer across 1 country for germans; most in Germany (1, 100%).');
    expect(png(byCountry)?.altText).toBe(
      'Bar chart of 1 customer by country for germans, largest first: Germany 1.',
    );
    expect(byCountry.context).toBe('germans: Germany');
    const thisOne = await chat.router.handle('show them by lifecycle stage', t);
    expect(png(thisOne)?.altText).toMatch(/^Bar chart of 2 customers by lifecycle stage/);
    // The thread's segment survives the chart.
    const exported = await chat.router.handle('export', t);
    expect(exported.text).toBe('2 customers exported.');

    const compared = await chat.router.handle('chart compare segments germans and big-spenders', thread());
    expect(compared.title).toMatch(/^germans vs big-spenders: most customers big-spenders \(2\)/);
    expect(png(compared)?.altText).toContain('germans 1 / £79.58 / £39.79');
    const unknown = await chat.router.handle('plot compare germans and nobody-saved-this', thread());
    expect(unknown.tone).toBe('error');
    expect(unknown.text).toMatch(/no saved segment called "nobody-saved-this"/);
  });

  it('says which characters of a chart no font can draw, and draws the rest', async () => {
    const t = thread();
    await chat.router.handle('customers in Germany', t);
    await chat.router.handle('save as 売上-germans', t);
    const chart = await chat.router.handle('show the 売上-germans segment by country', thread());
    expect(chart.tone).toBeUndefined();
    expect(chart.title).toContain('for 売上-germans');
    expect(png(chart)?.data.length).toBeGreaterThan(1000);
    expect(chart.text).toContain('no glyph for 売 上');
  });

  it('says what went wrong instead of drawing a wrong chart', async () => {
    const weather = await chat.router.handle('chart the weather', thread());
    expect(weather.tone).toBe('error');
    expect(weather.text).toMatch(/which chart/);
    expect(weather.text).toMatch(/cohort retention/);
    const empty = await chat.router.handle('top products for customers in Germany last month', thread());
    expect(empty.tone).toBe('error');
    expect(empty.text).toMatch(/No product sales for Germany in May 2011/);
    const noGoods = await chat.router.handle('top halloween products last quarter', thread());
    expect(noGoods.tone).toBe('error');
    expect(noGoods.text).toMatch(/^No product in the catalogue is named with “halloween”/);
    const unsold = await chat.router.handle('top christmas products last quarter', thread());
    expect(unsold.text).toMatch(/^No sales of Christmas products in Q1 2011/);
    const audienceless = await chat.router.handle('chart them by country', thread());
    expect(audienceless.text).toMatch(/no segment in this thread/);
  });

  it('reports a spec that does not compile instead of sending it', async () => {
    const t = thread();
    await chat.router.handle('cohort retention', t);
    const broken = {
      data: { values: [{ a: 1 }] },
      mark: 'bar',
      encoding: { x: { field: 'a', type: 'nonsense' } },
    };
    await chat.db.rows(sql`
      update conversations set last_result = ${JSON.stringify({ chart: { spec: broken, title: 'x' } })}::jsonb
      where id = ${t.conversationId}`);
    const reply = await chat.router.handle('spec', t);
    expect(reply.tone).toBe('error');
    expect(reply.text).toMatch(/Vega-Lite spec is invalid/);
    expect(reply.attachments).toBeUndefined();
  });

  it('says what to ask instead when a chart cannot be drawn as asked, without "chart" said first', async () => {
    for (const [text, message] of [
      [
        'top products from March to June',
        /^I can't chart top products for "from March to June": ask for one period/,
      ],
      ['cohort retention this year', /^I can't limit cohort retention to "this year"/],
      ['top 5 products this year vs last year', /^I draw top products for one period at a time/],
    ] as const) {
      const reply = await chat.router.handle(text, thread());
      expect(reply.tone, text).toBe('error');
      expect(reply.text, text).toMatch(message);
    }
  });

  it('answers "what sold best?" with the top products chart, not as an audience', async () => {
    const reply = await chat.router.handle('what sold best?', thread());
    expect(reply.tone).not.toBe('error');
    expect(reply.title).toMatch(/^Top product/);
    expect(reply.attachments?.[0]?.filename).toMatch(/\.png$/);
  });

  it('leaves audiences that merely mention orders to the segment command', async () => {
    const reply = await chat.router.handle('customers with more than 1 orders', thread());
    expect(reply.title).toMatch(/^Segment: /);
  });
});
