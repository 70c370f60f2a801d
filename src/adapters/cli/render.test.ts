import { describe, expect, it } from 'vitest';
import { renderReply } from './render.ts';

describe('renderReply', () => {
  it('leaves text inside backticks as is, stars included', () => {
    const out = renderReply({
      text: 'Runs *every day* at `0 9 * * *` in *Europe/London*',
      context: 'cron `0 9 * * 1` in Europe/London · *next* Monday',
    });
    expect(out).toBe(
      'Runs every day at 0 9 * * * in Europe/London\ncron 0 9 * * 1 in Europe/London · next Monday',
    );
  });

  it('drops emphasis in titles and table cells but keeps code in them', () => {
    const out = renderReply({
      title: '*Weekly* digest',
      table: { columns: ['Schedule'], rows: [['cron `*/15 * * * *` (*UTC*)']] },
    });
    expect(out.split('\n').slice(0, 2)).toEqual(['Weekly digest', '-------------']);
    expect(out).toContain('cron */15 * * * * (UTC)');
  });

  it('keeps a lone star and an unclosed backtick', () => {
    expect(renderReply({ text: '5 * 3 = 15, see `notes' })).toBe('5 * 3 = 15, see `notes');
  });
});
