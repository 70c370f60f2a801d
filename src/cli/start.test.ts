import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { megaphone } from '../../test/cli.ts';

// The first `npm start` on a fresh machine: nothing configured, an empty data directory.
describe('megaphone start on an empty database, with nothing configured', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('loads the demo shop, indexes its catalogue, says how to connect, and answers similar products at once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'megaphone-start-'));
    dirs.push(dir);
    const { code, stdout, stderr } = await megaphone(
      ['start'],
      { MEGAPHONE_DATA_DIR: dir },
      'similar to jumbo bag red retrospot\n',
    );
    expect(stderr).not.toMatch(/similar products are off/);
    expect(code).toBe(0);
    expect(stdout).toMatch(/loading the demo shop/);
    expect(stdout).toMatch(/read [\d,]+ = imported [\d,]+ \+ rejected 0/);
    expect(stdout).toMatch(/Indexed [\d,]+ products for similar products \(local embeddings, pgvector\)/);
    expect(stdout).toMatch(/SLACK_BOT_TOKEN/);
    // The answer is a table of neighbours from the vector store, not the "run vectors index" advice.
    expect(stdout).toMatch(/RED RETROSPOT|Retrospot/i);
    expect(stdout).toMatch(/local embeddings in pgvector/);
    expect(stdout).not.toMatch(/has not been fitted/);
  }, 120_000);
});
