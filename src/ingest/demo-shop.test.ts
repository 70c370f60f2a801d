import Papa from 'papaparse';
import { beforeAll, describe, expect, it } from 'vitest';
import { CATEGORY_RULES, categorize } from './categorize.ts';
import { demoCatalogue, generateDemoShop, ONLINE_RETAIL_HEADER } from './demo-shop.ts';

interface Row {
  invoice: string;
  stockCode: string;
  description: string;
  quantity: number;
  date: string;
  price: number;
  customer: string;
  country: string;
}

const ADJUSTMENT_CODES = new Set(['POST', 'M']);

function parseRows(lines: readonly string[]): string[][] {
  return Papa.parse<string[]>(lines.slice(1).join('\n'), { delimiter: ',', newline: '\n' }).data;
}

function toRow([invoice, stockCode, description, quantity, date, price, customer, country]: string[]): Row {
  return {
    invoice: invoice!,
    stockCode: stockCode!,
    description: description!,
    quantity: Number(quantity),
    date: date!,
    price: Number(price),
    customer: customer!,
    country: country!,
  };
}

// The default shop is generated once and shared, since most tests look at the same data.
let cached: { lines: string[]; raw: string[][]; rows: Row[] } | undefined;
function defaultShop(): { lines: string[]; raw: string[][]; rows: Row[] } {
  if (!cached) {
    const lines = [...generateDemoShop()];
    const raw = parseRows(lines);
    cached = { lines, raw, rows: raw.map(toRow) };
  }
  return cached;
}

function purchaseInvoicesByCustomer(rows: readonly Row[]): Map<string, Set<string>> {
  const byCustomer = new Map<string, Set<string>>();
  for (const row of rows) {
    if (row.customer === '') continue;
    const invoices = byCustomer.get(row.customer) ?? new Set<string>();
    if (!row.invoice.startsWith('C')) invoices.add(row.invoice);
    byCustomer.set(row.customer, invoices);
  }
  return byCustomer;
}

describe('demoCatalogue', () => {
  const catalogue = demoCatalogue();

  it('has about 400 unique products', () => {
    expect(catalogue.length).toBeGreaterThanOrEqual(350);
    expect(catalogue.length).toBeLessThanOrEqual(450);
    expect(new Set(catalogue.map((item) => item.name)).size).toBe(catalogue.length);
    expect(new Set(catalogue.map((item) => item.stockCode)).size).toBe(catalogue.length);
  });

  it('covers every category rule and agrees with categorize()', () => {
    for (const item of catalogue) expect(categorize(item.name), item.name).toBe(item.category);
    const categories = new Set(catalogue.map((item) => item.category));
    for (const rule of CATEGORY_RULES) expect(categories, rule.category).toContain(rule.category);
    for (const rule of CATEGORY_RULES) {
      expect(catalogue.filter((item) => item.category === rule.category).length).toBeGreaterThanOrEqual(20);
    }
  });

  it('uses upper-case names, real-looking stock codes and shop prices', () => {
    for (const item of catalogue) {
      expect(item.name).toBe(item.name.toUpperCase());
      expect(item.stockCode).toMatch(/^\d{5}[A-Z]?$/);
      expect(item.price).toBeGreaterThanOrEqual(0.29);
      expect(item.price).toBeLessThanOrEqual(40);
      expect(Math.round(item.price * 100) / 100).toBe(item.price);
    }
    expect(catalogue.filter((item) => item.price > 15).length).toBeLessThan(catalogue.length * 0.05);
  });

  it('is deterministic for a seed', () => {
    expect(demoCatalogue(7)).toEqual(demoCatalogue(7));
    expect(demoCatalogue(7)).not.toEqual(demoCatalogue(8));
  });
});

describe('generateDemoShop', () => {
  // Generating and parsing ~40k lines takes a second or two on a slow CI box; keep that out of the test timeouts.
  beforeAll(() => {
    defaultShop();
  }, 60_000);

  it('is deterministic for a seed and differs between seeds', () => {
    const opts = { customers: 150, days: 120 };
    const a = [...generateDemoShop({ ...opts, seed: 7 })];
    const b = [...generateDemoShop({ ...opts, seed: 7 })];
    const c = [...generateDemoShop({ ...opts, seed: 8 })];
    expect(a.length).toBeGreaterThan(100);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('produces a default-size shop in the 25k-50k line range', () => {
    let count = 0;
    for (const _line of generateDemoShop()) count++;
    expect(count).toBeGreaterThanOrEqual(25_000);
    expect(count).toBeLessThanOrEqual(50_000);
  });

  it('writes Online Retail rows in the exact format', () => {
    const { lines, raw, rows } = defaultShop();
    expect(lines[0]).toBe(ONLINE_RETAIL_HEADER);
    expect(raw.length).toBe(lines.length - 1);
    expect(lines.filter((line) => /[\r\n]/.test(line))).toEqual([]);
    // Collect offending rows rather than calling expect() per field: 40k rows x 10 expects is slow.
    const malformed = raw.filter((fields, i) => {
      const row = rows[i]!;
      const [, , , quantity, , price] = fields;
      return !(
        fields.length === 8 &&
        /^C?\d{6}$/.test(row.invoice) &&
        /^(\d{5}[A-Z]?|POST|M)$/.test(row.stockCode) &&
        row.description !== '' &&
        row.description === row.description.toUpperCase() &&
        /^-?[1-9]\d*$/.test(quantity ?? '') &&
        /^\d{4}-\d{2}-\d{2} (0[7-9]|1\d):[0-5]\d:[0-5]\d$/.test(row.date) &&
        /^\d+\.\d{2}$/.test(price ?? '') &&
        /^(\d{5}\.0)?$/.test(row.customer) &&
        (row.customer === '' || Number(row.customer) >= 12346) &&
        row.country !== '' &&
        (!row.invoice.startsWith('C') || row.quantity < 0)
      );
    });
    expect(malformed.slice(0, 5)).toEqual([]);
  });

  it('quotes descriptions that contain commas or quotes', () => {
    const { lines, rows } = defaultShop();
    expect(rows.some((row) => row.description.includes(','))).toBe(true);
    expect(rows.some((row) => row.description.includes('"'))).toBe(true);
    expect(lines.some((line) => line.includes('""HOME SWEET HOME""'))).toBe(true);
  });

  it('numbers invoices in time order, one date and customer per invoice', () => {
    const { rows } = defaultShop();
    const seen = new Map<string, string>();
    const problems: string[] = [];
    for (const [i, row] of rows.entries()) {
      const key = `${row.date}|${row.customer}|${row.country}`;
      if ((seen.get(row.invoice) ?? key) !== key) problems.push(`${row.invoice} has mixed headers`);
      seen.set(row.invoice, key);
      const previous = rows[i - 1];
      if (!previous) continue;
      if (Number(row.invoice.replace('C', '')) < Number(previous.invoice.replace('C', ''))) {
        problems.push(`${row.invoice} after ${previous.invoice}`);
      }
      if (row.date < previous.date) problems.push(`${row.invoice} dated before ${previous.invoice}`);
    }
    expect(problems.slice(0, 5)).toEqual([]);
    expect(rows[0]!.date.startsWith('2025-12-01')).toBe(true);
    expect(rows.at(-1)!.date < '2026-12-01').toBe(true);
  });

  it('uses catalogue names and prices for product lines', () => {
    const { rows } = defaultShop();
    const catalogue = new Map(demoCatalogue().map((item) => [item.stockCode, item]));
    const mismatched = rows.filter((row) => {
      if (ADJUSTMENT_CODES.has(row.stockCode)) return false;
      const item = catalogue.get(row.stockCode);
      return !item || row.description !== item.name || row.price > item.price || row.price <= 0;
    });
    expect(mismatched.slice(0, 5)).toEqual([]);
    const sold = new Set(rows.map((row) => catalogue.get(row.stockCode)?.category));
    for (const rule of CATEGORY_RULES) expect(sold).toContain(rule.category);
  });

  it('has cancellations of earlier purchases by the same customer', () => {
    const { rows } = defaultShop();
    const cancelled = rows.filter((row) => row.invoice.startsWith('C'));
    const purchases = rows.filter(
      (row) => !row.invoice.startsWith('C') && !ADJUSTMENT_CODES.has(row.stockCode),
    );
    expect(cancelled.length).toBeGreaterThan(0);
    expect(cancelled.length / purchases.length).toBeGreaterThan(0.01);
    expect(cancelled.length / purchases.length).toBeLessThan(0.03);
    const bought = new Map<string, string>();
    for (const row of purchases) {
      const key = `${row.customer}|${row.stockCode}`;
      if (!bought.has(key)) bought.set(key, row.date);
    }
    const unmatched = cancelled.filter((row) => {
      const first = bought.get(`${row.customer}|${row.stockCode}`);
      return row.quantity >= 0 || row.customer === '' || first === undefined || first >= row.date;
    });
    expect(unmatched.slice(0, 5)).toEqual([]);
  });

  it('has anonymous (guest) sales on about 15% of invoices', () => {
    const { rows } = defaultShop();
    const invoices = new Map<string, string>();
    for (const row of rows) if (!row.invoice.startsWith('C')) invoices.set(row.invoice, row.customer);
    const anonymous = [...invoices.values()].filter((customer) => customer === '').length;
    expect(anonymous / invoices.size).toBeGreaterThan(0.1);
    expect(anonymous / invoices.size).toBeLessThan(0.2);
  });

  it('keeps postage and manual adjustment lines rare', () => {
    const { rows } = defaultShop();
    const adjustments = rows.filter((row) => ADJUSTMENT_CODES.has(row.stockCode));
    expect(adjustments.some((row) => row.stockCode === 'POST')).toBe(true);
    expect(adjustments.some((row) => row.stockCode === 'M')).toBe(true);
    expect(adjustments.length / rows.length).toBeLessThan(0.005);
    const negativeWithoutC = rows.filter((row) => row.quantity < 0 && !row.invoice.startsWith('C'));
    expect(negativeWithoutC.length).toBeGreaterThan(0);
    for (const row of negativeWithoutC) expect(row.stockCode).toBe('M');
  });

  it('peaks before Christmas and is quiet in January', () => {
    const { rows } = defaultShop();
    const catalogue = new Map(demoCatalogue().map((item) => [item.stockCode, item]));
    const revenue = new Map<number, number>();
    const christmas = new Map<number, number>();
    for (const row of rows) {
      const month = Number(row.date.slice(5, 7));
      const amount = row.quantity * row.price;
      revenue.set(month, (revenue.get(month) ?? 0) + amount);
      if (catalogue.get(row.stockCode)?.category === 'Christmas') {
        christmas.set(month, (christmas.get(month) ?? 0) + amount);
      }
    }
    const sum = (map: Map<number, number>, months: number[]): number =>
      months.reduce((total, month) => total + (map.get(month) ?? 0), 0);
    expect(sum(revenue, [11, 12])).toBeGreaterThan(2 * sum(revenue, [1, 2]));
    expect(sum(christmas, [10, 11, 12])).toBeGreaterThan(2 * sum(christmas, [1, 2, 3, 4, 5, 6, 7, 8, 9]));
  });

  it('has a realistic customer base', () => {
    const { rows } = defaultShop();
    const byCustomer = purchaseInvoicesByCustomer(rows);
    expect(byCustomer.size).toBeGreaterThan(1400);

    const countries = new Map<string, Set<string>>();
    const lastPurchase = new Map<string, string>();
    for (const row of rows) {
      if (row.customer === '') continue;
      const customers = countries.get(row.country) ?? new Set<string>();
      customers.add(row.customer);
      countries.set(row.country, customers);
      if (!row.invoice.startsWith('C')) lastPurchase.set(row.customer, row.date);
    }
    expect(countries.get('Germany')?.size ?? 0).toBeGreaterThanOrEqual(60);
    const uk = countries.get('United Kingdom')?.size ?? 0;
    expect(uk / byCustomer.size).toBeGreaterThan(0.6);
    expect(uk / byCustomer.size).toBeLessThan(0.8);
    expect(countries.size).toBeGreaterThanOrEqual(15);

    const oneTime = [...byCustomer.values()].filter((invoices) => invoices.size === 1).length;
    expect(oneTime / byCustomer.size).toBeGreaterThanOrEqual(0.25);
    expect([...byCustomer.values()].some((invoices) => invoices.size >= 20)).toBe(true);

    const lapsed = (days: number): number =>
      [...lastPurchase.values()].filter((date) => date < daysBefore('2026-12-01', days)).length;
    expect(lapsed(90)).toBeGreaterThan(byCustomer.size * 0.15);
    expect(lapsed(180)).toBeGreaterThan(byCustomer.size * 0.1);
  });

  it('honours start, days and customers options', () => {
    const lines = [
      ...generateDemoShop({ seed: 3, customers: 40, start: new Date('2024-03-01T00:00:00Z'), days: 30 }),
    ];
    const rows = parseRows(lines).map(toRow);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.date >= '2024-03-01').toBe(true);
      expect(row.date < '2024-03-31').toBe(true);
    }
    expect(purchaseInvoicesByCustomer(rows).size).toBe(40);
  });
});

function daysBefore(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}
