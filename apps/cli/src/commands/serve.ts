/**
 * `testgate serve`: the GitHub App in one process — webhook server and gate worker —
 * for a laptop or a single VM. docker/compose.yml runs them as two services instead.
 */
import { parseArgs } from 'node:util';
import { pingDocker } from '@testgate/sandbox';
import { ConfigEnvError, loadConfig, startServer } from '@testgate/server';
import { loadWorkerConfig, startWorker, WorkerConfigError } from '@testgate/worker';
import { pino } from 'pino';
import type { CliCommand, CliIo } from '../command.ts';
import { CliError, EXIT, UsageError } from '../command.ts';

const HELP = `Usage: testgate serve [--no-worker] [--no-server] [--port N] [--host H]

Runs the Testgate GitHub App: the webhook server (POST /api/github/webhooks, /healthz,
/readyz, /metrics) and the worker that judges pull requests in Docker sandboxes.

Environment (see docs/github-app.md):
  APP_ID, PRIVATE_KEY_PATH (or PRIVATE_KEY), WEBHOOK_SECRET   from your GitHub App
  REDIS_URL        default redis://127.0.0.1:6379
  GITHUB_API_URL   default https://api.github.com (GitHub Enterprise: https://HOST/api/v3)
  PORT, HOST, WEBHOOK_PATH, LOG_LEVEL, WORKER_CONCURRENCY, JOB_DEADLINE_SECONDS,
  SHUTDOWN_GRACE_SECONDS
  OPENAI_API_KEY, OPENAI_BASE_URL, TESTGATE_MODEL_REPLAY_DIR   optional: the model
                   generator (without them generate.mode "auto" uses the built-in one)

Flags:
  --no-worker    only the webhook server (deliveries wait in Redis until a worker runs)
  --no-server    only the worker
  --port N       overrides PORT
  --host H       overrides HOST
  -h, --help     this help

Stops on SIGTERM/SIGINT: the server closes, the worker finishes its active job within
SHUTDOWN_GRACE_SECONDS or hands it back to the queue.
`;

async function run(args: string[], io: CliIo): Promise<number> {
  let values: {
    'no-worker'?: boolean;
    'no-server'?: boolean;
    port?: string;
    host?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        'no-worker': { type: 'boolean' },
        'no-server': { type: 'boolean' },
        port: { type: 'string' },
        host: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message, { command: 'serve', cause: error });
  }
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.ok;
  }
  const env = {
    ...io.env,
    ...(values.port ? { PORT: values.port } : {}),
    ...(values.host ? { HOST: values.host } : {}),
  };
  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigEnvError) {
      throw new CliError('CONFIG_ENV', error.message, {
        hint: 'see docs/github-app.md for each variable',
        exitCode: EXIT.usage,
        cause: error,
      });
    }
    throw error;
  }
  // The worker's own reader validates its settings (the model's among them).
  let workerConfig;
  try {
    workerConfig = values['no-worker'] ? undefined : loadWorkerConfig(env);
  } catch (error) {
    if (error instanceof WorkerConfigError) {
      throw new CliError('CONFIG_ENV', error.message, {
        hint: 'see docs/github-app.md for each variable',
        exitCode: EXIT.usage,
        cause: error,
      });
    }
    throw error;
  }
  const logger = pino({ level: config.logLevel, name: 'testgate' });
  const worker =
    workerConfig === undefined
      ? undefined
      : await startWorker(
          {
            appId: config.appId,
            privateKey: config.privateKey,
            githubApiUrl: config.githubApiUrl,
            redisUrl: config.redisUrl,
            redisPrefix: config.redisPrefix,
            concurrency: config.workerConcurrency,
            jobDeadlineMs: config.jobDeadlineMs,
            ...(workerConfig.openaiApiKey === undefined
              ? {}
              : { openaiApiKey: workerConfig.openaiApiKey }),
            ...(workerConfig.openaiBaseUrl === undefined
              ? {}
              : { openaiBaseUrl: workerConfig.openaiBaseUrl }),
            ...(workerConfig.modelReplayDir === undefined
              ? {}
              : { modelReplayDir: workerConfig.modelReplayDir }),
          },
          { logger: logger.child({ component: 'worker' }) },
        );
  const server = values['no-server']
    ? undefined
    : await startServer({
        config,
        logger: logger.child({ component: 'server' }),
        // Same process as the worker: readiness includes the Docker engine.
        ...(worker === undefined ? {} : { readiness: { docker: () => pingDocker() } }),
      });
  io.stderr.write(
    `testgate serve: ${server ? `webhooks at ${server.url}${config.webhookPath}` : 'no server'}; ${worker ? 'worker running' : 'no worker'}. Ctrl-C stops.\n`,
  );
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  logger.info({ graceMs: config.shutdownGraceMs }, 'shutting down');
  await server?.close();
  await worker?.close({ graceMs: config.shutdownGraceMs });
  return EXIT.ok;
}

export const command: CliCommand = {
  name: 'serve',
  summary: 'Run the GitHub App (webhook server and worker)',
  help: HELP,
  run,
};
