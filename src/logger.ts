import pino, { type Logger } from 'pino';

export type { Logger };

/** Keys whose values never reach a log line, wherever they appear. */
const REDACT = [
  '*.password',
  '*.token',
  '*.apiKey',
  '*.secret',
  '*.databaseUrl',
  'databaseUrl',
  'config.databaseUrl',
  'headers.authorization',
];

/**
 * Structured logger on stderr, so command output on stdout stays clean for scripts.
 *
 * @example
 * const log = createLogger('warn');
 * log.warn({ batchId: 3 }, 'import finished with rejected rows');
 */
export function createLogger(level = 'warn'): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' } }, pino.destination(2));
}

/** Removes the password from a connection URL before it is shown anywhere. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '[unparseable url]';
  }
}
