import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onlineRetail } from './formats.ts';
import {
  decimalPoint,
  detectDelimiter,
  type ParsedChunk,
  parseChunk,
  parseChunkWithPapa,
  parseFile,
  type RawRecord,
  recordBatches,
} from './parse-file.ts';

const HEADER = [...onlineRetail.columns];

// Every kind of line the importer meets: good, ragged, empty fields, quoted commas and quotes, broken quotes,
// stray carriage returns and tabs, spaces around fields, non-ASCII text.
const LINES = [
  '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom',
  '536378,22752,SET 7 BABUSHKA NESTING BOXES,2,2011-06-01 08:26:00,7.65,17850.0',
  ',22752,,2,,7.65,,',
  '536366,22633,"HAND WARMER UNION JACK, RED",6,2011-03-01 08:28:00,1.85,17850.0,United Kingdom',
  '536374,21730,"GLASS STAR FROSTED T-LIGHT HOLDER ""BIG""",6,2011-06-30 12:00:00,4.25,13047.0,Germany',
  '536381,22752,"SET 7 "BABUSHKA" BOXES",2,2011-06-01 08:26:00,7.65,17850.0,United Kingdom',
  '536383,22752,"UNCLOSED QUOTE,2,2011-06-01 08:26:00,7.65,17850.0,United Kingdom',
  '536384,22752,TWO\rLINES\tTAB,2,2011-06-01 08:26:00,7.65,,Österreich',
  '536385,22752,"QUOTED\nNEWLINE",2,2011-06-01 08:26:00,7.65,,France',
  ' 536386 , 22752 ,  SPACED  ,2,2011-06-01 08:26:00,7.65, ,United Kingdom ',
  'a',
  ',,,,,,,,,,',
];

describe('parseChunk', () => {
  it('splits quote-free records exactly as PapaParse does, and leaves quoted ones to PapaParse', () => {
    const records: RawRecord[] = LINES.map((text, i) => ({ lineNo: i + 2, text }));
    const fast = parseChunk(records);
    const reference = parseChunkWithPapa(records);
    const plain = (r: string[] | Error) => (r instanceof Error ? { error: r.message } : r);
    expect(fast.map(plain)).toEqual(reference.map(plain));
    // The reference is PapaParse itself, record by record.
    expect(reference[0]).toEqual(Papa.parse<string[]>(LINES[0]!, { delimiter: ',', newline: '\n' }).data[0]);
    expect(fast[1]).toHaveLength(7);
    expect(fast[3]).toEqual([
      '536366',
      '22633',
      'HAND WARMER UNION JACK, RED',
      '6',
      '2011-03-01 08:28:00',
      '1.85',
      '17850.0',
      'United Kingdom',
    ]);
    expect(fast[5]).toBeInstanceOf(Error);
    expect(fast[6]).toBeInstanceOf(Error);
    expect((fast[7] as string[])[2]).toBe('TWO\rLINES\tTAB');
  });
});

// Lines the Online Retail fast path must read exactly as the general path does, or leave to it: spaces and
// tabs around values, non-ASCII text at either end and inside, numbers outside the simple forms, invalid
// values, lower-case returns, quotes, backslashes and stray carriage returns, and a catalogue whose names,
// prices and countries change over time (also out of time order).
const RETAIL_LINES = [
  '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom',
  '536365,71053,  WHITE METAL LANTERN \t,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom',
  '536366,71053,WHITE METAL LANTERN,+3,2010-12-01 08:28:00,3.40,17850.00, United Kingdom ',
  'c536367,71053,,-2,2010-12-01 08:28:00,3.40,13047.0,France',
  'C536368,71053,RENAMED LANTERN,007,12/1/2010 8:30,.5,13047.0,France',
  '536369,22633,HAND WARMER,-0,2010-12-01 08:30:00,3.,,United Kingdom',
  '536370,22633,\u00a0HAND WARMER\u00a0,1,2010-12-01 08:31:00,+1.25, 12345 ,Österreich',
  '536371,gift_0001_40,Dotcomgiftshop Gift Voucher £40.00,1,2010-12-20 10:14:00,34.04,,United Kingdom',
  '536372,22633,HAND WARMER,1,2010-11-30 08:31:00,1.10,12345,Germany',
  '5363é3,22633,HAND WARMER,1,2010-12-02 08:31:00,1.20,12345,Germany',
  '536374,22633,HAND WARMER,1234567890,2010-12-02 08:31:00,1.20,12345,Germany',
  '536375,22633,HAND WARMER,123456789,2010-12-02 08:31:00,-0.0,12345,Germany',
  '536376,22633,HAND WARMER,2,2010-12-02 08:31:00,1e3,12345,Germany',
  '536377,22633,HAND WARMER,2,2010-12-02 08:31:00,12345678901.5,12345,Germany',
  '536378,22633,HAND WARMER,2,2010-12-02 08:31:00,9999999999.99,12345,Germany',
  '536379,22633,HAND WARMER,2,2010-12-02 08:31:00,0.1234567890123456789,12345,Germany',
  '536380,22633,HAND WARMER,2,2011-02-29 08:31:00,1.20,12345,Germany',
  '536381,22633,HAND WARMER,2,2010-12-02 08:31:00,1.20,12345,Germany,extra',
  '536382,22633,HAND WARMER,2,2010-12-02 08:31:00,1.20,12345',
  ' ,22633,HAND WARMER,2,2010-12-02 08:31:00,1.20,12345,Germany',
  '536384, ,HAND WARMER,2,2010-12-02 08:31:00,1.20,12345,Germany',
  '536385,22633,HAND WARMER,x,2010-12-02 08:31:00,1.20,12345,Germany',
  '536386,22633,HAND WARMER,2,2010-12-02 08:31:00,.,12345,Germany',
  '536387,22633,HAND WARMER,2,2010-12-02 08:31:00,1.2.3,12345,Germany',
  '536388,22633,BACK\\SLASH,2,2010-12-02 08:31:00,1.20,12345,Germany',
  '536389,22633,STRAY\rRETURN,2,2010-12-02 08:31:00,1.20,12345,Germany',
  '536390,22633,"QUOTED, NAME",2,2010-12-02 08:31:00,1.20,12345,Germany',
  '536391, 22633 ,HAND WARMER,2, 2010-12-02 08:31:00 , 1.20 ,ABC,Germany',
  '536392,22633,HAND WARMER,2,2010-12-02 08:31:00,0.00,12345,',
  '536393,22633,HAND WARMER,-5,2010-12-03 08:31:00,1.50,,',
  '',
  '   ',
  'A536394,POST,POSTAGE,1,2010-12-03 09:00:00,18.00,12345.0,Germany',
  '536395,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.60,17850.0,EIRE',
  '536396,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,EIRE',
  // One customer's country changed by a line on the general path between two lines of the fast path.
  '536397,22633,HAND WARMER,1,2010-12-04 08:31:00,1.20,12345,Germany',
  '536398,22633,"HAND, WARMER",1,2010-12-04 08:32:00,1.20,12345,France',
  '536399,22633,HAND WARMER,1,2010-12-04 08:33:00,1.20,12345,Germany',
  // A customer without a country, twice: a line without one does not move the customer's time.
  '536400,22633,HAND WARMER,1,2010-12-05 08:31:00,1.20,12399,',
  '536401,22633,HAND WARMER,1,2010-12-06 08:31:00,1.20,12399,',
];

/**
 * Reads binary COPY tuples of `events` back (ints, text, the price in ten-thousandths as an int8, timestamptz
 * as ISO): a reader
 * written from the format's documentation, apart from the writer it checks.
 */
function decodeEventRows(bytes: Buffer): (string | number | null)[][] {
  const rows: (string | number | null)[][] = [];
  const types = ['int', 'int', 'text', 'text', 'text', 'text', 'int', 'bigint', 'time', 'text'];
  let at = 0;
  while (at < bytes.length) {
    const fields = bytes.readInt16BE(at);
    at += 2;
    expect(fields).toBe(types.length);
    const row: (string | number | null)[] = [];
    for (const type of types) {
      const len = bytes.readInt32BE(at);
      at += 4;
      if (len === -1) {
        row.push(null);
        continue;
      }
      const v = bytes.subarray(at, at + len);
      at += len;
      if (type === 'int') row.push(v.readInt32BE(0));
      else if (type === 'text') row.push(v.toString('utf8'));
      else if (type === 'time') {
        const ms = Number(v.readBigInt64BE(0) / 1000n) + Date.UTC(2000, 0, 1);
        row.push(new Date(ms).toISOString());
      } else {
        expect(len).toBe(8);
        row.push(Number(v.readBigInt64BE(0)));
      }
    }
    rows.push(row);
  }
  return rows;
}

describe('parseFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'megaphone-parse-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function parsed(path: string, copyRows: number, generalPathOnly: boolean) {
    const chunks: ParsedChunk[] = [];
    const catalogue = await parseFile(
      { path, format: 'online-retail', header: HEADER, batchId: 7, copyRows, generalPathOnly },
      async (chunk) => {
        chunks.push(chunk);
      },
    );
    return {
      events: Buffer.concat(chunks.map((c) => c.events)),
      rejected: chunks.map((c) => c.rejected).join(''),
      counts: chunks.map((c) => [c.read, c.imported, c.rejectedCount, c.byKind, c.rejections]),
      catalogue,
    };
  }

  it.each([
    ['plain', (text: string) => text],
    ['gzip, CRLF and BOM', (text: string) => gzipSync(`\uFEFF${text.replaceAll('\n', '\r\n')}`)],
  ])(
    'reads Online Retail lines on the fast path exactly as on the general path (%s)',
    async (name, encode) => {
      // Repeated, so that catalogue values change across chunks (each chunk copies what it kept).
      const lines = [HEADER.join(','), ...RETAIL_LINES, ...RETAIL_LINES.slice().reverse(), ...RETAIL_LINES];
      const path = join(dir, `${name}.csv`);
      await writeFile(path, encode(`${lines.join('\n')}\n`));
      for (const copyRows of [5, 25_000]) {
        const fast = await parsed(path, copyRows, false);
        const general = await parsed(path, copyRows, true);
        expect(fast).toEqual(general);
        const rows = decodeEventRows(fast.events);
        expect(rows[0]).toEqual([
          7,
          2,
          'purchase',
          '536365',
          '17850',
          '85123A',
          6,
          25_500,
          '2010-12-01T08:26:00.000Z',
          'United Kingdom',
        ]);
        expect(rows.map((r) => r[9])).toContain('Österreich');
        expect(rows).toHaveLength(fast.counts.reduce((n, c) => n + (c[1] as number), 0));
      }
    },
  );
});

describe('delimiters and decimal commas', () => {
  it('takes the separator a header uses most outside quotes, commas by default', () => {
    expect(detectDelimiter('a,b,c')).toBe(',');
    expect(detectDelimiter('a;b;c')).toBe(';');
    expect(detectDelimiter('a\tb\tc')).toBe('\t');
    expect(detectDelimiter('"x,y,z";b;c')).toBe(';');
    expect(detectDelimiter('single')).toBe(',');
  });

  it('reads decimal commas and dots between thousands, and leaves anything else as it is', () => {
    expect(['9,99', ' -1.234,50 ', ',5', '1.234.567,1'].map(decimalPoint)).toEqual([
      '9.99',
      ' -1234.50 ',
      '.5',
      '1234567.1',
    ]);
    expect(['9.99', '9,9,9', '12.34,5', 'abc', ''].map(decimalPoint)).toEqual([
      '9.99',
      '9,9,9',
      '12.34,5',
      'abc',
      '',
    ]);
  });
});

describe('recordBatches', () => {
  const read = async (pieces: Buffer[]) => {
    const out: RawRecord[] = [];
    for await (const batch of recordBatches(Readable.from(pieces), 2)) out.push(...batch);
    return out;
  };

  it('reads the same records whatever the reads are cut at, inside a line or a character', async () => {
    const text = '\uFEFFa,b\r\nc,"d\r\ne",f\n\n£1,"x""y"\n"open\nrest,€,😀\r\nlast';
    const bytes = Buffer.from(text);
    const whole = await read([bytes]);
    expect(whole.map((r) => r.text)).toEqual([
      'a,b',
      'c,"d\ne",f',
      '',
      '£1,"x""y"',
      '"open',
      'rest,€,😀',
      'last',
    ]);
    expect(whole.map((r) => r.brokenFrom)).toEqual([undefined, undefined, undefined, undefined, 6, 6, 6]);
    for (let size = 1; size <= 7; size++) {
      const pieces: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size));
      expect(await read(pieces)).toEqual(whole);
    }
  });

  it('reads a large read as small ones, though it decodes it in slices cut inside lines and characters', async () => {
    // The first slice (32 KiB) ends inside the first line's first € (three bytes: E2 82 AC), and more follow.
    const lines = [
      `${'a'.repeat(32 * 1024 - 1)}€€`,
      ...Array.from({ length: 3000 }, (_, i) => `${i},"naïve ${'€'.repeat(i % 7)}😀",${'x'.repeat(i % 50)}`),
    ];
    const bytes = Buffer.from(`${lines.join('\n')}\n`);
    expect([bytes[32 * 1024 - 1], bytes[32 * 1024]]).toEqual([0xe2, 0x82]);
    expect(bytes.length).toBeGreaterThan(4 * 32 * 1024);
    const whole = await read([bytes]);
    expect(whole.map((r) => r.text)).toEqual(lines);
    const pieces: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 1000) pieces.push(bytes.subarray(i, i + 1000));
    expect(await read(pieces)).toEqual(whole);
  });
});
