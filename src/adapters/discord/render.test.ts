import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import type { Reply } from '../../core/reply.ts';
import { decodeButton, encodeButton, LIMITS, renderDiscordReply, toMarkdown } from './render.ts';

function embedChars(e: {
  title?: string;
  description?: string;
  footer?: { text: string };
  fields?: { name: string; value: string }[];
}) {
  return (
    (e.title?.length ?? 0) +
    (e.description?.length ?? 0) +
    (e.footer?.text.length ?? 0) +
    (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0)
  );
}

function withinLimits(messages: ReturnType<typeof renderDiscordReply>) {
  for (const m of messages) {
    expect(m.embeds.length).toBeLessThanOrEqual(LIMITS.embeds);
    expect(m.files.length).toBeLessThanOrEqual(LIMITS.files);
    expect(m.embeds.reduce((n, e) => n + embedChars(e), 0)).toBeLessThanOrEqual(LIMITS.embedTotal);
    for (const e of m.embeds) {
      expect(e.title?.length ?? 0).toBeLessThanOrEqual(LIMITS.title);
      expect(e.description?.length ?? 0).toBeLessThanOrEqual(LIMITS.description);
      expect(e.footer?.text.length ?? 0).toBeLessThanOrEqual(LIMITS.footer);
      expect(e.fields?.length ?? 0).toBeLessThanOrEqual(LIMITS.fields);
      for (const f of e.fields ?? []) {
        expect(f.name.length).toBeLessThanOrEqual(LIMITS.fieldName);
        expect(f.value.length).toBeLessThanOrEqual(LIMITS.fieldValue);
      }
    }
    expect(m.components.length).toBeLessThanOrEqual(LIMITS.rows);
    for (const row of m.components) {
      expect(row.components.length).toBeLessThanOrEqual(LIMITS.buttonsPerRow);
      for (const b of row.components) {
        expect('label' in b ? (b.label?.length ?? 0) : 0).toBeLessThanOrEqual(LIMITS.label);
        expect('custom_id' in b ? b.custom_id.length : 0).toBeLessThanOrEqual(LIMITS.customId);
      }
    }
  }
}

describe('rendering a reply for Discord', () => {
  it('renders title, bold text, inline fields, colour by tone and the context as footer', () => {
    const [message] = renderDiscordReply({
      title: 'Segment: 42 customers',
      text: 'Found *42* customers',
      fields: [{ label: 'Spend', value: '£1,000.00' }],
      context: 'Germany · *no* purchase in 90 days',
      tone: 'warning',
    });
    expect(message!.embeds).toEqual([
      {
        color: 0xe8a317,
        title: 'Segment: 42 customers',
        description: 'Found **42** customers',
        fields: [{ name: 'Spend', value: '£1,000.00', inline: true }],
        footer: { text: 'Germany · no purchase in 90 days' },
      },
    ]);
    expect(toMarkdown('a **b** *c* 2*3*4')).toBe('a **b** **c** 2*3*4');
  });

  it('keeps every part of an oversized reply, spread over embeds and messages within the limits', () => {
    const reply: Reply = {
      title: 'T'.repeat(400),
      text: Array.from({ length: 400 }, (_, i) => `line ${i} ${'x'.repeat(30)}`).join('\n'),
      fields: Array.from({ length: 40 }, (_, i) => ({
        label: `F${i} ${'n'.repeat(300)}`,
        value: 'v'.repeat(2000),
      })),
      context: 'c'.repeat(3000),
      buttons: Array.from({ length: 7 }, (_, i) => ({
        action: 'go',
        label: `Button ${i} ${'l'.repeat(100)}`,
        value: `${i}`,
      })),
    };
    const messages = renderDiscordReply(reply);
    withinLimits(messages);
    expect(messages.length).toBeGreaterThan(1);
    const all = messages.flatMap((m) => m.embeds);
    const text = all.map((e) => e.description ?? '').join('\n');
    expect(text).toContain('line 0 ');
    expect(text).toContain('line 399 ');
    expect(all.flatMap((e) => e.fields ?? [])).toHaveLength(40);
    expect(messages[0]!.components.flatMap((r) => r.components)).toHaveLength(7);
    expect(messages[0]!.components.map((r) => r.components.length)).toEqual([5, 2]);
  });

  it('shows a short table in the embed and a long one as a CSV file with every row', () => {
    const short = renderDiscordReply({
      table: {
        columns: ['Name', 'Spend'],
        rows: [
          ['a', 1],
          ['b', null],
        ],
        truncated: 3,
      },
    });
    expect(short[0]!.embeds[0]!.description).toBe(
      '```\nName  Spend\n----  -----\na     1\nb\n```\n… and 3 more',
    );
    expect(short[0]!.files).toEqual([]);

    const rows = Array.from({ length: 300 }, (_, i) => [i + 1, `C, "${i}"`, i * 2]);
    const [long] = renderDiscordReply({
      title: 'Top customers!',
      table: { columns: ['Rank', 'Customer', 'Spend'], rows },
    });
    const csv = long!.files.find((f) => f.name === 'top-customers-.csv')!;
    expect(csv.contentType).toBe('text/csv');
    const parsed = Papa.parse<string[]>(csv.data.toString('utf8').trim()).data;
    expect(parsed).toHaveLength(301);
    expect(parsed[300]).toEqual(['300', 'C, "299"', '598']);
    expect(long!.embeds[0]!.description).toMatch(
      /… and 290 more; every row is in \*\*top-customers-\.csv\*\*\./,
    );
  });

  it('shows charts in embeds from their attachment, with alt text as the file description', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const [message] = renderDiscordReply({
      title: 'Revenue',
      attachments: [
        { filename: 'chart.png', mimeType: 'image/png', data: png, altText: 'Bar chart of revenue' },
        { filename: 'chart.png', mimeType: 'image/png', data: png, altText: 'Second chart' },
        { filename: 'spec file.json', mimeType: 'application/json', data: new Uint8Array([123, 125]) },
      ],
    });
    expect(message!.embeds.map((e) => e.image?.url)).toEqual([
      'attachment://chart.png',
      'attachment://chart-2.png',
    ]);
    expect(message!.files.map((f) => [f.name, f.description])).toEqual([
      ['chart.png', 'Bar chart of revenue'],
      ['chart-2.png', 'Second chart'],
      ['spec-file.json', undefined],
    ]);
  });

  it('encodes a button action and value in its custom_id, and offers what does not fit as words to type', () => {
    const id = encodeButton({ action: 'segment.save', value: 'a|b' }, 2)!;
    expect(decodeButton(id)).toEqual({ action: 'segment.save', value: 'a|b' });
    expect(decodeButton('something-else')).toBeNull();
    const [message] = renderDiscordReply({
      text: 'Pick one',
      buttons: [
        { action: 'export', label: 'Export CSV', value: '' },
        { action: 'show segment', label: 'Open', value: 'x'.repeat(120) },
      ],
    });
    expect(message!.components[0]!.components).toHaveLength(1);
    expect(message!.embeds[0]!.description).toContain(`Also: Open: say "show segment ${'x'.repeat(120)}"`);
  });
});
