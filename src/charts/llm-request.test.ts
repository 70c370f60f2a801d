import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { createFixtureDatabase, type TestDatabase } from '../../test/database.ts';
import { type OpenAiStandIn, startOpenAiStandIn } from '../../test/stand-ins/openai.ts';
import { createRouter } from '../core/router.ts';
import { createOpenAiClient, type LlmProvider } from '../llm/openai.ts';
import {
  llmChartRequest,
  resolveChartRequest,
  type WireChartRequest,
  wireChartRequest,
} from './llm-request.ts';
import { NAMED_DAYS } from './period.ts';

const blank: WireChartRequest = {
  chart: 'revenue',
  grain: null,
  unit: null,
  compare: null,
  metric: null,
  by: null,
  measure: null,
  limit: null,
  goods: null,
  period: null,
  against: null,
  audience: null,
  segments: null,
  unrecognized: [],
};
const answer = (w: Partial<WireChartRequest>) => JSON.stringify({ ...blank, ...w });
const noPeriod = {
  unit: null,
  offset: null,
  days: null,
  calendar: null,
  number: null,
  year: null,
  ofYear: null,
  last: null,
  since: null,
};

describe('chart requests read by a language model (official SDK against the loopback stand-in)', () => {
  let api: OpenAiStandIn;
  let llm: LlmProvider;
  beforeAll(async () => {
    api = await startOpenAiStandIn();
    llm = createOpenAiClient({ apiKey: api.apiKey, baseUrl: api.url, model: 'gpt-test' }, { maxRetries: 0 });
  });
  afterAll(async () => {
    await api.close();
  });
  afterEach(() => {
    expect(api.pending()).toBe(0);
    api.requests.length = 0;
  });

  it('takes a valid choice of builder and parameters, asked for with a strict schema and the chart list', async () => {
    api.enqueue(
      answer({
        chart: 'top_products',
        limit: 5,
        metric: 'units',
        period: { ...noPeriod, unit: 'quarter', offset: 1 },
        audience: 'French customers',
      }),
    );
    const result = await llmChartRequest(
      'what did the French buy most of last quarter? top 5 by units',
      llm,
      {
        today: new Date('2011-12-09T00:00:00Z'),
      },
    );
    expect(result).toEqual({
      ok: true,
      attempts: 1,
      request: {
        chart: 'top_products',
        metric: 'units',
        limit: 5,
        period: { unit: 'quarter', offset: 1 },
        audience: 'French customers',
      },
    });
    const [body] = api.chatBodies();
    expect(body?.response_format?.json_schema?.strict).toBe(true);
    expect(body?.response_format?.json_schema?.name).toBe('chart_request');
    const system = body!.messages[0]!.content;
    expect(system).toContain('`cohorts`: monthly cohort retention heatmap');
    expect(system).toContain('2011-12-09');
    expect(system).toMatch(/never write a Vega-Lite spec, SQL, code/);
    expect(body!.messages[1]!.content).toBe(
      'Chart request: what did the French buy most of last quarter? top 5 by units',
    );
  });

  it('takes a named shopping day, and a year said as "last year"', async () => {
    api.enqueue(
      answer({
        chart: 'top_products',
        limit: 5,
        period: { ...noPeriod, calendar: 'black_friday', ofYear: 'last' },
      }),
      answer({
        chart: 'revenue',
        grain: 'day',
        period: { ...noPeriod, calendar: 'month', number: 3, ofYear: 'last' },
      }),
    );
    expect(await llmChartRequest('five best sellers on black friday last year', llm)).toMatchObject({
      ok: true,
      request: { chart: 'top_products', limit: 5, period: { named: 'black_friday', ofYear: 'last' } },
    });
    expect(await llmChartRequest('daily revenue in March last year', llm)).toMatchObject({
      ok: true,
      request: { chart: 'revenue', grain: 'day', period: { calendar: 'month', month: 3, ofYear: 'last' } },
    });
    const system = api.chatBodies()[0]!.messages[0]!.content;
    expect(system).toContain('"top products on Black Friday" → calendar black_friday');
    // The prompt lists every day the schema takes.
    for (const day of Object.keys(NAMED_DAYS)) expect(system).toContain(day);
  });

  it('takes one period said against another, a named day against the same day a year earlier', async () => {
    api.enqueue(
      answer({
        chart: 'period_compare',
        metric: 'orders',
        period: { ...noPeriod, calendar: 'month', number: 3 },
        against: { ...noPeriod, calendar: 'month', number: 2 },
      }),
      answer({
        chart: 'period_compare',
        period: { ...noPeriod, calendar: 'black_friday' },
        against: { ...noPeriod, calendar: 'black_friday', ofYear: 'last' },
        audience: 'German customers',
      }),
      // Without the other period the chart cannot be drawn: asked again, then the local reading.
      answer({ chart: 'period_compare', period: { ...noPeriod, calendar: 'month', number: 3 } }),
      answer({ chart: 'period_compare', period: { ...noPeriod, calendar: 'month', number: 3 } }),
    );
    expect(await llmChartRequest('orders in March compared with February', llm)).toEqual({
      ok: true,
      attempts: 1,
      request: {
        chart: 'period_compare',
        period: { calendar: 'month', month: 3 },
        against: { calendar: 'month', month: 2 },
        metric: 'orders',
      },
    });
    expect(
      await llmChartRequest('how did German customers do on Black Friday vs a year ago', llm),
    ).toMatchObject({
      ok: true,
      request: {
        chart: 'period_compare',
        period: { named: 'black_friday' },
        against: { named: 'black_friday', ofYear: 'last' },
        metric: 'revenue',
        audience: 'German customers',
      },
    });
    expect(await llmChartRequest('revenue in March vs', llm)).toMatchObject({ ok: false, attempts: 2 });
    const system = api.chatBodies()[0]!.messages[0]!.content;
    expect(system).toContain('`period_compare`');
    expect(system).toContain('`against`');
  });

  it('takes a named calendar period, checked like any other', async () => {
    api.enqueue(
      answer({
        chart: 'top_products',
        limit: 3,
        period: { ...noPeriod, calendar: 'quarter', number: 3, year: 2011 },
      }),
    );
    expect(await llmChartRequest('what were the three best sellers in Q3 2011?', llm)).toMatchObject({
      ok: true,
      request: { chart: 'top_products', limit: 3, period: { calendar: 'quarter', quarter: 3, year: 2011 } },
    });
    // A 13th month is refused by the schema and asked again; the corrected answer is used.
    api.enqueue(
      answer({ chart: 'top_products', limit: 3, period: { ...noPeriod, calendar: 'month', number: 13 } }),
      answer({
        chart: 'top_products',
        limit: 3,
        period: { ...noPeriod, calendar: 'month', number: 3, since: true },
      }),
    );
    expect(await llmChartRequest('top 3 products since March', llm)).toMatchObject({
      ok: true,
      attempts: 2,
      request: { period: { calendar: 'month', month: 3, since: true } },
    });
  });

  it('asks once more with the problems when the answer is invalid, then uses the corrected one', async () => {
    api.enqueue(answer({ chart: 'top_products', limit: 500 }), answer({ chart: 'top_products', limit: 25 }));
    const result = await llmChartRequest('top 500 products', llm);
    expect(result).toMatchObject({ ok: true, attempts: 2, request: { chart: 'top_products', limit: 25 } });
    const retry = api.chatBodies()[1]!.messages;
    expect(retry.at(-1)?.content).toMatch(/^That answer cannot be used: limit: .*25/);
  });

  it('falls back to the local parser with a notice after two invalid answers', async () => {
    api.enqueue(answer({ chart: 'breakdown' }), '{"chart": "pie"}');
    const read = await resolveChartRequest('show lapsed customers by country', { llm });
    expect(read).toMatchObject({
      ok: true,
      source: 'local',
      request: { chart: 'breakdown', by: 'country', audience: 'lapsed customers' },
    });
    expect(read.notes[0]).toMatch(
      /^The language model's answer could not be used \(its answer was invalid twice/,
    );
  });

  it('does not stretch a chart over what it cannot show, and survives an API failure', async () => {
    api.enqueue(answer({ chart: 'revenue', unrecognized: ['weather'] }));
    const weather = await resolveChartRequest('revenue by month against the weather', { llm });
    expect(weather).toMatchObject({
      ok: true,
      source: 'local',
      request: { chart: 'revenue', grain: 'month' },
    });
    expect(weather.notes[0]).toMatch(/could not chart "weather"/);
    api.enqueue({ status: 500, message: 'boom' });
    const down = await resolveChartRequest('a pie of happiness', { llm });
    expect(down).toMatchObject({ ok: false, source: 'local' });
    expect(!down.ok && down.message).toMatch(/which chart[\s\S]*The language model could not help either/);
  });

  it('the wire schema is one flat strict object: every field present', () => {
    const shape = wireChartRequest.shape;
    expect(Object.keys(shape).sort()).toEqual(Object.keys(blank).sort());
  });

  describe('in the conversation', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createFixtureDatabase('pglite');
    });
    afterAll(async () => {
      await db.dispose();
    });

    it("draws the model's choice, reading its audience with the segment path", async () => {
      const router = createRouter({ database: db, log: pino({ level: 'silent' }), commands, llm });
      api.enqueue(
        answer({ chart: 'cohorts', audience: 'customers in Germany' }),
        // The audience text goes through the segment reader, which asks the model too.
        JSON.stringify({
          conditions: [{ kind: 'country', op: 'in', values: ['Germany'] }],
          top: null,
          unrecognized: [],
          assumptions: [],
        }),
      );
      const reply = await router.handle('chart how German customers come back month after month', {
        platform: 'slack',
        userId: 'U1',
        conversationId: 'llm-1',
      });
      expect(reply.title).toMatch(/^1 cohort for Germany, Feb 2011/);
      expect(reply.context).toBe('Germany');
      expect(reply.attachments?.[0]?.altText).toMatch(/^Heatmap of cohort retention for Germany/);
    });

    it('ranks only the products the model names, read against the catalogue', async () => {
      const router = createRouter({ database: db, log: pino({ level: 'silent' }), commands, llm });
      api.enqueue(answer({ chart: 'top_products', limit: 3, goods: 'Christmas decorations' }));
      const reply = await router.handle('chart which of our festive lines do best', {
        platform: 'slack',
        userId: 'U1',
        conversationId: 'llm-goods',
      });
      expect(reply.tone).toBeUndefined();
      expect(reply.title).toMatch(/^Top Christmas product of all time: Paper Chain Kit 50's Christmas/);
      const system = api.chatBodies()[0]!.messages[0]!.content;
      expect(system).toContain('"top Christmas products" → goods "Christmas"');
    });
  });
});
