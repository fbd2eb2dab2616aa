/**
 * The check runs in progress, kept in Redis beside the queue, so that something other than
 * the worker that opened a run can finish it: a worker that died (OOM, SIGKILL) cannot.
 * A run is tracked from the moment its check run exists until the processor settles it;
 * the sweeper of gate-worker.ts finishes the runs whose job is no longer alive.
 */
import type { Redis } from 'ioredis';
import { withHostRef, type GateJobData } from './gate-job.ts';

export interface TrackedRun {
  jobId: string;
  checkRunId: number;
  data: GateJobData;
  /** Epoch ms the check run was opened. */
  startedAt: number;
  /** Epoch ms by which the job should have settled it (its deadline). */
  dueAt: number;
}

/** Counters the worker keeps in Redis for /metrics (any process can read them). */
export type GateCounter = 'publish-retries' | 'stale-skipped' | 'runs-abandoned';

function runLedgerKeys(prefix: string, name: string) {
  return {
    times: `${prefix}:${name}:runs`,
    entries: `${prefix}:${name}:runs:data`,
    counters: `${prefix}:${name}:counters`,
    publish: `${prefix}:${name}:publish`,
  };
}

/** A tracked run as stored; one tracked before `host` existed gets it (gate-job.ts withHostRef). */
function readRun(raw: string): TrackedRun {
  const run = JSON.parse(raw) as TrackedRun;
  return { ...run, data: withHostRef(run.data) as GateJobData };
}

export class RunLedger {
  private readonly times: string;
  private readonly entries: string;
  private readonly counters: string;
  private readonly publish: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    name: string,
  ) {
    const keys = runLedgerKeys(prefix, name);
    this.times = keys.times;
    this.entries = keys.entries;
    this.counters = keys.counters;
    this.publish = keys.publish;
  }

  async count(counter: GateCounter): Promise<void> {
    await this.redis.hincrby(this.counters, counter, 1);
  }

  async counts(): Promise<Record<GateCounter, number>> {
    const raw = await this.redis.hgetall(this.counters);
    const n = (key: GateCounter) => Number(raw[key] ?? 0);
    return {
      'publish-retries': n('publish-retries'),
      'stale-skipped': n('stale-skipped'),
      'runs-abandoned': n('runs-abandoned'),
    };
  }

  /** A computed verdict waiting to be published: kept until GitHub took it, across restarts. */
  async savePublish(jobId: string, payload: unknown): Promise<void> {
    await this.redis.hset(this.publish, jobId, JSON.stringify(payload));
  }

  async loadPublish(jobId: string): Promise<unknown> {
    const raw = await this.redis.hget(this.publish, jobId);
    return raw === null ? undefined : (JSON.parse(raw) as unknown);
  }

  async clearPublish(jobId: string): Promise<void> {
    await this.redis.hdel(this.publish, jobId);
  }

  async track(run: TrackedRun): Promise<void> {
    await this.redis
      .multi()
      .zadd(this.times, run.dueAt, run.jobId)
      .hset(this.entries, run.jobId, JSON.stringify(run))
      .exec();
  }

  async untrack(jobId: string): Promise<void> {
    await this.redis.multi().zrem(this.times, jobId).hdel(this.entries, jobId).exec();
  }

  async get(jobId: string): Promise<TrackedRun | undefined> {
    const raw = await this.redis.hget(this.entries, jobId);
    return raw === null ? undefined : readRun(raw);
  }

  /** Runs due before `before` (epoch ms) and not settled since. */
  async dueBefore(before: number, limit = 100): Promise<TrackedRun[]> {
    const ids = await this.redis.zrangebyscore(this.times, 0, before, 'LIMIT', 0, limit);
    if (ids.length === 0) return [];
    const raws = await this.redis.hmget(this.entries, ...ids);
    return raws.flatMap((raw) => (raw === null ? [] : [readRun(raw)]));
  }

  async countDueBefore(before: number): Promise<number> {
    return this.redis.zcount(this.times, 0, before);
  }
}
