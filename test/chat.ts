/** The real conversation engine over a test database, as the chat adapters use it. */
import { afterAll, beforeAll } from 'vitest';
import { commands } from '../commands/index.ts';
import type { Caller } from '../src/core/command.ts';
import { createRouter, type Router } from '../src/core/router.ts';
import type { Database } from '../src/db/client.ts';
import { createLogger } from '../src/logger.ts';
import type { TestDatabase } from './database.ts';

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

/**
 * A conversation for a suite: the database `open` gives is opened before the suite's tests, with the real
 * router over it, and disposed of after them.
 *
 * @example
 * const chat = chatOver(() => createFixtureDatabase(driver));
 * it('answers stats', async () => {
 *   expect((await chat.router.handle('stats', slackThread('t1'))).title).toBe('Feature store at a glance');
 * });
 */
export function chatOver(open: () => Promise<TestDatabase>): {
  readonly db: TestDatabase;
  readonly router: Router;
} {
  let db: TestDatabase | undefined;
  let router: Router | undefined;
  beforeAll(async () => {
    db = await open();
    router = chatRouter(db);
  });
  afterAll(async () => {
    await db?.dispose();
  });
  const opened = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the conversation is open only while the suite runs');
    return value;
  };
  return {
    get db() {
      return opened(db);
    },
    get router() {
      return opened(router);
    },
  };
}
