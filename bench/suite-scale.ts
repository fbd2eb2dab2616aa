/**
 * `pnpm bench suite-scale [--runs N] [--no-app]`: what judging a large suite costs against
 * running it. The bundled PR (bench/data/suite-scale, written by its generate.py) adds 200
 * plain, passing pytest tests of a small text package, 40 of them of functions the PR did
 * not change. It is judged N times by the gate (`runGate`, `--generate off`, the default 3
 * reruns), and N times bare in the same sandbox image and limits: three
 * `python3 -m pytest --cov --cov-branch --cov-context=test` runs plus one Bandit run in one
 * container, fed the same head tree. Both paths pay their containers. Prints both wall
 * times, the containers' CPU (the docker cgroup), the gate's per-phase breakdown and, unless
 * --no-app, the latency through the GitHub App (needs Redis on 127.0.0.1:6379) (signed webhook to completed check run,
 * against the fake GitHub) next to it. Last line: `ratio: X` = gate median wall / bare
 * median wall. Target: at most 2 (stretch: 1.2).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '@testgate/core';
import type { GateReport } from '@testgate/core';
import { runGate } from '@testgate/pipeline';
import {
  createDockerRunner,
  ensureSandboxImage,
  sandboxResultError,
  packTarStream,
  listTree,
} from '@testgate/sandbox';
import type { TreeInput } from '@testgate/sandbox';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.join(root, 'bench', 'data', 'suite-scale');
const TARGET = 2;
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] ?? 0) || 3;
const withApp = !args.includes('--no-app');

const base: TreeInput = { kind: 'dir', path: path.join(dataDir, 'base') };
const head: TreeInput = { kind: 'dir', path: path.join(dataDir, 'head') };

/** CPU all containers used, from the docker cgroup's counter (cgroup v1), in ms. */
function containersCpuMs(): number | undefined {
  try {
    return Number(readFileSync('/sys/fs/cgroup/cpuacct/docker/cpuacct.usage', 'utf8')) / 1e6;
  } catch {
    return undefined;
  }
}

interface Sample {
  wallMs: number;
  cpuMs?: number;
  phases: Record<string, number>;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const fmt = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

const image = await ensureSandboxImage();
const runner = createDockerRunner();
// Like for like: the bare path runs the tests 3 times with coverage plus Bandit, which is what
// the gate does with the strength step off. The default config (with it) is timed apart.
const config = parseConfig('require:\n  strength: false\nstrength:\n  baseRuns: false\n');
const defaultConfig = parseConfig('');

/** The harness's own breakdown of its last evaluate run (its `timings` event). */
let harnessTimings = '';

async function judgeOnce(gateConfig = config): Promise<Sample & { report: GateReport }> {
  const phases: Record<string, number> = {};
  let phase = 'start';
  let phaseStart = Date.now();
  const cpu0 = containersCpuMs();
  const t0 = Date.now();
  const report = await runGate({
    runner,
    image,
    base,
    head,
    config: gateConfig,
    generate: 'off',
    onProgress(event) {
      if (event.phase === 'timings') {
        harnessTimings = event.message;
        return;
      }
      if (event.phase === phase) return;
      const now = Date.now();
      phases[phase] = (phases[phase] ?? 0) + (now - phaseStart);
      phase = event.phase;
      phaseStart = now;
    },
  });
  const wallMs = Date.now() - t0;
  phases[phase] = (phases[phase] ?? 0) + (Date.now() - phaseStart);
  const cpu1 = containersCpuMs();
  return {
    wallMs,
    phases,
    report,
    ...(cpu0 === undefined || cpu1 === undefined ? {} : { cpuMs: cpu1 - cpu0 }),
  };
}

const BARE_SCRIPT = [
  'set -e',
  'mkdir -p /work/head && tar -x -C /work/head',
  'cd /work/head',
  'for i in 1 2 3; do python3 -m pytest -q -p no:cacheprovider --cov=textkit --cov-branch --cov-context=test tests > /dev/null; done',
  'bandit -q -r textkit tests > /dev/null || true',
  'echo bare-done',
].join('\n');

async function bareOnce(): Promise<Sample> {
  const listing = await listTree(head);
  const stdin = packTarStream(
    listing.entries.map((entry) => ({ name: entry.path, content: entry })),
  );
  const cpu0 = containersCpuMs();
  const t0 = Date.now();
  const result = await runner.run({ image, cmd: ['sh', '-c', BARE_SCRIPT], stdin });
  const wallMs = Date.now() - t0;
  const cpu1 = containersCpuMs();
  const error = sandboxResultError(result, 'bare pytest');
  if (error || !result.stdout.includes('bare-done')) {
    throw new Error(`the bare run failed: ${error?.message ?? result.stderrTail}`);
  }
  return {
    wallMs,
    phases: {},
    ...(cpu0 === undefined || cpu1 === undefined ? {} : { cpuMs: cpu1 - cpu0 }),
  };
}

console.log(`suite-scale: 200 tests, ${runs} run(s) of each path, alternating`);
const gate: Sample[] = [];
const bare: Sample[] = [];
let lastReport: GateReport | undefined;
for (let i = 0; i < runs; i += 1) {
  const judged = await judgeOnce();
  lastReport = judged.report;
  gate.push(judged);
  bare.push(await bareOnce());
  console.log(
    `  run ${i + 1}: gate ${fmt(judged.wallMs)}${judged.cpuMs === undefined ? '' : ` (cpu ${fmt(judged.cpuMs)})`}, ` +
      `bare ${fmt(bare.at(-1)!.wallMs)}${bare.at(-1)!.cpuMs === undefined ? '' : ` (cpu ${fmt(bare.at(-1)!.cpuMs!)})`}`,
  );
}
const judgedTests = lastReport?.tests.length ?? 0;
console.log(
  `gate verdict: ${lastReport?.verdict} (${judgedTests} tests judged, ${lastReport?.tests.filter((t) => t.status === 'accepted').length ?? 0} accepted)`,
);
const phaseNames = [...new Set(gate.flatMap((sample) => Object.keys(sample.phases)))];
console.log('gate phases (median wall):');
for (const name of phaseNames) {
  console.log(
    `  ${name.padEnd(12)} ${fmt(median(gate.map((sample) => sample.phases[name] ?? 0)))}`,
  );
}
console.log(`harness timings (last run): ${harnessTimings}`);
const gateMs = median(gate.map((sample) => sample.wallMs));
const bareMs = median(bare.map((sample) => sample.wallMs));
const cpuOf = (samples: Sample[]): string =>
  samples.every((sample) => sample.cpuMs !== undefined)
    ? `, cpu ${fmt(median(samples.map((sample) => sample.cpuMs!)))}`
    : '';
console.log(`gate: wall ${fmt(gateMs)}${cpuOf(gate)}`);
console.log(
  `bare: wall ${fmt(bareMs)}${cpuOf(bare)} (3 pytest --cov runs + 1 Bandit, one container)`,
);

if (withApp) {
  const latencyMs = await appLatencyMs();
  console.log(
    `app: signed webhook -> completed check run ${fmt(latencyMs)} (bare pytest of the same tests ${fmt(bareMs)})`,
  );
}

const withStrength = await judgeOnce(defaultConfig);
console.log(
  `gate with the default config (test strength on: base runs and mutants): wall ${fmt(withStrength.wallMs)} ` +
    `(+${fmt(withStrength.wallMs - gateMs)}; ${withStrength.report.strength?.mutants ?? 0} mutants, ` +
    `${withStrength.report.strength?.notRun ?? 0} not run within the budget)`,
);

const ratio = gateMs / bareMs;
console.log(`target: at most ${TARGET} (stretch 1.2)`);
console.log(`ratio: ${ratio.toFixed(2)}`);

/**
 * The same PR through the GitHub App: a git repo of base and head, the fake GitHub over
 * HTTP, the real server and worker on Redis; from the signed `opened` delivery to the
 * completed check run. The repo's config turns generation off, as for the gate above.
 */
async function appLatencyMs(): Promise<number> {
  const { startFakeGitHub } = await import('../test/fakes/github-server.ts');
  const { startAppUnderTest, waitFor, WEBHOOK_SECRET } =
    await import('../test/fakes/github-app-harness.ts');
  const { pullRequestPayload, signedDelivery } = await import('../test/fakes/github-fixtures.ts');
  const gitDir = mkdtempSync(path.join(os.tmpdir(), 'testgate-bench-app-'));
  const git = (...argv: string[]): string =>
    execFileSync('git', ['-C', gitDir, ...argv], {
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'bench',
        GIT_AUTHOR_EMAIL: 'bench@example.invalid',
        GIT_COMMITTER_NAME: 'bench',
        GIT_COMMITTER_EMAIL: 'bench@example.invalid',
      },
    })
      .toString()
      .trim();
  try {
    git('init', '-q', '-b', 'main');
    cpSync(path.join(dataDir, 'base'), gitDir, { recursive: true });
    mkdirSync(path.join(gitDir, '.github'));
    writeFileSync(path.join(gitDir, '.github', 'testgate.yml'), 'generate:\n  mode: off\n');
    git('add', '-A');
    git('commit', '-q', '-m', 'base');
    const baseSha = git('rev-parse', 'HEAD');
    git('checkout', '-q', '-b', 'feature');
    cpSync(path.join(dataDir, 'head'), gitDir, { recursive: true });
    git('add', '-A');
    git('commit', '-q', '-m', 'head');
    const headSha = git('rev-parse', 'HEAD');
    const github = await startFakeGitHub({ repos: [{ owner: 'bench', repo: 'textkit', gitDir }] });
    const app = await startAppUnderTest({ github, overrides: { image } });
    try {
      const payload = pullRequestPayload({
        action: 'opened',
        owner: 'bench',
        repo: 'textkit',
        number: 1,
        headSha,
        baseSha,
        installationId: 1,
      });
      const delivery = await signedDelivery({
        secret: WEBHOOK_SECRET,
        event: 'pull_request',
        payload,
      });
      const t0 = Date.now();
      const response = await fetch(`${app.url}/api/github/webhooks`, {
        method: 'POST',
        headers: delivery.headers,
        body: delivery.body,
      });
      if (response.status !== 202)
        throw new Error(`the App answered the delivery ${response.status}`);
      const run = await waitFor(
        () => github.checkRuns.find((r) => r.head_sha === headSha && r.status === 'completed'),
        { timeoutMs: 600_000, what: 'the completed check run' },
      );
      const latency = Date.now() - t0;
      console.log(`app: check run ${run.conclusion}: ${run.output.title}`);
      return latency;
    } finally {
      await app.close();
      await github.close();
    }
  } finally {
    rmSync(gitDir, { recursive: true, force: true });
  }
}
