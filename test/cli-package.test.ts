/**
 * The published CLI as a user gets it: `pnpm pack` in apps/cli, `npm install -g` of the
 * tarball into an empty prefix (offline: the package has no dependencies), then the
 * installed `testgate` judging the example repository in a directory outside the monorepo,
 * with no workspace links and no tsx. Real git, real Docker, real sandbox image.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ensureSandboxImage, sandboxImageTags } from '@testgate/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../apps/cli/scripts/build.ts';
import { buildExampleRepo, createGitRepo, REPO_ROOT } from '../apps/cli/src/example-repo.ts';
import { containersLeftBy } from '../apps/cli/test/run-cli.ts';

const CLI_DIR = join(REPO_ROOT, 'apps', 'cli');
const VERSION = (
  JSON.parse(readFileSync(join(CLI_DIR, 'package.json'), 'utf8')) as { version: string }
).version;
const work = mkdtempSync(join(tmpdir(), 'testgate-package-'));
const prefix = join(work, 'prefix');
const bin = join(prefix, 'bin', 'testgate');
const installed = join(prefix, 'lib', 'node_modules', 'testgate');
const timings: Record<string, number> = {};
let tarball: string;

interface Run {
  pid: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The installed bin, run as a user's shell would: its PATH, no NODE_PATH, no tsx. */
function runInstalled(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const base: NodeJS.ProcessEnv = {
    PATH: [join(prefix, 'bin'), ...(process.env['PATH'] ?? '').split(delimiter)].join(delimiter),
    HOME: work,
    CI: 'true',
    ...(process.env['DOCKER_HOST'] ? { DOCKER_HOST: process.env['DOCKER_HOST'] } : {}),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      cwd: work,
      env: { ...base, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGINT'), 150_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ pid: child.pid ?? -1, code, stdout, stderr });
    });
  });
}

function timed<T>(name: string, fn: () => T): T {
  const started = performance.now();
  try {
    return fn();
  } finally {
    timings[name] = Math.round(performance.now() - started);
  }
}

const pids: number[] = [];
let example: Run;
let exampleJson: {
  verdict: string;
  tests: { nodeid: string; status: string; reasons: string[] }[];
};

beforeAll(async () => {
  await ensureSandboxImage();
  await buildCli({ log: () => undefined });
  const packDir = join(work, 'pack');
  // prepack builds too: the stamp of the build above makes it a no-op.
  timed('pack', () =>
    execFileSync('pnpm', ['pack', '--pack-destination', packDir], { cwd: CLI_DIR, stdio: 'pipe' }),
  );
  tarball = join(
    packDir,
    readdirSync(packDir).find((name) => name.endsWith('.tgz'))!,
  );
  timed('install', () =>
    execFileSync(
      'npm',
      ['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, tarball],
      {
        cwd: work,
        stdio: 'pipe',
        env: { ...process.env, npm_config_cache: join(work, 'npm-cache') },
      },
    ),
  );
  const { dir } = await buildExampleRepo({ name: 'calc', dir: join(work, 'calc') });
  const started = performance.now();
  example = await runInstalled(['run', '--repo', dir, '--base', 'main~1', '--generate', 'off']);
  timings['run'] = Math.round(performance.now() - started);
  pids.push(example.pid);
  // The same verdict as JSON, from the report file a user would keep.
  const out = join(work, 'calc.json');
  const json = await runInstalled([
    'run',
    '--repo',
    dir,
    '--base',
    'main~1',
    '--generate',
    'off',
    '--format',
    'json',
    '--out',
    out,
    '--quiet',
  ]);
  pids.push(json.pid);
  exampleJson = JSON.parse(readFileSync(out, 'utf8')) as typeof exampleJson;
}, 300_000);

afterAll(() => {
  const size = existsSync(tarball) ? readFileSync(tarball).length : 0;
  console.info(
    `testgate package: ${(size / 1024 / 1024).toFixed(1)} MiB tarball; ms: ${JSON.stringify(timings)}`,
  );
  rmSync(work, { recursive: true, force: true });
});

describe('the testgate tarball', () => {
  it('is testgate-<version>.tgz with the bundle, the harness, the setup.py reader and the default config, and no sources', () => {
    expect(tarball.endsWith(`/testgate-${VERSION}.tgz`)).toBe(true);
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
    expect(files).toEqual(
      expect.arrayContaining([
        'package/package.json',
        'package/README.md',
        'package/dist/testgate.js',
        'package/dist/action.js',
        'package/dist/THIRD-PARTY-LICENSES.txt',
        'package/assets/sandbox/Dockerfile',
        'package/assets/sandbox/image.Dockerfile',
        'package/assets/sandbox/build-rootfs.sh',
        'package/assets/sandbox/packages.txt',
        'package/assets/sandbox/harness/main.py',
        'package/assets/python/read_setup_py.py',
        'package/assets/testgate.default.yml',
      ]),
    );
    expect(files.filter((file) => file.endsWith('.ts') || file.includes('__pycache__'))).toEqual(
      [],
    );
    const manifest = JSON.parse(
      execFileSync('tar', ['xzf', tarball, '-O', 'package/package.json'], { encoding: 'utf8' }),
    ) as { name: string; bin: Record<string, string>; dependencies?: Record<string, string> };
    expect(manifest.name).toBe('testgate');
    expect(manifest.bin).toEqual({ testgate: 'dist/testgate.js' });
    expect(manifest.dependencies ?? {}).toEqual({});
  });

  it('installs offline into an empty prefix with nothing beside it', () => {
    expect(existsSync(bin)).toBe(true);
    expect(existsSync(join(installed, 'node_modules'))).toBe(false);
    expect(readFileSync(join(installed, 'dist', 'testgate.js'), 'utf8')).toMatch(
      /^#!\/usr\/bin\/env node\n/,
    );
  });
});

describe('the installed testgate, outside the monorepo', () => {
  it('prints its version', async () => {
    const run = await runInstalled(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`testgate ${VERSION}\n`);
  });

  it('fails the example with exit code 1 and the text report on stdout', () => {
    expect(example.code, example.stderr.slice(-3000)).toBe(1);
    expect(example.stdout).toMatch(
      /^Verdict: FAIL - 13 of 15 tests rejected: .*; 1 file rejected: error \(1\)$/m,
    );
    expect(example.stdout).toMatch(
      /^\s+rejected\s+tests\/test_parse_ai\.py::test_parse_amount_shell\s+unsafe/m,
    );
    expect(example.stdout).toMatch(/AUDIT-os\.system\s+tests\/test_parse_ai\.py:22\s+high/);
    expect(example.stderr).toContain('testgate: judge: 15 tests');
    expect(`${example.stdout}${example.stderr}`).not.toMatch(/tsx|ERR_MODULE_NOT_FOUND|__dirname/);
    expect(exampleJson.verdict).toBe('fail');
    expect(exampleJson.tests).toHaveLength(15);
    const byId = Object.fromEntries(exampleJson.tests.map((t) => [t.nodeid, t]));
    expect(byId['tests/test_parse_ai.py::test_parse_amount_good']?.status).toBe('accepted');
    expect(byId['tests/test_parse_ai.py::test_parse_amount_flaky']?.reasons).toEqual(['flaky']);
  });

  it('runs the image its own copy of the harness defines (the same tag as this checkout)', async () => {
    const run = await runInstalled(['image']);
    expect(run.code).toBe(0);
    const tags = await sandboxImageTags();
    expect(run.stdout).toBe(`image ${tags.image}\nbase  ${tags.base}\n`);
  });

  it("reads a setup.py with the package's own copy of the reader", async () => {
    const dir = join(work, 'setup-py');
    const files = {
      'setup.py':
        'from setuptools import setup\nsetup(name="calc", packages=["calc"], install_requires=["pytest>=99"])\n',
      'calc/__init__.py': 'def double(x):\n    return x * 2\n',
    };
    await createGitRepo({
      dir,
      commits: [
        { message: 'base', files },
        {
          message: 'pr',
          files: {
            ...files,
            'tests/test_calc.py':
              'from calc import double\n\n\ndef test_double():\n    assert double(2) == 4\n',
          },
        },
      ],
    });
    const run = await runInstalled([
      'run',
      '--repo',
      dir,
      '--base',
      'main~1',
      '--generate',
      'off',
      '--format',
      'json',
      '--quiet',
    ]);
    pids.push(run.pid);
    const report = JSON.parse(run.stdout) as {
      environment?: { sources: string[]; notes: string[] };
    };
    expect(report.environment?.sources).toEqual(['setup.py']);
    expect(report.environment?.notes.join('\n')).toContain(
      'pytest>=99: the sandbox runs its own pytest',
    );
  });

  it("doctor passes here, and without an engine gives the package's advice, not the checkout's scripts", async () => {
    const ok = await runInstalled(['doctor', '--redis-url', 'redis://127.0.0.1:1']);
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(
      new RegExp(`^ok {3}node +v${process.versions.node.replace(/\./g, '\\.')}$`, 'm'),
    );
    expect(ok.stdout).toMatch(/^ok {3}sandbox image +testgate-sandbox:[0-9a-f]{16}$/m);
    const down = await runInstalled(['doctor', '--redis-url', 'redis://127.0.0.1:1'], {
      DOCKER_HOST: `unix://${join(work, 'no-docker.sock')}`,
    });
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(
      /^FAIL docker engine +does not answer at unix:\/\/.*no-docker\.sock \(ENOENT\)$/m,
    );
    expect(down.stdout).toContain('what to do: install Docker Engine');
    expect(down.stdout).toMatch(/^FAIL sandbox image +not checked/m);
    expect(down.stdout).not.toContain('scripts/ensure-');
  });

  it("without an engine, run exits 3 and says what to install, in the package's words", async () => {
    const socket = join(work, 'no-docker.sock');
    const run = await runInstalled(
      ['run', '--repo', join(work, 'calc'), '--base', 'main~1', '--generate', 'off'],
      { DOCKER_HOST: `unix://${socket}` },
    );
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      `error DOCKER_UNAVAILABLE: the Docker engine does not answer at unix://${socket} (ENOENT)`,
    );
    expect(run.stderr).toContain('what to do: install Docker Engine');
    expect(run.stderr).not.toContain('scripts/ensure-');
  });

  it('loads the lazily bundled commands (serve, replay)', async () => {
    for (const name of ['serve', 'replay']) {
      const run = await runInstalled([name, '--help']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`Usage: testgate ${name}`);
    }
  });

  it("is what action.yml's install step installs when given as `cli:`", () => {
    const runnerTemp = join(work, 'runner-temp');
    const out = execFileSync('bash', [join(REPO_ROOT, 'scripts', 'action-install-cli.sh')], {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, TESTGATE_CLI: tarball, RUNNER_TEMP: runnerTemp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const dir = join(runnerTemp, 'testgate-cli', 'lib', 'node_modules', 'testgate');
    expect(out).toBe(`dir=${dir}\n`);
    expect(existsSync(join(dir, 'dist', 'action.js'))).toBe(true);
    expect(existsSync(join(dir, 'assets', 'sandbox', 'harness', 'main.py'))).toBe(true);
  });

  it('leaves no sandbox container behind', () => {
    expect(containersLeftBy(pids)).toEqual([]);
  });
});
