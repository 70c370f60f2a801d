/**
 * The neutral `Reply` as Slack Block Kit, within Slack's limits: at most 50 blocks a message (100 in a Home
 * view), section text 3000 characters, header 150, 10 fields a section, 25 buttons an actions block, button
 * text 75 and value 2000. A table too long for a message becomes a CSV file with every row.
 */
import Papa from 'papaparse';
import { type Attachment, type Button, type Reply, splitText, type Table } from '../../core/reply.ts';

/** A Block Kit block; kept loose so this module needs no Slack types. */
export type Block = Record<string, unknown>;

export const LIMITS = {
  messageBlocks: 50,
  homeBlocks: 100,
  sectionText: 3000,
  headerText: 150,
  fieldsPerSection: 10,
  fieldText: 2000,
  contextElements: 10,
  buttonsPerBlock: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  /** The notification text (`text` next to `blocks`). */
  fallbackText: 3000,
} as const;

/** Rows shown in a message; a longer table goes out as CSV (with a preview of its first rows). */
export const MAX_TABLE_ROWS = 20;
const PREVIEW_ROWS = 10;
/** Wider than this, a code-block table wraps on a laptop screen: rows become a list instead. */
const CODE_TABLE_WIDTH = 80;
const CELL_WIDTH = 32;

export const ACTION_PREFIX = 'megaphone';

/** What a button press carries back (the button's `value`). */
export interface ButtonPayload {
  action: string;
  value: string;
}

export interface RenderedMessage {
  /** Notification and fallback text. */
  text: string;
  blocks: Block[];
  /** Files to upload with the message: the reply's attachments, plus long tables as CSV. */
  files: Attachment[];
}

export interface RenderOptions {
  /** Extra small print, e.g. who pressed the button this answers. */
  note?: string;
  maxBlocks?: number;
}

/**
 * Slack mrkdwn needs &, < and > escaped; `*bold*` and `_italic_` pass through.
 *
 * @example
 * escapeText('spend > £10 & <!channel>'); // 'spend &gt; £10 &amp; &lt;!channel&gt;'
 */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * What a person typed, from Slack's wire form: entities decoded (`&gt;` is `>`), links and channel references
 * as their visible text, and Megaphone's own mention removed.
 *
 * @example
 * fromSlackText('<@U0BOT> spend &gt; £1000 in <#C1|uk-team>', 'U0BOT'); // 'spend > £1000 in #uk-team'
 */
export function fromSlackText(text: string, botUserId?: string): string {
  return text
    .replace(/<@([A-Z0-9]+)(?:\|[^>]*)?>/gi, (whole, id: string) => (id === botUserId ? ' ' : whole))
    .replace(/<#[A-Z0-9]+\|([^>]*)>/gi, '#$1')
    .replace(/<(?:mailto:)?([^<>|]+)\|([^>]*)>/g, '$2')
    .replace(/<((?:https?|mailto):[^<>|]+)>/g, (_, url: string) => url.replace(/^mailto:/, ''))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const plain = (s: string) => s.replace(/\*([^*\n]+)\*/g, '$1').replace(/`([^`\n]+)`/g, '$1');

function cell(value: string | number | null): string {
  return value === null ? '' : String(value);
}

function section(text: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function tonePrefix(tone: Reply['tone']): string {
  if (tone === 'error') return ':x: ';
  if (tone === 'warning') return ':warning: ';
  return '';
}

/** File name for a table's CSV, from the reply's title. */
function csvName(title: string | undefined): string {
  const slug = (title ?? 'table')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
  return `${slug || 'table'}.csv`;
}

/**
 * Every row of a table as CSV, header first.
 *
 * @example
 * tableCsv({ columns: ['Country'], rows: [['France']] }); // 'Country\r\nFrance\n'
 */
export function tableCsv(table: Table): string {
  return `${Papa.unparse({ fields: table.columns, data: table.rows.map((r) => r.map(cell)) })}\n`;
}

function codeTable(table: Table, rows: Table['rows']): string {
  const cells = [table.columns, ...rows.map((r) => r.map((c) => clip(plain(cell(c)), CELL_WIDTH)))];
  const widths = table.columns.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = table.columns.map((_, i) =>
    rows.every((r) => r[i] === null || typeof r[i] === 'number' || /^[£$€-]?[\d,.]+%?$/.test(String(r[i]))),
  );
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const lines = [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)];
  return `\`\`\`\n${escapeText(lines.join('\n'))}\n\`\`\``;
}

function listTable(table: Table, rows: Table['rows']): string {
  return rows
    .map((r) => {
      const [first, ...rest] = r.map(cell);
      const details = rest
        .map((v, i) => (v === '' ? '' : `${table.columns[i + 1]}: ${escapeText(v)}`))
        .filter((v) => v !== '')
        .join(' · ');
      return `• *${escapeText(plain(first ?? ''))}*${details ? ` · ${details}` : ''}`;
    })
    .join('\n');
}

function tableWidth(table: Table, rows: Table['rows']): number {
  const widths = table.columns.map((c, i) =>
    Math.max(c.length, ...rows.map((r) => plain(cell(r[i] ?? null)).length)),
  );
  return widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
}

/** A table as one section of text (code block or list), or a preview plus a CSV of every row. */
function renderTable(table: Table, title: string | undefined): { blocks: Block[]; file?: Attachment } {
  // A cell too long for a column would be cut in a code block: such tables read better as a list.
  const asText = (rows: Table['rows']) =>
    tableWidth(table, rows) <= CODE_TABLE_WIDTH &&
    rows.every((r) => r.every((c) => plain(cell(c)).length <= CELL_WIDTH))
      ? codeTable(table, rows)
      : listTable(table, rows);
  const more = (shown: number, total: number, truncated: number) => {
    const left = total - shown + truncated;
    return left > 0 ? `… and ${left.toLocaleString('en-GB')} more` : '';
  };
  let text = asText(table.rows);
  if (table.rows.length <= MAX_TABLE_ROWS && text.length <= LIMITS.sectionText) {
    const tail = more(table.rows.length, table.rows.length, table.truncated ?? 0);
    return { blocks: [section(text), ...(tail ? [context([tail])] : [])] };
  }
  let shown = Math.min(PREVIEW_ROWS, table.rows.length);
  text = asText(table.rows.slice(0, shown));
  while (text.length > LIMITS.sectionText && shown > 1) {
    shown = Math.floor(shown / 2);
    text = asText(table.rows.slice(0, shown));
  }
  if (text.length > LIMITS.sectionText) text = clip(text, LIMITS.sectionText);
  const file: Attachment = {
    filename: csvName(title),
    mimeType: 'text/csv',
    data: new TextEncoder().encode(tableCsv(table)),
  };
  const note = `First ${shown.toLocaleString('en-GB')} of ${table.rows.length.toLocaleString('en-GB')} rows; every row is in ${file.filename} below.`;
  return { blocks: [section(text), context([note])], file };
}

function context(texts: string[]): Block {
  return {
    type: 'context',
    elements: texts
      .slice(0, LIMITS.contextElements)
      .map((t) => ({ type: 'mrkdwn', text: clip(t, LIMITS.sectionText) })),
  };
}

/**
 * Buttons as Block Kit elements: `action_id` unique per button in a message; the value carries what the
 * router needs on a press. A value over Slack's 2000 characters is left out rather than cut.
 *
 * @example
 * buttonElements([{ action: 'save', label: 'Save segment', value: '' }])[0]?.action_id; // 'megaphone:0:save'
 */
export function buttonElements(buttons: Button[]): Block[] {
  return buttons.flatMap((b, i) => {
    const value = JSON.stringify({ action: b.action, value: b.value } satisfies ButtonPayload);
    if (value.length > LIMITS.buttonValue) return [];
    return [
      {
        type: 'button',
        action_id: clip(`${ACTION_PREFIX}:${i}:${b.action}`, LIMITS.actionId),
        text: { type: 'plain_text', text: clip(b.label, LIMITS.buttonText), emoji: true },
        value,
        ...(b.style ? { style: b.style } : {}),
      },
    ];
  });
}

/**
 * Reads a pressed button's value back; `null` for anything Megaphone did not put there.
 *
 * @example
 * parseButtonValue('{"action":"export","value":""}'); // { action: 'export', value: '' }
 */
export function parseButtonValue(value: string | undefined): ButtonPayload | null {
  if (!value) return null;
  try {
    const parsed = JSON.parse(value) as Partial<ButtonPayload>;
    if (typeof parsed.action !== 'string') return null;
    return { action: parsed.action, value: typeof parsed.value === 'string' ? parsed.value : '' };
  } catch {
    return null;
  }
}

/**
 * Renders a reply as Block Kit: header, text sections, key-figure fields, a compact table, the context
 * line and the buttons; files to upload next to it.
 *
 * @example
 * const { blocks, text, files } = renderReply({ title: 'Stats', fields: [{ label: 'Customers', value: '4,338' }] });
 * await client.chat.postMessage({ channel, thread_ts, text, blocks });
 */
export function renderReply(reply: Reply, options: RenderOptions = {}): RenderedMessage {
  const maxBlocks = options.maxBlocks ?? LIMITS.messageBlocks;
  const head: Block[] = [];
  if (reply.title) {
    head.push({
      type: 'header',
      text: { type: 'plain_text', text: clip(plain(reply.title), LIMITS.headerText) },
    });
  }
  const textBlocks = reply.text
    ? splitText(tonePrefix(reply.tone) + escapeText(reply.text), LIMITS.sectionText).map((t) => section(t))
    : [];
  const body: Block[] = [];
  const fields = reply.fields ?? [];
  for (let i = 0; i < fields.length; i += LIMITS.fieldsPerSection) {
    body.push({
      type: 'section',
      fields: fields.slice(i, i + LIMITS.fieldsPerSection).map((f) => ({
        type: 'mrkdwn',
        text: clip(`*${escapeText(plain(f.label))}*\n${escapeText(f.value)}`, LIMITS.fieldText),
      })),
    });
  }
  const files: Attachment[] = [];
  if (reply.table) {
    const table = renderTable(reply.table, reply.title);
    body.push(...table.blocks);
    if (table.file) files.push(table.file);
  }
  files.push(...(reply.attachments ?? []));
  const small = [reply.context ? escapeText(reply.context) : '', options.note ?? ''].filter((t) => t !== '');
  if (small.length) body.push(context(small));
  const buttons = buttonElements(reply.buttons ?? []);
  for (let i = 0; i < buttons.length; i += LIMITS.buttonsPerBlock) {
    body.push({ type: 'actions', elements: buttons.slice(i, i + LIMITS.buttonsPerBlock) });
  }
  // Over the block limit only the running text gives way: figures, table, context and buttons stay.
  const room = maxBlocks - head.length - body.length;
  let shownText = textBlocks;
  if (textBlocks.length > room) {
    shownText = textBlocks.slice(0, Math.max(0, room - 1));
    shownText.push(context(['The rest of this answer was too long for one Slack message.']));
  }
  const blocks = [...head, ...shownText, ...body].slice(0, maxBlocks);
  const fallback =
    [reply.title, reply.text].filter(Boolean).join(': ') ||
    files.map((f) => f.filename).join(', ') ||
    'Megaphone answered';
  return { text: clip(escapeText(plain(fallback)), LIMITS.fallbackText), blocks, files };
}

/**
 * Several replies as one App Home view (at most 100 blocks), sections separated by dividers.
 *
 * @example
 * await client.views.publish({ user_id, view: renderHome(await buildHome(ctx, log)) });
 */
export function renderHome(sections: Reply[]): { type: 'home'; blocks: Block[] } {
  const blocks: Block[] = [];
  for (const reply of sections) {
    // Tables too long for the page are cut to their preview: a Home view cannot carry files.
    const rendered = renderReply(reply, { maxBlocks: 20 }).blocks;
    if (blocks.length + rendered.length + 1 > LIMITS.homeBlocks) break;
    if (blocks.length) blocks.push({ type: 'divider' });
    blocks.push(...rendered);
  }
  return { type: 'home', blocks };
}
