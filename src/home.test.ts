import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../commands/index.ts';
import { createFixtureDatabase, drivers, type TestDatabase } from '../test/database.ts';
import { approveDraft } from './copy/store.ts';
import { createAccessPolicy } from './core/access.ts';
import type { Caller } from './core/command.ts';
import { createRouter } from './core/router.ts';
import { setPaused } from './digests/service.ts';
import {
  buildHome,
  draftsAwaitingApprovalSection,
  HOME_SECTIONS,
  type HomeSection,
  savedSegmentsSection,
  scheduledDigestsSection,
} from './home.ts';
import { createLogger } from './logger.ts';
import { saveSegment } from './segments/service.ts';

const caller: Caller = { platform: 'slack', userId: 'U1', conversationId: 'slack:home:U1' };
const log = createLogger('silent');

for (const driver of drivers) {
  describe(driver, () => {
    let database: TestDatabase;

    beforeAll(async () => {
      database = await createFixtureDatabase(driver);
    });

    afterAll(async () => {
      await database?.dispose();
    });

    it('says how to save a segment when none is saved', async () => {
      const [section] = await buildHome({ database, caller }, log, [savedSegmentsSection]);
      expect(section!.title).toBe('Saved segments');
      expect(section!.text).toMatch(/No segments are saved yet/);
    });

    it('lists saved segments with their definition and size when saved', async () => {
      await saveSegment(database, {
        name: 'everyone',
        definition: { conditions: [] },
        createdBy: 'slack:U1',
      });
      const [section] = await buildHome({ database, caller }, log, [savedSegmentsSection]);
      expect(section!.title).toBe('Saved segments (1)');
      expect(section!.table!.rows).toEqual([['everyone', 'all customers', '3']]);
    });

    it('says how to get drafts and digests when there are none', async () => {
      const [drafts, digests] = await buildHome({ database, caller }, log, [
        draftsAwaitingApprovalSection,
        scheduledDigestsSection,
      ]);
      expect(drafts).toMatchObject({ title: 'Drafts awaiting approval' });
      expect(drafts!.text).toMatch(/No drafts are waiting for approval/);
      expect(digests).toMatchObject({ title: 'Scheduled digests' });
      expect(digests!.text).toMatch(/No digests are scheduled yet/);
    });

    it('lists open drafts newest first with an Approve button each, leaving out decided ones', async () => {
      const router = createRouter({ database, log, commands });
      const t: Caller = { ...caller, conversationId: `home-drafts-${driver}` };
      await router.handle('customers who spent over £50', t);
      await router.handle('draft an sms for this segment about t-light holders', t);
      await router.handle('draft an email for this segment about t-light holders', t);
      // Six drafts (3 sms, then 3 emails); the oldest is approved next.
      const [section] = await buildHome({ database, caller }, log, [draftsAwaitingApprovalSection]);
      const ids = section!.table!.rows.map((r) => Number(r[0]));
      expect(ids).toHaveLength(6);
      await approveDraft(database, ids[5]!, 'slack:U2');
      const [after] = await buildHome({ database, caller }, log, [draftsAwaitingApprovalSection]);
      expect(after!.title).toBe('Drafts awaiting approval (5)');
      const rows = after!.table!.rows;
      expect(rows.map((r) => Number(r[0]))).toEqual(ids.slice(0, 5));
      // Newest first: the emails were written after the sms drafts.
      expect(rows.map((r) => r[1])).toEqual(['email', 'email', 'email', 'sms', 'sms']);
      expect(rows.every((r) => r[2] === 'spend > £50')).toBe(true);
      expect(String(rows[0]![4])).toMatch(/ by slack:U1$/);
      expect(after!.buttons).toEqual(
        ids.slice(0, 5).map((id) => ({
          action: 'approve draft',
          value: String(id),
          label: `Approve #${id}`,
          style: 'primary',
        })),
      );
      // The button does what it says, through the router like a typed request.
      const approved = await router.press(after!.buttons![0]!, t);
      expect(approved.tone).not.toBe('error');
      const [last] = await buildHome({ database, caller }, log, [draftsAwaitingApprovalSection]);
      expect(last!.table!.rows.map((r) => Number(r[0]))).toEqual(ids.slice(1, 5));
    });

    it('lists scheduled digests with schedule, target, next run, last outcome and pause', async () => {
      const router = createRouter({ database, log, commands });
      const t: Caller = { ...caller, conversationId: `home-digests-${driver}` };
      const created = await router.handle(
        'every Monday at 9:00 Europe/London post a weekly digest to #marketing',
        t,
      );
      expect(created.tone).not.toBe('error');
      await router.handle('schedule digest 30 8 * * 1-5 America/New_York called morning to #growth', t);
      await setPaused(database, 'morning', true);
      const now = new Date('2026-03-04T12:00:00Z'); // a Wednesday
      const [section] = await buildHome({ database, caller, now }, log, [scheduledDigestsSection]);
      expect(section!.title).toBe('Scheduled digests (2)');
      expect(section!.table!.columns).toEqual(['Name', 'Schedule', 'Posts to', 'Next', 'Last']);
      const [morning, weekly] = section!.table!.rows;
      expect(morning).toEqual([
        'morning (paused)',
        expect.stringContaining('America/New_York'),
        '#growth on Slack',
        'paused',
        'not sent yet',
      ]);
      expect(weekly![0]).toMatch(/weekly/);
      expect(weekly![1]).toMatch(/Monday.*Europe\/London/i);
      expect(weekly![2]).toBe('#marketing on Slack');
      expect(weekly![3]).toBe('Mon 9 Mar 2026, 09:00 Europe/London');
      expect(weekly![4]).toBe('not sent yet');
    });

    it('shows saved segments, drafts and digests on the page, in that order', async () => {
      const sections = await buildHome({ database, caller }, log, HOME_SECTIONS);
      expect(sections.map((s) => s.title?.replace(/ \(\d+\)$/, ''))).toEqual([
        'Saved segments',
        'Drafts awaiting approval',
        'Scheduled digests',
      ]);
    });

    it('shows a polite refusal instead of the page to someone the access rules refuse', async () => {
      const access = createAccessPolicy({ users: ['slack:U1'], channels: [], personalDataUsers: [] });
      const outsider: Caller = { platform: 'slack', userId: 'U9', conversationId: 'slack:home:U9' };
      const refused = await buildHome({ database, caller: outsider, access }, log, HOME_SECTIONS);
      expect(refused).toHaveLength(1);
      expect(refused[0]).toMatchObject({ tone: 'warning', title: 'Megaphone' });
      expect(refused[0]!.text).toMatch(/You don't have access to Megaphone/);
      expect(refused[0]!.text).toMatch(/MEGAPHONE_ALLOWED_USERS/);
      const allowed = await buildHome({ database, caller, access }, log, HOME_SECTIONS);
      expect(allowed.map((s) => s.title)).toEqual([
        expect.stringMatching(/^Saved segments/),
        expect.stringMatching(/^Drafts awaiting approval/),
        expect.stringMatching(/^Scheduled digests/),
      ]);
    });

    it('keeps the rest of the page when one section fails, and leaves out empty ones', async () => {
      const broken: HomeSection = async () => {
        throw new Error('boom');
      };
      const empty: HomeSection = async () => null;
      const sections = await buildHome({ database, caller }, log, [broken, empty, savedSegmentsSection]);
      expect(sections).toHaveLength(2);
      expect(sections[0]).toMatchObject({ tone: 'error' });
      expect(sections[1]!.title).toMatch(/Saved segments/);
    });
  });
}
