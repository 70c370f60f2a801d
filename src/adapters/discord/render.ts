/**
 * The neutral `Reply` as Discord messages: embeds within Discord's limits, charts as attachments shown in
 * the embed, long tables as CSV files with every row, buttons as message components. Nothing is dropped:
 * what does not fit one message continues in the next.
 */
import {
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIEmbed,
  ButtonStyle,
  ComponentType,
} from 'discord-api-types/v10';
import Papa from 'papaparse';
import { type Button, type Reply, splitText, type Table } from '../../core/reply.ts';
import { truncate } from './slash.ts';

/** Discord's documented limits for one message. */
export const LIMITS = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  embedTotal: 6000,
  embeds: 10,
  files: 10,
  buttonsPerRow: 5,
  rows: 5,
  label: 80,
  customId: 100,
  altText: 1024,
} as const;

/** Tables longer than this many rows go out as CSV (the embed shows the first ones). */
export const MAX_TABLE_ROWS = 15;

export interface OutgoingFile {
  name: string;
  data: Buffer;
  contentType: string;
  description?: string;
}

/** One message, ready for `editReply`, `followUp` or `channel.send`. */
export interface OutgoingMessage {
  content?: string;
  embeds: APIEmbed[];
  files: OutgoingFile[];
  components: APIActionRowComponent<APIButtonComponent>[];
}

const COLOURS: Record<NonNullable<Reply['tone']>, number> = {
  info: 0x5865f2,
  success: 0x2e9d5b,
  warning: 0xe8a317,
  error: 0xd83c3e,
};

/** Our replies mark bold with single asterisks (Slack style); Discord wants two. */
export function toMarkdown(text: string): string {
  return text.replace(/(^|[^*\w])\*([^*\n]+)\*(?!\*)/g, '$1**$2**');
}

function plain(text: string): string {
  return text.replace(/\*([^*\n]+)\*/g, '$1').replace(/`([^`\n]+)`/g, '$1');
}

/** Discord shows `attachment://NAME` only for simple names. */
export function safeFileName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+/, '');
  return cleaned || 'file';
}

export const BUTTON_PREFIX = 'mp';

/**
 * A button's custom_id: `mp|<index>|<action>|<value>` (the index keeps ids unique on one message). Returns
 * null when action and value do not fit in Discord's 100 characters.
 */
export function encodeButton(button: Pick<Button, 'action' | 'value'>, index: number): string | null {
  const id = `${BUTTON_PREFIX}|${index}|${button.action}|${button.value}`;
  return id.length <= LIMITS.customId ? id : null;
}

export function decodeButton(customId: string): Pick<Button, 'action' | 'value'> | null {
  const parts = customId.split('|');
  if (parts[0] !== BUTTON_PREFIX || parts.length < 4) return null;
  return { action: parts[2]!, value: parts.slice(3).join('|') };
}

function cell(value: string | number | null): string {
  return value === null ? '' : plain(String(value));
}

/** A table as aligned monospace text when it is narrow, or one line per row when it is not. */
function tableText(table: Table, rows: Table['rows']): string {
  const widths = table.columns.map((c, i) =>
    Math.max(c.length, ...rows.map((r) => cell(r[i] ?? null).length)),
  );
  const width = widths.reduce((a, b) => a + b + 2, 0);
  if (width <= 64) {
    const line = (values: string[]) =>
      values
        .map((v, i) => v.padEnd(widths[i]!))
        .join('  ')
        .trimEnd();
    const body = [
      line(table.columns),
      line(widths.map((w) => '-'.repeat(w))),
      ...rows.map((r) => line(r.map(cell))),
    ];
    return `\`\`\`\n${body.join('\n').replaceAll('```', "'''")}\n\`\`\``;
  }
  return rows
    .map((r) => {
      const [first, ...rest] = r.map(cell);
      return `**${first}** · ${rest.filter((v) => v !== '').join(' · ')}`;
    })
    .join('\n');
}

export function tableCsv(table: Table): string {
  return `${Papa.unparse({ fields: table.columns, data: table.rows.map((r) => r.map((v) => v ?? '')) })}\n`;
}

function embedSize(e: APIEmbed): number {
  return (
    (e.title?.length ?? 0) +
    (e.description?.length ?? 0) +
    (e.footer?.text.length ?? 0) +
    (e.author?.name.length ?? 0) +
    (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0)
  );
}

/** Buttons as action rows; those that cannot be buttons (too many, value too long) are returned to be typed. */
function buttonRows(buttons: Button[]): {
  rows: APIActionRowComponent<APIButtonComponent>[];
  typed: Button[];
} {
  const components: APIButtonComponent[] = [];
  const typed: Button[] = [];
  buttons.forEach((button, index) => {
    const customId = encodeButton(button, index);
    if (!customId || components.length >= LIMITS.buttonsPerRow * LIMITS.rows) {
      typed.push(button);
      return;
    }
    components.push({
      type: ComponentType.Button,
      custom_id: customId,
      label: truncate(button.label, LIMITS.label),
      style:
        button.style === 'primary'
          ? ButtonStyle.Primary
          : button.style === 'danger'
            ? ButtonStyle.Danger
            : ButtonStyle.Secondary,
    });
  });
  const rows: APIActionRowComponent<APIButtonComponent>[] = [];
  for (let i = 0; i < components.length; i += LIMITS.buttonsPerRow) {
    rows.push({ type: ComponentType.ActionRow, components: components.slice(i, i + LIMITS.buttonsPerRow) });
  }
  return { rows, typed };
}

/**
 * Renders a reply as one or more Discord messages. The first carries the title, text, fields, table and
 * buttons; charts are shown in embeds; what exceeds one message's limits (embeds, characters, files)
 * continues in further messages, which callers send as follow-ups.
 *
 * @example
 * const [first, ...rest] = renderDiscordReply({ title: 'Stats', fields: [{ label: 'Customers', value: '3' }] });
 * await interaction.editReply(first);
 */
export function renderDiscordReply(reply: Reply): OutgoingMessage[] {
  const colour = COLOURS[reply.tone ?? 'info'];
  const embeds: APIEmbed[] = [];
  const files: OutgoingFile[] = [];
  const usedNames = new Set<string>();
  const fileName = (raw: string) => {
    const base = safeFileName(raw);
    let name = base;
    for (let i = 2; usedNames.has(name); i++) name = base.replace(/(\.[^.]*)?$/, `-${i}$1`);
    usedNames.add(name);
    return name;
  };

  // Text, the table (when short) and a pointer to the CSV (when long) make up the description.
  const parts: string[] = [];
  if (reply.text) parts.push(toMarkdown(reply.text));
  if (reply.table) {
    const { table } = reply;
    const long = table.rows.length > MAX_TABLE_ROWS;
    const shown = long ? table.rows.slice(0, 10) : table.rows;
    const more = (table.truncated ?? 0) + (table.rows.length - shown.length);
    let rendered = tableText(table, shown);
    if (long || rendered.length > LIMITS.description - 400) {
      const name = fileName(`${(reply.title ?? 'table').toLowerCase().slice(0, 40)}.csv`);
      files.push({
        name,
        data: Buffer.from(tableCsv(table), 'utf8'),
        contentType: 'text/csv',
        description: `${table.rows.length} rows: ${table.columns.join(', ')}`,
      });
      if (rendered.length > LIMITS.description - 400) rendered = tableText(table, table.rows.slice(0, 3));
      parts.push(rendered, `… and ${more} more; every row is in **${name}**.`);
    } else {
      parts.push(rendered);
      if (more > 0) parts.push(`… and ${more} more`);
    }
  }
  const buttons = buttonRows(reply.buttons ?? []);
  if (buttons.typed.length) {
    parts.push(
      `Also: ${buttons.typed.map((b) => `${b.label}: say "${`${b.action} ${b.value}`.trim()}"`).join(' · ')}`,
    );
  }
  const description = parts.join('\n');
  const [firstText = '', ...moreText] = description ? splitText(description, LIMITS.description) : [];

  const main: APIEmbed = { color: colour };
  if (reply.title) main.title = truncate(plain(reply.title), LIMITS.title);
  if (firstText) main.description = firstText;
  const fields = (reply.fields ?? []).map((f) => ({
    name: truncate(plain(f.label), LIMITS.fieldName) || '\u200b',
    value: truncate(toMarkdown(f.value), LIMITS.fieldValue) || '\u200b',
    inline: true,
  }));
  // Fields fill an embed up to 25 of them or the 6,000 characters a message allows, then continue in the next.
  const fieldSize = (f: { name: string; value: string }) => f.name.length + f.value.length;
  const fill = (embed: APIEmbed, queue: typeof fields) => {
    embed.fields = [];
    while (
      queue.length &&
      embed.fields.length < LIMITS.fields &&
      embedSize(embed) + fieldSize(queue[0]!) <= LIMITS.embedTotal
    ) {
      embed.fields.push(queue.shift()!);
    }
  };
  fill(main, fields);
  embeds.push(main);
  for (const text of moreText) embeds.push({ color: colour, description: text });
  while (fields.length) {
    const next: APIEmbed = { color: colour };
    fill(next, fields);
    embeds.push(next);
  }

  // Images are shown in an embed; every attachment is also a file of the message.
  for (const a of reply.attachments ?? []) {
    const name = fileName(a.filename);
    files.push({
      name,
      data: Buffer.from(a.data),
      contentType: a.mimeType,
      ...(a.altText ? { description: truncate(a.altText, LIMITS.altText) } : {}),
    });
    if (a.mimeType.startsWith('image/')) {
      // One image per embed: further charts get embeds of their own.
      if (main.image) embeds.push({ color: colour, image: { url: `attachment://${name}` } });
      else main.image = { url: `attachment://${name}` };
    }
  }
  if (reply.context) {
    const footer = truncate(plain(reply.context), LIMITS.footer);
    const last = embeds.at(-1)!;
    if (embedSize(last) + footer.length <= LIMITS.embedTotal) last.footer = { text: footer };
    else embeds.push({ color: colour, footer: { text: footer } });
  }

  // Pack embeds and files into messages within the per-message limits.
  const messages: OutgoingMessage[] = [];
  let current: OutgoingMessage = { embeds: [], files: [], components: buttons.rows };
  let size = 0;
  for (const embed of embeds) {
    const n = embedSize(embed);
    if (current.embeds.length && (current.embeds.length >= LIMITS.embeds || size + n > LIMITS.embedTotal)) {
      messages.push(current);
      current = { embeds: [], files: [], components: [] };
      size = 0;
    }
    current.embeds.push(embed);
    size += n;
    const image = embed.image?.url.replace('attachment://', '');
    const file = files.find((f) => f.name === image);
    if (file) {
      current.files.push(file);
      files.splice(files.indexOf(file), 1);
    }
  }
  for (const file of files) {
    if (current.files.length >= LIMITS.files) {
      messages.push(current);
      current = { embeds: [], files: [], components: [] };
    }
    current.files.push(file);
  }
  messages.push(current);
  return messages;
}
