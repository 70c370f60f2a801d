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
  /** ISO-8601 UTC. */
  occurredAt: string;
  country: string | null;
}

export type LineResult = { ok: true; event: ParsedEvent } | { ok: false; reason: string };

export interface Format {
  name: FormatName;
  columns: readonly string[];
  /** Columns that may be left out of the header. */
  optional: readonly string[];
  interpret(fields: Record<string, string>): LineResult;
}

export const FORMAT_NAMES = ['online-retail', 'events'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

const INT = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const MAX_INT = 2_147_483_647;

function reject(reason: string): LineResult {
  return { ok: false, reason };
}

function parseQuantity(raw: string, column: string): number | string {
  const v = raw.trim();
  if (!INT.test(v)) return `${column} ${JSON.stringify(raw)} is not a whole number`;
  const n = Number(v);
  if (Math.abs(n) > MAX_INT) return `${column} ${v} is out of range`;
  return n;
}

function parsePrice(raw: string, column: string): string | { error: string } {
  const v = raw.trim();
  if (!DECIMAL.test(v)) return { error: `${column} ${JSON.stringify(raw)} is not a number` };
  if (Math.abs(Number(v)) >= 1e10) return { error: `${column} ${v} is out of range` };
  return v;
}

const RETAIL_DATE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?$/;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isValidDate(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return false;
  if (d > DAYS_IN_MONTH[mo - 1]!) return false;
  return !(mo === 2 && d === 29 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)));
}

const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * Online Retail times carry no zone; they are read as UTC. Accepts the ISO-like `YYYY-MM-DD HH:MM[:SS]` and
 * the original `M/D/YYYY H:MM` forms. Built as a string, not through Date: this runs once per imported line.
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
  let y: number;
  let mo: number;
  let d: number;
  let m = RETAIL_DATE.exec(v);
  if (m) {
    y = Number(m[1]);
    mo = Number(m[2]);
    d = Number(m[3]);
  } else {
    m = US_DATE.exec(v);
    if (!m) return null;
    y = Number(m[3]);
    mo = Number(m[1]);
    d = Number(m[2]);
  }
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const s = Number(m[6] ?? 0);
  if (!isValidDate(y, mo, d, h, mi, s)) return null;
  return `${y}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}.000Z`;
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
function normaliseCustomerId(raw: string): string {
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
  interpret(f) {
    const invoice = f.InvoiceNo!.trim();
    if (!invoice) return reject('InvoiceNo is empty');
    const productId = f.StockCode!.trim();
    if (!productId) return reject('StockCode is empty');
    const quantity = parseQuantity(f.Quantity!, 'Quantity');
    if (typeof quantity === 'string') return reject(quantity);
    const price = parsePrice(f.UnitPrice!, 'UnitPrice');
    if (typeof price !== 'string') return reject(price.error);
    const occurredAt = parseRetailDate(f.InvoiceDate!);
    if (!occurredAt)
      return reject(
        `InvoiceDate ${JSON.stringify(f.InvoiceDate)} is not a valid date (expected YYYY-MM-DD HH:MM:SS)`,
      );
    const customerId = f.CustomerID!.trim() ? normaliseCustomerId(f.CustomerID!) : null;
    const priceValue = Number(price);
    let kind: EventKind;
    if (invoice.toUpperCase().startsWith('C')) kind = 'return';
    else if (quantity > 0 && priceValue > 0) kind = customerId ? 'purchase' : 'anonymous';
    else kind = 'adjustment';
    const name = f.Description!.trim();
    return {
      ok: true,
      event: {
        kind,
        invoice,
        customerId,
        productId,
        productName: name || null,
        quantity,
        unitPrice: price,
        occurredAt,
        country: f.Country!.trim() || null,
      },
    };
  },
};

const EVENT_TYPES = ['purchase', 'view', 'click', 'add_to_cart', 'return'] as const;

export const eventsFormat: Format = {
  name: 'events',
  columns: ['customer_id', 'item_id', 'event_type', 'occurred_at', 'quantity', 'unit_price', 'item_name'],
  optional: ['quantity', 'unit_price', 'item_name'],
  interpret(f) {
    const customerId = f.customer_id!.trim() || null;
    const productId = f.item_id!.trim();
    if (!productId) return reject('item_id is empty');
    const type = f.event_type!.trim().toLowerCase();
    if (!(EVENT_TYPES as readonly string[]).includes(type)) {
      return reject(`event_type ${JSON.stringify(f.event_type)} is not one of ${EVENT_TYPES.join(', ')}`);
    }
    const occurredAt = parseIsoInstant(f.occurred_at!);
    if (!occurredAt)
      return reject(`occurred_at ${JSON.stringify(f.occurred_at)} is not an ISO-8601 date-time`);
    let quantity = 1;
    if (f.quantity?.trim()) {
      const q = parseQuantity(f.quantity, 'quantity');
      if (typeof q === 'string') return reject(q);
      if (q <= 0) return reject(`quantity ${q} must be positive (record returns with event_type return)`);
      quantity = q;
    }
    let unitPrice: string | null = null;
    if (f.unit_price?.trim()) {
      const p = parsePrice(f.unit_price, 'unit_price');
      if (typeof p !== 'string') return reject(p.error);
      if (Number(p) < 0) return reject(`unit_price ${p} must not be negative`);
      unitPrice = p;
    }
    let kind: EventKind = type as EventKind;
    if (type === 'purchase' && !customerId) kind = 'anonymous';
    if (type !== 'purchase' && !customerId && type !== 'return')
      return reject(`customer_id is empty for a ${type} event`);
    return {
      ok: true,
      event: {
        kind,
        // Events carry no order number: one customer's purchases at the same instant form one order.
        invoice: type === 'purchase' || type === 'return' ? `${customerId ?? 'guest'}@${occurredAt}` : null,
        customerId,
        productId,
        productName: f.item_name?.trim() || null,
        quantity,
        unitPrice,
        occurredAt,
        country: null,
      },
    };
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
