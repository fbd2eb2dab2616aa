/**
 * `pnpm bench environment [--runs N]`: what installing a project's dependencies costs.
 *
 * A project needing requests, python-dateutil, attrs, pytz, typing-extensions and packaging
 * (11 wheels with their dependencies), served by a PEP 503 index on 127.0.0.1. The wheels
 * are this machine's real ones when its local PyPI mirror (/opt/pypi) has them, else small
 * fixture wheels. pip runs isolated from the machine's configuration and with no cache, so
 * every cold run resolves and downloads for real.
 *
 *   cold ours:  prepareEnvironment with an empty cache (discover, pip download wheels-only,
 *               setup container installing offline into a new volume, cache entry)
 *   plain pip:  one container of the same image: `pip install --no-index --find-links` of
 *               the same wheels into a fresh venv (the wheels handed in on stdin)
 *   warm ours:  prepareEnvironment again: the cache hit a gate run pays
 *
 * Medians over N runs (default 3). Last line `ratio: X` = cold ours / plain pip.
 * Targets: ratio at most 1.5, warm under 1 s.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultConfig } from '@testgate/core';
import { environmentSettingsFromEnv, prepareEnvironment } from '@testgate/environment';
import {
  createDockerRunner,
  createEnvironmentVolumes,
  ensureSandboxImage,
  packTar,
  sandboxResultError,
} from '@testgate/sandbox';
import {
  buildDistributions,
  isolatedPipEnv,
  startPackageIndex,
} from '../test/fakes/package-index.ts';

const MIRROR = '/opt/pypi';
const TOP = ['requests', 'python-dateutil', 'attrs', 'pytz', 'typing-extensions', 'packaging'];
const CLOSURE = [...TOP, 'charset-normalizer', 'idna', 'urllib3', 'certifi', 'six'];
const TARGET_RATIO = 1.5;
const TARGET_WARM_MS = 1000;

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { runs: { type: 'string' } },
});
const runs = Math.max(1, Number(values.runs ?? 3));

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Real wheels from the machine's mirror, or fixture wheels of the same names. */
function wheelDir(): { dir: string; source: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'testgate-bench-wheels-'));
  const pages = path.join(MIRROR, 'simple');
  if (
    existsSync(pages) &&
    CLOSURE.every((name) => existsSync(path.join(pages, name, 'index.html')))
  ) {
    for (const name of CLOSURE) {
      const html = readFileSync(path.join(pages, name, 'index.html'), 'utf8');
      const hrefs = [...html.matchAll(/href="([^"#]+\.whl)[^"]*"/g)].map((m) => m[1]!);
      const href = hrefs.at(-1);
      if (!href) throw new Error(`no wheel of ${name} in ${MIRROR}`);
      const file = path.resolve(pages, name, href);
      copyFileSync(file, path.join(dir, path.basename(file)));
    }
    return { dir, source: `real wheels from ${MIRROR}` };
  }
  const requires: Record<string, string[]> = {
    requests: ['charset-normalizer', 'idna', 'urllib3', 'certifi'],
    'python-dateutil': ['six'],
  };
  buildDistributions(
    dir,
    CLOSURE.map((name) => ({
      name,
      version: '1.0',
      requires: requires[name] ?? [],
      modules: Object.fromEntries(
        Array.from({ length: 20 }, (_, i) => [
          `${name.replace(/-/g, '_')}/m${i}.py`,
          `X = ${'1 + '.repeat(500)}1\n`,
        ]),
      ),
    })),
  );
  return { dir, source: 'fixture wheels (no local mirror)' };
}

const image = await ensureSandboxImage();
const runner = createDockerRunner();
const volumes = createEnvironmentVolumes();
const { dir, source } = wheelDir();
const index = await startPackageIndex({ dir });
const wheels = readdirSync(dir).filter((name) => name.endsWith('.whl'));
const head = {
  kind: 'files' as const,
  files: {
    'pyproject.toml': `[project]\nname = "bench"\nversion = "0"\ndependencies = [${TOP.map((t) => JSON.stringify(t)).join(', ')}]\n`,
    'bench.py': 'import requests\n',
  },
};
const base = environmentSettingsFromEnv({});
const pipEnv = isolatedPipEnv();
const created: string[] = [];

async function ours(
  cacheDir: string,
): Promise<{ ms: number; cacheHit: boolean; packages: number }> {
  const started = performance.now();
  const prepared = await prepareEnvironment({
    runner,
    volumes,
    image,
    head,
    config: defaultConfig.environment,
    index: { indexUrl: index.url, extraIndexUrls: [] },
    settings: { ...base, cacheDir, pipEnv },
  });
  const ms = performance.now() - started;
  if (prepared.harness) created.push(prepared.harness.volume);
  return { ms, cacheHit: prepared.summary.cacheHit, packages: prepared.summary.packages.length };
}

async function plainPip(): Promise<number> {
  const input = await packTar(
    wheels.map((name) => ({ name: `wheels/${name}`, content: readFileSync(path.join(dir, name)) })),
  );
  const script = [
    'set -e',
    `python3 -c "import sys, tarfile; tarfile.open(fileobj=sys.stdin.buffer, mode='r|').extractall('/work')"`,
    'python3 -m venv --without-pip /tmp/venv',
    `PIP_CONFIG_FILE=/dev/null python3 -m pip --python /tmp/venv/bin/python install --no-index --find-links /work/wheels --no-cache-dir --disable-pip-version-check -q ${TOP.join(' ')}`,
  ].join('\n');
  const started = performance.now();
  const result = await runner.run({
    image,
    cmd: ['sh', '-c', script],
    stdin: input,
    labels: { 'testgate.mode': 'bench-plain-pip' },
    limits: { memoryBytes: 1024 * 2 ** 20, deadlineMs: 300_000 },
  });
  const ms = performance.now() - started;
  const error = sandboxResultError(result, 'plain pip install');
  if (error) throw error;
  return ms;
}

const cold: number[] = [];
const plain: number[] = [];
const warm: number[] = [];
try {
  console.log(`environment bench: ${wheels.length} wheels (${source}), ${runs} runs each`);
  for (let run = 0; run < runs; run++) {
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'testgate-bench-cache-'));
    mkdirSync(cacheDir, { recursive: true });
    const first = await ours(cacheDir);
    if (first.cacheHit) throw new Error('a cold run hit the cache');
    cold.push(first.ms);
    const again = await ours(cacheDir);
    if (!again.cacheHit) throw new Error('the second run missed the cache');
    warm.push(again.ms);
    plain.push(await plainPip());
    console.log(
      `  run ${run + 1}: cold ours ${Math.round(first.ms)} ms (${first.packages} packages), plain pip ${Math.round(plain.at(-1)!)} ms, warm ours ${Math.round(again.ms)} ms`,
    );
    rmSync(cacheDir, { recursive: true, force: true });
  }
} finally {
  for (const volume of created) await volumes.remove(volume).catch(() => undefined);
  await index.close();
  rmSync(dir, { recursive: true, force: true });
}
const ratio = median(cold) / median(plain);
console.log(`cold ours:  ${Math.round(median(cold))} ms (median)`);
console.log(`plain pip:  ${Math.round(median(plain))} ms (median)`);
console.log(
  `warm ours:  ${Math.round(median(warm))} ms (median; target under ${TARGET_WARM_MS} ms: ${median(warm) < TARGET_WARM_MS ? 'met' : 'NOT met'})`,
);
console.log(`target ratio: at most ${TARGET_RATIO} (${ratio <= TARGET_RATIO ? 'met' : 'NOT met'})`);
console.log(`ratio: ${ratio.toFixed(2)}`);
