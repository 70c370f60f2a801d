/**
 * The only reader of `process.env`. Configuration is validated once, at start, with zod; a missing or
 * malformed key fails with its name and what is expected.
 */
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
  return {
    dataDir: e.MEGAPHONE_DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    asOf: e.MEGAPHONE_AS_OF,
    logLevel: e.LOG_LEVEL,
    testDatabaseUrl: e.MEGAPHONE_TEST_DATABASE_URL,
    openai: e.OPENAI_API_KEY
      ? { apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL, model: e.OPENAI_MODEL }
      : undefined,
  };
}

/** Whether stdout is an interactive terminal (progress bars, colours). Kept here: it is environment too. */
export function isInteractive(): boolean {
  return Boolean(process.stdout.isTTY) && process.env.CI !== 'true';
}
