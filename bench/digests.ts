/**
 * Digests on the demo shop: composing a weekly digest (figures, segments, products, what to push, chart)
 * against the chart alone, and an idle scheduler tick over many digests against reading the digest list.
 */

import { digestRuns } from '../db/schema.ts';
import { revenueOverTime } from '../src/charts/builders.ts';
import { renderChart } from '../src/charts/render.ts';
import { type Database, openDatabase } from '../src/db/client.ts';
import { composeDigest } from '../src/digests/compose.ts';
import { latestSlot } from '../src/digests/schedule.ts';
import { createDigestScheduler } from '../src/digests/scheduler.ts';
import { createDigest, listDigests } from '../src/digests/service.ts';
import { loadDemo } from '../src/ingest/demo.ts';
import { createLogger } from '../src/logger.ts';
import { saveSegment } from '../src/segments/service.ts';
import { median, progress, type Section } from './section.ts';

const ROUNDS = 7;
const DIGESTS = 200;
const log = createLogger('silent');

async function interleaved(a: () => Promise<unknown>, b: () => Promise<unknown>) {
  await a();
  await b();
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    let t = performance.now();
    await a();
    ta.push(performance.now() - t);
    t = performance.now();
    await b();
    tb.push(performance.now() - t);
  }
  return { a: median(ta), b: median(tb) };
}

async function seed(database: Database): Promise<void> {
  await loadDemo(database, { seed: 42, customers: 1500 });
  for (const [name, value] of [
    ['big spenders', 1000],
    ['regulars', 200],
  ] as const) {
    await saveSegment(database, {
      name,
      definition: { conditions: [{ kind: 'metric', metric: 'spend', op: 'gt', value }] },
      createdBy: 'bench',
    });
  }
  for (let i = 0; i < DIGESTS; i++) {
    await createDigest(database, {
      name: `digest-${i}`,
      schedule: 'every day at 09:00',
      cron: `${i % 60} ${i % 24} * * *`,
      timezone: i % 2 ? 'Europe/London' : 'America/New_York',
      platform: 'slack',
      channel: `C${i}`,
      contents: { period: 'week', parts: ['kpis', 'segments', 'products', 'push', 'chart'] },
      createdBy: 'bench',
      activeFrom: new Date('2026-01-01T00:00:00Z'),
    });
  }
}

export async function run(): Promise<Section> {
  const failures: string[] = [];
  const database = await openDatabase({});
  try {
    progress('digests: loading the demo shop (1,500 customers) and 200 digests');
    await seed(database);
    const [digest] = await listDigests(database);
    const at = new Date('2026-03-23T09:00:00Z');
    const compose = await interleaved(
      () => composeDigest(database, digest!, { at, log }),
      async () => renderChart((await revenueOverTime(database, { grain: 'week' })).spec),
    );

    // Every digest's latest slot was already sent, so the measured ticks find nothing due.
    const all = await listDigests(database);
    await database.db.insert(digestRuns).values(
      all.map((d) => ({
        digestId: d.id,
        scheduledFor: latestSlot(d.cron, d.timezone, at)!,
        status: 'sent',
        attempts: 1,
        finishedAt: at,
      })),
    );
    const deliveries = { slack: { platform: 'slack' as const, post: async () => ({ messageRef: 'bench' }) } };
    const scheduler = createDigestScheduler({ database, deliveries, log, instanceId: 'bench' });
    const idle = await interleaved(
      async () => {
        const sent = await scheduler.tick(at);
        if (sent.length) failures.push(`digests: an idle tick sent ${sent.length}`);
      },
      () => listDigests(database),
    );
    const markdown = [
      `Demo shop (1,500 customers, seed 42) in PGlite, two saved segments, ${DIGESTS} digests; ${ROUNDS} warm runs, interleaved, p50.`,
      '',
      '| Measure | Megaphone p50 | Baseline | Baseline p50 | Ratio |',
      '| --- | --- | --- | --- | --- |',
      `| weekly digest, all parts, rendered | ${compose.a.toFixed(0)} ms | its revenue chart alone (SQL + PNG) | ${compose.b.toFixed(0)} ms | ${(compose.a / compose.b).toFixed(2)}x |`,
      `| idle scheduler tick, ${DIGESTS} digests | ${idle.a.toFixed(1)} ms | reading the digest list | ${idle.b.toFixed(1)} ms | ${(idle.a / idle.b).toFixed(2)}x |`,
    ].join('\n');
    return { title: 'Digests: composition and scheduler tick', markdown, failures };
  } finally {
    await database.close();
  }
}
