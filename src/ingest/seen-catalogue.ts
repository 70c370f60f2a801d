/**
 * The catalogue an import sees. Per product: the name of its latest line with a name, the price of its latest
 * sale, and its first time. Per customer: the country of its latest line with a country, and its first time.
 * "Latest" is by each line's own time (of a tie, the later line), so a file in any order gives the same result.
 */
import type { ParsedEvent } from './formats.ts';

export interface ProductSeen {
  name: string | null;
  /** When the line the name came from happened ('' without a name). */
  at: string;
  price: string | null;
  /** When the sale the price came from happened ('' without a price). */
  priceAt: string;
  firstAt: string;
}

export interface CustomerSeen {
  country: string | null;
  /** When the line the country came from happened ('' without a country). */
  at: string;
  firstAt: string;
}

interface ProductEntry extends ProductSeen {
  /** Has a name or price span not yet read (see Catalogue.own). */
  dirty: boolean;
  /**
   * The latest name and price as spans of a line's text, read by `own`: a product's lines mostly repeat its
   * name and price, and comparing them on every line was about a third of the catalogue's cost.
   */
  nameText: string | null;
  nameStart: number;
  nameEnd: number;
  priceText: string | null;
  priceStart: number;
  priceEnd: number;
}

interface CustomerEntry extends CustomerSeen {
  dirty: boolean;
}

/**
 * A copy of a string that does not point into the parsed chunk: a substring kept in the catalogue maps would
 * otherwise keep its whole chunk of the file alive (V8 sliced strings), and the heap would grow with the file.
 * V8 copies substrings shorter than 13 characters (SlicedString::kMinLength) instead: those are kept as they
 * are (prices, ids, which change very often).
 */
function own(s: string): string;
function own(s: string | null): string | null;
function own(s: string | null): string | null {
  return s === null || s.length < 13 ? s : (JSON.parse(JSON.stringify(s)) as string);
}

/** Whether `value` is text[start, end). */
export function same(value: string | null, text: string, start: number, end: number): boolean {
  // A slice compared with === is faster than comparing character by character (V8 compares flat contents).
  return value !== null && value.length === end - start && text.slice(start, end) === value;
}

/** text[start, end), kept as `current` when it holds the same (a copy of its own otherwise, see `own`). */
function read(current: string | null, text: string, start: number, end: number): string {
  return current !== null && same(current, text, start, end) ? current : own(text.slice(start, end));
}

/**
 * Products by id, found from a span of a line: no string cut out for the id of every line, and no hashing
 * of it by the engine (a Map lookup was one of the largest costs of the parse). Open addressing, FNV-1a.
 */
class ProductIndex {
  readonly ids: string[] = [];
  readonly entries: ProductEntry[] = [];
  private slots = new Int32Array(1 << 12);

  /** The entry for text[start, end), or undefined. */
  find(text: string, start: number, end: number): ProductEntry | undefined {
    const mask = this.slots.length - 1;
    for (let slot = hash(text, start, end) & mask; ; slot = (slot + 1) & mask) {
      const n = this.slots[slot]!;
      if (n === 0) return undefined;
      const id = this.ids[n - 1]!;
      if (id.length === end - start && spanEquals(id, text, start)) return this.entries[n - 1];
    }
  }

  /** Adds a product not in the index. */
  add(id: string, entry: ProductEntry): void {
    this.ids.push(id);
    this.entries.push(entry);
    if (this.ids.length * 2 > this.slots.length) {
      this.slots = new Int32Array(this.slots.length * 2);
      for (let n = 1; n <= this.ids.length; n++) this.place(n);
    } else this.place(this.ids.length);
  }

  private place(n: number): void {
    const id = this.ids[n - 1]!;
    const mask = this.slots.length - 1;
    let slot = hash(id, 0, id.length) & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = n;
  }
}

function hash(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function spanEquals(id: string, text: string, start: number): boolean {
  for (let i = 0; i < id.length; i++) if (id.charCodeAt(i) !== text.charCodeAt(start + i)) return false;
  return true;
}

/** Products and customers seen in the file: the latest name, price and country, and first and last times. */
export class Catalogue {
  private readonly products = new ProductIndex();
  readonly customers = new Map<string, CustomerEntry>();
  // Names and countries are kept by reference while a chunk is read and copied once per chunk, see `own`.
  private changedProducts: ProductEntry[] = [];
  private changedCustomers: CustomerEntry[] = [];
  // Consecutive lines usually belong to one invoice, hence one customer.
  private lastCustomerId: string | null = null;
  private lastCustomer: CustomerEntry | undefined;
  /** The latest instant seen (see CatalogueRows.latestAt). */
  latestAt: string | null = null;
  /** Calls of addCustomer and repeatCustomer (see repeatCustomer). */
  customerCalls = 0;
  // The latest call left its customer's country equal to that call's country.
  private countryHeld = false;

  add(e: ParsedEvent): void {
    const sale = (e.kind === 'purchase' || e.kind === 'anonymous') && e.unitPrice !== null && e.price > 0;
    const { productName: name, unitPrice: price, country } = e;
    const id = e.productId;
    this.addSpans(
      id,
      0,
      id.length,
      sale,
      e.occurredAt,
      name,
      0,
      name?.length ?? 0,
      price,
      0,
      price?.length ?? 0,
    );
    this.addCustomer(e.customerId, e.occurredAt, country, 0, country?.length ?? 0);
  }

  /**
   * `add` with the id, name and price given as spans of a text (null: none), so that the fast path makes a
   * string only for a new product or when a value changes. A price is only read for a sale.
   */
  addSpans(
    idText: string,
    idStart: number,
    idEnd: number,
    sale: boolean,
    at: string,
    nameText: string | null,
    nameStart: number,
    nameEnd: number,
    priceText: string | null,
    priceStart: number,
    priceEnd: number,
  ): void {
    // Every imported line passes here. ISO-8601 UTC instants of one form order as strings do.
    if (this.latestAt === null || at > this.latestAt) this.latestAt = at;
    const hasName = nameText !== null && nameEnd > nameStart;
    const p = this.products.find(idText, idStart, idEnd);
    if (!p) {
      const priced = sale && priceText !== null;
      const entry: ProductEntry = {
        name: null,
        at: hasName ? at : '',
        price: null,
        priceAt: priced ? at : '',
        firstAt: at,
        dirty: true,
        nameText: hasName ? nameText : null,
        nameStart,
        nameEnd,
        priceText: priced ? priceText : null,
        priceStart,
        priceEnd,
      };
      this.products.add(own(idText.slice(idStart, idEnd)), entry);
      this.changedProducts.push(entry);
      return;
    }
    // The name of the latest named line and the price of the latest sale, each by its own line's time (the
    // later line of a tie): a file in any order gives the same catalogue.
    // Only where the latest name and price are is noted here; `own` reads them once per chunk.
    if (hasName && at >= p.at) {
      p.nameText = nameText;
      p.nameStart = nameStart;
      p.nameEnd = nameEnd;
      p.at = at;
      this.changed(p);
    }
    if (sale && priceText !== null && at >= p.priceAt) {
      p.priceText = priceText;
      p.priceStart = priceStart;
      p.priceEnd = priceEnd;
      p.priceAt = at;
      this.changed(p);
    }
    if (at < p.firstAt) p.firstAt = at;
  }

  /** The customer's part of `add`, the country given as a span (see addSpans). */
  addCustomer(
    id: string | null,
    at: string,
    countryText: string | null,
    countryStart: number,
    countryEnd: number,
  ): void {
    this.customerCalls++;
    this.countryHeld = false;
    if (!id) return;
    const hasCountry = countryText !== null && countryEnd > countryStart;
    const c = id === this.lastCustomerId ? this.lastCustomer : this.customers.get(id);
    if (!c) {
      const entry = {
        country: hasCountry ? countryText.slice(countryStart, countryEnd) : null,
        at: hasCountry ? at : '',
        firstAt: at,
        dirty: true,
      };
      this.customers.set(own(id), entry);
      this.changedCustomers.push(entry);
      this.lastCustomer = entry;
      this.countryHeld = hasCountry;
    } else {
      if (at >= c.at && hasCountry) {
        this.countryHeld = true;
        if (!same(c.country, countryText, countryStart, countryEnd)) {
          c.country = countryText.slice(countryStart, countryEnd);
          if (!c.dirty) {
            c.dirty = true;
            this.changedCustomers.push(c);
          }
        }
        c.at = at;
      }
      if (at < c.firstAt) c.firstAt = at;
      this.lastCustomer = c;
    }
    this.lastCustomerId = id;
  }

  /**
   * addCustomer for a line with the same customer and country text as the latest call (the caller makes sure
   * no call came between): when that call left the country in place, there is nothing to compare. Returns
   * false, having changed nothing, when addCustomer must be called.
   */
  repeatCustomer(at: string): boolean {
    if (!this.countryHeld) return false;
    const c = this.lastCustomer!;
    this.customerCalls++;
    if (at >= c.at) c.at = at;
    if (at < c.firstAt) c.firstAt = at;
    return true;
  }

  private changed(p: ProductEntry): void {
    if (p.dirty) return;
    p.dirty = true;
    this.changedProducts.push(p);
  }

  /**
   * Reads the names and prices noted since the last call, and copies the strings kept since then, so that the
   * maps hold no part of a chunk of the file.
   */
  own(): void {
    for (const p of this.changedProducts) {
      if (p.nameText !== null) p.name = read(p.name, p.nameText, p.nameStart, p.nameEnd);
      if (p.priceText !== null) p.price = read(p.price, p.priceText, p.priceStart, p.priceEnd);
      p.nameText = null;
      p.priceText = null;
      p.dirty = false;
    }
    for (const c of this.changedCustomers) {
      c.country = own(c.country);
      c.dirty = false;
    }
    this.changedProducts = [];
    this.changedCustomers = [];
  }

  rows(): CatalogueRows {
    this.own();
    return {
      products: this.products.entries.map((p, n) => [
        this.products.ids[n]!,
        { name: p.name, at: p.at, price: p.price, priceAt: p.priceAt, firstAt: p.firstAt },
      ]),
      customers: Array.from(this.customers, ([id, c]) => [
        id,
        { country: c.country, at: c.at, firstAt: c.firstAt },
      ]),
      latestAt: this.latestAt,
    };
  }
}

export interface CatalogueRows {
  products: [string, ProductSeen][];
  customers: [string, CustomerSeen][];
  /** The latest instant of any imported line (ISO-8601 UTC), or null when none was imported. */
  latestAt: string | null;
}
