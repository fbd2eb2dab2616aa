/**
 * The real worker entry point (apps/worker/src/main.ts) in a child process, configured
 * through the environment exactly as in production, so tests can send it SIGTERM and
 * watch its exit code. Also: a pull request whose PR test runs for a chosen time.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REDIS_URL, waitFor } from './github-app-harness.ts';
import {
  appPrivateKey,
  createPullRequestRepo,
  REPO_ROOT,
  type PullRequestRepo,
} from './github-fixtures.ts';
import type { FakeGitHub } from './github-server.ts';

export interface WorkerProcess {
  child: ChildProcess;
  /** Every pino line the worker wrote, parsed. */
  logs: Record<string, unknown>[];
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Resolves with the first log entry whose `msg` is `msg`. */
  waitForLog(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** SIGKILL if still running (test cleanup). */
  kill(): void;
}

/** Variables of the developer's shell that would change what the worker under test does. */
const SCRUBBED = [
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'TESTGATE_MODEL_REPLAY_DIR',
  'JOB_DEADLINE_SECONDS',
  'SHUTDOWN_GRACE_SECONDS',
  'WORKER_CONCURRENCY',
];

/** Starts `apps/worker/src/main.ts`; resolves once it logged "testgate worker ready". */
export async function startWorkerProcess(options: {
  github: FakeGitHub;
  prefix: string;
  /** Extra environment, e.g. SHUTDOWN_GRACE_SECONDS, JOB_DEADLINE_SECONDS. */
  env?: Record<string, string>;
}): Promise<WorkerProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of SCRUBBED) delete env[key];
  Object.assign(env, {
    APP_ID: String(options.github.appId),
    PRIVATE_KEY: appPrivateKey(),
    GITHUB_API_URL: options.github.url,
    REDIS_URL,
    REDIS_PREFIX: options.prefix,
    LOG_LEVEL: 'info',
    ...options.env,
  });
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'apps', 'worker', 'src', 'main.ts')],
    {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const logs: Record<string, unknown>[] = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ msg: line });
      }
      if (process.env.TESTGATE_TEST_LOG) process.stderr.write(`[worker ${child.pid}] ${line}\n`);
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>(
    (resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() }));
    },
  );
  let gone = false;
  void exited.then(() => (gone = true));

  async function waitForLog(msg: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    return waitFor(
      () => {
        const entry = logs.find((l) => l.msg === msg);
        if (entry === undefined && gone)
          throw new Error(
            `worker exited before logging "${msg}": ${JSON.stringify(logs.slice(-5))}`,
          );
        return entry;
      },
      { timeoutMs, what: `worker log "${msg}"` },
    );
  }

  const proc: WorkerProcess = {
    child,
    logs,
    exited,
    waitForLog,
    kill() {
      if (!gone) child.kill('SIGKILL');
    },
  };
  try {
    // The first start may build the sandbox image; later ones find it.
    await waitForLog('testgate worker ready', 120_000);
  } catch (error) {
    proc.kill();
    throw error;
  }
  return proc;
}

/**
 * examples/calc with one PR test that sleeps `seconds` inside the sandbox (and the
 * example's own AI tests left out, to keep the rest of the gate short). One run per test
 * and a wall limit above the sleep, so only the job deadline or a shutdown stops it early.
 */
export function createSlowPullRequestRepo(
  seconds: number,
): PullRequestRepo & { slowHeadSha: string } {
  const repo = createPullRequestRepo({
    config: `reruns: 1\nlimits:\n  wallSeconds: ${Math.ceil(seconds) + 60}\ngenerate:\n  mode: "off"\n`,
    headExclude: ['tests/test_parse_ai.py', 'tests/test_parse_broken.py'],
  });
  const slowHeadSha = repo.pushHead({
    'tests/test_parse_slow_ai.py': [
      'import time',
      '',
      'from calc import parse_amount',
      '',
      '',
      'def test_parse_amount_after_a_wait():',
      `    time.sleep(${seconds})`,
      '    assert parse_amount("3") == 3.0',
      '',
    ].join('\n'),
  });
  return { ...repo, slowHeadSha };
}

/** Ids of every container (running or not) that carries `testgate.job=<jobId>`. */
export function containersOfJob(jobId: string): string[] {
  const out = execFileSync('docker', ['ps', '-aq', '--filter', `label=testgate.job=${jobId}`])
    .toString()
    .trim();
  return out === '' ? [] : out.split('\n');
}

/** Removes our own job's containers (never anybody else's: other test files run alongside). */
export function removeContainersOfJob(jobId: string): void {
  const ids = containersOfJob(jobId);
  if (ids.length > 0) execFileSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
}
