import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { UserError } from '../src/core/errors.ts';
import { digestFields } from '../src/digests/reply.ts';
import { type DigestPlatform, parseDigestRequest } from '../src/digests/request.ts';
import { findCronExpression, wordsToSchedule } from '../src/digests/schedule.ts';
import { createDigest, freeDigestName } from '../src/digests/service.ts';
import { getSegment } from '../src/segments/service.ts';

const PERIOD_WORD = { day: 'daily', week: 'weekly', month: 'monthly' } as const;

export default defineCommand({
  name: 'schedule digest',
  description: 'Schedule a digest of the numbers that matter, posted to a channel (plain words or cron)',
  examples: [
    'every Monday at 9:00 Europe/London post a weekly digest to #marketing',
    'schedule digest 30 8 * * 1-5 America/New_York to #sales called morning-numbers',
  ],
  aliases: ['new digest', 'create digest', 'add digest', 'digest'],
  args: z.object({
    request: z
      .string()
      .trim()
      .min(1, 'say when and where, e.g. "every Monday at 9:00 to #marketing"')
      .max(500),
  }),
  // "every Monday at 9:00 ... post a weekly digest to #marketing" starts with no command word.
  claims: (text) =>
    /\b(digest|summary|report)\b/i.test(text) &&
    (findCronExpression(text) !== null || safeWords(text) || /\b(every|daily|weekly|monthly)\b/i.test(text)),
  parse: (text) => ({ request: text }),
  async run(ctx, { request }) {
    const parsed = parseDigestRequest(request);
    const caller = ctx.caller;
    const fromChat = caller.platform === 'slack' || caller.platform === 'discord';
    // From the terminal, "to #marketing" means the one chat platform Megaphone is connected to, if only one.
    const connected = (['slack', 'discord'] as const).filter((p) => ctx.config[p]);
    const platform: DigestPlatform | undefined =
      parsed.platform ??
      (fromChat ? (caller.platform as DigestPlatform) : connected.length === 1 ? connected[0] : undefined);
    if (!platform) {
      throw new UserError('digest_no_platform', 'Which chat should the digest go to?', {
        hint:
          (connected.length === 0
            ? 'Megaphone is not connected to Slack or Discord yet (README: Connect Slack). '
            : '') +
          'Name the platform, e.g. "every Monday at 9:00 Europe/London post a weekly digest to slack #marketing" ' +
          '(or "to discord #marketing", or "to stdout" to print it from `megaphone digests tick`).',
      });
    }
    let channel = parsed.channel;
    if (!channel && platform === caller.platform && caller.channelId) channel = caller.channelId;
    if (!channel) {
      throw new UserError('digest_no_channel', 'Which channel should the digest go to?', {
        hint: 'Add "to #channel", e.g. "every Monday at 9:00 Europe/London post a weekly digest to #marketing".',
      });
    }
    if (platform === 'discord' && !/^\d+$/.test(channel)) {
      throw new UserError(
        'digest_discord_channel',
        `I need the Discord channel itself, not the name "${channel}".`,
        {
          hint: 'Type # and pick the channel from the list, so Discord sends me its id.',
        },
      );
    }
    const segment = parsed.recommendFor ? await getSegment(ctx.database, parsed.recommendFor) : undefined;
    const channelWord = channel.replace(/^#/, '');
    const name =
      parsed.name ??
      (await freeDigestName(
        ctx.database,
        `${PERIOD_WORD[parsed.period]}-${/^[A-Z0-9]+$/.test(channelWord) ? 'digest' : channelWord}`,
      ));
    const digest = await createDigest(ctx.database, {
      name,
      schedule: parsed.scheduleText,
      cron: parsed.cron,
      timezone: parsed.timezone,
      platform,
      channel,
      contents: {
        period: parsed.period,
        parts: ['kpis', 'segments', 'products', 'push', 'chart'],
        ...(segment ? { recommendFor: segment.name } : {}),
      },
      createdBy: `${caller.platform}:${caller.userId}`,
    });
    // Asked for from elsewhere (the terminal, say) for a chat Megaphone is not connected to: it waits.
    const waiting =
      (platform === 'slack' || platform === 'discord') &&
      platform !== caller.platform &&
      !ctx.config[platform];
    const label = platform === 'slack' ? 'Slack' : 'Discord';
    return {
      tone: 'success',
      title: `Scheduled digest "${digest.name}"`,
      ...(waiting
        ? {
            text:
              `Megaphone is not connected to ${label} yet, so nothing is posted until it is ` +
              `(README: Connect ${label}); then the latest due digest goes out. Meanwhile, ` +
              `"preview digest ${digest.name}" shows it here.`,
          }
        : {}),
      fields: digestFields(digest, new Date()),
      context:
        `cron \`${digest.cron}\` in ${digest.timezone}` +
        (parsed.timezoneGiven
          ? ''
          : ' · no time zone given, so times are UTC: add one such as Europe/London to change that') +
        ` · say "preview digest ${digest.name}" to see it now, "run digest ${digest.name}" to post it now`,
    };
  },
});

function safeWords(text: string): boolean {
  try {
    return wordsToSchedule(text) !== null;
  } catch {
    return true;
  }
}
