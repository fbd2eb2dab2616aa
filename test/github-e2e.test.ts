/**
 * The GitHub App with everything real but GitHub: real Redis, real Octokit over HTTP to
 * the fake GitHub, the real pipeline in real Docker sandboxes.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { environmentSettingsFromEnv } from '@testgate/environment';
import { createEnvironmentVolumes, ensureSandboxImage } from '@testgate/sandbox';
import { Redis } from 'ioredis';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  REDIS_URL,
  startAppUnderTest,
  waitFor,
  WEBHOOK_SECRET,
  type AppUnderTest,
} from './fakes/github-app-harness.ts';
import {
  appPrivateKey,
  createPullRequestRepo,
  pullRequestPayload,
  REPO_ROOT,
  signedDelivery,
  uniquePrefix,
  type PullRequestRepo,
} from './fakes/github-fixtures.ts';
import { startFakeGitHub, type FakeGitHub } from './fakes/github-server.ts';
import { buildDistributions, isolatedPipEnv, startPackageIndex } from './fakes/package-index.ts';

const APP_PASSWORD = 'app-Index-pw-7731';
const OWNER = 'octo';
const REPO = 'calc';

function containersOf(jobId: string): string[] {
  const out = execFileSync('docker', ['ps', '-aq', '--filter', `label=testgate.job=${jobId}`])
    .toString()
    .trim();
  return out === '' ? [] : out.split('\n');
}

/** Current and peak resident memory of a process, from /proc (Linux). */
function memoryOf(pid: number): { rssBytes: number; peakRssBytes: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
}

/** A gate worker in a child process (test/fakes/github-worker-child.ts), ready to take jobs. */
async function startChildWorker(
  github: FakeGitHub,
  prefix: string,
  env: Record<string, string> = {},
): Promise<ChildProcess> {
  const worker = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'test', 'fakes', 'github-worker-child.ts')],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        APP_ID: String(github.appId),
        PRIVATE_KEY: appPrivateKey(),
        GITHUB_API_URL: github.url,
        REDIS_URL,
        REDIS_PREFIX: prefix,
        LOCK_DURATION_MS: '4000',
        STALLED_INTERVAL_MS: '2000',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    worker.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker-ready')) resolve();
    });
    worker.once('exit', (code) => reject(new Error(`child worker exited early (${code})`)));
  });
  return worker;
}

describe('GitHub App with the real pipeline', () => {
  let github: FakeGitHub | undefined;
  let app: AppUnderTest | undefined;
  let repo: PullRequestRepo | undefined;
  let child: ChildProcess | undefined;
  let image = '';

  beforeAll(async () => {
    // Built once here (minutes on a fresh machine), not inside a test's time budget.
    image = await ensureSandboxImage();
  }, 900_000);

  afterEach(async () => {
    child?.kill('SIGKILL');
    await app?.close();
    await github?.close();
    repo?.cleanup();
    // Nothing of ours may outlive a test (only our own jobs: other test files run alongside).
    if (repo !== undefined) {
      const ids = containersOf(`${OWNER}/${REPO}/3/${repo.headSha}`);
      if (ids.length > 0) execFileSync('docker', ['rm', '-f', ...ids]);
    }
    app = undefined;
    github = undefined;
    repo = undefined;
    child = undefined;
  });

  async function deliver(url: string, headSha: string, baseSha: string) {
    const payload = pullRequestPayload({
      action: 'opened',
      owner: OWNER,
      repo: REPO,
      number: 3,
      headSha,
      baseSha,
      installationId: 5,
    });
    const d = await signedDelivery({ secret: WEBHOOK_SECRET, event: 'pull_request', payload });
    return (
      await fetch(`${url}/api/github/webhooks`, {
        method: 'POST',
        headers: d.headers,
        body: d.body,
      })
    ).status;
  }

  it('judges a pull request: completed check run with annotations, one sticky comment, no container left', async () => {
    repo = createPullRequestRepo();
    github = await startFakeGitHub({ repos: [{ owner: OWNER, repo: REPO, gitDir: repo.dir }] });
    app = await startAppUnderTest({ github, overrides: { image } });
    expect(await deliver(app.url, repo.headSha, repo.baseSha)).toBe(202);

    const gh = github;
    const sha = repo.headSha;
    const run = await waitFor(
      () => gh.checkRuns.find((r) => r.head_sha === sha && r.status === 'completed'),
      { timeoutMs: 240_000, what: 'check run' },
    );
    await waitFor(() => gh.comments.length === 1 || undefined, { what: 'comment' });

    // examples/calc's head adds a test file with a broken test and an unsafe one.
    expect(run.conclusion).toBe('failure');
    expect(run.output.annotations.length).toBeGreaterThan(0);
    expect(
      run.output.annotations.every((a) => typeof (a as { path?: unknown }).path === 'string'),
    ).toBe(true);
    expect(run.output.summary).toBeTruthy();
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]?.body).toContain('<!-- testgate:report -->');
    expect(gh.unexpected).toEqual([]);
    expect(containersOf(`${OWNER}/${REPO}/3/${sha}`)).toEqual([]);
  }, 300_000);

  it('recovers a job whose worker was killed with SIGKILL mid-run', async () => {
    repo = createPullRequestRepo();
    github = await startFakeGitHub({ repos: [{ owner: OWNER, repo: REPO, gitDir: repo.dir }] });
    const prefix = uniquePrefix('sigkill');
    // Server only: the first worker is a child process we can kill.
    app = await startAppUnderTest({ github, worker: false, prefix });
    child = await startChildWorker(github, prefix);

    const sha = repo.headSha;
    const jobId = `${OWNER}/${REPO}/3/${sha}`;
    expect(await deliver(app.url, sha, repo.baseSha)).toBe(202);
    // Mid-job: a sandbox container of this job is running.
    await waitFor(() => containersOf(jobId).length > 0 || undefined, {
      timeoutMs: 120_000,
      what: 'a sandbox of the job',
    });
    child.kill('SIGKILL');
    await new Promise((r) => child?.once('exit', r));
    expect(github.checkRuns).toHaveLength(1);
    expect(github.checkRuns[0]?.status).toBe('in_progress');

    // A second worker takes the stalled job over once the dead worker's lock expires.
    const gh = github;
    const rescuer = await startAppUnderTest({
      github: gh,
      prefix,
      lockDurationMs: 4000,
      stalledIntervalMs: 2000,
      overrides: { image },
    });
    try {
      const run = await waitFor(() => gh.checkRuns.find((r) => r.status === 'completed'), {
        timeoutMs: 240_000,
        what: 'completed check run',
      });
      expect(run.conclusion).toBe('failure');
      // The same run was finished, not a second one created.
      expect(gh.checkRuns).toHaveLength(1);
      await waitFor(() => gh.comments.length === 1 || undefined, { what: 'comment' });
      expect(containersOf(jobId)).toEqual([]);
    } finally {
      await rescuer.close();
    }
  }, 400_000);

  it('a job that kills every worker that takes it ends in a failed check run, with no container left', async () => {
    repo = createPullRequestRepo();
    github = await startFakeGitHub({ repos: [{ owner: OWNER, repo: REPO, gitDir: repo.dir }] });
    const prefix = uniquePrefix('exhausted');
    app = await startAppUnderTest({ github, worker: false, prefix });
    const gh = github;
    const sha = repo.headSha;
    const jobId = `${OWNER}/${REPO}/3/${sha}`;
    // Each worker that takes the job is killed as soon as its sandbox runs, as an OOM kill
    // of the worker would: BullMQ's stall limit (1 here) then fails the job.
    const seenContainers = new Set<string>();
    const killAtTakeover = async (worker: ChildProcess): Promise<void> => {
      await waitFor(() => containersOf(jobId).some((id) => !seenContainers.has(id)) || undefined, {
        timeoutMs: 120_000,
        what: 'a sandbox of the job on a new worker',
      });
      for (const id of containersOf(jobId)) seenContainers.add(id);
      worker.kill('SIGKILL');
      await new Promise((r) => worker.once('exit', r));
    };
    child = await startChildWorker(gh, prefix, { MAX_STALLED_COUNT: '1' });
    expect(await deliver(app.url, sha, repo.baseSha)).toBe(202);
    await killAtTakeover(child);
    child = await startChildWorker(gh, prefix, { MAX_STALLED_COUNT: '1' });
    await killAtTakeover(child);
    expect(gh.checkRuns).toHaveLength(1);
    expect(gh.checkRuns[0]?.status).toBe('in_progress');

    // A live worker notices the second stall, fails the job, and finishes its check run.
    const survivor = await startAppUnderTest({
      github: gh,
      prefix,
      lockDurationMs: 4000,
      stalledIntervalMs: 2000,
      maxStalledCount: 1,
      overrides: { image },
    });
    try {
      const run = await waitFor(() => gh.checkRuns.find((r) => r.status === 'completed'), {
        timeoutMs: 120_000,
        what: 'completed check run',
      });
      expect(run.conclusion).toBe('failure');
      expect(run.output.title).toBe("The pull request's code exhausted the worker");
      expect(run.output.summary).toMatch(/was killed before it finished/);
      expect(gh.checkRuns).toHaveLength(1);
      await waitFor(() => containersOf(jobId).length === 0 || undefined, {
        timeoutMs: 30_000,
        what: 'the leftover sandboxes removed',
      });
    } finally {
      await survivor.close();
    }
  }, 400_000);

  it('a pull request whose tree unpacks to 250 MiB keeps the worker within 300 MiB of its idle memory, and leaves nothing on disk', async () => {
    repo = createPullRequestRepo();
    // About 250 KB compressed: one large file and a hundred smaller ones, 250 MiB in all
    // (the tree cap is 256 MiB).
    const MiB = 1024 * 1024;
    const files: Record<string, Buffer> = { 'assets/blob.bin': Buffer.alloc(200 * MiB) };
    for (let i = 0; i < 100; i += 1) files[`assets/parts/part-${i}.bin`] = Buffer.alloc(MiB / 2, i);
    const headSha = repo.pushHead(files);
    github = await startFakeGitHub({ repos: [{ owner: OWNER, repo: REPO, gitDir: repo.dir }] });
    const prefix = uniquePrefix('memory');
    app = await startAppUnderTest({ github, worker: false, prefix });
    const workDir = mkdtempSync(join(tmpdir(), 'testgate-workdir-'));
    try {
      child = await startChildWorker(github, prefix, { TESTGATE_WORK_DIR: workDir });
      const pid = child.pid!;
      await new Promise((r) => setTimeout(r, 1000));
      const idle = memoryOf(pid).rssBytes;

      expect(await deliver(app.url, headSha, repo.baseSha)).toBe(202);
      const gh = github;
      const run = await waitFor(
        () => gh.checkRuns.find((r) => r.head_sha === headSha && r.status === 'completed'),
        { timeoutMs: 300_000, what: 'completed check run' },
      );
      const peak = memoryOf(pid).peakRssBytes;
      console.log(
        `worker RSS idle ${Math.round(idle / MiB)} MiB, peak ${Math.round(peak / MiB)} MiB (+${Math.round((peak - idle) / MiB)} MiB) for a 250 MiB tree`,
      );
      // The same verdict as without the large files: examples/calc's head has a broken test.
      expect(run.conclusion).toBe('failure');
      expect(peak - idle).toBeLessThan(300 * MiB);
      await waitFor(() => readdirSync(workDir).length === 0 || undefined, {
        what: 'the job workspace removed',
      });
      expect(containersOf(`${OWNER}/${REPO}/3/${headSha}`)).toEqual([]);
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  }, 400_000);

  it('installs dependencies from a private index; its password reaches no job, log, check run or comment', async () => {
    const work = mkdtempSync(join(tmpdir(), 'testgate-app-index-'));
    buildDistributions(join(work, 'files'), [
      {
        name: 'tg-private',
        version: '1.0',
        modules: { 'tg_private/__init__.py': 'def offset():\n    return 40\n' },
      },
    ]);
    const index = await startPackageIndex({
      dir: join(work, 'files'),
      auth: { user: 'ci', password: APP_PASSWORD },
    });
    const volumes = createEnvironmentVolumes();
    try {
      repo = createPullRequestRepo();
      const sha = repo.pushHead({
        'requirements.txt': 'tg-private\n',
        'calc/priv.py':
          'from tg_private import offset\n\n\ndef answer():\n    return offset() + 2\n',
        'tests/test_priv.py':
          'from calc.priv import answer\n\n\ndef test_answer():\n    assert answer() == 42\n',
      });
      github = await startFakeGitHub({ repos: [{ owner: OWNER, repo: REPO, gitDir: repo.dir }] });
      app = await startAppUnderTest({
        github,
        overrides: {
          image,
          environment: {
            volumes,
            index: { indexUrl: index.url, extraIndexUrls: [] },
            settings: {
              ...environmentSettingsFromEnv({}),
              cacheDir: join(work, 'cache', 'environments'),
              pipEnv: isolatedPipEnv(),
            },
          },
        },
      });
      expect(await deliver(app.url, sha, repo.baseSha)).toBe(202);
      const gh = github;
      const run = await waitFor(
        () => gh.checkRuns.find((r) => r.head_sha === sha && r.status === 'completed'),
        { timeoutMs: 240_000, what: 'check run' },
      );
      await waitFor(() => gh.comments.length === 1 || undefined, { what: 'comment' });
      expect(run.output.summary).toContain('1 package installed from requirements.txt');
      expect(run.output.summary).toContain('tg-private 1.0');
      expect(index.downloads()).toEqual(['/files/tg_private-1.0-py3-none-any.whl']);

      // Everything the app wrote: check runs, the comment, its logs, and every key it left in Redis.
      const redis = new Redis(REDIS_URL);
      const stored: string[] = [];
      try {
        for (const key of await redis.keys(`${app.prefix}*`)) {
          const type = await redis.type(key);
          if (type === 'hash') stored.push(JSON.stringify(await redis.hgetall(key)));
          else if (type === 'string') stored.push((await redis.get(key)) ?? '');
          else if (type === 'list') stored.push(JSON.stringify(await redis.lrange(key, 0, -1)));
          else if (type === 'zset') stored.push(JSON.stringify(await redis.zrange(key, '0', '-1')));
          else if (type === 'stream')
            stored.push(JSON.stringify(await redis.xrange(key, '-', '+')));
        }
      } finally {
        redis.disconnect();
      }
      expect(stored.join('\n')).toContain(sha);
      for (const text of [
        JSON.stringify(gh.checkRuns),
        JSON.stringify(gh.comments),
        JSON.stringify(app.logs),
        stored.join('\n'),
      ]) {
        expect(text).not.toContain(APP_PASSWORD);
      }
    } finally {
      await index.close();
      const entries = join(work, 'cache', 'environments');
      for (const name of existsSync(entries) ? readdirSync(entries) : []) {
        const entry = JSON.parse(
          readFileSync(join(work, 'cache', 'environments', name), 'utf8'),
        ) as {
          volume: string;
        };
        await volumes.remove(entry.volume);
      }
      rmSync(work, { recursive: true, force: true });
    }
  }, 300_000);
});
