import { sql } from 'drizzle-orm';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import type { Caller } from '../src/core/command.ts';
import { createRouter } from '../src/core/router.ts';
import { createDigestScheduler } from '../src/digests/scheduler.ts';
import { getDigest, runsOf } from '../src/digests/service.ts';
import { createLogger } from '../src/logger.ts';
import { chatOver } from '../test/chat.ts';
import { createFixtureDatabase, drivers } from '../test/database.ts';
import { commands } from './index.ts';

describe.each(drivers)('digests in the conversation on %s', (driver) => {
  const chat = chatOver(() => createFixtureDatabase(driver));
  const slack = (id: string): Caller => ({
    platform: 'slack',
    userId: 'U1',
    conversationId: id,
    channelId: 'C0GENERAL',
  });

  it('creates, lists, previews, pauses, resumes, runs now and deletes a digest', async () => {
    const created = await chat.router.handle(
      'every Monday at 9:00 Europe/London post a weekly digest to #marketing',
      slack('d1'),
    );
    expect(created.tone).toBe('success');
    expect(created.title).toBe('Scheduled digest "weekly-marketing"');
    expect(created.fields?.slice(0, 2)).toEqual([
      { label: 'Schedule', value: 'Mondays at 09:00 (Europe/London)' },
      { label: 'Posts to', value: '#marketing on Slack' },
    ]);
    expect(created.fields?.[2]?.value).toMatch(/^Mon \d{1,2} \w{3} \d{4}, 09:00 Europe\/London$/);
    expect(created.context).toMatch(/^cron `0 9 \* \* 1` in Europe\/London/);
    const stored = await getDigest(chat.db, 'weekly-marketing');
    expect(stored).toMatchObject({ platform: 'slack', channel: '#marketing', createdBy: 'slack:U1' });

    // A cron expression, the channel the request came from, and a name.
    const cron = await chat.router.handle(
      'schedule digest 30 8 * * 1-5 America/New_York called morning',
      slack('d2'),
    );
    expect(cron.title).toBe('Scheduled digest "morning"');
    expect(cron.fields?.[1]).toEqual({ label: 'Posts to', value: '<#C0GENERAL> on Slack' });

    const list = await chat.router.handle('digests', slack('d3'));
    expect(list.title).toBe('2 scheduled digests');
    expect(list.table?.rows.map((r) => [r[0], r[1], r[2], r[4]])).toEqual([
      ['morning', 'cron `30 8 * * 1-5` (America/New_York)', '<#C0GENERAL> on Slack', 'not sent yet'],
      ['weekly-marketing', 'Mondays at 09:00 (Europe/London)', '#marketing on Slack', 'not sent yet'],
    ]);

    const preview = await chat.router.handle('preview digest weekly-marketing', slack('d4'));
    expect(preview.title).toMatch(/^Weekly digest "weekly-marketing": 7 days to 2011-06-30$/);
    expect(preview.context).toMatch(/^Preview: not posted\. On schedule it goes to #marketing on Slack/);
    expect(preview.fields?.[0]).toEqual({ label: 'Revenue', value: '£25.50 (new)' });

    expect((await chat.router.handle('pause digest Weekly-Marketing', slack('d5'))).text).toBe(
      'Paused digest "weekly-marketing". Say "resume digest weekly-marketing" to start it again.',
    );
    expect((await chat.router.handle('digests', slack('d5'))).table?.rows[1]?.[3]).toBe('paused');
    expect((await chat.router.handle('resume digest weekly-marketing', slack('d5'))).text).toMatch(
      /^Resumed digest "weekly-marketing"; next: Mon .* 09:00 Europe\/London\.$/,
    );

    const run = await chat.router.handle('run digest weekly-marketing now', slack('d6'));
    expect(run.text).toMatch(/^Posting "weekly-marketing" to #marketing on Slack now/);
    const posted: string[] = [];
    const scheduler = createDigestScheduler({
      database: chat.db,
      log: pino({ level: 'silent' }),
      deliveries: {
        slack: {
          platform: 'slack',
          post: async (target, reply) => {
            posted.push(`${target.channel}: ${reply.title}`);
            return { messageRef: 'ts-1' };
          },
        },
      },
    });
    await scheduler.tick();
    expect(posted).toEqual(['#marketing: Weekly digest "weekly-marketing": 7 days to 2011-06-30']);
    const digest = await getDigest(chat.db, 'weekly-marketing');
    expect(await runsOf(chat.db, digest.id)).toMatchObject([
      { trigger: 'manual', status: 'sent', messageRef: 'ts-1' },
    ]);
    expect((await chat.router.handle('digests', slack('d7'))).table?.rows[1]?.[4]).toMatch(
      /^sent for .* \(run now\)$/,
    );

    expect((await chat.router.handle('delete digest weekly-marketing', slack('d8'))).text).toBe(
      'Deleted digest "weekly-marketing"; nothing more goes to #marketing on Slack.',
    );
    expect(await runsOf(chat.db, digest.id)).toEqual([]);
    expect((await chat.router.handle('delete digest morning', slack('d8'))).tone).toBe('success');
    expect((await chat.router.handle('digests', slack('d9'))).text).toMatch(/^No digests are scheduled yet/);
  });

  it('says what is missing or wrong, and what to do', async () => {
    const cli: Caller = { platform: 'cli', userId: 'me', conversationId: 'c1' };
    const noPlatform = await chat.router.handle(
      'every Monday at 9:00 post a weekly digest to #marketing',
      cli,
    );
    expect(noPlatform.tone).toBe('error');
    expect(noPlatform.text).toMatch(
      /^Which chat should the digest go to\?\nMegaphone is not connected to Slack or Discord yet.*post a weekly digest to slack #marketing/,
    );
    // From the terminal, "#marketing" means the one chat Megaphone is connected to.
    const withSlack = createRouter({
      database: chat.db,
      log: createLogger('silent'),
      commands,
      config: loadConfig({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_APP_TOKEN: 'xapp-test' }),
    });
    const inferred = await withSlack.handle('every Monday at 9:00 post a weekly digest to #marketing', cli);
    expect(inferred.tone).toBe('success');
    expect(inferred.title).toBe('Scheduled digest "weekly-marketing"');
    const [stored] = await chat.db.rows<{ platform: string; channel: string }>(
      sql`select platform, channel from digests where name = 'weekly-marketing'`,
    );
    expect(stored).toEqual({ platform: 'slack', channel: '#marketing' });
    expect((await withSlack.handle('delete digest weekly-marketing', cli)).tone).toBe('success');
    // Named from the terminal while that chat is not connected: scheduled, and it says it waits.
    const waiting = await chat.router.handle(
      'every Monday at 9:00 post a weekly digest to slack #marketing',
      cli,
    );
    expect(waiting.tone).toBe('success');
    expect(waiting.text).toMatch(
      /^Megaphone is not connected to Slack yet, so nothing is posted until it is \(README: Connect Slack\)/,
    );
    expect(inferred.text).toBeUndefined();
    expect((await chat.router.handle('delete digest weekly-marketing', cli)).tone).toBe('success');

    const noTime = await chat.router.handle('schedule digest to #marketing', slack('e1'));
    expect(noTime.text).toMatch(/^I couldn't find when to post the digest\./);

    const badZone = await chat.router.handle(
      'every Monday at 9:00 Europe/Londn weekly digest to #x',
      slack('e2'),
    );
    expect(badZone.text).toMatch(/"Europe\/Londn" is not a time zone I know\.\nUse an IANA name/);

    const badCron = await chat.router.handle('schedule digest 0 9 * * 9 to #x', slack('e3'));
    expect(badCron.text).toMatch(/"0 9 \* \* 9" is not a schedule I can use/);

    const discord: Caller = { platform: 'discord', userId: '42', conversationId: 'e4' };
    const byName = await chat.router.handle('every Friday at 16:00 digest to #general', discord);
    expect(byName.text).toMatch(
      /I need the Discord channel itself, not the name "#general"\.\nType # and pick/,
    );

    const unknown = await chat.router.handle('pause digest nope', slack('e5'));
    expect(unknown.text).toMatch(/^There is no digest called "nope"\.\nNo digests are scheduled yet/);

    const noSegment = await chat.router.handle(
      'every Monday at 9:00 weekly digest to #x with recommendations for ghosts',
      slack('e6'),
    );
    expect(noSegment.text).toMatch(/^There is no saved segment called "ghosts"/);

    await chat.router.handle('every Monday at 9:00 weekly digest to #dup called twice', slack('e7'));
    const dup = await chat.router.handle(
      'every Tuesday at 9:00 weekly digest to #dup called TWICE',
      slack('e7'),
    );
    expect(dup.text).toMatch(/^There is already a digest called "TWICE"\./);
  });
});
