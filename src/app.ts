import { commands } from '../commands/index.ts';
import type { Config } from './config.ts';
import { createRouter, type Router } from './core/router.ts';
import { type Database, NO_PGVECTOR_MESSAGE, openDatabase } from './db/client.ts';
import { cleanInterruptedImports } from './ingest/import.ts';
import type { Logger } from './logger.ts';

export interface App {
  config: Config;
  log: Logger;
  database: Database;
  router: Router;
  /** Notices for the person starting Megaphone (missing extensions, cleaned-up imports). */
  notices: string[];
  close(): Promise<void>;
}

/** Opens the database (migrating it), cleans up after crashed imports, and builds the router. */
export async function bootApp(config: Config, log: Logger): Promise<App> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const notices: string[] = [];
  if (!database.vectorAvailable) notices.push(NO_PGVECTOR_MESSAGE);
  const cleaned = await cleanInterruptedImports(database);
  if (cleaned) notices.push(`Removed ${cleaned} interrupted import(s) left by an earlier crash.`);
  log.info(
    { driver: database.driver, location: database.location, vector: database.vectorAvailable },
    'database ready',
  );
  const router = createRouter({ database, log, commands });
  return { config, log, database, router, notices, close: () => database.close() };
}
