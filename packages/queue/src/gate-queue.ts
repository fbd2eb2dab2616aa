import { withTimeout } from '@testgate/core';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  createRedisConnection,
  DEFAULT_COMMAND_TIMEOUT_MS,
  logErrors,
  type QueueLogger,
} from './connection.ts';
import { QueueError } from './errors.ts';
import { RunLedger, type GateCounter } from './run-ledger.ts';
import {
  ActionJobDataSchema,
  actionJobId,
  DEFAULT_PREFIX,
  GATE_QUEUE_NAME,
  GateJobDataSchema,
  gateJobId,
  pullRequestKey,
  type ActionJobInput,
  type ActionJobName,
  type GateJobInput,
} from './gate-job.ts';
import {
  createDeliveryIntake,
  deliveryKey,
  intakeGroupsRecreatedKey,
  intakeStreamKey,
  type IntakeResult,
} from './intake.ts';

interface GateQueueOptions {
  redisUrl: string;
  /**
   * Redis key prefix; tests use a unique one each.
   * @defaultValue 'testgate'
   */
  prefix?: string;
  /** @defaultValue 'gate' */
  name?: string;
  /**
   * How long a delivery id is remembered for deduplication. GitHub redelivers a failed
   * delivery on request, with the same `X-GitHub-Delivery`, days later at most.
   * @defaultValue 259200 (3 days)
   */
  deliveryTtlSeconds?: number;
  /** @defaultValue 3000 (see createRedisConnection) */
  commandTimeoutMs?: number;
  /** Where Redis errors are logged (non-fatal: connections reconnect). @defaultValue stderr */
  logger?: QueueLogger;
}

export interface EnqueueOptions {
  /**
   * A re-run was asked for (check run / suite "Re-run"): a finished job with the same id
   * is removed first so the new one is not swallowed as a duplicate.
   */
  rerun?: boolean;
}

/**
 * Retries: transient failures (GitHub 5xx / 429, lost connections, a worker shut down
 * mid-job) back off exponentially with jitter so a fleet of workers does not retry in
 * lockstep; deterministic failures throw `UnrecoverableError` and are not retried.
 */
export const DEFAULT_GATE_JOB_OPTIONS: JobsOptions = {
  attempts: 4,
  backoff: { type: 'exponential', delay: 5000, jitter: 0.5 },
  // Kept as long as delivery ids are remembered: the job id then dedupes redeliveries too.
  removeOnComplete: { age: 3 * 24 * 3600, count: 20_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
};

export type DeliveryResult =
  | { status: 'duplicate' }
  | {
      status: 'queued';
      /** The gate job this delivery becomes once a worker moves it out of the intake. */
      jobId: string;
      /** Job id of an older head SHA of the same PR, which will be told to stop. */
      superseded?: string;
    };

export interface EnqueueActionRequest {
  name: ActionJobName;
  /** Validated against `ActionJobDataSchema`; its `deliveryId` is the dedupe key. */
  data: ActionJobInput;
}

export type ActionEnqueueResult = { status: 'duplicate' } | { status: 'queued'; jobId: string };

/**
 * Clicks are retried less and kept shorter than gate runs: a click is cheap to repeat,
 * and the worker's idempotency key (per check run) makes a repeat a no-op.
 */
const DEFAULT_ACTION_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2000, jitter: 0.5 },
  removeOnComplete: { age: 24 * 3600, count: 5000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
};

export interface GateQueue {
  readonly name: string;
  readonly prefix: string;
  /** The underlying BullMQ queue (tests and admin tools). */
  readonly queue: Queue;
  /**
   * The webhook path: dedupes on the delivery id and appends the delivery to the intake
   * stream (see `intake.ts`); a worker turns it into the gate job `jobId`. A newer head SHA
   * of the same PR reports the older job id as `superseded`; the worker stops that job.
   * Throws `QueueError('INVALID_JOB_DATA')` for bad data and
   * `QueueError('REDIS_UNAVAILABLE')` when the delivery was not stored.
   */
  enqueueDelivery(
    deliveryId: string,
    data: GateJobInput,
    options?: EnqueueOptions,
  ): Promise<DeliveryResult>;
  /**
   * A check-run button click (e.g. "Add tests"): dedupes on the delivery id, then stores
   * a job of its own name and schema. Throws `QueueError('INVALID_JOB_DATA')` for bad
   * data and `QueueError('REDIS_UNAVAILABLE')` when it was not stored.
   */
  enqueueAction(request: EnqueueActionRequest): Promise<ActionEnqueueResult>;
  /** Deliveries not yet moved into BullMQ by a worker. */
  intakeBacklog(): Promise<number>;
  /** Times a worker found the intake's consumer group gone (Redis lost its data) and recreated it. */
  intakeGroupsRecreated(): Promise<number>;
  /** Check runs still open after their job's deadline (the sweeper finishes them; should stay 0). */
  runsPastDeadline(): Promise<number>;
  /** What the workers counted: verdict publish retries, stale deliveries skipped, runs finished for a dead job. */
  gateCounters(): Promise<Record<GateCounter, number>>;
  /** Throws `QueueError('REDIS_UNAVAILABLE')` when Redis does not answer. */
  ping(): Promise<void>;
  waitUntilReady(): Promise<void>;
  close(): Promise<void>;
}

const LATEST_TTL_SECONDS = 30 * 24 * 3600;

function latestKey(prefix: string, name: string, prKey: string): string {
  return `${prefix}:${name}:latest:${prKey}`;
}

export function cancelChannel(prefix: string, name: string): string {
  return `${prefix}:${name}:cancel`;
}

function unavailable(cause: unknown): QueueError {
  return new QueueError(
    'REDIS_UNAVAILABLE',
    'Redis did not answer: is REDIS_URL right and Redis up?',
    { cause },
  );
}

/** Producer side of the gate queue: used by the webhook server. Fails fast when Redis is down. */
export function createGateQueue(options: GateQueueOptions): GateQueue {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const name = options.name ?? GATE_QUEUE_NAME;
  // An add must answer before GitHub gives up on the delivery after 10 s.
  const timeoutMs = (options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS) + 2000;
  const ttl = options.deliveryTtlSeconds ?? 3 * 24 * 3600;
  const timeout =
    options.commandTimeoutMs === undefined ? {} : { commandTimeoutMs: options.commandTimeoutMs };
  const redis: Redis = createRedisConnection({
    url: options.redisUrl,
    role: 'producer',
    ...timeout,
  });
  // The delivery path's own connection: BullMQ defines dozens of scripts on `redis`, which
  // makes every pipeline ioredis builds there expensive (see connection.ts).
  const intakeRedis: Redis = createRedisConnection({
    url: options.redisUrl,
    role: 'intake',
    ...timeout,
  });
  // Logged once per outage, not per reconnect try; readiness and the 503s tell callers.
  logErrors(redis, 'gate queue connection', options.logger);
  logErrors(intakeRedis, 'delivery intake connection', options.logger);
  const ledger = new RunLedger(intakeRedis, prefix, name);
  const intake = createDeliveryIntake({
    redis: intakeRedis,
    prefix,
    name,
    deliveryTtlSeconds: ttl,
    latestTtlSeconds: LATEST_TTL_SECONDS,
  });
  const queue = new Queue(name, { connection: redis, prefix });
  logErrors(queue, 'gate queue', options.logger);

  return {
    name,
    prefix,
    queue,
    async enqueueDelivery(deliveryId, input, enqueueOptions = {}) {
      const parsed = GateJobDataSchema.safeParse(input);
      if (!parsed.success) {
        throw new QueueError(
          'INVALID_JOB_DATA',
          `gate job data is invalid: ${parsed.error.message}`,
          { cause: parsed.error },
        );
      }
      const data = parsed.data;
      const jobId = gateJobId(data);
      let result: IntakeResult;
      try {
        result = await intake.submit({
          deliveryId,
          data,
          jobId,
          latestKey: latestKey(prefix, name, pullRequestKey(data)),
          rerun: enqueueOptions.rerun === true,
        });
      } catch (error) {
        throw unavailable(error);
      }
      if (result.status === 'duplicate') return result;
      return result.previous === undefined
        ? { status: 'queued', jobId }
        : { status: 'queued', jobId, superseded: result.previous };
    },
    async enqueueAction({ name: actionName, data: input }) {
      const parsed = ActionJobDataSchema.safeParse(input);
      if (!parsed.success) {
        throw new QueueError(
          'INVALID_JOB_DATA',
          `${actionName} job data is invalid: ${parsed.error.message}`,
          { cause: parsed.error },
        );
      }
      const data = parsed.data;
      const key = deliveryKey(prefix, data.deliveryId);
      let fresh: string | null;
      try {
        fresh = await redis.set(key, '1', 'EX', ttl, 'NX');
      } catch (error) {
        throw unavailable(error);
      }
      if (fresh !== 'OK') return { status: 'duplicate' };
      const jobId = actionJobId(actionName, data);
      try {
        // BullMQ waits for its connection's first 'ready' before it sends anything, so
        // bound the wait: a server that started while Redis was down must answer 503.
        await withTimeout(
          queue.add(actionName, data, { ...DEFAULT_ACTION_JOB_OPTIONS, jobId }),
          timeoutMs,
          'Redis',
        );
      } catch (error) {
        // GitHub shows the failed delivery and can redeliver it: forget we saw it.
        await redis.del(key).catch(() => 0);
        throw unavailable(error);
      }
      return { status: 'queued', jobId };
    },
    async intakeBacklog() {
      try {
        return await intakeRedis.xlen(intakeStreamKey(prefix, name));
      } catch (error) {
        throw unavailable(error);
      }
    },
    async intakeGroupsRecreated() {
      try {
        return Number((await intakeRedis.get(intakeGroupsRecreatedKey(prefix, name))) ?? 0);
      } catch (error) {
        throw unavailable(error);
      }
    },
    async runsPastDeadline() {
      try {
        return await ledger.countDueBefore(Date.now());
      } catch (error) {
        throw unavailable(error);
      }
    },
    async gateCounters() {
      try {
        return await ledger.counts();
      } catch (error) {
        throw unavailable(error);
      }
    },
    async ping() {
      try {
        await intakeRedis.ping();
      } catch (error) {
        throw unavailable(error);
      }
    },
    async waitUntilReady() {
      await Promise.all([redis, intakeRedis].map(waitForReady));
    },
    async close() {
      await queue.close().catch(() => {});
      redis.disconnect();
      intakeRedis.disconnect();
    },
  };
}

async function waitForReady(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(unavailable(new Error('timed out connecting'))), 10_000);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
