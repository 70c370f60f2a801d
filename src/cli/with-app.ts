import { InvalidArgumentError } from 'commander';
import { type App, bootApp } from '../app.ts';
import { loadConfig, loadDotEnv } from '../config.ts';
import { createLogger } from '../logger.ts';

/**
 * Runs one command-line action on a booted app (configuration from `.env` and the environment, database
 * migrated), and closes it afterwards whatever happens.
 *
 * @example
 * await withApp(async (app) => console.log(await storeStats(app.database)));
 */
export async function withApp<T>(work: (app: App) => Promise<T>): Promise<T> {
  loadDotEnv();
  const config = loadConfig();
  const app = await bootApp(config, createLogger(config.logLevel ?? 'warn'));
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

/** A commander option parser for a whole number within bounds. */
export function wholeNumber(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    }
    return n;
  };
}
