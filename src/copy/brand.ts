/**
 * The brand voice: tone words, words and claims never to use, emoji policy, sign-off, language and the SMS
 * opt-out line. Read from a YAML file (MEGAPHONE_BRAND_FILE, else `brand.yml` in the working directory when
 * present, else a neutral default), validated with zod; a bad file is refused with the key and the fix.
 */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { UserError } from '../core/errors.ts';

const word = z.string().trim().min(1, 'must not be empty');

export const brandSchema = z
  .object({
    name: word.max(40, 'keep the brand name under 40 characters (it starts every SMS)'),
    language: z
      .string()
      .trim()
      .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'expected a language tag such as en-GB or de-DE')
      .default('en-GB'),
    tone: z.array(word).min(1, 'name at least one tone word, e.g. [warm, playful]').max(8).default(['warm']),
    banned_words: z.array(word).default([]),
    banned_claims: z.array(word).default([]),
    /** What to say instead of a banned word; without one the word is dropped. */
    replacements: z.record(z.string(), z.string()).default({}),
    emoji: z
      .enum(['none', 'sparing', 'free'], { message: 'expected one of none, sparing, free' })
      .default('sparing'),
    sign_off: z.string().trim().max(80).default(''),
    sms_opt_out: word.max(40).default('Reply STOP to opt out'),
  })
  .strict();

export type BrandVoice = z.output<typeof brandSchema>;

export const DEFAULT_BRAND: BrandVoice = brandSchema.parse({ name: 'Megaphone' });

/**
 * Parses and validates a brand file's text.
 *
 * @example
 * parseBrand('name: Hearth & Co\ntone: [warm]\nbanned_words: [cheap]', 'brand.yml').banned_words; // ['cheap']
 */
export function parseBrand(text: string, source: string): BrandVoice {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    throw new UserError(
      'brand_invalid',
      `${source} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`,
      {
        hint: 'Fix the file (see brand.yml in the Megaphone repository for an example).',
      },
    );
  }
  const parsed = brandSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`)
      .join('; ');
    throw new UserError('brand_invalid', `${source} has problems: ${problems}.`, {
      hint: 'Keys: name, language, tone, banned_words, banned_claims, replacements, emoji, sign_off, sms_opt_out.',
    });
  }
  const brand = parsed.data;
  const bannedReplacement = replacementBanned(brand);
  if (bannedReplacement) {
    throw new UserError(
      'brand_invalid',
      `${source} has problems: replacements.${bannedReplacement[0]} is itself a banned word ("${bannedReplacement[1]}").`,
    );
  }
  return brand;
}

/** A brand file as read: the voice, where it came from (null: no file, the default) and the keys it sets. */
export interface BrandFile {
  brand: BrandVoice;
  path: string | null;
  keys: string[];
}

/**
 * The brand voice from `file` (an explicit setting: must exist), or from `brand.yml` in `cwd` when present,
 * or the neutral default; with the keys the file sets (the others are defaults).
 */
export async function readBrandFile(file: string | undefined, cwd = process.cwd()): Promise<BrandFile> {
  const path = file ?? `${cwd.replace(/\/$/, '')}/brand.yml`;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (!file && (error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { brand: DEFAULT_BRAND, path: null, keys: [] };
    }
    throw new UserError('brand_missing', `Could not read the brand file ${path} (MEGAPHONE_BRAND_FILE).`, {
      cause: error,
      hint: 'Point MEGAPHONE_BRAND_FILE at a readable YAML file, or unset it to use brand.yml.',
    });
  }
  const brand = parseBrand(text, path);
  const raw: unknown = parseDocument(text).toJS();
  return { brand, path, keys: raw && typeof raw === 'object' ? Object.keys(raw) : [] };
}

/**
 * The brand voice from `file` (an explicit setting: must exist), or from `brand.yml` in `cwd` when present,
 * or the neutral default.
 */
export async function loadBrand(file: string | undefined, cwd = process.cwd()): Promise<BrandVoice> {
  return (await readBrandFile(file, cwd)).brand;
}

/**
 * A replacement whose text is itself banned ([word, replacement]), or undefined: such a voice could never
 * be followed, so it is refused wherever it is set.
 */
export function replacementBanned(brand: BrandVoice): [string, string] | undefined {
  return Object.entries(brand.replacements).find(([, to]) =>
    brand.banned_words.some((w) => bannedPattern(w).test(to)),
  );
}

/** A banned word and its simple inflections, as a whole word ("cheap" also catches "cheaper", "Cheapest"). */
export function bannedPattern(word: string, flags = 'iu'): RegExp {
  const escaped = word
    .trim()
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\s+/g, '\\s+');
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?:s|es|er|est|ly|ed|ing)?(?![\\p{L}\\p{N}])`, flags);
}

/** Tone words that ask for a formal or a playful register; anything else reads as warm. */
export function register(brand: BrandVoice): 'formal' | 'playful' | 'warm' {
  const tone = brand.tone.map((t) => t.toLowerCase());
  if (
    tone.some((t) => ['formal', 'professional', 'premium', 'elegant', 'refined', 'luxurious'].includes(t))
  ) {
    return 'formal';
  }
  if (tone.some((t) => ['playful', 'fun', 'cheeky', 'witty', 'quirky', 'bold'].includes(t))) return 'playful';
  return 'warm';
}
