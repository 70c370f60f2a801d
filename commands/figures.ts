import { z } from 'zod';
import { periodFigures } from '../src/charts/figures.ts';
import { CALENDAR, takePeriod } from '../src/charts/request.ts';
import { defineCommand } from '../src/core/command.ts';
import { UserError } from '../src/core/errors.ts';
import { formatMoney, formatNumber } from '../src/core/reply.ts';
import { change } from '../src/digests/compose.ts';
import { NO_DATA_MESSAGE } from '../src/ingest/stats.ts';

/** A figure a marketer asks for by name. */
const FIGURE =
  /\b(?:revenue|sales|turnover|orders?|average\s+order(?:\s+value)?|aov|new\s+customers|how\s+much\s+(?:did|have)\s+we\s+(?:sell|sold|make|made|take|taken)|how\s+many\s+customers)\b/i;
const QUESTION =
  /^\s*(?:what(?:'s|\s+is|\s+are|\s+was|\s+were)?|how\s+(?:much|many|did|are|is|were|was)|show(?:\s+me)?|give\s+me|tell\s+me)\b/i;
/** Left to the chart, segment and product commands: over time, broken down, compared, ranked, an audience. */
const ELSEWHERE =
  /\b(?:chart|plot|graph|draw|visuali[sz]e|trends?|over\s+time|by\s+(?:day|week|month|country|countries|stage|lifecycle|rfm|products?)|per\s+(?:day|week|month)|daily|weekly|monthly|vs\.?|versus|compared?|against|top|best|most|who|which|customers\s+(?:who|with|in|from|that|without))\b/i;

export default defineCommand({
  name: 'figures',
  description: 'Revenue, orders, customers and average order for a period, against the period before',
  examples: [
    'how many orders last week?',
    'what is our average order value this month?',
    'revenue last quarter',
  ],
  aliases: ['kpis', 'kpi'],
  args: z.object({ request: z.string().trim().max(300, 'keep it under 300 characters') }),
  parse: (text) => ({ request: text }),
  claims: (text) =>
    FIGURE.test(text) &&
    !ELSEWHERE.test(text) &&
    (QUESTION.test(text) || takePeriod(text).period !== undefined),
  async run(ctx, { request }) {
    const { period, problem } = takePeriod(request);
    if (problem) throw new UserError('figures_period', problem);
    const calendar = period ? undefined : CALENDAR.exec(request)?.[0];
    if (calendar) {
      throw new UserError(
        'figures_calendar',
        `I count periods back from the latest data, not by calendar dates like "${calendar.trim()}".`,
        {
          hint: 'Ask for this or last week, month, quarter or year, or the last N days, e.g. "revenue last month".',
        },
      );
    }
    const f = await periodFigures(ctx.database, period);
    if (!f.asOf) {
      return {
        tone: 'warning',
        text: NO_DATA_MESSAGE,
      };
    }
    const { current } = f;
    const before = f.previous?.figures;
    const aov = (x: { revenue: number; orders: number }) => (x.orders ? x.revenue / x.orders : 0);
    const versus = (now: number, then: number | undefined) =>
      then === undefined ? '' : ` (${change(now, then)})`;
    return {
      reply: {
        title: f.label === 'of all time' ? 'Figures of all time' : `Figures for ${f.label}`,
        fields: [
          {
            label: 'Revenue',
            value: `${formatMoney(current.revenue)}${versus(current.revenue, before?.revenue)}`,
          },
          {
            label: 'Orders',
            value: `${formatNumber(current.orders)}${versus(current.orders, before?.orders)}`,
          },
          {
            label: 'Customers',
            value: `${formatNumber(current.customers)}${versus(current.customers, before?.customers)}`,
          },
          {
            label: 'New customers',
            value: `${formatNumber(current.newCustomers)}${versus(current.newCustomers, before?.newCustomers)}`,
          },
          {
            label: 'Average order',
            value: `${formatMoney(aov(current))}${before ? versus(aov(current), aov(before)) : ''}`,
          },
        ],
        context:
          (f.previous ? `Changes against ${f.previous.label} · ` : '') +
          `purchases by known customers, as of ${f.asOf.slice(0, 16).replace('T', ' ')} UTC`,
      },
    };
  },
});
