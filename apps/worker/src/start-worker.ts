import { tmpdir } from 'node:os';
import { createGitHubApp, gitHubHostOpener, type GitHubApp } from '@testgate/github';
import { environmentSettingsFromEnv, indexSettingsFromEnv } from '@testgate/environment';
import {
  runGate as realRunGate,
  type EnvironmentStep,
  type RunGateOptions,
} from '@testgate/pipeline';
import {
  createGateWorker,
  redisDurabilityWarnings,
  type GateWorker,
  type JobsOptions,
} from '@testgate/queue';
import type { GateReport, TreeLimits } from '@testgate/core';
import {
  createDockerRunner,
  createEnvironmentVolumes,
  ensureSandboxImage,
  reapSandboxes,
  SANDBOX_LABEL_JOB,
  type SandboxRunner,
} from '@testgate/sandbox';
import { pino, type Logger } from 'pino';
import { createAddTestsProcessor, type AddTestsResult } from './add-tests-processor.ts';
import {
  createAbandonedRunHandler,
  createGateProcessor,
  type GateJobResult,
  removeStaleWorkspaces,
} from './gate-processor.ts';
import { createWorkerModel } from './worker-model.ts';
import { createSuggestionStore, type SuggestionStore } from './suggestion-store.ts';

interface WorkerSettings {
  appId: string;
  privateKey: string;
  githubApiUrl: string;
  redisUrl: string;
  /** @defaultValue 'testgate' */
  redisPrefix?: string;
  /** Queue name. @defaultValue 'gate' */
  queueName?: string;
  /** @defaultValue 1 */
  concurrency?: number;
  /** @defaultValue 900000 */
  jobDeadlineMs?: number;
  /** Lock and stall detection; tests shorten them. @defaultValue 30000 */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Takeovers of a job whose worker died before it fails for good. @defaultValue 2 */
  maxStalledCount?: number;
  /** How often abandoned check runs are looked for. @defaultValue 60000 */
  sweepIntervalMs?: number;
  logLevel?: string;
  /** The model generator's settings (loadWorkerConfig: OPENAI_API_KEY, OPENAI_BASE_URL, TESTGATE_MODEL_REPLAY_DIR). */
  openaiApiKey?: string;
  openaiBaseUrl?: string;
  modelReplayDir?: string;
  /** Where jobs write their trees (TESTGATE_WORK_DIR). @defaultValue the OS temp directory */
  workDir?: string;
}

export interface WorkerOverrides {
  logger?: Logger;
  github?: GitHubApp;
  runner?: SandboxRunner;
  image?: string;
  runGate?: (options: RunGateOptions) => Promise<GateReport>;
  /** Injected fetch for Octokit (tests). */
  fetch?: typeof fetch;
  /** plugin-retry's back-off base (tests shorten it). */
  retryBaseMs?: number;
  /** Where suggestions wait for "Add tests" (tests inject one with a short TTL). */
  suggestions?: SuggestionStore;
  /** Gate job options (tests shorten the retry backoff). */
  jobOptions?: JobsOptions;
  /** The dependency step (tests give pip an isolated environment); default: from process.env. */
  environment?: EnvironmentStep;
  /** Publishing a computed verdict again (tests shorten it): window and first delay. */
  publishRetry?: { windowMs?: number; baseMs?: number };
  /** Scales GitHub's retry-after (tests shorten 300 s). @defaultValue 1 */
  retryAfterScale?: number;
  /** Caps on each commit's tree (tests shrink them). @defaultValue 256 MiB, 20000 files */
  treeLimits?: TreeLimits;
}

export interface RunningWorker {
  gateWorker: GateWorker;
  /** Stops taking jobs; active jobs get `graceMs` to finish, then go back to the queue. */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** Builds the real worker: GitHub App client, Docker runner, sandbox image, BullMQ worker. */
export async function startWorker(
  settings: WorkerSettings,
  overrides: WorkerOverrides = {},
): Promise<RunningWorker> {
  const logger =
    overrides.logger ?? pino({ level: settings.logLevel ?? 'info', name: 'testgate-worker' });
  const github =
    overrides.github ??
    createGitHubApp({
      appId: settings.appId,
      privateKey: settings.privateKey,
      baseUrl: settings.githubApiUrl,
      ...(overrides.fetch === undefined ? {} : { fetch: overrides.fetch }),
      ...(overrides.retryBaseMs === undefined ? {} : { retryBaseMs: overrides.retryBaseMs }),
      log: logger.child({ component: 'github' }),
    });
  const runner = overrides.runner ?? createDockerRunner();
  const image = overrides.image ?? (await ensureSandboxImage());
  // Containers whose own deadline passed belong to nobody: a worker that died. Live
  // containers of other workers on this engine are left alone.
  await reapSandboxes().catch((error: unknown) =>
    logger.warn({ err: error }, 'startup reap failed'),
  );

  // Trees of jobs whose worker died mid-job: no live job is older than two deadlines.
  await removeStaleWorkspaces(settings.workDir ?? tmpdir(), 2 * (settings.jobDeadlineMs ?? 900_000))
    .then((removed) => {
      if (removed > 0) logger.info({ removed }, 'removed workspaces left by dead workers');
    })
    .catch((error: unknown) => logger.warn({ err: error }, 'could not remove stale workspaces'));

  const reapJob = async (jobId: string): Promise<void> => {
    await reapSandboxes({ match: { [SANDBOX_LABEL_JOB]: jobId }, olderThanMs: 0 });
  };
  const suggestions =
    overrides.suggestions ??
    createSuggestionStore({
      redisUrl: settings.redisUrl,
      logger: logger.child({ component: 'suggestions' }),
      ...(settings.redisPrefix === undefined ? {} : { prefix: settings.redisPrefix }),
    });
  // The code host of each job: GitHub, as the installation the delivery came from.
  const openHost = gitHubHostOpener(github);
  const addTests = createAddTestsProcessor({ openHost, store: suggestions, logger });
  // One throttle and one cache connection for the whole process.
  const model = createWorkerModel(settings, logger.child({ component: 'model' }));
  const gate = createGateProcessor({
    openHost,
    runner,
    image,
    runGate: overrides.runGate ?? realRunGate,
    reapJob,
    logger,
    suggestions,
    model,
    ...(settings.workDir === undefined ? {} : { workDir: settings.workDir }),
    ...(overrides.publishRetry?.windowMs === undefined
      ? {}
      : { publishRetryWindowMs: overrides.publishRetry.windowMs }),
    ...(overrides.publishRetry?.baseMs === undefined
      ? {}
      : { publishRetryBaseMs: overrides.publishRetry.baseMs }),
    ...(overrides.retryAfterScale === undefined
      ? {}
      : { retryAfterScale: overrides.retryAfterScale }),
    ...(overrides.treeLimits === undefined ? {} : { treeLimits: overrides.treeLimits }),
    // PIP_INDEX_URL / PIP_EXTRA_INDEX_URL and the TESTGATE_ENV_* limits of this process.
    environment: overrides.environment ?? {
      volumes: createEnvironmentVolumes(),
      index: indexSettingsFromEnv(process.env),
      settings: environmentSettingsFromEnv(process.env),
    },
  });
  const gateWorker = createGateWorker<GateJobResult | AddTestsResult>({
    redisUrl: settings.redisUrl,
    ...(settings.redisPrefix === undefined ? {} : { prefix: settings.redisPrefix }),
    ...(settings.queueName === undefined ? {} : { name: settings.queueName }),
    concurrency: settings.concurrency ?? 1,
    ...(settings.jobDeadlineMs === undefined ? {} : { deadlineMs: settings.jobDeadlineMs }),
    ...(settings.lockDurationMs === undefined ? {} : { lockDurationMs: settings.lockDurationMs }),
    ...(settings.stalledIntervalMs === undefined
      ? {}
      : { stalledIntervalMs: settings.stalledIntervalMs }),
    // One queue, two kinds of job: gate runs, and "Add tests" clicks (their own name,
    // id and schema).
    processor: gate,
    // "Add tests" clicks are action jobs (`enqueueAction`), validated by their own schema.
    actionProcessor: (job) => addTests(job),
    ...(overrides.jobOptions === undefined ? {} : { jobOptions: overrides.jobOptions }),
    onIntakeProblem: ({ message, entryId, error }) => logger.warn({ entryId, err: error }, message),
    logger: logger.child({ component: 'queue' }),
    // Runs whose worker died, and jobs that failed for good before or after opening one:
    // any live worker finishes their check run (never left "in progress").
    onRunAbandoned: createAbandonedRunHandler({ openHost, reapJob, logger }),
    ...(settings.maxStalledCount === undefined
      ? {}
      : { maxStalledCount: settings.maxStalledCount }),
    ...(settings.sweepIntervalMs === undefined
      ? {}
      : { sweepIntervalMs: settings.sweepIntervalMs }),
    // A late (redelivered) delivery for an older commit must not stop the current head.
    confirmSupersede: async (data) => {
      const pull = await openHost(data).getPullRequest(data.pullNumber);
      return pull.headSha !== data.headSha;
    },
    onSupersedeRefused: (jobId, supersededBy) =>
      logger.info(
        { jobId, supersededBy },
        'kept running: GitHub reports this head as current, the delivery that superseded it is stale',
      ),
  });
  gateWorker.worker.on('failed', (job, error) => {
    logger.warn({ jobId: job?.id, err: error, attemptsMade: job?.attemptsMade }, 'gate job failed');
  });
  gateWorker.worker.on('completed', (job, result) => {
    logger.info({ jobId: job.id, result }, 'gate job done');
  });
  await gateWorker.waitUntilReady();
  logger.info({ image, concurrency: settings.concurrency ?? 1 }, 'testgate worker ready');
  for (const warning of await redisDurabilityWarnings(settings.redisUrl)) logger.warn(warning);
  return {
    gateWorker,
    async close(options = {}) {
      await gateWorker.close(options);
      if (overrides.suggestions === undefined) await suggestions.close();
      await model.close();
    },
  };
}
