import type { Redis } from 'ioredis';
import { StoredGateJobDataSchema, gateJobId, type GateJobData } from './gate-job.ts';

/**
 * The intake: how a webhook delivery becomes durable before the server answers 202.
 *
 * A gate job in BullMQ costs the server about 120 µs of CPU and Redis about 70 µs (its add
 * script writes the job hash, the wait list, the events stream and the marker), per job,
 * batched or not. That is more than the rest of the delivery (HMAC, JSON.parse, HTTP) put
 * together. So the server does the cheap part: for all deliveries that arrived in one
 * event-loop turn, one script call dedupes each on its delivery id, records the PR's latest
 * head and appends an entry to the intake stream. Workers move entries into BullMQ
 * (`intake-mover.ts`) through a consumer group: an entry leaves the stream only after its
 * gate job exists, and entries of a worker that died are claimed by another.
 */

/** The intake stream of a queue. */
export function intakeStreamKey(prefix: string, name: string): string {
  return `${prefix}:${name}:intake`;
}

/** How many times a mover found the intake's consumer group gone and recreated it. */
export function intakeGroupsRecreatedKey(prefix: string, name: string): string {
  return `${prefix}:${name}:intake:groups-recreated`;
}

export function deliveryKey(prefix: string, deliveryId: string): string {
  return `${prefix}:delivery:${deliveryId}`;
}

/** One delivery in the intake stream, as the mover reads it back. */
export interface IntakeEntry {
  /** Stream entry id. */
  id: string;
  data: GateJobData;
  jobId: string;
  /** A re-run was asked for: a finished job with this id is removed before the add. */
  rerun: boolean;
  /** The PR's previous latest job id, when another head SHA came before this one. */
  previous?: string;
}

/**
 * Per delivery i (n in all): KEYS[i] its delivery key, KEYS[n + i] its PR's latest key;
 * KEYS[2n + 1] the intake stream. ARGV: delivery TTL, latest TTL, then per delivery
 * (job id, job JSON, '1' for a re-run or ''). Returns per delivery 0 when it was seen
 * before, else the PR's previous latest job id ('' for none).
 *
 * The delivery key is set only after the stream entry is written, so a failed append never
 * leaves a delivery marked as seen (GitHub's redelivery must not be dropped as a duplicate).
 * An entry holds the job and, only when they apply, the re-run flag and the previous job.
 */
const INTAKE_SCRIPT = `
local n = (#KEYS - 1) / 2
local stream = KEYS[#KEYS]
local out = {}
for i = 1, n do
  local base = 2 + (i - 1) * 3
  if redis.call('EXISTS', KEYS[i]) == 1 then
    out[i] = 0
  else
    local jobId = ARGV[base + 1]
    local previous = redis.call('SET', KEYS[n + i], jobId, 'EX', ARGV[2], 'GET')
    if previous == jobId then previous = false end
    local fields = {'job', ARGV[base + 2]}
    if ARGV[base + 3] == '1' then table.insert(fields, 'rerun'); table.insert(fields, '1') end
    if previous then table.insert(fields, 'previous'); table.insert(fields, previous) end
    redis.call('XADD', stream, '*', unpack(fields))
    redis.call('SET', KEYS[i], '1', 'EX', ARGV[1])
    out[i] = previous or ''
  end
end
return out
`;

interface IntakeCommand {
  testgateIntake(numberOfKeys: number, ...args: (string | number)[]): Promise<unknown[]>;
}

export type IntakeResult = { status: 'duplicate' } | { status: 'queued'; previous?: string };

interface Pending {
  deliveryId: string;
  data: GateJobData;
  jobId: string;
  latestKey: string;
  rerun: boolean;
  resolve(result: IntakeResult): void;
  reject(error: unknown): void;
}

interface DeliveryIntake {
  /**
   * Appends one delivery; resolves once it is stored (with every delivery of the same
   * event-loop turn, in one script call) or rejects when Redis did not store it.
   */
  submit(request: {
    deliveryId: string;
    data: GateJobData;
    jobId: string;
    latestKey: string;
    rerun: boolean;
  }): Promise<IntakeResult>;
}

/** Bounds one script call, so one busy turn cannot build an unbounded Redis command. */
const MAX_BATCH = 256;

export function createDeliveryIntake(options: {
  redis: Redis;
  prefix: string;
  name: string;
  deliveryTtlSeconds: number;
  latestTtlSeconds: number;
}): DeliveryIntake {
  const { redis, prefix, name } = options;
  redis.defineCommand('testgateIntake', { lua: INTAKE_SCRIPT });
  const intake = (redis as unknown as IntakeCommand).testgateIntake.bind(redis);
  const stream = intakeStreamKey(prefix, name);
  let pending: Pending[] = [];

  async function flush(batch: Pending[]): Promise<void> {
    const keys: string[] = [];
    for (const p of batch) keys.push(deliveryKey(prefix, p.deliveryId));
    for (const p of batch) keys.push(p.latestKey);
    keys.push(stream);
    const args: (string | number)[] = [options.deliveryTtlSeconds, options.latestTtlSeconds];
    for (const p of batch) args.push(p.jobId, JSON.stringify(p.data), p.rerun ? '1' : '');
    let results: unknown[];
    try {
      results = await intake(keys.length, ...keys, ...args);
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    batch.forEach((p, i) => {
      const previous = results[i];
      if (typeof previous !== 'string') p.resolve({ status: 'duplicate' });
      else p.resolve(previous === '' ? { status: 'queued' } : { status: 'queued', previous });
    });
  }

  function flushPending(): void {
    const batch = pending;
    pending = [];
    for (let start = 0; start < batch.length; start += MAX_BATCH) {
      void flush(batch.slice(start, start + MAX_BATCH));
    }
  }

  return {
    submit(request) {
      return new Promise<IntakeResult>((resolve, reject) => {
        // Group commit: the first delivery of a turn schedules the write after the I/O
        // phase, so every request parsed in this turn rides the same script call.
        if (pending.length === 0) setImmediate(flushPending);
        pending.push({ ...request, resolve, reject });
      });
    },
  };
}

/** Reads entries back as XREADGROUP / XAUTOCLAIM return them; malformed ones have no `data`. */
export function decodeIntakeEntry(
  id: string,
  fields: string[],
): IntakeEntry | { id: string; invalid: string } {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2)
    map.set(fields[i] as string, fields[i + 1] as string);
  let raw: unknown;
  try {
    raw = JSON.parse(map.get('job') ?? '');
  } catch {
    return { id, invalid: 'the job field is not JSON' };
  }
  // An entry the server wrote before `host` existed is moved in the current shape.
  const parsed = StoredGateJobDataSchema.safeParse(raw);
  if (!parsed.success) return { id, invalid: parsed.error.message };
  const previous = map.get('previous');
  return {
    id,
    data: parsed.data,
    jobId: gateJobId(parsed.data),
    rerun: map.get('rerun') === '1',
    ...(previous ? { previous } : {}),
  };
}
