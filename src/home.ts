/**
 * The home page of Megaphone (Slack's App Home tab, and any platform with a similar page): a list of
 * platform-neutral sections, each a `Reply`. Features add their own section to `HOME_SECTIONS` (drafts awaiting
 * approval, scheduled digests, ...); adapters render the list.
 */
import { eq, sql } from 'drizzle-orm';
import { copyDrafts } from '../db/schema.ts';
import { renderContent } from './copy/channels.ts';
import { listDrafts } from './copy/store.ts';
import type { AccessPolicy } from './core/access.ts';
import type { Caller } from './core/command.ts';
import { type Button, formatNumber, type Reply } from './core/reply.ts';
import type { Database } from './db/client.ts';
import { digestsOverview } from './digests/reply.ts';
import type { Logger } from './logger.ts';
import { listSegments } from './segments/service.ts';

export interface HomeContext {
  database: Database;
  /** Who is looking at the page (their access rules apply to what a section shows). */
  caller: Caller;
  /** The instant the page is built for (next digest runs); now when absent. */
  now?: Date;
  /** Who may use Megaphone (the router's policy); someone refused sees a polite page instead. Open when absent. */
  access?: AccessPolicy;
}

/** One section of the home page; `null` leaves it out (nothing to show and nothing to say). */
export type HomeSection = (ctx: HomeContext) => Promise<Reply | null>;

/** How many saved segments the home page lists before pointing to "segments" for the rest. */
const SEGMENTS_SHOWN = 15;

export const savedSegmentsSection: HomeSection = async ({ database }) => {
  const saved = await listSegments(database);
  if (saved.length === 0) {
    return {
      title: 'Saved segments',
      text: 'No segments are saved yet. Describe an audience ("customers in Germany who spent over £1000"), then press *Save segment* or say "save as NAME".',
    };
  }
  const shown = saved.slice(0, SEGMENTS_SHOWN);
  return {
    title: `Saved segments (${formatNumber(saved.length)})`,
    table: {
      columns: ['Name', 'Definition', 'Customers when saved'],
      rows: shown.map((s) => [
        s.name,
        s.description,
        s.lastCount === null ? null : formatNumber(s.lastCount),
      ]),
      truncated: saved.length - shown.length,
    },
    context:
      'Ask "show segment NAME", "compare NAME and NAME" or "export segment NAME" in any channel or here.',
  };
};

/** How many open drafts the home page lists (one Approve button each) before pointing to "drafts open". */
const DRAFTS_SHOWN = 10;

/** Drafts still waiting for someone to approve or reject them, newest first, each with an Approve button. */
export const draftsAwaitingApprovalSection: HomeSection = async ({ database }) => {
  const open = await listDrafts(database, { status: 'draft', limit: DRAFTS_SHOWN });
  if (open.length === 0) {
    return {
      title: 'Drafts awaiting approval',
      text: 'No drafts are waiting for approval. Ask for copy ("draft an email for lapsed-big-spenders about candles"), then approve the variant you like.',
    };
  }
  const [count] = await database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(copyDrafts)
    .where(eq(copyDrafts.status, 'draft'));
  const total = Number(count?.n ?? open.length);
  const buttons: Button[] = open.map((d) => ({
    action: 'approve draft',
    value: String(d.id),
    label: `Approve #${d.id}`,
    style: 'primary',
  }));
  return {
    title: `Drafts awaiting approval (${formatNumber(total)})`,
    table: {
      columns: ['#', 'Channel', 'For', 'Opening', 'Written'],
      rows: open.map((d) => [
        d.id,
        d.channel,
        d.segment,
        renderContent(d.content).split('\n')[0]!.slice(0, 60),
        `${d.createdAt.toISOString().slice(0, 16).replace('T', ' ')} by ${d.createdBy}`,
      ]),
      truncated: Math.max(0, total - open.length),
    },
    buttons,
    context:
      'Say "drafts open" for all of them, "regenerate draft N", "edit draft N" or "reject draft N"; approved drafts are exported with "export draft N".',
  };
};

/** Scheduled digests: when, where, the next run (or paused) and how the last one went. */
export const scheduledDigestsSection: HomeSection = async ({ database, now = new Date() }) => {
  const { count, reply } = await digestsOverview(database, now);
  return { title: count ? `Scheduled digests (${formatNumber(count)})` : 'Scheduled digests', ...reply };
};

/** Sections in page order. Add yours here (one line each). */
export const HOME_SECTIONS: HomeSection[] = [
  savedSegmentsSection,
  draftsAwaitingApprovalSection,
  scheduledDigestsSection,
];

/**
 * Builds the home page for one person: every section in order; a section that fails is replaced by a short
 * notice so the rest of the page still shows.
 *
 * @example
 * const sections = await buildHome({ database, caller: { platform: 'slack', userId: 'U1', conversationId: 'home:U1' } }, log);
 */
export async function buildHome(
  ctx: HomeContext,
  log: Logger,
  sections: readonly HomeSection[] = HOME_SECTIONS,
): Promise<Reply[]> {
  const decision = ctx.access?.check(ctx.caller) ?? { allowed: true };
  if (!decision.allowed) {
    log.info({ user: ctx.caller.userId, platform: ctx.caller.platform }, 'home page refused by access rules');
    return [
      {
        title: 'Megaphone',
        tone: 'warning',
        text: `You don't have access to Megaphone, so there is nothing to show here. ${decision.reason ?? 'Ask your Megaphone admin if you need it.'}`,
      },
    ];
  }
  const out: Reply[] = [];
  for (const section of sections) {
    try {
      const reply = await section(ctx);
      if (reply) out.push(reply);
    } catch (error) {
      log.error({ err: error, section: section.name }, 'home section failed');
      out.push({
        tone: 'error',
        text: 'Part of this page could not be loaded; the details are in Megaphone’s log.',
      });
    }
  }
  return out;
}
