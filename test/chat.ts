/** The real conversation engine over a test database, as the chat adapters use it. */
import { commands } from '../commands/index.ts';
import type { Caller } from '../src/core/command.ts';
import { createRouter, type Router } from '../src/core/router.ts';
import type { Database } from '../src/db/client.ts';
import { createLogger } from '../src/logger.ts';

/**
 * @example
 * const router = chatRouter(db);
 * await router.handle('stats', slackThread('t1'));
 */
export function chatRouter(database: Database): Router {
  return createRouter({ database, log: createLogger('silent'), commands });
}

/** A Slack thread: follow-ups in the same thread share the conversation. */
export function slackThread(id: string): Caller {
  return { platform: 'slack', userId: 'U1', conversationId: id };
}
