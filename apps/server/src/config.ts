import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** Thrown by `loadConfig`; `problems` holds one actionable sentence per bad variable. */
export class ConfigEnvError extends Error {
  readonly code = 'CONFIG_ENV' as const;
  readonly problems: string[];

  constructor(problems: string[], options?: { cause?: unknown }) {
    super(`Testgate app configuration is incomplete:\n  - ${problems.join('\n  - ')}`, options);
    this.name = 'ConfigEnvError';
    this.problems = problems;
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const EnvSchema = z.object({
  APP_ID: z
    .string({ error: 'APP_ID is required: set it to the App ID shown on your GitHub App settings page' })
    .regex(/^\d+$/, 'APP_ID must be the numeric App ID of your GitHub App (settings page, "App ID")'),
  PRIVATE_KEY: z.string().optional(),
  PRIVATE_KEY_PATH: z.string().optional(),
  WEBHOOK_SECRET: z
    .string({ error: 'WEBHOOK_SECRET is required: set it to the webhook secret of your GitHub App' })
    .min(1, 'WEBHOOK_SECRET is required: set it to the webhook secret of your GitHub App'),
  REDIS_URL: z
    .url({ error: 'REDIS_URL must be a URL such as redis://127.0.0.1:6379' })
    .default('redis://127.0.0.1:6379'),
  GITHUB_API_URL: z
    .url({ error: 'GITHUB_API_URL must be a URL: https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server' })
    .default('https://api.github.com'),
  PORT: z.coerce
    .number({ error: 'PORT must be a TCP port number such as 3000' })
    .int()
    .min(0)
    .max(65535, 'PORT must be a TCP port number such as 3000')
    .default(3000),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  WEBHOOK_PATH: z
    .string()
    .regex(/^\//, 'WEBHOOK_PATH must start with "/", e.g. /api/github/webhooks')
    .default('/api/github/webhooks'),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'REDIS_PREFIX may hold letters, digits, "_", "." and "-"').default('testgate'),
  WORKER_CONCURRENCY: z.coerce.number({ error: 'WORKER_CONCURRENCY must be a positive integer' }).int().min(1).default(1),
  JOB_DEADLINE_SECONDS: z.coerce.number({ error: 'JOB_DEADLINE_SECONDS must be a number of seconds' }).int().min(10).default(900),
  SHUTDOWN_GRACE_SECONDS: z.coerce.number({ error: 'SHUTDOWN_GRACE_SECONDS must be a number of seconds' }).int().min(0).default(30),
});

export interface AppConfig {
  appId: string;
  privateKey: string;
  webhookSecret: string;
  redisUrl: string;
  redisPrefix: string;
  githubApiUrl: string;
  port: number;
  host: string;
  logLevel: (typeof LOG_LEVELS)[number];
  webhookPath: string;
  workerConcurrency: number;
  jobDeadlineMs: number;
  shutdownGraceMs: number;
}

/**
 * The only reader of the environment for the GitHub App (server and worker). Every
 * problem is reported at once, each with what to set.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const parsed = EnvSchema.safeParse(cleaned);
  const problems: string[] = parsed.success ? [] : parsed.error.issues.map((issue) => issue.message);
  let privateKey: string | undefined;
  if (cleaned.PRIVATE_KEY !== undefined) {
    // Env files often carry the PEM on one line with literal "\n".
    privateKey = cleaned.PRIVATE_KEY.replace(/\\n/g, '\n');
  } else if (cleaned.PRIVATE_KEY_PATH !== undefined) {
    try {
      privateKey = readFileSync(cleaned.PRIVATE_KEY_PATH, 'utf8');
    } catch (error) {
      problems.push(
        `PRIVATE_KEY_PATH points at ${cleaned.PRIVATE_KEY_PATH}, which cannot be read (${(error as Error).message}): set it to the .pem file you downloaded from your GitHub App`,
      );
    }
  } else {
    problems.push(
      'PRIVATE_KEY or PRIVATE_KEY_PATH is required: set PRIVATE_KEY_PATH to the .pem file generated on your GitHub App settings page (or PRIVATE_KEY to its contents)',
    );
  }
  if (privateKey !== undefined && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey)) {
    problems.push('The private key is not a PEM: use the .pem file generated on your GitHub App settings page');
  }
  if (!parsed.success || privateKey === undefined || problems.length > 0) {
    throw new ConfigEnvError(problems);
  }
  const e = parsed.data;
  return {
    appId: e.APP_ID,
    privateKey,
    webhookSecret: e.WEBHOOK_SECRET,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    githubApiUrl: e.GITHUB_API_URL,
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    webhookPath: e.WEBHOOK_PATH,
    workerConcurrency: e.WORKER_CONCURRENCY,
    jobDeadlineMs: e.JOB_DEADLINE_SECONDS * 1000,
    shutdownGraceMs: e.SHUTDOWN_GRACE_SECONDS * 1000,
  };
}
