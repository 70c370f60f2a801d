/**
 * The common Online Retail line, read and written without a string per field or per row: most lines of a
 * large file are plain (no quotes, no padding, valid values), and building strings for them was most of the
 * parse. Anything else is left, untouched, to the general path (split, Format.read, EventRows.event), which
 * defines the behaviour: this path must give the same result for every line it takes (see the tests).
 */

import type { EventRows } from './event-rows.ts';
import { type EventKind, MAX_LINE_TOTAL_E4, normaliseCustomerId, parseRetailDate } from './formats.ts';
import { type Catalogue, same } from './seen-catalogue.ts';

const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);

/** Not empty, and no character trim could remove at either end. */
function solid(text: string, start: number, end: number): boolean {
  if (end <= start) return false;
  const a = text.charCodeAt(start);
  const z = text.charCodeAt(end - 1);
  return a > 32 && a < 127 && z > 32 && z < 127;
}

function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

export class RetailFastPath {
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  // Lines of one invoice follow each other: most repeat the previous line's time and customer.
  private lastDateRaw = '';
  private lastDate: string | null = null;
  private lastCustomerRaw = '';
  private lastCustomerId: string | null = null;
  // Customer and country side by side (as in the file's own layout): the text of both in the line last
  // given to the catalogue, and the catalogue's call count after it (see Catalogue.repeatCustomer).
  private readonly tailAdjacent: boolean;
  private lastTail = '';
  private lastTailCustomerId: string | null = null;
  private tailCalls = -1;

  /** `at[i]` is the position of onlineRetail.columns[i] among the `width` fields of a line. */
  constructor(
    private readonly at: readonly number[],
    private readonly width: number,
    private readonly writer: EventRows,
    private readonly catalogue: Catalogue,
  ) {
    this.tailAdjacent = at[7] === at[6]! + 1;
    this.starts = new Int32Array(width);
    this.ends = new Int32Array(width);
  }

  /**
   * Imports one PLAIN record, t[start, end): writes its row, records it in the catalogue and returns its kind. Returns null,
   * having changed nothing, for a line the general path must read (any rejection, spaces around a value,
   * a number outside the simple forms, non-ASCII text in a written field).
   */
  line(t: string, start: number, end: number, lineNo: number): EventKind | null {
    const { starts, ends, width, at } = this;
    let from = start;
    for (let j = 0; j < width - 1; j++) {
      const comma = t.indexOf(',', from);
      if (comma === -1 || comma >= end) return null;
      starts[j] = from;
      ends[j] = comma;
      from = comma + 1;
    }
    const extra = t.indexOf(',', from);
    if (extra !== -1 && extra < end) return null;
    starts[width - 1] = from;
    ends[width - 1] = end;

    const invS = starts[at[0]!]!;
    const invE = ends[at[0]!]!;
    const idS = starts[at[1]!]!;
    const idE = ends[at[1]!]!;
    if (!solid(t, invS, invE) || !solid(t, idS, idE)) return null;

    // Quantity: [+-]digits, at most 9 of them (always within range).
    const qE = ends[at[3]!]!;
    let i = starts[at[3]!]!;
    let c = t.charCodeAt(i);
    const qNeg = c === 45;
    if (c === 43 || c === 45) i++;
    if (i >= qE || qE - i > 9) return null;
    let quantity = 0;
    for (; i < qE; i++) {
      const d = t.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return null;
      quantity = quantity * 10 + d;
    }
    if (qNeg) quantity = -quantity;

    // Price: [+-]digits[.digits] or [+-].digits, at most 10 digits before the point (always within range)
    // and 15 in all (the value m / 10^k is then exactly Number's).
    const pS = starts[at[5]!]!;
    const pE = ends[at[5]!]!;
    i = pS;
    c = t.charCodeAt(i);
    const pNeg = c === 45;
    if (c === 43 || c === 45) i++;
    let m = 0;
    let whole = 0;
    let decimals = 0;
    let dot = false;
    for (; i < pE; i++) {
      const ch = t.charCodeAt(i);
      if (ch === 46) {
        if (dot) return null;
        dot = true;
        continue;
      }
      const d = ch - 48;
      if (d < 0 || d > 9) return null;
      m = m * 10 + d;
      if (dot) decimals++;
      else whole++;
    }
    if (whole + decimals === 0 || whole > 10 || whole + decimals > 15) return null;
    let price = m / POW10[decimals]!;
    if (pNeg) price = -price;
    // In ten-thousandths as tenThousandths() gives them: exact, since m < 10^15.
    let priceE4: number;
    if (decimals <= 4) priceE4 = m * POW10[4 - decimals]!;
    else {
      const unit = POW10[decimals - 4]!;
      priceE4 = Math.floor(m / unit);
      if (2 * (m - priceE4 * unit) >= unit) priceE4++;
    }
    if (pNeg && priceE4 !== 0) priceE4 = -priceE4;
    // A total beyond the bigint sums is the general path's rejection to make.
    if (Math.abs(quantity * priceE4) > MAX_LINE_TOTAL_E4) return null;

    const dS = starts[at[4]!]!;
    const dE = ends[at[4]!]!;
    let occurredAt: string | null;
    if (same(this.lastDateRaw, t, dS, dE)) occurredAt = this.lastDate;
    else {
      const raw = t.slice(dS, dE);
      occurredAt = parseRetailDate(raw);
      this.lastDateRaw = raw;
      this.lastDate = occurredAt;
    }
    if (occurredAt === null) return null;

    // Name and country as trim leaves them: ASCII spaces are cut here, any other character at either end
    // (it might be one of the other spaces trim knows) is left to the general path.
    let nS = starts[at[2]!]!;
    let nE = ends[at[2]!]!;
    while (nS < nE && isAsciiSpace(t.charCodeAt(nS))) nS++;
    while (nE > nS && isAsciiSpace(t.charCodeAt(nE - 1))) nE--;
    let coS = starts[at[7]!]!;
    let coE = ends[at[7]!]!;
    while (coS < coE && isAsciiSpace(t.charCodeAt(coS))) coS++;
    while (coE > coS && isAsciiSpace(t.charCodeAt(coE - 1))) coE--;
    if ((nE > nS && !solid(t, nS, nE)) || (coE > coS && !solid(t, coS, coE))) return null;

    const cS = starts[at[6]!]!;
    const cE = ends[at[6]!]!;
    const tailE = ends[at[7]!]!;
    const repeat =
      this.tailAdjacent &&
      this.tailCalls === this.catalogue.customerCalls &&
      same(this.lastTail, t, cS, tailE);
    let customerId: string | null;
    if (repeat) customerId = this.lastTailCustomerId;
    else if (same(this.lastCustomerRaw, t, cS, cE)) customerId = this.lastCustomerId;
    else {
      const raw = t.slice(cS, cE);
      customerId = raw.trim() ? normaliseCustomerId(raw) : null;
      this.lastCustomerRaw = raw;
      this.lastCustomerId = customerId;
    }

    // As Format.read: an invoice starting with C (either case) is a return.
    const first = t.charCodeAt(invS);
    const kind: EventKind =
      first === 67 || first === 99
        ? 'return'
        : quantity > 0 && price > 0
          ? customerId
            ? 'purchase'
            : 'anonymous'
          : 'adjustment';

    const w = this.writer;
    // Every field of the line plus the row's framing, the price's and the instant's (well within 96 bytes).
    w.reserve(end - start + 96);
    const rowStart = w.pos;
    w.begin(lineNo, kind);
    let ok = w.asciiText(t, invS, invE);
    if (customerId === null) w.nullField();
    else ok = w.asciiText(customerId, 0, customerId.length) && ok;
    ok = w.asciiText(t, idS, idE) && ok;
    w.int4(quantity);
    w.int8(priceE4);
    w.timestamptz(occurredAt);
    if (coE > coS) ok = w.asciiText(t, coS, coE) && ok;
    else w.nullField();
    if (!ok) {
      w.rollback(rowStart);
      return null;
    }
    w.end();

    const sale = kind === 'purchase' || kind === 'anonymous';
    this.catalogue.addSpans(t, idS, idE, sale, occurredAt, t, nS, nE, t, pS, pE);
    if (!(repeat && this.catalogue.repeatCustomer(occurredAt)))
      this.catalogue.addCustomer(customerId, occurredAt, t, coS, coE);
    if (this.tailAdjacent) {
      if (!repeat) {
        this.lastTail = t.slice(cS, tailE);
        this.lastTailCustomerId = customerId;
      }
      this.tailCalls = this.catalogue.customerCalls;
    }
    return kind;
  }
}
