import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAllPrompts, loadPrompt, parsePrompt, REQUIRED_PROMPTS, renderPrompt } from './prompts.ts';

const FILE =
  '---\npurpose: greet someone\nversion: 2\nvariables: [who, place]\n---\nHello {{who}}, welcome to {{ place }}.\n';

describe('prompts', () => {
  it('parses flat front matter and the body', () => {
    const prompt = parsePrompt('greet', FILE);
    expect(prompt).toMatchObject({
      name: 'greet',
      purpose: 'greet someone',
      version: '2',
      variables: ['who', 'place'],
      body: 'Hello {{who}}, welcome to {{ place }}.',
    });
  });

  it('renders every placeholder once, leaving braces inside values alone', () => {
    const prompt = parsePrompt('greet', FILE);
    expect(renderPrompt(prompt, { who: '{{place}}', place: 'Megaphone' })).toBe(
      'Hello {{place}}, welcome to Megaphone.',
    );
  });

  it('refuses a missing value and an undeclared placeholder', () => {
    const prompt = parsePrompt('greet', FILE);
    expect(() => renderPrompt(prompt, { who: 'Ann' })).toThrow('Prompt "greet" needs values for: place.');
    expect(() =>
      parsePrompt('bad', '---\npurpose: x\nversion: 1\nvariables: who\n---\n{{who}} {{when}}'),
    ).toThrow('uses undeclared placeholders: when');
    expect(() =>
      renderPrompt({ ...prompt, body: `${prompt.body} {{when}}` }, { who: 'a', place: 'b' }),
    ).toThrow('undeclared placeholders: when');
    expect(() => parsePrompt('bare', 'Hello')).toThrow('no front matter');
    expect(() => parsePrompt('lacking', '---\npurpose: x\n---\nHi')).toThrow('lacks "version"');
  });

  it('loads the segment prompt from prompts/ and refuses names that leave it', async () => {
    const prompt = await loadPrompt('segment-definition');
    expect(prompt.variables).toEqual(['countries', 'categories', 'metrics', 'lifecycle', 'today']);
    expect(prompt.purpose).toMatch(/never SQL/);
    await expect(loadPrompt('../package')).rejects.toThrow('Invalid prompt name');
    await expect(loadPrompt('no-such-prompt')).rejects.toThrow('Prompt "no-such-prompt" not found');
  });

  it('loads and checks every shipped prompt, including each one the code uses', async () => {
    const prompts = await loadAllPrompts();
    expect(prompts.map((p) => p.name)).toEqual(expect.arrayContaining([...REQUIRED_PROMPTS]));
    for (const p of prompts) expect(p.body.length).toBeGreaterThan(0);
  });

  it('names every broken or missing prompt file and what is wrong with it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'megaphone-prompts-'));
    try {
      await writeFile(join(dir, 'good.md'), FILE);
      await writeFile(join(dir, 'no-front-matter.md'), 'Hello {{who}}');
      await writeFile(join(dir, 'no-version.md'), '---\npurpose: x\nvariables: []\n---\nHi');
      await writeFile(join(dir, 'notes.txt'), 'not a prompt');
      const loading = loadAllPrompts(dir, ['good', 'segment-definition']);
      await expect(loading).rejects.toThrow(/^3 prompts are broken, so Megaphone cannot start:/);
      const message = await loading.catch((e: Error) => e.message);
      expect(message).toContain(`${dir}/no-front-matter.md: Prompt "no-front-matter" has no front matter`);
      expect(message).toContain(`${dir}/no-version.md: Prompt "no-version" front matter lacks "version".`);
      expect(message).toContain(`${dir}/segment-definition.md: missing (Megaphone uses this prompt).`);
      expect(message).not.toContain('good.md');
      expect(message).not.toContain('notes.txt');
      await rm(join(dir, 'no-front-matter.md'));
      await rm(join(dir, 'no-version.md'));
      const names = (await loadAllPrompts(dir, ['good'])).map((p) => p.name);
      expect(names).toEqual(['good']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says which directory it could not read', async () => {
    await expect(loadAllPrompts('/nonexistent/megaphone-prompts')).rejects.toThrow(
      'Cannot read the prompts directory /nonexistent/megaphone-prompts/.',
    );
  });
});
