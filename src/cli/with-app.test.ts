import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../core/errors.ts';
import { writeOutputFile } from './with-app.ts';

describe('writeOutputFile (--out)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'megaphone-out-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the file', async () => {
    await writeOutputFile(join(dir, 'a.txt'), 'hello');
    expect(await readFile(join(dir, 'a.txt'), 'utf8')).toBe('hello');
  });

  it('says plainly why a path cannot be written, as a user error', async () => {
    for (const [path, why] of [
      [join(dir, 'missing', 'x.png'), 'its folder does not exist'],
      [dir, 'it is a folder'],
      [join(dir, 'a.txt', 'x.png'), 'part of the path is a file, not a folder'],
    ] as const) {
      const error = await writeOutputFile(path, 'x').catch((e: unknown) => e);
      expect(error, path).toBeInstanceOf(UserError);
      expect((error as Error).message).toBe(
        `Cannot write ${path}: ${why}. Give a path in a folder you can write to.`,
      );
    }
  });
});
