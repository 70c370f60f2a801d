/**
 * Sends digests on time and exactly once across processes.
 *
 * - Claim: the row (digest, scheduled time) in `digest_runs` is unique; the process whose insert succeeds
 *   sends. Two processes racing on the same slot: one insert wins, the other gets nothing.
 * - Catch-up: each tick looks only at the latest slot at or before now, so after downtime one late digest is
 *   sent, not one per missed slot; it is marked late when claimed more than `lateAfterMs` after its slot.
 * - Retries: a failed send becomes `retrying` with a backoff; after `maxAttempts` it is `failed` and reported.
 * - Crash recovery: a `sending` claim whose lease ran out is taken over by one process (an atomic update that
 *   re-checks the lease), and the finishing update is fenced on the claimant, so a late-waking sender cannot
 *   overwrite the outcome. A sender that dies after the platform accepted the post but before recording it
 *   causes one repeat on recovery: platforms offer no idempotency key for posts.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Cron } from 'croner';
import { and, eq, sql } from 'drizzle-orm';
import { digestRuns } from '../../db/schema.ts';
import type { Delivery } from '../core/delivery.ts';
import type { Database } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import { composeDigest, type DigestRecommender } from './compose.ts';
import type { DigestPlatform } from './request.ts';
import { latestSlot } from './schedule.ts';
import { type Digest, type DigestRun, getDigestById, lastSentSnapshot, listDigests } from './service.ts';

export type Deliveries = Partial<Record<DigestPlatform, Delivery>>;

export interface SchedulerOptions {
  database: Database;
  /** Platform → delivery, handed in by whoever started the adapters; digests for other platforms wait. */
  deliveries: Deliveries;
  log: Logger;
  /** The clock (tests control it). */
  now?: () => Date;
  /** Names this process in claims (default host:pid:random). */
  instanceId?: string;
  /** How long a claim is held before another process may take it over (default 10 minutes). */
  leaseMs?: number;
  /** Attempts before a run is given up and reported (default 4). */
  maxAttempts?: number;
  /** Wait before attempt n+1 after n failed attempts (default 1, 4, 16 minutes...). */
  backoffMs?: (failedAttempts: number) => number;
  /** A run claimed this long after its slot is marked late (default 5 minutes). */
  lateAfterMs?: number;
  recommender?: DigestRecommender | undefined;
  /** Called when a run is given up after its last attempt (besides the error log line). */
  onGiveUp?: (digest: Digest, run: DigestRun) => void | Promise<void>;
}

export type RunOutcome =
  | {
      digest: string;
      scheduledFor: Date;
      outcome: 'sent';
      messageRef: string;
      attempt: number;
      late: boolean;
    }
  | {
      digest: string;
      scheduledFor: Date;
      outcome: 'retrying';
      error: string;
      attempt: number;
      nextAttemptAt: Date;
    }
  | { digest: string; scheduledFor: Date; outcome: 'failed'; error: string; attempt: number };

export interface DigestScheduler {
  /** Sends whatever is due at `now` once (claims, catch-up, retries, recoveries) and reports what it did. */
  tick(now?: Date): Promise<RunOutcome[]>;
  /** Ticks now (catch-up after downtime), then at the start of every minute. */
  start(): void;
  stop(): void;
  readonly instanceId: string;
}

const MINUTE = 60_000;

/**
 * The in-process digest scheduler.
 *
 * @example
 * const scheduler = createDigestScheduler({ database, deliveries: { slack: slackAdapter.delivery }, log });
 * scheduler.start();
 */
export function createDigestScheduler(options: SchedulerOptions): DigestScheduler {
  const { database, deliveries, log } = options;
  const clock = options.now ?? (() => new Date());
  const instanceId = options.instanceId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const leaseMs = options.leaseMs ?? 10 * MINUTE;
  const maxAttempts = options.maxAttempts ?? 4;
  const backoffMs = options.backoffMs ?? ((n: number) => MINUTE * 4 ** (n - 1));
  const lateAfterMs = options.lateAfterMs ?? 5 * MINUTE;
  let job: Cron | undefined;

  const iso = (d: Date) => d.toISOString();

  async function claimSlot(digest: Digest, slot: Date, now: Date): Promise<DigestRun | undefined> {
    const late = now.getTime() - slot.getTime() > lateAfterMs;
    // Never go back to an older slot once a later one was claimed (a process with a slow clock).
    const [row] = await database.rows<Record<string, unknown>>(sql`
      insert into digest_runs (digest_id, scheduled_for, trigger, status, late, attempts, claimed_by, claimed_at, lease_until)
      select ${digest.id}, ${iso(slot)}::timestamptz, 'scheduled', 'sending', ${late}, 1, ${instanceId},
        ${iso(now)}::timestamptz, ${iso(new Date(now.getTime() + leaseMs))}::timestamptz
      where not exists (
        select 1 from digest_runs
        where digest_id = ${digest.id} and trigger = 'scheduled' and scheduled_for > ${iso(slot)}::timestamptz
      )
      on conflict (digest_id, scheduled_for) do nothing
      returning id`);
    return row ? await runById(Number(row.id)) : undefined;
  }

  async function runById(id: number): Promise<DigestRun | undefined> {
    const [run] = await database.db.select().from(digestRuns).where(eq(digestRuns.id, id));
    return run;
  }

  /** Takes over queued runs, runs whose retry is due, and claims whose sender's lease ran out. */
  async function takeOverPending(now: Date): Promise<DigestRun[]> {
    const at = sql`${iso(now)}::timestamptz`;
    const served = Object.keys(deliveries);
    if (served.length === 0) return [];
    // Only runs this process can deliver; a paused digest's scheduled runs wait, "run now" requests go out.
    const candidates = await database.rows<{ id: number }>(sql`
      select r.id from digest_runs r join digests d on d.id = r.digest_id
      where d.platform in (${sql.join(
        served.map((p) => sql`${p}`),
        sql`, `,
      )})
        and (not d.paused or r.trigger = 'manual')
        and ((r.status in ('queued', 'retrying') and r.next_attempt_at <= ${at})
          or (r.status = 'sending' and r.lease_until < ${at}))
      order by r.scheduled_for, r.id`);
    const taken: DigestRun[] = [];
    for (const { id } of candidates) {
      // The where clause is re-checked on the row's latest version, so only one process wins each row.
      const [row] = await database.rows<{ id: number }>(sql`
        update digest_runs set
          recoveries = recoveries + case when status = 'sending' then 1 else 0 end,
          status = 'sending', claimed_by = ${instanceId}, claimed_at = ${at},
          lease_until = ${iso(new Date(now.getTime() + leaseMs))}::timestamptz, attempts = attempts + 1
        where id = ${Number(id)} and (
          (status in ('queued', 'retrying') and next_attempt_at <= ${at}) or (status = 'sending' and lease_until < ${at}))
        returning id`);
      if (row) {
        const run = await runById(Number(row.id));
        if (run) taken.push(run);
      }
    }
    return taken;
  }

  /** Records the outcome only if this process still holds the claim. */
  async function finish(run: DigestRun, values: Partial<typeof digestRuns.$inferInsert>): Promise<boolean> {
    const updated = await database.db
      .update(digestRuns)
      .set(values)
      .where(
        and(
          eq(digestRuns.id, run.id),
          eq(digestRuns.claimedBy, instanceId),
          eq(digestRuns.status, 'sending'),
        ),
      )
      .returning({ id: digestRuns.id });
    if (!updated.length)
      log.warn({ run: run.id, digestId: run.digestId }, 'digest claim was taken over before it finished');
    return updated.length > 0;
  }

  async function send(digest: Digest, run: DigestRun, now: Date): Promise<RunOutcome | undefined> {
    const delivery = deliveries[digest.platform];
    const base = { digest: digest.name, scheduledFor: run.scheduledFor, attempt: run.attempts };
    if (!delivery) return undefined;
    if (run.attempts > maxAttempts) {
      const error = `gave up after ${maxAttempts} attempts (the sender stopped before finishing)`;
      await finish(run, { status: 'failed', error, finishedAt: now, leaseUntil: null });
      await report(digest, { ...run, status: 'failed', error });
      return { ...base, outcome: 'failed', error };
    }
    try {
      const composed = await composeDigest(database, digest, {
        at: run.scheduledFor,
        lateFor: run.late ? run.scheduledFor : undefined,
        previous: await lastSentSnapshot(database, digest.id),
        recommender: options.recommender,
        log,
      });
      const { messageRef } = await delivery.post({ channel: digest.channel }, composed.reply);
      await finish(run, {
        status: 'sent',
        messageRef,
        snapshot: composed.snapshot,
        error: null,
        finishedAt: clock(),
        leaseUntil: null,
      });
      log.info({ digest: digest.name, run: run.id, messageRef, late: run.late }, 'digest sent');
      return { ...base, outcome: 'sent', messageRef, late: run.late };
    } catch (cause) {
      const error = cause instanceof Error ? cause.message : String(cause);
      if (run.attempts >= maxAttempts) {
        await finish(run, { status: 'failed', error, finishedAt: clock(), leaseUntil: null });
        await report(digest, { ...run, status: 'failed', error });
        return { ...base, outcome: 'failed', error };
      }
      const nextAttemptAt = new Date(now.getTime() + backoffMs(run.attempts));
      await finish(run, { status: 'retrying', error, nextAttemptAt, leaseUntil: null });
      log.warn(
        { digest: digest.name, run: run.id, attempt: run.attempts, nextAttemptAt, err: cause },
        'digest send failed; will retry',
      );
      return { ...base, outcome: 'retrying', error, nextAttemptAt };
    }
  }

  async function report(digest: Digest, run: DigestRun): Promise<void> {
    log.error(
      {
        digest: digest.name,
        run: run.id,
        platform: digest.platform,
        channel: digest.channel,
        attempts: run.attempts,
        error: run.error,
      },
      'digest could not be delivered; giving up',
    );
    await options.onGiveUp?.(digest, run);
  }

  async function tick(at?: Date): Promise<RunOutcome[]> {
    const now = at ?? clock();
    const outcomes: RunOutcome[] = [];
    const all = await listDigests(database);
    const byId = new Map(all.map((d) => [d.id, d]));
    // One read of the latest claimed slot per digest, so an idle minute costs no insert per digest.
    const claimed = new Map(
      (
        await database.rows<{ digest_id: number; at: string | Date }>(sql`
          select digest_id, max(scheduled_for) as at from digest_runs where trigger = 'scheduled' group by digest_id`)
      ).map((r) => [Number(r.digest_id), new Date(r.at).getTime()]),
    );
    for (const digest of all) {
      if (digest.paused || !deliveries[digest.platform]) continue;
      const slot = latestSlot(digest.cron, digest.timezone, now);
      if (!slot || slot < digest.activeFrom || (claimed.get(digest.id) ?? -Infinity) >= slot.getTime())
        continue;
      const run = await claimSlot(digest, slot, now);
      if (!run) continue;
      const outcome = await send(digest, run, now);
      if (outcome) outcomes.push(outcome);
    }
    for (const run of await takeOverPending(now)) {
      const digest = byId.get(run.digestId) ?? (await getDigestById(database, run.digestId));
      if (!digest) continue;
      const outcome = await send(digest, run, now);
      if (outcome) outcomes.push(outcome);
    }
    return outcomes;
  }

  return {
    instanceId,
    tick,
    start() {
      if (job) return;
      const guarded = async (): Promise<void> => {
        try {
          await tick();
        } catch (error) {
          log.error({ err: error }, 'digest scheduler tick failed');
        }
      };
      void guarded();
      job = new Cron('* * * * *', { protect: true, mode: '5-part' }, guarded);
    },
    stop() {
      job?.stop();
      job = undefined;
    },
  };
}
