import { readFileSync } from 'node:fs';
import { z } from 'zod';

export class WorkerConfigError extends Error {
  readonly code = 'CONFIG_ENV' as const;
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Testgate worker configuration is incomplete:\n  - ${problems.join('\n  - ')}`);
    this.name = 'WorkerConfigError';
    this.problems = problems;
  }
}

const EnvSchema = z.object({
  APP_ID: z
    .string({ error: 'APP_ID is required: set it to the App ID shown on your GitHub App settings page' })
    .regex(/^\d+$/, 'APP_ID must be the numeric App ID of your GitHub App'),
  REDIS_URL: z.url({ error: 'REDIS_URL must be a URL such as redis://127.0.0.1:6379' }).default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z.string().default('testgate'),
  GITHUB_API_URL: z
    .url({ error: 'GITHUB_API_URL must be a URL: https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server' })
    .default('https://api.github.com'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WORKER_CONCURRENCY: z.coerce.number({ error: 'WORKER_CONCURRENCY must be a positive integer' }).int().min(1).default(1),
  JOB_DEADLINE_SECONDS: z.coerce.number({ error: 'JOB_DEADLINE_SECONDS must be a number of seconds' }).int().min(10).default(900),
  SHUTDOWN_GRACE_SECONDS: z.coerce.number({ error: 'SHUTDOWN_GRACE_SECONDS must be a number of seconds' }).int().min(0).default(30),
});

export interface WorkerConfig {
  appId: string;
  privateKey: string;
  redisUrl: string;
  redisPrefix: string;
  githubApiUrl: string;
  logLevel: string;
  concurrency: number;
  jobDeadlineMs: number;
  shutdownGraceMs: number;
}

/**
 * The worker's reader of the environment (same variable names as the server's
 * `loadConfig`; the worker needs no WEBHOOK_SECRET and no port).
 */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') cleaned[key] = value;
  const parsed = EnvSchema.safeParse(cleaned);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => i.message);
  let privateKey: string | undefined;
  if (cleaned.PRIVATE_KEY !== undefined) privateKey = cleaned.PRIVATE_KEY.replace(/\\n/g, '\n');
  else if (cleaned.PRIVATE_KEY_PATH !== undefined) {
    try {
      privateKey = readFileSync(cleaned.PRIVATE_KEY_PATH, 'utf8');
    } catch (error) {
      problems.push(`PRIVATE_KEY_PATH points at ${cleaned.PRIVATE_KEY_PATH}, which cannot be read (${(error as Error).message})`);
    }
  } else {
    problems.push('PRIVATE_KEY or PRIVATE_KEY_PATH is required: set PRIVATE_KEY_PATH to the .pem file generated on your GitHub App settings page');
  }
  if (!parsed.success || privateKey === undefined || problems.length > 0) throw new WorkerConfigError(problems);
  const e = parsed.data;
  return {
    appId: e.APP_ID,
    privateKey,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    githubApiUrl: e.GITHUB_API_URL,
    logLevel: e.LOG_LEVEL,
    concurrency: e.WORKER_CONCURRENCY,
    jobDeadlineMs: e.JOB_DEADLINE_SECONDS * 1000,
    shutdownGraceMs: e.SHUTDOWN_GRACE_SECONDS * 1000,
  };
}
