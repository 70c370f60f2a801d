import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, drivers } from '../../test/database.ts';
import type { Delivery, DeliveryTarget } from '../core/delivery.ts';
import type { Reply } from '../core/reply.ts';
import { type Database, type Driver, openDatabase } from '../db/client.ts';
import { importFile } from '../ingest/import.ts';
import { createDigestScheduler, type SchedulerOptions } from './scheduler.ts';
import {
  createDigest,
  type Digest,
  deleteDigest,
  listDigests,
  queueRun,
  runsOf,
  setPaused,
} from './service.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/two-weeks.csv', import.meta.url));
const log = pino({ level: 'silent' });
const at = (iso: string) => new Date(iso);
const MINUTE = 60_000;

/**
 * Two handles on one database, as two Megaphone processes would have: on the server two separate pools;
 * PGlite serves one process only, so both schedulers share its handle there.
 */
async function openPair(driver: Driver): Promise<{ a: Database; b: Database; dispose(): Promise<void> }> {
  if (driver === 'pglite') {
    const db = await createTestDatabase('pglite');
    return { a: db, b: db, dispose: () => db.dispose() };
  }
  const adminUrl = inject('postgresUrl');
  const name = `megaphone_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const a = await openDatabase({ databaseUrl: url.toString() });
  const b = await openDatabase({ databaseUrl: url.toString(), migrate: false });
  return {
    a,
    b,
    async dispose() {
      await a.close();
      await b.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}

interface Posted {
  target: DeliveryTarget;
  reply: Reply;
  by: string;
}

/** A channel both "processes" post to, so duplicates show up in one list. */
function channel() {
  const posts: Posted[] = [];
  const delivery = (by: string, behaviour?: (n: number) => Promise<void> | void): Delivery => ({
    platform: 'slack',
    async post(target, reply) {
      await behaviour?.(posts.length);
      posts.push({ target, reply, by });
      return { messageRef: `${target.channel}/${posts.length}` };
    },
  });
  return { posts, delivery };
}

describe.each(drivers)('digest scheduler on %s', (driver) => {
  let pair: Awaited<ReturnType<typeof openPair>>;
  beforeAll(async () => {
    pair = await openPair(driver);
    await importFile(pair.a, FIXTURE);
  });
  afterAll(async () => {
    await pair.dispose();
  });
  afterEach(async () => {
    for (const d of await listDigests(pair.a)) await deleteDigest(pair.a, d.name);
  });

  const scheduler = (
    database: Database,
    delivery: Delivery,
    id: string,
    extra: Partial<SchedulerOptions> = {},
  ) => createDigestScheduler({ database, deliveries: { slack: delivery }, log, instanceId: id, ...extra });

  const weekly = (name: string, extra: Partial<Parameters<typeof createDigest>[1]> = {}): Promise<Digest> =>
    createDigest(pair.a, {
      name,
      schedule: 'Mondays at 09:00',
      cron: '0 9 * * 1',
      timezone: 'Europe/London',
      platform: 'slack',
      channel: 'C-MARKETING',
      contents: { period: 'week', parts: ['kpis', 'products'] },
      createdBy: 'test',
      activeFrom: at('2026-03-01T00:00:00Z'),
      ...extra,
    });

  it('sends each slot once, at the local time across the DST change', async () => {
    const digest = await weekly('dst', { activeFrom: at('2026-03-23T00:00:00Z') });
    const { posts, delivery } = channel();
    const s = scheduler(pair.a, delivery('one'), 'one');
    expect(await s.tick(at('2026-03-23T08:59:59Z'))).toEqual([]);
    const sent = await s.tick(at('2026-03-23T09:00:00Z'));
    expect(sent).toMatchObject([{ digest: 'dst', outcome: 'sent', late: false, attempt: 1 }]);
    expect(await s.tick(at('2026-03-23T09:01:00Z'))).toEqual([]);
    // Summer time: 09:00 in London is 08:00 UTC.
    expect(await s.tick(at('2026-03-30T07:59:00Z'))).toEqual([]);
    expect(await s.tick(at('2026-03-30T08:00:00Z'))).toMatchObject([{ outcome: 'sent', late: false }]);
    expect(posts.map((p) => p.target.channel)).toEqual(['C-MARKETING', 'C-MARKETING']);
    const runs = await runsOf(pair.a, digest.id);
    expect(
      runs.map((r) => [r.scheduledFor.toISOString(), r.status, r.attempts, r.claimedBy, r.messageRef]),
    ).toEqual([
      ['2026-03-23T09:00:00.000Z', 'sent', 1, 'one', 'C-MARKETING/1'],
      ['2026-03-30T08:00:00.000Z', 'sent', 1, 'one', 'C-MARKETING/2'],
    ]);
  });

  it('two schedulers racing on the same database deliver each digest once', async () => {
    await Promise.all(['race-a', 'race-b', 'race-c'].map((n) => weekly(n)));
    const { posts, delivery } = channel();
    const a = scheduler(pair.a, delivery('A'), 'A');
    const b = scheduler(pair.b, delivery('B'), 'B');
    const slots = [
      '2026-03-02T09:00:00Z',
      '2026-03-09T09:00:00Z',
      '2026-03-16T09:00:00Z',
      '2026-03-23T09:00:00Z',
    ];
    for (const slot of slots) await Promise.all([a.tick(at(slot)), b.tick(at(slot))]);
    expect(posts).toHaveLength(3 * slots.length);
    const [row] = await pair.a.rows<{ runs: number; sent: number; attempts: number }>(sql`
      select count(*)::int as runs, count(*) filter (where status = 'sent')::int as sent, max(attempts)::int as attempts
      from digest_runs`);
    expect(row).toEqual({ runs: 12, sent: 12, attempts: 1 });
  });

  it('a claim whose sender died before sending is recovered once, after the lease', async () => {
    const digest = await weekly('crash');
    const { posts, delivery } = channel();
    let entered!: () => void;
    const reachedPost = new Promise<void>((resolve) => {
      entered = resolve;
    });
    // Process A claims the slot, then freezes before the post goes out (as if killed).
    const frozen: Delivery = {
      platform: 'slack',
      post: () => {
        entered();
        return new Promise(() => {});
      },
    };
    const a = scheduler(pair.a, frozen, 'A', { leaseMs: 10 * MINUTE });
    void a.tick(at('2026-03-23T09:00:00Z'));
    await reachedPost;

    const b = scheduler(pair.b, delivery('B'), 'B', { leaseMs: 10 * MINUTE });
    const c = scheduler(pair.b, delivery('C'), 'C', { leaseMs: 10 * MINUTE });
    expect(await b.tick(at('2026-03-23T09:05:00Z'))).toEqual([]); // lease still running
    const [recovered, again] = await Promise.all([
      b.tick(at('2026-03-23T09:10:01Z')),
      c.tick(at('2026-03-23T09:10:01Z')),
    ]);
    expect([...recovered, ...again]).toMatchObject([{ digest: 'crash', outcome: 'sent', attempt: 2 }]);
    expect(await c.tick(at('2026-03-23T09:30:00Z'))).toEqual([]);
    expect(posts).toHaveLength(1);
    const [run] = await runsOf(pair.a, digest.id);
    expect(run).toMatchObject({ status: 'sent', attempts: 2, recoveries: 1 });
    expect(['B', 'C']).toContain(run?.claimedBy);
  });

  it('after downtime one late digest is sent, not one per missed slot', async () => {
    const digest = await weekly('daily', { cron: '0 9 * * *', schedule: 'every day at 09:00' });
    const { posts, delivery } = channel();
    const s = scheduler(pair.a, delivery('S'), 'S');
    await s.tick(at('2026-03-02T09:00:00Z'));
    // Down from 2 March 09:01 to 6 March 12:00: four slots missed.
    const caughtUp = await s.tick(at('2026-03-06T12:00:00Z'));
    expect(caughtUp).toMatchObject([{ outcome: 'sent', late: true }]);
    expect(caughtUp[0]?.scheduledFor.toISOString()).toBe('2026-03-06T09:00:00.000Z');
    expect(posts[1]?.reply.context).toMatch(/^Sent late: it was due Fri 6 Mar 2026, 09:00 Europe\/London/);
    expect(await s.tick(at('2026-03-06T12:01:00Z'))).toEqual([]);
    expect(await s.tick(at('2026-03-07T09:00:00Z'))).toMatchObject([{ outcome: 'sent', late: false }]);
    const runs = await runsOf(pair.a, digest.id);
    expect(runs.map((r) => [r.scheduledFor.toISOString().slice(0, 10), r.late])).toEqual([
      ['2026-03-02', false],
      ['2026-03-06', true],
      ['2026-03-07', false],
    ]);
  });

  it('does not send slots from before the digest existed', async () => {
    await weekly('fresh', { activeFrom: at('2026-03-23T10:00:00Z') });
    const { posts, delivery } = channel();
    expect(await scheduler(pair.a, delivery('S'), 'S').tick(at('2026-03-23T10:00:00Z'))).toEqual([]);
    expect(posts).toEqual([]);
  });

  it('retries a failed send with backoff, then reports it', async () => {
    const flaky = await weekly('flaky');
    const { posts, delivery } = channel();
    let failures = 2;
    const s = scheduler(
      pair.a,
      delivery('S', () => {
        if (failures-- > 0) throw new Error('slack said ratelimited');
      }),
      'S',
      { maxAttempts: 3, backoffMs: (n) => n * MINUTE },
    );
    expect(await s.tick(at('2026-03-23T09:00:00Z'))).toMatchObject([
      {
        outcome: 'retrying',
        attempt: 1,
        error: 'slack said ratelimited',
        nextAttemptAt: at('2026-03-23T09:01:00Z'),
      },
    ]);
    expect(await s.tick(at('2026-03-23T09:00:30Z'))).toEqual([]);
    expect(await s.tick(at('2026-03-23T09:01:00Z'))).toMatchObject([
      { outcome: 'retrying', attempt: 2, nextAttemptAt: at('2026-03-23T09:03:00Z') },
    ]);
    expect(await s.tick(at('2026-03-23T09:03:00Z'))).toMatchObject([{ outcome: 'sent', attempt: 3 }]);
    expect(posts).toHaveLength(1);
    expect(await runsOf(pair.a, flaky.id)).toMatchObject([{ status: 'sent', attempts: 3, error: null }]);

    await deleteDigest(pair.a, 'flaky');
    const down = await weekly('down');
    const reported: string[] = [];
    const broken = scheduler(
      pair.a,
      delivery('S', () => {
        throw new Error('channel_not_found');
      }),
      'S',
      {
        maxAttempts: 2,
        backoffMs: () => MINUTE,
        onGiveUp: (d, run) => void reported.push(`${d.name}: ${run.error}`),
      },
    );
    await broken.tick(at('2026-03-23T09:00:00Z'));
    expect(await broken.tick(at('2026-03-23T09:01:00Z'))).toMatchObject([
      { outcome: 'failed', attempt: 2, error: 'channel_not_found' },
    ]);
    expect(await broken.tick(at('2026-03-23T09:30:00Z'))).toEqual([]);
    expect(reported).toEqual(['down: channel_not_found']);
    expect(await runsOf(pair.a, down.id)).toMatchObject([
      { status: 'failed', attempts: 2, error: 'channel_not_found' },
    ]);
  });

  it('paused digests wait; resuming does not send what was missed', async () => {
    const digest = await weekly('holiday');
    const { posts, delivery } = channel();
    const s = scheduler(pair.a, delivery('S'), 'S');
    await setPaused(pair.a, 'holiday', true);
    expect(await s.tick(at('2026-03-09T09:00:00Z'))).toEqual([]);
    await setPaused(pair.a, 'holiday', false, at('2026-03-12T00:00:00Z'));
    expect(await s.tick(at('2026-03-12T00:00:00Z'))).toEqual([]);
    expect(await s.tick(at('2026-03-16T09:00:00Z'))).toMatchObject([{ outcome: 'sent' }]);
    expect(posts).toHaveLength(1);
    expect((await runsOf(pair.a, digest.id)).map((r) => r.scheduledFor.toISOString())).toEqual([
      '2026-03-16T09:00:00.000Z',
    ]);
  });

  it('"run now" goes out once through the same claim; a process without the platform leaves it', async () => {
    const digest = await weekly('now', { activeFrom: at('2026-03-18T00:00:00Z') });
    const { posts, delivery } = channel();
    await queueRun(pair.a, digest, at('2026-03-18T14:00:00Z'));
    const discordOnly = createDigestScheduler({
      database: pair.b,
      deliveries: { discord: { platform: 'discord', post: async () => ({ messageRef: 'x' }) } },
      log,
      instanceId: 'D',
    });
    expect(await discordOnly.tick(at('2026-03-18T14:00:05Z'))).toEqual([]);
    const s = scheduler(pair.a, delivery('S'), 'S');
    const t = scheduler(pair.b, delivery('T'), 'T');
    const outcomes = (
      await Promise.all([s.tick(at('2026-03-18T14:00:10Z')), t.tick(at('2026-03-18T14:00:10Z'))])
    ).flat();
    expect(outcomes).toMatchObject([{ digest: 'now', outcome: 'sent', attempt: 1 }]);
    expect(posts).toHaveLength(1);
    expect(await runsOf(pair.a, digest.id)).toMatchObject([{ trigger: 'manual', status: 'sent' }]);
  });

  it('started in the process, it catches up at once and stops cleanly', async () => {
    await weekly('in-process', { activeFrom: at('2026-03-20T00:00:00Z') });
    let delivered!: (reply: Reply) => void;
    const first = new Promise<Reply>((resolve) => {
      delivered = resolve;
    });
    const s = createDigestScheduler({
      database: pair.a,
      deliveries: {
        slack: {
          platform: 'slack',
          post: async (_target, reply) => {
            delivered(reply);
            return { messageRef: 'p1' };
          },
        },
      },
      log,
      now: () => at('2026-03-25T12:00:00Z'),
    });
    s.start();
    try {
      expect((await first).context).toMatch(/^Sent late: it was due Mon 23 Mar 2026, 09:00 Europe\/London/);
    } finally {
      s.stop();
    }
  });
});
