import { Job, Queue, QueueEvents, UnrecoverableError, Worker, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { createRedisConnection, logErrors, type QueueLogger } from './connection.ts';
import { cancelChannel } from './gate-queue.ts';
import { createIntakeMover, type IntakeMoverOptions } from './intake-mover.ts';
import { RunLedger, type GateCounter, type TrackedRun } from './run-ledger.ts';
import {
  StoredActionJobDataSchema,
  CancelMessageSchema,
  isActionJobName,
  type ActionJobData,
  type ActionJobName,
  DEFAULT_PREFIX,
  GATE_QUEUE_NAME,
  StoredGateJobDataSchema,
  type GateJobData,
} from './gate-job.ts';

/** Why a job's signal was aborted; read from `signal.reason`. */
type GateAbortReason =
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
  /**
   * Records that this job's check run is open: if the job dies with it open (its worker
   * killed, the stall limit reached), another worker finishes it (`onRunAbandoned`).
   */
  trackRun(checkRunId: number): Promise<void>;
  /** The check run reached its final state (or is left for a retry of this same job). */
  untrackRun(): Promise<void>;
  /** Counts an event for /metrics. */
  count(counter: GateCounter): Promise<void>;
  /** This job's verdict stored for publishing (a retry publishes it instead of judging again). */
  savePublish(payload: unknown): Promise<void>;
  loadPublish(): Promise<unknown>;
  clearPublish(): Promise<void>;
}

/**
 * A gate job that ended without settling its check run, or failed for good before it
 * opened one. `exhausted`: it stalled more often than allowed, i.e. it killed every worker
 * that took it (out of memory, say): the pull request's code did that.
 */
export interface AbandonedRun {
  jobId: string;
  data: GateJobData;
  /** Set when the ledger knew the run; else look it up by the job id (external_id). */
  checkRunId?: number;
  reason: string;
  exhausted: boolean;
  /** The verdict the job computed and could not publish, when it got that far. */
  pendingPublish?: unknown;
}

type GateProcessor<R> = (job: Job<GateJobData>, context: GateJobContext) => Promise<R>;

/** Context of a check-run button job: it can still be aborted (shutdown, deadline). */
interface ActionJobContext {
  name: ActionJobName;
  signal: AbortSignal;
  token: string;
  /** Data validated against `ActionJobDataSchema`. */
  data: ActionJobData;
}

type ActionProcessor<R> = (job: Job<ActionJobData>, context: ActionJobContext) => Promise<R>;

interface GateWorkerOptions<R> {
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
  /** Where Redis errors are logged (non-fatal: connections reconnect). @defaultValue stderr */
  logger?: QueueLogger;
  /**
   * Asked before a running job is stopped as superseded (by a delivery for another head
   * SHA of its pull request): true when the job's head really is no longer the current
   * one. Without it every supersede stops the run. An error counts as yes.
   */
  confirmSupersede?: (data: GateJobData, supersededBy: string) => Promise<boolean>;
  /** Told when `confirmSupersede` kept a run going (the delivery that asked was stale). */
  onSupersedeRefused?: (jobId: string, supersededBy: string) => void;
  /**
   * Finishes a check run its job left open, or opens and finishes one for a job that
   * failed before it had one. Called by every worker for gate jobs that failed for good
   * (BullMQ's `failed` event, the stall limit included) and by a sweeper for runs past
   * their deadline whose job is gone; it must be idempotent.
   */
  onRunAbandoned?: (run: AbandonedRun) => Promise<void>;
  /** How often the sweeper looks for runs past their deadline. @defaultValue 60000 */
  sweepIntervalMs?: number;
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
  /** Finishes abandoned runs now (the sweeper's round; tests call it). */
  sweep(): Promise<number>;
}

/** BullMQ's reason for a job that stalled more often than maxStalledCount allows. */
const STALLED_REASON = /stalled more than/i;
/** A run is only swept this long past its job's deadline, so a slow finish is never raced. */
const SWEEP_GRACE_MS = 60_000;

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
  const logger = options.logger;
  logErrors(connection, 'gate worker connection', logger);
  logErrors(subscriber, 'gate worker cancel channel', logger);
  const mover =
    options.moveIntake === false
      ? undefined
      : createIntakeMover({
          redisUrl: options.redisUrl,
          prefix,
          name,
          ...(options.jobOptions === undefined ? {} : { jobOptions: options.jobOptions }),
          ...(options.onIntakeProblem === undefined ? {} : { onProblem: options.onIntakeProblem }),
          ...(logger === undefined ? {} : { logger }),
        });

  const ledger = new RunLedger(connection, prefix, name);
  // For Job.fromId in the completion paths; shares the worker's connection (no blocking calls).
  const queue = new Queue(name, { connection, prefix });
  logErrors(queue, 'gate worker queue', logger);

  /** Jobs this process is running now, for the supersede check. */
  const running = new Map<string, GateJobData>();
  const worker = new Worker<GateJobData>(
    name,
    // Three parameters: BullMQ only creates an abort signal for processors that take one.
    async (job, token, signal) => {
      const action = isActionJobName(job.name) ? job.name : undefined;
      const schema = action === undefined ? StoredGateJobDataSchema : StoredActionJobDataSchema;
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
        const jobId = job.id ?? '';
        if (job.id !== undefined) running.set(job.id, data);
        try {
          return await options.processor(job, {
            signal: AbortSignal.any(signals),
            token: token ?? '',
            data,
            trackRun: (checkRunId) => {
              const now = Date.now();
              return ledger.track({
                jobId,
                checkRunId,
                data,
                startedAt: now,
                dueAt: now + deadlineMs,
              });
            },
            untrackRun: () => ledger.untrack(jobId),
            count: (counter) => ledger.count(counter),
            savePublish: (payload) => ledger.savePublish(jobId, payload),
            loadPublish: () => ledger.loadPublish(jobId),
            clearPublish: () => ledger.clearPublish(jobId),
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
  logErrors(worker, 'gate worker', logger);

  async function abandon(jobId: string, known?: TrackedRun): Promise<boolean> {
    if (options.onRunAbandoned === undefined) return false;
    const job = await Job.fromId<GateJobData>(queue, jobId);
    const state = job === undefined ? 'unknown' : await job.getState();
    // Waiting, delayed or active: the job is alive (or retries), it settles its own run.
    if (job !== undefined && state !== 'failed' && state !== 'completed') return false;
    if (job !== undefined && isActionJobName(job.name)) return false;
    const data = known?.data ?? StoredGateJobDataSchema.safeParse(job?.data).data;
    if (data === undefined) return false;
    const reason = job?.failedReason || (known ? 'the job is gone' : 'the job failed');
    const pendingPublish = await ledger.loadPublish(jobId);
    await options.onRunAbandoned({
      jobId,
      data,
      ...(known === undefined ? {} : { checkRunId: known.checkRunId }),
      ...(pendingPublish === undefined ? {} : { pendingPublish }),
      reason,
      exhausted: STALLED_REASON.test(reason),
    });
    await ledger.untrack(jobId);
    await ledger.clearPublish(jobId).catch(() => {});
    await ledger.count('runs-abandoned').catch(() => {});
    return true;
  }

  // Every worker hears every final failure, wherever the job ran: the one that ran it may
  // be dead. The handler is idempotent, so several workers finishing one run is harmless.
  const eventsConnection =
    options.onRunAbandoned === undefined
      ? undefined
      : createRedisConnection({ url: options.redisUrl, role: 'subscriber' });
  if (eventsConnection !== undefined)
    logErrors(eventsConnection, 'queue events connection', logger);
  const events =
    eventsConnection === undefined
      ? undefined
      : new QueueEvents(name, { connection: eventsConnection, prefix });
  if (events !== undefined) logErrors(events, 'queue events', logger);
  events?.on('failed', ({ jobId }) => {
    void ledger
      .get(jobId)
      .then((known) => abandon(jobId, known))
      .catch(() => {});
  });

  async function sweep(): Promise<number> {
    let finished = 0;
    for (const run of await ledger.dueBefore(Date.now() - SWEEP_GRACE_MS)) {
      if (await abandon(run.jobId, run).catch(() => false)) finished += 1;
    }
    return finished;
  }
  const sweeper =
    options.onRunAbandoned === undefined
      ? undefined
      : setInterval(() => void sweep().catch(() => {}), options.sweepIntervalMs ?? 60_000);
  sweeper?.unref();

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
      await events?.waitUntilReady();
      await mover?.waitUntilReady();
    },
    sweep,
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
        if (sweeper) clearInterval(sweeper);
        await events?.close().catch(() => {});
        eventsConnection?.disconnect();
        await queue.close().catch(() => {});
        subscriber.disconnect();
        connection.disconnect();
      }
    },
  };
}
