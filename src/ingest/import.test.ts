import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { customerFeatures, events, importBatches, products, rejectedRows } from '../../db/schema.ts';
import { createTestDatabase, drivers, type TestDatabase } from '../../test/database.ts';
import { UserError } from '../core/errors.ts';
import { importFile } from './import.ts';
import { storeStats } from './stats.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const RETAIL = fixture('retail-small.csv');
const EVENTS = fixture('events-small.csv');
const onlineRetailHeader =
  'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'megaphone-import-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function variant(name: string, transform: (text: string) => Buffer | string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, transform(await readFile(RETAIL, 'utf8')));
  return path;
}

describe.each(drivers)('import on %s', (driver) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(driver);
  });
  afterEach(async () => {
    await db.dispose();
  });

  it('imports an Online Retail file: every line imported or quarantined, with reasons', async () => {
    const summary = await importFile(db, RETAIL);
    expect(summary.format).toBe('online-retail');
    expect(summary).toMatchObject({ read: 20, imported: 11, rejected: 9 });
    expect(summary.read).toBe(summary.imported + summary.rejected);
    expect(summary.byKind).toEqual({ purchase: 7, return: 1, anonymous: 1, adjustment: 2 });
    // The summary lists them in file order (the unbalanced quote on line 22 is found first).
    expect(summary.rejections.map((r) => r.lineNo)).toEqual([13, 14, 15, 16, 17, 18, 19, 21, 22]);

    const quarantine = await db.db
      .select({ lineNo: rejectedRows.lineNo, raw: rejectedRows.raw, reason: rejectedRows.reason })
      .from(rejectedRows)
      .orderBy(asc(rejectedRows.lineNo));
    expect(quarantine.map((r) => [r.lineNo, r.reason])).toEqual([
      [13, 'Quantity "two" is not a whole number'],
      [
        14,
        'InvoiceDate "2011-13-01 08:26:00" is not a valid date (expected YYYY-MM-DD HH:MM:SS, M/D/YYYY H:MM or D.M.YYYY H:MM)',
      ],
      [15, 'UnitPrice "abc" is not a number'],
      [16, 'expected 8 fields, found 7'],
      [17, 'InvoiceNo is empty'],
      [18, 'StockCode is empty'],
      [19, expect.stringMatching(/^CSV syntax error: /)],
      [
        21,
        'InvoiceDate "2011-02-30 08:26:00" is not a valid date (expected YYYY-MM-DD HH:MM:SS, M/D/YYYY H:MM or D.M.YYYY H:MM)',
      ],
      [22, 'unbalanced quote: the quoted field opened on line 22 is never closed'],
    ]);
    expect(quarantine[0]!.raw).toBe(
      '536375,22752,SET 7 BABUSHKA NESTING BOXES,two,2011-06-01 08:26:00,7.65,17850.0,United Kingdom',
    );

    const [batch] = await db.db.select().from(importBatches);
    expect(batch).toMatchObject({ status: 'done', rowsRead: 20, rowsImported: 11, rowsRejected: 9 });
  });

  it('computes the store figures and per-customer features', async () => {
    await importFile(db, RETAIL);
    expect(await storeStats(db)).toMatchObject({
      customers: 3,
      products: 7,
      purchaseLines: 7,
      orders: 5,
      revenue: 306.32,
      asOf: '2011-06-30T12:00:00.000Z',
      rejectedRows: 9,
    });
    const rows = await db.db.select().from(customerFeatures).orderBy(asc(customerFeatures.customerId));
    const byId = Object.fromEntries(rows.map((r) => [r.customerId, r]));
    expect(Object.keys(byId)).toEqual(['12583', '13047', '17850']);
    expect(byId['17850']).toMatchObject({
      spend: '46.74',
      orders: 2,
      recencyDays: 121,
      tenureDays: 171,
      distinctProducts: 3,
      returns: 0,
      country: 'United Kingdom',
      lifecycle: 'at_risk',
      avgOrderValue: '23.37',
    });
    expect(byId['13047']).toMatchObject({
      spend: '79.58',
      orders: 2,
      returns: 1,
      recencyDays: 0,
      country: 'Germany',
    });
    expect(byId['13047']!.lifecycle).toBe('active');
    expect(byId['12583']).toMatchObject({ spend: '180.00', orders: 1, recencyDays: 29, lifecycle: 'new' });
    // Highest spend gets the top monetary score, most recent the top recency score.
    expect(byId['12583']!.mScore).toBe(5);
    expect(byId['13047']!.rScore).toBe(5);
    expect(byId['17850']!.rScore).toBe(1);

    const [product] = await db.db.select().from(products).where(eq(products.id, '21730'));
    expect(product).toMatchObject({
      name: 'GLASS STAR FROSTED T-LIGHT HOLDER "BIG"',
      category: 'Candles & Lights',
    });
  });

  it('reads gzip, BOM and CRLF the same way, and recognises the same content as a re-import', async () => {
    const gz = await variant('retail.csv.gz', (t) => gzipSync(`\ufeff${t.replaceAll('\n', '\r\n')}`));
    const first = await importFile(db, gz);
    expect(first).toMatchObject({ read: 20, imported: 11, rejected: 9 });
    const before = await storeStats(db);
    expect(before.revenue).toBe(306.32);

    const again = await importFile(db, gz);
    expect(again.duplicateOf?.batchId).toBe(first.batchId);
    expect(again.imported).toBe(0);
    expect(await storeStats(db)).toEqual(before);
  });

  it('loads text outside ASCII exactly as the file has it', async () => {
    const path = join(dir, 'unicode.csv');
    await writeFile(
      path,
      [
        'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country',
        '536365,85123A,HEART,6,2011-01-10 08:26:00,2.55,17850.0,United Kingdom',
        '536366,22633,CRÈME,6,2011-01-10 08:27:00,1.85,17850.0,Österreich',
        '536367,2263€,"HAND, WARMER",6,2011-01-10 08:28:00,1.85,13047.0,"Česko, 😀"',
        '536368,84879,BIRD,32,2011-01-10 08:34:00,1.69,13047.0,Germany',
        '',
      ].join('\n'),
    );
    expect(await importFile(db, path)).toMatchObject({ read: 4, imported: 4, rejected: 0 });
    const rows = await db.db
      .select({ productId: events.productId, country: events.country })
      .from(events)
      .orderBy(asc(events.lineNo));
    expect(rows).toEqual([
      { productId: '85123A', country: 'United Kingdom' },
      { productId: '22633', country: 'Österreich' },
      { productId: '2263€', country: 'Česko, 😀' },
      { productId: '84879', country: 'Germany' },
    ]);
  });

  it('loads every price and instant as the database reads their text, on either path of the parser', async () => {
    // Events travel as binary COPY: each value must equal what the column's own text input makes of it.
    const prices = [
      '2.55',
      '.5',
      '+3',
      '10',
      '10000',
      '0.00005',
      '1.23455',
      '9999999999.9999',
      '-11062.06',
      '-0.00005',
      '0.000049999',
    ];
    const prices2 = ['-0.00', '007.50', `1.${'0'.repeat(1100)}9`, '123456789.12345', '0.1', '-1.23455'];
    const times = [
      '1969-07-20 20:17:40',
      '1999-12-31 23:59:59',
      '2000-01-01 00:00:00',
      // Far from 2000, where microseconds no longer fit a double's integers.
      '9999-12-31 23:59:59',
      '0001-01-01 00:00:01',
    ];
    const retail = prices.map(
      (price, i) => `5400${i},22633,HAND WARMER,2,${times[i % times.length]},${price},17850.0,Germany`,
    );
    // A quoted field sends a line to the general path; so does a NUL, which is refused.
    const general = prices2.map(
      (price, i) => `5401${i},22633,"HAND, WARMER",-1,${times[i % times.length]},${price},,France`,
    );
    const path = join(dir, 'values.csv');
    await writeFile(
      path,
      [
        onlineRetailHeader,
        ...retail,
        ...general,
        '54100,22\u0000633,NUL,1,2011-01-10 08:26:00,1.00,17850,UK',
        '',
      ].join('\n'),
    );
    const summary = await importFile(db, path);
    expect(summary).toMatchObject({ read: 18, imported: 17, rejected: 1 });
    expect(summary.rejections).toEqual([
      {
        lineNo: 19,
        reason: 'the line holds a NUL character (byte 0), which no text field can store: remove it',
      },
    ]);
    const expected = [...prices, ...prices2].map((price, i) => ({
      line: i + 2,
      price,
      at: times[(i < prices.length ? i : i - prices.length) % times.length]!,
    }));
    const loaded = await db.rows<{ line: number; price: string; expected: string; same: boolean }>(sql`
      select e.line_no as line, (e.unit_price_e4 * 0.0001)::text as price, t.price::numeric(14, 4)::text as expected,
        e.occurred_at = (t.at || '+00')::timestamptz as same
      from events e
      join jsonb_to_recordset(${JSON.stringify(expected)}::jsonb) as t(line int, price text, at text)
        on e.line_no = t.line
      order by e.line_no`);
    expect(loaded).toHaveLength(expected.length);
    for (const row of loaded) {
      expect({ line: row.line, price: row.price, same: row.same }).toEqual({
        line: row.line,
        price: row.expected,
        same: true,
      });
    }
    expect(loaded.map((r) => r.price)).toContain('9999999999.9999');
    expect(loaded.map((r) => r.price)).toContain('0.0001');
    expect(loaded.map((r) => r.price)).toContain('-0.0001');
  });

  it('reads files separated by semicolons (decimal commas) or tabs, as spreadsheets save them', async () => {
    const semicolons = join(dir, 'semicolons.csv');
    await writeFile(
      semicolons,
      [
        'customer_id;item_id;event_type;occurred_at;quantity;unit_price;item_name',
        'c1;sku1;purchase;2026-11-01T10:00:00Z;2;9,99;Mug, blue',
        'c1;sku2;purchase;2026-11-01T10:00:00Z;1;1.234,50;"Sofa; ""grey"""',
        'c2;sku1;purchase;2026-11-02T10:00:00Z;1;9.95;Mug',
        'c2;sku3;purchase;2026-11-02T10:00:00Z;1;9,9,9;Plate',
        '',
      ].join('\r\n'),
    );
    const summary = await importFile(db, semicolons);
    expect(summary).toMatchObject({ format: 'events', read: 4, imported: 3, rejected: 1 });
    expect(summary.rejections).toEqual([{ lineNo: 5, reason: 'unit_price "9,9,9" is not a number' }]);
    const rows = await db.rows<{ product: string; price: string; name: string }>(sql`
      select e.product_id as product, (e.unit_price_e4 * 0.0001)::text as price, p.name
      from events e join products p on p.id = e.product_id order by e.line_no`);
    expect(rows).toEqual([
      { product: 'sku1', price: '9.9900', name: 'Mug' },
      { product: 'sku2', price: '1234.5000', name: 'Sofa; "grey"' },
      { product: 'sku1', price: '9.9500', name: 'Mug' },
    ]);

    // The Online Retail layout as a German spreadsheet saves it: day-first dotted dates, decimal commas.
    const retail = join(dir, 'retail-semicolons.csv');
    await writeFile(
      retail,
      [
        'InvoiceNo;StockCode;Description;Quantity;InvoiceDate;UnitPrice;CustomerID;Country',
        '536365;85123A;WHITE HEART;6;01.12.2010 08:26;2,55;17850;Germany',
        '536366;85123A;WHITE HEART;1;31.12.2010 08:26;2,55;17850;Germany',
        '536367;85123A;WHITE HEART;1;12/31/2010 09:26;2,55;17850;Germany',
        '',
      ].join('\n'),
    );
    expect(await importFile(db, retail)).toMatchObject({ read: 3, imported: 3, rejected: 0 });
    const times = await db.rows<{ at: string }>(sql`
      select to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') as at
      from events where invoice like '5363%' order by line_no`);
    expect(times.map((t) => t.at)).toEqual(['2010-12-01 08:26', '2010-12-31 08:26', '2010-12-31 09:26']);

    const tabs = join(dir, 'tabs.tsv');
    await writeFile(
      tabs,
      [
        'customer_id\titem_id\tevent_type\toccurred_at\tquantity\tunit_price\titem_name',
        'c3\tsku4\tpurchase\t2026-11-03T10:00:00Z\t3\t2.50\tBowl, large',
        '',
      ].join('\n'),
    );
    expect(await importFile(db, tabs)).toMatchObject({ read: 1, imported: 1, rejected: 0 });
    expect(await storeStats(db)).toMatchObject({ customers: 4, revenue: 1292.33 });
  });

  it('computes features as of an earlier instant, ignoring later lines', async () => {
    await importFile(db, RETAIL, { asOf: new Date('2011-03-31T00:00:00Z') });
    const stats = await storeStats(db);
    expect(stats).toMatchObject({
      customers: 2,
      purchaseLines: 4,
      revenue: 100.82,
      asOf: '2011-03-31T00:00:00.000Z',
    });
  });

  it('imports the generic events layout', async () => {
    const summary = await importFile(db, EVENTS);
    expect(summary).toMatchObject({ format: 'events', read: 12, imported: 7, rejected: 5 });
    expect(summary.byKind).toEqual({ purchase: 3, view: 1, return: 1, anonymous: 1, add_to_cart: 1 });
    expect(summary.rejections.map((r) => r.lineNo)).toEqual([9, 10, 11, 12, 13]);
    expect(summary.rejections[0]!.reason).toBe(
      'event_type "wishlist" is not one of purchase, view, click, add_to_cart, return',
    );
    expect(await storeStats(db)).toMatchObject({ customers: 2, orders: 2, purchaseLines: 3, revenue: 59.98 });
    const [c2] = await db.db.select().from(customerFeatures).where(eq(customerFeatures.customerId, 'c2'));
    expect(c2).toMatchObject({ returns: 1, orders: 1 });
  });

  it('leaves planner statistics on the events columns that queries filter, join and group by', async () => {
    await importFile(db, RETAIL);
    const stats = await db.rows<{ column: string }>(sql`
      select attname as column from pg_stats where tablename = 'events' order by 1`);
    expect(stats.map((s) => s.column)).toEqual([
      'batch_id',
      'customer_id',
      'kind',
      'occurred_at',
      'product_id',
    ]);
  });

  it('rejects a line whose total is beyond what revenue is summed in, and keeps the largest allowed', async () => {
    const retail = join(dir, 'totals.csv');
    await writeFile(
      retail,
      [
        onlineRetailHeader,
        '536365,85123A,HUGE,1000,2010-12-01 08:26:00,1000000000,17850,United Kingdom',
        '536366,85123A,TOO HUGE,1001,2010-12-01 08:26:00,1000000000,17850,United Kingdom',
        '536367,85123A,"TOO HUGE, QUOTED",-999999999,2010-12-01 08:26:00,9999999999.99,17850,United Kingdom',
        '',
      ].join('\n'),
    );
    const summary = await importFile(db, retail);
    expect(summary).toMatchObject({ read: 3, imported: 1, rejected: 2 });
    expect(summary.rejections).toEqual([
      {
        lineNo: 3,
        reason:
          "Quantity 1001 x UnitPrice 1000000000 is out of range (a line's total must not exceed 1,000,000,000,000)",
      },
      {
        lineNo: 4,
        reason:
          "Quantity -999999999 x UnitPrice 9999999999.99 is out of range (a line's total must not exceed 1,000,000,000,000)",
      },
    ]);
    expect((await storeStats(db)).revenue).toBe(1_000_000_000_000);

    const generic = join(dir, 'totals-events.csv');
    await writeFile(
      generic,
      [
        'customer_id,item_id,event_type,occurred_at,quantity,unit_price,item_name',
        'c1,sku1,purchase,2026-11-01T10:00:00Z,2000000000,1000000,Mug',
        '',
      ].join('\n'),
    );
    expect((await importFile(db, generic)).rejections).toEqual([
      {
        lineNo: 2,
        reason:
          "quantity 2000000000 x unit_price 1000000 is out of range (a line's total must not exceed 1,000,000,000,000)",
      },
    ]);
  });

  it('accounts for every line of a file loaded in several chunks, rejections alongside', async () => {
    // 210k lines making over 100k records (lines with an unbalanced quote join the next ones): more than one
    // COPY chunk on either driver, with tens of thousands of rejected lines among them.
    const big = await variant('big.csv', (t) => t.repeat(10_000));
    const summary = await importFile(db, big);
    expect(summary.read).toBeGreaterThan(100_000);
    expect(summary.rejected).toBeGreaterThan(40_000);
    expect(summary.read).toBe(summary.imported + summary.rejected);
    const [n] = await db.rows<{ events: number; rejected: number; lines: number }>(sql`
      select (select count(*) from events)::int as events, (select count(*) from rejected_rows)::int as rejected,
        (select count(distinct line_no) from rejected_rows)::int as lines`);
    expect(n).toEqual({ events: summary.imported, rejected: summary.rejected, lines: summary.rejected });
    const [batch] = await db.db.select().from(importBatches);
    expect(batch).toMatchObject({
      status: 'done',
      rowsRead: summary.read,
      rowsImported: summary.imported,
      rowsRejected: summary.rejected,
    });
  });

  // Names and definitions: the importer's own statements must build them as the migrations did.
  const indexes = async () =>
    (
      await db.rows<{ name: string; definition: string }>(
        sql`select indexname as name, indexdef as definition from pg_indexes where tablename = 'events' order by 1`,
      )
    ).map((r) => `${r.name}: ${r.definition}`);
  /** Pages of events that the BRIN index does not summarise yet (summarising them as it counts). */
  const unsummarised = async () =>
    Number(
      (
        await db.rows<{ n: number }>(sql`select brin_summarize_new_values('events_occurred_brin')::int as n`)
      )[0]?.n,
    );

  it('has the events indexes after loading into an empty store (PGlite builds both after the load, a server the BRIN one), also when the load fails', async () => {
    const before = await indexes();
    expect(before).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^events_customer: .* WHERE \(customer_id IS NOT NULL\)$/),
        expect.stringMatching(/^events_occurred_brin: .* USING brin \(occurred_at\)$/),
      ]),
    );
    // Every page of a load ends up summarised in the BRIN index: by its build after a load into an empty
    // store, or by the import once the features' groupings are done.

    // A gzip file cut short: the header line reads, the load fails part way (30k lines: some chunks of
    // events and rejections have gone to the database by then).
    const whole = gzipSync(Buffer.from((await readFile(RETAIL, 'utf8')).repeat(1500)));
    const truncated = await variant('truncated.csv.gz', () => whole.subarray(0, whole.length - 200));
    await expect(importFile(db, truncated)).rejects.toThrow();
    expect(await indexes()).toEqual(before);
    const [failed] = await db.db.select().from(importBatches);
    expect(failed).toMatchObject({ status: 'failed' });
    // Nothing of it is kept: no events, rejections or catalogue.
    const [left] = await db.rows<{
      events: number;
      rejected: number;
      products: number;
      customers: number;
    }>(sql`
      select (select count(*) from events)::int as events, (select count(*) from rejected_rows)::int as rejected,
        (select count(*) from products)::int as products, (select count(*) from customers)::int as customers`);
    expect(left).toEqual({ events: 0, rejected: 0, products: 0, customers: 0 });

    await importFile(db, RETAIL);
    expect(await indexes()).toEqual(before);
    expect(await unsummarised()).toBe(0);
    // The second import finds events and keeps the indexes as they are; the refresh summarises its pages.
    await importFile(db, EVENTS);
    expect(await indexes()).toEqual(before);
    expect(await unsummarised()).toBe(0);
  });

  it('builds the events indexes after a load into an empty store that skips the feature refresh', async () => {
    const before = await indexes();
    await importFile(db, RETAIL, { skipFeatures: true });
    expect(await indexes()).toEqual(before);
    expect(await unsummarised()).toBe(0);
  });

  it('loads a first import frozen on a server, and later ones as ordinary rows next to it', async () => {
    // The import analyses events, which counts the pages the visibility map marks all-visible.
    const pages = async () => {
      const [row] = await db.rows<{ pages: number; visible: number }>(sql`
        select relpages as pages, relallvisible as visible from pg_class where relname = 'events'`);
      return row!;
    };
    await importFile(db, RETAIL);
    const first = await pages();
    expect(first.pages).toBeGreaterThan(0);
    // COPY FREEZE marks every page it fills all-visible; PGlite loads ordinary rows.
    expect(first.visible).toBe(driver === 'postgres' ? first.pages : 0);
    const [before] = await db.rows<{ n: number }>(sql`select count(*)::int as n from events`);
    await importFile(db, EVENTS);
    const [after] = await db.rows<{ n: number; first: number }>(sql`
      select count(*)::int as n, count(*) filter (where batch_id = (select min(id) from import_batches))::int as first
      from events`);
    // Nothing of the first import was truncated away; the second added its own rows.
    expect(after!.first).toBe(before!.n);
    expect(after!.n).toBeGreaterThan(before!.n);
    const second = await pages();
    expect(second.visible).toBeLessThan(second.pages);
  });

  it('imports events purchases without a price: they count as orders and add nothing to spend', async () => {
    const path = join(dir, `no-price-${driver}.csv`);
    await writeFile(
      path,
      'customer_id,item_id,event_type,occurred_at,quantity\n' +
        'c1,i1,purchase,2026-01-01T00:00:00Z,1\n' +
        'c2,i2,purchase,2026-01-02T00:00:00Z,2\n',
    );
    const summary = await importFile(db, path);
    expect(summary).toMatchObject({ read: 2, imported: 2, rejected: 0, customersWithFeatures: 2 });
    const rows = await db.rows<{ customer_id: string; spend: string; orders: number }>(
      sql`select customer_id, spend::text as spend, orders from customer_features order by 1`,
    );
    expect(rows).toEqual([
      { customer_id: 'c1', spend: '0.00', orders: 1 },
      { customer_id: 'c2', spend: '0.00', orders: 1 },
    ]);
  });

  it('takes the load back when the feature refresh fails, so the file can be imported again', async () => {
    // A refresh that fails for a reason of the database's own: a trigger refusing the features.
    await db.rows(sql`
      create function refuse_features() returns trigger language plpgsql as
        $$ begin raise exception 'features refused for the test'; end $$`);
    await db.rows(sql`
      create trigger refuse_features before insert on customer_features
      for each statement execute function refuse_features()`);
    await expect(importFile(db, RETAIL)).rejects.toThrow();
    const [left] = await db.rows<{ events: number; status: string; error: string }>(sql`
      select (select count(*) from events)::int as events, status, error from import_batches`);
    expect(left).toMatchObject({
      events: 0,
      status: 'failed',
      error: 'feature refresh failed: features refused for the test',
    });

    await db.rows(sql`drop trigger refuse_features on customer_features`);
    const again = await importFile(db, RETAIL);
    expect(again.duplicateOf).toBeUndefined();
    expect(again.customersWithFeatures).toBeGreaterThan(0);
  });

  it('keeps customer ids bytewise in events, and joins them with the features', async () => {
    // Migration 0013: the index build and the groupings by customer sort without the locale.
    const [column] = await db.rows<{ collation: string }>(sql`
      select collation_name as collation from information_schema.columns
      where table_name = 'events' and column_name = 'customer_id'`);
    expect(column?.collation).toBe('C');
    await importFile(db, RETAIL);
    const [joined] = await db.rows<{ n: number; all: number }>(sql`
      select (select count(*) from customer_features f
        where exists (select 1 from events e where e.customer_id = f.customer_id))::int as n,
        (select count(*) from customer_features)::int as all`);
    expect(joined!.n).toBeGreaterThan(0);
    expect(joined!.n).toBe(joined!.all);
  });

  it('refuses a file that is not the layout, naming what is missing, and imports nothing', async () => {
    const wrong = await variant('wrong.csv', () => 'order,sku,amount\n1,2,3\n');
    await expect(importFile(db, wrong)).rejects.toThrow(/unknown layout \(header: order, sku, amount\)/);
    const partial = await variant('partial.csv', (t) => t.replace(',CustomerID,Country', ',Country'));
    const error = await importFile(db, partial, { format: 'online-retail' }).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(/missing column CustomerID/);
    await expect(importFile(db, join(dir, 'nope.csv'))).rejects.toThrow(/no such file/);
    await expect(importFile(db, dir)).rejects.toThrow(/: it is a folder, not a file\. Give the path/);
    // A binary file: its "header" is shown cut short and readable, not as thousands of raw bytes.
    const binary = await variant('binary.csv', () =>
      // No line break in it: it is all one "header line", some of it commas.
      Buffer.from(
        Array.from({ length: 3000 }, (_, i) =>
          i % 7 === 0 ? 44 : i % 11 === 0 ? 1 : i % 13 === 0 ? 200 : 65 + (i % 26),
        ),
      ),
    );
    const refused = await importFile(db, binary).catch((e: Error) => e);
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as Error).message).toMatch(
      /unknown layout \(header: .{100,130}\.\.\. \(\d+ fields; is this a CSV file\?\)\)/,
    );
    expect((refused as Error).message.length).toBeLessThan(500);
    expect((refused as Error).message).not.toMatch(/\p{Cc}/u);
    const empty = await variant('empty.csv', () => '');
    await expect(importFile(db, empty)).rejects.toThrow(/is empty/);
    const [row] = await db.rows<{ n: number }>(sql`select count(*)::int as n from events`);
    expect(row!.n).toBe(0);
  });
});
