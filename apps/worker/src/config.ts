import { readFileSync, statSync } from 'node:fs';
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
  // The model generator (optional: without them `generate.mode: auto` uses the built-in one).
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.url({ protocol: /^https?$/, error: 'OPENAI_BASE_URL must be the URL of an OpenAI-compatible API, e.g. https://api.openai.com/v1' }).optional(),
  TESTGATE_MODEL_REPLAY_DIR: z.string().optional(),
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
  openaiApiKey?: string;
  openaiBaseUrl?: string;
  modelReplayDir?: string;
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
  const replayDir = cleaned.TESTGATE_MODEL_REPLAY_DIR;
  if (replayDir !== undefined && !isDirectory(replayDir)) {
    problems.push(`TESTGATE_MODEL_REPLAY_DIR points at ${replayDir}, which is not a directory: set it to a directory written by \`testgate run --record DIR\`, or unset it`);
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
    ...(e.OPENAI_API_KEY === undefined ? {} : { openaiApiKey: e.OPENAI_API_KEY }),
    ...(e.OPENAI_BASE_URL === undefined ? {} : { openaiBaseUrl: e.OPENAI_BASE_URL }),
    ...(e.TESTGATE_MODEL_REPLAY_DIR === undefined ? {} : { modelReplayDir: e.TESTGATE_MODEL_REPLAY_DIR }),
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
