import { describe, expect, it } from 'vitest';
import { channelProblems, fitContent, fitText, smsLength, stripEmoji, toGsmSafe } from './channels.ts';

const OPT = { optOut: 'Reply STOP to opt out' };

describe('SMS encoding (GSM 03.38)', () => {
  it('counts the basic alphabet as one septet and the extension table as two', () => {
    expect(smsLength('Hello £5 @ Café è')).toEqual({ encoding: 'GSM-7', units: 17, limit: 160, unicode: [] });
    // ^ { } \ [ ~ ] | € each need the escape septet.
    expect(smsLength('€5 [x]')).toMatchObject({ encoding: 'GSM-7', units: 9 });
    expect(smsLength('^{}\\[~]|€')).toMatchObject({ encoding: 'GSM-7', units: 18 });
    expect(smsLength('Ñoño ÄÖÜ äöü ß ¿¡ §')).toMatchObject({ encoding: 'GSM-7' });
  });

  it('switches to UCS-2 at 70 for anything outside it, naming the characters', () => {
    expect(smsLength('It’s here')).toEqual({ encoding: 'UCS-2', units: 9, limit: 70, unicode: ['’'] });
    expect(smsLength('Hi 🎄')).toMatchObject({ encoding: 'UCS-2', units: 5, unicode: ['🎄'] });
    // ç (lower case) is not in the alphabet, only Ç is.
    expect(smsLength('façade').encoding).toBe('UCS-2');
    expect(smsLength('Ça va').encoding).toBe('GSM-7');
  });

  it('replaces typographic punctuation with GSM equivalents', () => {
    expect(toGsmSafe('It’s “lit” – now…')).toBe('It\'s "lit" - now...');
    expect(smsLength(toGsmSafe('It’s “lit” – now…')).encoding).toBe('GSM-7');
  });
});

describe('limits', () => {
  it('reports each field over its limit, and a missing opt-out', () => {
    expect(
      channelProblems(
        { channel: 'email', subject: 'x'.repeat(61), preheader: 'y'.repeat(101), body: 'b', cta: '' },
        OPT,
      ),
    ).toEqual([
      { kind: 'missing', field: 'cta', message: 'cta is empty' },
      { kind: 'limit', field: 'subject', message: 'subject is 61 characters; email allows 60' },
      { kind: 'limit', field: 'preheader', message: 'preheader is 101 characters; email allows 100' },
    ]);
    expect(channelProblems({ channel: 'push', title: 't'.repeat(40), body: 'b'.repeat(121) }, OPT)).toEqual([
      { kind: 'limit', field: 'body', message: 'body is 121 characters; push allows 120' },
    ]);
    const sms = channelProblems({ channel: 'sms', text: `Hi 🎄 ${'a'.repeat(70)}` }, OPT);
    expect(sms.map((p) => p.message)).toEqual([
      'SMS is 76 UCS-2 units (it needs Unicode for 🎄); one message holds 70',
      'SMS lacks the opt-out text "Reply STOP to opt out"',
    ]);
    expect(channelProblems({ channel: 'social', text: 'é'.repeat(280) }, OPT)).toEqual([]);
    expect(channelProblems({ channel: 'social', text: '🎄'.repeat(281) }, OPT)).toHaveLength(1);
  });

  it('shortens by whole sentences, then at a word boundary, never inside a word', () => {
    expect(fitText('One two. Three four five.', 10)).toBe('One two.');
    expect(fitText('Alpha beta gamma delta', 12)).toBe('Alpha beta…');
    expect(fitText('short', 10)).toBe('short');
  });

  it('repairs an SMS: GSM-safe punctuation, emoji out, opt-out kept, within 160', () => {
    const long = `Hearth & Co: It’s back 🎄 ${'Lovely things for your home. '.repeat(8)}`;
    const fixed = fitContent({ channel: 'sms', text: long }, OPT);
    if (fixed.channel !== 'sms') throw new Error('channel changed');
    expect(fixed.text.endsWith('Reply STOP to opt out')).toBe(true);
    expect(smsLength(fixed.text)).toMatchObject({ encoding: 'GSM-7' });
    expect(smsLength(fixed.text).units).toBeLessThanOrEqual(160);
    expect(fixed.text).toMatch(/^Hearth & Co: It's back Lovely/);
    expect(channelProblems(fixed, OPT)).toEqual([]);
  });

  it('strips emoji including joined sequences', () => {
    expect(stripEmoji('Hi 👩‍👩‍👧 there ✨!')).toBe('Hi there!');
  });
});
