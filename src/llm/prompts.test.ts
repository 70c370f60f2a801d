import { describe, expect, it } from 'vitest';
import { loadPrompt, parsePrompt, renderPrompt } from './prompts.ts';

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
});
