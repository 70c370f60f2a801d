import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chatRouter } from '../../../test/chat.ts';
import { createFixtureDatabase, type TestDatabase } from '../../../test/database.ts';
import { createCliAdapter, saveAttachments } from './chat.ts';
import { renderReply } from './render.ts';

describe('terminal chat', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createFixtureDatabase('pglite');
  });
  afterEach(async () => {
    await db.dispose();
  });

  it('holds a conversation through the real router until exit', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let transcript = '';
    output.on('data', (chunk) => {
      transcript += String(chunk);
    });
    const router = chatRouter(db);
    const chat = createCliAdapter({ router, input, output, banner: 'Welcome to Megaphone' });
    const done = chat.run();
    input.write('help\n');
    input.write('stats\n');
    input.write('what is the weather\n');
    input.write('exit\n');
    input.write('stats\n'); // after exit: never answered
    await done;
    expect(transcript.startsWith('Welcome to Megaphone\n')).toBe(true);
    expect(transcript).toMatch(/│ stats +│ Headline figures/);
    expect(transcript).toMatch(/ {2}Customers +3\n/);
    expect(transcript).toMatch(/ {2}Revenue +£306\.32\n/);
    expect(transcript).toMatch(/! I don't know how to answer "what is the weather" yet/);
    expect(transcript.match(/Feature store at a glance/g)).toHaveLength(1);
  });
});

describe('renderReply', () => {
  it('renders every part of a reply as plain text', () => {
    const text = renderReply({
      title: 'Lapsed Germans',
      text: 'Found *42* customers',
      fields: [
        { label: 'Count', value: '42' },
        { label: 'Spend', value: '£1,000.00' },
      ],
      table: { columns: ['Customer', 'Spend'], rows: [['1234*', 10.5]], truncated: 41 },
      attachments: [
        { filename: 'chart.png', mimeType: 'image/png', data: new Uint8Array(), altText: 'bar chart' },
      ],
      buttons: [{ action: 'segment.save', label: 'Save', value: 'x' }],
      context: 'Germany · no purchase in 90 days',
    });
    expect(text.split('\n')).toEqual(
      expect.arrayContaining([
        'Lapsed Germans',
        'Found 42 customers',
        '  Count  42',
        '  Spend  £1,000.00',
        '  ... and 41 more',
        '[attachment chart.png: bar chart]',
        'Next: Save',
        'Germany · no purchase in 90 days',
      ]),
    );
    expect(text).toMatch(/│ 1234\* +│ 10\.5 +│/);
  });
});

describe('saveAttachments', () => {
  it('keeps every attachment saved within the same second, each under its own name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'megaphone-exports-'));
    try {
      const reply = (byte: number) => ({
        attachments: [{ filename: 'chart.png', mimeType: 'image/png', data: new Uint8Array([byte]) }],
      });
      const saved = [];
      for (let i = 1; i <= 3; i++) saved.push((await saveAttachments(reply(i), dir))['chart.png']!);
      expect(new Set(saved).size).toBe(3);
      // The first keeps the plain name; a name taken within the same second gets -2, -3 (seconds may tick).
      expect(saved[0]).toMatch(/-chart\.png$/);
      for (const [i, path] of saved.entries()) expect([...(await readFile(path))]).toEqual([i + 1]);
      expect((await readdir(dir)).length).toBe(3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
