/**
 * Reading a copy request: "an email for the lapsed Germans segment about the new Christmas lights, 20% off".
 * The channel, the number of variants, product ids, the audience (a saved segment, the thread's segment, or a
 * sentence for the segment parser) and the topic. The marketer's words are only ever data.
 */
import { stat } from 'node:fs/promises';
import { UserError } from '../core/errors.ts';
import type { Database } from '../db/client.ts';
import type { LlmProvider } from '../llm/provider.ts';
import type { Logger } from '../logger.ts';
import type { SegmentDefinition } from '../segments/definition.ts';
import { describeSegment } from '../segments/describe.ts';
import { resolveSegmentRequest } from '../segments/request.ts';
import { listSegments } from '../segments/service.ts';
import { loadVocabulary } from '../segments/vocabulary.ts';
import { type BrandFile, type BrandVoice, readBrandFile } from './brand.ts';
import { brandInForce } from './brand-store.ts';
import type { Channel } from './channels.ts';
import { MAX_VARIANTS } from './generate.ts';

export interface ParsedCopyRequest {
  channel: Channel;
  variants: number;
  productIds: string[];
  /** Who it is for, as written ("the lapsed Germans segment"); empty: the thread's segment. */
  audience: string;
  topic: string;
}

const CHANNEL_WORDS: [RegExp, Channel][] = [
  [/\b(e-?mails?|newsletters?)\b/i, 'email'],
  [/\bpush(?:\s+notifications?)?\b|\bnotifications?\b/i, 'push'],
  [/\b(sms|texts?(?:\s+messages?)?)\b/i, 'sms'],
  [/\b(social(?:\s+media)?(?:\s+posts?)?|tweets?|posts?|instagram|facebook|linkedin)\b/i, 'social'],
];

const NUMBERS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5 };

/**
 * @example
 * parseCopyRequest('2 sms variants for lapsed-germans about candles, 20% off');
 * // { channel: 'sms', variants: 2, productIds: [], audience: 'lapsed-germans', topic: 'candles, 20% off' }
 */
export function parseCopyRequest(text: string): ParsedCopyRequest {
  let rest = ` ${text.trim()} `;
  let channel: Channel = 'email';
  let earliest = Number.POSITIVE_INFINITY;
  for (const [re, ch] of CHANNEL_WORDS) {
    const m = re.exec(rest);
    if (m && m.index < earliest) {
      earliest = m.index;
      channel = ch;
    }
  }
  let variants = 3;
  const v =
    /\b(\d{1,2}|one|two|three|four|five)\s+(?:\w+\s+)?(variants?|versions?|options?|drafts?|takes?)\b/i.exec(
      rest,
    );
  if (v) {
    variants = NUMBERS[v[1]!.toLowerCase()] ?? Number(v[1]);
    rest = rest.replace(v[0], ' ');
  }
  if (variants < 1 || variants > MAX_VARIANTS) {
    throw new UserError(
      'copy_variants',
      `I can write 1 to ${MAX_VARIANTS} variants at a time, not ${variants}.`,
    );
  }
  const productIds: string[] = [];
  rest = rest.replace(
    /\bproducts?\s+((?:[A-Za-z]*\d[A-Za-z0-9]*)(?:\s*(?:,|and)\s*[A-Za-z]*\d[A-Za-z0-9]*)*)/gi,
    (_, ids: string) => {
      productIds.push(...ids.split(/\s*(?:,|and)\s*/i).filter(Boolean));
      return ' ';
    },
  );
  // A topic word left with nothing after it once product ids are taken out ("... about product 22727").
  rest = rest.replace(/\s+/g, ' ').replace(/\s(?:about|featuring|promoting|announcing)\s*$/i, ' ');
  // "for X about Y": X is the audience, Y the topic; either may come first.
  const about =
    /\s(?:about|featuring|promoting|announcing|for our|to promote|to announce)\s+(?!for\s)(.+?)(?=\s+for\s+(?!our\b)|$)/i.exec(
      rest,
    );
  const topic = about ? about[1]!.trim() : '';
  if (about) rest = rest.replace(about[0], ' ');
  const forMatch = /\s(?:for|to)\s+(.+)$/i.exec(rest);
  const audience = forMatch ? forMatch[1]!.trim().replace(/[.,;]+$/, '') : '';
  return { channel, variants, productIds, audience, topic };
}

const THIS =
  /^(this|that|the)\s+(segment|audience|group|list)$|^(them|these customers|those customers|this one|it)$/i;

const key = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/^(the|our)\s+/, '')
    .replace(/\s+(segment|audience|group|list)$/, '')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');

export interface ResolvedAudience {
  definition: SegmentDefinition;
  label: string;
  notes: string[];
}

/**
 * The audience of a copy request: a saved segment by name (any case, spaces or dashes, "segment" optional),
 * the thread's segment ("this segment", or nothing said), or a sentence read like any segment request.
 */
export async function resolveAudience(
  database: Database,
  audience: string,
  ctx: {
    previous?: { definition: SegmentDefinition; description: string; name?: string } | null;
    llm?: LlmProvider | undefined;
    log?: Logger | undefined;
  },
): Promise<ResolvedAudience> {
  const said = audience.trim();
  if (!said || THIS.test(said)) {
    if (!ctx.previous) {
      throw new UserError(
        'copy_no_segment',
        'Who is this copy for? There is no segment in this thread yet.',
        {
          hint: 'Name one, e.g. "draft an email for lapsed-germans about candles", or describe an audience first.',
        },
      );
    }
    return {
      definition: ctx.previous.definition,
      label: ctx.previous.name ?? ctx.previous.description,
      notes: [],
    };
  }
  const wanted = key(said);
  const saved = (await listSegments(database)).find((s) => key(s.name) === wanted);
  if (saved) return { definition: saved.definition, label: saved.name, notes: [] };
  const parsed = await resolveSegmentRequest(said, {
    vocab: await loadVocabulary(database),
    llm: ctx.llm,
    log: ctx.log,
  });
  if (!parsed.ok) {
    throw new UserError(
      'copy_segment_not_understood',
      `I couldn't tell who "${said.slice(0, 80)}" is. ${parsed.message}`,
      {
        hint: 'Use a saved segment name (say "segments" to list them) or describe the audience, e.g. "customers in Germany".',
      },
    );
  }
  return { definition: parsed.definition, label: describeSegment(parsed.definition), notes: parsed.notes };
}

let brandCache: { key: string; brand: Promise<BrandFile> } | undefined;

/** The brand file, read again when it changes, so an edited brand.yml applies without a restart. */
export async function currentBrandFile(file: string | undefined): Promise<BrandFile> {
  const path = file ?? 'brand.yml';
  const mtime = await stat(path).then(
    (s) => s.mtimeMs,
    () => -1,
  );
  const key = `${file ?? ''}\0${mtime}`;
  if (!brandCache || brandCache.key !== key) {
    const brand = readBrandFile(file);
    brandCache = { key, brand };
    // A broken file is reported every time it is used, until it is fixed.
    brand.catch(() => {
      if (brandCache?.brand === brand) brandCache = undefined;
    });
  }
  return brandCache.brand;
}

/**
 * The brand voice in force: the file (MEGAPHONE_BRAND_FILE, else ./brand.yml when present, else the
 * default), with the fields set from the chat (`brand set ...`, stored in the database) over it when a
 * database is given.
 */
export async function currentBrand(file: string | undefined, database?: Database): Promise<BrandVoice> {
  const fromFile = await currentBrandFile(file);
  if (!database) return fromFile.brand;
  return (await brandInForce(database, fromFile)).brand;
}
