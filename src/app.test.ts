import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootApp } from './app.ts';
import { loadConfig } from './config.ts';
import { createLogger } from './logger.ts';

const PROMPTS = fileURLToPath(new URL('../prompts/', import.meta.url));

describe('bootApp', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'megaphone-boot-'));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('stops at start on a broken prompt, naming the file and the problem, before opening the database', async () => {
    const prompts = join(dir, 'prompts');
    await cp(PROMPTS, prompts, { recursive: true });
    await writeFile(
      join(prompts, 'chart-request.md'),
      '---\npurpose: pick a chart\nversion: 3\nvariables: [charts]\n---\nPick one of {{charts}} for {{audience}}.\n',
    );
    const data = join(dir, 'data');
    const config = loadConfig({ MEGAPHONE_DATA_DIR: data });
    const booting = bootApp(config, createLogger('silent'), { promptsDir: prompts });
    await expect(booting).rejects.toThrow(/A prompt is broken, so Megaphone cannot start/);
    await expect(booting).rejects.toThrow(
      `${prompts}/chart-request.md: Prompt "chart-request" uses undeclared placeholders: audience (declared: charts).`,
    );
    // Nothing was opened or created for a start that could not succeed.
    await expect(readdir(data)).rejects.toThrow(/ENOENT/);
  });
});
