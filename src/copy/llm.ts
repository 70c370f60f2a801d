/**
 * Copy from a language model: the brief becomes the `copy-draft` prompt (rules and facts) and the marketer's
 * words go in the user turn as delimited data (`copy-request`). The answer is a strict JSON schema, validated
 * with zod and converted to channel content; the guardrails then check every draft like any other.
 */
import { z } from 'zod';
import { formatMoney } from '../core/reply.ts';
import { loadPrompt, type Prompt, renderPrompt } from '../llm/prompts.ts';
import type { LlmMessage, LlmProvider } from '../llm/provider.ts';
import { LIMITS } from './channels.ts';
import type { Facts } from './guard.ts';
import type { CopyBrief, WrittenDraft } from './local.ts';

const wireVariant = z.object({
  subject: z.string().nullable(),
  preheader: z.string().nullable(),
  title: z.string().nullable(),
  body: z.string().nullable(),
  cta: z.string().nullable(),
  text: z.string().nullable(),
  rationale: z.string().describe('one line: the angle and the trait or fact it plays to'),
  productIds: z.array(z.string()).describe('ids of the products this variant names'),
});

/** What the model fills in (exported for tests). */
export const wireDrafts = z.object({ variants: z.array(wireVariant) });
export type WireDrafts = z.infer<typeof wireDrafts>;

const FIELDS: Record<CopyBrief['channel'], string> = {
  email:
    `- subject: at most ${LIMITS.email.subject} characters\n- preheader: at most ${LIMITS.email.preheader} characters\n` +
    `- body: a short email body ending with the sign-off\n- cta: the call-to-action button text, at most ${LIMITS.email.cta} characters`,
  push: `- title: at most ${LIMITS.push.title} characters\n- body: at most ${LIMITS.push.body} characters`,
  sms:
    `- text: at most ${LIMITS.sms.gsm7} characters in the GSM-7 alphabet (no emoji, no curly quotes), ` +
    'starting with the brand name and ending with the opt-out text',
  social: `- text: at most ${LIMITS.social.text} characters`,
};

let prompts: Promise<{ system: Prompt; request: Prompt }> | undefined;

/** Loaded once per process, and checked at first use: a broken prompt file fails loudly. */
export function copyPrompts(): Promise<{ system: Prompt; request: Prompt }> {
  prompts ??= Promise.all([loadPrompt('copy-draft'), loadPrompt('copy-request')]).then(
    ([system, request]) => ({
      system,
      request,
    }),
  );
  return prompts;
}

const list = (items: string[]) => (items.length ? items.join(', ') : 'none');

function offersLine(facts: Facts): string {
  const offers = [
    ...facts.percents.map((p) => `${p}% off`),
    ...facts.amounts.map((a) => `${formatMoney(a)} (amount named in the request)`),
    ...facts.offers,
  ];
  return offers.length ? offers.join('; ') : 'none (do not mention any discount or offer)';
}

/** Marketer text cannot close the delimiter or open a new one. */
export function quoteRequest(text: string): string {
  return text.replace(/<\/?\s*request\s*>/gi, '[request]').replace(/[<>]/g, (c) => (c === '<' ? '‹' : '›'));
}

/** The system and user turns for a brief. */
export async function copyMessages(
  brief: CopyBrief,
  n: number,
  request: string,
): Promise<{ system: string; user: string }> {
  const { system, request: wrap } = await copyPrompts();
  const { brand, facts, segment } = brief;
  const emoji = {
    none: 'never use emoji',
    sparing: 'at most one per variant, never in an SMS or an email subject',
    free: 'allowed where they fit',
  }[brand.emoji];
  const traits = [
    `Segment: ${segment.description} (${segment.count} customers).`,
    `Average spend ${formatMoney(segment.avgSpend)}, average ${segment.avgOrders.toFixed(1)} orders.`,
    segment.lifecycle
      ? `Most are ${segment.lifecycle.stage} (${Math.round(segment.lifecycle.share * 100)}%).`
      : '',
    segment.country
      ? `Most live in ${segment.country.name} (${Math.round(segment.country.share * 100)}%).`
      : '',
  ]
    .filter(Boolean)
    .join(' ');
  return {
    system: renderPrompt(system, {
      brand_name: brand.name,
      language: brand.language,
      tone: brand.tone.join(', '),
      banned_words: list(brand.banned_words),
      banned_claims: list(brand.banned_claims),
      emoji,
      sign_off: brand.sign_off || '(none)',
      channel: brief.channel,
      fields:
        FIELDS[brief.channel] +
        (brief.channel === 'sms' ? `\n- opt-out text, word for word: ${brand.sms_opt_out}` : ''),
      variants: String(n),
      segment: traits,
      products: facts.products
        .map(
          (p) =>
            `- ${p.id} | ${p.name} | ${p.category} | ${p.price === null ? 'no price' : formatMoney(p.price)}`,
        )
        .join('\n'),
      offers: offersLine(facts),
    }),
    user: renderPrompt(wrap, { request: quoteRequest(request) }),
  };
}

/** The model's variant as channel content; null when the fields the channel needs are missing. */
export function fromWire(
  channel: CopyBrief['channel'],
  v: WireDrafts['variants'][number],
): WrittenDraft | null {
  const s = (x: string | null) => x?.trim() ?? '';
  let content: WrittenDraft['content'];
  switch (channel) {
    case 'email':
      if (!s(v.subject) || !s(v.body) || !s(v.cta)) return null;
      content = { channel, subject: s(v.subject), preheader: s(v.preheader), body: s(v.body), cta: s(v.cta) };
      break;
    case 'push':
      if (!s(v.title) || !s(v.body)) return null;
      content = { channel, title: s(v.title), body: s(v.body) };
      break;
    default:
      if (!s(v.text)) return null;
      content = { channel, text: s(v.text) };
  }
  return {
    content,
    rationale: s(v.rationale).split('\n')[0] ?? '',
    productIds: v.productIds,
    angle: 'spotlight',
  };
}

export interface LlmAttempt {
  ok: boolean;
  drafts: (WrittenDraft | null)[];
  raw?: string;
  error?: string;
}

/** One request to the model; `messages` carries an earlier answer and what was wrong with it. */
export async function askModel(
  llm: LlmProvider,
  brief: CopyBrief,
  n: number,
  request: string,
  messages: LlmMessage[] = [],
): Promise<LlmAttempt> {
  const { system, user } = await copyMessages(brief, n, request);
  const answer = await llm.structured({ system, user, schema: wireDrafts, name: 'copy_drafts', messages });
  if (!answer.ok)
    return { ok: false, drafts: [], error: answer.error, ...(answer.raw ? { raw: answer.raw } : {}) };
  return { ok: true, drafts: answer.value.variants.map((v) => fromWire(brief.channel, v)), raw: answer.raw };
}
