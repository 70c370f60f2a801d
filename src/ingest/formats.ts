/**
 * Input layouts and the meaning of each line. A line is either an event to import or a rejection with a
 * reason a person can act on; nothing is dropped silently.
 */

export type EventKind = 'purchase' | 'return' | 'anonymous' | 'adjustment' | 'view' | 'click' | 'add_to_cart';

export interface ParsedEvent {
  kind: EventKind;
  invoice: string | null;
  customerId: string | null;
  productId: string;
  productName: string | null;
  quantity: number;
  unitPrice: string | null;
  /** `unitPrice` as a number (NaN when there is none). */
  price: number;
  /** `unitPrice` in whole ten-thousandths as numeric(14,4) would round it (NaN when there is none). */
  priceE4: number;
  /** ISO-8601 UTC. */
  occurredAt: string;
  country: string | null;
}

export function blankEvent(): ParsedEvent {
  return {
    kind: 'purchase',
    invoice: null,
    customerId: null,
    productId: '',
    productName: null,
    quantity: 0,
    unitPrice: null,
    price: Number.NaN,
    priceE4: Number.NaN,
    occurredAt: '',
    country: null,
  };
}

export interface Format {
  name: FormatName;
  columns: readonly string[];
  /** Columns that may be left out of the header. */
  optional: readonly string[];
  /** Columns holding decimal numbers (read with a decimal comma in semicolon-separated files). */
  decimals: readonly string[];
  /**
   * Reads one line: `fields[at[i]]` holds `columns[i]`. Fills `out` (one object reused for every line of a
   * large file) and returns null, or returns the reason the line is rejected (`out` is then partly filled).
   */
  read(fields: readonly string[], at: readonly number[], out: ParsedEvent): string | null;
}

export const FORMAT_NAMES = ['online-retail', 'events'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

const INT = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const MAX_INT = 2_147_483_647;

function parseQuantity(raw: string, column: string): number | string {
  const v = raw.trim();
  if (!INT.test(v)) return `${column} ${JSON.stringify(raw)} is not a whole number`;
  const n = Number(v);
  if (Math.abs(n) > MAX_INT) return `${column} ${v} is out of range`;
  return n;
}

/** Sets `out.unitPrice`, `out.price` and `out.priceE4`, or returns why the price is rejected. */
function readPrice(raw: string, column: string, out: ParsedEvent): string | null {
  const v = raw.trim();
  if (!DECIMAL.test(v)) return `${column} ${JSON.stringify(raw)} is not a number`;
  const n = Number(v);
  if (Math.abs(n) >= 1e10) return `${column} ${v} is out of range`;
  out.unitPrice = v;
  out.price = n;
  out.priceE4 = tenThousandths(v, 0, v.length);
  return null;
}

/**
 * A decimal's value in whole ten-thousandths, rounded half away from zero as numeric(14,4) rounds it:
 * text[start, end) is `[+-]digits[.digits]` or `[+-].digits` below 1e10 in size (as readPrice accepts it),
 * so the result is an exact integer below 2^53.
 *
 * @example
 * tenThousandths('2.55', 0, 4); // 25500
 * tenThousandths('-0.00005', 0, 8); // -1
 */
function tenThousandths(text: string, start: number, end: number): number {
  let i = start;
  const sign = text.charCodeAt(i);
  if (sign === 43 || sign === 45) i++;
  let v = 0;
  for (; i < end && text.charCodeAt(i) !== 46; i++) v = v * 10 + text.charCodeAt(i) - 48;
  i++;
  for (let k = 0; k < 4; k++, i++) v = v * 10 + (i < end ? text.charCodeAt(i) - 48 : 0);
  // Only the fifth decimal decides, as in numeric's own rounding.
  if (i < end && text.charCodeAt(i) >= 53) v++;
  return sign === 45 && v !== 0 ? -v : v;
}

/**
 * The largest line total, in ten-thousandths: 10^12 in the currency, far beyond any real order line. Each
 * line's quantity x unit_price_e4 must fit a bigint (below 9.2 x 10^18), and a customer's spend, summed over
 * lines, numeric(16,2) (below 10^14).
 */
export const MAX_LINE_TOTAL_E4 = 1e16;

function lineTotalProblem(quantity: number, out: ParsedEvent, q: string, p: string): string | null {
  if (!(Math.abs(quantity * out.priceE4) > MAX_LINE_TOTAL_E4)) return null;
  return `${q} ${quantity} x ${p} ${out.unitPrice} is out of range (a line's total must not exceed 1,000,000,000,000)`;
}

const RETAIL_DATE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?$/;
/** Day first with dots, as spreadsheets in much of Europe write dates (never month first). */
const DOTTED_DATE = /^(\d{1,2})\.(\d{1,2})\.(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?$/;
/** Each form, with the groups holding its year, month and day (hours, minutes, seconds follow in 4-6). */
const RETAIL_DATE_FORMS: [RegExp, number, number, number][] = [
  [RETAIL_DATE, 1, 2, 3],
  [US_DATE, 3, 1, 2],
  [DOTTED_DATE, 3, 2, 1],
];

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isValidDate(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return false;
  if (d > DAYS_IN_MONTH[mo - 1]!) return false;
  return !(mo === 2 && d === 29 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)));
}

const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * Online Retail times carry no zone; they are read as UTC. Accepts the ISO-like `YYYY-MM-DD HH:MM[:SS]`, the
 * original `M/D/YYYY H:MM` and the dotted, day-first `D.M.YYYY H:MM` forms. Built as a string, not through
 * Date: this runs once per imported line.
 */
export function parseRetailDate(raw: string): string | null {
  // Lines of one invoice follow each other and share their time: most lines repeat the previous one's.
  if (raw === lastRetailDate.raw) return lastRetailDate.parsed;
  const parsed = parseRetailDateOnce(raw);
  lastRetailDate.raw = raw;
  lastRetailDate.parsed = parsed;
  return parsed;
}

const lastRetailDate: { raw: string | undefined; parsed: string | null } = { raw: undefined, parsed: null };

function parseRetailDateOnce(raw: string): string | null {
  const v = raw.trim();
  let m: RegExpExecArray | null = null;
  let y = 0;
  let mo = 0;
  let d = 0;
  for (const [form, year, month, day] of RETAIL_DATE_FORMS) {
    m = form.exec(v);
    if (m) {
      y = Number(m[year]);
      mo = Number(m[month]);
      d = Number(m[day]);
      break;
    }
  }
  if (!m) return null;
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const s = Number(m[6] ?? 0);
  if (!isValidDate(y, mo, d, h, mi, s)) return null;
  // Four digits for the year, as ISO-8601 has it: "1-01-01" would be read as another year, or not at all.
  return `${String(y).padStart(4, '0')}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}.000Z`;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function parseIsoInstant(raw: string): string | null {
  const v = raw.trim();
  if (!ISO_DATE.test(v)) return null;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(v) && v.length > 10;
  const date = new Date(hasZone || v.length === 10 ? v : `${v.replace(' ', 'T')}Z`);
  if (Number.isNaN(date.getTime())) return null;
  // Date-only values parse as UTC midnight; make sure the calendar date itself was valid.
  if (v.slice(0, 10) !== date.toISOString().slice(0, 10) && !hasZone) return null;
  return date.toISOString();
}

/** UCI Online Retail ids look like `17850.0`; the shop knows the customer as `17850`. */
export function normaliseCustomerId(raw: string): string {
  if (raw === lastCustomerId.raw) return lastCustomerId.id;
  const v = raw.trim();
  const m = /^(\d+)\.0+$/.exec(v);
  lastCustomerId.raw = raw;
  lastCustomerId.id = m ? m[1]! : v;
  return lastCustomerId.id;
}

// Consecutive lines usually belong to one invoice, hence one customer.
const lastCustomerId = { raw: '', id: '' };

export const onlineRetail: Format = {
  name: 'online-retail',
  columns: [
    'InvoiceNo',
    'StockCode',
    'Description',
    'Quantity',
    'InvoiceDate',
    'UnitPrice',
    'CustomerID',
    'Country',
  ],
  optional: [],
  decimals: ['UnitPrice'],
  read(f, at, out) {
    const invoice = f[at[0]!]!.trim();
    if (!invoice) return 'InvoiceNo is empty';
    const productId = f[at[1]!]!.trim();
    if (!productId) return 'StockCode is empty';
    const quantity = parseQuantity(f[at[3]!]!, 'Quantity');
    if (typeof quantity === 'string') return quantity;
    const priceError = readPrice(f[at[5]!]!, 'UnitPrice', out);
    if (priceError !== null) return priceError;
    const totalError = lineTotalProblem(quantity, out, 'Quantity', 'UnitPrice');
    if (totalError !== null) return totalError;
    const rawDate = f[at[4]!]!;
    const occurredAt = parseRetailDate(rawDate);
    if (!occurredAt)
      return `InvoiceDate ${JSON.stringify(rawDate)} is not a valid date (expected YYYY-MM-DD HH:MM:SS, M/D/YYYY H:MM or D.M.YYYY H:MM)`;
    const rawCustomer = f[at[6]!]!;
    const customerId = rawCustomer.trim() ? normaliseCustomerId(rawCustomer) : null;
    // Same as invoice.toUpperCase().startsWith('C'), without a new string per line: no other character
    // upper-cases to a leading C.
    const first = invoice.charCodeAt(0);
    if (first === 67 || first === 99) out.kind = 'return';
    else if (quantity > 0 && out.price > 0) out.kind = customerId ? 'purchase' : 'anonymous';
    else out.kind = 'adjustment';
    out.invoice = invoice;
    out.customerId = customerId;
    out.productId = productId;
    out.productName = f[at[2]!]!.trim() || null;
    out.quantity = quantity;
    out.occurredAt = occurredAt;
    out.country = f[at[7]!]!.trim() || null;
    return null;
  },
};

const EVENT_TYPES = ['purchase', 'view', 'click', 'add_to_cart', 'return'] as const;

export const eventsFormat: Format = {
  name: 'events',
  columns: ['customer_id', 'item_id', 'event_type', 'occurred_at', 'quantity', 'unit_price', 'item_name'],
  optional: ['quantity', 'unit_price', 'item_name'],
  decimals: ['unit_price'],
  read(f, at, out) {
    const customerId = f[at[0]!]!.trim() || null;
    const productId = f[at[1]!]!.trim();
    if (!productId) return 'item_id is empty';
    const rawType = f[at[2]!]!;
    const type = rawType.trim().toLowerCase();
    if (!(EVENT_TYPES as readonly string[]).includes(type)) {
      return `event_type ${JSON.stringify(rawType)} is not one of ${EVENT_TYPES.join(', ')}`;
    }
    const rawAt = f[at[3]!]!;
    const occurredAt = parseIsoInstant(rawAt);
    if (!occurredAt) return `occurred_at ${JSON.stringify(rawAt)} is not an ISO-8601 date-time`;
    let quantity = 1;
    const rawQuantity = f[at[4]!]!;
    if (rawQuantity.trim()) {
      const q = parseQuantity(rawQuantity, 'quantity');
      if (typeof q === 'string') return q;
      if (q <= 0) return `quantity ${q} must be positive (record returns with event_type return)`;
      quantity = q;
    }
    out.unitPrice = null;
    out.price = Number.NaN;
    out.priceE4 = Number.NaN;
    const rawPrice = f[at[5]!]!;
    if (rawPrice.trim()) {
      const priceError = readPrice(rawPrice, 'unit_price', out);
      if (priceError !== null) return priceError;
      if (out.price < 0) return `unit_price ${out.unitPrice} must not be negative`;
      const totalError = lineTotalProblem(quantity, out, 'quantity', 'unit_price');
      if (totalError !== null) return totalError;
    }
    let kind: EventKind = type as EventKind;
    if (type === 'purchase' && !customerId) kind = 'anonymous';
    if (type !== 'purchase' && !customerId && type !== 'return')
      return `customer_id is empty for a ${type} event`;
    out.kind = kind;
    // Events carry no order number: one customer's purchases at the same instant form one order.
    out.invoice = type === 'purchase' || type === 'return' ? `${customerId ?? 'guest'}@${occurredAt}` : null;
    out.customerId = customerId;
    out.productId = productId;
    out.productName = f[at[6]!]!.trim() || null;
    out.quantity = quantity;
    out.occurredAt = occurredAt;
    out.country = null;
    return null;
  },
};

export const FORMATS: Record<FormatName, Format> = { 'online-retail': onlineRetail, events: eventsFormat };

/** Picks the layout whose required columns all appear in the header, or null. */
export function detectFormat(header: readonly string[]): Format | null {
  const names = new Set(header.map((h) => h.trim().toLowerCase()));
  for (const format of Object.values(FORMATS)) {
    const required = format.columns.filter((c) => !format.optional.includes(c));
    if (required.every((c) => names.has(c.toLowerCase()))) return format;
  }
  return null;
}
