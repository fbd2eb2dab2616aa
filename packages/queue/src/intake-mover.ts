import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { createRedisConnection, logErrors, type QueueLogger } from './connection.ts';
import {
  DEFAULT_PREFIX,
  GATE_JOB_NAME,
  GATE_QUEUE_NAME,
  type CancelMessage,
  type GateJobData,
} from './gate-job.ts';
import { DEFAULT_GATE_JOB_OPTIONS, cancelChannel } from './gate-queue.ts';
import {
  decodeIntakeEntry,
  intakeGroupsRecreatedKey,
  intakeStreamKey,
  type IntakeEntry,
} from './intake.ts';

/** Consumer group of all movers of a queue's intake stream. */
export const INTAKE_GROUP = 'movers';

export interface IntakeMoverOptions {
  redisUrl: string;
  /** @defaultValue 'testgate' */
  prefix?: string;
  /** @defaultValue 'gate' */
  name?: string;
  /** Overrides of the default gate job options (attempts, backoff, retention). */
  jobOptions?: JobsOptions;
  /** Unique per process. @defaultValue `<host>:<pid>:<random>` */
  consumer?: string;
  /**
   * An entry read by a mover that has not acknowledged it for this long is taken over by
   * another: its mover died between reading and moving.
   * @defaultValue 30000
   */
  claimIdleMs?: number;
  /**
   * A consumer (another worker process) idle this long with nothing pending is gone: its
   * name is removed from the group.
   * @defaultValue 86400000 (a day)
   */
  forgetConsumersAfterMs?: number;
  /** How long one read waits for new entries. @defaultValue 2000 */
  blockMs?: number;
  /** Entries per read. @defaultValue 200 */
  batchSize?: number;
  /**
   * Keep moving in the background until `close()`. Off: nothing moves but `moveOnce()`
   * (tests, the benchmark's drain).
   * @defaultValue true
   */
  autorun?: boolean;
  /**
   * Told about each dropped entry, each failed round and each recreated consumer group
   * (`kind: 'group-recreated'`); the mover carries on.
   */
  onProblem?: (problem: {
    message: string;
    entryId?: string;
    error?: unknown;
    kind?: 'group-recreated';
  }) => void;
  /** Where Redis errors are logged (non-fatal: connections reconnect). @defaultValue stderr */
  logger?: QueueLogger;
}

export interface IntakeMover {
  /** Resolves when the consumer group exists, i.e. nothing appended from now on is missed. */
  waitUntilReady(): Promise<void>;
  /** Moves what is in the stream now (claimed and new entries); returns how many. */
  moveOnce(): Promise<number>;
  /** Stops after the round in progress; its entries are moved or left for another mover. */
  close(): Promise<void>;
}

/**
 * Moves webhook deliveries from the intake stream into BullMQ gate jobs, at least once:
 * an entry is acknowledged and deleted only after its job was added. A second move of the
 * same entry is a no-op, because the job id (repo, PR, head SHA) is already taken.
 * Every worker runs one; they share the consumer group, so each entry goes to one of them.
 */
export function createIntakeMover(options: IntakeMoverOptions): IntakeMover {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const name = options.name ?? GATE_QUEUE_NAME;
  const stream = intakeStreamKey(prefix, name);
  const consumer = options.consumer ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  const blockMs = options.blockMs ?? 2000;
  const forgetConsumersAfterMs = options.forgetConsumersAfterMs ?? 24 * 3600 * 1000;
  const batchSize = options.batchSize ?? 200;
  const problem = options.onProblem ?? (() => {});
  // The blocking read holds its connection; adds and acknowledgements use another.
  const reader: Redis = createRedisConnection({ url: options.redisUrl, role: 'worker' });
  const commands: Redis = createRedisConnection({ url: options.redisUrl, role: 'worker' });
  logErrors(reader, 'intake reader', options.logger);
  logErrors(commands, 'intake mover', options.logger);
  const queue = new Queue(name, {
    connection: commands,
    prefix,
    defaultJobOptions: { ...DEFAULT_GATE_JOB_OPTIONS, ...options.jobOptions },
  });
  logErrors(queue, 'intake mover queue', options.logger);

  let closed = false;
  let lastClaim = 0;

  /** Creates the consumer group unless it exists; true when this call created it. */
  async function ensureGroup(): Promise<boolean> {
    try {
      // From the stream's start ('0'), so entries appended before any worker ever ran
      // (or since Redis lost the group) are moved too.
      await commands.xgroup('CREATE', stream, INTAKE_GROUP, '0', 'MKSTREAM');
      return true;
    } catch (error) {
      if (!String(error).includes('BUSYGROUP')) throw error;
      return false;
    }
  }

  /** Whether the group existed once: creating it again later means Redis lost it. */
  let groupExisted = false;
  const establish = async (): Promise<void> => {
    const created = await ensureGroup();
    if (created && groupExisted) await reportRecreated();
    groupExisted = true;
  };
  let ready: Promise<unknown> = establish();
  ready.catch(() => {});

  /**
   * Redis restarted without its data (no persistence) or the key was deleted: the group is
   * gone and every read answers NOGROUP. Recreate it, say so, and count it, so deliveries
   * the server keeps storing are moved instead of piling up in the stream.
   */
  async function recreateGroup(): Promise<void> {
    if (await ensureGroup()) await reportRecreated();
    groupExisted = true;
  }

  async function reportRecreated(): Promise<void> {
    problem({
      message:
        'the intake consumer group was missing (did Redis restart without its data?); recreated it, deliveries stored since are moved now',
      kind: 'group-recreated',
    });
    await commands.incr(intakeGroupsRecreatedKey(prefix, name)).catch(() => 0);
  }

  /**
   * Tells a worker running the previous head to stop. A waiting job is left in the queue:
   * deliveries can arrive out of order, so only GitHub knows which head is current, and the
   * job asks before it judges (a stale one is skipped in one API call).
   */
  async function supersede(previous: string, data: GateJobData): Promise<void> {
    const message: CancelMessage = {
      jobId: previous,
      reason: 'superseded',
      supersededBy: data.headSha,
    };
    await commands.publish(cancelChannel(prefix, name), JSON.stringify(message));
  }

  /** A re-run of a finished job: remove it so the add is not swallowed as a duplicate id. */
  async function removeFinished(jobId: string): Promise<void> {
    const existing = await queue.getJob(jobId);
    if (existing === undefined) return;
    const state = await existing.getState();
    if (state === 'completed' || state === 'failed') await existing.remove();
  }

  /** Adds the jobs of a batch in stream order, then acknowledges and deletes the entries. */
  async function move(raw: [string, string[]][]): Promise<number> {
    const entries: IntakeEntry[] = [];
    const done: string[] = [];
    for (const [id, fields] of raw) {
      const entry = decodeIntakeEntry(id, fields ?? []);
      if ('invalid' in entry) {
        // Written by something other than the server's intake; no retry makes it valid.
        problem({ message: `dropped an intake entry: ${entry.invalid}`, entryId: id });
        done.push(id);
      } else entries.push(entry);
    }
    // Plain entries go in one bulk add; a re-run must remove its finished job first.
    const plain = entries.filter((e) => !e.rerun);
    if (plain.length > 0) {
      await queue.addBulk(
        plain.map((e) => ({ name: GATE_JOB_NAME, data: e.data, opts: { jobId: e.jobId } })),
      );
    }
    // A re-run entry moved twice (its mover died between this and the acknowledgement)
    // may remove the finished re-run and run it once more: rare, and only costs a run.
    for (const e of entries.filter((x) => x.rerun)) {
      await removeFinished(e.jobId);
      await queue.add(GATE_JOB_NAME, e.data, { jobId: e.jobId });
    }
    for (const e of entries) {
      if (e.previous !== undefined) {
        await supersede(e.previous, e.data).catch((error: unknown) =>
          problem({ message: 'could not stop the superseded job', entryId: e.id, error }),
        );
      }
      done.push(e.id);
    }
    if (done.length > 0) {
      await commands
        .multi()
        .xack(stream, INTAKE_GROUP, ...done)
        .xdel(stream, ...done)
        .exec();
    }
    return raw.length;
  }

  /**
   * Each worker process joins the group under a name of its own; names of processes long
   * gone, with nothing pending, are removed so the group does not grow with every restart.
   */
  async function forgetGoneConsumers(): Promise<void> {
    const consumers = (await commands.xinfo('CONSUMERS', stream, INTAKE_GROUP)) as unknown[][];
    for (const fields of consumers) {
      const info = new Map<string, unknown>();
      for (let i = 0; i + 1 < fields.length; i += 2) info.set(String(fields[i]), fields[i + 1]);
      const gone = Number(info.get('idle')) > forgetConsumersAfterMs;
      if (gone && Number(info.get('pending')) === 0 && info.get('name') !== consumer) {
        await commands.xgroup('DELCONSUMER', stream, INTAKE_GROUP, String(info.get('name')));
      }
    }
  }

  async function claimStale(): Promise<number> {
    lastClaim = Date.now();
    await forgetGoneConsumers();
    let moved = 0;
    let cursor = '0-0';
    do {
      const [next, claimed] = (await commands.xautoclaim(
        stream,
        INTAKE_GROUP,
        consumer,
        claimIdleMs,
        cursor,
        'COUNT',
        batchSize,
      )) as [string, [string, string[]][]];
      cursor = next;
      moved += await move(claimed.filter(([, fields]) => fields !== null));
    } while (cursor !== '0-0' && !closed);
    return moved;
  }

  /** Blocking reads hold `reader`; a one-off read goes over `commands` so it does not queue behind one. */
  async function readNew(block: boolean): Promise<number> {
    const args: (string | number)[] = ['GROUP', INTAKE_GROUP, consumer, 'COUNT', batchSize];
    if (block) args.push('BLOCK', blockMs);
    const connection = block ? reader : commands;
    const reply = (await (
      connection as unknown as { xreadgroup(...a: (string | number)[]): Promise<unknown> }
    ).xreadgroup(...args, 'STREAMS', stream, '>')) as [string, [string, string[]][]][] | null;
    if (reply === null) return 0;
    return move(reply[0]?.[1] ?? []);
  }

  const loop = (async () => {
    await ready.catch(() => {});
    while (!closed && options.autorun !== false) {
      try {
        await ready;
        if (Date.now() - lastClaim >= claimIdleMs / 2) await claimStale();
        await readNew(true);
      } catch (error) {
        if (closed) break;
        if (String(error).includes('NOGROUP')) {
          const recreated = await recreateGroup().then(
            () => true,
            (cause: unknown) => {
              problem({ message: 'could not recreate the intake consumer group', error: cause });
              return false;
            },
          );
          if (recreated) continue;
        } else {
          problem({ message: 'intake round failed; retrying', error });
        }
        // Redis down (at start, or restarting): create the group again once it answers.
        ready = establish();
        ready.catch(() => {});
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  })();

  return {
    async waitUntilReady() {
      await ready;
    },
    async moveOnce() {
      await ready;
      try {
        return (await claimStale()) + (await readNew(false));
      } catch (error) {
        if (!String(error).includes('NOGROUP')) throw error;
        await recreateGroup();
        return (await claimStale()) + (await readNew(false));
      }
    },
    async close() {
      closed = true;
      // Unblocks the pending read; entries it had read but not moved stay pending and are
      // claimed by another mover after `claimIdleMs`.
      reader.disconnect();
      await loop;
      await queue.close().catch(() => {});
      commands.disconnect();
    },
  };
}
