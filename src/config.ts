/**
 * The only reader of `process.env`. Configuration is validated once, at start, with zod; a missing or
 * malformed key fails with its name and what is expected.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const isoInstant = z
  .string()
  .trim()
  .refine((v) => v === '' || !Number.isNaN(Date.parse(v)), {
    message: 'expected an ISO-8601 date or date-time, e.g. 2011-12-09 or 2011-12-09T12:00:00Z',
  })
  .transform((v) => (v === '' ? undefined : new Date(v)))
  .optional();

/** Comma-separated ids; empty or absent means "no restriction". */
const idList = z
  .string()
  .trim()
  .transform((v) =>
    v
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== ''),
  )
  .optional();

const envSchema = z.object({
  MEGAPHONE_DATA_DIR: optionalString.default('./.megaphone'),
  DATABASE_URL: optionalString.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
    message: 'expected a postgres:// or postgresql:// connection URL',
  }),
  MEGAPHONE_AS_OF: isoInstant,
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'expected one of fatal, error, warn, info, debug, trace, silent',
    })
    .optional(),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalString.refine((v) => v === undefined || /^https?:\/\//.test(v), {
    message:
      'expected an http:// or https:// URL of an OpenAI-compatible API, e.g. http://localhost:11434/v1',
  }),
  OPENAI_MODEL: optionalString.default('gpt-4o-mini'),
  SLACK_BOT_TOKEN: optionalString.refine((v) => v === undefined || v.startsWith('xoxb-'), {
    message: 'expected a bot token starting with xoxb- (Slack app settings → OAuth & Permissions)',
  }),
  SLACK_APP_TOKEN: optionalString.refine((v) => v === undefined || v.startsWith('xapp-'), {
    message: 'expected an app-level token starting with xapp- (Slack app settings → Basic Information)',
  }),
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_API_URL: optionalString.refine((v) => v === undefined || /^https?:\/\//.test(v), {
    message: 'expected an http:// or https:// base URL of the Slack Web API, e.g. https://slack.com/api/',
  }),
  PORT: z.coerce
    .number({ message: 'expected a TCP port number' })
    .int()
    .min(0)
    .max(65535, { message: 'expected a TCP port number between 0 and 65535' })
    .default(3000),
  DISCORD_TOKEN: optionalString,
  DISCORD_APPLICATION_ID: optionalString.refine((v) => v === undefined || /^\d{5,25}$/.test(v), {
    message: 'expected the numeric application id (Discord developer portal → General Information)',
  }),
  DISCORD_GUILD_ID: optionalString.refine((v) => v === undefined || /^\d{5,25}$/.test(v), {
    message: 'expected a numeric server (guild) id',
  }),
  DISCORD_API_URL: optionalString.refine((v) => v === undefined || /^https?:\/\//.test(v), {
    message: 'expected an http:// or https:// base URL of the Discord REST API, e.g. https://discord.com/api',
  }),
  PINECONE_API_KEY: optionalString,
  PINECONE_INDEX: optionalString,
  PINECONE_HOST: optionalString,
  PINECONE_CONTROLLER_URL: optionalString.refine((v) => v === undefined || /^https?:\/\//.test(v), {
    message: 'expected an http:// or https:// URL of the Pinecone control plane',
  }),
  OPENAI_EMBEDDING_MODEL: optionalString.default('text-embedding-3-small'),
  MEGAPHONE_ALLOWED_USERS: idList,
  MEGAPHONE_ALLOWED_CHANNELS: idList,
  MEGAPHONE_PERSONAL_DATA_USERS: idList,
  MEGAPHONE_BRAND_FILE: optionalString,
  MEGAPHONE_TEST_DATABASE_URL: optionalString.refine(
    (v) => v === undefined || /^postgres(ql)?:\/\//.test(v),
    {
      message: 'expected a postgres:// URL of a server where tests and benchmarks may create databases',
    },
  ),
});

export interface Config {
  /** Where the embedded database lives when no DATABASE_URL is given. */
  dataDir: string;
  /** A Postgres server; when absent Megaphone runs on embedded PGlite. */
  databaseUrl: string | undefined;
  /** The instant features are computed at; defaults to the latest event in the data. */
  asOf: Date | undefined;
  /** Explicit log level; the CLI is quiet (warn) and servers log info when unset. */
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** OpenAI or any OpenAI-compatible endpoint; absent means local heuristics only. */
  openai: { apiKey: string; baseUrl: string | undefined; model: string } | undefined;
  /** A Postgres server for tests and benchmarks (they create and drop their own databases on it). */
  testDatabaseUrl: string | undefined;
  /** OpenAI embedding model used when `openai` is configured. */
  openaiEmbeddingModel: string;
  /** Slack: Socket Mode when `appToken` is set, HTTP events (signed) on `port` otherwise. */
  slack:
    | {
        botToken: string;
        appToken: string | undefined;
        signingSecret: string | undefined;
        apiUrl: string | undefined;
      }
    | undefined;
  /** Port of the HTTP receiver (Slack events in HTTP mode). */
  port: number;
  discord:
    | { token: string; applicationId: string; guildId: string | undefined; apiUrl: string | undefined }
    | undefined;
  pinecone:
    | { apiKey: string; index: string; host: string | undefined; controllerUrl: string | undefined }
    | undefined;
  /**
   * Who may use Megaphone and who may see personal data. Ids are platform-qualified (`slack:U123`,
   * `discord:4567`) or bare; empty lists mean everyone.
   */
  access: { users: string[]; channels: string[]; personalDataUsers: string[] };
  /** Brand voice file for copy drafts (default `brand.yml` in the working directory when present). */
  brandFile: string | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: { key: string; message: string }[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  - ${p.key}: ${p.message}`).join('\n')}\n` +
        'See .env.example for every key and its expected form.',
    );
    this.name = 'ConfigError';
  }
}

/**
 * Reads and validates configuration.
 *
 * @example
 * const config = loadConfig({ MEGAPHONE_DATA_DIR: '/tmp/mp' });
 * config.dataDir; // '/tmp/mp'
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({ key: String(issue.path[0] ?? '(env)'), message: issue.message })),
    );
  }
  const e = parsed.data;
  const problems: { key: string; message: string }[] = [];
  const need = (key: string, when: string) => problems.push({ key, message: `required ${when}` });
  if ((e.SLACK_APP_TOKEN || e.SLACK_SIGNING_SECRET) && !e.SLACK_BOT_TOKEN) {
    need('SLACK_BOT_TOKEN', 'when SLACK_APP_TOKEN or SLACK_SIGNING_SECRET is set (xoxb-...)');
  }
  if (e.SLACK_BOT_TOKEN && !e.SLACK_APP_TOKEN && !e.SLACK_SIGNING_SECRET) {
    need(
      'SLACK_SIGNING_SECRET',
      'with SLACK_BOT_TOKEN unless SLACK_APP_TOKEN is set (HTTP events are verified with it; or set SLACK_APP_TOKEN for Socket Mode)',
    );
  }
  if (e.DISCORD_TOKEN && !e.DISCORD_APPLICATION_ID) need('DISCORD_APPLICATION_ID', 'with DISCORD_TOKEN');
  if (e.DISCORD_APPLICATION_ID && !e.DISCORD_TOKEN) need('DISCORD_TOKEN', 'with DISCORD_APPLICATION_ID');
  if (e.PINECONE_API_KEY && !e.PINECONE_INDEX)
    need('PINECONE_INDEX', 'with PINECONE_API_KEY (the index name)');
  if (e.PINECONE_INDEX && !e.PINECONE_API_KEY) need('PINECONE_API_KEY', 'with PINECONE_INDEX');
  if (problems.length) throw new ConfigError(problems);
  return {
    dataDir: e.MEGAPHONE_DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    asOf: e.MEGAPHONE_AS_OF,
    logLevel: e.LOG_LEVEL,
    testDatabaseUrl: e.MEGAPHONE_TEST_DATABASE_URL,
    openai: e.OPENAI_API_KEY
      ? { apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL, model: e.OPENAI_MODEL }
      : undefined,
    openaiEmbeddingModel: e.OPENAI_EMBEDDING_MODEL,
    slack: e.SLACK_BOT_TOKEN
      ? {
          botToken: e.SLACK_BOT_TOKEN,
          appToken: e.SLACK_APP_TOKEN,
          signingSecret: e.SLACK_SIGNING_SECRET,
          apiUrl: e.SLACK_API_URL,
        }
      : undefined,
    port: e.PORT,
    discord:
      e.DISCORD_TOKEN && e.DISCORD_APPLICATION_ID
        ? {
            token: e.DISCORD_TOKEN,
            applicationId: e.DISCORD_APPLICATION_ID,
            guildId: e.DISCORD_GUILD_ID,
            apiUrl: e.DISCORD_API_URL,
          }
        : undefined,
    pinecone:
      e.PINECONE_API_KEY && e.PINECONE_INDEX
        ? {
            apiKey: e.PINECONE_API_KEY,
            index: e.PINECONE_INDEX,
            host: e.PINECONE_HOST,
            controllerUrl: e.PINECONE_CONTROLLER_URL,
          }
        : undefined,
    access: {
      users: e.MEGAPHONE_ALLOWED_USERS ?? [],
      channels: e.MEGAPHONE_ALLOWED_CHANNELS ?? [],
      personalDataUsers: e.MEGAPHONE_PERSONAL_DATA_USERS ?? [],
    },
    brandFile: e.MEGAPHONE_BRAND_FILE,
  };
}

/**
 * Reads `.env` from the working directory into the environment, if there is one; variables already set in
 * the environment win. Called once by the command line before `loadConfig`.
 *
 * @example
 * loadDotEnv(); // .env present: its keys now reach loadConfig()
 */
export function loadDotEnv(path = '.env'): boolean {
  if (!existsSync(path)) return false;
  const before = { ...process.env };
  process.loadEnvFile(path);
  for (const [key, value] of Object.entries(before)) process.env[key] = value;
  return true;
}

/** Whether stdout is an interactive terminal (progress bars, colours). Kept here: it is environment too. */
export function isInteractive(): boolean {
  return Boolean(process.stdout.isTTY) && process.env.CI !== 'true';
}
