import { UnrecoverableError, Worker, type Job, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { createRedisConnection } from './connection.ts';
import { cancelChannel } from './gate-queue.ts';
import { createIntakeMover, type IntakeMoverOptions } from './intake-mover.ts';
import {
  ActionJobDataSchema,
  CancelMessageSchema,
  isActionJobName,
  type ActionJobData,
  type ActionJobName,
  DEFAULT_PREFIX,
  GATE_QUEUE_NAME,
  GateJobDataSchema,
  type GateJobData,
} from './gate-job.ts';

/** Why a job's signal was aborted; read from `signal.reason`. */
export type GateAbortReason =
  | { kind: 'superseded'; supersededBy: string }
  | { kind: 'shutdown' }
  | { kind: 'deadline'; deadlineMs: number };

export function isGateAbortReason(value: unknown): value is GateAbortReason {
  return typeof value === 'object' && value !== null && 'kind' in value;
}

export interface GateJobContext {
  /** Aborted when the job is superseded, the worker shuts down, or the deadline passes. */
  signal: AbortSignal;
  /** BullMQ lock token, needed to move the job back to the queue. */
  token: string;
  /** Data validated against the job schema. */
  data: GateJobData;
}

export type GateProcessor<R> = (job: Job<GateJobData>, context: GateJobContext) => Promise<R>;

/** Context of a check-run button job: it can still be aborted (shutdown, deadline). */
export interface ActionJobContext {
  name: ActionJobName;
  signal: AbortSignal;
  token: string;
  /** Data validated against `ActionJobDataSchema`. */
  data: ActionJobData;
}

export type ActionProcessor<R> = (job: Job<ActionJobData>, context: ActionJobContext) => Promise<R>;

export interface GateWorkerOptions<R> {
  redisUrl: string;
  /** @defaultValue 'testgate' */
  prefix?: string;
  /** @defaultValue 'gate' */
  name?: string;
  processor: GateProcessor<R>;
  /**
   * Runs the jobs `enqueueAction` stores (their name is one of `ACTION_JOB_NAMES`). Without
   * it such a job fails at once (unrecoverable), since it carries no gate job's fields.
   */
  actionProcessor?: ActionProcessor<R>;
  /**
   * Jobs run at once by this worker. Each job drives several sandbox containers, so the
   * default keeps one per worker; raise it on big machines.
   * @defaultValue 1
   */
  concurrency?: number;
  /**
   * How long a job's lock lives without renewal. A worker that dies (SIGKILL, OOM) stops
   * renewing; after this the job counts as stalled and another worker takes it over.
   * @defaultValue 30000
   */
  lockDurationMs?: number;
  /** @defaultValue 30000 */
  stalledIntervalMs?: number;
  /** @defaultValue 2 */
  maxStalledCount?: number;
  /**
   * Upper bound of a job's run time; the processor's signal aborts with `deadline` after it.
   * @defaultValue 900000 (15 min)
   */
  deadlineMs?: number;
  /** Start taking jobs at once. @defaultValue true */
  autorun?: boolean;
  /** Overrides of the gate job options the intake mover adds jobs with (attempts, backoff). */
  jobOptions?: JobsOptions;
  /**
   * Also move webhook deliveries from the intake stream into gate jobs (see intake.ts).
   * Every worker does by default, so deliveries flow whenever any worker is up.
   * @defaultValue true
   */
  moveIntake?: boolean;
  /** Told when the intake mover drops an entry or a round fails. */
  onIntakeProblem?: IntakeMoverOptions['onProblem'];
  /**
   * Asked before a running job is stopped as superseded (by a delivery for another head
   * SHA of its pull request): true when the job's head really is no longer the current
   * one. Without it every supersede stops the run. An error counts as yes.
   */
  confirmSupersede?: (data: GateJobData, supersededBy: string) => Promise<boolean>;
  /** Told when `confirmSupersede` kept a run going (the delivery that asked was stale). */
  onSupersedeRefused?: (jobId: string, supersededBy: string) => void;
}

export interface GateWorker {
  readonly worker: Worker<GateJobData>;
  /**
   * Stops taking jobs and lets active ones finish within `graceMs`; after that their
   * signals abort with `shutdown` (the processor puts the job back in the queue).
   */
  close(options?: { graceMs?: number }): Promise<void>;
  /** Resolves when the cancel subscription and the intake consumer group are live. */
  waitUntilReady(): Promise<void>;
}

/**
 * Consumer side of the gate queue: a BullMQ worker, the "stop, you are stale" channel, and
 * the mover that turns webhook deliveries into gate jobs.
 */
export function createGateWorker<R>(options: GateWorkerOptions<R>): GateWorker {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const name = options.name ?? GATE_QUEUE_NAME;
  const deadlineMs = options.deadlineMs ?? 15 * 60_000;
  const connection = createRedisConnection({ url: options.redisUrl, role: 'worker' });
  const subscriber: Redis = createRedisConnection({ url: options.redisUrl, role: 'subscriber' });
  for (const c of [connection, subscriber]) c.on('error', () => {});
  const mover =
    options.moveIntake === false
      ? undefined
      : createIntakeMover({
          redisUrl: options.redisUrl,
          prefix,
          name,
          ...(options.jobOptions === undefined ? {} : { jobOptions: options.jobOptions }),
          ...(options.onIntakeProblem === undefined ? {} : { onProblem: options.onIntakeProblem }),
        });

  /** Jobs this process is running now, for the supersede check. */
  const running = new Map<string, GateJobData>();
  const worker = new Worker<GateJobData>(
    name,
    // Three parameters: BullMQ only creates an abort signal for processors that take one.
    async (job, token, signal) => {
      const action = isActionJobName(job.name) ? job.name : undefined;
      const schema = action === undefined ? GateJobDataSchema : ActionJobDataSchema;
      const parsed = schema.safeParse(job.data);
      if (!parsed.success)
        throw new UnrecoverableError(`${job.name} job data is invalid: ${parsed.error.message}`);
      const deadline = new AbortController();
      const timer = setTimeout(
        () => deadline.abort({ kind: 'deadline', deadlineMs } satisfies GateAbortReason),
        deadlineMs,
      );
      const signals = [deadline.signal, ...(signal === undefined ? [] : [signal])];
      try {
        if (action !== undefined) {
          if (options.actionProcessor === undefined)
            throw new UnrecoverableError(`no processor for ${action} jobs in this worker`);
          return await options.actionProcessor(job as unknown as Job<ActionJobData>, {
            name: action,
            signal: AbortSignal.any(signals),
            token: token ?? '',
            data: parsed.data as ActionJobData,
          });
        }
        const data = parsed.data as GateJobData;
        if (job.id !== undefined) running.set(job.id, data);
        try {
          return await options.processor(job, {
            signal: AbortSignal.any(signals),
            token: token ?? '',
            data,
          });
        } finally {
          if (job.id !== undefined) running.delete(job.id);
        }
      } finally {
        clearTimeout(timer);
      }
    },
    {
      connection,
      prefix,
      concurrency: options.concurrency ?? 1,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      maxStalledCount: options.maxStalledCount ?? 2,
      autorun: options.autorun ?? true,
    },
  );
  worker.on('error', () => {});

  const subscribed = subscriber.subscribe(cancelChannel(prefix, name));
  subscriber.on('message', (_channel: string, raw: string) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return;
    }
    const message = CancelMessageSchema.safeParse(parsed);
    if (!message.success) return;
    const { jobId, supersededBy } = message.data;
    const data = running.get(jobId);
    if (data === undefined) return; // not running here
    const cancel = () =>
      worker.cancelJob(jobId, {
        kind: 'superseded',
        supersededBy,
      } satisfies GateAbortReason as unknown as string);
    if (options.confirmSupersede === undefined) {
      cancel();
      return;
    }
    // Deliveries can arrive out of order: only stop a run that is really no longer current.
    options.confirmSupersede(data, supersededBy).then(
      (confirmed) => {
        if (confirmed) cancel();
        else options.onSupersedeRefused?.(jobId, supersededBy);
      },
      () => cancel(),
    );
  });

  return {
    worker,
    async waitUntilReady() {
      await subscribed;
      await worker.waitUntilReady();
      await mover?.waitUntilReady();
    },
    async close(closeOptions = {}) {
      const graceMs = closeOptions.graceMs ?? 30_000;
      const timer = setTimeout(() => {
        worker.cancelAllJobs({ kind: 'shutdown' } satisfies GateAbortReason as unknown as string);
      }, graceMs);
      try {
        // The mover keeps moving deliveries while active jobs drain: other workers can take
        // them from BullMQ at once instead of waiting for the intake to be claimed.
        await worker.close();
      } finally {
        await mover?.close();
        clearTimeout(timer);
        subscriber.disconnect();
        connection.disconnect();
      }
    },
  };
}
