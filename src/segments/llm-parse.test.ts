import { zodResponseFormat } from 'openai/helpers/zod';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type OpenAiStandIn, startOpenAiStandIn } from '../../test/stand-ins/openai.ts';
import { createOpenAiClient, type LlmProvider } from '../llm/openai.ts';
import type { SegmentDefinition } from './definition.ts';
import { checkSegmentDefinition, llmParseSegment, type WireDefinition, wireDefinition } from './llm-parse.ts';
import type { Vocabulary } from './vocabulary.ts';

const vocab: Vocabulary = {
  countries: ['EIRE', 'France', 'Germany', 'Netherlands', 'Spain', 'USA', 'United Kingdom'],
  categories: ['candles', 'christmas', 'kitchen'],
};
const today = new Date('2011-12-09T12:00:00Z');

/** A model answer in the wire format, with the fields a strict model always sends. */
const wire = (def: Partial<WireDefinition>): string =>
  JSON.stringify({ conditions: [], top: null, unrecognized: [], assumptions: [], ...def });

const irishLapsed = wire({
  conditions: [
    { kind: 'country', op: 'in', values: ['eire'] },
    { kind: 'metric', metric: 'spend', op: 'gt', value: 500 },
    { kind: 'metric', metric: 'recency_days', op: 'gt', value: 90 },
  ],
});

/** No product named, as the wire says it. */
const none = { productId: null, nameContains: null, categoryContains: null };
/** This or last week, month or quarter, as the wire says it: the other fields unused. */
const wireCurrent = <C extends string>(calendar: C) => ({
  calendar,
  number: null,
  year: null,
  ofYear: null,
  last: false,
  since: false,
});

describe('llmParseSegment (official SDK against the loopback stand-in)', () => {
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

  it('uses a valid answer, in the data spelling, after one request whose prompt carries the vocabulary', async () => {
    api.enqueue(irishLapsed);
    const result = await llmParseSegment(
      "Irish customers who spent over £500 but haven't bought in 3 months",
      vocab,
      llm,
      {
        today,
      },
    );
    expect(result).toEqual({
      ok: true,
      attempts: 1,
      notes: [],
      definition: {
        conditions: [
          { kind: 'country', op: 'in', values: ['EIRE'] },
          { kind: 'metric', metric: 'spend', op: 'gt', value: 500 },
          { kind: 'metric', metric: 'recency_days', op: 'gt', value: 90 },
        ],
      },
    });
    const bodies = api.chatBodies();
    expect(bodies).toHaveLength(1);
    const [system, user] = bodies[0]!.messages;
    expect(system?.role).toBe('system');
    expect(system?.content).toContain('EIRE, France, Germany, Netherlands, Spain, USA, United Kingdom');
    expect(system?.content).toContain('candles, christmas, kitchen');
    expect(system?.content).toContain(
      '- recency_days: whole days since the last purchase (0 to 36500, whole number)',
    );
    expect(system?.content).toContain('2011-12-09');
    expect(system?.content).toMatch(/never write SQL/i);
    expect(system?.content).not.toMatch(/\{\{/);
    expect(user).toEqual({
      role: 'user',
      content: "Audience: Irish customers who spent over £500 but haven't bought in 3 months",
    });
    expect(bodies[0]!.response_format?.json_schema).toMatchObject({
      name: 'segment_definition',
      strict: true,
    });
  });

  it('converts nested groups, nullable product fields and the top-N list', async () => {
    api.enqueue(
      wire({
        conditions: [
          {
            kind: 'or',
            conditions: [
              { kind: 'lifecycle', op: 'in', values: ['at_risk'] },
              {
                kind: 'and',
                conditions: [
                  { kind: 'range', metric: 'orders', min: 2, max: 5 },
                  {
                    kind: 'bought',
                    product: { productId: null, nameContains: null, categoryContains: 'Christmas' },
                    withinDays: null,
                    period: null,
                    total: null,
                    negate: true,
                  },
                ],
              },
            ],
          },
          { kind: 'not', condition: { kind: 'country', op: 'in', values: ['United Kingdom'] } },
        ],
        top: { metric: 'spend', direction: 'desc', limit: 50, withinDays: null, period: null },
        assumptions: ['“Big spenders” read as M score 4 or 5 (the top 40% by spend).'],
      }),
    );
    const result = await llmParseSegment('…', vocab, llm);
    expect(result).toMatchObject({
      ok: true,
      notes: ['“Big spenders” read as M score 4 or 5 (the top 40% by spend).'],
    });
    expect(result.ok && result.definition).toEqual({
      conditions: [
        {
          kind: 'or',
          conditions: [
            { kind: 'lifecycle', op: 'in', values: ['at_risk'] },
            {
              kind: 'and',
              conditions: [
                { kind: 'range', metric: 'orders', min: 2, max: 5 },
                { kind: 'bought', product: { categoryContains: 'Christmas' }, negate: true },
              ],
            },
          ],
        },
        { kind: 'not', condition: { kind: 'country', op: 'in', values: ['United Kingdom'] } },
      ],
      top: { metric: 'spend', direction: 'desc', limit: 50 },
    } satisfies SegmentDefinition);
  });

  it('takes totals over a window, the current month, and a top-N list ranked over a window', async () => {
    const current = wireCurrent('this_month');
    api.enqueue(
      wire({
        conditions: [
          {
            kind: 'bought',
            product: none,
            withinDays: null,
            period: { calendar: 'month', number: 10, year: null, ofYear: null, last: false, since: false },
            total: { measure: 'spend', op: 'gt', value: 500 },
            negate: false,
          },
          { kind: 'first_purchase', period: current },
          {
            kind: 'first_purchase',
            period: { ...current, calendar: 'black_friday' as const, year: 2025 },
          },
        ],
        top: { metric: 'orders', direction: 'desc', limit: 10, withinDays: null, period: current },
      }),
    );
    const result = await llmParseSegment('…', vocab, llm);
    const definition: SegmentDefinition = {
      conditions: [
        {
          kind: 'bought',
          period: { calendar: 'month', month: 10 },
          total: { measure: 'spend', op: 'gt', value: 500 },
          negate: false,
        },
        { kind: 'first_purchase', period: { unit: 'month', offset: 0 } },
        { kind: 'first_purchase', period: { named: 'black_friday', year: 2025 } },
      ],
      top: { metric: 'orders', direction: 'desc', limit: 10, period: { unit: 'month', offset: 0 } },
    };
    expect(result.ok && result.definition).toEqual(definition);
    // Refining shows the model the same forms back.
    api.enqueue(wire({ conditions: [] }));
    await llmParseSegment('only those in France', vocab, llm, { previous: definition });
    const shown = api.chatBodies().at(-1)!.messages.at(-1)!.content as string;
    expect(shown).toContain('"total":{"measure":"spend","op":"gt","value":500}');
    expect(shown).toContain('"period":{"calendar":"black_friday","number":null,"year":2025');
    expect(shown).toContain(
      '"top":{"metric":"orders","direction":"desc","limit":10,"period":{"calendar":"this_month"',
    );
    // A ranking over a window needs spend or orders: refused, and asked again.
    api.enqueue(
      wire({
        conditions: [],
        top: { metric: 'r_score', direction: 'desc', limit: 5, withinDays: 30, period: null },
      }),
      wire({
        conditions: [],
        top: { metric: 'spend', direction: 'desc', limit: 5, withinDays: 30, period: null },
      }),
    );
    const retried = await llmParseSegment('top 5 last month', vocab, llm);
    expect(retried).toMatchObject({ ok: true, attempts: 2 });
    expect(api.chatBodies().at(-1)!.messages.at(-1)?.content).toContain(
      'only spend and orders can be ranked',
    );
  });

  it('takes a calendar period for a purchase, with or without a product', async () => {
    const none = { productId: null, nameContains: null, categoryContains: null };
    api.enqueue(
      wire({
        conditions: [
          {
            kind: 'bought',
            product: { ...none, categoryContains: 'Christmas' },
            withinDays: null,
            period: { calendar: 'month', number: 12, year: null, ofYear: null, last: true, since: false },
            total: null,
            negate: false,
          },
          {
            kind: 'bought',
            product: none,
            withinDays: null,
            period: { calendar: 'month', number: 9, year: 2011, ofYear: null, last: false, since: true },
            total: null,
            negate: true,
          },
          {
            kind: 'first_purchase',
            period: { calendar: 'quarter', number: 1, year: null, ofYear: 'last', last: false, since: false },
          },
        ],
      }),
    );
    const result = await llmParseSegment(
      'bought christmas items last December but nothing since September',
      vocab,
      llm,
    );
    expect(result.ok && result.definition).toEqual({
      conditions: [
        {
          kind: 'bought',
          product: { categoryContains: 'Christmas' },
          period: { calendar: 'month', month: 12, last: true },
          negate: false,
        },
        { kind: 'bought', period: { calendar: 'month', month: 9, year: 2011, since: true }, negate: true },
        { kind: 'first_purchase', period: { calendar: 'quarter', quarter: 1, ofYear: 'last' } },
      ],
    } satisfies SegmentDefinition);
    // A purchase with neither a product nor a window says nothing: refused, and asked again.
    api.enqueue(
      wire({
        conditions: [
          { kind: 'bought', product: none, withinDays: null, period: null, total: null, negate: false },
        ],
      }),
      wire({ conditions: [{ kind: 'metric', metric: 'orders', op: 'gte', value: 1 }] }),
    );
    const retried = await llmParseSegment('buyers', vocab, llm);
    expect(retried).toMatchObject({ ok: true, attempts: 2 });
    expect(api.chatBodies().at(-1)!.messages.at(-1)?.content).toContain('say what was bought, or when');
  });

  it('takes last week, month or quarter as the whole one before this one', async () => {
    const lastMonth = wireCurrent('last_month');
    api.enqueue(
      wire({
        conditions: [
          { kind: 'bought', product: none, withinDays: null, period: lastMonth, total: null, negate: false },
        ],
      }),
    );
    const result = await llmParseSegment('people who shopped with us last month', vocab, llm);
    expect(result.ok && result.definition).toEqual({
      conditions: [{ kind: 'bought', period: { unit: 'month', offset: 1 }, negate: false }],
    } satisfies SegmentDefinition);
    expect(api.chatBodies().at(-1)!.messages[0]!.content).toContain('last_week, last_month or last_quarter');
  });

  it('takes returns in a window, with the prompt saying how', async () => {
    api.enqueue(
      wire({
        conditions: [
          {
            kind: 'returned',
            product: none,
            withinDays: null,
            period: wireCurrent('last_month'),
            negate: false,
          },
          { kind: 'returned', product: none, withinDays: 90, period: null, negate: true },
        ],
      }),
    );
    const result = await llmParseSegment(
      'people who sent something back last month but have had no returns in 90 days',
      vocab,
      llm,
    );
    expect(result.ok && result.definition).toEqual({
      conditions: [
        { kind: 'returned', period: { unit: 'month', offset: 1 }, negate: false },
        { kind: 'returned', withinDays: 90, negate: true },
      ],
    } satisfies SegmentDefinition);
    const system = api.chatBodies().at(-1)!.messages[0]!.content;
    expect(system).toContain('"returned something last month" →');
  });

  it('takes a metric against the average, with the prompt saying how', async () => {
    api.enqueue(
      wire({
        conditions: [
          { kind: 'average', metric: 'avg_order_value', op: 'above' },
          { kind: 'country', op: 'in', values: ['Germany'] },
        ],
      }),
    );
    const result = await llmParseSegment('Germans whose baskets beat the norm', vocab, llm);
    expect(result.ok && result.definition).toEqual({
      conditions: [
        { kind: 'average', metric: 'avg_order_value', op: 'above' },
        { kind: 'country', op: 'in', values: ['Germany'] },
      ],
    } satisfies SegmentDefinition);
    const system = api.chatBodies().at(-1)!.messages[0]!.content;
    expect(system).toContain('"above-average spenders", "spent more than average" → spend above');
  });

  it('retries once with the validation error when the definition is invalid (spend over -5)', async () => {
    const invalid = wire({ conditions: [{ kind: 'metric', metric: 'spend', op: 'gt', value: -5 }] });
    api.enqueue(invalid, wire({ conditions: [{ kind: 'metric', metric: 'spend', op: 'gt', value: 5 }] }));
    const result = await llmParseSegment('spent over -5', vocab, llm);
    expect(result).toMatchObject({ ok: true, attempts: 2 });
    const [first, second] = api.chatBodies();
    expect(second!.messages.slice(0, 2)).toEqual(first!.messages);
    expect(second!.messages[2]).toEqual({ role: 'assistant', content: invalid });
    expect(second!.messages[3]?.role).toBe('user');
    expect(second!.messages[3]?.content).toContain(
      'That answer cannot be used: conditions.0: spend must be between 0 and 1,000,000,000,000, not -5',
    );
  });

  it('retries once when the answer is not JSON', async () => {
    api.enqueue('Here is the SQL: SELECT * FROM customers', irishLapsed);
    const result = await llmParseSegment('Irish lapsed customers', vocab, llm);
    expect(result).toMatchObject({ ok: true, attempts: 2 });
    const retry = api.chatBodies()[1]!.messages;
    expect(retry.at(-2)).toEqual({ role: 'assistant', content: 'Here is the SQL: SELECT * FROM customers' });
    expect(retry.at(-1)?.content).toMatch(/^That answer cannot be used: the answer was not valid JSON/);
  });

  it('retries once when a country is not in the data, naming the closest ones', async () => {
    api.enqueue(
      wire({ conditions: [{ kind: 'country', op: 'in', values: ['Ireland'] }] }),
      wire({ conditions: [{ kind: 'country', op: 'in', values: ['EIRE'] }] }),
    );
    const result = await llmParseSegment('Irish customers', vocab, llm);
    expect(result).toMatchObject({ ok: true, attempts: 2 });
    expect(api.chatBodies()[1]!.messages.at(-1)?.content).toContain(
      'country "Ireland" is not in the data (closest: EIRE',
    );
  });

  it('fails after a second invalid answer, without a third request', async () => {
    api.enqueue(
      wire({ conditions: [{ kind: 'country', op: 'in', values: ['Atlantis'] }] }),
      wire({ conditions: [{ kind: 'metric', metric: 'r_score', op: 'eq', value: 9 }] }),
    );
    const result = await llmParseSegment('customers from Atlantis', vocab, llm);
    expect(result).toMatchObject({ ok: false, attempts: 2, unknown: [] });
    expect(!result.ok && result.reason).toBe(
      'its answer was invalid twice: conditions.0: R score must be between 1 and 5, not 9',
    );
    expect(api.chatBodies()).toHaveLength(2);
  });

  it('does not retry when the model says what it could not express', async () => {
    api.enqueue(wire({ unrecognized: ['Atlantis'] }));
    const result = await llmParseSegment('customers from Atlantis', vocab, llm);
    expect(result).toEqual({
      ok: false,
      attempts: 1,
      unknown: ['Atlantis'],
      reason: 'it could not express "Atlantis"',
    });
  });

  it('reports an API failure as a failed result carrying the MegaphoneError', async () => {
    const wrongKey = createOpenAiClient(
      { apiKey: 'sk-not-the-key-0000000000', baseUrl: api.url, model: 'm' },
      { maxRetries: 0 },
    );
    const result = await llmParseSegment('Germans', vocab, wrongKey);
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect(!result.ok && result.error?.code).toBe('llm_auth');
    expect(!result.ok && result.reason).toMatch(/refused the API key \(401\)/);
  });

  it('shows the current definition, in the wire format, when refining', async () => {
    const previous: SegmentDefinition = {
      conditions: [
        { kind: 'country', op: 'in', values: ['Germany'] },
        { kind: 'bought', product: { nameContains: 'candle' }, negate: false },
      ],
    };
    api.enqueue(wire({ conditions: [{ kind: 'country', op: 'in', values: ['France'] }] }));
    const result = await llmParseSegment('only those in France', vocab, llm, { previous });
    expect(result).toMatchObject({
      ok: true,
      definition: { conditions: [{ kind: 'country', values: ['France'] }] },
    });
    const user = api.chatBodies()[0]!.messages[1]!.content;
    expect(user).toContain('Change requested: only those in France');
    expect(user).toContain(
      '{"kind":"bought","product":{"productId":null,"nameContains":"candle","categoryContains":null},"withinDays":null,"period":null,"total":null,"negate":false}',
    );
  });
});

describe('wire schema', () => {
  it('converts to a strict JSON schema: objects closed, every property required, no oneOf', () => {
    const schema = zodResponseFormat(wireDefinition, 'segment_definition').json_schema.schema as Record<
      string,
      unknown
    >;
    const text = JSON.stringify(schema);
    expect(text).not.toMatch(/"oneOf"|"minLength"|"allOf"|"default"/);
    let objects = 0;
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) {
        node.forEach(walk);
        return;
      }
      if (!node || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if (n.type === 'object') {
        objects++;
        expect(n.additionalProperties).toBe(false);
        expect(n.required).toEqual(Object.keys(n.properties as object));
      }
      Object.values(n).forEach(walk);
    };
    walk(schema);
    expect(objects).toBeGreaterThan(8);
  });

  it('validates with the real schema and the vocabulary', () => {
    expect(
      checkSegmentDefinition({ conditions: [{ kind: 'country', op: 'in', values: ['germany'] }] }, vocab),
    ).toEqual({
      ok: true,
      definition: { conditions: [{ kind: 'country', op: 'in', values: ['Germany'] }] },
    });
    expect(
      checkSegmentDefinition(
        { conditions: [{ kind: 'bought', product: { categoryContains: 'garden' }, negate: false }] },
        vocab,
      ),
    ).toEqual({
      ok: false,
      problems: [
        'category "garden" matches no catalogue category; use one of the listed categories or nameContains',
      ],
    });
    expect(checkSegmentDefinition({ conditions: [{ kind: 'sql', text: 'drop table x' }] }, vocab).ok).toBe(
      false,
    );
    const hostile = checkSegmentDefinition(
      { conditions: [{ kind: 'country', op: 'in', values: ["Germany'); drop table customers; --"] }] },
      vocab,
    );
    expect(hostile.ok).toBe(false);
  });
});
