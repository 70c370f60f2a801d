import { readFile, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { megaphone } from '../../test/cli.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CURRENT = join(ROOT, 'node_modules', '.cache', 'megaphone', 'current');
const SOURCE = join(ROOT, 'src', 'cli', 'main.ts');

describe('the megaphone bin (its sources bundled on demand)', () => {
  it('builds again when a source is newer than the bundle, and runs the same program', async () => {
    const first = await megaphone(['--help'], {});
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Usage: megaphone/);
    const built = (await readFile(CURRENT, 'utf8')).trim();
    const unchanged = await megaphone(['--help'], {});
    expect((await readFile(CURRENT, 'utf8')).trim()).toBe(built);

    // A source saved after the build: the next start bundles again.
    const { atime, mtime } = await stat(SOURCE);
    const later = new Date((await stat(CURRENT)).mtimeMs + 2000);
    await utimes(SOURCE, atime, later);
    try {
      const again = await megaphone(['--help'], {});
      expect(again.code).toBe(0);
      expect(again.stdout).toBe(first.stdout);
      expect((await readFile(CURRENT, 'utf8')).trim()).not.toBe(built);
    } finally {
      await utimes(SOURCE, atime, mtime);
    }
    expect(unchanged.stdout).toBe(first.stdout);
  }, 60_000);
});
