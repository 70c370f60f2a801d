import { z } from 'zod';
import {
  BRAND_FIELDS,
  type BrandField,
  type BrandInForce,
  type BrandSource,
  brandInForce,
  changeBrand,
  LIST_FIELDS,
} from '../src/copy/brand-store.ts';
import { currentBrandFile } from '../src/copy/request.ts';
import { defineCommand } from '../src/core/command.ts';
import { UserError } from '../src/core/errors.ts';

const FIELD_NAMES = Object.keys(BRAND_FIELDS) as [BrandField, ...BrandField[]];

/** How people name the fields in a sentence. */
const FIELD_WORDS: [RegExp, BrandField][] = [
  [/^(?:banned|avoid(?:ed)?)\s+claims?\b|^claims?\b/i, 'claims'],
  [/^(?:banned|avoid(?:ed)?)(?:\s+words?)?\b|^words?\s+to\s+avoid\b/i, 'avoid'],
  [/^tone(?:\s+words?)?\b/i, 'tone'],
  [/^emoji(?:s|\s+policy)?\b/i, 'emoji'],
  [/^sign[\s_-]?off\b/i, 'sign-off'],
  [/^(?:sms\s+)?opt[\s_-]?out\b/i, 'opt-out'],
  [/^lang(?:uage)?\b/i, 'language'],
  [/^(?:brand\s+)?name\b/i, 'name'],
];

function fieldAt(text: string): { field: BrandField; rest: string } | null {
  for (const [re, field] of FIELD_WORDS) {
    const m = re.exec(text);
    if (m) return { field, rest: text.slice(m[0].length).replace(/^\s*(?:[:=]|to\b)?\s*/i, '') };
  }
  return null;
}

const when = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function sourceText(source: BrandSource): string {
  switch (source.from) {
    case 'database':
      return `set in the chat by ${source.by}, ${when(source.at)}`;
    case 'file':
      return source.path;
    default:
      return 'default';
  }
}

function showValue(value: unknown): string {
  if (Array.isArray(value)) return value.length ? value.join(', ') : '(none)';
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length ? entries.map(([k, v]) => `${k} → ${v}`).join(', ') : '(none)';
  }
  return value === '' ? '(none)' : String(value);
}

function voiceFields(voice: BrandInForce): { label: string; value: string }[] {
  const rows: [string, keyof BrandInForce['brand']][] = [
    ['name', 'name'],
    ['language', 'language'],
    ['tone', 'tone'],
    ['avoid (banned words)', 'banned_words'],
    ['claims (banned claims)', 'banned_claims'],
    ['replacements', 'replacements'],
    ['emoji', 'emoji'],
    ['sign-off', 'sign_off'],
    ['opt-out (SMS)', 'sms_opt_out'],
  ];
  return rows.map(([label, key]) => ({
    label,
    value: `${showValue(voice.brand[key])} · ${sourceText(voice.sources[key])}`,
  }));
}

export default defineCommand({
  name: 'brand',
  description: 'Show the brand voice for copy and where each part comes from, or change it from the chat',
  examples: [
    'brand',
    'brand set tone warm, playful',
    'brand avoid cheap, bargain',
    'brand allow bargain',
    'brand set emoji none',
    'brand set sign-off With love, the Hearth & Co team',
    'brand reset tone',
  ],
  aliases: ['brand voice'],
  args: z.object({
    action: z.enum(['show', 'set', 'add', 'remove', 'reset']).default('show'),
    field: z.enum(FIELD_NAMES, { message: `name one of ${FIELD_NAMES.join(', ')}` }).optional(),
    value: z.string().trim().max(300, 'keep it under 300 characters').optional(),
  }),
  // "brand new customers in Germany" is a segment request; only a verb or a field name makes it this command.
  takes: (rest) =>
    rest === '' ||
    /^(?:show|voice|set|add|remove|reset|avoid|ban|allow|unban)\b/i.test(rest) ||
    fieldAt(rest) !== null,
  parse: (text) => {
    const t = text.trim();
    if (t === '' || /^(?:show|voice)$/i.test(t)) return { action: 'show' };
    const verb = /^(set|add|remove|reset|avoid|ban|allow|unban)\b\s*/i.exec(t);
    const word = verb?.[1]?.toLowerCase();
    const rest = verb ? t.slice(verb[0].length) : t;
    // "brand avoid cheap" adds to the words to avoid; "brand allow cheap" takes it off.
    if (word === 'avoid' || word === 'ban' || word === 'allow' || word === 'unban') {
      const claims = /^claims?\b\s*:?\s*/i.exec(rest);
      return {
        action: word === 'allow' || word === 'unban' ? 'remove' : 'add',
        field: claims ? 'claims' : 'avoid',
        value: claims ? rest.slice(claims[0].length) : rest.replace(/^words?\s*:?\s*/i, ''),
      };
    }
    if (word === 'reset' && /^(?:all|everything)?$/i.test(rest)) return { action: 'reset' };
    const found = fieldAt(rest);
    if (!found) return { action: word ?? 'set', field: rest.split(/\s+/)[0], value: '' };
    return { action: word ?? 'set', field: found.field, value: found.rest };
  },
  async run(ctx, { action, field, value }) {
    const file = await currentBrandFile(ctx.config.brandFile);
    if (action === 'show') {
      const voice = await brandInForce(ctx.database, file);
      const fromChat = Object.values(voice.sources).some((s) => s.from === 'database');
      return {
        reply: {
          title: `Brand voice: ${voice.brand.name}`,
          fields: voiceFields(voice),
          context:
            `Fields set in the chat take precedence over ${file.path ?? 'the brand file (none found: defaults)'}` +
            (fromChat ? '; "brand reset FIELD" hands one back.' : '.'),
        },
      };
    }
    const who = `${ctx.caller.platform}:${ctx.caller.userId}`;
    if (action === 'reset') {
      const voice = await changeBrand(ctx.database, file, { action, field }, who);
      return {
        reply: {
          tone: 'success',
          text: field
            ? `The brand ${field} comes from ${file.path ?? 'the defaults'} again: ${showValue(voice.brand[BRAND_FIELDS[field]])}.`
            : `Every brand field set in the chat is cleared; the voice comes from ${file.path ?? 'the defaults'} again.`,
          context: `reset by ${who}`,
        },
      };
    }
    if (!field) {
      throw new UserError('brand_bad_change', 'Which part of the brand voice should change?', {
        hint: `Name one of ${FIELD_NAMES.join(', ')}, e.g. "brand set tone warm, playful" or "brand avoid cheap".`,
      });
    }
    if (!value) {
      const question =
        field === 'avoid'
          ? 'Which words should copy avoid?'
          : field === 'claims'
            ? 'Which claims should copy avoid?'
            : `What should the brand ${field} be?`;
      throw new UserError('brand_bad_change', question, {
        hint: LIST_FIELDS.has(field)
          ? `For example: "brand set ${field} ${field === 'tone' ? 'warm, playful' : 'cheap, bargain'}".`
          : `For example: "brand set ${field} ${field === 'emoji' ? 'none' : field === 'language' ? 'en-GB' : '...'}".`,
      });
    }
    const voice = await changeBrand(ctx.database, file, { action, field, value }, who);
    const now = showValue(voice.brand[BRAND_FIELDS[field]]);
    return {
      reply: {
        tone: 'success',
        text: `Brand ${field} is now: ${now}. The next drafts use it${field === 'avoid' || field === 'claims' ? ', and no draft shows these' : ''}.`,
        context: `set in the chat by ${who}; it takes precedence over ${file.path ?? 'the defaults'} ("brand reset ${field}" hands it back)`,
      },
    };
  },
});
