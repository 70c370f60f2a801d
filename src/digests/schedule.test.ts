import { describe, expect, it } from 'vitest';
import { parseDigestRequest } from './request.ts';
import {
  findCronExpression,
  formatInZone,
  latestSlot,
  nextSlots,
  periodOfCron,
  validateCron,
  wordsToSchedule,
} from './schedule.ts';

const at = (iso: string) => new Date(iso);
const isos = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('plain words to cron', () => {
  it.each([
    ['every Monday at 9:00', '0 9 * * 1', 'week', 'Mondays at 09:00'],
    ['every monday at 9am', '0 9 * * 1', 'week', 'Mondays at 09:00'],
    ['mondays and thursdays at 17:30', '30 17 * * 1,4', 'day', 'Mondays and Thursdays at 17:30'],
    ['every weekday at 8.15', '15 8 * * 1-5', 'day', 'weekdays at 08:15'],
    ['daily at 7pm', '0 19 * * *', 'day', 'every day at 19:00'],
    ['every day at noon', '0 12 * * *', 'day', 'every day at 12:00'],
    ['weekly', '0 9 * * 1', 'week', 'Mondays at 09:00'],
    ['every month on the 15th at 10:00', '0 10 15 * *', 'month', 'the 15th of each month at 10:00'],
    ['monthly at 6', '0 6 1 * *', 'month', 'the 1st of each month at 06:00'],
    ['on the last day of the month at 18:00', '0 18 L * *', 'month', 'the last day of each month at 18:00'],
    ['every hour', '0 * * * *', 'day', 'every hour, on the hour'],
  ])('%s → %s', (words, cron, period, description) => {
    expect(wordsToSchedule(words)).toEqual({ cron, period, description });
  });

  it('returns null when there are no schedule words, and refuses impossible times', () => {
    expect(wordsToSchedule('post it to marketing')).toBeNull();
    expect(() => wordsToSchedule('every day at 25:00')).toThrow(/not a time of day/);
    expect(() => wordsToSchedule('every day at 13pm')).toThrow(/not a time of day/);
    expect(() => wordsToSchedule('every month on the 32nd')).toThrow(/no day 32/);
  });

  it('finds a literal cron expression but not day-name words', () => {
    expect(findCronExpression('digest 30 8 * * 1-5 to #sales')?.cron).toBe('30 8 * * 1-5');
    expect(findCronExpression('"0 9 * * MON" digest')?.cron).toBe('0 9 * * MON');
    expect(findCronExpression('mon tue wed thu fri digest')).toBeNull();
  });

  it('validates cron expressions with croner and explains a bad one', () => {
    expect(validateCron(' 0  9 * * 1 ', 'UTC')).toBe('0 9 * * 1');
    expect(() => validateCron('0 9 * * 8', 'UTC')).toThrow(/not a schedule I can use.*dayOfWeek/);
    expect(() => validateCron('0 9 31 2 *', 'UTC')).toThrow(/not a schedule I can use/);
  });

  it('infers the period from the cadence', () => {
    expect(periodOfCron('*/15 * * * *', 'UTC')).toBe('day');
    expect(periodOfCron('0 9 * * 1', 'UTC')).toBe('week');
    expect(periodOfCron('0 9 1 */3 *', 'UTC')).toBe('month');
  });
});

describe('due times across time zones and DST (croner)', () => {
  it('Monday 09:00 Europe/London is 09:00 UTC in winter and 08:00 UTC in summer', () => {
    expect(isos(nextSlots('0 9 * * 1', 'Europe/London', at('2026-03-20T00:00:00Z'), 3))).toEqual([
      '2026-03-23T09:00:00.000Z',
      '2026-03-30T08:00:00.000Z', // the day after the clocks went forward
      '2026-04-06T08:00:00.000Z',
    ]);
    expect(isos(nextSlots('0 9 * * 1', 'Europe/London', at('2026-10-20T00:00:00Z'), 2))).toEqual([
      '2026-10-26T09:00:00.000Z', // the day after the clocks went back
      '2026-11-02T09:00:00.000Z',
    ]);
  });

  it('the slot due now includes a slot exactly at now and nothing after it', () => {
    expect(latestSlot('0 9 * * 1', 'Europe/London', at('2026-03-30T08:00:00.000Z'))?.toISOString()).toBe(
      '2026-03-30T08:00:00.000Z',
    );
    expect(latestSlot('0 9 * * 1', 'Europe/London', at('2026-03-30T07:59:59.999Z'))?.toISOString()).toBe(
      '2026-03-23T09:00:00.000Z',
    );
  });

  it('a time inside the spring-forward gap runs once, at the first valid time after it', () => {
    // 01:30 does not exist in London on 29 March 2026 (01:00 → 02:00).
    expect(isos(nextSlots('30 1 * * *', 'Europe/London', at('2026-03-28T00:00:00Z'), 3))).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
  });

  it('a time that occurs twice when clocks go back runs once', () => {
    // 01:30 happens twice in London on 25 October 2026 (BST, then GMT).
    expect(isos(nextSlots('30 1 * * *', 'Europe/London', at('2026-10-24T12:00:00Z'), 2))).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
  });

  it('the same cron means different instants in different zones', () => {
    const from = at('2026-07-01T00:00:00Z');
    expect(nextSlots('0 9 * * *', 'America/New_York', from)[0]?.toISOString()).toBe(
      '2026-07-01T13:00:00.000Z',
    );
    expect(nextSlots('0 9 * * *', 'Asia/Kolkata', from)[0]?.toISOString()).toBe('2026-07-01T03:30:00.000Z');
    expect(nextSlots('0 9 * * *', 'UTC', from)[0]?.toISOString()).toBe('2026-07-01T09:00:00.000Z');
    // New York moves to daylight time on 8 March 2026, three weeks before London.
    expect(isos(nextSlots('0 9 * * 1', 'America/New_York', at('2026-03-01T00:00:00Z'), 2))).toEqual([
      '2026-03-02T14:00:00.000Z',
      '2026-03-09T13:00:00.000Z',
    ]);
  });

  it('formats an instant in the digest’s zone', () => {
    expect(formatInZone(at('2026-03-30T08:00:00Z'), 'Europe/London')).toBe(
      'Mon 30 Mar 2026, 09:00 Europe/London',
    );
  });
});

describe('digest requests', () => {
  it('reads the example from the issue', () => {
    expect(
      parseDigestRequest('every Monday at 9:00 Europe/London post a weekly digest to #marketing'),
    ).toEqual({
      name: undefined,
      cron: '0 9 * * 1',
      scheduleText: 'Mondays at 09:00',
      timezone: 'Europe/London',
      timezoneGiven: true,
      period: 'week',
      platform: undefined,
      channel: '#marketing',
      recommendFor: undefined,
    });
  });

  it('reads cron, platform, channel mentions, names and a segment for recommendations', () => {
    const slack = parseDigestRequest(
      '30 8 * * 1-5 America/New_York daily digest to <#C0123ABC|sales> called "morning numbers" with recommendations for lapsed-germans',
    );
    expect(slack).toMatchObject({
      cron: '30 8 * * 1-5',
      scheduleText: 'cron 30 8 * * 1-5',
      timezone: 'America/New_York',
      period: 'day',
      channel: 'C0123ABC',
      name: 'morning numbers',
      recommendFor: 'lapsed-germans',
    });
    expect(parseDigestRequest('monthly digest to discord <#112233445566>')).toMatchObject({
      platform: 'discord',
      channel: '112233445566',
      cron: '0 9 1 * *',
      period: 'month',
      timezone: 'UTC',
      timezoneGiven: false,
    });
    // A stated period wins over the cadence; the period word is not read as the schedule.
    expect(parseDigestRequest('every day at 8 post a weekly digest to #team')).toMatchObject({
      cron: '0 8 * * *',
      period: 'week',
    });
    expect(parseDigestRequest('every Friday at 16:00 to stdout')).toMatchObject({
      platform: 'stdout',
      channel: 'stdout',
    });
  });

  it('says what is wrong', () => {
    expect(() => parseDigestRequest('post a digest to #marketing')).toThrow(/couldn't find when/);
    expect(() => parseDigestRequest('every Monday at 9:00 Mars/Olympus digest')).toThrow(
      /"Mars\/Olympus" is not a time zone/,
    );
  });
});
