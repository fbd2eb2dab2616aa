/**
 * A gate worker in its own process, for the test that kills a worker with SIGKILL
 * mid-job. Settings come from the environment the test passes.
 */
import { startWorker } from '@testgate/worker';
import { pino } from 'pino';

const env = process.env;
const logger = pino({ level: 'info', name: 'child-worker' }, pino.destination(2));
await startWorker(
  {
    appId: env.APP_ID ?? '',
    privateKey: env.PRIVATE_KEY ?? '',
    githubApiUrl: env.GITHUB_API_URL ?? '',
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    redisPrefix: env.REDIS_PREFIX ?? 'testgate',
    lockDurationMs: Number(env.LOCK_DURATION_MS ?? 4000),
    stalledIntervalMs: Number(env.STALLED_INTERVAL_MS ?? 2000),
    ...(env.TESTGATE_WORK_DIR === undefined ? {} : { workDir: env.TESTGATE_WORK_DIR }),
    ...(env.MAX_STALLED_COUNT === undefined
      ? {}
      : { maxStalledCount: Number(env.MAX_STALLED_COUNT) }),
  },
  { logger, retryBaseMs: 50 },
);
process.stdout.write('worker-ready\n');
