/**
 * The job deadline (JOB_DEADLINE_SECONDS) of the real worker process: a gate that runs
 * past it ends as a neutral check run that says so, leaves no container and is not retried.
 */
import { ensureSandboxImage } from '@testgate/sandbox';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  startAppUnderTest,
  waitFor,
  WEBHOOK_SECRET,
  type AppUnderTest,
} from './fakes/github-app-harness.ts';
import {
  pullRequestPayload,
  signedDelivery,
  uniquePrefix,
  type PullRequestRepo,
} from './fakes/github-fixtures.ts';
import { startFakeGitHub, type FakeGitHub } from './fakes/github-server.ts';
import {
  containersOfJob,
  createSlowPullRequestRepo,
  removeContainersOfJob,
  startWorkerProcess,
  type WorkerProcess,
} from './fakes/worker-process.ts';

const OWNER = 'octo';
const REPO = 'calc';
// The smallest JOB_DEADLINE_SECONDS the worker accepts.
const DEADLINE_SECONDS = 10;

describe('job deadline', () => {
  let github: FakeGitHub | undefined;
  let app: AppUnderTest | undefined;
  let repo: PullRequestRepo | undefined;
  let worker: WorkerProcess | undefined;
  let jobId: string | undefined;

  beforeAll(async () => {
    await ensureSandboxImage();
  }, 900_000);

  afterEach(async () => {
    worker?.kill();
    await worker?.exited;
    await app?.close();
    await github?.close();
    repo?.cleanup();
    // Only our own job's containers: other test files run alongside.
    if (jobId !== undefined) removeContainersOfJob(jobId);
    github = undefined;
    app = undefined;
    repo = undefined;
    worker = undefined;
    jobId = undefined;
  });

  it('completes the check run neutral when the gate runs past JOB_DEADLINE_SECONDS, with no container left and no retry', async () => {
    // The PR test alone outlasts the deadline several times over.
    const slow = createSlowPullRequestRepo(60);
    repo = slow;
    github = await startFakeGitHub({ repos: [{ owner: OWNER, repo: REPO, gitDir: slow.dir }] });
    const prefix = uniquePrefix('deadline');
    app = await startAppUnderTest({ github, worker: false, prefix });
    worker = await startWorkerProcess({
      github,
      prefix,
      env: { JOB_DEADLINE_SECONDS: String(DEADLINE_SECONDS) },
    });

    const payload = pullRequestPayload({
      action: 'opened',
      owner: OWNER,
      repo: REPO,
      number: 3,
      headSha: slow.slowHeadSha,
      baseSha: slow.baseSha,
      installationId: 5,
    });
    const d = await signedDelivery({ secret: WEBHOOK_SECRET, event: 'pull_request', payload });
    const deliveredAt = Date.now();
    expect(
      (
        await fetch(`${app.url}/api/github/webhooks`, {
          method: 'POST',
          headers: d.headers,
          body: d.body,
        })
      ).status,
    ).toBe(202);
    const id = `${OWNER}/${REPO}/3/${slow.slowHeadSha}`;
    jobId = id;

    // The slow sandbox really ran: the deadline cut real work short.
    await waitFor(() => containersOfJob(id).length > 0 || undefined, {
      timeoutMs: 60_000,
      what: 'a sandbox of the job',
    });
    const gh = github;
    const run = await waitFor(() => gh.checkRuns.find((r) => r.status === 'completed'), {
      timeoutMs: 90_000,
      what: 'completed check run',
    });
    const completedAfterMs = Date.now() - deliveredAt;

    expect(run.external_id).toBe(id);
    expect(run.conclusion).toBe('neutral');
    expect(run.output.title).toBe('Testgate timed out');
    expect(run.output.summary).toContain(`did not finish within ${DEADLINE_SECONDS} s`);
    expect(run.output.summary).toContain('JOB_DEADLINE_SECONDS');
    // Cut at the deadline, not when the 60 s test would have ended.
    expect(completedAfterMs).toBeGreaterThanOrEqual(DEADLINE_SECONDS * 1000);
    expect(completedAfterMs).toBeLessThan(45_000);

    // Failed for good (no retry), and its sandboxes are gone once the job settled.
    const queue = app.queue.queue;
    await waitFor(
      async () => ((await (await queue.getJob(id))?.getState()) === 'failed' ? true : undefined),
      { timeoutMs: 30_000, what: 'job failed' },
    );
    expect(containersOfJob(id)).toEqual([]);
    const job = await queue.getJob(id);
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toContain('deadline');

    // Still failed, still one check run, a while later: no attempt was scheduled behind it.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await (await queue.getJob(id))?.getState()).toBe('failed');
    expect(gh.checkRuns).toHaveLength(1);
    expect(worker.logs.filter((l) => l.msg === 'gate job failed')).toHaveLength(1);
    expect(gh.unexpected).toEqual([]);

    // The worker itself is unharmed and still shuts down cleanly.
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toMatchObject({ code: 0, signal: null });
  }, 240_000);
});
