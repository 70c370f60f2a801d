import { describe, expect, it } from 'vitest';
import type { Reply } from '../../core/reply.ts';
import { type Block, fromSlackText, LIMITS, parseButtonValue, renderHome, renderReply } from './blocks.ts';

type Text = { type: string; text: string };

function sectionTexts(blocks: Block[]): string[] {
  return blocks.filter((b) => b.type === 'section' && b.text).map((b) => (b.text as Text).text);
}

describe('renderReply', () => {
  it('renders header, fields, context and buttons', () => {
    const { blocks, text, files } = renderReply({
      title: 'Segment: 12 customers',
      text: 'Refine it in this thread.',
      fields: [
        { label: 'Customers', value: '12 (4% of 300)' },
        { label: 'Total spend', value: '£1,200.00' },
      ],
      context: 'Germany · spend > £1,000',
      buttons: [
        { action: 'save', label: 'Save segment', value: '', style: 'primary' },
        { action: 'export', label: 'Export CSV', value: '' },
      ],
    });
    expect(blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context', 'actions']);
    expect(blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Segment: 12 customers' },
    });
    expect((blocks[2]!.fields as Text[]).map((f) => f.text)).toEqual([
      '*Customers*\n12 (4% of 300)',
      '*Total spend*\n£1,200.00',
    ]);
    expect(text).toBe('Segment: 12 customers: Refine it in this thread.');
    expect(files).toEqual([]);
    const buttons = blocks[4]!.elements as { action_id: string; value: string; style?: string }[];
    expect(buttons.map((b) => b.action_id)).toEqual(['megaphone:0:save', 'megaphone:1:export']);
    expect(buttons[0]!.style).toBe('primary');
    expect(parseButtonValue(buttons[1]!.value)).toEqual({ action: 'export', value: '' });
  });

  it('escapes &, < and > but keeps bold markup', () => {
    const { blocks } = renderReply({ text: 'Spend > £10 & *orders* < 3 <!channel>' });
    expect(sectionTexts(blocks)).toEqual(['Spend &gt; £10 &amp; *orders* &lt; 3 &lt;!channel&gt;']);
  });

  it('marks errors and warnings', () => {
    expect(sectionTexts(renderReply({ text: 'No.', tone: 'error' }).blocks)[0]).toBe(':x: No.');
    expect(sectionTexts(renderReply({ text: 'Hm.', tone: 'warning' }).blocks)[0]).toBe(':warning: Hm.');
  });

  it('stays within Slack limits for oversized replies, keeping figures, context and buttons', () => {
    const reply: Reply = {
      title: 'T'.repeat(400),
      text: Array.from({ length: 3000 }, (_, i) => `line ${i} ${'x'.repeat(40)}`).join('\n'),
      fields: Array.from({ length: 23 }, (_, i) => ({ label: `F${i}`, value: 'v'.repeat(2500) })),
      context: 'c'.repeat(5000),
      buttons: Array.from({ length: 30 }, (_, i) => ({
        action: `a${i}`,
        label: 'L'.repeat(100),
        value: String(i),
      })),
    };
    const { blocks, text } = renderReply(reply);
    expect(blocks.length).toBeLessThanOrEqual(LIMITS.messageBlocks);
    expect(text.length).toBeLessThanOrEqual(LIMITS.fallbackText);
    expect(((blocks[0]!.text as Text).text as string).length).toBeLessThanOrEqual(LIMITS.headerText);
    for (const t of sectionTexts(blocks)) expect(t.length).toBeLessThanOrEqual(LIMITS.sectionText);
    const fieldSections = blocks.filter((b) => Array.isArray(b.fields));
    expect(fieldSections.map((b) => (b.fields as Text[]).length)).toEqual([10, 10, 3]);
    for (const b of fieldSections) {
      for (const f of b.fields as Text[]) expect(f.text.length).toBeLessThanOrEqual(LIMITS.fieldText);
    }
    const actions = blocks.filter((b) => b.type === 'actions');
    expect(actions.map((b) => (b.elements as unknown[]).length)).toEqual([25, 5]);
    const ids = actions.flatMap((b) => (b.elements as { action_id: string }[]).map((e) => e.action_id));
    expect(new Set(ids).size).toBe(30);
    for (const b of actions) {
      for (const e of b.elements as { text: Text }[]) expect(e.text.text.length).toBeLessThanOrEqual(75);
    }
    const contexts = blocks.filter((b) => b.type === 'context');
    expect(JSON.stringify(contexts)).toContain('too long for one Slack message');
    for (const c of contexts) {
      for (const e of c.elements as Text[]) expect(e.text.length).toBeLessThanOrEqual(LIMITS.sectionText);
    }
  });

  it('shows a short narrow table as an aligned code block, with the rows left out', () => {
    const { blocks, files } = renderReply({
      table: {
        columns: ['Country', 'Customers'],
        rows: [
          ['Germany', 1200],
          ['France', 87],
        ],
        truncated: 3,
      },
    });
    expect(files).toEqual([]);
    expect(sectionTexts(blocks)[0]).toBe(
      '```\nCountry  Customers\n-------  ---------\nGermany       1200\nFrance          87\n```',
    );
    expect(JSON.stringify(blocks.at(-1))).toContain('… and 3 more');
  });

  it('lists the rows of a table too wide for a code block', () => {
    const { blocks } = renderReply({
      table: {
        columns: ['Name', 'Definition', 'Customers'],
        rows: [
          ['lapsed-de', `Germany · spend > £1,000 · ${'no purchase in the last 90 days '.repeat(2)}`, '12'],
        ],
      },
    });
    expect(sectionTexts(blocks)[0]).toMatch(/^• \*lapsed-de\* · Definition: Germany · spend &gt; £1,000/);
    expect(sectionTexts(blocks)[0]).toContain('Customers: 12');
  });

  it('turns a long table into a CSV with every row and a preview that fits', () => {
    const rows = Array.from({ length: 300 }, (_, i) => [i + 1, `C${10000 + i}`, 'x, "quoted"']);
    const { blocks, files } = renderReply({
      title: 'Top customers',
      table: { columns: ['Rank', 'Customer', 'Note'], rows },
    });
    expect(files).toHaveLength(1);
    expect(files[0]!.filename).toBe('top-customers.csv');
    const lines = new TextDecoder().decode(files[0]!.data).trim().split(/\r?\n/);
    expect(lines).toHaveLength(301);
    expect(lines[1]).toBe('1,C10000,"x, ""quoted"""');
    const preview = sectionTexts(blocks).find((t) => t.startsWith('```'))!;
    expect(preview.length).toBeLessThanOrEqual(LIMITS.sectionText);
    expect(preview).toContain('C10000');
    expect(preview).not.toContain('C10299');
    expect(JSON.stringify(blocks)).toContain('every row is in top-customers.csv');
  });

  it('keeps attachments with their alt text', () => {
    const data = new Uint8Array([1, 2, 3]);
    const { files } = renderReply({
      attachments: [{ filename: 'a.png', mimeType: 'image/png', data, altText: 'A chart' }],
    });
    expect(files).toEqual([{ filename: 'a.png', mimeType: 'image/png', data, altText: 'A chart' }]);
  });
});

describe('parseButtonValue', () => {
  it('ignores values Megaphone did not write', () => {
    expect(parseButtonValue('not json')).toBeNull();
    expect(parseButtonValue('{"x":1}')).toBeNull();
    expect(parseButtonValue(undefined)).toBeNull();
  });
});

describe('renderHome', () => {
  it('separates sections with dividers and stays within 100 blocks', () => {
    const section: Reply = {
      title: 'S',
      fields: Array.from({ length: 40 }, (_, i) => ({ label: `f${i}`, value: 'v' })),
    };
    const view = renderHome(Array.from({ length: 40 }, () => section));
    expect(view.type).toBe('home');
    expect(view.blocks.length).toBeLessThanOrEqual(LIMITS.homeBlocks);
    expect(view.blocks[0]!.type).toBe('header');
    expect(view.blocks.filter((b) => b.type === 'divider').length).toBeGreaterThan(0);
  });
});

describe('fromSlackText', () => {
  it('decodes what Slack escapes and turns references into their visible text', () => {
    expect(fromSlackText('<@U0BOT> customers who spent &gt; £1000 &amp; ordered &lt; 3 times', 'U0BOT')).toBe(
      'customers who spent > £1000 & ordered < 3 times',
    );
    expect(fromSlackText('hey <@U0BOT|megaphone>, stats', 'U0BOT')).toBe('hey , stats');
    expect(fromSlackText('ask <@U0JANE> in <#C01|uk-team>', 'U0BOT')).toBe('ask <@U0JANE> in #uk-team');
    expect(fromSlackText('see <https://shop.example/p?a=1|the shop> or <https://x.example>')).toBe(
      'see the shop or https://x.example',
    );
    expect(fromSlackText('mail <mailto:jane@example.com|jane@example.com>')).toBe('mail jane@example.com');
  });
});

describe('fallback text', () => {
  it('cannot ping a channel through the notification text', () => {
    expect(renderReply({ text: 'I do not know "<!channel> hi" yet.' }).text).toBe(
      'I do not know "&lt;!channel&gt; hi" yet.',
    );
  });
});
