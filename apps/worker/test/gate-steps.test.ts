/**
 * The gate job's steps on their own, over an in-memory CodeHost and queue: what each step
 * decides (stale or not, draft or not, publish or judge, retry or give up) and what it
 * leaves on the host.
 */
import { rm } from 'node:fs/promises';
import {
  ConfigError,
  defaultConfig,
  HostError,
  notJudgedReport,
  type GateReport,
} from '@testgate/core';
import type { RunGateOptions } from '@testgate/pipeline';
import { COMMENT_MARKER } from '@testgate/report';
import {
  DelayedError,
  GateJobDataSchema,
  WaitingError,
  type GateJobContext,
  type GateJobData,
  type Job,
} from '@testgate/queue';
import type { SandboxRunner } from '@testgate/sandbox';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { judgeGate } from '../src/gate-judge.ts';
import { failInvalidConfig, prepareGate } from '../src/gate-prepare.ts';
import { createGateProcessor } from '../src/gate-processor.ts';
import { publishVerdict } from '../src/gate-publish.ts';
import type { GateProcessorDeps, GateRun, PendingPublish } from '../src/gate-run.ts';
import { settleFailure } from '../src/gate-settle.ts';
import { createMemoryHost, type MemoryHost } from './memory-host.ts';

const HEAD = 'b'.repeat(40);
const NEWER = 'd'.repeat(40);
const JOB_ID = `octo/calc/7/${HEAD}`;

function jobData(extra: Partial<GateJobData> = {}): GateJobData {
  return GateJobDataSchema.parse({
    host: { kind: 'github', installationId: 1 },
    owner: 'octo',
    repo: 'calc',
    pullNumber: 7,
    headSha: HEAD,
    baseSha: 'a'.repeat(40),
    headRef: 'feature',
    baseRef: 'main',
    defaultBranch: 'main',
    event: 'pull_request.synchronize',
    deliveryId: 'delivery-1',
    ...extra,
  });
}

function fakeQueue() {
  const queue = {
    delays: [] as number[],
    handedBack: 0,
    saved: [] as unknown[],
    counted: [] as string[],
    tracked: [] as number[],
    cleared: 0,
    trackRun: async (id: number) => void queue.tracked.push(id),
    untrackRun: async () => {},
    count: async (counter: string) => void queue.counted.push(counter),
    savePublish: async (payload: unknown) => void queue.saved.push(payload),
    loadPublish: async () => undefined,
    clearPublish: async () => void (queue.cleared += 1),
    delay: async (ms: number) => void queue.delays.push(ms),
    handBack: async () => void (queue.handedBack += 1),
    progress: () => {},
  };
  return queue;
}

function deps(host: MemoryHost, extra: Partial<GateProcessorDeps> = {}): GateProcessorDeps {
  return {
    openHost: () => host,
    runner: {} as SandboxRunner,
    image: 'testgate-sandbox:test',
    runGate: async (): Promise<GateReport> => {
      throw new Error('the gate must not run in this test');
    },
    reapJob: async () => {},
    logger: pino({ level: 'silent' }),
    ...extra,
  };
}

function gateRun(
  host: MemoryHost,
  options: { data?: Partial<GateJobData>; signal?: AbortSignal; attempt?: number } = {},
) {
  const queue = fakeQueue();
  const run: GateRun = {
    deps: deps(host),
    host,
    data: jobData(options.data),
    jobId: JOB_ID,
    attempt: options.attempt ?? 1,
    maxAttempts: 3,
    log: pino({ level: 'silent' }),
    signal: options.signal ?? new AbortController().signal,
    queue,
    state: { finished: false, settled: false, handedBack: false },
  };
  return { run, queue };
}

function pendingVerdict(checkRunId: number): PendingPublish {
  return {
    checkRunId,
    conclusion: 'failure',
    output: {
      title: '1 of 2 tests rejected',
      summary: 'test_boom: unsafe (os.system)',
      annotations: [
        {
          file: 'tests/test_calc.py',
          startLine: 3,
          endLine: 3,
          level: 'failure',
          title: 'unsafe',
          message: 'os.system',
        },
      ],
    },
    offerButton: true,
    comment: { body: `${COMMENT_MARKER}\nThe verdict`, suggestionsShown: 1 },
    verdict: 'fail',
    result: { outcome: 'completed', conclusion: 'failure', checkRunId, addTestsOffered: true },
    firstTriedAt: Date.now(),
    tries: 0,
  };
}

describe('prepareGate', () => {
  it('a stale delivery cancels its own open check and is superseded, without opening one', async () => {
    const host = createMemoryHost({ headSha: NEWER });
    host.checks.push({
      id: 5,
      headSha: HEAD,
      key: JOB_ID,
      completed: false,
      output: { title: 'running', summary: '' },
    });
    const { run, queue } = gateRun(host);

    const prepared = await prepareGate(run);

    expect(prepared).toEqual({ step: 'done', result: { outcome: 'superseded' } });
    expect(host.checks[0]).toMatchObject({
      completed: true,
      conclusion: 'cancelled',
      output: { title: 'Superseded by ddddddd' },
    });
    expect(host.calls).not.toContain('ensureCheck');
    expect(host.calls).not.toContain('readRepoConfig');
    expect(queue.counted).toEqual(['stale-skipped']);
  });

  it('a stale delivery leaves a check that is already completed alone', async () => {
    const host = createMemoryHost({ headSha: NEWER });
    host.checks.push({
      id: 5,
      headSha: HEAD,
      key: JOB_ID,
      completed: true,
      conclusion: 'success',
      output: { title: 'passed', summary: '' },
    });
    const { run } = gateRun(host);

    await prepareGate(run);

    expect(host.checks[0]).toMatchObject({ conclusion: 'success', output: { title: 'passed' } });
    expect(host.calls).not.toContain('completeCheck');
  });

  it('skips a draft unless the config gates drafts, and opens no check for it', async () => {
    const host = createMemoryHost();
    const { run } = gateRun(host, { data: { draft: true } });
    expect(await prepareGate(run)).toEqual({ step: 'done', result: { outcome: 'skipped-draft' } });
    expect(host.checks).toEqual([]);

    host.config = 'pullRequests:\n  drafts: true\n';
    const gated = await prepareGate(gateRun(host, { data: { draft: true } }).run);
    expect(gated).toMatchObject({ step: 'judge', checkId: 100 });
  });

  it('opens the check in progress and records it; a broken config travels with it', async () => {
    const host = createMemoryHost();
    host.config = 'reruns: [not a number\n';
    const { run, queue } = gateRun(host);

    const prepared = await prepareGate(run);

    expect(prepared.step).toBe('judge');
    if (prepared.step !== 'judge') return;
    expect(prepared.configError).toBeInstanceOf(ConfigError);
    expect(host.checks[0]).toMatchObject({ completed: false, key: JOB_ID });
    expect(queue.tracked).toEqual([100]);

    const result = await failInvalidConfig(run, prepared.checkId, prepared.configError!);
    expect(result).toEqual({ outcome: 'config-error', conclusion: 'failure', checkRunId: 100 });
    expect(host.checks[0]!.conclusion).toBe('failure');
    expect(host.checks[0]!.output.title).toMatch(/^Invalid \.github\/testgate\.yml: /);
    expect(host.checks[0]!.output.summary).toContain('Fix the file on `main`');
  });

  it("waits out the host's retry-after before any check exists, without spending an attempt", async () => {
    const host = createMemoryHost();
    host.failNext(
      'getPullRequest',
      new HostError('REQUEST_FAILED', 'rate limited', {
        transient: true,
        status: 403,
        retryAfterMs: 2000,
      }),
    );
    const { run, queue } = gateRun(host);

    await expect(prepareGate(run)).rejects.toBeInstanceOf(DelayedError);
    expect(queue.delays).toEqual([2000]);
  });
});

describe('judgeGate', () => {
  async function claimsFixSeen(options: {
    host: boolean | undefined;
    job: boolean;
  }): Promise<boolean | undefined> {
    const host = createMemoryHost(options.host === undefined ? {} : { claimsFix: options.host });
    let seen: RunGateOptions | undefined;
    const { run: plain } = gateRun(host, { data: { claimsFix: options.job } });
    const run: GateRun = {
      ...plain,
      deps: deps(host, {
        runGate: async (gateOptions) => {
          seen = gateOptions;
          return notJudgedReport({ title: 'Nothing to judge', neutralReason: 'nothing' });
        },
      }),
    };
    try {
      await judgeGate(run, 100, defaultConfig);
    } finally {
      // settleGate removes the workspace in a real job.
      if (run.state.workspace !== undefined)
        await rm(run.state.workspace, { recursive: true, force: true });
    }
    return seen?.claimsFix;
  }

  it("tells the gate whether the pull request claims a fix: the host's answer first, else the event's", async () => {
    expect(await claimsFixSeen({ host: true, job: false })).toBe(true);
    expect(await claimsFixSeen({ host: false, job: true })).toBe(false);
    expect(await claimsFixSeen({ host: undefined, job: true })).toBe(true);
    expect(await claimsFixSeen({ host: undefined, job: false })).toBe(false);
  });
});

describe('the processor with a verdict an earlier try stored', () => {
  it('publishes it (check, button, comment) without judging again', async () => {
    const host = createMemoryHost();
    host.checks.push({
      id: 42,
      headSha: HEAD,
      key: JOB_ID,
      completed: false,
      output: { title: 'running', summary: '' },
    });
    const runGate = vi.fn(async (): Promise<GateReport> => {
      throw new Error('judged again');
    });
    const cleared = vi.fn(async () => {});
    const processor = createGateProcessor(deps(host, { runGate }));
    const job = { id: JOB_ID, attemptsMade: 2, opts: { attempts: 3 } } as Job<GateJobData>;
    const context = {
      signal: new AbortController().signal,
      token: 'token',
      data: jobData(),
      trackRun: async () => {},
      untrackRun: async () => {},
      count: async () => {},
      savePublish: async () => {},
      loadPublish: async () => pendingVerdict(42),
      clearPublish: cleared,
    } satisfies GateJobContext;

    const result = await processor(job, context);

    expect(result).toEqual(pendingVerdict(42).result);
    expect(runGate).not.toHaveBeenCalled();
    expect(host.calls).toEqual(['completeCheck', 'upsertComment']);
    expect(host.checks[0]).toMatchObject({
      completed: true,
      conclusion: 'failure',
      offerAddTests: true,
      output: { title: '1 of 2 tests rejected' },
    });
    expect(host.comments).toEqual([
      { marker: COMMENT_MARKER, body: `${COMMENT_MARKER}\nThe verdict` },
    ]);
    expect(cleared).toHaveBeenCalledOnce();
  });

  it("publishes one stored before annotations had the port's names with those names", async () => {
    const host = createMemoryHost();
    host.checks.push({
      id: 42,
      headSha: HEAD,
      key: JOB_ID,
      completed: false,
      output: { title: 'running', summary: '' },
    });
    const current = pendingVerdict(42);
    const stored = {
      ...current,
      output: {
        ...current.output,
        annotations: [
          {
            path: 'tests/test_calc.py',
            start_line: 3,
            end_line: 3,
            annotation_level: 'failure',
            title: 'unsafe',
            message: 'os.system',
            raw_details: 'rule B605',
          },
        ],
      },
    };
    const processor = createGateProcessor(deps(host));
    const job = { id: JOB_ID, attemptsMade: 2, opts: { attempts: 3 } } as Job<GateJobData>;
    await processor(job, {
      signal: new AbortController().signal,
      token: 'token',
      data: jobData(),
      trackRun: async () => {},
      untrackRun: async () => {},
      count: async () => {},
      savePublish: async () => {},
      loadPublish: async () => JSON.parse(JSON.stringify(stored)) as unknown,
      clearPublish: async () => {},
    } satisfies GateJobContext);

    expect(host.checks[0]?.output.annotations).toEqual([
      { ...current.output.annotations[0], details: 'rule B605' },
    ]);
  });
});

describe('publishVerdict', () => {
  it('keeps the verdict and delays the job when the host fails transiently', async () => {
    const host = createMemoryHost();
    host.checks.push({
      id: 42,
      headSha: HEAD,
      key: JOB_ID,
      completed: false,
      output: { title: 'running', summary: '' },
    });
    host.failNext(
      'completeCheck',
      new HostError('REQUEST_FAILED', 'Server Error', { transient: true, status: 502 }),
    );
    const { run, queue } = gateRun(host);

    await expect(publishVerdict(run, pendingVerdict(42))).rejects.toBeInstanceOf(DelayedError);
    expect(queue.saved).toEqual([expect.objectContaining({ checkRunId: 42, tries: 1 })]);
    expect(queue.delays).toEqual([5000]);
    expect(host.checks[0]!.completed).toBe(false);
    expect(host.calls).not.toContain('upsertComment');
  });

  it('gives up on a permanent refusal: nothing kept, the error goes on', async () => {
    const host = createMemoryHost();
    const refusal = new HostError('REQUEST_FAILED', 'Resource not accessible by integration', {
      transient: false,
      status: 403,
    });
    host.failNext('completeCheck', refusal);
    const { run, queue } = gateRun(host);

    await expect(publishVerdict(run, pendingVerdict(42))).rejects.toBe(refusal);
    expect(queue.saved).toEqual([]);
    expect(queue.delays).toEqual([]);
  });
});

describe('settleFailure', () => {
  function openCheck(host: MemoryHost): void {
    host.checks.push({
      id: 42,
      headSha: HEAD,
      key: JOB_ID,
      completed: false,
      output: { title: 'running', summary: '' },
    });
  }

  it('a job superseded mid-run cancels its check, naming the newer commit', async () => {
    const host = createMemoryHost();
    openCheck(host);
    const controller = new AbortController();
    controller.abort({ kind: 'superseded', supersededBy: NEWER });
    const { run } = gateRun(host, { signal: controller.signal });

    const result = await settleFailure(run, 42, new Error('aborted'));

    expect(result).toEqual({ outcome: 'superseded', conclusion: 'cancelled', checkRunId: 42 });
    expect(host.checks[0]).toMatchObject({
      conclusion: 'cancelled',
      output: { title: 'Superseded by ddddddd' },
    });
    expect(run.state).toMatchObject({ settled: true, finished: true });
  });

  it('a shutdown reaps, then hands the job back with its check still in progress', async () => {
    const host = createMemoryHost();
    openCheck(host);
    const controller = new AbortController();
    controller.abort({ kind: 'shutdown' });
    const { run, queue } = gateRun(host, { signal: controller.signal });
    const order: string[] = [];
    Object.assign(run.deps, { reapJob: async () => void order.push('reap') });
    queue.handBack = async () => void order.push('hand back');

    await expect(settleFailure(run, 42, new Error('aborted'))).rejects.toBeInstanceOf(WaitingError);
    expect(order).toEqual(['reap', 'hand back']);
    expect(host.checks[0]!.completed).toBe(false);
    expect(run.state).toMatchObject({ settled: true, handedBack: true, finished: false });
  });

  it('a transient failure with attempts left leaves the check for the retry', async () => {
    const host = createMemoryHost();
    openCheck(host);
    const { run } = gateRun(host, { attempt: 1 });
    const error = new HostError('REQUEST_FAILED', 'Server Error', { transient: true, status: 500 });

    await expect(settleFailure(run, 42, error)).rejects.toBe(error);
    expect(host.checks[0]!.completed).toBe(false);
  });

  it('a permanent failure completes the check neutral with the message', async () => {
    const host = createMemoryHost();
    openCheck(host);
    const { run } = gateRun(host);
    const error = new HostError('TREE_UNSAFE', 'The repository archive has a path with ..', {
      transient: false,
    });

    await expect(settleFailure(run, 42, error)).rejects.toThrow(/path with/);
    expect(host.checks[0]).toMatchObject({
      conclusion: 'neutral',
      output: { title: 'Testgate could not run' },
    });
    expect(host.checks[0]!.output.summary).toContain('> The repository archive has a path with ..');
  });
});
