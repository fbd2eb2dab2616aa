/** Starts the whole GitHub App against the fake GitHub: server (listening), worker, unique Redis prefix. */
import type { GateReport, TestResult } from '@testgate/core';
import type { RunGateOptions } from '@testgate/pipeline';
import { createGateQueue, type GateQueue } from '@testgate/queue';
import { buildServer, createAddTestsIntake } from '@testgate/server';
import { listTree, type SandboxRunner } from '@testgate/sandbox';
import { startWorker, type RunningWorker, type WorkerOverrides } from '@testgate/worker';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { appPrivateKey, uniquePrefix } from './github-fixtures.ts';
import type { FakeGitHub } from './github-server.ts';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const WEBHOOK_SECRET = 'e2e-webhook-secret';

export interface AppUnderTest {
  url: string;
  prefix: string;
  queue: GateQueue;
  worker: RunningWorker | undefined;
  /** Everything the worker logged, for assertions about retries. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startAppUnderTest(options: {
  github: FakeGitHub;
  worker?: boolean;
  overrides?: WorkerOverrides;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  maxStalledCount?: number;
  prefix?: string;
}): Promise<AppUnderTest> {
  const prefix = options.prefix ?? uniquePrefix('app');
  const logs: Record<string, unknown>[] = [];
  const logger = pino(
    { level: process.env.TESTGATE_TEST_LOG ?? 'debug' },
    {
      write(line: string) {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (process.env.TESTGATE_TEST_LOG) process.stderr.write(line);
      },
    },
  );
  const queue = createGateQueue({ redisUrl: REDIS_URL, prefix });
  await queue.waitUntilReady();
  const app = buildServer({
    appId: String(options.github.appId),
    webhookSecret: WEBHOOK_SECRET,
    queue,
    addTests: createAddTestsIntake(queue),
    logger,
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  let worker: RunningWorker | undefined;
  if (options.worker ?? true) {
    worker = await startWorker(
      {
        appId: String(options.github.appId),
        privateKey: appPrivateKey(),
        githubApiUrl: options.github.url,
        redisUrl: REDIS_URL,
        redisPrefix: prefix,
        ...(options.lockDurationMs === undefined ? {} : { lockDurationMs: options.lockDurationMs }),
        ...(options.maxStalledCount === undefined
          ? {}
          : { maxStalledCount: options.maxStalledCount }),
        ...(options.stalledIntervalMs === undefined
          ? {}
          : { stalledIntervalMs: options.stalledIntervalMs }),
      },
      {
        logger,
        retryBaseMs: 50,
        jobOptions: { backoff: { type: 'exponential', delay: 200, jitter: 0.5 } },
        ...options.overrides,
      },
    );
  }
  return {
    url,
    prefix,
    queue,
    worker,
    logs,
    async close() {
      await worker?.close({ graceMs: 2000 });
      await app.close();
      await queue.queue.obliterate({ force: true }).catch(() => {});
      await queue.close();
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    },
  };
}

/** A runner that must never be called (the plumbing tests fake runGate). */
export const unusedRunner: SandboxRunner = {
  async run() {
    throw new Error('the sandbox runner must not be called in this test');
  },
};

function rejectedTest(index: number): TestResult {
  return {
    nodeid: `tests/test_parse_ai.py::test_case_${index}`,
    file: 'tests/test_parse_ai.py',
    function: `test_case_${index}`,
    line: 3 + index,
    origin: 'pr',
    status: 'rejected',
    reasons: ['no-assert'],
    details: [
      { reason: 'no-assert', message: 'The test asserts nothing: add an assert on the result.' },
    ],
    findings: [],
    runs: ['passed'],
    durationMs: 5,
    coverage: {
      changedLines: {},
      changedLinesCovered: 0,
      changedLinesTotal: 4,
      changedBranchesCovered: 0,
      linesCovered: 0,
      branchesCovered: 0,
      errorPathLines: {},
    },
  };
}

/** A failing GateReport with `rejected` rejected PR tests (one annotation each). */
export function fakeReport(rejected: number): GateReport {
  const tests = Array.from({ length: rejected }, (_, i) => rejectedTest(i));
  return {
    verdict: rejected > 0 ? 'fail' : 'pass',
    title: rejected > 0 ? `${rejected} of ${rejected} tests rejected` : 'All tests accepted',
    counts: { accepted: 0, rejected, byReason: rejected > 0 ? { 'no-assert': rejected } : {} },
    tests,
    files: [],
    findings: [],
    existingFindings: [],
    changedLines: { 'calc/parse.py': [1, 2, 3, 4] },
    project: { layout: 'flat', importable: true },
    suggestions: [],
    tools: { python: '3.11' },
    durationMs: 10,
  };
}

/** A runGate stand-in: returns `report`, after `hold(options)` resolves if given. */
export function fakeRunGate(
  report: GateReport,
  hold?: (options: RunGateOptions) => Promise<void>,
): WorkerOverrides['runGate'] & { calls: RunGateOptions[]; headFiles: string[][] } {
  const calls: RunGateOptions[] = [];
  /** The head tree's paths as each call saw them (a worker removes its trees after the job). */
  const headFiles: string[][] = [];
  const fn = async (options: RunGateOptions) => {
    calls.push(options);
    headFiles.push((await listTree(options.head)).entries.map((entry) => entry.path));
    // An abort that came while the tree was listed (a test that stops the worker as soon as
    // the call is recorded) would never reach a listener `hold` adds now.
    options.signal?.throwIfAborted();
    if (hold) await hold(options);
    options.signal?.throwIfAborted();
    return report;
  };
  return Object.assign(fn, { calls, headFiles });
}

export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  options: { timeoutMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${options.what ?? 'condition'}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
