/**
 * The environment the GitHub App's processes share (server, worker, `testgate serve`):
 * who the app is (APP_ID, its private key, which GitHub), where the queue lives, and how
 * jobs run. Each app's own `loadConfig(env)` spreads `appEnvShape` into its schema and
 * adds what only it needs, so a variable means the same thing everywhere.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const appEnvShape = {
  APP_ID: z
    .string({
      error: 'APP_ID is required: set it to the App ID shown on your GitHub App settings page',
    })
    .regex(
      /^\d+$/,
      'APP_ID must be the numeric App ID of your GitHub App (settings page, "App ID")',
    ),
  PRIVATE_KEY: z.string().optional(),
  PRIVATE_KEY_PATH: z.string().optional(),
  REDIS_URL: z
    .url({ error: 'REDIS_URL must be a URL such as redis://127.0.0.1:6379' })
    .default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'REDIS_PREFIX may hold letters, digits, "_", "." and "-"')
    .default('testgate'),
  GITHUB_API_URL: z
    .url({
      error:
        'GITHUB_API_URL must be a URL: https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server',
    })
    .default('https://api.github.com'),
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { error: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
    .default('info'),
  WORKER_CONCURRENCY: z.coerce
    .number({ error: 'WORKER_CONCURRENCY must be a positive integer' })
    .int()
    .min(1)
    .default(1),
  JOB_DEADLINE_SECONDS: z.coerce
    .number({ error: 'JOB_DEADLINE_SECONDS must be a number of seconds' })
    .int()
    .min(10)
    .default(900),
  SHUTDOWN_GRACE_SECONDS: z.coerce
    .number({ error: 'SHUTDOWN_GRACE_SECONDS must be a number of seconds' })
    .int()
    .min(0)
    .default(30),
};

/** The environment without unset or empty variables (compose passes `VAR=` for "unset"). */
export function presentEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const present: Record<string, string> = {};
  for (const [key, value] of Object.entries(env))
    if (value !== undefined && value !== '') present[key] = value;
  return present;
}

/**
 * The app's private key from PRIVATE_KEY (env files often carry the PEM on one line with
 * literal "\n") or PRIVATE_KEY_PATH; pushes a what-to-set sentence onto `problems` when
 * neither gives a PEM.
 */
export function readAppPrivateKey(
  env: Record<string, string>,
  problems: string[],
): string | undefined {
  let privateKey: string | undefined;
  if (env.PRIVATE_KEY !== undefined) {
    privateKey = env.PRIVATE_KEY.replace(/\\n/g, '\n');
  } else if (env.PRIVATE_KEY_PATH !== undefined) {
    try {
      privateKey = readFileSync(env.PRIVATE_KEY_PATH, 'utf8');
    } catch (error) {
      problems.push(
        `PRIVATE_KEY_PATH points at ${env.PRIVATE_KEY_PATH}, which cannot be read (${(error as Error).message}): set it to the .pem file you downloaded from your GitHub App`,
      );
      return undefined;
    }
  } else {
    problems.push(
      'PRIVATE_KEY or PRIVATE_KEY_PATH is required: set PRIVATE_KEY_PATH to the .pem file generated on your GitHub App settings page (or PRIVATE_KEY to its contents)',
    );
    return undefined;
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey)) {
    problems.push(
      'The private key is not a PEM: use the .pem file generated on your GitHub App settings page',
    );
    return undefined;
  }
  return privateKey;
}
