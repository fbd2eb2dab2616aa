/**
 * Real projects have dependencies: the CLI end to end (real git, Docker, sandbox image and
 * pip) against package indexes served on 127.0.0.1 from wheels and sdists this test builds.
 * pip is isolated from this machine's own package sources (PIP_CONFIG_FILE=/dev/null, no
 * PIP_FIND_LINKS), so every wheel installed here came from the test's index.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeJudge, statuses } from './judge-change.ts';
import type { Judged } from './judge-change.ts';
import { buildDistributions, isolatedPipEnv, startPackageIndex } from './fakes/package-index.ts';
import type { PackageIndex } from './fakes/package-index.ts';

const PASSWORD = 's3cret-Fixture-Pw';

const mod = (body: string) => `${body.trim()}\n`;

let publicIndex: PackageIndex;
let privateIndex: PackageIndex;
let work: string;
const judge = changeJudge('environment');
const docker = new Docker();
/** Every sandbox container the CLI runs created during this file, as the engine saw it. */
const seen: {
  name: string;
  networkMode: string;
  networkDisabled: boolean;
  env: string[];
  mode: string;
}[] = [];
let events: NodeJS.ReadableStream | undefined;

function pyproject(deps: string[], extra = ''): string {
  return `[project]\nname = "calc"\nversion = "0.1"\ndependencies = [${deps.map((d) => JSON.stringify(d)).join(', ')}]\n${extra}`;
}

/** A PR that changes calc.f and adds a test of it, on a project with these files. */
async function judgeProject(
  name: string,
  files: Record<string, string>,
  source: { before: string; after: string; test: string },
  env: NodeJS.ProcessEnv,
): Promise<Judged> {
  return judge.judge(
    name,
    { files: { ...files, 'calc.py': source.before } },
    { files: { ...files, 'calc.py': source.after, 'tests/test_calc.py': source.test } },
    { env },
  );
}

const ALPHA = {
  before: mod(`
from tg_alpha import quad

def f(x):
    return quad(x) + 1
`),
  after: mod(`
from tg_alpha import quad

def f(x):
    return quad(x) + 2
`),
  test: mod(`
from calc import f

def test_f():
    assert f(1) == 6
`),
};

function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...isolatedPipEnv(),
    PIP_INDEX_URL: publicIndex.url,
    TESTGATE_CACHE_DIR: join(work, 'cache'),
    ...extra,
  };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'testgate-env-index-'));
  const files = join(work, 'files');
  buildDistributions(files, [
    {
      name: 'tg-beta',
      version: '1.0',
      modules: { 'tg_beta/__init__.py': 'def double(x):\n    return 2 * x\n' },
    },
    {
      name: 'tg-beta',
      version: '2.0',
      modules: { 'tg_beta/__init__.py': 'def double(x):\n    return x + x\n' },
    },
    {
      name: 'tg-alpha',
      version: '1.0',
      requires: ['tg-beta>=1'],
      modules: {
        'tg_alpha/__init__.py':
          'from tg_beta import double\n\ndef quad(x):\n    return double(double(x))\n',
      },
    },
    {
      name: 'tg-host',
      version: '1.0',
      extras: { fancy: ['tg-fancy'] },
      modules: { 'tg_host/__init__.py': 'def base(x):\n    return x\n' },
    },
    {
      name: 'tg-fancy',
      version: '1.0',
      modules: { 'tg_fancy/__init__.py': 'def shine(x):\n    return x * 10\n' },
    },
    {
      name: 'tg-conflict-a',
      version: '1.0',
      requires: ['tg-beta<2'],
      modules: { 'tg_conflict_a.py': 'A = 1\n' },
    },
    {
      name: 'tg-conflict-b',
      version: '1.0',
      requires: ['tg-beta>=2'],
      modules: { 'tg_conflict_b.py': 'B = 1\n' },
    },
    { name: 'tg-backend', version: '1.0', kind: 'backend' },
    {
      name: 'tg-sdonly',
      version: '1.0',
      kind: 'sdist',
      requires: ['tg-beta'],
      modules: {
        'tg_sdonly/__init__.py':
          'from tg_beta import double\n\ndef twice(x):\n    return double(x)\n',
      },
    },
    {
      name: 'tg-newpy',
      version: '1.0',
      requiresPython: '>=3.12',
      modules: { 'tg_newpy.py': 'N = 1\n' },
    },
    {
      name: 'tg-winonly',
      version: '1.0',
      tag: 'cp311-cp311-win_amd64',
      modules: { 'tg_winonly.py': 'W = 1\n' },
    },
  ]);
  publicIndex = await startPackageIndex({
    dir: files,
    requiresPython: { 'tg_newpy-1.0-py3-none-any.whl': '>=3.12' },
  });
  const privateFiles = join(work, 'private');
  buildDistributions(privateFiles, [
    {
      name: 'tg-private',
      version: '1.0',
      modules: { 'tg_private/__init__.py': 'def secret_sum(a, b):\n    return a + b\n' },
    },
  ]);
  privateIndex = await startPackageIndex({
    dir: privateFiles,
    auth: { user: 'ci', password: PASSWORD },
  });

  events = (await docker.getEvents({
    filters: { type: ['container'], event: ['create'], label: ['testgate.source=cli'] },
  })) as NodeJS.ReadableStream;
  events.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      const id = (JSON.parse(line) as { id: string }).id;
      void docker
        .getContainer(id)
        .inspect()
        .then((info) =>
          seen.push({
            name: info.Name,
            networkMode: info.HostConfig.NetworkMode ?? '',
            networkDisabled:
              (info.Config as { NetworkDisabled?: boolean }).NetworkDisabled ?? false,
            env: info.Config.Env ?? [],
            mode: info.Config.Labels?.['testgate.mode'] ?? '',
          }),
        )
        .catch(() => undefined);
    }
  });
}, 60_000);

afterAll(async () => {
  (events as unknown as { destroy?: () => void } | undefined)?.destroy?.();
  await publicIndex?.close();
  await privateIndex?.close();
  // The volumes this file's runs built (their cache entries name them).
  const entries = join(work, 'cache', 'environments');
  for (const name of (() => {
    try {
      return readdirSync(entries);
    } catch {
      return [];
    }
  })()) {
    const volume = (JSON.parse(readFileSync(join(entries, name), 'utf8')) as { volume: string })
      .volume;
    await docker
      .getVolume(volume)
      .remove({ force: true })
      .catch(() => undefined);
  }
  judge.cleanup();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('a project with dependencies', () => {
  it('installs a dependency chain from the index, judges the test, and a second run hits the cache', async () => {
    const files = { 'pyproject.toml': pyproject(['tg-alpha>=1']) };
    const first = await judgeProject('chain', files, ALPHA, cliEnv());
    expect(first.report.verdict, first.stderr).toBe('pass');
    expect(statuses(first.report)).toEqual({ 'tests/test_calc.py::test_f': 'accepted' });
    expect(first.report.environment).toMatchObject({
      status: 'installed',
      cacheHit: false,
      sources: ['pyproject.toml'],
      packages: [
        { name: 'tg-alpha', version: '1.0' },
        { name: 'tg-beta', version: '2.0' },
      ],
    });
    // Served by this test's index, not by any source of the machine's pip.
    expect(publicIndex.downloads()).toEqual(
      expect.arrayContaining([
        '/files/tg_alpha-1.0-py3-none-any.whl',
        '/files/tg_beta-2.0-py3-none-any.whl',
      ]),
    );
    expect(first.stderr).toMatch(/environment: installing 2 wheels offline in the sandbox/);
    expect(first.stderr).not.toMatch(/environment: environment:/);

    const before = publicIndex.requests.length;
    const second = await judgeProject('chain-again', files, ALPHA, cliEnv());
    expect(second.report.verdict, second.stderr).toBe('pass');
    expect(second.report.environment).toMatchObject({ status: 'installed', cacheHit: true });
    // Nothing was asked of the index at all: no page, no file.
    expect(publicIndex.requests.slice(before)).toEqual([]);
    expect(second.report.environment!.setupMs).toBeLessThan(1000);
  }, 180_000);

  it('honours an extra of a dependency and the test extras of the project', async () => {
    const files = {
      'pyproject.toml': pyproject(
        ['tg-host'],
        '\n[project.optional-dependencies]\ntest = ["tg-host[fancy]"]\n',
      ),
    };
    const run = await judgeProject(
      'extra',
      files,
      {
        before: mod(`
from tg_host import base

def f(x):
    return base(x)
`),
        after: mod(`
from tg_host import base
from tg_fancy import shine

def f(x):
    return shine(base(x))
`),
        test: mod(`
from calc import f

def test_f():
    assert f(2) == 20
`),
      },
      cliEnv(),
    );
    expect(run.report.verdict, run.stderr).toBe('pass');
    expect(run.report.environment?.packages.map((p) => p.name).sort()).toEqual([
      'tg-fancy',
      'tg-host',
    ]);
  }, 120_000);

  it('says neutral naming an sdist-only package, and builds it offline with allowSdist', async () => {
    const source = {
      before: mod(`
from tg_sdonly import twice

def f(x):
    return twice(x)
`),
      after: mod(`
from tg_sdonly import twice

def f(x):
    return twice(x) + 1
`),
      test: mod(`
from calc import f

def test_f():
    assert f(3) == 7
`),
    };
    const files = { 'pyproject.toml': pyproject(['tg-sdonly']) };
    const refused = await judgeProject('sdist', files, source, cliEnv());
    expect(refused.report.verdict).toBe('neutral');
    expect(refused.report.title).toBe(
      'Not judged: a dependency is published only as source (tg-sdonly)',
    );
    expect(refused.report.neutralReason).toMatch(/environment\.allowSdist: true/);
    expect(refused.report.environment).toMatchObject({
      status: 'failed',
      problem: { code: 'sdist-only' },
    });

    const allowed = await judgeProject(
      'sdist-allowed',
      { ...files, '.github/testgate.yml': 'environment:\n  allowSdist: true\n' },
      source,
      cliEnv(),
    );
    expect(allowed.report.verdict, allowed.stderr).toBe('pass');
    expect(allowed.report.environment).toMatchObject({
      status: 'installed',
      built: ['tg_sdonly-1.0.tar.gz'],
    });
    expect(allowed.report.environment?.packages.map((p) => p.name).sort()).toEqual([
      'tg-beta',
      'tg-sdonly',
    ]);
    expect(seen.some((c) => c.mode === 'build-sdist')).toBe(true);
  }, 180_000);

  it("says neutral with pip's reason when requirements conflict", async () => {
    const run = await judgeProject(
      'conflict',
      { 'pyproject.toml': pyproject(['tg-conflict-a', 'tg-conflict-b']) },
      ALPHA,
      cliEnv(),
    );
    expect(run.report.verdict).toBe('neutral');
    expect(run.report.title).toMatch(/^Not judged: the dependencies conflict/);
    expect(run.report.neutralReason).toMatch(/The conflict is caused by:/);
    expect(run.report.neutralReason).toMatch(/tg-conflict-a 1\.0 depends on tg-beta<2/);
    expect(run.report.neutralReason).toMatch(/tg-conflict-b 1\.0 depends on tg-beta>=2/);
  }, 120_000);

  it('says which Python the sandbox has when the project or a dependency needs another', async () => {
    const project = await judgeProject(
      'requires-python',
      { 'pyproject.toml': pyproject(['tg-alpha'], 'requires-python = ">=3.12"\n') },
      ALPHA,
      cliEnv(),
    );
    expect(project.report.verdict).toBe('neutral');
    expect(project.report.neutralReason).toMatch(
      /requires-python ">=3\.12", and the sandbox runs Python 3\.11\.2/,
    );

    const dependency = await judgeProject(
      'dep-python',
      { 'pyproject.toml': pyproject(['tg-newpy']) },
      ALPHA,
      cliEnv(),
    );
    expect(dependency.report.verdict).toBe('neutral');
    expect(dependency.report.title).toBe(
      "Not judged: the project needs another Python than the sandbox's (tg-newpy)",
    );
    expect(dependency.report.neutralReason).toMatch(/Python 3\.11\.2.*requires Python >=3\.12/);
  }, 120_000);

  it('says neutral when a dependency has no wheel for the sandbox, or is not on the index', async () => {
    const platform = await judgeProject(
      'no-wheel',
      { 'pyproject.toml': pyproject(['tg-winonly']) },
      ALPHA,
      cliEnv(),
    );
    expect(platform.report.verdict).toBe('neutral');
    expect(platform.report.title).toBe(
      'Not judged: a dependency has no wheel for the sandbox (tg-winonly)',
    );
    expect(platform.report.neutralReason).toMatch(/CPython 3\.11\.2, Linux/);

    const missing = await judgeProject(
      'missing',
      { 'pyproject.toml': pyproject(['tg-nowhere']) },
      ALPHA,
      cliEnv(),
    );
    expect(missing.report.verdict).toBe('neutral');
    expect(missing.report.title).toBe(
      'Not judged: a dependency is not on the package index (tg-nowhere)',
    );

    // Seen on real projects against an index that keeps only some releases: a range no
    // release matches, and a lock pinning a version the index does not have.
    const range = await judgeProject(
      'range',
      { 'pyproject.toml': pyproject(['tg-beta>=3']) },
      ALPHA,
      cliEnv(),
    );
    expect(range.report.neutralReason).toMatch(
      /^no release of tg-beta on the package index matches tg-beta>=3 \(it has 1\.0, 2\.0\)/,
    );
    const lock = `version = 1\n[[package]]\nname = "tg-beta"\nversion = "1.5"\nsource = { registry = "${publicIndex.publicUrl}" }\n`;
    const locked = await judgeProject(
      'locked',
      { 'pyproject.toml': pyproject(['tg-beta']), 'uv.lock': lock },
      ALPHA,
      cliEnv(),
    );
    expect(locked.report.title).toBe(
      'Not judged: a dependency is not on the package index (tg-beta)',
    );
    expect(locked.report.neutralReason).toMatch(
      /^uv\.lock pins tg-beta==1\.5, and the package index has no wheel of that version \(it has 1\.0, 2\.0\)/,
    );
  }, 120_000);

  it('installs from a private index whose password appears nowhere but on the trusted side', async () => {
    const files = { 'requirements.txt': 'tg-private==1.0\n' };
    const source = {
      before: mod(`
from tg_private import secret_sum

def f(x):
    return secret_sum(x, 1)
`),
      after: mod(`
from tg_private import secret_sum

def f(x):
    return secret_sum(x, 2)
`),
      // The test looks for the password everywhere it can see: its environment and every
      // file of the sandbox it may read. It holds the password reversed, so it does not
      // find itself.
      test: mod(`
import os

from calc import f

NEEDLE = ${JSON.stringify([...PASSWORD].reverse().join(''))}[::-1]


def test_f():
    assert f(1) == 3


def test_no_password_in_the_sandbox():
    assert f(0) == 2
    assert NEEDLE not in repr(dict(os.environ))
    found = []
    for top in ('/env', '/work', '/tmp'):
        for root, _dirs, names in os.walk(top):
            for name in names:
                try:
                    with open(os.path.join(root, name), 'rb') as fh:
                        if NEEDLE.encode() in fh.read():
                            found.append(os.path.join(root, name))
                except OSError:
                    pass
    assert found == []
`),
    };
    const refused = await judgeProject(
      'private-no-auth',
      files,
      source,
      cliEnv({ PIP_INDEX_URL: privateIndex.publicUrl }),
    );
    expect(refused.report.verdict).toBe('neutral');
    expect(refused.report.title).toBe(
      'Not judged: the package index refused the credentials (tg-private)',
    );
    expect(refused.report.neutralReason).toMatch(/PIP_INDEX_URL/);

    const run = await judgeProject(
      'private',
      files,
      source,
      cliEnv({ PIP_INDEX_URL: privateIndex.url }),
    );
    expect(run.report.verdict, run.stderr).toBe('pass');
    expect(statuses(run.report)).toEqual({
      'tests/test_calc.py::test_f': 'accepted',
      'tests/test_calc.py::test_no_password_in_the_sandbox': 'accepted',
    });
    expect(privateIndex.downloads()).toEqual(['/files/tg_private-1.0-py3-none-any.whl']);
    for (const text of [run.stdout, run.stderr, refused.stdout, refused.stderr])
      expect(text).not.toContain(PASSWORD);
    const cached = readdirSync(join(work, 'cache', 'environments')).map((name) =>
      readFileSync(join(work, 'cache', 'environments', name), 'utf8'),
    );
    for (const entry of cached) expect(entry).not.toContain(PASSWORD);
  }, 180_000);

  it('says neutral when the wheels pass the size limit', async () => {
    // The two wheels of tg-alpha take about 1.5 KB.
    const run = await judgeProject(
      'too-big',
      { 'pyproject.toml': pyproject(['tg-alpha']) },
      ALPHA,
      cliEnv({ TESTGATE_ENV_MAX_MB: '0.0005' }),
    );
    expect(run.report.verdict).toBe('neutral');
    expect(run.report.title).toBe('Not judged: the dependencies are too large');
    expect(run.report.neutralReason).toMatch(/TESTGATE_ENV_MAX_MB/);

    const slow = await judgeProject(
      'too-slow',
      { 'pyproject.toml': pyproject(['tg-alpha']) },
      ALPHA,
      cliEnv({ TESTGATE_ENV_TIMEOUT_SECONDS: '0.001' }),
    );
    expect(slow.report.verdict).toBe('neutral');
    expect(slow.report.title).toBe('Not judged: installing the dependencies took too long');
    expect(slow.report.neutralReason).toMatch(/TESTGATE_ENV_TIMEOUT_SECONDS/);
  }, 120_000);

  it('reuses a cached environment when other inputs resolve to the same wheels', async () => {
    // The first test installed tg-alpha 1.0 + tg-beta 2.0 from pyproject.toml; the same set
    // from a requirements file is another cache key, and the same volume.
    const run = await judgeProject(
      'same-wheels',
      { 'requirements.txt': 'tg-alpha\n' },
      ALPHA,
      cliEnv(),
    );
    expect(run.report.verdict, run.stderr).toBe('pass');
    expect(run.report.environment).toMatchObject({
      status: 'installed',
      cacheHit: true,
      sources: ['requirements.txt'],
    });
    expect(run.stderr).toMatch(/the same 2 wheels are installed in a cached environment/);
  }, 120_000);

  it("loads the project's pytest plugins from its dependencies, but never one that decides outcomes", async () => {
    buildDistributions(join(work, 'files'), [
      {
        name: 'tg-gadget',
        version: '1.0',
        entryPoints: { pytest11: { gadget: 'tg_gadget.plugin' } },
        modules: {
          'tg_gadget/__init__.py': '',
          'tg_gadget/plugin.py': mod(`
import pytest

@pytest.fixture
def gadget():
    return 7
`),
        },
      },
      {
        name: 'tg-greenwash',
        version: '1.0',
        entryPoints: { pytest11: { greenwash: 'tg_greenwash' } },
        modules: {
          // Turns every failure into a pass: a plugin no gate may listen to.
          'tg_greenwash/__init__.py': mod(`
import pytest

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome = 'passed'
`),
        },
      },
    ]);
    const run = await judgeProject(
      'plugins',
      {
        'pyproject.toml': pyproject(
          ['tg-alpha'],
          '\n[project.optional-dependencies]\ntest = ["tg-gadget", "tg-greenwash"]\n',
        ),
      },
      {
        ...ALPHA,
        test: mod(`
from calc import f

def test_f(gadget):
    assert f(1) == gadget - 1

def test_wrong():
    assert f(1) == 0
`),
      },
      cliEnv(),
    );
    expect(statuses(run.report)).toEqual({
      'tests/test_calc.py::test_f': 'accepted',
      'tests/test_calc.py::test_wrong': 'rejected failed',
    });
  }, 120_000);

  it("keeps the gate's own pytest and coverage whatever a dependency ships", async () => {
    const poison = "raise ImportError('a dependency shadowed the gate')\n";
    buildDistributions(join(work, 'files'), [
      {
        name: 'tg-shadow',
        version: '1.0',
        modules: {
          'tg_shadow/__init__.py': 'def one():\n    return 1\n',
          'pytest/__init__.py': poison,
          '_pytest/__init__.py': poison,
          'coverage/__init__.py': poison,
          'pluggy/__init__.py': poison,
          'iniconfig/__init__.py': poison,
        },
      },
    ]);
    const run = await judgeProject(
      'shadow',
      { 'pyproject.toml': pyproject(['tg-shadow', 'pytest>=99']) },
      {
        before: mod(`
from tg_shadow import one

def f(x):
    return x + one()
`),
        after: mod(`
from tg_shadow import one

def f(x):
    return x + one() + 1
`),
        test: mod(`
from calc import f

def test_f():
    assert f(1) == 3
`),
      },
      cliEnv(),
    );
    expect(run.report.verdict, run.stderr).toBe('pass');
    expect(statuses(run.report)).toEqual({ 'tests/test_calc.py::test_f': 'accepted' });
    expect(run.report.environment?.notes).toContain(
      "pytest>=99: the sandbox runs its own pytest 7.2.1 (the gate's pytest, pytest-cov, coverage and hypothesis are never replaced)",
    );
  }, 120_000);

  it('ran every container with networking disabled and no credentials in its environment', () => {
    expect(seen.length).toBeGreaterThan(5);
    expect(seen.some((c) => c.mode === 'setup')).toBe(true);
    for (const container of seen) {
      expect(container.networkMode, container.name).toBe('none');
      expect(container.networkDisabled, container.name).toBe(true);
      expect(container.env.join('\n')).not.toContain(PASSWORD);
      expect(container.env.join('\n')).not.toMatch(/PIP_|INDEX/);
    }
  });
});
