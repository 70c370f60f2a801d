import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { megaphone } from '../../test/cli.ts';
import { tasteGroupsCsv } from '../recommend/fixture.ts';

// Each test runs the bin several times (a fresh Node + tsx each): on a busy machine that takes a while.
const SLOW = 240_000;

describe('megaphone train / recommend / eval recommend (the real bin, embedded database on disk)', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'megaphone-rec-cli-'));
    env = { MEGAPHONE_DATA_DIR: join(dir, 'data') };
    await writeFile(join(dir, 'shop.csv'), tasteGroupsCsv());
    await writeFile(join(dir, 'ids.txt'), 'customer_id\nc01\n\n# a comment\ng02\nnobody\n');
    const imported = await megaphone(['import', join(dir, 'shop.csv')], env);
    expect(imported.code).toBe(0);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  }, SLOW);

  it(
    'trains, then prints recommendations as JSON, one line per customer for a file',
    async () => {
      const trained = await megaphone(['train', '--json'], env);
      expect(trained.code).toBe(0);
      // The catalogue went into the vector store, and content neighbours came from those vectors.
      expect(JSON.parse(trained.stdout)).toMatchObject({
        modelId: 1,
        customers: 60,
        items: 13,
        contentSource: 'vectors',
        vectors: { namespace: 'products', indexed: 13, provider: 'local' },
      });

      const one = await megaphone(['recommend', '--customer', 'c01', '--k', '3', '--json'], env);
      expect(one.code).toBe(0);
      const parsed = JSON.parse(one.stdout);
      expect(parsed.customerId).toBe('c01');
      expect(parsed.items.map((i: { itemId: string }) => i.itemId).sort()).toEqual(['C4', 'C5', 'C6']);
      for (const item of parsed.items) {
        expect(Object.keys(item)).toEqual(['itemId', 'name', 'score', 'reason']);
        expect(item.reason).toMatch(/^bought together with /);
      }

      const batch = await megaphone(['recommend', '--customers-file', join(dir, 'ids.txt'), '--k', '2'], env);
      expect(batch.code).toBe(0);
      const lines = batch.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines.map((l) => l.customerId)).toEqual(['c01', 'g02', 'nobody']);
      for (const l of lines) expect(l.items).toHaveLength(2);
      // An id that is not a customer is answered too (popular items), and said to be unknown.
      expect(lines.map((l) => l.known)).toEqual([true, true, false]);
      expect(batch.stderr.trim()).toBe(
        '3 customers answered; 1 not in the data got the popular items ("known": false): nobody',
      );
    },
    SLOW,
  );

  it(
    'refuses an unknown customer and a missing audience with a clear message',
    async () => {
      const unknown = await megaphone(['recommend', '--customer', '99999'], env);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/There is no customer 99999 in the data/);
      const none = await megaphone(['recommend'], env);
      expect(none.code).toBe(1);
      expect(none.stderr).toMatch(/exactly one of --customer ID, --customers-file FILE or --segment/);
    },
    SLOW,
  );

  it(
    'evaluates against popularity on both splits',
    async () => {
      const result = await megaphone(['eval', 'recommend', '--cutoff', '2011-04-15', '--json'], env);
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout);
      for (const protocol of ['temporal', 'random']) {
        expect(report[protocol].model.customers).toBeGreaterThan(0);
        expect(report[protocol].model.ndcg).toBeGreaterThan(report[protocol].popularity.ndcg);
      }
    },
    SLOW,
  );
});
