/**
 * Drafts as chat replies: each variant with its rationale and the figures that matter for its channel, and
 * Approve / Regenerate / Edit buttons whose action and value form the command they stand for.
 */
import type { Button, Reply } from '../core/reply.ts';
import { plural } from '../core/reply.ts';
import { charLength, LIMITS, renderContent, smsLength } from './channels.ts';
import type { StoredDraft } from './store.ts';

const LETTERS = 'ABCDEFGHIJ';

/** The lengths a marketer checks before sending, against the channel's limits. */
export function lengths(d: StoredDraft): string {
  const c = d.content;
  switch (c.channel) {
    case 'email':
      return `subject ${charLength(c.subject)}/${LIMITS.email.subject} · preheader ${charLength(c.preheader)}/${LIMITS.email.preheader}`;
    case 'push':
      return `title ${charLength(c.title)}/${LIMITS.push.title} · body ${charLength(c.body)}/${LIMITS.push.body}`;
    case 'sms': {
      const s = smsLength(c.text);
      return `${s.encoding} ${s.units}/${s.limit}`;
    }
    case 'social':
      return `${charLength(c.text)}/${LIMITS.social.text}`;
  }
}

export function draftButtons(d: StoredDraft): Button[] {
  if (d.status !== 'draft') return [];
  const n = String(d.id);
  return [
    { action: 'approve draft', value: n, label: `Approve #${n}`, style: 'primary' },
    { action: 'regenerate draft', value: n, label: `Regenerate #${n}` },
    { action: 'edit draft', value: n, label: `Edit #${n}` },
  ];
}

export interface SimilarNote {
  draftId: number;
  similarTo: number;
  similarity: number;
}

export function draftBlock(d: StoredDraft, similar?: SimilarNote): string {
  const head = `*Draft #${d.id} · variant ${LETTERS[d.variant - 1] ?? d.variant}* (${d.channel}, ${lengths(d)})`;
  const flag = similar
    ? `\n⚠ Very close to approved draft #${similar.similarTo} (${Math.round(similar.similarity * 100)}% similar): consider another angle.`
    : '';
  return `${head}\n${d.rationale}${flag}\n\n${renderContent(d.content)}`;
}

/** The answer to a copy request: every variant, then what to do with them. */
export function draftsReply(
  drafts: StoredDraft[],
  options: { notices?: string[]; similar?: SimilarNote[]; skippedSimilarity?: string; title?: string } = {},
): Reply {
  const first = drafts[0]!;
  const similar = new Map((options.similar ?? []).map((s) => [s.draftId, s]));
  const products = first.facts.products.map((p) => p.name).join(', ');
  return {
    title: options.title ?? `${plural(drafts.length, `${first.channel} draft`)} for ${first.segment}`,
    text: [...(options.notices ?? []), ...drafts.map((d) => draftBlock(d, similar.get(d.id)))].join('\n\n'),
    buttons: drafts.flatMap(draftButtons),
    context:
      `${first.traits.description} · ${plural(first.traits.count, 'customer')} · products: ${products}` +
      ` · written by ${first.writer === 'local' ? 'local templates' : first.writer}` +
      (options.skippedSimilarity
        ? ` · near-duplicate check skipped: ${options.skippedSimilarity.replace(/\.$/, '')}`
        : '') +
      ` · to change one: "edit draft ${first.id} ${first.channel === 'email' ? 'subject' : first.channel === 'push' ? 'title' : 'text'}: new words"`,
  };
}
