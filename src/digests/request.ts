/**
 * Reads a digest request in plain words: "every Monday at 9:00 Europe/London post a weekly digest to
 * #marketing", or with a cron expression: "0 9 * * 1 Europe/London weekly digest to #marketing".
 */
import { UserError } from '../core/errors.ts';
import {
  findCronExpression,
  type Period,
  periodOfCron,
  validateCron,
  validateTimezone,
  wordsToSchedule,
} from './schedule.ts';

export type DigestPlatform = 'slack' | 'discord' | 'stdout';

export interface DigestRequest {
  name: string | undefined;
  cron: string;
  /** The schedule as read back to the user. */
  scheduleText: string;
  timezone: string;
  /** False when no time zone was given and UTC was assumed. */
  timezoneGiven: boolean;
  period: Period;
  platform: DigestPlatform | undefined;
  channel: string | undefined;
  /** Saved segment whose members the "what to push" part is for. */
  recommendFor: string | undefined;
}

const PERIOD_WORDS: Record<string, Period> = { daily: 'day', weekly: 'week', monthly: 'month' };

const DEFAULT_FOR_PERIOD: Record<Period, string> = {
  day: 'every day at 9:00',
  week: 'every Monday at 9:00',
  month: 'every month on the 1st at 9:00',
};

function take(text: string, pattern: RegExp): { match: RegExpExecArray | null; rest: string } {
  const match = pattern.exec(text);
  if (!match) return { match: null, rest: text };
  return { match, rest: `${text.slice(0, match.index)} ${text.slice(match.index + match[0].length)}` };
}

const unquote = (s: string) => s.replace(/^["'“”‘’]+|["'“”‘’]+$/g, '').trim();

/**
 * Splits a request into schedule, time zone, target, name and options. Throws a `UserError` naming what is
 * missing or wrong.
 *
 * @example
 * parseDigestRequest('every Monday at 9:00 Europe/London post a weekly digest to #marketing');
 * // { cron: '0 9 * * 1', timezone: 'Europe/London', period: 'week', channel: '#marketing', ... }
 */
export function parseDigestRequest(input: string): DigestRequest {
  let text = ` ${input.trim()} `;

  const named = take(text, /\b(?:called|named)\s+("[^"]+"|'[^']+'|“[^”]+”|\S+)/i);
  text = named.rest;
  const recommend = take(
    text,
    /\b(?:with\s+)?(?:recommendations|suggestions|what to push)\s+for\s+(?:segment\s+|the\s+)?("[^"]+"|'[^']+'|“[^”]+”|\S+)(?:\s+segment)?/i,
  );
  text = recommend.rest;

  let platform: DigestPlatform | undefined;
  let channel: string | undefined;
  const onPlatform = take(text, /\b(?:on|in|via)\s+(slack|discord)\b/i);
  if (onPlatform.match) {
    platform = onPlatform.match[1]!.toLowerCase() as DigestPlatform;
    text = onPlatform.rest;
  }
  const stdout = take(text, /\bto\s+(?:the\s+)?(stdout|terminal)\b/i);
  if (stdout.match) {
    platform = 'stdout';
    channel = 'stdout';
    text = stdout.rest;
  }
  // Slack sends a mentioned channel as <#C0123|name>, Discord as <#123456>; typed names stay "#name".
  const target = take(
    text,
    /(?:\b(?:to|in|into|on)\s+)?(?:(slack|discord)\s+)?(?:channel\s+)?(<#([A-Z0-9]+)(?:\|[^>]*)?>|(?<!\S)#[\p{L}\p{N}_\-.]*[\p{L}\p{N}_])/iu,
  );
  if (target.match) {
    if (target.match[1]) platform = target.match[1].toLowerCase() as DigestPlatform;
    channel = target.match[3] ?? target.match[2];
    text = target.rest;
  }

  const zone = take(text, /\b(?:in\s+)?([A-Z][A-Za-z]+\/[A-Za-z_]+(?:\/[A-Za-z_]+)?|UTC|GMT)(?:\s+time)?\b/);
  text = zone.rest;
  const timezone = zone.match ? validateTimezone(zone.match[1]!) : 'UTC';

  const periodWord = take(text, /\b(daily|weekly|monthly)\s+(?:digest|summary|report|update)\b/i);
  text = periodWord.rest;
  const statedPeriod = periodWord.match ? PERIOD_WORDS[periodWord.match[1]!.toLowerCase()] : undefined;

  const cronFound = findCronExpression(text);
  let cron: string;
  let scheduleText: string;
  let impliedPeriod: Period | undefined;
  if (cronFound) {
    cron = validateCron(cronFound.cron, timezone);
    scheduleText = `cron ${cron}`;
  } else {
    const words =
      wordsToSchedule(text) ?? (statedPeriod ? wordsToSchedule(DEFAULT_FOR_PERIOD[statedPeriod]) : null);
    if (!words) {
      throw new UserError('digest_no_schedule', "I couldn't find when to post the digest.", {
        hint: 'Say e.g. "every Monday at 9:00 Europe/London post a weekly digest to #marketing", or give a cron expression: "0 9 * * 1 Europe/London digest to #marketing".',
      });
    }
    cron = validateCron(words.cron, timezone);
    scheduleText = words.description;
    impliedPeriod = words.period;
  }

  return {
    name: named.match ? unquote(named.match[1]!) : undefined,
    cron,
    scheduleText,
    timezone,
    timezoneGiven: Boolean(zone.match),
    period: statedPeriod ?? impliedPeriod ?? periodOfCron(cron, timezone),
    platform,
    channel,
    recommendFor: recommend.match ? unquote(recommend.match[1]!) : undefined,
  };
}
