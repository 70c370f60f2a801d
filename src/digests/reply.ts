/**
 * How digests read in chat: their target, schedule and last outcome.
 */
import type { Field } from '../core/reply.ts';
import { formatInZone, nextSlots } from './schedule.ts';
import type { Digest, DigestRun } from './service.ts';

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
