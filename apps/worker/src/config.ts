import { statSync } from 'node:fs';
import { appEnvShape, presentEnv, readAppPrivateKey } from '@testgate/github';
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
  ...appEnvShape,
  // The model generator (optional: without them `generate.mode: auto` uses the built-in one).
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z
    .url({
      protocol: /^https?$/,
      error:
        'OPENAI_BASE_URL must be the URL of an OpenAI-compatible API, e.g. https://api.openai.com/v1',
    })
    .optional(),
  TESTGATE_MODEL_REPLAY_DIR: z.string().optional(),
  TESTGATE_WORK_DIR: z.string().optional(),
});

interface WorkerConfig {
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
  workDir?: string;
}

/**
 * The worker's reader of the environment (same variable names as the server's
 * `loadConfig`; the worker needs no WEBHOOK_SECRET and no port).
 */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const cleaned = presentEnv(env);
  const parsed = EnvSchema.safeParse(cleaned);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => i.message);
  const privateKey = readAppPrivateKey(cleaned, problems);
  const replayDir = cleaned.TESTGATE_MODEL_REPLAY_DIR;
  if (replayDir !== undefined && !isDirectory(replayDir)) {
    problems.push(
      `TESTGATE_MODEL_REPLAY_DIR points at ${replayDir}, which is not a directory: set it to a directory written by \`testgate run --record DIR\`, or unset it`,
    );
  }
  const workDir = cleaned.TESTGATE_WORK_DIR;
  if (workDir !== undefined && !isDirectory(workDir)) {
    problems.push(
      `TESTGATE_WORK_DIR points at ${workDir}, which is not a directory: create it (jobs write their trees there), or unset it to use the temp directory`,
    );
  }
  if (!parsed.success || privateKey === undefined || problems.length > 0)
    throw new WorkerConfigError(problems);
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
    ...(e.TESTGATE_MODEL_REPLAY_DIR === undefined
      ? {}
      : { modelReplayDir: e.TESTGATE_MODEL_REPLAY_DIR }),
    ...(e.TESTGATE_WORK_DIR === undefined ? {} : { workDir: e.TESTGATE_WORK_DIR }),
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
