/**
 * The Redis completion cache for `testgate run`: used when REDIS_URL is set and Redis
 * answers; otherwise the run goes on without it (a cache is an optimisation, never a
 * reason to fail) and says so once on stderr.
 */
import { createRedisCompletionCache } from '@testgate/generator';
import type { CompletionCache } from '@testgate/generator';
import { createRedisConnection } from '@testgate/queue';

/** How long to wait for Redis before running without the cache. */
const CONNECT_TIMEOUT_MS = 2000;

interface CliCompletionCache {
  cache: CompletionCache | undefined;
  close(): Promise<void>;
}

export async function openCompletionCache(options: {
  env: Readonly<Record<string, string | undefined>>;
  stderr: NodeJS.WritableStream;
}): Promise<CliCompletionCache> {
  const url = options.env['REDIS_URL']?.trim();
  const none: CliCompletionCache = { cache: undefined, close: async () => {} };
  if (!url) return none;
  let warned = false;
  const warn = (why: string): void => {
    if (warned) return;
    warned = true;
    options.stderr.write(
      `testgate: the completion cache is off: Redis at ${url} ${why}; model answers are not cached\n`,
    );
  };
  let redis: ReturnType<typeof createRedisConnection>;
  try {
    // `producer`: fail fast, no offline queue; a slow cache must not slow the gate.
    redis = createRedisConnection({ url, role: 'producer' });
  } catch (error) {
    warn(`cannot be used (${error instanceof Error ? error.message : String(error)})`);
    return none;
  }
  // ioredis reports connection errors as events; without a listener it prints each one.
  redis.on('error', () => {});
  const ready = await new Promise<true | string>((resolve) => {
    const timer = setTimeout(() => resolve('did not answer within 2 s'), CONNECT_TIMEOUT_MS);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve(true);
    });
    redis.once('error', (error: Error) => {
      clearTimeout(timer);
      resolve(`is not reachable (${error.message})`);
    });
  });
  if (ready !== true) {
    warn(ready);
    redis.disconnect();
    return none;
  }
  return {
    cache: createRedisCompletionCache({
      client: redis,
      prefix: `${options.env['REDIS_PREFIX']?.trim() || 'testgate'}:completion:`,
      onError: (error) =>
        warn(`failed mid-run (${error instanceof Error ? error.message : String(error)})`),
    }),
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
