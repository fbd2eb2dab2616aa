/**
 * Judging real pull requests right: one small repository per problem seen on real merged
 * commits (base and head built here), judged by `testgate run` end to end with real git,
 * Docker and the sandbox image. Each case asserts what a user reads in the JSON report.
 */
import { ensureSandboxImage } from '@testgate/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeJudge, statuses } from './judge-change.ts';

const changes = changeJudge('pr-judgement');
const judge = (...args: Parameters<typeof changes.judge>) => changes.judge(...args);

beforeAll(async () => {
  await ensureSandboxImage();
}, 20 * 60_000);

afterAll(() => changes.cleanup());

describe('findings are scoped to the change', () => {
  it('a new test next to old pickle, try/except/pass and sleep code is accepted; the old findings are existing', async () => {
    const oldTests = [
      'import pickle',
      'import time',
      '',
      'from calc import area',
      '',
      '',
      'def _load(blob):',
      '    try:',
      '        return pickle.loads(blob)',
      '    except Exception:',
      '        pass',
      '',
      '',
      'class Slow:',
      '    def wait(self):',
      '        time.sleep(0.01)',
      '',
      '',
      'def test_area():',
      '    assert area(2, 3) == 6',
      '',
    ].join('\n');
    const { code, report } = await judge(
      'old-findings',
      {
        files: {
          'calc/__init__.py': 'def area(w, h):\n    return w * h\n',
          'tests/test_calc.py': oldTests,
        },
      },
      {
        files: {
          'calc/__init__.py':
            'def area(w, h):\n    return w * h\n\n\ndef perimeter(w, h):\n    return 2 * (w + h)\n',
          'tests/test_calc.py': `${oldTests.replace('from calc import area', 'from calc import area, perimeter')}\n\ndef test_perimeter():\n    assert perimeter(2, 3) == 10\n`,
        },
      },
    );
    expect(statuses(report)).toEqual({ 'tests/test_calc.py::test_perimeter': 'accepted' });
    expect(report.verdict).toBe('pass');
    expect(code).toBe(0);
    expect(report.findings).toEqual([]);
    const existing = report.existingFindings.map((f) => `${f.rule}@${f.line}`);
    expect(existing).toEqual(expect.arrayContaining(['B403@1', 'B110@10']));
    expect(report.existingFindings.every((f) => f.baseline === 'existing')).toBe(true);
  });

  it('a new finding in the same file still rejects the test', async () => {
    const { code, report } = await judge(
      'new-finding',
      {
        files: {
          'calc/__init__.py': 'def area(w, h):\n    return w * h\n',
          'tests/test_calc.py': 'from calc import area\n',
        },
      },
      {
        files: {
          'calc/__init__.py': 'def area(w, h):\n    return w * h + 0\n',
          'tests/test_calc.py':
            'import time\n\nfrom calc import area\n\n\ndef test_area():\n    time.sleep(0.01)\n    assert area(2, 3) == 6\n',
        },
      },
    );
    expect(statuses(report)).toEqual({ 'tests/test_calc.py::test_area': 'rejected unsafe' });
    expect(report.verdict).toBe('fail');
    expect(code).toBe(1);
  });

  it('a finding on a line the PR only re-laid out (a formatter run) is existing', async () => {
    // Seen on dateutil: black turned `x > 6: # pragma: nocover` / 'text' into the spaced,
    // double-quoted form; the pragma was there before.
    const helper = (layout: 'old' | 'new') =>
      [
        'from calc import area',
        '',
        '',
        'def _check(n):',
        layout === 'old' ? '    if n > 6: # pragma: nocover' : '    if n > 6:  # pragma: nocover',
        layout === 'old'
          ? "        raise ValueError('too big') "
          : '        raise ValueError("too big")',
        '    return n',
        '',
      ].join('\n');
    const { report } = await judge(
      'relayout',
      {
        files: {
          'calc/__init__.py': 'def area(w, h):\n    return w * h\n',
          'tests/test_calc.py': helper('old'),
        },
      },
      {
        files: {
          'calc/__init__.py': 'def area(w, h):\n    return w * h + 0\n',
          'tests/test_calc.py': `${helper('new')}\n\ndef test_area():\n    assert area(_check(2), 3) == 6\n`,
        },
      },
    );
    expect(statuses(report)).toEqual({ 'tests/test_calc.py::test_area': 'accepted' });
    expect(report.verdict).toBe('pass');
    expect(report.existingFindings.map((f) => `${f.rule}@${f.line}`)).toEqual(['TG-NO-COVER@5']);
  });
});

describe('changed lines are the statements coverage counts', () => {
  it('a test covering a change on a continuation line is credited', async () => {
    const { report } = await judge(
      'continuation',
      { files: { 'calc/shapes.py': 'def box(w, h):\n    return (w,\n            h)\n' } },
      {
        files: {
          'calc/shapes.py': 'def box(w, h):\n    return (w,\n            h, w * h)\n',
          'tests/test_shapes.py':
            'from calc.shapes import box\n\n\ndef test_box():\n    assert box(2, 3) == (2, 3, 6)\n',
        },
      },
    );
    expect(statuses(report)).toEqual({ 'tests/test_shapes.py::test_box': 'accepted' });
    expect(report.changedLines).toEqual({ 'calc/shapes.py': [2] });
    expect(report.tests[0]!.coverage.changedLinesCovered).toBe(1);
  });

  it('a new constant and its test pass; docstring lines are not counted', async () => {
    const { report } = await judge(
      'constant',
      { files: { 'calc/limits.py': 'def clamp(x):\n    return min(x, 10)\n' } },
      {
        files: {
          'calc/limits.py': [
            '"""Limits.',
            '',
            'A docstring of several lines,',
            'none of which can run.',
            '"""',
            '# the largest value clamp lets through',
            'MAX = 10',
            '__all__ = ["clamp", "MAX"]',
            '',
            '',
            'def clamp(x):',
            '    return min(x, 10)',
            '',
          ].join('\n'),
          'tests/test_limits.py':
            'from calc.limits import MAX\n\n\ndef test_max():\n    assert MAX == 10\n',
        },
      },
    );
    expect(statuses(report)).toEqual({ 'tests/test_limits.py::test_max': 'accepted' });
    expect(report.changedLines).toEqual({ 'calc/limits.py': [7, 8] });
    expect(report.tests[0]!.coverage.changedLines).toEqual({ 'calc/limits.py': [7, 8] });
    expect(report.tests[0]!.coverage.changedLinesTotal).toBe(2);
  });
});

describe('trees as the repository has them', () => {
  it('a symlinked helper works; a link out of the tree is refused by name', async () => {
    const { report } = await judge(
      'symlinks',
      {
        files: {
          'calc/__init__.py': 'def triple(x):\n    return 3 * x\n',
          'shared/helpers.py': 'def make():\n    return 3\n',
          'tests/test_a.py': 'from calc import triple\n',
        },
      },
      {
        files: {
          'calc/__init__.py': 'def triple(x):\n    return x * 3\n',
          'shared/helpers.py': 'def make():\n    return 3\n',
          'tests/conftest.py':
            'import pytest\nfrom helpers import make\n\n\n@pytest.fixture\ndef three():\n    return make()\n',
          'tests/test_a.py':
            'from calc import triple\n\n\ndef test_triple(three):\n    assert triple(three) == 9\n',
        },
        links: { 'tests/helpers.py': '../shared/helpers.py', 'tests/outside.py': '../../x.py' },
      },
    );
    expect(statuses(report)).toEqual({ 'tests/test_a.py::test_triple': 'accepted' });
    const outside = report.files.find((file) => file.path === 'tests/outside.py');
    expect(outside?.reasons).toEqual(['error']);
    expect(outside?.details[0]?.message).toBe(
      'tests/outside.py is a symbolic link to ../../x.py, outside the repository: Testgate does not follow links out of the tree; commit the file itself or link to a file inside the repository',
    );
    expect(report.verdict).toBe('fail');
  });

  it('a hatch-vcs package that reads its own version imports', async () => {
    const pyproject = [
      '[build-system]',
      'requires = ["hatchling", "hatch-vcs"]',
      'build-backend = "hatchling.build"',
      '',
      '[project]',
      'name = "verpkg"',
      'dynamic = ["version"]',
      '',
      '[tool.hatch.version]',
      'source = "vcs"',
      '',
      '[tool.hatch.build.hooks.vcs]',
      'version-file = "verpkg/_version.py"',
      '',
    ].join('\n');
    const init = (greeting: string) =>
      `from importlib.metadata import version\n\nfrom verpkg._version import __version__\n\nDIST_VERSION = version("verpkg")\n\n\ndef greet(name):\n    return f"${greeting} {name}"\n`;
    const { report } = await judge(
      'hatch-vcs',
      { files: { 'pyproject.toml': pyproject, 'verpkg/__init__.py': init('hi') } },
      {
        files: {
          'pyproject.toml': pyproject,
          'verpkg/__init__.py': init('hello'),
          'tests/test_greet.py':
            'from verpkg import DIST_VERSION, greet\n\n\ndef test_greet():\n    assert greet("ann") == "hello ann"\n    assert DIST_VERSION == "0+testgate"\n',
        },
      },
    );
    expect(report.project.importable).toBe(true);
    expect(statuses(report)).toEqual({ 'tests/test_greet.py::test_greet': 'accepted' });
    expect(report.verdict).toBe('pass');
  });

  it('a package that still does not import is neutral with the real cause', async () => {
    const { report } = await judge(
      'missing-module',
      { files: { 'verpkg/__init__.py': 'def greet():\n    return 1\n' } },
      {
        files: {
          'verpkg/__init__.py': 'from verpkg._build import STAMP\n\n\ndef greet():\n    return 2\n',
          'tests/test_greet.py':
            'from verpkg import greet\n\n\ndef test_g():\n    assert greet() == 2\n',
        },
      },
    );
    expect(report.verdict).toBe('neutral');
    expect(report.neutralReason).toMatch(
      /^the code under test imports "verpkg\._build" at verpkg\/__init__\.py:1, and no such module is in the repository/,
    );
    expect(report.neutralReason).not.toMatch(/layout/);
  });
});

describe('what the project collects is what the gate judges', () => {
  it('new entries of a module-level parametrize table are judged as new cases', async () => {
    const table = (rows: string[]) =>
      `import pytest\n\nfrom calc import double\n\nCASES = [\n${rows.map((row) => `    ${row},\n`).join('')}]\n\n\n@pytest.mark.parametrize("a, b", CASES)\ndef test_double(a, b):\n    assert double(a) == b\n`;
    const { report } = await judge(
      'param-table',
      {
        files: {
          'calc/__init__.py': 'def double(x):\n    return 2 * x\n',
          'tests/test_double.py': table(['(1, 2)', '(2, 4)']),
        },
      },
      {
        files: {
          'calc/__init__.py': 'def double(x):\n    return 2 * x\n',
          'tests/test_double.py': table(['(1, 2)', '(2, 4)', '(5, 10)']),
        },
      },
    );
    expect(statuses(report)).toEqual({ 'tests/test_double.py::test_double[5-10]': 'accepted' });
    expect(report.verdict).toBe('pass');
  });

  it('a root test.py named by python_files is a test file, not code under test', async () => {
    const ini = '[pytest]\npython_files = test.py\n';
    const { report } = await judge(
      'root-test-py',
      {
        files: {
          'pytest.ini': ini,
          'mod.py': 'def inc(x):\n    return x + 1\n',
          'test.py': 'from mod import inc\n\n\ndef test_inc():\n    assert inc(1) == 2\n',
        },
      },
      {
        files: {
          'pytest.ini': ini,
          'mod.py': 'def inc(x, by=1):\n    return x + by\n',
          'test.py':
            'from mod import inc\n\n\ndef test_inc():\n    assert inc(1) == 2\n\n\ndef test_inc_by():\n    assert inc(1, by=3) == 4\n',
        },
      },
    );
    expect(statuses(report)).toEqual({ 'test.py::test_inc_by': 'accepted' });
    expect(Object.keys(report.changedLines)).toEqual(['mod.py']);
    expect(report.verdict).toBe('pass');
  });

  it('a new test file with no test but a module-level os.system fails the gate', async () => {
    const { code, report } = await judge(
      'import-time-system',
      {
        files: {
          'calc/__init__.py': 'def one():\n    return 1\n',
          'tests/test_one.py': 'from calc import one\n\n\ndef test_one():\n    assert one() == 1\n',
        },
      },
      {
        files: {
          'calc/__init__.py': 'def one():\n    return 1\n',
          'tests/test_one.py': 'from calc import one\n\n\ndef test_one():\n    assert one() == 1\n',
          'tests/test_setup_env.py': 'import os\n\nos.system("echo pwned")\n',
        },
      },
    );
    const file = report.files.find((entry) => entry.path === 'tests/test_setup_env.py');
    expect(file?.reasons).toContain('unsafe');
    expect(file?.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['B605']));
    expect(report.verdict).toBe('fail');
    expect(code).toBe(1);
  });
});

describe('generated tests do not pin bugs', () => {
  it('a case that contradicts the docstring is a suspected bug, not a suggestion', async () => {
    const stats = (body: string) =>
      `def average(values: list) -> float:\n    """Mean of the values; 0.0 for an empty list.\n\n    >>> average([])\n    0.0\n    """\n${body}`;
    const { report } = await judge(
      'pinned-bug',
      { files: { 'stats.py': stats('    return sum(values) / max(len(values), 1)\n') } },
      { files: { 'stats.py': stats('    return sum(values) / len(values)\n') } },
      { generate: 'builtin' },
    );
    expect(report.generation?.suspectedBugs).toEqual([
      {
        nodeid: 'stats.py::average',
        target: 'average',
        message: 'average([]) raises ZeroDivisionError, but its docstring shows it returning 0.0',
      },
    ]);
    const suggested = report.suggestions.map((s) => s.content).join('\n');
    expect(suggested).not.toMatch(/ZeroDivisionError/);
  });
});

describe('more seen on real repositories', () => {
  it('export-subst and export-ignore attributes do not change what is judged', async () => {
    const attrs = 'pkg/_version.py export-subst\ntests/** export-ignore\n';
    const version = 'git_full = "$Format:%H$"\n';
    const { report } = await judge(
      'export-attrs',
      {
        files: {
          '.gitattributes': attrs,
          'pkg/_version.py': version,
          'pkg/__init__.py': 'def inc(x):\n    return x + 1\n',
        },
      },
      {
        files: {
          '.gitattributes': attrs,
          'pkg/_version.py': version,
          'pkg/__init__.py': 'def inc(x):\n    return x + 1\n',
          'tests/test_inc.py': 'from pkg import inc\n\n\ndef test_inc():\n    assert inc(1) == 2\n',
        },
      },
    );
    expect(report.changedLines).toEqual({});
    expect(statuses(report)).toEqual({ 'tests/test_inc.py::test_inc': 'accepted' });
  });

  it('a test that asserts through a helper of the test code is not no-assert', async () => {
    const { report } = await judge(
      'assert-helper',
      {
        files: {
          'calc/__init__.py': 'def double(x):\n    return x + x\n',
          'tests/helpers.py':
            'from calc import double\n\n\ndef check_double(x):\n    assert double(x) == 2 * x\n',
        },
      },
      {
        files: {
          'calc/__init__.py': 'def double(x):\n    return 2 * x\n',
          'tests/helpers.py':
            'from calc import double\n\n\ndef check_double(x):\n    assert double(x) == 2 * x\n',
          'tests/test_double.py':
            'from tests.helpers import check_double\n\n\ndef test_double():\n    check_double(3)\n',
        },
      },
    );
    expect(statuses(report)).toEqual({ 'tests/test_double.py::test_double': 'accepted' });
  });

  it('an edited test of a mixin class is judged in the class that inherits it', async () => {
    const mixin = (value: number) =>
      `import unittest\n\nfrom calc import double\n\n\nclass Checks:\n    def test_double(self):\n        self.assertEqual(double(${value}), ${2 * value})\n\n\nclass TestDouble(unittest.TestCase, Checks):\n    pass\n`;
    const { report } = await judge(
      'mixin',
      {
        files: {
          'calc/__init__.py': 'def double(x):\n    return x + x\n',
          'tests/test_m.py': mixin(1),
        },
      },
      {
        files: {
          'calc/__init__.py': 'def double(x):\n    return 2 * x\n',
          'tests/test_m.py': mixin(4),
        },
      },
    );
    expect(statuses(report)).toEqual({ 'tests/test_m.py::TestDouble::test_double': 'accepted' });
  });

  it('a conftest that cannot import fails the file, never silently', async () => {
    const { code, report } = await judge(
      'conftest-import',
      { files: { 'calc/__init__.py': 'def one():\n    return 1\n' } },
      {
        files: {
          'calc/__init__.py': 'def one():\n    return 1\n',
          'tests/conftest.py': 'from calc import VALUE\n',
          'tests/test_one.py': 'from calc import one\n\n\ndef test_one():\n    assert one() == 1\n',
        },
      },
    );
    const file = report.files.find((entry) => entry.path === 'tests/test_one.py');
    expect(file?.details[0]?.message).toMatch(
      /^could not be collected \(ImportError: cannot import name 'VALUE' from 'calc'/,
    );
    expect(report.verdict).toBe('fail');
    expect(code).toBe(1);
  });

  it("a project that is one of the gate's own tools is neutral, and says why", async () => {
    const { report } = await judge(
      'shadowed',
      { files: { 'src/pluggy/__init__.py': 'def answer():\n    return 41\n' } },
      {
        files: {
          'src/pluggy/__init__.py': 'def answer():\n    return 42\n',
          'tests/test_answer.py':
            'from pluggy import answer\n\n\ndef test_answer():\n    assert answer() == 42\n',
        },
      },
    );
    expect(report.verdict).toBe('neutral');
    expect(report.neutralReason).toMatch(
      /^the repository is the package "pluggy", which the gate's own pytest, coverage or hypothesis imports before any test/,
    );
  });
});

describe('a PR cannot make the gate neutral', () => {
  it("adding a package named like one of the gate's tools is judged, not neutral", async () => {
    const { report } = await judge(
      'added-shadow',
      { files: { 'calc/__init__.py': 'def one():\n    return 1\n' } },
      {
        files: {
          'calc/__init__.py': 'def one():\n    return 1\n',
          'pluggy/__init__.py': 'import os\n',
          'tests/test_one.py': 'from calc import one\n\n\ndef test_one():\n    assert one() == 1\n',
        },
      },
    );
    // Judged like any PR: the added package's line is changed code the test never runs.
    expect(report.project.importable).toBe(true);
    expect(statuses(report)).toEqual({
      'tests/test_one.py::test_one': 'rejected no-coverage-gain',
    });
    expect(report.verdict).toBe('fail');
  });
});

describe('a holdout of real commits', () => {
  it('a maintainer script at the root does not make the package "not importable"', async () => {
    const { report } = await judge(
      'root-script',
      {
        files: {
          'pkg/__init__.py': 'def inc(x):\n    return x + 1\n',
          'update_stamp.py':
            'with open("pkg/__init__.py", "a") as f:\n    f.write("# stamped\\n")\n',
        },
      },
      {
        files: {
          'pkg/__init__.py': 'def inc(x):\n    return x + 2\n',
          'update_stamp.py':
            'with open("pkg/__init__.py", "a") as f:\n    f.write("# stamped\\n")\n',
          'tests/test_inc.py': 'from pkg import inc\n\n\ndef test_inc():\n    assert inc(1) == 3\n',
        },
      },
    );
    expect(report.project.importable).toBe(true);
    expect(statuses(report)).toEqual({ 'tests/test_inc.py::test_inc': 'accepted' });
  });

  it('a test file needing a third-party module the sandbox lacks is neutral, naming it', async () => {
    const { code, report } = await judge(
      'missing-dependency',
      { files: { 'pkg/__init__.py': 'def inc(x):\n    return x + 1\n' } },
      {
        files: {
          'pkg/__init__.py': 'def inc(x):\n    return x + 2\n',
          'tests/test_tz.py':
            'import pytz\n\nfrom pkg import inc\n\n\ndef test_inc():\n    assert inc(1) == 3\n',
        },
      },
    );
    expect(report.verdict).toBe('neutral');
    expect(report.neutralReason).toMatch(
      /^tests\/test_tz\.py imports "pytz", which is neither in the repository nor among the dependencies Testgate installed: declare the distribution/,
    );
    expect(code).toBe(0);
  });
});

describe('a second corpus of real commits, with the kernel guard on', () => {
  it('a package that creates a multiprocessing lock at import is judged', async () => {
    const pkg = (body: string) =>
      `import multiprocessing\n\n_LOCK = multiprocessing.RLock()\n\n\n${body}`;
    const { report } = await judge(
      'mp-lock',
      { files: { 'counter/__init__.py': pkg('def bump(n):\n    return n\n') } },
      {
        files: {
          'counter/__init__.py': pkg('def bump(n):\n    with _LOCK:\n        return n + 1\n'),
          'tests/test_counter.py':
            'from counter import bump\n\n\ndef test_bump():\n    assert bump(1) == 2\n',
        },
      },
    );
    expect(statuses(report)).toEqual({ 'tests/test_counter.py::test_bump': 'accepted' });
  });

  it('a library that tries ctypes at import and falls back is judged, with no finding', async () => {
    const pkg = (body: string) =>
      `try:\n    import ctypes\n    WINDLL = ctypes.WinDLL\nexcept (ImportError, AttributeError):\n    WINDLL = None\n\n\n${body}`;
    const { report } = await judge(
      'ctypes-fallback',
      { files: { 'term/__init__.py': pkg('def width():\n    return 80\n') } },
      {
        files: {
          'term/__init__.py': pkg('def width():\n    return 80 if WINDLL is None else 120\n'),
          'tests/test_term.py':
            'from term import width\n\n\ndef test_width():\n    assert width() == 80\n',
        },
      },
    );
    expect(statuses(report)).toEqual({ 'tests/test_term.py::test_width': 'accepted' });
    expect(report.findings).toEqual([]);
  });

  it('tests that read a git submodule the archive leaves empty are neutral, naming it', async () => {
    const gitmodules =
      '[submodule "tests/spec"]\n\tpath = tests/spec\n\turl = https://example.invalid/spec.git\n';
    const reader =
      'import os\n\nfrom parse import value\n\nCASES = os.listdir(os.path.join(os.path.dirname(__file__), "spec"))\n\n\ndef test_value():\n    assert value("1") == 1\n';
    const { report, code } = await judge(
      'submodule',
      { files: { '.gitmodules': gitmodules, 'parse.py': 'def value(text):\n    return text\n' } },
      {
        files: {
          '.gitmodules': gitmodules,
          'parse.py': 'def value(text):\n    return int(text)\n',
          'tests/test_parse.py': reader,
        },
      },
    );
    expect(report.verdict).toBe('neutral');
    expect(report.neutralReason).toBe(
      'tests/test_parse.py reads tests/spec, a git submodule: archives of a commit leave submodules empty and the sandbox has no network to fetch them, so Testgate cannot judge these tests',
    );
    expect(code).toBe(0);
  });
});
