import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('defaults to the embedded database in ./.megaphone', () => {
    expect(loadConfig({})).toEqual({
      dataDir: './.megaphone',
      databaseUrl: undefined,
      asOf: undefined,
      logLevel: undefined,
      testDatabaseUrl: undefined,
      openai: undefined,
    });
  });

  it('reads a server URL, an as-of instant and a log level', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u:secret@db:5432/mp',
      MEGAPHONE_AS_OF: '2011-12-09',
      LOG_LEVEL: 'debug',
      MEGAPHONE_DATA_DIR: ' ',
    });
    expect(config.databaseUrl).toBe('postgres://u:secret@db:5432/mp');
    expect(config.asOf?.toISOString()).toBe('2011-12-09T00:00:00.000Z');
    expect(config.logLevel).toBe('debug');
    expect(config.dataDir).toBe('./.megaphone');
  });

  it('names every bad key and what it expects, without echoing secrets', () => {
    let error: unknown;
    try {
      loadConfig({
        DATABASE_URL: 'mysql://root:hunter2@x/db',
        MEGAPHONE_AS_OF: 'yesterday',
        LOG_LEVEL: 'loud',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect((error as ConfigError).problems.map((p) => p.key)).toEqual([
      'DATABASE_URL',
      'MEGAPHONE_AS_OF',
      'LOG_LEVEL',
    ]);
    expect(message).toMatch(/DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ connection URL/);
    expect(message).toMatch(/MEGAPHONE_AS_OF: expected an ISO-8601 date/);
    expect(message).toMatch(/LOG_LEVEL: expected one of fatal, error/);
    expect(message).not.toMatch(/hunter2/);
  });
});
