import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '../db/client.ts';
import { type DemoShopOptions, generateDemoShop } from './demo-shop.ts';
import { type ImportOptions, type ImportSummary, importFile } from './import.ts';

/**
 * Loads the synthetic demo shop through the ordinary importer, so the demo exercises the same path as real
 * data. The same seed twice is recognised as a re-import and changes nothing.
 */
export async function loadDemo(
  database: Database,
  options: DemoShopOptions & Pick<ImportOptions, 'onProgress' | 'asOf'> = {},
): Promise<ImportSummary> {
  const dir = await mkdtemp(join(tmpdir(), 'megaphone-demo-'));
  const path = join(dir, `demo-shop-seed-${options.seed ?? 42}.csv`);
  try {
    await writeFile(path, `${[...generateDemoShop(options)].join('\n')}\n`);
    return await importFile(database, path, {
      format: 'online-retail',
      onProgress: options.onProgress,
      asOf: options.asOf,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
