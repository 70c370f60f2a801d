import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bannedPattern, DEFAULT_BRAND, loadBrand, parseBrand, register } from './brand.ts';

describe('brand voice', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'megaphone-brand-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the example brand.yml at the repository root', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const brand = await loadBrand(undefined, root);
    expect(brand.name).toBe('Hearth & Co');
    expect(brand.banned_words).toContain('cheap');
    expect(brand.emoji).toBe('sparing');
  });

  it('fills defaults and reads the register from the tone words', () => {
    const brand = parseBrand('name: Lumen\ntone: [premium, calm]', 'b.yml');
    expect(brand).toMatchObject({
      language: 'en-GB',
      emoji: 'sparing',
      sms_opt_out: 'Reply STOP to opt out',
    });
    expect(register(brand)).toBe('formal');
    expect(register(parseBrand('name: X\ntone: [Playful]', 'b.yml'))).toBe('playful');
    expect(register(DEFAULT_BRAND)).toBe('warm');
  });

  it('refuses a bad file with the key and what is expected', () => {
    expect(() => parseBrand('name: X\nemoji: lots', 'brand.yml')).toThrow(
      'brand.yml has problems: emoji: expected one of none, sparing, free.',
    );
    expect(() => parseBrand('name: X\nbanned: [cheap]', 'brand.yml')).toThrow(/Unrecognized key: "banned"/);
    expect(() => parseBrand('tone: [warm]', 'brand.yml')).toThrow(/brand.yml has problems: name:/);
    expect(() => parseBrand('name: X\nlanguage: English', 'brand.yml')).toThrow(/language tag such as en-GB/);
    expect(() => parseBrand('name: [unclosed', 'brand.yml')).toThrow(/brand.yml is not valid YAML/);
    expect(() =>
      parseBrand('name: X\nbanned_words: [cheap, bargain]\nreplacements: {cheap: bargain}', 'brand.yml'),
    ).toThrow('replacements.cheap is itself a banned word ("bargain")');
  });

  it('uses the default without a brand.yml, but an explicit file must exist', async () => {
    expect(await loadBrand(undefined, dir)).toEqual(DEFAULT_BRAND);
    await expect(loadBrand(join(dir, 'nope.yml'))).rejects.toThrow(
      /Could not read the brand file .*nope.yml/,
    );
    const file = join(dir, 'voice.yml');
    await writeFile(file, 'name: Voice\nemoji: none\n');
    expect((await loadBrand(file)).emoji).toBe('none');
  });

  it('bans a word with its inflections, as a whole word only', () => {
    const re = bannedPattern('cheap');
    expect(['cheap', 'Cheaper', 'CHEAPEST', 'cheaply'].every((w) => re.test(w))).toBe(true);
    expect(re.test('cheapside')).toBe(false);
    expect(bannedPattern('lowest price').test('the lowest  price ever')).toBe(true);
  });
});
