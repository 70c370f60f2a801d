/**
 * What the Slack adapter keeps in the database: event ids already handled (Slack redelivers events, to any
 * process of ours), and the threads Megaphone answers in. In the database rather than in memory so that
 * several processes (HTTP behind a load balancer, or several Socket Mode connections, between which Slack
 * spreads events) handle each event once, and a restart does not forget its threads.
 */
import { and, eq, lt, sql } from 'drizzle-orm';
import { slackEvents, slackThreads } from '../../../db/schema.ts';
import type { Database } from '../../db/client.ts';

/** Slack gives up retrying after about an hour; a day of ids is plenty. */
const KEEP_EVENTS_MS = 24 * 60 * 60 * 1000;
const PURGE_EVERY = 500;

export interface SlackStore {
  /** Claims an event id: `true` the first time, `false` for a redelivery (already claimed by any process). */
  claimEvent(eventId: string): Promise<boolean>;
  rememberThread(channelId: string, threadTs: string): Promise<void>;
  isMegaphoneThread(channelId: string, threadTs: string): Promise<boolean>;
  purge(): Promise<void>;
}

/**
 * The adapter's tables (`slack_events`, `slack_threads`) behind a small interface.
 *
 * @example
 * const store = createSlackStore(database);
 * if (await store.claimEvent(body.event_id)) await handle(body.event);
 */
export function createSlackStore(database: Database): SlackStore {
  const { db } = database;
  let claims = 0;
  const store: SlackStore = {
    async claimEvent(eventId) {
      const inserted = await db
        .insert(slackEvents)
        .values({ eventId })
        .onConflictDoNothing({ target: slackEvents.eventId })
        .returning({ eventId: slackEvents.eventId });
      if (++claims % PURGE_EVERY === 0) await store.purge();
      return inserted.length > 0;
    },
    async rememberThread(channelId, threadTs) {
      await db.insert(slackThreads).values({ channelId, threadTs }).onConflictDoNothing();
    },
    async isMegaphoneThread(channelId, threadTs) {
      const rows = await db
        .select({ one: sql<number>`1` })
        .from(slackThreads)
        .where(and(eq(slackThreads.channelId, channelId), eq(slackThreads.threadTs, threadTs)))
        .limit(1);
      return rows.length > 0;
    },
    async purge() {
      await db.delete(slackEvents).where(lt(slackEvents.receivedAt, new Date(Date.now() - KEEP_EVENTS_MS)));
    },
  };
  return store;
}
