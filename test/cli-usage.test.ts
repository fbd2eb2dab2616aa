/**
 * `testgate run` as a user meets it: usage errors, config errors, repository layouts, the
 * neutral verdict, output formats and exit codes. Real git, real Docker, real sandbox image.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSandboxImage } from '@testgate/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitRepo } from '../apps/cli/src/example-repo.ts';
import { containersLeftBy, runCli as spawnCli } from '../apps/cli/test/run-cli.ts';
import type { CliRun } from '../apps/cli/test/run-cli.ts';

const work = mkdtempSync(join(tmpdir(), 'testgate-cli-usage-'));
const repo = (name: string): string => join(work, name);

const CALC_BASE = {
  'calc/__init__.py': 'from calc.core import double\n',
  'calc/core.py': 'def double(x):\n    return x * 2\n',
  'tests/test_core.py':
    'from calc import double\n\n\ndef test_double():\n    assert double(2) == 4\n',
};
const CALC_HEAD = {
  ...CALC_BASE,
  'calc/core.py':
    'def double(x):\n    if x is None:\n        raise TypeError("x is None")\n    return x * 2\n',
  'tests/test_core_more.py': [
    'import pytest',
    '',
    'from calc import double',
    '',
    '',
    'def test_double_none():',
    '    assert double(3) == 6',
    '    with pytest.raises(TypeError):',
    '        double(None)',
    '',
  ].join('\n'),
};

const pids: number[] = [];
async function runCli(...args: Parameters<typeof spawnCli>): Promise<CliRun> {
  const run = await spawnCli(...args);
  pids.push(run.pid);
  return run;
}

/** Commits `base` then `head` into a fresh repo NAME and runs `testgate run` on that change. */
async function judgeChange(
  name: string,
  files: { base: Record<string, string>; head: Record<string, string> },
  flags: string[] = ['--format', 'json'],
): Promise<CliRun> {
  await createGitRepo({
    dir: repo(name),
    commits: [
      { message: 'base', files: files.base },
      { message: 'pr', files: files.head },
    ],
  });
  return judgeLastCommit(name, flags);
}

/** `testgate run` on the last commit of repo NAME (its parent as base), without generation. */
function judgeLastCommit(
  name: string,
  flags: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<CliRun> {
  return runCli(
    [
      'run',
      '--repo',
      repo(name),
      '--base',
      'main~1',
      '--head',
      'main',
      '--generate',
      'off',
      ...flags,
    ],
    { env },
  );
}

beforeAll(async () => {
  await ensureSandboxImage();
  await createGitRepo({
    dir: repo('calc'),
    commits: [
      { message: 'base', files: CALC_BASE },
      { message: 'pr', files: CALC_HEAD },
    ],
  });
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('usage errors exit 2 and say what to do', () => {
  it('rejects an unknown flag', async () => {
    const run = await runCli([
      'run',
      '--repo',
      repo('calc'),
      '--base',
      'main~1',
      '--fromat',
      'json',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Unknown option '--fromat'");
    expect(run.stderr).toContain('testgate run --help');
    expect(run.stdout).toBe('');
  });

  it('asks for --repo', async () => {
    const run = await runCli(['run', '--base', 'main~1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--repo DIR is required/);
  });

  it('rejects a bad --format value', async () => {
    const run = await runCli([
      'run',
      '--repo',
      repo('calc'),
      '--base',
      'main~1',
      '--format',
      'xml',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      '--format must be one of text, json, markdown, sarif, junit (got "xml")',
    );
  });

  it('names a bad ref and how to list good ones', async () => {
    const run = await runCli([
      'run',
      '--repo',
      repo('calc'),
      '--base',
      'no-such-branch',
      '--head',
      'main',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--base no-such-branch: no such commit');
    expect(run.stderr).toContain(`git -C ${repo('calc')} log --oneline`);
  });

  it('says when --repo is not a git repository', async () => {
    const run = await runCli(['run', '--repo', work, '--base', 'main~1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is not a git repository');
  });

  it('names the bad key of a broken .github/testgate.yml', async () => {
    const broken = 'rerun: 3\nlimits:\n  cpuSeconds: fast\n';
    // The base commit's config judges the change: broken there, the run cannot start.
    await createGitRepo({
      dir: repo('badconfig'),
      commits: [
        { message: 'base', files: { ...CALC_BASE, '.github/testgate.yml': broken } },
        { message: 'pr', files: { ...CALC_HEAD, '.github/testgate.yml': broken } },
      ],
    });
    const run = await runCli([
      'run',
      '--repo',
      repo('badconfig'),
      '--base',
      'main~1',
      '--head',
      'main',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error CONFIG_INVALID');
    expect(run.stderr).toMatch(/rerun is not a known setting; did you mean "reruns"/);
    expect(run.stderr).toMatch(/limits\.cpuSeconds must be a number/);
    expect(run.stderr).toContain('what to do: fix .github/testgate.yml');
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace without DEBUG=1

    // Broken only in the change: judged with the base's config, and the author is told.
    await createGitRepo({
      dir: repo('badconfig-head'),
      commits: [
        { message: 'base', files: CALC_BASE },
        { message: 'pr', files: { ...CALC_HEAD, '.github/testgate.yml': broken } },
      ],
    });
    const head = await runCli([
      'run',
      '--repo',
      repo('badconfig-head'),
      '--base',
      'main~1',
      '--generate',
      'off',
    ]);
    expect(head.code).toBe(0);
    expect(head.stderr).toContain(
      "note: the change's .github/testgate.yml is invalid, and will stop the gate once merged: limits.cpuSeconds must be a number",
    );
    expect(head.stderr).toContain('rerun is not a known setting');
  });

  it('rejects --generate values it does not know', async () => {
    const run = await runCli([
      'run',
      '--repo',
      repo('calc'),
      '--base',
      'main~1',
      '--generate',
      'gpt',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--generate must be one of model, builtin, off');
  });

  it('says what to do when the Docker engine does not answer (exit 3, no stack trace)', async () => {
    const run = await runCli(
      ['run', '--repo', repo('calc'), '--base', 'main~1', '--generate', 'off'],
      {
        env: { DOCKER_HOST: `unix://${join(work, 'no-docker.sock')}` },
      },
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('error DOCKER_UNAVAILABLE');
    expect(run.stderr).toContain('what to do: start the Docker engine');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('doctor checks the engine, the image and its Python tools, and Redis', async () => {
    const run = await runCli(['doctor']);
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/^ok {3}docker engine/m);
    expect(run.stdout).toMatch(/^ok {3}sandbox image +testgate-sandbox:[0-9a-f]+/m);
    expect(run.stdout).toMatch(
      /^ok {3}python tools +python 3\.11\.\d+, pytest 7\.2\.1, coverage 6\.5\.0, pytest-cov 4\.0\.0, bandit 1\.6\.2/m,
    );
    expect(run.stdout).toContain('all required checks passed');
  });

  it('doctor says what to do when Redis and the engine do not answer (exit 1)', async () => {
    const run = await runCli(['doctor', '--redis-url', 'redis://127.0.0.1:1'], {
      env: { DOCKER_HOST: `unix://${join(work, 'no-docker.sock')}` },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAIL docker engine/m);
    expect(run.stdout).toContain('what to do: start it: bash scripts/ensure-docker.sh');
    expect(run.stdout).toMatch(/^warn redis +redis:\/\/127\.0\.0\.1:1/m);
    expect(run.stdout).toContain('bash scripts/ensure-redis.sh');
  });

  it('prints help for every command', async () => {
    for (const name of ['run', 'doctor']) {
      const run = await runCli([name, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Usage: testgate ${name}`);
    }
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    for (const name of ['run', 'doctor', 'serve', 'replay'])
      expect(top.stdout).toContain(`  ${name} `);
  });
});

describe('verdicts and exit codes', () => {
  const judgeCalc = (flags: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<CliRun> =>
    judgeLastCommit('calc', flags, env);

  it('passes a good pull request (exit 0) and writes --out', async () => {
    const out = join(work, 'calc-report.json');
    const run = await judgeCalc(['--format', 'json', '--out', out]);
    expect(run.stderr).toContain(`report written to ${out}`);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.verdict).toBe('pass');
    expect(
      report.tests.map((t: { nodeid: string; status: string }) => [t.nodeid, t.status]),
    ).toEqual([['tests/test_core_more.py::test_double_none', 'accepted']]);
  });

  it('writes JUnit XML with --format junit, and colours piped text when FORCE_COLOR asks', async () => {
    const junit = await judgeCalc(['--format', 'junit']);
    expect(junit.code, junit.stderr).toBe(0);
    expect(junit.stdout).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="Testgate" tests="1" failures="0" errors="0"/,
    );
    expect(junit.stdout).toMatch(
      /<testcase classname="tests.test_core_more" name="test_double_none" file="tests\/test_core_more.py"/,
    );
    const plain = await judgeCalc([], { FORCE_COLOR: '0' });
    expect(plain.stdout).not.toContain('\x1b[');
    expect(plain.stdout).toContain('PASS');
    const forced = await judgeCalc([], { FORCE_COLOR: '1' });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('\x1b[');
  });

  it('is neutral (exit 0, reason printed) when the package cannot be imported', async () => {
    const run = await judgeChange('noimport', {
      base: CALC_BASE,
      head: {
        ...CALC_HEAD,
        'calc/__init__.py': 'import left_pad_not_installed\nfrom calc.core import double\n',
      },
    });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.verdict).toBe('neutral');
    expect(report.project.importable).toBe(false);
    expect(report.neutralReason).toContain('left_pad_not_installed');
    expect(run.stderr).toContain('neutral (not judged)');
    expect(run.stderr).toContain('left_pad_not_installed');
  });

  it('imports a src-layout package (src/pkg + pyproject.toml)', async () => {
    const base = {
      'pyproject.toml':
        '[project]\nname = "shop"\nversion = "0.1.0"\n\n[tool.setuptools.packages.find]\nwhere = ["src"]\n',
      'src/shop/__init__.py': '',
      'src/shop/cart.py': 'def total(prices):\n    return sum(prices)\n',
    };
    const head = {
      ...base,
      'src/shop/cart.py':
        'def total(prices):\n    if any(p < 0 for p in prices):\n        raise ValueError("negative price")\n    return sum(prices)\n',
      'tests/test_cart.py':
        'import pytest\n\nfrom shop.cart import total\n\n\ndef test_total():\n    assert total([1, 2]) == 3\n    with pytest.raises(ValueError):\n        total([-1])\n',
    };
    const run = await judgeChange('srclayout', { base, head });
    const report = JSON.parse(run.stdout);
    expect(report.project).toMatchObject({ layout: 'src', importable: true });
    expect(report.verdict, JSON.stringify(report.tests, null, 1)).toBe('pass');
    expect(run.code).toBe(0);
  });

  it('imports a setup.py package with package_dir', async () => {
    const base = {
      'setup.py':
        'from setuptools import setup\n\nsetup(name="geo", packages=["geo"], package_dir={"": "lib"})\n',
      'lib/geo/__init__.py': 'from geo.dist import manhattan\n',
      'lib/geo/dist.py': 'def manhattan(a, b):\n    return abs(a[0] - b[0]) + abs(a[1] - b[1])\n',
    };
    const head = {
      ...base,
      'lib/geo/dist.py':
        'def manhattan(a, b):\n    if len(a) != 2 or len(b) != 2:\n        raise ValueError("points are pairs")\n    return abs(a[0] - b[0]) + abs(a[1] - b[1])\n',
      'tests/test_dist.py':
        'import pytest\n\nfrom geo import manhattan\n\n\ndef test_manhattan():\n    assert manhattan((0, 0), (1, 2)) == 3\n    with pytest.raises(ValueError):\n        manhattan((0,), (1, 2))\n',
    };
    const run = await judgeChange('setuppy', { base, head });
    const report = JSON.parse(run.stdout);
    expect(report.project.importable, report.project.importError).toBe(true);
    expect(report.verdict, JSON.stringify(report.tests, null, 1)).toBe('pass');
    expect(run.code).toBe(0);
  });

  it('fails an unsafe test (exit 1) and writes SARIF with a result for it', async () => {
    const out = join(work, 'unsafe.sarif');
    const run = await judgeChange(
      'unsafe',
      {
        base: CALC_BASE,
        head: {
          ...CALC_HEAD,
          'tests/test_core_shell.py':
            'import os\n\nimport pytest\n\nfrom calc import double\n\n\ndef test_double_shell():\n    os.system("echo hi")\n    assert double(1) == 2\n    with pytest.raises(TypeError):\n        double(None)\n',
        },
      },
      ['--format', 'sarif', '--out', out],
    );
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('fail:');
    const sarif = JSON.parse(readFileSync(out, 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    const results = sarif.runs[0].results as {
      ruleId: string;
      locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
    }[];
    expect(results.length).toBeGreaterThan(0);
    expect(
      results.some(
        (r) => r.locations[0]?.physicalLocation.artifactLocation.uri === 'tests/test_core_shell.py',
      ),
    ).toBe(true);
  });

  it('stops on Ctrl-C: exit 130 and the sandbox container is removed', async () => {
    const run = await runCli(
      ['run', '--repo', repo('calc'), '--base', 'main~1', '--head', 'main', '--generate', 'off'],
      {
        // The harness is inside its container once it reports collection.
        interruptWhen: /testgate: collect/,
      },
    );
    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).toContain('SIGINT, stopping');
    expect(run.stderr).toContain('error ABORTED');
    expect(run.stdout).toBe('');
    expect(containersLeftBy([run.pid])).toEqual([]);
  });

  it('leaves no container behind', () => {
    expect(pids.length).toBeGreaterThan(5);
    expect(containersLeftBy(pids)).toEqual([]);
  });
});
