/**
 * The platform-neutral answer every command returns. Adapters render it: Block Kit in Slack, embeds in
 * Discord, plain text in the terminal. Nothing in here knows about any platform.
 */
export interface Field {
  label: string;
  value: string;
}

export interface Table {
  columns: string[];
  rows: (string | number | null)[][];
  /** Rows left out of `rows` (shown as "and N more"); the full set is available as an export. */
  truncated?: number;
}

export interface Attachment {
  filename: string;
  mimeType: string;
  data: Uint8Array;
  /** Describes an image for people who cannot see it. Required for images. */
  altText?: string;
}

export interface Button {
  /** Stable action id, e.g. `segment.save`. */
  action: string;
  label: string;
  /** Opaque payload handed back to the command when pressed. */
  value: string;
  style?: 'primary' | 'danger';
}

export interface Reply {
  title?: string;
  text?: string;
  fields?: Field[];
  table?: Table;
  attachments?: Attachment[];
  buttons?: Button[];
  /** Small print: what was understood, the as-of date, a reference id. */
  context?: string;
  /** Success is the default; `error` replies are rendered as such. */
  tone?: 'info' | 'success' | 'warning' | 'error';
}

/**
 * Formats numbers the way a marketer reads them: thousands separators, money with two decimals.
 *
 * @example
 * formatNumber(4338); // '4,338'
 * formatMoney(8911407.9); // '£8,911,407.90'
 */
export function formatNumber(n: number): string {
  return n.toLocaleString('en-GB');
}

/**
 * A count with its noun in the right number.
 *
 * @example
 * plural(1, 'customer'); // '1 customer'
 * plural(1500, 'country', 'countries'); // '1,500 countries'
 */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

export function formatMoney(n: number, currency = 'GBP'): string {
  return n.toLocaleString('en-GB', { style: 'currency', currency, minimumFractionDigits: 2 });
}

/** A reply that only says something. */
export function textReply(text: string, tone: Reply['tone'] = 'info'): Reply {
  return { text, tone };
}

/**
 * Splits text into pieces of at most `max` characters, at line breaks where possible, else at spaces, for
 * platforms that cap a message or a block (Slack sections, Discord embeds).
 *
 * @example
 * splitText('a\nb', 1); // ['a', 'b']
 */
export function splitText(text: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n', max);
    if (cut < max / 2) cut = rest.lastIndexOf(' ', max);
    if (cut < max / 2) cut = max;
    pieces.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^\n/, '');
  }
  // A tail of only whitespace would be an empty block or embed, which both platforms refuse.
  if (rest.trim() !== '') pieces.push(rest);
  return pieces;
}
