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
      openaiEmbeddingModel: 'text-embedding-3-small',
      slack: undefined,
      port: 3000,
      discord: undefined,
      pinecone: undefined,
      access: { users: [], channels: [], personalDataUsers: [] },
      brandFile: undefined,
    });
  });

  it('starts Slack in Socket Mode or HTTP mode, and names what is missing for either', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }).slack?.appToken).toBe(
      'xapp-1',
    );
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' }).slack?.signingSecret).toBe(
      's',
    );
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(/SLACK_SIGNING_SECRET/);
    expect(() => loadConfig({ SLACK_APP_TOKEN: 'xapp-1' })).toThrow(/SLACK_BOT_TOKEN/);
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xapp-wrong', SLACK_APP_TOKEN: 'xapp-1' })).toThrow(
      /SLACK_BOT_TOKEN: expected a bot token starting with xoxb-/,
    );
  });

  it('needs Discord token and application id together, Pinecone key and index together', () => {
    expect(() => loadConfig({ DISCORD_TOKEN: 't' })).toThrow(/DISCORD_APPLICATION_ID/);
    expect(() => loadConfig({ DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: 'abc' })).toThrow(/numeric/);
    expect(loadConfig({ DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: '123456' }).discord?.applicationId).toBe(
      '123456',
    );
    expect(() => loadConfig({ PINECONE_API_KEY: 'k' })).toThrow(/PINECONE_INDEX/);
    expect(() => loadConfig({ PORT: '99999' })).toThrow(/PORT/);
  });

  it('reads access lists as comma-separated ids', () => {
    const config = loadConfig({
      MEGAPHONE_ALLOWED_USERS: 'slack:U1, discord:42 ,',
      MEGAPHONE_PERSONAL_DATA_USERS: '',
    });
    expect(config.access).toEqual({ users: ['slack:U1', 'discord:42'], channels: [], personalDataUsers: [] });
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

describe('loadDotEnv', () => {
  it('reads a .env file without overriding what the environment already has', async () => {
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { loadDotEnv } = await import('./config.ts');
    const dir = mkdtempSync(join(tmpdir(), 'megaphone-env-'));
    const file = join(dir, '.env');
    writeFileSync(file, 'MEGAPHONE_TEST_DOTENV_A=from-file\nMEGAPHONE_TEST_DOTENV_B=from-file\n');
    process.env.MEGAPHONE_TEST_DOTENV_B = 'from-env';
    try {
      expect(loadDotEnv(file)).toBe(true);
      expect(process.env.MEGAPHONE_TEST_DOTENV_A).toBe('from-file');
      expect(process.env.MEGAPHONE_TEST_DOTENV_B).toBe('from-env');
      expect(loadDotEnv(join(dir, 'missing.env'))).toBe(false);
    } finally {
      delete process.env.MEGAPHONE_TEST_DOTENV_A;
      delete process.env.MEGAPHONE_TEST_DOTENV_B;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
