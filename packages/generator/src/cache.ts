import { completionResultSchema, type CompletionResult } from './provider.ts';

/** The subset of an ioredis client the cache needs (`packages/queue` opens the connection). */
interface RedisLike {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: 'PX', milliseconds: number): Promise<unknown>;
}

export interface CompletionCache {
  get(hash: string): Promise<CompletionResult | undefined>;
  set(hash: string, result: CompletionResult, ttlHours: number): Promise<void>;
}

interface RedisCompletionCacheOptions {
  client: RedisLike;
  /** @defaultValue `testgate:completion:` */
  prefix?: string;
  /** A broken cache must not break generation: errors are reported here and read as a miss. */
  onError?: (error: unknown) => void;
}

/** Completions in Redis under `<prefix><sha256 of the request>`, expiring after the TTL. */
export function createRedisCompletionCache(options: RedisCompletionCacheOptions): CompletionCache {
  const prefix = options.prefix ?? 'testgate:completion:';
  return {
    async get(hash) {
      try {
        const raw = await options.client.get(prefix + hash);
        if (raw === null) return undefined;
        const parsed = completionResultSchema.safeParse(JSON.parse(raw));
        return parsed.success ? parsed.data : undefined;
      } catch (error) {
        options.onError?.(error);
        return undefined;
      }
    },
    async set(hash, result, ttlHours) {
      try {
        await options.client.set(
          prefix + hash,
          JSON.stringify(result),
          'PX',
          Math.round(ttlHours * 3_600_000),
        );
      } catch (error) {
        options.onError?.(error);
      }
    },
  };
}

/** For the CLI without Redis and for unit tests. */
export function createMemoryCompletionCache(now: () => number = Date.now): CompletionCache {
  const entries = new Map<string, { value: CompletionResult; expiresAt: number }>();
  return {
    async get(hash) {
      const entry = entries.get(hash);
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        entries.delete(hash);
        return undefined;
      }
      return entry.value;
    },
    async set(hash, result, ttlHours) {
      entries.set(hash, { value: result, expiresAt: now() + ttlHours * 3_600_000 });
    },
  };
}
