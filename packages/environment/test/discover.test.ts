import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '@testgate/core';
import type { GateConfig } from '@testgate/core';
import { discoverRequirements, poetryConstraint } from '../src/discover.ts';
import { redactorFor } from '../src/redact.ts';
import { readSetupPy } from '../src/setup-py.ts';
import { satisfies } from '../src/versions.ts';

function tree(files: Record<string, string>) {
  const paths = Object.keys(files).sort();
  return { read: (p: string) => files[p], paths: () => paths };
}

const auto: GateConfig['environment'] = { ...defaultConfig.environment };

describe('discoverRequirements', () => {
  it('reads pyproject dependencies, the test extras and PEP 735 groups, leaving out the project and the gate tools', () => {
    const found = discoverRequirements(
      tree({
        'pyproject.toml': `
[project]
name = "My_Pkg"
requires-python = ">=3.9"
dependencies = ["attrs>=22", "typing_extensions; python_version < '3.12'"]

[project.optional-dependencies]
test = ["freezegun", "my-pkg[yaml]", "pytest>=8"]
yaml = ["pyyaml"]
docs = ["sphinx"]

[dependency-groups]
dev = [{ include-group = "lint" }, "responses"]
lint = ["ruff"]
`,
      }),
      auto,
    );
    expect(found.requirements).toEqual([
      'attrs>=22',
      "typing_extensions; python_version < '3.12'",
      'freezegun',
      'pyyaml',
      'ruff',
      'responses',
    ]);
    expect(found.gateTools).toEqual(['pytest>=8']);
    expect(found.requiresPython).toEqual({ specifier: '>=3.9', source: 'pyproject.toml' });
    expect(found.sources).toEqual(['pyproject.toml']);
    expect(found.pinned).toBe(false);
  });

  it('follows -r and -c includes and drops pip options, editables and direct references with a note', () => {
    const found = discoverRequirements(
      tree({
        'requirements.txt':
          '-r requirements/base.txt\n-c constraints.txt\n--index-url https://evil.example/simple\n-e .\nrequests==2.31.0  # http\n',
        'requirements/base.txt':
          'idna>=3\nmylib @ https://example.com/mylib.whl\ngit+https://example.com/x.git\n',
        'constraints.txt': 'idna==3.6\n',
        'requirements-docs.txt': 'sphinx\n',
      }),
      auto,
    );
    expect(found.requirements).toEqual(['idna>=3', 'requests==2.31.0']);
    expect(found.pins).toEqual([
      { name: 'idna', version: '3.6', hashes: [], source: 'constraints.txt' },
    ]);
    expect(found.sources).toEqual(['requirements.txt', 'requirements/base.txt', 'constraints.txt']);
    expect(found.notes.join('\n')).toMatch(
      /pip option "--index-url" ignored: the index and pip's options are the operator's settings/,
    );
    expect(found.notes.join('\n')).toMatch(/mylib is a direct reference/);
    expect(found.notes.join('\n')).toMatch(/editable installs are skipped/);
  });

  it('does not follow a development file into the docs and type-check requirements (more-itertools)', () => {
    const found = discoverRequirements(
      tree({
        'requirements/development.txt':
          '--requirement testing.txt\n--requirement typechecks.txt\n--requirement ../docs/requirements.txt\n--requirement packaging.txt\n',
        'requirements/testing.txt': 'coverage\nhypothesis-extra-thing\n',
        'requirements/typechecks.txt': 'mypy\n',
        'docs/requirements.txt': 'furo\nsphinx\n',
        'requirements/packaging.txt': 'build\nflit\ntwine\n',
      }),
      auto,
    );
    expect(found.requirements).toEqual(['hypothesis-extra-thing']);
    expect(found.notes.join('\n')).toContain(
      'requirements/development.txt: docs/requirements.txt is for docs or tooling, not the tests; skipped',
    );
    expect(found.notes.join('\n')).toContain('requirements/typechecks.txt is for docs or tooling');
    expect(found.notes.join('\n')).toContain('requirements/packaging.txt is for docs or tooling');
  });

  it('reads hashes of a hashed requirements file as pins, and calls the set pinned', () => {
    const sha = 'a'.repeat(64);
    const found = discoverRequirements(
      tree({ 'requirements.txt': `six==1.16.0 \\\n    --hash=sha256:${sha}\n` }),
      auto,
    );
    expect(found.requirements).toEqual(['six==1.16.0']);
    expect(found.pins).toEqual([
      { name: 'six', version: '1.16.0', hashes: [sha], source: 'requirements.txt' },
    ]);
    expect(found.pinned).toBe(true);
  });

  it('takes versions and hashes from uv.lock, and the requirements from pyproject', () => {
    const found = discoverRequirements(
      tree({
        'pyproject.toml': '[project]\nname = "app"\ndependencies = ["attrs"]\n',
        'uv.lock': `
version = 1
[[package]]
name = "app"
version = "0.1"
source = { editable = "." }

[[package]]
name = "attrs"
version = "23.2.0"
source = { registry = "https://pypi.org/simple" }
wheels = [{ url = "https://files/attrs-23.2.0-py3-none-any.whl", hash = "sha256:${'b'.repeat(64)}" }]
`,
        'requirements.txt': 'ignored-because-locked\n',
      }),
      auto,
    );
    expect(found.requirements).toEqual(['attrs']);
    expect(found.pins).toEqual([
      { name: 'attrs', version: '23.2.0', hashes: ['b'.repeat(64)], source: 'uv.lock' },
    ]);
    expect(found.pinned).toBe(true);
    expect(found.sources).toEqual(['uv.lock', 'pyproject.toml']);
  });

  it("converts Poetry's dependencies and test group", () => {
    const found = discoverRequirements(
      tree({
        'pyproject.toml': `
[tool.poetry]
name = "app"
[tool.poetry.dependencies]
python = "^3.9"
requests = "^2.28"
tomli = { version = "~1.2.3", markers = "python_version < '3.11'" }
local = { path = "../local" }
[tool.poetry.group.test.dependencies]
freezegun = "1.2.2"
`,
      }),
      auto,
    );
    expect(found.requirements).toEqual([
      'requests>=2.28,<3',
      "tomli>=1.2.3,<1.3 ; python_version < '3.11'",
      'freezegun==1.2.2',
    ]);
    expect(found.requiresPython).toEqual({ specifier: '>=3.9,<4', source: 'pyproject.toml' });
    expect(found.notes.join('\n')).toMatch(/local is a git, path or URL dependency/);
  });

  it('reads setup.cfg install_requires and test extras, and never runs setup.py', () => {
    const withCfg = discoverRequirements(
      tree({
        'setup.cfg':
          '[metadata]\nname = app\n[options]\ninstall_requires =\n    click>=8\n    six\npython_requires = >=3.8\n[options.extras_require]\ntesting =\n    mock\n',
        'setup.py': 'import os; os.system("boom")\n',
      }),
      auto,
    );
    expect(withCfg.requirements).toEqual(['click>=8', 'six', 'mock']);
    const onlySetupPy = discoverRequirements(
      tree({ 'setup.py': 'setup(install_requires=["x"])\n' }),
      auto,
    );
    expect(onlySetupPy.requirements).toEqual([]);
    expect(onlySetupPy.notes.join('\n')).toMatch(/setup\.py is never run/);
  });

  it('uses only the configured files, extras and packages when the config names them', () => {
    const found = discoverRequirements(
      tree({
        'pyproject.toml':
          '[project]\nname = "app"\ndependencies = ["attrs"]\n[project.optional-dependencies]\nci = ["tox"]\ntest = ["x"]\n',
        'ci/reqs.txt': 'coverage>=7\nresponses\n',
        'requirements.txt': 'not-this\n',
      }),
      { ...auto, requirements: ['ci/reqs.txt'], extras: ['ci'], packages: ['freezegun>=1.2'] },
    );
    expect(found.requirements).toEqual(['responses', 'tox', 'freezegun>=1.2']);
    expect(found.gateTools).toEqual(['coverage>=7']);
  });

  it("reads tox.ini's [testenv] deps, following {[section]key} and -r, skipping factor lines", () => {
    const found = discoverRequirements(
      tree({
        'tox.ini': `[base]
deps =
    python-dateutil

[testenv]
deps =
    {[base]deps}
    parameterized
    py38: mock
    -r{toxinidir}/requirements-test.txt
    {env:EXTRA_DEPS}
commands = pytest
`,
        'requirements-test.txt': 'freezegun\n',
      }),
      auto,
    );
    expect(found.requirements).toEqual(['freezegun', 'python-dateutil', 'parameterized']);
    expect(found.sources).toEqual(['requirements-test.txt', 'tox.ini']);
  });

  it('never lets a requirement or a lock version carry pip options into pip', () => {
    const found = discoverRequirements(
      tree({
        'pyproject.toml':
          '[project]\nname = "app"\ndependencies = ["six\\n--index-url http://evil.example/simple", "attrs --index-url=http://evil", "idna"]\n',
        'uv.lock':
          'version = 1\n[[package]]\nname = "idna"\nversion = "3.6\\n-i http://evil"\nsource = { registry = "x" }\n',
      }),
      auto,
    );
    expect(found.requirements).toEqual(['idna']);
    expect(found.pins).toEqual([]);
    expect(found.notes.filter((n) => /holds pip options or line breaks/.test(n))).toHaveLength(2);
  });

  it('says what is wrong with a broken pyproject.toml instead of throwing', () => {
    const found = discoverRequirements(tree({ 'pyproject.toml': '[project\nname=' }), auto);
    expect(found.requirements).toEqual([]);
    expect(found.notes.join('\n')).toMatch(/pyproject\.toml is not valid TOML/);
  });
});

describe('helpers', () => {
  it('turns Poetry constraints into PEP 440', () => {
    expect(poetryConstraint('^1.2.3')).toBe('>=1.2.3,<2');
    expect(poetryConstraint('^0.2.3')).toBe('>=0.2.3,<0.3');
    expect(poetryConstraint('~1.2')).toBe('>=1.2,<1.3');
    expect(poetryConstraint('*')).toBe('');
    expect(poetryConstraint('>=1, <2')).toBe('>=1,<2');
    expect(poetryConstraint('^1 || ^2')).toBeUndefined();
  });

  it('checks the sandbox Python against requires-python', () => {
    expect(satisfies('3.11.2', '>=3.8')).toBe(true);
    expect(satisfies('3.11.2', '>=3.12')).toBe(false);
    expect(satisfies('3.11.2', '>=3.8,!=3.11.*')).toBe(false);
    expect(satisfies('3.11.2', '~=3.10')).toBe(true);
    expect(satisfies('3.11.2', '<3.11')).toBe(false);
  });

  it('redacts index credentials wherever they appear', () => {
    const redact = redactorFor(['https://ci:hunter2-pw@pkgs.example/simple']);
    expect(redact('GET https://ci:hunter2-pw@pkgs.example/simple/x/ failed; pw hunter2-pw')).toBe(
      'GET https://****@pkgs.example/simple/x/ failed; pw ****',
    );
    expect(redact('see http://other:pw@host/')).toBe('see http://****@host/');
  });
});

describe('readSetupPy', () => {
  it('reads literal install_requires, extras and python_requires from the syntax tree, never running the file', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'setup-py-')), 'ran');
    const info = await readSetupPy(`
import os
os.system("touch ${marker}")
open(${JSON.stringify(marker)}, "w").write("ran")
REQUIRES = ["wrapt>=1.10,<2"]
setup(
    name="Deprecated",
    install_requires=REQUIRES,
    extras_require={"dev": ["tox", "pytest"]},
    python_requires=">=2.7",
)
`);
    expect(info).toEqual({
      installRequires: ['wrapt>=1.10,<2'],
      extras: { dev: ['tox', 'pytest'] },
      pythonRequires: '>=2.7',
    });
    expect(existsSync(marker)).toBe(false);
    const found = discoverRequirements(tree({ 'setup.py': 'x' }), auto, { setupPy: info! });
    expect(found.requirements).toEqual(['wrapt>=1.10,<2', 'tox']);
    expect(found.gateTools).toEqual(['pytest']);
    expect(found.sources).toEqual(['setup.py']);
  });

  it('says so when install_requires is computed', async () => {
    const info = await readSetupPy('setup(install_requires=open("r.txt").read().split())\n');
    expect(info?.installRequires).toBeNull();
    const found = discoverRequirements(tree({ 'setup.py': 'x' }), auto, { setupPy: info! });
    expect(found.notes.join('\n')).toMatch(/install_requires is not a literal list/);
  });
});
