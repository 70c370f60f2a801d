/**
 * The brand voice set from the chat. A team changes tone words, words and claims to avoid, emoji policy,
 * sign-off, language, name or SMS opt-out with `brand set ...`, without shell access; each field set this way
 * is stored in the `meta` table (key `brand_voice`) with who set it and when, and takes precedence over the
 * same field of the brand file. Fields never set from the chat come from the file (or the defaults), and
 * `brand reset` hands a field back to the file. The merged voice is validated like the file, so a bad value
 * is refused before it is stored.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { meta } from '../../db/schema.ts';
import { UserError } from '../core/errors.ts';
import type { Database } from '../db/client.ts';
import { type BrandFile, type BrandVoice, brandSchema, replacementBanned } from './brand.ts';

export const BRAND_KEY = 'brand_voice';

/** The fields the chat may set, as the chat names them, and their key in the brand voice. */
export const BRAND_FIELDS = {
  name: 'name',
  language: 'language',
  tone: 'tone',
  avoid: 'banned_words',
  claims: 'banned_claims',
  emoji: 'emoji',
  'sign-off': 'sign_off',
  'opt-out': 'sms_opt_out',
} as const satisfies Record<string, keyof BrandVoice>;

export type BrandField = keyof typeof BRAND_FIELDS;
type VoiceKey = (typeof BRAND_FIELDS)[BrandField];

/** Fields that hold lists (several words or claims). */
export const LIST_FIELDS = new Set<BrandField>(['tone', 'avoid', 'claims']);

const stored = z.object({
  fields: z.record(
    z.string(),
    z.object({ value: z.union([z.string(), z.array(z.string())]), by: z.string(), at: z.string() }),
  ),
});
type Stored = z.infer<typeof stored>;

/** Where a field of the voice in force comes from. */
export type BrandSource =
  | { from: 'database'; by: string; at: Date }
  | { from: 'file'; path: string }
  | { from: 'default' };

export interface BrandInForce {
  brand: BrandVoice;
  sources: Record<keyof BrandVoice, BrandSource>;
}

async function readStored(database: Database): Promise<Stored> {
  const [row] = await database.db.select({ value: meta.value }).from(meta).where(eq(meta.key, BRAND_KEY));
  const value = typeof row?.value === 'string' ? JSON.parse(row.value) : row?.value;
  const parsed = stored.safeParse(value ?? { fields: {} });
  // A row this code did not write is ignored rather than trusted: the file's voice still applies.
  return parsed.success ? parsed.data : { fields: {} };
}

/** Validates a merged voice; the problems are named by the chat's field names. */
function validate(voice: Record<string, unknown>): BrandVoice {
  const parsed = brandSchema.safeParse(voice);
  const chatName = (key: PropertyKey | undefined) =>
    Object.entries(BRAND_FIELDS).find(([, k]) => k === key)?.[0] ?? String(key);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${chatName(i.path[0])}: ${i.message}`)
      .join('; ');
    throw new UserError('brand_invalid', `That brand voice is not valid: ${problems}.`, {
      hint: 'Say "brand" to see the voice in force, e.g. "brand set emoji none" or "brand set tone warm, playful".',
    });
  }
  const brand = parsed.data;
  const clash = replacementBanned(brand);
  if (clash) {
    throw new UserError(
      'brand_invalid',
      `That brand voice is not valid: "${clash[1]}" replaces "${clash[0]}" in the brand file, so it cannot be avoided too.`,
      { hint: 'Change the replacement in the brand file first, or avoid another word.' },
    );
  }
  return brand;
}

const merged = new Map<string, BrandInForce>();

/**
 * The brand voice in force: the file's (or the defaults), with the fields set from the chat over it.
 *
 * @example
 * const { brand, sources } = await brandInForce(database, await currentBrandFile(undefined));
 * sources.tone; // { from: 'database', by: 'slack:U1', at: Date } after "brand set tone warm"
 */
export async function brandInForce(database: Database, file: BrandFile): Promise<BrandInForce> {
  const { fields } = await readStored(database);
  // The same object for the same voice: the guardrails compile their patterns once per voice.
  const key = `${file.path}\0${JSON.stringify(file.brand)}\0${JSON.stringify(fields)}`;
  const cached = merged.get(key);
  if (cached) return cached;
  const voice: Record<string, unknown> = { ...file.brand };
  const sources = {} as Record<keyof BrandVoice, BrandSource>;
  for (const k of Object.keys(file.brand) as (keyof BrandVoice)[]) {
    sources[k] = file.path && file.keys.includes(k) ? { from: 'file', path: file.path } : { from: 'default' };
  }
  for (const [k, set] of Object.entries(fields)) {
    if (!(Object.values(BRAND_FIELDS) as string[]).includes(k)) continue;
    voice[k] = set.value;
    sources[k as VoiceKey] = { from: 'database', by: set.by, at: new Date(set.at) };
  }
  const result = { brand: validate(voice), sources };
  if (merged.size > 50) merged.clear();
  merged.set(key, result);
  return result;
}

/** Words or claims from the chat: "cheap, bargain and miracle" → ['cheap', 'bargain', 'miracle']. */
export function listValue(text: string): string[] {
  return text
    .split(/\s*(?:,|;|\band\b)\s*/i)
    .map((w) => w.trim().replace(/^["'“‘]|["'”’]$/g, ''))
    .filter(Boolean);
}

export type BrandChange =
  | { action: 'set'; field: BrandField; value: string }
  | { action: 'add' | 'remove'; field: BrandField; value: string }
  | { action: 'reset'; field?: BrandField | undefined };

/**
 * Applies a change from the chat: validated against the file's voice before it is stored, so the voice in
 * force is always valid. Returns the new voice in force.
 *
 * @example
 * await changeBrand(database, file, { action: 'add', field: 'avoid', value: 'lantern' }, 'slack:U1');
 */
export async function changeBrand(
  database: Database,
  file: BrandFile,
  change: BrandChange,
  who: string,
): Promise<BrandInForce> {
  const current = await readStored(database);
  const fields = { ...current.fields };
  const at = new Date().toISOString();
  if (change.action === 'reset') {
    if (change.field) delete fields[BRAND_FIELDS[change.field]];
    else for (const k of Object.keys(fields)) delete fields[k];
  } else {
    const key = BRAND_FIELDS[change.field];
    const isList = LIST_FIELDS.has(change.field);
    if (!isList && change.action !== 'set') {
      throw new UserError('brand_bad_change', `"${change.field}" holds one value: set it instead.`, {
        hint: `For example: brand set ${change.field} ${change.field === 'emoji' ? 'none' : '...'}`,
      });
    }
    let value: string | string[] = isList ? listValue(change.value) : change.value.trim();
    if (isList && change.action !== 'set') {
      const before = (await brandInForce(database, file)).brand[key] as string[];
      const words = value as string[];
      const lower = new Set(words.map((w) => w.toLowerCase()));
      value =
        change.action === 'add'
          ? [...before, ...words.filter((w) => !before.some((b) => b.toLowerCase() === w.toLowerCase()))]
          : before.filter((b) => !lower.has(b.toLowerCase()));
    }
    fields[key] = { value, by: who, at };
  }
  // Refused here, before anything is stored, when the result would not be a valid voice.
  const voice: Record<string, unknown> = { ...file.brand };
  for (const [k, set] of Object.entries(fields)) voice[k] = set.value;
  validate(voice);
  await database.db
    .insert(meta)
    .values({ key: BRAND_KEY, value: { fields } })
    .onConflictDoUpdate({ target: meta.key, set: { value: { fields }, updatedAt: new Date() } });
  return brandInForce(database, file);
}
