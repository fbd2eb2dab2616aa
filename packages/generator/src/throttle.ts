import { GeneratorError } from './errors.ts';

export interface Throttle {
  /** Resolves when a request of `key` (installation id or `local`) may be sent. */
  wait(key: string, signal?: AbortSignal): Promise<void>;
}

interface ThrottleOptions {
  /** Minimum gap between two requests of one key. @defaultValue 300 */
  intervalMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * One request per `intervalMs` per key, first come first served. The slots are kept in
 * this process: one worker process serves an installation's job at a time, and BullMQ's
 * own rate limiter is the tool for limits across workers.
 */
export function createThrottle(options: ThrottleOptions = {}): Throttle {
  const intervalMs = options.intervalMs ?? 300;
  const now = options.now ?? Date.now;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const nextSlot = new Map<string, number>();
  return {
    async wait(key, signal) {
      if (signal?.aborted) throw new GeneratorError('ABORTED', 'Test generation was cancelled.');
      const t = now();
      const slot = Math.max(t, nextSlot.get(key) ?? 0);
      nextSlot.set(key, slot + intervalMs);
      if (slot > t) await sleep(slot - t);
      if (signal?.aborted) throw new GeneratorError('ABORTED', 'Test generation was cancelled.');
    },
  };
}
