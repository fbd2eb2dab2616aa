import type { Suggestion } from '@testgate/core';
import { createRedisConnection, logErrors, type QueueLogger } from '@testgate/queue';
import { z } from 'zod';

/**
 * What "Add tests" commits, kept in Redis by check run between the gate job that judged
 * the tests and the click (which may come days later, on another worker). Stored rather
 * than re-derived from the check run's text: the text is truncated at 65,535 bytes and
 * is Markdown meant for people.
 */
export interface StoredSuggestions {
  owner: string;
  repo: string;
  pullNumber: number;
  /** The head SHA the suggestions were judged on: the only commit they may land on. */
  headSha: string;
  suggestions: Suggestion[];
  createdAt: string;
}

const SuggestionSchema = z.object({
  path: z.string().min(1),
  content: z.string(),
  targets: z.array(z.string()),
  generator: z.string(),
  tests: z.array(z.string()),
  covers: z.record(z.string(), z.array(z.number())),
});
const StoredSuggestionsSchema = z.object({
  owner: z.string(),
  repo: z.string(),
  pullNumber: z.number(),
  headSha: z.string(),
  suggestions: z.array(SuggestionSchema),
  createdAt: z.string(),
});

export type ClaimResult =
  | { status: 'claimed' }
  /** Another click already committed (`commitSha`) or is committing right now. */
  | { status: 'taken'; commitSha?: string };

export interface SuggestionStore {
  save(checkRunId: number, record: StoredSuggestions): Promise<void>;
  load(owner: string, repo: string, checkRunId: number): Promise<StoredSuggestions | undefined>;
  /** The idempotency key of one check run's "Add tests": SET NX, so two clicks commit once. */
  claim(owner: string, repo: string, checkRunId: number, token: string): Promise<ClaimResult>;
  /** Marks the click done with the commit it made (kept for `doneTtlSeconds`). */
  finish(owner: string, repo: string, checkRunId: number, commitSha: string): Promise<void>;
  /** Gives the claim back when nothing was committed (expired, head moved), if still ours. */
  release(owner: string, repo: string, checkRunId: number, token: string): Promise<void>;
  close(): Promise<void>;
}

interface SuggestionStoreOptions {
  redisUrl: string;
  /** Where Redis errors are logged (non-fatal: the connection reconnects). @defaultValue stderr */
  logger?: QueueLogger;
  /** @defaultValue 'testgate' */
  prefix?: string;
  /**
   * How long suggestions stay clickable. A check run older than this answers "expired,
   * re-run". @defaultValue 604800 (7 days)
   */
  ttlSeconds?: number;
  /** How long a click in progress holds the claim before another may try. @defaultValue 600 */
  claimTtlSeconds?: number;
  /** @defaultValue 2592000 (30 days) */
  doneTtlSeconds?: number;
}

/** Deletes the claim only if it still holds our token (a slow job must not free a newer claim). */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export function createSuggestionStore(options: SuggestionStoreOptions): SuggestionStore {
  const prefix = options.prefix ?? 'testgate';
  const ttl = options.ttlSeconds ?? 7 * 24 * 3600;
  const claimTtl = options.claimTtlSeconds ?? 600;
  const doneTtl = options.doneTtlSeconds ?? 30 * 24 * 3600;
  const redis: ReturnType<typeof createRedisConnection> = createRedisConnection({
    url: options.redisUrl,
    role: 'worker',
  });
  logErrors(redis, 'suggestion store connection', options.logger);
  const dataKey = (owner: string, repo: string, id: number) =>
    `${prefix}:suggestions:${owner}/${repo}/${id}`;
  const claimKey = (owner: string, repo: string, id: number) =>
    `${prefix}:add-tests:${owner}/${repo}/${id}`;
  return {
    async save(checkRunId, record) {
      await redis.set(
        dataKey(record.owner, record.repo, checkRunId),
        JSON.stringify(record),
        'EX',
        ttl,
      );
    },
    async load(owner, repo, checkRunId) {
      const raw = await redis.get(dataKey(owner, repo, checkRunId));
      if (raw === null) return undefined;
      const parsed = StoredSuggestionsSchema.safeParse(JSON.parse(raw));
      // A record from an incompatible version counts as expired: the user re-runs.
      return parsed.success ? parsed.data : undefined;
    },
    async claim(owner, repo, checkRunId, token) {
      const key = claimKey(owner, repo, checkRunId);
      if ((await redis.set(key, `pending:${token}`, 'EX', claimTtl, 'NX')) === 'OK')
        return { status: 'claimed' };
      const value = (await redis.get(key)) ?? '';
      return value.startsWith('done:')
        ? { status: 'taken', commitSha: value.slice(5) }
        : { status: 'taken' };
    },
    async finish(owner, repo, checkRunId, commitSha) {
      await redis.set(claimKey(owner, repo, checkRunId), `done:${commitSha}`, 'EX', doneTtl);
    },
    async release(owner, repo, checkRunId, token) {
      await redis.eval(RELEASE_SCRIPT, 1, claimKey(owner, repo, checkRunId), `pending:${token}`);
    },
    async close() {
      redis.disconnect();
    },
  };
}
