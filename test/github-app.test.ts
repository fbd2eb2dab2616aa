/**
 * The GitHub App end to end over real HTTP, real Redis and real Octokit, against the
 * fake GitHub; runGate is a stand-in here (the sandbox is covered by github-e2e.test.ts),
 * because these tests are about the GitHub plumbing: check runs, comments, retries,
 * supersession.
 */
import { existsSync } from 'node:fs';
import type { RunGateOptions } from '@testgate/pipeline';
import { afterEach, describe, expect, it } from 'vitest';
import {
  fakeReport,
  fakeRunGate,
  startAppUnderTest,
  unusedRunner,
  waitFor,
  WEBHOOK_SECRET,
  type AppUnderTest,
} from './fakes/github-app-harness.ts';
import {
  createPullRequestRepo,
  pullRequestPayload,
  signedDelivery,
  type PullRequestRepo,
} from './fakes/github-fixtures.ts';
import { startFakeGitHub, type FakeGitHub } from './fakes/github-server.ts';
import { buildServer } from '@testgate/server';
import { Redis } from 'ioredis';
import { REDIS_URL } from './fakes/github-app-harness.ts';

const OWNER = 'octo';
const REPO = 'calc';
const INSTALLATION = 77;

describe('GitHub App plumbing', () => {
  let github: FakeGitHub | undefined;
  let app: AppUnderTest | undefined;
  let repo: PullRequestRepo | undefined;

  afterEach(async () => {
    await app?.close();
    await github?.close();
    repo?.cleanup();
    app = undefined;
    github = undefined;
    repo = undefined;
  });

  async function setup(options: {
    runGate: ReturnType<typeof fakeRunGate>;
    config?: string;
    publishRetry?: { baseMs: number; windowMs: number };
    retryAfterScale?: number;
    treeLimits?: { maxTotalBytes: number };
  }) {
    repo = createPullRequestRepo(options.config === undefined ? {} : { config: options.config });
    github = await startFakeGitHub({ repos: [{ owner: OWNER, repo: REPO, gitDir: repo.dir }] });
    app = await startAppUnderTest({
      github,
      overrides: {
        runGate: options.runGate,
        runner: unusedRunner,
        image: 'unused:image',
        ...(options.publishRetry === undefined ? {} : { publishRetry: options.publishRetry }),
        ...(options.retryAfterScale === undefined
          ? {}
          : { retryAfterScale: options.retryAfterScale }),
        ...(options.treeLimits === undefined ? {} : { treeLimits: options.treeLimits }),
      },
    });
    return { repo, github, app };
  }

  async function deliver(
    action: 'opened' | 'synchronize',
    headSha: string,
    extra: { draft?: boolean } = {},
  ) {
    if (repo === undefined || app === undefined) throw new Error('setup first');
    const payload = pullRequestPayload({
      action,
      owner: OWNER,
      repo: REPO,
      number: 12,
      headSha,
      baseSha: repo.baseSha,
      installationId: INSTALLATION,
      ...extra,
    });
    const d = await signedDelivery({ secret: WEBHOOK_SECRET, event: 'pull_request', payload });
    const res = await fetch(`${app.url}/api/github/webhooks`, {
      method: 'POST',
      headers: d.headers,
      body: d.body,
    });
    return res.status;
  }

  const completedRun = (gh: FakeGitHub, sha: string) => () =>
    gh.checkRuns.find((r) => r.head_sha === sha && r.status === 'completed');

  it('turns a signed pull_request.opened into a completed check run with annotations and one sticky comment', async () => {
    const runGate = fakeRunGate(fakeReport(60));
    const { repo, github } = await setup({ runGate });
    expect(await deliver('opened', repo.headSha)).toBe(202);
    const run = await waitFor(completedRun(github, repo.headSha), { what: 'completed check run' });
    await waitFor(() => github.comments.length === 1 || undefined, { what: 'comment' });

    expect(run.name).toBe('Testgate');
    expect(run.conclusion).toBe('failure');
    expect(run.external_id).toBe(`${OWNER}/${REPO}/12/${repo.headSha}`);
    expect(run.output.title).toBe('60 of 60 tests rejected');
    expect(run.output.annotations).toHaveLength(60);
    // 50 per request: one in-progress update, then the completing one.
    expect(
      run.updates.map(
        (u) => ((u as { output?: { annotations?: unknown[] } }).output?.annotations ?? []).length,
      ),
    ).toEqual([50, 10]);
    expect(github.comments[0]?.body).toContain('<!-- testgate:report -->');
    expect(github.unexpected).toEqual([]);

    // The pipeline got the real trees, on disk in the job's own workspace, which is gone
    // once the job ended; and the job's container label.
    const call = runGate.calls[0] as RunGateOptions;
    if (call.base.kind !== 'dir' || call.head.kind !== 'dir') throw new Error('trees not on disk');
    expect(runGate.headFiles[0]).toContain('calc/__init__.py');
    // The workspace is removed after the check run completes, so wait for it.
    const headPath = call.head.path;
    await waitFor(() => !existsSync(headPath) || undefined, { what: 'workspace removed' });
    expect(call.jobId).toBe(`${OWNER}/${REPO}/12/${repo.headSha}`);

    // A second push: the comment is updated in place, never duplicated.
    const newSha = repo.pushHead({ 'calc/extra.py': 'X = 1\n' });
    expect(await deliver('synchronize', newSha)).toBe(202);
    await waitFor(completedRun(github, newSha), { what: 'second check run' });
    await waitFor(
      () => app?.logs.filter((l) => l.msg === 'sticky comment written').length === 2 || undefined,
      { what: 'second comment write' },
    );
    expect(github.comments).toHaveLength(1);
    expect(
      app?.logs.filter((l) => l.msg === 'sticky comment written').map((l) => l.action),
    ).toEqual(['created', 'unchanged']);
  });

  it('retries GitHub 500s and waits out a secondary rate limit', async () => {
    const { repo, github, app } = await setup({ runGate: fakeRunGate(fakeReport(1)) });
    github.fail({ method: 'POST', path: /\/check-runs$/, kind: 'server-error', times: 2 });
    github.fail({
      method: 'POST',
      path: /\/issues\/\d+\/comments$/,
      kind: 'secondary-rate-limit',
      times: 1,
      retryAfter: 1,
    });
    expect(await deliver('opened', repo.headSha)).toBe(202);
    const run = await waitFor(completedRun(github, repo.headSha), { what: 'completed check run' });
    await waitFor(() => github.comments.length === 1 || undefined, { what: 'comment' });
    expect(run.conclusion).toBe('failure');
    expect(github.checkRuns).toHaveLength(1);

    const creates = github.requests.filter(
      (r) => r.method === 'POST' && r.path.endsWith('/check-runs'),
    );
    expect(creates.map((r) => r.status)).toEqual([500, 500, 201]);
    const posts = github.requests.filter((r) => r.method === 'POST' && /\/comments$/.test(r.path));
    expect(posts.map((r) => r.status)).toEqual([403, 201]);
    // retry-after: 1 was honoured.
    expect((posts[1]?.at ?? 0) - (posts[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(
      app.logs.some((l) => l.msg === 'GitHub secondary rate limit hit: waiting retry-after'),
    ).toBe(true);
  });

  it('publishes a computed verdict through a long run of 500s without judging again', async () => {
    const runGate = fakeRunGate(fakeReport(1));
    const { repo, github, app } = await setup({
      runGate,
      publishRetry: { baseMs: 50, windowMs: 120_000 },
    });
    // More failures than the job's attempts times Octokit's own retries (4 x 4) allow.
    github.fail({ method: 'PATCH', path: /\/check-runs\/\d+$/, kind: 'server-error', times: 24 });
    expect(await deliver('opened', repo.headSha)).toBe(202);
    const run = await waitFor(completedRun(github, repo.headSha), {
      timeoutMs: 60_000,
      what: 'completed check run',
    });
    expect(run.conclusion).toBe('failure');
    const patches = github.requests.filter(
      (r) => r.method === 'PATCH' && /check-runs/.test(r.path),
    );
    expect(patches.filter((r) => r.status === 500)).toHaveLength(24);
    // The gate ran once; only publishing was tried again.
    expect(runGate.calls).toHaveLength(1);
    expect(app.logs.some((l) => String(l.msg).includes('publishing the verdict failed'))).toBe(
      true,
    );
    const counters = await app.queue.gateCounters();
    expect(counters['publish-retries']).toBeGreaterThanOrEqual(5);
  });

  it("waits out a secondary rate limit's retry-after by delaying the job, without spending attempts", async () => {
    const runGate = fakeRunGate(fakeReport(1));
    // retry-after: 300 s, scaled to 1.5 s: longer than Octokit waits itself (120 s).
    const { repo, github } = await setup({ runGate, retryAfterScale: 0.005 });
    github.fail({
      method: 'POST',
      path: /\/check-runs$/,
      kind: 'secondary-rate-limit',
      times: 5,
      retryAfter: 300,
    });
    expect(await deliver('opened', repo.headSha)).toBe(202);
    const run = await waitFor(completedRun(github, repo.headSha), {
      timeoutMs: 60_000,
      what: 'completed check run',
    });
    expect(run.conclusion).toBe('failure');
    const creates = github.requests.filter(
      (r) => r.method === 'POST' && r.path.endsWith('/check-runs'),
    );
    // Five refusals (more than the job's 4 attempts) and then the run: no attempt was spent.
    expect(creates.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 201]);
    for (let i = 1; i < creates.length; i++)
      expect((creates[i]?.at ?? 0) - (creates[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(1400);
    expect(runGate.calls).toHaveLength(1);
  });

  it('a job that fails for good before its check run exists still ends in a completed one', async () => {
    const runGate = fakeRunGate(fakeReport(1));
    const { repo, github } = await setup({ runGate });
    // The config read is refused: a permanent failure before any check run was opened.
    github.fail({ method: 'GET', path: /\/contents\//, kind: 'forbidden', times: 1 });
    expect(await deliver('opened', repo.headSha)).toBe(202);
    const run = await waitFor(completedRun(github, repo.headSha), { what: 'completed check run' });
    expect(run.conclusion).toBe('neutral');
    expect(run.output.title).toBe('Testgate could not run');
    expect(run.output.summary).toMatch(/Resource not accessible by integration/);
    expect(runGate.calls).toHaveLength(0);
  });

  it('the sweeper finishes a check run whose job vanished, and /metrics shows it', async () => {
    // A run left open by a job that then vanished from Redis (a dead worker, a lost failed
    // event, a flushed key): no worker will ever settle it but the sweeper.
    const runGate = fakeRunGate(
      fakeReport(1),
      (options) =>
        new Promise<void>((_resolve, reject) =>
          options.signal?.addEventListener('abort', () => reject(options.signal?.reason)),
        ),
    );
    const { repo, github, app } = await setup({ runGate });
    expect(await deliver('opened', repo.headSha)).toBe(202);
    await waitFor(() => runGate.calls.length === 1 || undefined, { what: 'the gate running' });
    const jobId = `${OWNER}/${REPO}/12/${repo.headSha}`;
    const redis = new Redis(REDIS_URL);
    const server = buildServer({ appId: '1', webhookSecret: WEBHOOK_SECRET, queue: app.queue });
    try {
      // The worker stops (the job goes back to waiting, its run stays open), then the job
      // disappears and the run is past its deadline.
      await app.worker!.close({ graceMs: 0 });
      await redis.lrem(`${app.prefix}:gate:wait`, 0, jobId);
      await redis.del(`${app.prefix}:gate:${jobId}`);
      expect(await redis.hget(`${app.prefix}:gate:runs:data`, jobId)).not.toBeNull();
      await redis.zadd(`${app.prefix}:gate:runs`, 1, jobId);
      const before = await server.inject({ method: 'GET', url: '/metrics' });
      expect(before.body).toMatch(/testgate_check_runs_past_deadline 1/);

      const survivor = await startAppUnderTest({
        github,
        prefix: app.prefix,
        overrides: { runGate, runner: unusedRunner, image: 'unused:image' },
      });
      try {
        // The sweeper's round, called at once rather than waited for.
        expect(await survivor.worker!.gateWorker.sweep()).toBe(1);
        const run = await waitFor(completedRun(github, repo.headSha), { what: 'swept run' });
        expect(run.conclusion).toBe('neutral');
        expect(run.output.title).toBe('Testgate could not run');
        const after = await server.inject({ method: 'GET', url: '/metrics' });
        expect(after.body).toMatch(/testgate_check_runs_past_deadline 0/);
        expect(after.body).toMatch(/testgate_check_runs_finished_for_dead_jobs 1/);
      } finally {
        await survivor.close();
      }
    } finally {
      await server.close();
      redis.disconnect();
    }
  });

  it('cancels the running job of an older head SHA when a newer one is pushed', async () => {
    let releaseFirst: (() => void) | undefined;
    const started: string[] = [];
    const runGate = fakeRunGate(fakeReport(0), async (options) => {
      started.push(options.jobId ?? '');
      if (started.length === 1) {
        // The first job runs until it is aborted.
        await new Promise<void>((resolve, reject) => {
          releaseFirst = resolve;
          options.signal?.addEventListener('abort', () => reject(options.signal?.reason), {
            once: true,
          });
        });
      }
    });
    const { repo, github } = await setup({ runGate });
    expect(await deliver('opened', repo.headSha)).toBe(202);
    await waitFor(() => started.length === 1 || undefined, { what: 'first job running' });
    const newSha = repo.pushHead({ 'calc/extra.py': 'X = 2\n' });
    expect(await deliver('synchronize', newSha)).toBe(202);

    const oldRun = await waitFor(completedRun(github, repo.headSha), { what: 'old run cancelled' });
    const newRun = await waitFor(completedRun(github, newSha), { what: 'new run completed' });
    expect(oldRun.conclusion).toBe('cancelled');
    expect(oldRun.output.title).toBe(`Superseded by ${newSha.slice(0, 7)}`);
    expect(oldRun.output.summary).toContain(newSha);
    expect(newRun.conclusion).toBe('success');
    expect(started).toHaveLength(2);
    releaseFirst?.();
  });

  it('a late delivery for an older head neither cancels the current head nor gets judged', async () => {
    let releaseNew: (() => void) | undefined;
    const started: string[] = [];
    const runGate = fakeRunGate(fakeReport(0), async (options) => {
      started.push(options.jobId ?? '');
      // The current head's run waits until the stale delivery has been moved.
      await new Promise<void>((resolve, reject) => {
        releaseNew = resolve;
        options.signal?.addEventListener('abort', () => reject(options.signal?.reason), {
          once: true,
        });
      });
    });
    const { repo, github, app } = await setup({ runGate });
    const oldSha = repo.headSha;
    const newSha = repo.pushHead({ 'calc/extra.py': 'X = 2\n' });
    expect(await deliver('synchronize', newSha)).toBe(202);
    await waitFor(() => started.length === 1 || undefined, { what: 'current head running' });
    // GitHub redelivers the `opened` of the older commit after the push: the running
    // current head is asked to stop, checks GitHub, and keeps running.
    expect(await deliver('opened', oldSha)).toBe(202);
    await waitFor(
      () =>
        app.logs.some((l) =>
          String(l.msg).startsWith('kept running: GitHub reports this head as current'),
        ) || undefined,
      { what: 'supersede refused' },
    );
    releaseNew?.();
    const newRun = await waitFor(completedRun(github, newSha), { what: 'current head judged' });
    expect(newRun.conclusion).toBe('success');
    // The stale job runs next, asks GitHub, and skips itself without a check run.
    await waitFor(
      () =>
        app.logs.some((l) => l.msg === 'stale delivery skipped: the pull request has moved on') ||
        undefined,
      { what: 'stale delivery skipped' },
    );
    expect(github.checkRuns.filter((run) => run.head_sha === oldSha)).toEqual([]);
    expect(started).toHaveLength(1);
    await waitFor(
      async () => ((await app.queue.gateCounters())['stale-skipped'] === 1 ? true : undefined),
      { what: 'the stale-skipped counter' },
    );
  });

  it('downloads a tarball again when the connection dropped mid-way', async () => {
    const runGate = fakeRunGate(fakeReport(0));
    const { repo, github, app } = await setup({ runGate });
    github.fail({ method: 'GET', path: /\/tarball\//, kind: 'cut-body', times: 1 });
    expect(await deliver('opened', repo.headSha)).toBe(202);
    const run = await waitFor(completedRun(github, repo.headSha), { what: 'check run' });
    expect(run.conclusion).toBe('success');
    expect(runGate.calls).toHaveLength(1);
    expect(app.logs.some((l) => l.msg === 'transient failure: job will be retried')).toBe(true);
    expect(github.requests.filter((r) => r.path.includes('/tarball/')).length).toBeGreaterThan(2);
  });

  it('fails the check with the config error when .github/testgate.yml is broken', async () => {
    const runGate = fakeRunGate(fakeReport(0));
    const { repo, github } = await setup({ runGate, config: 'reruns: many\n' });
    expect(await deliver('opened', repo.headSha)).toBe(202);
    const run = await waitFor(completedRun(github, repo.headSha), { what: 'check run' });
    expect(run.conclusion).toBe('failure');
    expect(run.output.title).toMatch(/^Invalid \.github\/testgate\.yml: /);
    expect(run.output.summary).toContain('reruns');
    expect(runGate.calls).toHaveLength(0);
  });

  it('fails the check naming the size when .github/testgate.yml is over 1 MB', async () => {
    const runGate = fakeRunGate(fakeReport(0));
    const padding = `${'# padding\n'.repeat(120_000)}reruns: 3\n`;
    const { repo, github } = await setup({ runGate, config: padding });
    expect(await deliver('opened', repo.headSha)).toBe(202);
    const run = await waitFor(completedRun(github, repo.headSha), { what: 'check run' });
    expect(run.conclusion).toBe('failure');
    expect(run.output.title).toBe(
      `Invalid .github/testgate.yml: the file is ${Buffer.byteLength(padding)} bytes, over Testgate's limit of 1048576 bytes: keep only the settings`,
    );
    expect(runGate.calls).toHaveLength(0);
  });

  it("fails the check naming the cap when the pull request's head tree is larger than it, without running the gate", async () => {
    const runGate = fakeRunGate(fakeReport(1));
    const { repo, github } = await setup({ runGate, treeLimits: { maxTotalBytes: 64 * 1024 } });
    const headSha = repo.pushHead({ 'data/big.csv': 'x,'.repeat(50 * 1024) });
    expect(await deliver('synchronize', headSha)).toBe(202);
    const run = await waitFor(completedRun(github, headSha), { what: 'completed check run' });
    expect(run.conclusion).toBe('failure');
    expect(run.output.title).toBe(
      "The pull request's tree is too large to judge: The repository archive is larger than 65536 bytes uncompressed",
    );
    expect(run.output.summary).toContain(
      'Testgate reads at most 64 KiB and 20000 files per commit',
    );
    expect(runGate.calls).toHaveLength(0);
  });

  it('skips draft pull requests unless the repo config gates drafts', async () => {
    const runGate = fakeRunGate(fakeReport(0));
    const { repo, github, app } = await setup({ runGate });
    expect(await deliver('opened', repo.headSha, { draft: true })).toBe(202);
    await waitFor(
      () =>
        app.logs.some((l) => l.msg === 'draft pull request skipped (pullRequests.drafts is off)') ||
        undefined,
      { what: 'skip' },
    );
    expect(github.checkRuns).toHaveLength(0);
    expect(runGate.calls).toHaveLength(0);
  });

  it('completes the check run neutral when the gate itself fails', async () => {
    const runGate = fakeRunGate(fakeReport(0), async () => {
      throw new Error('the engine exploded');
    });
    const { repo, github } = await setup({ runGate });
    expect(await deliver('opened', repo.headSha)).toBe(202);
    const run = await waitFor(completedRun(github, repo.headSha), { what: 'check run' });
    expect(run.conclusion).toBe('neutral');
    expect(run.output.title).toBe('Testgate could not run');
    expect(run.output.summary).toContain('the engine exploded');
  });
});
