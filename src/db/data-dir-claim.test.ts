import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../core/errors.ts';
import { openDatabase } from './client.ts';

describe('the embedded data directory is claimed by one process at a time', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'megaphone-claim-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a directory another running process holds, takes over one whose process is gone, and lets go on close', async () => {
    const dataDir = join(dir, 'data');
    const lock = `${dataDir}.lock`;
    // Another process holding the directory.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      await writeFile(lock, String(other.pid));
      const refused = await openDatabase({ dataDir, migrate: false }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(UserError);
      expect((refused as Error).message).toBe(
        `The embedded database in ${dataDir} is in use by another Megaphone process (pid ${other.pid}). ` +
          'Stop it first, or ask it in its chat. To use the data from several processes at once, set DATABASE_URL to a Postgres server.',
      );
      expect(await readFile(lock, 'utf8')).toBe(String(other.pid));
    } finally {
      other.kill();
      await new Promise((resolve) => other.once('exit', resolve));
    }

    // Its process is gone: the claim is stale and taken over.
    const database = await openDatabase({ dataDir, migrate: false });
    expect(await readFile(lock, 'utf8')).toBe(String(process.pid));
    await database.close();
    expect(existsSync(lock)).toBe(false);
  }, 60_000);
});
