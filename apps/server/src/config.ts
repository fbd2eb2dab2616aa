import { appEnvShape, presentEnv, readAppPrivateKey, type LogLevel } from '@testgate/github';
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

const EnvSchema = z.object({
  ...appEnvShape,
  WEBHOOK_SECRET: z
    .string({
      error: 'WEBHOOK_SECRET is required: set it to the webhook secret of your GitHub App',
    })
    .min(1, 'WEBHOOK_SECRET is required: set it to the webhook secret of your GitHub App'),
  PORT: z.coerce
    .number({ error: 'PORT must be a TCP port number such as 3000' })
    .int()
    .min(0)
    .max(65535, 'PORT must be a TCP port number such as 3000')
    .default(3000),
  HOST: z.string().default('0.0.0.0'),
  WEBHOOK_PATH: z
    .string()
    .regex(/^\//, 'WEBHOOK_PATH must start with "/", e.g. /api/github/webhooks')
    .default('/api/github/webhooks'),
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
  logLevel: LogLevel;
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
  const cleaned = presentEnv(env);
  const parsed = EnvSchema.safeParse(cleaned);
  const problems: string[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => issue.message);
  const privateKey = readAppPrivateKey(cleaned, problems);
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
