/**
 * Saved digests: create, find, list, pause, resume, delete, and their delivery history.
 */
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { distance } from 'fastest-levenshtein';
import { z } from 'zod';
import { digestRuns, digests } from '../../db/schema.ts';
import { UserError } from '../core/errors.ts';
import type { Database } from '../db/client.ts';
import type { DigestPlatform } from './request.ts';

export const DIGEST_PARTS = ['kpis', 'segments', 'products', 'push', 'chart'] as const;
export type DigestPart = (typeof DIGEST_PARTS)[number];

/** What a digest contains, stored as jsonb and validated on the way out. */
export const digestContents = z.object({
  period: z.enum(['day', 'week', 'month']),
  parts: z.array(z.enum(DIGEST_PARTS)).default([...DIGEST_PARTS]),
  /** Saved segment the "what to push" part is for; everyone when absent. */
  recommendFor: z.string().optional(),
});
export type DigestContents = z.infer<typeof digestContents>;

export interface Digest {
  id: number;
  name: string;
  schedule: string;
  cron: string;
  timezone: string;
  platform: DigestPlatform;
  channel: string;
  contents: DigestContents;
  paused: boolean;
  activeFrom: Date;
  createdBy: string;
  createdAt: Date;
}

export type DigestRun = typeof digestRuns.$inferSelect;

function fromRow(row: typeof digests.$inferSelect): Digest {
  return {
    ...row,
    platform: row.platform as DigestPlatform,
    contents: digestContents.parse(row.contents),
  };
}

const QUOTES = /^["'“”]+|["'“”]+$/g;
const NAME = /^[\p{L}\p{N}][\p{L}\p{N} _\-'&.]{0,62}$/u;

export function validateDigestName(raw: string): string {
  const name = raw.trim().replace(QUOTES, '').trim();
  if (!NAME.test(name)) {
    throw new UserError(
      'digest_bad_name',
      `"${raw.slice(0, 80)}" can't be a digest name: use 1 to 63 letters, digits, spaces, - or _ (e.g. weekly-marketing).`,
    );
  }
  return name;
}

export interface NewDigest {
  name: string;
  schedule: string;
  cron: string;
  timezone: string;
  platform: DigestPlatform;
  channel: string;
  contents: DigestContents;
  createdBy: string;
  /** Slots before this instant are not sent (defaults to now). */
  activeFrom?: Date;
}

export async function createDigest(database: Database, input: NewDigest): Promise<Digest> {
  const name = validateDigestName(input.name);
  const [row] = await database.db
    .insert(digests)
    .values({
      ...input,
      name,
      nameKey: name.toLowerCase(),
      contents: digestContents.parse(input.contents),
      activeFrom: input.activeFrom ?? new Date(),
    })
    .onConflictDoNothing({ target: digests.nameKey })
    .returning();
  if (!row) {
    throw new UserError('digest_exists', `There is already a digest called "${name}".`, {
      hint: `Add "called NEW-NAME" to the request, or say "delete digest ${name}" first.`,
    });
  }
  return fromRow(row);
}

/** A name not taken yet, from a base ("weekly-marketing", then "weekly-marketing-2"). */
export async function freeDigestName(database: Database, base: string): Promise<string> {
  const taken = new Set((await listDigests(database)).map((d) => d.name.toLowerCase()));
  const clean =
    base
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 50) || 'digest';
  if (!taken.has(clean)) return clean;
  for (let i = 2; ; i++) if (!taken.has(`${clean}-${i}`)) return `${clean}-${i}`;
}

export async function listDigests(database: Database): Promise<Digest[]> {
  const rows = await database.db.select().from(digests).orderBy(asc(digests.nameKey));
  return rows.map(fromRow);
}

/** Finds a digest by name (any case); a miss names the closest ones. */
export async function getDigest(database: Database, rawName: string): Promise<Digest> {
  const name = rawName.trim().replace(QUOTES, '');
  const [row] = await database.db.select().from(digests).where(eq(digests.nameKey, name.toLowerCase()));
  if (row) return fromRow(row);
  const all = await listDigests(database);
  const close = all
    .map((d) => ({ d, n: distance(d.name.toLowerCase(), name.toLowerCase()) }))
    .sort((a, b) => a.n - b.n)
    .slice(0, 3)
    .map((x) => `"${x.d.name}"`);
  throw new UserError('digest_not_found', `There is no digest called "${name}".`, {
    hint: all.length
      ? `Digests include ${close.join(', ')}. Say "digests" to list them all.`
      : 'No digests are scheduled yet: say e.g. "every Monday at 9:00 Europe/London post a weekly digest to #marketing".',
  });
}

export async function getDigestById(database: Database, id: number): Promise<Digest | undefined> {
  const [row] = await database.db.select().from(digests).where(eq(digests.id, id));
  return row ? fromRow(row) : undefined;
}

/** Pauses or resumes. Resuming starts from now: slots missed while paused are not sent. */
export async function setPaused(database: Database, name: string, paused: boolean, now = new Date()) {
  const digest = await getDigest(database, name);
  await database.db
    .update(digests)
    .set(paused ? { paused } : { paused, activeFrom: now })
    .where(eq(digests.id, digest.id));
  return { ...digest, paused, activeFrom: paused ? digest.activeFrom : now };
}

export async function deleteDigest(database: Database, name: string): Promise<Digest> {
  const digest = await getDigest(database, name);
  await database.db.delete(digests).where(eq(digests.id, digest.id));
  return digest;
}

/** The latest run of each digest (any status), keyed by digest id. */
export async function latestRuns(database: Database): Promise<Map<number, DigestRun>> {
  const rows = await database.db
    .selectDistinctOn([digestRuns.digestId])
    .from(digestRuns)
    .orderBy(digestRuns.digestId, desc(digestRuns.scheduledFor), desc(digestRuns.id));
  return new Map(rows.map((r) => [r.digestId, r]));
}

/** The snapshot of the last digest that was sent, for "since last digest" figures. */
export async function lastSentSnapshot(database: Database, digestId: number): Promise<unknown> {
  const [row] = await database.db
    .select({ snapshot: digestRuns.snapshot })
    .from(digestRuns)
    .where(and(eq(digestRuns.digestId, digestId), eq(digestRuns.status, 'sent')))
    .orderBy(desc(digestRuns.finishedAt), desc(digestRuns.id))
    .limit(1);
  return row?.snapshot ?? null;
}

export async function runsOf(database: Database, digestId: number): Promise<DigestRun[]> {
  return database.db
    .select()
    .from(digestRuns)
    .where(eq(digestRuns.digestId, digestId))
    .orderBy(asc(digestRuns.scheduledFor), asc(digestRuns.id));
}

/** Queues a run now ("run digest NAME"): the scheduler posts it on its next tick, through the same claim. */
export async function queueRun(database: Database, digest: Digest, now: Date): Promise<boolean> {
  const at = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const inserted = await database.db
    .insert(digestRuns)
    .values({ digestId: digest.id, scheduledFor: at, trigger: 'manual', status: 'queued', nextAttemptAt: at })
    .onConflictDoNothing()
    .returning({ id: digestRuns.id });
  return inserted.length > 0;
}

/** Runs queued or waiting to retry for a digest that nobody is sending yet. */
export async function pendingCount(database: Database, digestId: number): Promise<number> {
  const [row] = await database.rows<{ n: number }>(
    sql`select count(*)::int as n from digest_runs where digest_id = ${digestId} and status in ('queued', 'retrying')`,
  );
  return Number(row?.n ?? 0);
}
