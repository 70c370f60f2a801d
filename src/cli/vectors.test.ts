import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { megaphone } from '../../test/cli.ts';

const FIXTURE = fileURLToPath(new URL('../ingest/fixtures/retail-small.csv', import.meta.url));

describe('megaphone similar and vectors (the real bin, embedded database on disk)', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'megaphone-vectors-cli-'));
    env = { MEGAPHONE_DATA_DIR: join(dir, 'data') };
    await megaphone(['import', FIXTURE], env);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('indexes the catalogue, reports the store, and answers similar as JSON and as a table', async () => {
    const before = await megaphone(['similar', '85123A'], env);
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/similar to WHITE HANGING HEART T-LIGHT HOLDER \(85123A\)/);
    expect(before.stdout).toMatch(/product vectors \(re\)built just now/);

    const indexed = await megaphone(['vectors', 'index'], env);
    expect(indexed.code).toBe(0);
    expect(indexed.stdout).toMatch(
      /^indexed \d+ products in pgvector namespace "products" with local embeddings/,
    );

    const stats = await megaphone(['vectors', 'stats', '--json'], env);
    const parsed = JSON.parse(stats.stdout);
    expect(parsed.backend).toBe('pgvector');
    expect(parsed.namespaces.products.count).toBe(parsed.products.count);
    expect(parsed.products.provider).toBe('local');

    const json = await megaphone(['similar', 'alarm clock bakelike red', '--k', '2', '--json'], env);
    expect(json.code).toBe(0);
    const answer = JSON.parse(json.stdout);
    expect(answer.anchor).toEqual({
      kind: 'item',
      itemId: '22727',
      name: 'ALARM CLOCK BAKELIKE RED',
      matchedBy: 'name',
    });
    expect(answer.items).toHaveLength(2);
    expect(answer.items[0]).toMatchObject({ itemId: '22728', name: 'ALARM CLOCK BAKELIKE PINK' });
    expect(answer.items[0].reason).toMatch(/shares "alarm", "clock", "bakelike"/);
    expect(Object.keys(answer.items[0]).sort()).toEqual([
      'category',
      'itemId',
      'name',
      'price',
      'reason',
      'score',
    ]);
  }, 300_000);

  it('fails with a clear message and exit code 1 on bad input', async () => {
    const bad = await megaphone(['similar', 'qqqzzz xxyyw'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error: No product is named "qqqzzz xxyyw", and none of its words appear/);
    const badK = await megaphone(['similar', '85123A', '--k', '0'], env);
    expect(badK.code).not.toBe(0);
    expect(badK.stderr).toMatch(/expected a whole number from 1 to 100/);
  }, 180_000);
});
