import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { discoverSegments } from '../src/segments/discover.ts';
import { type DiscoveryMemory, discoveryReply } from '../src/segments/discover-reply.ts';

const NATURAL =
  /\b(natural (groups|segments|clusters)|clusters?|cluster (our|the|my) customers|discover (segments|groups))\b/i;

export default defineCommand({
  name: 'discover',
  description: 'Find the natural groups customers fall into (k-means on RFM-style features)',
  examples: ['what natural groups do our customers fall into?', 'discover 5'],
  aliases: ['segments discover', 'discover segments', 'cluster'],
  args: z.object({ k: z.coerce.number().int().min(2).max(12).optional() }),
  parse: (text) => {
    const k = /\b(\d{1,2})\b/.exec(text)?.[1];
    return { k: k ? Number(k) : undefined };
  },
  claims: (text) => NATURAL.test(text),
  async run(ctx, { k }) {
    const discovery = await discoverSegments(ctx.database, k ? { k } : {});
    const memory: DiscoveryMemory = {
      discovery: discovery.clusters.map((c) => ({
        index: c.index,
        label: c.label,
        definition: c.definition,
      })),
    };
    return { reply: discoveryReply(discovery), remember: memory };
  },
});
