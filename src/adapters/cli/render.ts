import Table from 'cli-table3';
import type { Reply } from '../../core/reply.ts';

/**
 * Renders a neutral `Reply` as terminal text. Chat markup (`*bold*`) is dropped; tables are boxed.
 *
 * @example
 * console.log(renderReply({ title: 'Hi', fields: [{ label: 'Customers', value: '4,338' }] }));
 */
export function renderReply(
  reply: Reply,
  options: { attachmentPaths?: Record<string, string> } = {},
): string {
  const out: string[] = [];
  // Code spans first: a cron expression like `0 9 * * *` keeps its stars; emphasis is dropped only outside them.
  const plain = (s: string) =>
    s
      .split(/`([^`\n]+)`/)
      .map((part, i) => (i % 2 === 1 ? part : part.replace(/\*([^*\n]+)\*/g, '$1')))
      .join('');
  if (reply.title) out.push(plain(reply.title), '-'.repeat(Math.min(plain(reply.title).length, 60)));
  if (reply.text)
    out.push(`${reply.tone === 'error' ? '✖ ' : reply.tone === 'warning' ? '! ' : ''}${plain(reply.text)}`);
  if (reply.fields?.length) {
    const width = Math.max(...reply.fields.map((f) => f.label.length));
    for (const f of reply.fields) out.push(`  ${f.label.padEnd(width)}  ${f.value}`);
  }
  if (reply.table) {
    const table = new Table({ head: reply.table.columns, style: { head: [], border: [] }, wordWrap: true });
    for (const row of reply.table.rows) table.push(row.map((c) => (c === null ? '' : plain(String(c)))));
    out.push(table.toString());
    if (reply.table.truncated) out.push(`  ... and ${reply.table.truncated} more`);
  }
  for (const a of reply.attachments ?? []) {
    const saved = options.attachmentPaths?.[a.filename];
    out.push(
      `[${saved ? `saved ${saved}` : `attachment ${a.filename}`}${a.altText ? `: ${a.altText}` : ''}]`,
    );
  }
  if (reply.buttons?.length) out.push(`Next: ${reply.buttons.map((b) => b.label).join(' · ')}`);
  if (reply.context) out.push(plain(reply.context));
  return out.join('\n');
}
