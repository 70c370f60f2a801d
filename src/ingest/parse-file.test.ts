import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { parseChunk, parseChunkWithPapa, type RawRecord } from './parse-file.ts';

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
