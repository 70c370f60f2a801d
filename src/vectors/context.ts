/**
 * The vector configuration chat commands use. Commands receive the database but not the configuration, so the
 * process registers it once per database (`useVectorConfig`, done at boot or by tests); without a
 * registration the configuration is read with `loadConfig()`, as `bootApp` does.
 */
import { loadConfig } from '../config.ts';
import type { Database } from '../db/client.ts';
import type { VectorConfig } from './index.ts';
import type { VectorStore } from './types.ts';

export interface Registered {
  config: VectorConfig;
  store?: VectorStore;
}

const registered = new WeakMap<Database, Registered>();

/**
 * Registers the configuration (and optionally an open store) vector commands use with this database.
 *
 * @example
 * useVectorConfig(app.database, app.config);
 */
export function useVectorConfig(database: Database, config: VectorConfig, store?: VectorStore): void {
  registered.set(database, { config, ...(store ? { store } : {}) });
}

export function vectorContextFor(database: Database): Registered {
  const found = registered.get(database);
  if (found) return found;
  const config = loadConfig();
  const context = { config };
  registered.set(database, context);
  return context;
}
