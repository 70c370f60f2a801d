import { describe, expect, it } from 'vitest';
import { splitText } from './reply.ts';

describe('splitText', () => {
  it('cuts at line breaks and never loses text', () => {
    const text = Array.from({ length: 500 }, (_, i) => `row ${i}`).join('\n');
    const pieces = splitText(text, 100);
    for (const p of pieces) expect(p.length).toBeLessThanOrEqual(100);
    expect(pieces.join('\n')).toBe(text);
  });

  it('cuts a long line at a space, and leaves out a tail of only whitespace', () => {
    expect(splitText('aaaa bbbb cccc', 10)).toEqual(['aaaa bbbb', ' cccc']);
    expect(splitText(`${'x'.repeat(10)}   `, 10)).toEqual(['x'.repeat(10)]);
  });
});
