import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { megaphone } from '../../test/cli.ts';

const FIXTURE = fileURLToPath(new URL('../ingest/fixtures/retail-small.csv', import.meta.url));

describe('megaphone copy and megaphone draft (the real bin, on an embedded database on disk)', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'megaphone-copy-cli-'));
    await writeFile(join(dir, 'brand.yml'), 'name: Hearth & Co\ntone: [warm]\nemoji: none\n');
    env = { MEGAPHONE_DATA_DIR: join(dir, 'data'), MEGAPHONE_BRAND_FILE: join(dir, 'brand.yml') };
    await megaphone(['import', FIXTURE], env);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes reproducible drafts as JSON, approves and exports one', async () => {
    const args = ['copy', '--segment', 'customers who spent over £50', '--channel', 'sms', '--variants', '2'];
    const first = await megaphone(
      [...args, '--seed', '7', '--json', '--about', 'alarm clocks, 10% off'],
      env,
    );
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const out = JSON.parse(first.stdout);
    expect(out.segment).toBe('spend > £50');
    expect(out.drafts).toHaveLength(2);
    for (const d of out.drafts) {
      expect(d).toMatchObject({
        channel: 'sms',
        status: 'draft',
        writer: 'local',
        rationale: expect.stringMatching(/angle: /),
      });
      expect(d.content.text).toMatch(/^Hearth & Co: .*Reply STOP to opt out$/);
      expect(d.productIds.every((id: string) => ['22727', '22728'].includes(id))).toBe(true);
    }
    expect(out.drafts[0].content.text).toContain('10% off');
    const again = await megaphone(
      [...args, '--seed', '7', '--json', '--about', 'alarm clocks, 10% off'],
      env,
    );
    expect(JSON.parse(again.stdout).drafts.map((d: { content: unknown }) => d.content)).toEqual(
      out.drafts.map((d: { content: unknown }) => d.content),
    );

    const id = out.drafts[0].id;
    const notYet = await megaphone(['draft', 'export', String(id)], env);
    expect(notYet.code).toBe(1);
    expect(notYet.stderr).toMatch(`Draft #${id} is draft; only approved drafts are exported.`);
    expect((await megaphone(['draft', 'approve', String(id)], env)).stdout).toMatch(`Approved draft #${id}`);
    const text = await megaphone(['draft', 'export', String(id)], env);
    expect(text.stdout.trim()).toBe(out.drafts[0].content.text);
    const file = join(dir, 'draft.json');
    await megaphone(['draft', 'export', String(id), '--json', '--out', file], env);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({
      id,
      approvedBy: 'cli',
      content: out.drafts[0].content,
    });
    const list = await megaphone(['draft', 'list', '--status', 'approved'], env);
    expect(list.stdout).toMatch(new RegExp(`^#${id}\\tapproved\\tsms\\tspend > £50\\t`));
    // Each run boots the embedded database from disk: seconds apiece on a busy machine.
  }, 300_000);

  it('says what is wrong with bad options', async () => {
    const many = await megaphone(['copy', '--segment', 'all customers', '--variants', '9'], env);
    expect(many.code).toBe(1);
    expect(many.stderr).toMatch(/--variants.*expected a whole number from 1 to 5/);
    const product = await megaphone(['copy', '--segment', 'all customers', '--product', 'NOPE1'], env);
    expect(product.stderr).toMatch(/No product with id "NOPE1"/);
    const channel = await megaphone(['copy', '--segment', 'all customers', '--channel', 'fax'], env);
    expect(channel.stderr).toMatch(/Allowed choices are email, push, sms, social/);
  }, 180_000);
});
