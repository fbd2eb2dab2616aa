/**
 * The model generator of one worker process: the OpenAI settings of the worker's env, one
 * throttle for the process (keyed by installation, so one busy installation cannot starve
 * the others of the model's rate limit), and the Redis completion cache on its own
 * connection from packages/queue. The settings stay in this process: runGate never hands
 * an environment to the sandbox containers.
 */
import type { GateConfig } from '@testgate/core';
import { createRedisCompletionCache, createThrottle } from '@testgate/generator';
import type { CompletionCache } from '@testgate/generator';
import { createModelCandidates, type RunGateOptions } from '@testgate/pipeline';
import { createRedisConnection, logErrors } from '@testgate/queue';
import type { Logger } from 'pino';

interface WorkerModelSettings {
  /** OPENAI_API_KEY. */
  openaiApiKey?: string | undefined;
  /** OPENAI_BASE_URL: an OpenAI-compatible server (a local one may need no key). */
  openaiBaseUrl?: string | undefined;
  /** TESTGATE_MODEL_REPLAY_DIR: answer from recorded exchanges (demos, tests). */
  modelReplayDir?: string | undefined;
  redisUrl: string;
  redisPrefix?: string | undefined;
}

export interface WorkerModel {
  /** What resolveGenerateMode reads: `auto` means the model when one of these is set. */
  env: Readonly<Record<string, string | undefined>>;
  replayDir?: string;
  /** The runGate seam for one job. */
  generateCandidates: (job: {
    config: GateConfig;
    /** Whose model calls share one throttle (CodeHost.tenant: a GitHub installation). */
    tenant: string;
  }) => NonNullable<RunGateOptions['generateCandidates']>;
  close(): Promise<void>;
}

export function createWorkerModel(settings: WorkerModelSettings, logger: Logger): WorkerModel {
  const env = {
    OPENAI_API_KEY: settings.openaiApiKey,
    OPENAI_BASE_URL: settings.openaiBaseUrl,
  };
  const configured = Boolean(
    settings.openaiApiKey || settings.openaiBaseUrl || settings.modelReplayDir,
  );
  // Replayed answers cost nothing, and without a model there is nothing to cache.
  const redis =
    configured && !settings.modelReplayDir
      ? createRedisConnection({ url: settings.redisUrl, role: 'producer' })
      : undefined;
  let cacheErrorLogged = false;
  if (redis !== undefined) logErrors(redis, 'completion cache connection', logger);
  const cache: CompletionCache | undefined =
    redis &&
    createRedisCompletionCache({
      client: redis,
      prefix: `${settings.redisPrefix ?? 'testgate'}:completion:`,
      // A cache error reads as a miss; say so once, not per request.
      onError: (error) => {
        if (cacheErrorLogged) return;
        cacheErrorLogged = true;
        logger.warn({ err: error }, 'completion cache unavailable: calling the model uncached');
      },
    });
  const throttle = createThrottle();
  return {
    env,
    ...(settings.modelReplayDir ? { replayDir: settings.modelReplayDir } : {}),
    generateCandidates: ({ config, tenant }) =>
      createModelCandidates({
        env,
        config,
        replayDir: settings.modelReplayDir,
        cache,
        throttle,
        throttleKey: tenant,
      }),
    async close() {
      await redis?.quit().catch(() => redis.disconnect());
    },
  };
}
