import { Redis } from 'ioredis';

/**
 * Who holds the connection decides how it behaves when Redis goes away:
 * - `producer` (the webhook server) must fail fast so it can answer 503 instead of a
 *   2xx for work it did not store: no offline queue, a short command timeout, one retry.
 * - `intake` (the webhook server's delivery writes) fails fast like `producer`, but without
 *   auto-pipelining: the intake batches deliveries itself, one script call per event-loop
 *   turn, and ioredis would wrap each of those calls in a pipeline object of its own.
 * - `worker` and `subscriber` block on Redis for long periods, and BullMQ requires
 *   `maxRetriesPerRequest: null` for them so blocking commands survive reconnects.
 */
type RedisRole = 'producer' | 'intake' | 'worker' | 'subscriber';

interface RedisConnectionOptions {
  /** e.g. `redis://127.0.0.1:6379`. */
  url: string;
  role: RedisRole;
  /**
   * Per-command timeout for producers. A Redis that is down fails at once (no offline
   * queue); this only bounds a Redis that is up but slow, so it is generous enough for a
   * loaded host yet keeps the whole enqueue under GitHub's 10 s delivery timeout.
   * @defaultValue 3000
   */
  commandTimeoutMs?: number;
}

/** The only place in Testgate that opens a Redis connection. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 3000;

export function createRedisConnection(options: RedisConnectionOptions): Redis {
  const { url, role } = options;
  if (role === 'producer' || role === 'intake') {
    return new Redis(url, {
      enableOfflineQueue: false,
      commandTimeout: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      // Concurrent commands share one write per event-loop tick. Not for `intake`: it
      // already sends one command per tick.
      enableAutoPipelining: role === 'producer',
      // Keep reconnecting in the background (capped), so the server recovers by itself
      // when Redis comes back; requests in between get 503.
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
  }
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
}

/**
 * What this Redis would lose, in sentences for a start-up warning: no persistence (a
 * restart forgets stored deliveries and queued jobs), snapshots only (a crash loses the
 * writes since the last one), or an eviction policy other than `noeviction` (BullMQ's keys
 * can be evicted under memory pressure). Empty when it is set up for production, or when
 * CONFIG is not available (managed Redis): then nothing is known and nothing is said.
 */
export async function redisDurabilityWarnings(url: string): Promise<string[]> {
  const redis = createRedisConnection({ url, role: 'producer' });
  redis.on('error', () => {});
  try {
    // A producer connection has no offline queue: wait until it is connected.
    if (redis.status !== 'ready') {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('Redis did not answer')), 2000);
        redis.once('ready', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const read = async (key: string): Promise<string | undefined> => {
      const reply = (await redis.config('GET', key)) as string[];
      return reply[1];
    };
    const appendonly = await read('appendonly');
    const save = await read('save');
    const policy = await read('maxmemory-policy');
    const warnings: string[] = [];
    if (appendonly !== 'yes' && (save === undefined || save.trim() === '')) {
      warnings.push(
        'Redis keeps nothing across a restart (appendonly no, save ""): deliveries not yet judged and queued jobs are lost; set appendonly yes',
      );
    } else if (appendonly !== 'yes') {
      warnings.push(
        `Redis persists snapshots only (save "${save}"): a crash loses what was written since the last one; set appendonly yes`,
      );
    }
    if (policy !== undefined && policy !== 'noeviction') {
      warnings.push(
        `Redis may evict keys under memory pressure (maxmemory-policy ${policy}): jobs can vanish; set maxmemory-policy noeviction`,
      );
    }
    return warnings;
  } catch {
    return [];
  } finally {
    redis.disconnect();
  }
}

/** Where the queue's connections report their errors (pino's `logger.warn` fits). */
export interface QueueLogger {
  warn(meta: Record<string, unknown>, message: string): void;
}

/** Without a logger, errors still reach stderr. */
const stderrLogger: QueueLogger = {
  warn: (meta, message) => console.warn(`testgate queue: ${message}`, meta['err']),
};

/**
 * Listens for `error` on a Redis connection or a BullMQ object, so that an outage does not
 * crash the process (an EventEmitter with no listener throws), and logs it: once, then at
 * most once per `everyMs` with how many were left out, since ioredis emits one error per
 * reconnect try. Readiness and the 503s report the outage to callers; this tells the operator.
 */
export function logErrors(
  source: { on(event: 'error', listener: (error: Error) => void): unknown },
  what: string,
  logger: QueueLogger = stderrLogger,
  everyMs = 60_000,
): void {
  let last = -Infinity;
  let leftOut = 0;
  source.on('error', (error: Error) => {
    const now = Date.now();
    if (now - last < everyMs) {
      leftOut += 1;
      return;
    }
    last = now;
    logger.warn({ err: error, what, leftOut }, `${what}: Redis error (retrying)`);
    leftOut = 0;
  });
}
