import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { boltLogger } from './adapter.ts';

describe('boltLogger', () => {
  it('keeps tokens and socket tickets out of the log', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = boltLogger(pino({ level: 'debug' }, sink));
    logger.debug('http request body:', {
      token: 'xoxb-123-456-abcDEF',
      url: 'wss://x/link/?ticket=abc-123&app_id=A1',
    });
    logger.error('auth failed for xapp-1-A0-99-ffff');
    const out = lines.join('');
    expect(out).not.toMatch(/xoxb-123|abcDEF|ticket=abc|xapp-1-A0/);
    expect(out).toContain('xoxb-[redacted]');
    expect(out).toContain('ticket=[redacted]');
    expect(out).toContain('app_id=A1');
  });
});
