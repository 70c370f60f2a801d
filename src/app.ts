import { commands } from '../commands/index.ts';
import type { Config } from './config.ts';
import { createAccessPolicy } from './core/access.ts';
import { createRouter, type Router } from './core/router.ts';
import { type Database, NO_PGVECTOR_MESSAGE, openDatabase } from './db/client.ts';
import { cleanInterruptedImports } from './ingest/import.ts';
import { loadAllPrompts } from './llm/prompts.ts';
import type { LlmProvider } from './llm/provider.ts';
import type { Logger } from './logger.ts';
import { useVectorConfig } from './vectors/context.ts';

export interface App {
  config: Config;
  log: Logger;
  database: Database;
  router: Router;
  llm: LlmProvider | undefined;
  /** Notices for the person starting Megaphone (missing extensions, cleaned-up imports). */
  notices: string[];
  close(): Promise<void>;
}

export interface BootOptions {
  /** Where the prompts are checked (default `prompts/`; tests point it at a temporary directory). */
  promptsDir?: string;
}

/**
 * Checks every prompt, opens the database (migrating it), cleans up after crashed imports, and builds the
 * router. A broken prompt stops here, before anything opens, with the file and the problem named.
 */
export async function bootApp(config: Config, log: Logger, options: BootOptions = {}): Promise<App> {
  const prompts = await loadAllPrompts(options.promptsDir);
  log.debug({ prompts: prompts.map((p) => `${p.name}@${p.version}`) }, 'prompts checked');
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const notices: string[] = [];
  if (!database.vectorAvailable) notices.push(NO_PGVECTOR_MESSAGE);
  const cleaned = await cleanInterruptedImports(database);
  if (cleaned) notices.push(`Removed ${cleaned} interrupted import(s) left by an earlier crash.`);
  log.info(
    { driver: database.driver, location: database.location, vector: database.vectorAvailable },
    'database ready',
  );
  // The SDK is loaded only when a model is configured: it is not needed offline.
  const llm = config.openai
    ? (await import('./llm/openai.ts')).createOpenAiClient({
        apiKey: config.openai.apiKey,
        baseUrl: config.openai.baseUrl,
        model: config.openai.model,
      })
    : undefined;
  if (llm) notices.push(`Language model: ${config.openai?.model} at ${llm.host}.`);
  useVectorConfig(database, config);
  const router = createRouter({
    database,
    log,
    commands,
    llm,
    config,
    access: createAccessPolicy(config.access),
  });
  return { config, log, database, router, llm, notices, close: () => database.close() };
}
