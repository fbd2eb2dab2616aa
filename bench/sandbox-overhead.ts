/**
 * `pnpm bench sandbox-overhead [--runs N] [--warmup N]`: what the sandbox costs. The
 * example's evaluation (examples/calc, base = main~1, head = main) runs N times through
 * `runHarness` in a sealed container, timed end to end (packing, container create, start,
 * stdin, run, removal), and N times bare on the host: the SAME harness
 * (docker/sandbox/harness/main.py) under Debian's /usr/bin/python3 with the same Debian
 * pytest, coverage, pytest-cov, Bandit and Hypothesis, fed the same tar on stdin, in a fresh
 * TESTGATE_WORKDIR. Only the container differs. The paths alternate; the two reports must
 * agree (test node ids and outcomes, flaky tests aside). Last line: `ratio: X` = sandboxed
 * median wall time / bare median wall time. Target: at most 1.5.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { EvaluationEvidence } from '@testgate/core';
import {
  DEFAULT_LIMITS,
  SANDBOX_ENV,
  createDockerRunner,
  ensureSandboxImage,
  isSandboxError,
  packHarnessInput,
  collectStream,
  parseHarnessReport,
  parseProgressLine,
  runHarness,
} from '@testgate/sandbox';
import type {
  SandboxRunResult,
  SandboxRunTimings,
  SandboxRunner,
  TreeInput,
} from '@testgate/sandbox';

const execFileAsync = promisify(execFile);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const harnessMain = path.join(root, 'docker', 'sandbox', 'harness', 'main.py');
const exampleDir = path.join(root, '.cache', 'examples', 'calc');
const HOST_PYTHON = '/usr/bin/python3';
const GNU_TIME = '/usr/bin/time';
const HOST_PACKAGES = [
  'python3-pytest',
  'python3-coverage',
  'python3-pytest-cov',
  'bandit',
  'python3-hypothesis',
  // The kernel guard every test child installs (libseccomp's binding).
  'python3-seccomp',
];
/** The settings of a default .github/testgate.yml, as run-gate sends them. */
const SETTINGS = { reruns: 3 } as const;
const TARGET = 1.5;

type Path = 'sandboxed' | 'bare';

interface Sample {
  path: Path;
  wallMs: number;
  /** The harness's own evidence.durationMs: diff to evidence, inside the interpreter. */
  harnessMs: number;
  /** Wall ms spent per harness progress phase; `start` = until the first progress line. */
  phases: Record<string, number>;
  timings?: SandboxRunTimings;
  /** CPU the whole run used (container cgroup / harness + its children), when measurable. */
  cpuMs?: number;
  /** cgroup v1 cpu.stat: time the container's CPU quota held it back. */
  throttledMs?: number;
  report: EvaluationEvidence;
}

/** Sums over every test run of a report: CPU the child used against the wall time it took. */
function testTime(report: EvaluationEvidence): { cpuMs: number; wallMs: number } {
  let cpuMs = 0;
  let wallMs = 0;
  for (const test of report.tests) {
    for (const run of test.runs) {
      cpuMs += run.cpuMs;
      wallMs += run.durationMs;
    }
  }
  return { cpuMs, wallMs };
}

class BenchError extends Error {
  readonly code: 'HOST_TOOLS_MISSING' | 'BARE_HARNESS_FAILED' | 'REPORTS_DISAGREE';
  constructor(code: BenchError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BenchError';
    this.code = code;
  }
}

function argValue(flag: string, fallback: number, min: number): number {
  const i = process.argv.indexOf(flag);
  const raw = i >= 0 ? process.argv[i + 1] : undefined;
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`${flag} needs an integer >= ${min}, got ${raw}`);
  return value;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Installs the Debian tools the bare path needs, once; apt-get is idempotent but slow, so probe first. */
async function ensureHostTools(): Promise<string> {
  const probe = [
    '-I',
    '-c',
    'import pytest, coverage, pytest_cov, hypothesis, bandit, seccomp; print(pytest.__version__, coverage.__version__, bandit.__version__)',
  ];
  try {
    return (await execFileAsync(HOST_PYTHON, probe)).stdout.trim();
  } catch {
    // fall through to the install
  }
  const install = `apt-get install -y ${HOST_PACKAGES.join(' ')}`;
  if (process.getuid?.() !== 0) {
    throw new BenchError(
      'HOST_TOOLS_MISSING',
      `the bare path needs Debian's Python tools on the host; run: sudo ${install}`,
    );
  }
  console.log(`installing the host tools: ${install}`);
  try {
    await execFileAsync('apt-get', ['install', '-y', ...HOST_PACKAGES], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      maxBuffer: 64 * 1024 * 1024,
    });
    return (await execFileAsync(HOST_PYTHON, probe)).stdout.trim();
  } catch (error) {
    throw new BenchError(
      'HOST_TOOLS_MISSING',
      `could not install the host tools; run: ${install} (after apt-get update)`,
      {
        cause: error,
      },
    );
  }
}

async function exampleTrees(): Promise<{ base: TreeInput; head: TreeInput }> {
  await execFileAsync(
    'bash',
    [path.join(root, 'scripts', 'make-example-repo.sh'), 'calc', exampleDir],
    { cwd: root },
  );
  const archive = async (ref: string): Promise<Buffer> =>
    (
      await execFileAsync('git', ['-C', exampleDir, 'archive', '--format=tar', ref], {
        encoding: 'buffer',
        maxBuffer: 256 * 1024 * 1024,
      })
    ).stdout;
  return {
    base: { kind: 'tar', tar: await archive('main~1') },
    head: { kind: 'tar', tar: await archive('main') },
  };
}

/** Turns timestamped progress phases into wall ms per phase, from the run's start to its end. */
class PhaseClock {
  private readonly started = performance.now();
  private current = 'start';
  private since = this.started;
  readonly phases: Record<string, number> = {};

  enter(phase: string): void {
    if (phase === this.current) return;
    this.close();
    this.current = phase;
  }

  /** Closes the running phase; what follows the last progress line is `end` (exit, removal, parsing). */
  finish(): number {
    this.enter('end');
    this.close();
    return performance.now() - this.started;
  }

  private close(): void {
    const now = performance.now();
    this.phases[this.current] = (this.phases[this.current] ?? 0) + (now - this.since);
    this.since = now;
  }
}

/**
 * Follows the container's cgroup v1 counters while it runs (they vanish with it): CPU used
 * and time throttled by the quota. Best effort: nothing is reported where they are unreadable.
 */
function watchContainerCgroup(label: string): {
  stop: () => Promise<{ cpuMs: number; throttledMs: number } | undefined>;
} {
  let id: string | undefined;
  let last: { cpuMs: number; throttledMs: number } | undefined;
  let stopped = false;
  const poll = async (): Promise<void> => {
    while (!stopped) {
      try {
        if (id === undefined) {
          const { stdout } = await execFileAsync('docker', [
            'ps',
            '-q',
            '--no-trunc',
            '--filter',
            `label=testgate.bench-run=${label}`,
          ]);
          id = stdout.trim().split('\n')[0] || undefined;
        }
        if (id !== undefined) {
          const usage = await readFile(`/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`, 'utf8');
          const stat = await readFile(`/sys/fs/cgroup/cpu/docker/${id}/cpu.stat`, 'utf8');
          const throttled = /^throttled_time (\d+)$/m.exec(stat)?.[1];
          last = { cpuMs: Number(usage) / 1e6, throttledMs: Number(throttled ?? 0) / 1e6 };
        }
      } catch {
        // not started yet, already gone, or not cgroup v1
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  const running = poll();
  return {
    stop: async () => {
      stopped = true;
      await running;
      return last;
    },
  };
}

async function runSandboxed(
  runner: SandboxRunner,
  image: string,
  trees: { base: TreeInput; head: TreeInput },
  cpus: number | undefined,
): Promise<Sample> {
  const clock = new PhaseClock();
  let timings: SandboxRunTimings | undefined;
  const runLabel = randomBytes(8).toString('hex');
  const cgroup = watchContainerCgroup(runLabel);
  let report: EvaluationEvidence;
  try {
    report = await runHarness(runner, {
      mode: 'evaluate',
      image,
      base: trees.base,
      head: trees.head,
      settings: SETTINGS,
      ...(cpus === undefined ? {} : { limits: { cpus } }),
      labels: { 'testgate.bench': 'sandbox-overhead', 'testgate.bench-run': runLabel },
      onProgress: (event) => clock.enter(event.phase),
      onRunResult: (result) => {
        timings = result.timings;
      },
    });
  } catch (error) {
    await cgroup.stop();
    throw error;
  }
  const wallMs = clock.finish();
  const cpu = await cgroup.stop();
  return {
    path: 'sandboxed',
    wallMs,
    harnessMs: report.durationMs,
    phases: clock.phases,
    ...(timings === undefined ? {} : { timings }),
    ...(cpu === undefined ? {} : cpu),
    report,
  };
}

/**
 * A container SIGKILLed from outside (exit 137, no OOM, no deadline) is not a result: on a
 * shared engine another process's reaper (`reapSandboxes({ olderThanMs: 0 })`) removes every
 * app=testgate container. Such a run is retried, twice at most, and said so.
 */
async function sandboxedWithRetry(
  runner: SandboxRunner,
  image: string,
  trees: { base: TreeInput; head: TreeInput },
  cpus: number | undefined,
): Promise<Sample> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await runSandboxed(runner, image, trees, cpus);
    } catch (error) {
      const evidence = isSandboxError(error) ? error.evidence : undefined;
      const killed = evidence?.exitCode === 137 && !evidence.oomKilled && !evidence.timedOut;
      if (!killed || attempt > 2) throw error;
      console.log(
        `sandboxed run killed from outside (exit 137, not OOM, not its deadline); retrying`,
      );
    }
  }
}

/** The same harness, the same stdin, the container's environment; only the workdir moves. */
async function runBare(trees: { base: TreeInput; head: TreeInput }): Promise<Sample> {
  const clock = new PhaseClock();
  const nonce = randomBytes(16).toString('hex');
  const stdin = await collectStream(
    await packHarnessInput({
      mode: 'evaluate',
      nonce,
      base: trees.base,
      head: trees.head,
      settings: SETTINGS,
    }),
  );
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'testgate-bare-'));
  try {
    const env: Record<string, string> = {};
    for (const pair of SANDBOX_ENV) {
      const eq = pair.indexOf('=');
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    env['HOME'] = path.join(scratch, 'home');
    env['TMPDIR'] = path.join(scratch, 'tmp');
    env['TESTGATE_WORKDIR'] = path.join(scratch, 'work');
    await mkdir(env['HOME']);
    await mkdir(env['TMPDIR']);
    // GNU time (a small C program) reports the CPU of the harness and every child it reaped.
    const timeFile = path.join(scratch, 'cpu');
    const argv = existsSync(GNU_TIME)
      ? [GNU_TIME, '-o', timeFile, '-f', '%U %S', HOST_PYTHON, '-I', harnessMain]
      : [HOST_PYTHON, '-I', harnessMain];
    const child = spawn(argv[0] ?? HOST_PYTHON, argv.slice(1), {
      cwd: scratch,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      pending += chunk.toString('utf8');
      let index = pending.indexOf('\n');
      while (index !== -1) {
        const event = parseProgressLine(pending.slice(0, index));
        if (event) clock.enter(event.phase);
        pending = pending.slice(index + 1);
        index = pending.indexOf('\n');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const exited = new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve(code));
    });
    child.stdin.on('error', () => undefined); // an early exit shows in the exit code
    child.stdin.end(stdin);
    const exitCode = await exited;
    const out = Buffer.concat(stdout).toString('utf8');
    const stderrTail = Buffer.concat(stderr).toString('utf8').slice(-8192);
    if (exitCode !== 0) {
      throw new BenchError(
        'BARE_HARNESS_FAILED',
        `the bare harness exited ${exitCode}: ${stderrTail}`,
      );
    }
    const result: SandboxRunResult = {
      exitCode,
      stdout: out,
      stdoutTail: out.slice(-8192),
      stderrTail,
      timedOut: false,
      oomKilled: false,
      outputLimitHit: null,
      durationMs: 0,
      containerId: 'bare',
      timings: { createMs: 0, startMs: 0, runMs: 0, removeMs: 0 },
    };
    const report = parseHarnessReport('evaluate', nonce, result);
    const times = await readFile(timeFile, 'utf8').catch(() => '');
    const [user, sys] = times.trim().split('\n').at(-1)?.split(' ').map(Number) ?? [];
    const cpuMs =
      user !== undefined && sys !== undefined && Number.isFinite(user + sys)
        ? (user + sys) * 1000
        : undefined;
    // The container's /work vanishes with the container; the bare workdir is removed inside the timing too.
    await rm(scratch, { recursive: true, force: true });
    const wallMs = clock.finish();
    return {
      path: 'bare',
      wallMs,
      harnessMs: report.durationMs,
      phases: clock.phases,
      ...(cpuMs === undefined ? {} : { cpuMs }),
      report,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** nodeid -> outcomes of its runs; a test whose runs differ is flaky. */
function outcomes(report: EvaluationEvidence): Map<string, string[]> {
  return new Map(report.tests.map((test) => [test.nodeid, test.runs.map((run) => run.outcome)]));
}

/** Both paths must judge the same tests the same way, or the timing compares different work. */
function compareReports(sandboxed: EvaluationEvidence, bare: EvaluationEvidence): string[] {
  const problems: string[] = [];
  const a = outcomes(sandboxed);
  const b = outcomes(bare);
  for (const id of a.keys()) if (!b.has(id)) problems.push(`${id}: only in the sandboxed report`);
  for (const id of b.keys()) if (!a.has(id)) problems.push(`${id}: only in the bare report`);
  const flaky = (runs: string[]): boolean => new Set(runs).size > 1;
  for (const [id, runsA] of a) {
    const runsB = b.get(id);
    if (!runsB || flaky(runsA) || flaky(runsB)) continue;
    if (runsA[0] !== runsB[0]) problems.push(`${id}: ${runsA[0]} sandboxed, ${runsB[0]} bare`);
  }
  const errors = (report: EvaluationEvidence): string =>
    report.files
      .map((file) => `${file.path}:${file.collected}:${file.error === undefined ? 'ok' : 'error'}`)
      .join(' ');
  if (errors(sandboxed) !== errors(bare))
    problems.push(`collection differs: ${errors(sandboxed)} vs ${errors(bare)}`);
  return problems;
}

function fmt(ms: number): string {
  return `${Math.round(ms)} ms`;
}

function phaseSummary(samples: readonly Sample[]): string {
  const names = [...new Set(samples.flatMap((sample) => Object.keys(sample.phases)))];
  return names
    .map((name) => `${name} ${fmt(median(samples.map((sample) => sample.phases[name] ?? 0)))}`)
    .join(', ');
}

async function main(): Promise<void> {
  const runs = argValue('--runs', 3, 1);
  const warmup = argValue('--warmup', 1, 0);
  // Diagnostic only: overrides the container's CPU quota (default DEFAULT_LIMITS.cpus), to
  // separate the quota's share of the overhead from the rest.
  const cpusFlag = process.argv.indexOf('--cpus');
  const cpus = cpusFlag >= 0 ? Number(process.argv[cpusFlag + 1]) : undefined;
  if (cpus !== undefined && !(cpus > 0)) throw new Error('--cpus needs a positive number');
  const tools = await ensureHostTools();
  const trees = await exampleTrees();
  const image = await ensureSandboxImage();
  const runner = createDockerRunner();
  const hostCpus = os.cpus().length;
  const loadAtStart = os.loadavg()[0] ?? 0;
  const load = (): string =>
    os
      .loadavg()
      .map((value) => value.toFixed(1))
      .join(' ');
  console.log(
    `sandbox-overhead: examples/calc evaluate (reruns ${SETTINGS.reruns}), ${runs} run(s) per path after ${warmup} warm-up`,
  );
  console.log(
    `image ${image}; host ${HOST_PYTHON} (pytest, coverage, bandit: ${tools}); ${hostCpus} host CPUs, ` +
      `container quota ${cpus ?? DEFAULT_LIMITS.cpus} CPUs; load average ${load()}`,
  );

  const samples: Sample[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const counted = i >= warmup;
    // Alternate which path goes first, so neither always inherits a warm page cache.
    const order: Path[] = i % 2 === 0 ? ['sandboxed', 'bare'] : ['bare', 'sandboxed'];
    for (const which of order) {
      const sample =
        which === 'sandboxed'
          ? await sandboxedWithRetry(runner, image, trees, cpus)
          : await runBare(trees);
      const tests = testTime(sample.report);
      const timing = sample.timings
        ? ` (create ${fmt(sample.timings.createMs)}, start ${fmt(sample.timings.startMs)}, run ${fmt(sample.timings.runMs)}, remove ${fmt(sample.timings.removeMs)})`
        : '';
      console.log(
        `${counted ? `run ${i - warmup + 1}` : 'warm-up'} ${which.padEnd(9)} ${fmt(sample.wallMs).padStart(8)}, harness ${fmt(sample.harnessMs)}, ` +
          `${sample.cpuMs === undefined ? '' : `cpu ${fmt(sample.cpuMs)}, `}` +
          `${sample.throttledMs === undefined ? '' : `quota-throttled ${fmt(sample.throttledMs)}, `}` +
          `${sample.report.tests.length} tests, test runs cpu ${fmt(tests.cpuMs)} / wall ${fmt(tests.wallMs)}${timing}`,
      );
      if (counted) samples.push(sample);
    }
  }

  const sandboxed = samples.filter((sample) => sample.path === 'sandboxed');
  const bare = samples.filter((sample) => sample.path === 'bare');
  const problems = new Set<string>();
  for (const s of sandboxed)
    for (const b of bare)
      for (const problem of compareReports(s.report, b.report)) problems.add(problem);
  if (problems.size > 0) {
    throw new BenchError(
      'REPORTS_DISAGREE',
      `the sandboxed and bare reports disagree:\n  ${[...problems].join('\n  ')}`,
    );
  }
  const first = sandboxed[0]?.report;
  console.log(
    `reports agree: ${first?.tests.length ?? 0} tests, ${first?.files.length ?? 0} files, outcomes identical`,
  );

  const sMedian = median(sandboxed.map((sample) => sample.wallMs));
  const bMedian = median(bare.map((sample) => sample.wallMs));
  console.log(`\nphases (median wall ms): sandboxed: ${phaseSummary(sandboxed)}`);
  console.log(`                         bare:      ${phaseSummary(bare)}`);
  const t = (key: keyof SandboxRunTimings): string =>
    fmt(median(sandboxed.map((sample) => sample.timings?.[key] ?? 0)));
  console.log(
    `container (median): create+attach ${t('createMs')}, start ${t('startMs')}, run ${t('runMs')}, remove ${t('removeMs')}`,
  );
  const sHarness = median(sandboxed.map((sample) => sample.harnessMs));
  const bHarness = median(bare.map((sample) => sample.harnessMs));
  console.log(
    `inside the harness (median): sandboxed ${fmt(sHarness)}, bare ${fmt(bHarness)} (x${(sHarness / bHarness).toFixed(2)}); ` +
      `outside it: sandboxed ${fmt(sMedian - sHarness)}, bare ${fmt(bMedian - bHarness)}`,
  );
  const cpuOf = (list: readonly Sample[]): number =>
    median(list.map((sample) => testTime(sample.report).cpuMs));
  const wallOf = (list: readonly Sample[]): number =>
    median(list.map((sample) => testTime(sample.report).wallMs));
  // CPU close to equal but wall far apart means the children waited for a CPU (quota, host
  // load: on cgroup v1 every container shares the one `docker` group's CPU weight), not more work.
  console.log(
    `test runs (median sums): cpu sandboxed ${fmt(cpuOf(sandboxed))}, bare ${fmt(cpuOf(bare))}; ` +
      `wall sandboxed ${fmt(wallOf(sandboxed))}, bare ${fmt(wallOf(bare))}; load average now ${load()}`,
  );
  const total = (list: readonly Sample[], key: 'cpuMs' | 'throttledMs'): string => {
    const values = list
      .map((sample) => sample[key])
      .filter((value): value is number => value !== undefined);
    return values.length === list.length ? fmt(median(values)) : 'n/a';
  };
  console.log(
    `whole run CPU (median): sandboxed ${total(sandboxed, 'cpuMs')} (quota-throttled ${total(sandboxed, 'throttledMs')}), bare ${total(bare, 'cpuMs')}`,
  );
  if (Math.max(loadAtStart, os.loadavg()[0] ?? 0) > hostCpus) {
    // On cgroup v1 (cgroupfs driver) all containers share the `docker` group's one cpu.shares
    // against every runnable host task, so a busy host starves the sandbox more than bare processes.
    console.log(
      `note: the host was busy (load average above ${hostCpus} CPUs): the gap is mostly waiting for a CPU; ` +
        `compare the CPU figures above, and rerun on an idle host for the headline ratio`,
    );
  }
  console.log(
    `median wall: sandboxed ${fmt(sMedian)}, bare ${fmt(bMedian)} (target ratio <= ${TARGET})`,
  );
  console.log(`ratio: ${(sMedian / bMedian).toFixed(2)}`);
}

await main();
