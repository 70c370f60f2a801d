/**
 * Schedules: plain words ("every Monday at 9:00") become a 5-field cron expression here; every evaluation of
 * a cron expression (next runs, the slot due now, DST, time zones) is croner's.
 */
import { Cron } from 'croner';
import { UserError } from '../core/errors.ts';

export type Period = 'day' | 'week' | 'month';

export interface Schedule {
  /** 5-field cron expression: minute hour day-of-month month day-of-week. */
  cron: string;
  /** Set when the words imply a reporting period (weekly, monthly, a day name). */
  period?: Period;
  /** Readable form for confirmations ("Mondays at 09:00"). */
  description: string;
}

const DAYS: [RegExp, number, string][] = [
  [/^sun(day)?s?$/, 0, 'Sunday'],
  [/^mon(day)?s?$/, 1, 'Monday'],
  [/^tue(s|sday)?s?$/, 2, 'Tuesday'],
  [/^wed(nesday)?s?$/, 3, 'Wednesday'],
  [/^thu(r|rs|rsday)?s?$/, 4, 'Thursday'],
  [/^fri(day)?s?$/, 5, 'Friday'],
  [/^sat(urday)?s?$/, 6, 'Saturday'],
];

const CRON_TOKEN =
  /^(?:[\d*?/,\-LW#]+|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|sun|mon|tue|wed|thu|fri|sat)(?:[-,][a-z]{3})*)$/i;

function cronOptions(timezone: string) {
  return { timezone, mode: '5-part' as const };
}

/** Finds a literal cron expression (five cron fields in a row) in a request, with its position. */
export function findCronExpression(text: string): { cron: string; index: number; length: number } | null {
  const tokens = [...text.matchAll(/\S+/g)];
  for (let i = 0; i + 5 <= tokens.length; i++) {
    const window = tokens.slice(i, i + 5).map((t) => t[0].replace(/^[`"']|[`"']$/g, ''));
    // At least one field must be numeric or a star, so "mon tue wed thu fri" words are not read as cron.
    if (window.every((t) => CRON_TOKEN.test(t)) && window.some((t) => /[\d*]/.test(t))) {
      const start = tokens[i]!.index!;
      const last = tokens[i + 4]!;
      return { cron: window.join(' '), index: start, length: last.index! + last[0].length - start };
    }
  }
  return null;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${s}`;
}

/** "9", "9:30", "9am", "9.30 pm", "21:00", "noon", "midnight" → hour and minute. */
function parseTime(text: string): { hour: number; minute: number } | null {
  if (/\bnoon\b|\bmidday\b/.test(text)) return { hour: 12, minute: 0 };
  if (/\bmidnight\b/.test(text)) return { hour: 0, minute: 0 };
  const m = /\bat\s+(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?(?=\s|$|[,.;])/.exec(text);
  if (!m) return null;
  let hour = Number(m[1]);
  const minute = m[2] ? Number(m[2]) : 0;
  const ampm = m[3]?.replace(/\./g, '');
  if (ampm) {
    if (hour < 1 || hour > 12) throw badTime(m[0]);
    hour = (hour % 12) + (ampm === 'pm' ? 12 : 0);
  }
  if (hour > 23 || minute > 59) throw badTime(m[0]);
  return { hour, minute };
}

function badTime(said: string): UserError {
  return new UserError('digest_bad_time', `"${said.trim()}" is not a time of day.`, {
    hint: 'Use a 24-hour time like "at 9:00" or "at 17:30", or "at 9am".',
  });
}

/**
 * Reads a schedule in plain words and returns its cron expression, or null when the text has no schedule
 * words at all. Words it can read: every day / daily / weekdays / weekends / every Monday (and other day
 * names, several joined by "and" or commas) / weekly / every month on the 1st / the last day of the month /
 * every hour, with "at 9:00", "at 9am", "at noon". The time defaults to 09:00.
 *
 * @example
 * wordsToSchedule('every Monday at 9:00'); // { cron: '0 9 * * 1', period: 'week', description: 'Mondays at 09:00' }
 */
export function wordsToSchedule(input: string): Schedule | null {
  const text = input.toLowerCase().replace(/\s+/g, ' ');
  if (/\b(every|each) hour\b|\bhourly\b/.test(text)) {
    return { cron: '0 * * * *', period: 'day', description: 'every hour, on the hour' };
  }
  const time = parseTime(text) ?? { hour: 9, minute: 0 };
  const at = `${pad(time.hour)}:${pad(time.minute)}`;
  const hm = `${time.minute} ${time.hour}`;

  const lastDay = /\blast day of (the|each|every) month\b/.test(text);
  const dom = /\bthe (\d{1,2})(?:st|nd|rd|th)\b/.exec(text);
  const monthly = /\b(monthly|every month|each month|of (the|each|every) month)\b/.test(text);
  if (lastDay)
    return { cron: `${hm} L * *`, period: 'month', description: `the last day of each month at ${at}` };
  if (monthly || dom) {
    const day = dom ? Number(dom[1]) : 1;
    if (day < 1 || day > 31) {
      throw new UserError('digest_bad_day', `There is no day ${day} in a month.`, {
        hint: 'Say e.g. "every month on the 1st at 9:00", or "the last day of the month".',
      });
    }
    return {
      cron: `${hm} ${day} * *`,
      period: 'month',
      description: `the ${ordinal(day)} of each month at ${at}`,
    };
  }

  const named = new Map<number, string>();
  for (const word of text.split(/[\s,;/&+]+/)) {
    for (const [pattern, n, name] of DAYS) if (pattern.test(word)) named.set(n, name);
  }
  if (/\bweekdays?\b|\bworking days?\b|\bbusiness days?\b/.test(text)) {
    return { cron: `${hm} * * 1-5`, period: 'day', description: `weekdays at ${at}` };
  }
  if (/\bweekends?\b/.test(text)) {
    return { cron: `${hm} * * 0,6`, period: 'day', description: `Saturdays and Sundays at ${at}` };
  }
  if (named.size > 0) {
    const days = [...named.keys()].sort((a, b) => a - b);
    const names = days.map((d) => `${named.get(d)}s`);
    const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0]!;
    return {
      cron: `${hm} * * ${days.join(',')}`,
      period: days.length === 1 ? 'week' : 'day',
      description: `${list} at ${at}`,
    };
  }
  if (/\b(weekly|every week|each week|once a week)\b/.test(text)) {
    return { cron: `${hm} * * 1`, period: 'week', description: `Mondays at ${at}` };
  }
  if (/\b(daily|every day|each day|every morning|every evening|every night|nightly)\b/.test(text)) {
    return { cron: `${hm} * * *`, period: 'day', description: `every day at ${at}` };
  }
  return null;
}

/** Checks a time zone name with the runtime's IANA database (the one croner converts with). */
export function validateTimezone(zone: string): string {
  try {
    return new Intl.DateTimeFormat('en-GB', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw new UserError('digest_bad_timezone', `"${zone}" is not a time zone I know.`, {
      hint: 'Use an IANA name such as Europe/London, America/New_York or UTC.',
    });
  }
}

/** Validates a cron expression with croner and returns it normalised (single spaces). */
export function validateCron(cron: string, timezone: string): string {
  const normalised = cron.trim().replace(/\s+/g, ' ');
  try {
    const job = new Cron(normalised, cronOptions(timezone));
    if (!job.nextRun(new Date())) throw new Error('it never runs');
  } catch (error) {
    throw new UserError(
      'digest_bad_cron',
      `"${normalised}" is not a schedule I can use: ${(error as Error).message.replace(/^CronPattern: /, '')}.`,
      {
        hint: 'Give five fields (minute hour day-of-month month day-of-week), e.g. "0 9 * * 1" for Mondays at 09:00, or say it in words: "every Monday at 9:00".',
      },
    );
  }
  return normalised;
}

/**
 * The latest scheduled time at or before `now` (in the schedule's time zone), or null when there is none.
 *
 * @example
 * latestSlot('0 9 * * 1', 'Europe/London', new Date('2026-03-30T08:00:00Z')); // 2026-03-30T08:00:00Z (BST)
 */
export function latestSlot(cron: string, timezone: string, now: Date): Date | null {
  // croner counts a run earlier in the reference's second as previous, so a slot exactly at `now` is due.
  const [slot] = new Cron(cron, cronOptions(timezone)).previousRuns(1, new Date(now.getTime() + 1));
  return slot ?? null;
}

/** The next `n` scheduled times after `from`. */
export function nextSlots(cron: string, timezone: string, from: Date, n = 1): Date[] {
  return new Cron(cron, cronOptions(timezone)).nextRuns(n, from);
}

/** The reporting period a cron cadence suggests: daily or faster → day, up to a week → week, else month. */
export function periodOfCron(cron: string, timezone: string): Period {
  const runs = nextSlots(cron, timezone, new Date(Date.UTC(2030, 0, 7)), 3);
  if (runs.length < 2) return 'month';
  const gap = Math.max(
    runs[1]!.getTime() - runs[0]!.getTime(),
    runs.at(-1)!.getTime() - runs.at(-2)!.getTime(),
  );
  const day = 86_400_000;
  if (gap <= day * 1.5) return 'day';
  if (gap <= day * 8) return 'week';
  return 'month';
}

/**
 * A local date-time in a time zone for messages: "Mon 30 Mar 2026, 09:00 Europe/London".
 *
 * @example
 * formatInZone(new Date('2026-03-30T08:00:00Z'), 'Europe/London'); // 'Mon 30 Mar 2026, 09:00 Europe/London'
 */
export function formatInZone(at: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('weekday')} ${get('day')} ${get('month')} ${get('year')}, ${get('hour')}:${get('minute')} ${timezone}`;
}
