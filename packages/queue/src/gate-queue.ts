import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { createRedisConnection, DEFAULT_COMMAND_TIMEOUT_MS } from './connection.ts';
import { QueueError } from './errors.ts';
import {
  ActionJobDataSchema,
  actionJobId,
  DEFAULT_PREFIX,
  GATE_JOB_NAME,
  GATE_QUEUE_NAME,
  GateJobDataSchema,
  gateJobId,
  pullRequestKey,
  type ActionJobInput,
  type ActionJobName,
  type CancelMessage,
  type GateJobData,
  type GateJobInput,
} from './gate-job.ts';

export interface GateQueueOptions {
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
  /** Overrides of the default job options (attempts, backoff, retention). */
  jobOptions?: JobsOptions;
  /** @defaultValue 3000 (see createRedisConnection) */
  commandTimeoutMs?: number;
}

export interface EnqueueOptions {
  /**
   * A re-run was asked for (check run / suite "Re-run"): a finished job with the same id
   * is removed first so the new one is not swallowed as a duplicate.
   */
  rerun?: boolean;
}

export interface EnqueueResult {
  jobId: string;
  /** Job id of an older head SHA of the same PR that was told to stop. */
  superseded?: string;
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

export type DeliveryResult = { status: 'duplicate' } | ({ status: 'queued' } & EnqueueResult);

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
export const DEFAULT_ACTION_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2000, jitter: 0.5 },
  removeOnComplete: { age: 24 * 3600, count: 5000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
};

/**
 * Dedupe and "latest head of this PR" in one round trip: the webhook path's latency is
 * dominated by sequential Redis round trips, not by Redis work.
 * KEYS: delivery key, latest key. ARGV: delivery TTL, job id, latest TTL.
 */
const MARK_DELIVERY_SCRIPT = `
if redis.call('SET', KEYS[1], '1', 'EX', ARGV[1], 'NX') then
  local previous = redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3], 'GET')
  if previous then return {1, previous} end
  return {1}
end
return {0}
`;

interface MarkDeliveryCommand {
  testgateMarkDelivery(
    deliveryKey: string,
    latestKey: string,
    deliveryTtlSeconds: number,
    jobId: string,
    latestTtlSeconds: number,
  ): Promise<unknown>;
}

export interface GateQueue {
  readonly name: string;
  readonly prefix: string;
  /** The underlying BullMQ queue (tests and admin tools). */
  readonly queue: Queue;
  /** Records a webhook delivery id; false when it was seen before (a redelivery). */
  markDelivery(deliveryId: string): Promise<boolean>;
  /**
   * The webhook path: records the delivery id (false when seen before) and enqueues, in
   * two round trips. A newer head SHA of the same PR tells the older job to stop.
   */
  enqueueDelivery(
    deliveryId: string,
    data: GateJobInput,
    options?: EnqueueOptions,
  ): Promise<DeliveryResult>;
  /** Forgets a delivery id again, so GitHub's redelivery is not dropped after a failed enqueue. */
  forgetDelivery(deliveryId: string): Promise<void>;
  enqueue(data: GateJobInput, options?: EnqueueOptions): Promise<EnqueueResult>;
  /**
   * A check-run button click (e.g. "Add tests"): dedupes on the delivery id, then stores
   * a job of its own name and schema. Throws `QueueError('invalid-job-data')` for bad
   * data and `QueueError('redis-unavailable')` when it was not stored.
   */
  enqueueAction(request: EnqueueActionRequest): Promise<ActionEnqueueResult>;
  /** Throws `QueueError('redis-unavailable')` when Redis does not answer. */
  ping(): Promise<void>;
  waitUntilReady(): Promise<void>;
  close(): Promise<void>;
}

const LATEST_TTL_SECONDS = 30 * 24 * 3600;

export function latestKey(prefix: string, name: string, prKey: string): string {
  return `${prefix}:${name}:latest:${prKey}`;
}

export function cancelChannel(prefix: string, name: string): string {
  return `${prefix}:${name}:cancel`;
}

function unavailable(cause: unknown): QueueError {
  return new QueueError(
    'redis-unavailable',
    'Redis did not answer: is REDIS_URL right and Redis up?',
    { cause },
  );
}

/** Producer side of the gate queue: used by the webhook server. Fails fast when Redis is down. */
export function createGateQueue(options: GateQueueOptions): GateQueue {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const name = options.name ?? GATE_QUEUE_NAME;
  // The enqueue as a whole (mark + add) must answer before GitHub gives up after 10 s.
  const timeoutMs = (options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS) + 2000;
  const ttl = options.deliveryTtlSeconds ?? 3 * 24 * 3600;
  const redis: Redis = createRedisConnection({
    url: options.redisUrl,
    role: 'producer',
    ...(options.commandTimeoutMs === undefined
      ? {}
      : { commandTimeoutMs: options.commandTimeoutMs }),
  });
  // An 'error' listener keeps ioredis from printing every reconnect failure; readiness
  // and the 503s report the outage instead.
  redis.on('error', () => {});
  // EVALSHA instead of EVAL: the script text is not resent and rehashed on every delivery.
  redis.defineCommand('testgateMarkDelivery', { numberOfKeys: 2, lua: MARK_DELIVERY_SCRIPT });
  const markDeliveryScript = (redis as unknown as MarkDeliveryCommand).testgateMarkDelivery.bind(
    redis,
  );
  const queue = new Queue(name, {
    connection: redis,
    prefix,
    defaultJobOptions: { ...DEFAULT_GATE_JOB_OPTIONS, ...options.jobOptions },
  });
  queue.on('error', () => {});

  function validate(input: GateJobInput): GateJobData {
    const parsed = GateJobDataSchema.safeParse(input);
    if (!parsed.success) {
      throw new QueueError(
        'invalid-job-data',
        `gate job data is invalid: ${parsed.error.message}`,
        { cause: parsed.error },
      );
    }
    return parsed.data;
  }

  /** A re-run of a finished job: remove it so the add is not swallowed as a duplicate id. */
  async function removeFinished(jobId: string): Promise<void> {
    const existing = await queue.getJob(jobId);
    if (existing === undefined) return;
    const state = await existing.getState();
    if (state === 'completed' || state === 'failed') await existing.remove();
  }

  async function supersede(previous: string, data: GateJobData): Promise<void> {
    // A waiting job that never ran has no check run yet: drop it. One that ran before
    // (a retry, a stalled job) may own an in_progress check run, so it stays and the
    // worker that picks it up sees it is stale and completes that run as `cancelled`.
    const old = await queue.getJob(previous);
    if (old !== undefined) {
      const state = await old.getState();
      if (
        (state === 'waiting' || state === 'prioritized') &&
        old.attemptsMade === 0 &&
        !old.stalledCounter
      ) {
        await old.remove().catch(() => {});
      }
    }
    const message: CancelMessage = {
      jobId: previous,
      reason: 'superseded',
      supersededBy: data.headSha,
    };
    await redis.publish(cancelChannel(prefix, name), JSON.stringify(message));
  }

  return {
    name,
    prefix,
    queue,
    async markDelivery(deliveryId) {
      try {
        const res = await redis.set(`${prefix}:delivery:${deliveryId}`, '1', 'EX', ttl, 'NX');
        return res === 'OK';
      } catch (error) {
        throw unavailable(error);
      }
    },
    async enqueueDelivery(deliveryId, input, enqueueOptions = {}) {
      const data = validate(input);
      const jobId = gateJobId(data);
      const deliveryKey = `${prefix}:delivery:${deliveryId}`;
      const mark = () =>
        markDeliveryScript(
          deliveryKey,
          latestKey(prefix, name, pullRequestKey(data)),
          ttl,
          jobId,
          LATEST_TTL_SECONDS,
        );
      let marked: unknown;
      try {
        if (enqueueOptions.rerun === true) {
          // Rare: remove the finished job first, so the sequence matters more than speed.
          marked = await mark();
          if ((marked as [number])[0] === 1) {
            await removeFinished(jobId);
            await withTimeout(queue.add(GATE_JOB_NAME, data, { jobId }), timeoutMs);
          }
        } else {
          // One round trip: the mark script and BullMQ's add leave in the same pipelined
          // write. A duplicate delivery's add is a no-op, because its job id (repo, PR,
          // head SHA) is already taken: completed jobs are kept as long as delivery ids.
          // A connection that is not ready fails at once (503): BullMQ would otherwise wait
          // for its first 'ready'. A ready one is bounded by ioredis' commandTimeout, so
          // the per-delivery timer of `withTimeout` is only needed before that.
          const add = queue.add(GATE_JOB_NAME, data, { jobId });
          const [m] = await Promise.all([
            mark(),
            redis.status === 'ready' ? add : withTimeout(add, timeoutMs),
          ]);
          marked = m;
        }
      } catch (error) {
        // GitHub shows the failed delivery and can redeliver it: forget we saw it.
        await redis.del(deliveryKey).catch(() => 0);
        throw unavailable(error);
      }
      const [first, previous] = marked as [number, string | undefined];
      if (first !== 1) return { status: 'duplicate' };
      if (previous !== undefined && previous !== jobId) {
        await supersede(previous, data).catch(() => {});
        return { status: 'queued', jobId, superseded: previous };
      }
      return { status: 'queued', jobId };
    },
    async forgetDelivery(deliveryId) {
      await redis.del(`${prefix}:delivery:${deliveryId}`).catch(() => 0);
    },
    async enqueue(input, enqueueOptions = {}) {
      const data = validate(input);
      const jobId = gateJobId(data);
      try {
        if (enqueueOptions.rerun === true) await removeFinished(jobId);
        // BullMQ waits for its connection's first 'ready' before it sends anything, so
        // bound the wait: a server that started while Redis was down must still answer 503.
        await withTimeout(queue.add(GATE_JOB_NAME, data, { jobId }), timeoutMs);
        const previous = await redis.set(
          latestKey(prefix, name, pullRequestKey(data)),
          jobId,
          'EX',
          LATEST_TTL_SECONDS,
          'GET',
        );
        if (previous !== null && previous !== jobId) {
          await supersede(previous, data);
          return { jobId, superseded: previous };
        }
        return { jobId };
      } catch (error) {
        throw unavailable(error);
      }
    },
    async enqueueAction({ name: actionName, data: input }) {
      const parsed = ActionJobDataSchema.safeParse(input);
      if (!parsed.success) {
        throw new QueueError(
          'invalid-job-data',
          `${actionName} job data is invalid: ${parsed.error.message}`,
          { cause: parsed.error },
        );
      }
      const data = parsed.data;
      const deliveryKey = `${prefix}:delivery:${data.deliveryId}`;
      let fresh: string | null;
      try {
        fresh = await redis.set(deliveryKey, '1', 'EX', ttl, 'NX');
      } catch (error) {
        throw unavailable(error);
      }
      if (fresh !== 'OK') return { status: 'duplicate' };
      const jobId = actionJobId(actionName, data);
      try {
        await withTimeout(
          queue.add(actionName, data, { ...DEFAULT_ACTION_JOB_OPTIONS, jobId }),
          timeoutMs,
        );
      } catch (error) {
        await redis.del(deliveryKey).catch(() => 0);
        throw unavailable(error);
      }
      return { status: 'queued', jobId };
    },
    async ping() {
      try {
        await redis.ping();
      } catch (error) {
        throw unavailable(error);
      }
    },
    async waitUntilReady() {
      if (redis.status === 'ready') return;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(unavailable(new Error('timed out connecting'))),
          10_000,
        );
        redis.once('ready', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    async close() {
      await queue.close().catch(() => {});
      redis.disconnect();
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
