/**
 * Channels and their limits. A draft's content is a small record per channel; `channelProblems` says what
 * breaks a limit and `fitContent` repairs what can be repaired (shorter sentences, GSM-safe punctuation in
 * SMS), so a draft is either within every limit or not returned at all.
 */
import { z } from 'zod';

export const CHANNELS = ['email', 'push', 'sms', 'social'] as const;
export type Channel = (typeof CHANNELS)[number];

export const LIMITS = {
  email: { subject: 60, preheader: 100, body: 2000, cta: 30 },
  push: { title: 40, body: 120 },
  /** Septets for GSM-7 text, UTF-16 code units when the text needs Unicode (UCS-2). */
  sms: { gsm7: 160, ucs2: 70 },
  social: { text: 280 },
} as const;

export const emailContent = z.object({
  channel: z.literal('email'),
  subject: z.string(),
  preheader: z.string(),
  body: z.string(),
  cta: z.string(),
});
export const pushContent = z.object({ channel: z.literal('push'), title: z.string(), body: z.string() });
export const smsContent = z.object({ channel: z.literal('sms'), text: z.string() });
export const socialContent = z.object({ channel: z.literal('social'), text: z.string() });
export const draftContent = z.discriminatedUnion('channel', [
  emailContent,
  pushContent,
  smsContent,
  socialContent,
]);
export type DraftContent = z.infer<typeof draftContent>;
export type EmailContent = z.infer<typeof emailContent>;

/** The text fields of a content record, in reading order. */
export function textFields(content: DraftContent): [field: string, value: string][] {
  switch (content.channel) {
    case 'email':
      return [
        ['subject', content.subject],
        ['preheader', content.preheader],
        ['body', content.body],
        ['cta', content.cta],
      ];
    case 'push':
      return [
        ['title', content.title],
        ['body', content.body],
      ];
    default:
      return [['text', content.text]];
  }
}

export function withField(content: DraftContent, field: string, value: string): DraftContent {
  return draftContent.parse({ ...content, [field]: value });
}

/** Every field in one text (for similarity, banned words and the facts check). */
export function fullText(content: DraftContent): string {
  return textFields(content)
    .map(([, v]) => v)
    .join('\n');
}

// GSM 03.38: the default alphabet (one septet each) and the extension table (escape + one septet = two).
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '\f^{}\\[~]|€';
const BASIC = new Set(GSM_BASIC);
const EXTENDED = new Set(GSM_EXTENSION);

export interface SmsLength {
  encoding: 'GSM-7' | 'UCS-2';
  /** Septets (GSM-7, extension characters count two) or UTF-16 code units (UCS-2). */
  units: number;
  /** What one message holds in this encoding. */
  limit: number;
  /** Characters that force UCS-2, when any. */
  unicode: string[];
}

/**
 * How an SMS is encoded and how long it is in that encoding.
 *
 * @example
 * smsLength('Hi {there}'); // { encoding: 'GSM-7', units: 12, limit: 160, unicode: [] }
 * smsLength('Hi ☃'); // { encoding: 'UCS-2', units: 4, limit: 70, unicode: ['☃'] }
 */
export function smsLength(text: string): SmsLength {
  let septets = 0;
  const unicode: string[] = [];
  for (const ch of text) {
    if (BASIC.has(ch)) septets += 1;
    else if (EXTENDED.has(ch)) septets += 2;
    else if (!unicode.includes(ch)) unicode.push(ch);
  }
  if (unicode.length === 0) return { encoding: 'GSM-7', units: septets, limit: LIMITS.sms.gsm7, unicode };
  return { encoding: 'UCS-2', units: text.length, limit: LIMITS.sms.ucs2, unicode };
}

/** Typographic characters with a GSM-7 equivalent: replacing them keeps an SMS at 160 instead of 70. */
const GSM_SAFE: [RegExp, string][] = [
  [/[‘’‚‛′]/g, "'"],
  [/[“”„‟″]/g, '"'],
  [/[–—‒―]/g, '-'],
  [/…/g, '...'],
  [/[\u00a0\u2009\u202f]/g, ' '],
  [/•/g, '-'],
  [/·/g, '-'],
  [/→/g, '->'],
];

export function toGsmSafe(text: string): string {
  let out = text;
  for (const [pattern, replacement] of GSM_SAFE) out = out.replace(pattern, replacement);
  return out;
}

const EMOJI = /\p{Extended_Pictographic}(\uFE0F|\u200D\p{Extended_Pictographic})*/gu;

export function countEmoji(text: string): number {
  return [...text.matchAll(EMOJI)].length;
}

export function stripEmoji(text: string): string {
  return text
    .replace(EMOJI, '')
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/ +([.,!?])/g, '$1')
    .replace(/^ +| +$/gm, '');
}

/** Length as people and most platforms count it: code points, not UTF-16 units. */
export function charLength(text: string): number {
  return [...text].length;
}

export interface Problem {
  kind: 'limit' | 'missing' | 'banned' | 'claim' | 'emoji' | 'fact';
  field: string;
  message: string;
}

/**
 * Problems as one line for people: each names its field once ("subject is empty", "body names £9.99, ...").
 *
 * @example
 * describeProblems([{ kind: 'missing', field: 'cta', message: 'cta is empty' }]); // 'cta is empty'
 */
export function describeProblems(problems: readonly Pick<Problem, 'field' | 'message'>[]): string {
  return problems
    .map((p) => (p.message.startsWith(`${p.field} `) ? p.message : `${p.field} ${p.message}`))
    .join('; ');
}

/**
 * What breaks a channel's limits, one problem per field.
 *
 * @example
 * channelProblems({ channel: 'push', title: 'x'.repeat(41), body: 'ok' }, { optOut: 'STOP' });
 * // [{ kind: 'limit', field: 'title', message: 'title is 41 characters; push allows 40' }]
 */
export function channelProblems(content: DraftContent, options: { optOut: string }): Problem[] {
  const problems: Problem[] = [];
  const over = (field: string, value: string, max: number) => {
    const n = charLength(value);
    if (n > max) {
      problems.push({
        kind: 'limit',
        field,
        message: `${field} is ${n} characters; ${content.channel} allows ${max}`,
      });
    }
  };
  const required = (field: string, value: string) => {
    if (!value.trim()) problems.push({ kind: 'missing', field, message: `${field} is empty` });
  };
  switch (content.channel) {
    case 'email':
      for (const [field, value] of textFields(content)) required(field, value);
      over('subject', content.subject, LIMITS.email.subject);
      over('preheader', content.preheader, LIMITS.email.preheader);
      over('body', content.body, LIMITS.email.body);
      over('cta', content.cta, LIMITS.email.cta);
      break;
    case 'push':
      required('title', content.title);
      required('body', content.body);
      over('title', content.title, LIMITS.push.title);
      over('body', content.body, LIMITS.push.body);
      break;
    case 'sms': {
      required('text', content.text);
      const length = smsLength(content.text);
      if (length.units > length.limit) {
        const why = length.unicode.length
          ? ` (it needs Unicode for ${length.unicode.slice(0, 3).join(' ')})`
          : '';
        problems.push({
          kind: 'limit',
          field: 'text',
          message: `SMS is ${length.units} ${length.encoding} units${why}; one message holds ${length.limit}`,
        });
      }
      if (!content.text.toLowerCase().includes(options.optOut.toLowerCase())) {
        problems.push({
          kind: 'missing',
          field: 'text',
          message: `SMS lacks the opt-out text "${options.optOut}"`,
        });
      }
      break;
    }
    case 'social':
      required('text', content.text);
      over('text', content.text, LIMITS.social.text);
      break;
  }
  return problems;
}

/** Sentences, keeping their punctuation; a line break ends a sentence too. */
function sentences(text: string): string[] {
  return (
    text
      .match(/[^.!?\n]+(?:[.!?]+|\n|$)/g)
      ?.map((s) => s.trim())
      .filter(Boolean) ?? [text]
  );
}

/**
 * Shortens text to `max` (by `measure`): drops whole sentences from the end first (keeping `keepLast`, e.g.
 * an opt-out line), then cuts at a word boundary with an ellipsis. Never cuts inside a word.
 */
export function fitText(
  text: string,
  max: number,
  options: { measure?: (s: string) => number; keepLast?: string; ellipsis?: string } = {},
): string {
  const measure = options.measure ?? charLength;
  if (measure(text) <= max) return text;
  const keep = options.keepLast && text.endsWith(options.keepLast) ? options.keepLast : '';
  const head = keep ? text.slice(0, -keep.length).trimEnd() : text;
  const join = (parts: string[]) => [parts.join(' '), keep].filter(Boolean).join(' ');
  const parts = sentences(head);
  while (parts.length > 1 && measure(join(parts)) > max) parts.pop();
  let out = join(parts);
  if (measure(out) <= max) return out;
  const ellipsis = options.ellipsis ?? '…';
  const words = (parts[0] ?? '').split(' ');
  while (words.length > 1) {
    words.pop();
    const candidate = [`${words.join(' ').replace(/[,;:–-]+$/, '')}${ellipsis}`, keep]
      .filter(Boolean)
      .join(' ');
    if (measure(candidate) <= max) return candidate;
  }
  out = keep;
  return out;
}

/** Repairs what can be repaired mechanically; what still breaks a limit is reported by `channelProblems`. */
export function fitContent(content: DraftContent, options: { optOut: string }): DraftContent {
  switch (content.channel) {
    case 'email':
      return {
        ...content,
        subject: fitText(content.subject, LIMITS.email.subject),
        preheader: fitText(content.preheader, LIMITS.email.preheader),
        body: fitText(content.body, LIMITS.email.body),
      };
    case 'push':
      return {
        ...content,
        title: fitText(content.title, LIMITS.push.title),
        body: fitText(content.body, LIMITS.push.body),
      };
    case 'sms': {
      let text = toGsmSafe(content.text);
      if (!text.toLowerCase().includes(options.optOut.toLowerCase()))
        text = `${text.trimEnd()} ${options.optOut}`;
      // Emoji would halve the message to 70 units: a text message is better off without them.
      if (smsLength(text).encoding === 'UCS-2' && smsLength(stripEmoji(text)).encoding === 'GSM-7') {
        text = stripEmoji(text);
      }
      const measure = (s: string) => smsLength(s).units;
      const limit = smsLength(text).limit;
      return {
        ...content,
        text: fitText(text, limit, {
          measure: (s) => (smsLength(s).encoding === 'GSM-7' ? measure(s) : s.length),
          keepLast: options.optOut,
          ellipsis: '...',
        }),
      };
    }
    case 'social':
      return { ...content, text: fitText(content.text, LIMITS.social.text) };
  }
}

/** A draft as a marketer reads it: labelled fields for email and push, the text itself otherwise. */
export function renderContent(content: DraftContent): string {
  switch (content.channel) {
    case 'email':
      return `Subject: ${content.subject}\nPreheader: ${content.preheader}\n\n${content.body}\n\n[${content.cta}]`;
    case 'push':
      return `${content.title}\n${content.body}`;
    default:
      return content.text;
  }
}
