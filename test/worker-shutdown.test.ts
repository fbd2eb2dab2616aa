/**
 * Graceful shutdown of the real worker process (apps/worker/src/main.ts) on SIGTERM, with
 * real Redis, real Docker sandboxes and real Octokit against the fake GitHub: the active
 * job finishes within SHUTDOWN_GRACE_SECONDS, or goes back to the queue with its
 * containers removed and is finished by the next worker.
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

describe('worker shutdown on SIGTERM', () => {
  let github: FakeGitHub | undefined;
  let apps: AppUnderTest[] = [];
  let repo: PullRequestRepo | undefined;
  let workers: WorkerProcess[] = [];
  let jobIds: string[] = [];
  let image = '';

  beforeAll(async () => {
    image = await ensureSandboxImage();
  }, 900_000);

  afterEach(async () => {
    for (const worker of workers) worker.kill();
    await Promise.all(workers.map((w) => w.exited));
    for (const app of apps.reverse()) await app.close();
    await github?.close();
    repo?.cleanup();
    // Only our own jobs' containers: other test files run alongside.
    for (const jobId of jobIds) removeContainersOfJob(jobId);
    github = undefined;
    repo = undefined;
    apps = [];
    workers = [];
    jobIds = [];
  });

  async function deliver(
    url: string,
    number: number,
    headSha: string,
    baseSha: string,
  ): Promise<string> {
    const payload = pullRequestPayload({
      action: 'opened',
      owner: OWNER,
      repo: REPO,
      number,
      headSha,
      baseSha,
      installationId: 5,
    });
    const d = await signedDelivery({ secret: WEBHOOK_SECRET, event: 'pull_request', payload });
    const response = await fetch(`${url}/api/github/webhooks`, {
      method: 'POST',
      headers: d.headers,
      body: d.body,
    });
    expect(response.status).toBe(202);
    const jobId = `${OWNER}/${REPO}/${number}/${headSha}`;
    jobIds.push(jobId);
    return jobId;
  }

  /** A worker process in the middle of a job whose sandbox runs about `sandboxSeconds`. */
  async function midJob(options: { sandboxSeconds: number; graceSeconds: number; name: string }) {
    const slow = createSlowPullRequestRepo(options.sandboxSeconds);
    repo = slow;
    const gh = await startFakeGitHub({ repos: [{ owner: OWNER, repo: REPO, gitDir: slow.dir }] });
    github = gh;
    const prefix = uniquePrefix(options.name);
    const app = await startAppUnderTest({ github: gh, worker: false, prefix });
    apps.push(app);
    const worker = await startWorkerProcess({
      github: gh,
      prefix,
      env: { SHUTDOWN_GRACE_SECONDS: String(options.graceSeconds) },
    });
    workers.push(worker);
    const jobId = await deliver(app.url, 3, slow.slowHeadSha, slow.baseSha);
    // Mid-job: a sandbox of this job is running.
    await waitFor(() => containersOfJob(jobId).length > 0 || undefined, {
      timeoutMs: 120_000,
      what: 'a sandbox of the job',
    });
    return { slow, app, worker, jobId, gh, prefix };
  }

  async function jobState(app: AppUnderTest, jobId: string): Promise<string | undefined> {
    const job = await app.queue.queue.getJob(jobId);
    return job === undefined ? undefined : job.getState();
  }

  it('finishes the active job within the grace period, takes no new job, and exits 0', async () => {
    const { slow, app, worker, jobId, gh } = await midJob({
      sandboxSeconds: 12,
      graceSeconds: 180,
      name: 'sigterm-grace',
    });
    expect(gh.checkRuns).toHaveLength(1);
    expect(gh.checkRuns[0]?.status).toBe('in_progress');

    worker.child.kill('SIGTERM');
    await worker.waitForLog('shutting down: finishing the active job', 10_000);
    // Arrives while the worker drains: it must stay in the queue for the next worker.
    const laterJobId = await deliver(app.url, 4, slow.slowHeadSha, slow.baseSha);

    const exit = await worker.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    // The active job ran to its verdict before the process went away.
    const run = gh.checkRuns.find((r) => r.external_id === jobId);
    expect(run?.status).toBe('completed');
    expect(run?.conclusion).toBe('failure');
    expect(run?.output.title).not.toMatch(/timed out|could not run/i);
    expect(run?.output.summary).toContain('test_parse_amount_after_a_wait');
    expect(await jobState(app, jobId)).toBe('completed');
    // The drained worker did not start the job delivered after SIGTERM.
    expect(gh.checkRuns.filter((r) => r.external_id === laterJobId)).toEqual([]);
    expect(await jobState(app, laterJobId)).toBe('waiting');
    expect(worker.logs.some((l) => l.jobId === laterJobId)).toBe(false);
    expect(containersOfJob(jobId)).toEqual([]);
    expect(gh.unexpected).toEqual([]);
  }, 300_000);

  it('hands the active job back to the queue when the grace period runs out; the next worker finishes the same check run', async () => {
    const { app, worker, jobId, gh, prefix } = await midJob({
      sandboxSeconds: 20,
      graceSeconds: 1,
      name: 'sigterm-requeue',
    });

    const sigtermAt = Date.now();
    worker.child.kill('SIGTERM');
    const exit = await worker.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    // A second past the grace period plus the abort, not the 20 s the sandbox wanted.
    expect(exit.at - sigtermAt).toBeLessThan(15_000);
    expect(
      worker.logs.some((l) => l.msg === 'worker shutting down: job returned to the queue'),
    ).toBe(true);

    // Back in the queue, not failed, and no attempt spent on it.
    expect(await jobState(app, jobId)).toBe('waiting');
    const job = await app.queue.queue.getJob(jobId);
    expect(job?.failedReason ?? '').toBe('');
    expect(job?.attemptsMade).toBe(0);
    // Its sandboxes went with the worker; the check run waits for the next attempt.
    expect(containersOfJob(jobId)).toEqual([]);
    expect(gh.checkRuns).toHaveLength(1);
    expect(gh.checkRuns[0]?.status).toBe('in_progress');

    // A worker started afterwards picks the job up at once (no stall timeout to wait out).
    const rescuer = await startAppUnderTest({ github: gh, prefix, overrides: { image } });
    apps.push(rescuer);
    const run = await waitFor(() => gh.checkRuns.find((r) => r.status === 'completed'), {
      timeoutMs: 180_000,
      what: 'completed check run',
    });
    expect(run.external_id).toBe(jobId);
    expect(run.conclusion).toBe('failure');
    expect(run.output.summary).toContain('test_parse_amount_after_a_wait');
    // The same run was finished: not a second one, none left in progress.
    expect(gh.checkRuns).toHaveLength(1);
    await waitFor(async () => ((await jobState(app, jobId)) === 'completed' ? true : undefined), {
      what: 'job completed',
    });
    expect(containersOfJob(jobId)).toEqual([]);
    expect(gh.unexpected).toEqual([]);
  }, 400_000);
});
