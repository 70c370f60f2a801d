import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from 'vega-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { megaphone } from '../../test/cli.ts';

const FIXTURE = fileURLToPath(new URL('../ingest/fixtures/retail-small.csv', import.meta.url));

describe('megaphone command line (the real bin, on an embedded database on disk)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'megaphone-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('imports a file, reports rejected lines with exit code 3, then prints stats as JSON', async () => {
    const env = { MEGAPHONE_DATA_DIR: join(dir, 'data') };
    const imported = await megaphone(['import', FIXTURE], env);
    expect(imported.stdout).toMatch(
      /retail-small\.csv \(online-retail\): read 20 = imported 11 \+ rejected 9 .*features for 3 customers as of 2011-06-30 12:00 UTC/,
    );
    expect(imported.stdout).toMatch(/line 13: Quantity "two" is not a whole number/);
    expect(imported.code).toBe(3);

    const again = await megaphone(['import', FIXTURE], env);
    expect(again.stdout).toMatch(/already imported as batch #1/);
    expect(again.code).toBe(0);

    const segment = await megaphone(['segment', 'customers who spent over £50', '--json'], env);
    expect(segment.code).toBe(0);
    expect(JSON.parse(segment.stdout)).toEqual({
      definition: { conditions: [{ kind: 'metric', metric: 'spend', op: 'gt', value: 50 }] },
      description: 'spend > £50',
      count: 2,
      customerIds: ['12583', '13047'],
    });
    const limited = await megaphone(
      ['segment', 'customers who spent over £50', '--json', '--limit', '1'],
      env,
    );
    expect(JSON.parse(limited.stdout)).toMatchObject({ count: 2, customerIds: ['12583'] });
    const unclear = await megaphone(['segment', 'customers who love cats'], env);
    expect(unclear.code).toBe(1);
    expect(unclear.stderr).toMatch(/love cats/);

    const png = join(dir, 'revenue.png');
    const spec = join(dir, 'revenue.json');
    const chart = await megaphone(['chart', 'revenue by month', '--out', png, '--spec-out', spec], env);
    expect(chart.code).toBe(0);
    expect(chart.stdout).toMatch(/^£306\.32 revenue from 5 orders/);
    expect([...(await readFile(png)).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    // The spec file is a complete Vega-Lite spec: it compiles on its own.
    expect(compile(JSON.parse(await readFile(spec, 'utf8'))).spec.marks?.length).toBeGreaterThan(0);

    const stats = await megaphone(['stats', '--json'], env);
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.stdout)).toEqual({
      customers: 3,
      products: 7,
      purchaseLines: 7,
      orders: 5,
      revenue: 306.32,
      asOf: '2011-06-30T12:00:00.000Z',
    });
    // Seven runs of the real bin, each opening the embedded database from disk.
  }, 240_000);

  it('fails with the names of bad configuration keys and a clear message for bad input', async () => {
    const config = await megaphone(['stats'], {
      DATABASE_URL: 'mysql://x',
      MEGAPHONE_DATA_DIR: join(dir, 'd2'),
    });
    expect(config.code).toBe(2);
    expect(config.stderr).toMatch(/DATABASE_URL: expected a postgres:\/\//);

    // A server that cannot be reached is the setup's problem: said plainly, with what to do, no stack.
    const down = await megaphone(['stats'], { DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/x' });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(
      /^error: Could not connect to the Postgres server at postgres:\/\/nobody:\*+@127\.0\.0\.1:1\/x: .*Check DATABASE_URL/m,
    );
    expect(down.stderr).not.toMatch(/secret|reference|at .*\.ts:\d+/);

    const missing = await megaphone(['import', join(dir, 'missing.csv')], {
      MEGAPHONE_DATA_DIR: join(dir, 'data'),
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: Cannot read .*missing\.csv: no such file/m);
    expect(missing.stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});
