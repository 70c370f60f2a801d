import { describe, expect, it } from 'vitest';
import { describeRun, describeSchedule, describeTarget } from './reply.ts';
import type { DigestRun } from './service.ts';

const run = (over: Partial<DigestRun>): DigestRun => ({
  id: 1,
  digestId: 1,
  scheduledFor: new Date('2026-03-30T08:00:00Z'),
  trigger: 'scheduled',
  status: 'sent',
  late: false,
  attempts: 1,
  recoveries: 0,
  claimedBy: 'a',
  claimedAt: null,
  leaseUntil: null,
  nextAttemptAt: null,
  messageRef: 'ts',
  error: null,
  snapshot: null,
  finishedAt: null,
  ...over,
});

describe('how digests read in chat', () => {
  it('names targets so both platforms link a channel id', () => {
    expect(describeTarget({ platform: 'slack', channel: '#marketing' })).toBe('#marketing on Slack');
    expect(describeTarget({ platform: 'discord', channel: '1122334455' })).toBe('<#1122334455> on Discord');
    expect(describeTarget({ platform: 'stdout', channel: 'stdout' })).toBe('the terminal (stdout)');
    expect(describeSchedule({ schedule: 'cron 0 9 * * 1', timezone: 'UTC' })).toBe('cron `0 9 * * 1` (UTC)');
  });

  it('says how the last run went, failures first in words a marketer can act on', () => {
    const tz = 'Europe/London';
    expect(describeRun(undefined, tz)).toBe('not sent yet');
    expect(describeRun(run({ late: true }), tz)).toBe('sent for Mon 30 Mar 2026, 09:00 Europe/London, late');
    expect(describeRun(run({ status: 'failed', attempts: 4, error: 'channel_not_found' }), tz)).toBe(
      'FAILED for Mon 30 Mar 2026, 09:00 Europe/London after 4 attempts: channel_not_found',
    );
    expect(describeRun(run({ status: 'retrying', attempts: 2, error: 'ratelimited' }), tz)).toBe(
      'retrying Mon 30 Mar 2026, 09:00 Europe/London (attempt 2 failed: ratelimited)',
    );
  });
});
