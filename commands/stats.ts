import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { formatMoney, formatNumber } from '../src/core/reply.ts';
import { NO_DATA_MESSAGE, storeStats } from '../src/ingest/stats.ts';

export default defineCommand({
  name: 'stats',
  description: 'Headline figures of the feature store: customers, products, orders, revenue',
  examples: ['stats', 'overview'],
  aliases: ['overview', 'statistics', 'numbers'],
  args: z.object({}),
  async run(ctx) {
    const s = await storeStats(ctx.database);
    if (s.purchaseLines === 0) {
      return {
        tone: 'warning',
        text: NO_DATA_MESSAGE,
      };
    }
    return {
      reply: {
        title: 'Feature store at a glance',
        fields: [
          { label: 'Customers', value: formatNumber(s.customers) },
          { label: 'Revenue', value: formatMoney(s.revenue) },
          { label: 'Orders', value: formatNumber(s.orders) },
          { label: 'Average order', value: formatMoney(s.orders ? s.revenue / s.orders : 0) },
          { label: 'Products sold', value: `${formatNumber(s.products)} of ${formatNumber(s.catalogue)}` },
          { label: 'Purchase lines', value: formatNumber(s.purchaseLines) },
        ],
        context:
          `As of ${s.asOf?.slice(0, 16).replace('T', ' ')} UTC · ${formatNumber(s.importBatches)} import(s)` +
          (s.rejectedRows ? ` · ${formatNumber(s.rejectedRows)} rejected line(s) in quarantine` : ''),
      },
    };
  },
});
