import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { currentBrand, parseCopyRequest } from './request.ts';

describe('reading a copy request', () => {
  it.each([
    [
      'an email for the lapsed Germans segment about the new Christmas lights',
      {
        channel: 'email',
        variants: 3,
        productIds: [],
        audience: 'the lapsed Germans segment',
        topic: 'the new Christmas lights',
      },
    ],
    [
      '2 sms variants for customers in France about candles, 20% off',
      { channel: 'sms', variants: 2, audience: 'customers in France', topic: 'candles, 20% off' },
    ],
    [
      'a push notification about product 85123A and 71053 for this segment',
      { channel: 'push', productIds: ['85123A', '71053'], audience: 'this segment' },
    ],
    [
      'three tweets for lapsed-big-spenders',
      { channel: 'social', variants: 3, audience: 'lapsed-big-spenders', topic: '' },
    ],
    ['a text message featuring alarm clocks', { channel: 'sms', audience: '', topic: 'alarm clocks' }],
    [
      'an email for customers who spent over £50 on candles',
      { channel: 'email', audience: 'customers who spent over £50 on candles', topic: '' },
    ],
    ['email about lights for our regulars', { audience: '', topic: 'lights for our regulars' }],
  ])('%s', (text, expected) => {
    expect(parseCopyRequest(text)).toMatchObject(expected);
  });

  it('refuses more variants than it writes', () => {
    expect(() => parseCopyRequest('12 variants of an email for everyone')).toThrow(
      '1 to 5 variants at a time, not 12',
    );
  });
});

describe('the configured brand voice', () => {
  it('is read from the configured file again when it changes, and a broken file is reported', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'megaphone-brand-'));
    const file = join(dir, 'brand.yml');
    try {
      await writeFile(file, 'name: First\n');
      expect((await currentBrand(file)).name).toBe('First');
      await writeFile(file, 'name: Second\nemoji: lots\n');
      await utimes(file, new Date(), new Date(Date.now() + 5_000));
      await expect(currentBrand(file)).rejects.toThrow(/emoji: expected one of none, sparing, free/);
      await writeFile(file, 'name: Second\n');
      await utimes(file, new Date(), new Date(Date.now() + 10_000));
      expect((await currentBrand(file)).name).toBe('Second');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
