/**
 * How digests read in chat: their target, schedule and last outcome.
 */
import type { Field, Reply } from '../core/reply.ts';
import type { Database } from '../db/client.ts';
import { formatInZone, nextSlots } from './schedule.ts';
import { type Digest, type DigestRun, latestRuns, listDigests } from './service.ts';

const PLATFORM: Record<string, string> = { slack: 'Slack', discord: 'Discord', stdout: 'the terminal' };

/** "#marketing on Slack"; a channel id is written <#ID>, which Slack and Discord both show as a link. */
export function describeTarget(digest: Pick<Digest, 'platform' | 'channel'>): string {
  if (digest.platform === 'stdout') return 'the terminal (stdout)';
  const channel = digest.channel.startsWith('#') ? digest.channel : `<#${digest.channel}>`;
  return `${channel} on ${PLATFORM[digest.platform] ?? digest.platform}`;
}

export function describeSchedule(digest: Pick<Digest, 'schedule' | 'timezone'>): string {
  // A cron expression goes in code marks, so chat markdown does not read its stars as bold.
  const schedule = digest.schedule.replace(/^cron (.+)$/, 'cron `$1`');
  return `${schedule} (${digest.timezone})`;
}

export function nextRunText(digest: Pick<Digest, 'cron' | 'timezone' | 'paused'>, now: Date): string {
  if (digest.paused) return 'paused';
  const [next] = nextSlots(digest.cron, digest.timezone, now, 1);
  return next ? formatInZone(next, digest.timezone) : 'never';
}

export function describeRun(run: DigestRun | undefined, timezone: string): string {
  if (!run) return 'not sent yet';
  const when = formatInZone(run.scheduledFor, timezone);
  const manual = run.trigger === 'manual' ? ' (run now)' : '';
  switch (run.status) {
    case 'sent':
      return `sent for ${when}${manual}${run.late ? ', late' : ''}`;
    case 'failed':
      return `FAILED for ${when}${manual} after ${run.attempts} attempt${run.attempts === 1 ? '' : 's'}: ${run.error ?? 'unknown error'}`;
    case 'retrying':
      return `retrying ${when}${manual} (attempt ${run.attempts} failed: ${run.error ?? 'unknown error'})`;
    case 'queued':
      return `queued${manual}`;
    default:
      return `sending ${when}${manual}`;
  }
}

export function digestFields(digest: Digest, now: Date): Field[] {
  return [
    { label: 'Schedule', value: describeSchedule(digest) },
    { label: 'Posts to', value: describeTarget(digest) },
    { label: 'Next', value: nextRunText(digest, now) },
    {
      label: 'Contents',
      value:
        `${digest.contents.period === 'day' ? 'daily' : `${digest.contents.period}ly`} figures, ` +
        'saved segments, top products, what to push' +
        (digest.contents.recommendFor ? ` (for ${digest.contents.recommendFor})` : '') +
        ', revenue chart',
    },
  ];
}

/**
 * Every scheduled digest as a table (when, where, the next run or "paused", how the last one went), for the
 * `digests` command and the Slack Home tab; each gives it its own title. `count` is 0 when there are none,
 * and the reply then says how to schedule one.
 *
 * @example
 * const { count, reply } = await digestsOverview(database);
 * return { title: `${count} scheduled digests`, ...reply };
 */
export async function digestsOverview(
  database: Database,
  now = new Date(),
): Promise<{ count: number; reply: Reply }> {
  const all = await listDigests(database);
  if (all.length === 0) {
    return {
      count: 0,
      reply: {
        text: 'No digests are scheduled yet. Say e.g. "every Monday at 9:00 Europe/London post a weekly digest to #marketing".',
      },
    };
  }
  const runs = await latestRuns(database);
  const failed = all.some((d) => runs.get(d.id)?.status === 'failed');
  return {
    count: all.length,
    reply: {
      table: {
        columns: ['Name', 'Schedule', 'Posts to', 'Next', 'Last'],
        rows: all.map((d) => [
          d.paused ? `${d.name} (paused)` : d.name,
          describeSchedule(d),
          describeTarget(d),
          nextRunText(d, now),
          describeRun(runs.get(d.id), d.timezone),
        ]),
      },
      ...(failed ? { tone: 'warning' as const } : {}),
      context:
        'Say "preview digest NAME", "run digest NAME", "pause digest NAME", "resume digest NAME" or "delete digest NAME".',
    },
  };
}
