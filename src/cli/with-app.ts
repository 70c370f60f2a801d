import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import { type App, bootApp } from '../app.ts';
import { loadConfig, loadDotEnv } from '../config.ts';
import { UserError } from '../core/errors.ts';
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

const WRITE_PROBLEMS: Record<string, string> = {
  ENOENT: 'its folder does not exist',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder',
  ENOTDIR: 'part of the path is a file, not a folder',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
};

/**
 * Writes a file the user asked for (`--out`), saying plainly why it cannot be written rather than failing
 * with a reference id.
 *
 * @example
 * await writeOutputFile(opts.out, png);
 */
export async function writeOutputFile(path: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeFile(path, data);
  } catch (cause) {
    const problem = WRITE_PROBLEMS[(cause as NodeJS.ErrnoException).code ?? ''];
    if (!problem) throw cause;
    throw new UserError(
      'output_unwritable',
      `Cannot write ${path}: ${problem}. Give a path in a folder you can write to.`,
      {
        cause,
      },
    );
  }
}
