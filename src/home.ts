/**
 * The home page of Megaphone (Slack's App Home tab, and any platform with a similar page): a list of
 * platform-neutral sections, each a `Reply`. Features add their own section to `HOME_SECTIONS` (drafts awaiting
 * approval, scheduled digests, ...); adapters render the list.
 */
import type { Caller } from './core/command.ts';
import { formatNumber, type Reply } from './core/reply.ts';
import type { Database } from './db/client.ts';
import type { Logger } from './logger.ts';
import { listSegments } from './segments/service.ts';

export interface HomeContext {
  database: Database;
  /** Who is looking at the page (their access rules apply to what a section shows). */
  caller: Caller;
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

/** Sections in page order. Add yours here (one line each). */
export const HOME_SECTIONS: HomeSection[] = [savedSegmentsSection];

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
