/**
 * Tests written to cheat the gate, one small repository per class of attack, judged by
 * `testgate run` end to end (real git, Docker, sandbox image). Every attack must end
 * rejected with a reason (or the gate failing closed), and the honest test beside it
 * accepted: a gate that blocks honest tests would be switched off.
 */
import { ensureSandboxImage } from '@testgate/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeJudge, statuses } from './judge-change.ts';

const changes = changeJudge('hostile');

const CALC_BASE = 'def add(a, b):\n    return a + b\n';
const CALC_HEAD = `${CALC_BASE}\n\ndef sub(a, b):\n    return a - b\n`;
const HONEST = 'import calc\n\n\ndef test_honest():\n    assert calc.sub(3, 1) == 2\n';
const base = { files: { 'calc/__init__.py': CALC_BASE, 'tests/__init__.py': '' } };

/**
 * Test-body lines that walk the harness plugin's closures to the audit hook's state and set
 * its busy flag, so the hook lets everything through: what is left is the kernel's blocks.
 */
const SWITCH_THE_AUDIT_HOOK_OFF = `    for plugin in request.config.pluginmanager.get_plugins():
        for name in dir(type(plugin)):
            for cell in getattr(getattr(type(plugin), name, None), '__closure__', None) or ():
                try:
                    value = cell.cell_contents
                except ValueError:
                    continue
                if isinstance(value, dict) and 'busy' in value:
                    value['busy'] = True
`;

/** The head tree: the PR's calc change plus these test files. */
function head(files: Record<string, string>, calc = CALC_HEAD): { files: Record<string, string> } {
  return { files: { 'calc/__init__.py': calc, 'tests/__init__.py': '', ...files } };
}

/** Matches a `statuses()` entry: rejected, with each of these reasons among its reasons. */
function rejectedFor(...reasons: string[]): unknown {
  return expect.stringMatching(new RegExp(`^rejected(?=.*\\b${reasons.join('\\b)(?=.*\\b')}\\b)`));
}

function rulesOf(
  report: { tests: { nodeid: string; findings: { rule: string }[] }[] },
  name: string,
): string[] {
  return report.tests.find((test) => test.nodeid.endsWith(name))?.findings.map((f) => f.rule) ?? [];
}

beforeAll(async () => {
  await ensureSandboxImage();
}, 20 * 60_000);

afterAll(() => changes.cleanup());

describe('blocks the test cannot lift', () => {
  it('a test that switches the audit hook off is still stopped by the kernel, and the finding stays', async () => {
    const attack = `import posix

import calc


def test_hook_off_then_system(request):
${SWITCH_THE_AUDIT_HOOK_OFF}    posix.system('true')
    assert calc.sub(2, 1) == 1


def test_kill_the_harness():
    import os
    import signal
    signal.pidfd_send_signal(os.pidfd_open(os.getppid()), signal.SIGKILL)
    assert calc.sub(1, 1) == 0


def test_import_the_bootstrap():
    import tg_audit_bootstrap
    tg_audit_bootstrap._BLOCK.clear()
    assert calc.sub(1, 1) == 0
`;
    const { code, report } = await changes.judge(
      'kernel',
      base,
      head({ 'tests/test_honest.py': HONEST, 'tests/test_kernel.py': attack }),
    );
    expect(statuses(report)).toEqual({
      'tests/test_honest.py::test_honest': 'accepted',
      'tests/test_kernel.py::test_hook_off_then_system': rejectedFor('unsafe', 'tampering'),
      'tests/test_kernel.py::test_kill_the_harness': rejectedFor('unsafe'),
      'tests/test_kernel.py::test_import_the_bootstrap': rejectedFor('tampering'),
    });
    expect(rulesOf(report, 'test_hook_off_then_system')).toEqual(
      expect.arrayContaining(['AUDIT-kernel-blocked', 'TG-TOOL-INTERNALS', 'TG-FRAME']),
    );
    expect(rulesOf(report, 'test_kill_the_harness')).toContain('AUDIT-kernel-blocked');
    const killed = report.tests.find((test) => test.nodeid.endsWith('test_kill_the_harness'));
    expect(killed?.details.map((d) => d.message).join('\n')).toContain(
      'the kernel killed the test process (SIGSYS) for a system call the sandbox forbids',
    );
    expect(rulesOf(report, 'test_import_the_bootstrap')).toContain('TG-TOOL-INTERNALS');
    expect(report.verdict).toBe('fail');
    expect(code).toBe(1);
  });
});

describe('a test cannot rewrite its own result', () => {
  it('plugins registered from a test, a swapped runtest, a frozen clock and import-time work are all caught', async () => {
    const attack = `import time

import calc


def test_register_a_forging_plugin(request):
    import pytest

    class Forge:
        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_makereport(self, item, call):
            outcome = yield
            outcome.get_result().outcome = 'passed'

    request.config.pluginmanager.register(Forge())
    assert calc.sub(1, 1) == 5


def test_swap_runtest(request):
    request.node.runtest = lambda: None
    assert calc.sub(1, 1) == 7


def test_frozen_clock():
    import _pytest.timing
    _pytest.timing.perf_counter = lambda: 0.0
    started = time.monotonic()
    while time.monotonic() - started < 1.2:
        pass
    assert calc.sub(1, 1) == 0
`;
    const slowImport = `import time

import calc

_started = time.monotonic()
while time.monotonic() - _started < 1.5:
    pass


def test_after_import_work():
    assert calc.sub(2, 1) == 1
`;
    const { report } = await changes.judge(
      'rewrite',
      base,
      head({
        'tests/test_honest.py': HONEST,
        'tests/test_rewrite.py': attack,
        'tests/test_import_work.py': slowImport,
      }),
    );
    expect(rulesOf(report, 'test_register_a_forging_plugin')).toEqual(
      expect.arrayContaining(['AUDIT-plugin-registered', 'AUDIT-runner-tampering']),
    );
    expect(rulesOf(report, 'test_swap_runtest')).toContain('AUDIT-runner-tampering');
    const frozen = report.tests.find((t) => t.nodeid.endsWith('test_frozen_clock'));
    // The parent's clock, not pytest's: the 1.2 s loop is seen.
    expect(frozen?.durationMs).toBeGreaterThan(1000);
    expect(frozen?.reasons).toEqual(expect.arrayContaining(['slow', 'tampering']));
    const imported = report.tests.find((t) => t.nodeid.endsWith('test_after_import_work'));
    expect(imported?.details.find((d) => d.reason === 'slow')?.message).toMatch(
      /plus \d+ ms of work at the import of tests\/test_import_work\.py/,
    );
    expect(statuses(report)['tests/test_honest.py::test_honest']).toBe('accepted');
    expect(report.verdict).toBe('fail');
  });

  it('a report class patched from tests/__init__.py and a hook bound by assignment in conftest.py fail their files', async () => {
    const { report } = await changes.judge(
      'rewrite-support',
      base,
      head({
        'tests/test_honest.py': HONEST,
        // A report builder patched from the package's __init__, a hook bound by assignment.
        'tests/__init__.py':
          'import pytest\n\npytest.TestReport.from_item_and_call = classmethod(lambda cls, item, call: None)\n',
        'tests/conftest.py':
          'def _forge(item, call):\n    return None\n\n\npytest_runtest_makereport = _forge\n',
      }),
    );
    const init = report.files.find((f) => f.path === 'tests/__init__.py');
    expect(init?.findings.map((f) => f.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('assigns pytest.TestReport.from_item_and_call'),
      ]),
    );
    const conftest = report.files.find((f) => f.path === 'tests/conftest.py');
    expect(conftest?.findings.map((f) => f.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('binds pytest hook `pytest_runtest_makereport` by assignment'),
      ]),
    );
    expect(init?.reasons).toContain('tampering');
    expect(conftest?.reasons).toContain('tampering');
    expect(report.verdict).toBe('fail');
  });

  it('a test cannot write into the tree another test is copied from', async () => {
    const writer = `import calc


def test_writes_master_copy(request):
${SWITCH_THE_AUDIT_HOOK_OFF}    for path in ('/work/head/tests/test_victim.py', '/work/head/tests/conftest.py'):
        try:
            with open(path, 'a') as f:
                f.write('\\nraise SystemExit(0)\\n')
        except OSError:
            pass
    assert calc.sub(3, 3) == 0
`;
    const victim = 'import calc\n\n\ndef test_victim():\n    assert calc.sub(5, 2) == 3\n';
    const { report } = await changes.judge(
      'master-copy',
      base,
      head({ 'tests/test_writer.py': writer, 'tests/test_victim.py': victim }),
    );
    expect(statuses(report)).toEqual({
      'tests/test_victim.py::test_victim': 'accepted',
      'tests/test_writer.py::test_writes_master_copy': rejectedFor('unsafe', 'tampering'),
    });
  });
});

describe('what pytest collects is judged', () => {
  it('factory-made, inherited and fixture-using tests are run; a test file that does not parse fails', async () => {
    const baseTree = {
      files: {
        'calc/__init__.py': CALC_BASE,
        'tests/__init__.py': '',
        'tests/checks.py':
          'import calc\n\n\nclass AddChecks:\n    def test_add_small(self):\n        assert calc.add(1, 1) == 2\n',
        'tests/test_inherit.py':
          'from tests.checks import AddChecks\n\n\nclass TestInherited(AddChecks):\n    pass\n',
        'tests/conftest.py': 'import pytest\n\n\n@pytest.fixture\ndef two():\n    return 2\n',
        'tests/test_uses.py':
          'import calc\n\n\ndef test_uses_two(two):\n    assert calc.add(two, 0) == 2\n\n\ndef test_plain():\n    assert calc.add(0, 0) == 0\n',
        'tests/test_factory.py':
          'import calc\n\n\ndef _make(a, b, want):\n    def test():\n        assert calc.add(a, b) == want\n    return test\n\n\ntest_one = _make(1, 0, 1)\n',
      },
    };
    const { report, code } = await changes.judge('collected', baseTree, {
      files: {
        ...baseTree.files,
        'tests/checks.py': `${baseTree.files['tests/checks.py']}\n    def test_add_negative(self):\n        assert calc.add(-1, -1) == -3\n`,
        'tests/conftest.py': 'import pytest\n\n\n@pytest.fixture\ndef two():\n    return 3\n',
        'tests/test_factory.py': `${baseTree.files['tests/test_factory.py']}test_two = _make(2, 2, 4)\n`,
        'tests/test_broken.py': 'def test_broken(:\n    pass\n',
      },
    });
    expect(statuses(report)).toEqual({
      'tests/test_factory.py::test_two': 'accepted',
      'tests/test_inherit.py::TestInherited::test_add_negative': rejectedFor('failed'),
      // Unchanged, but its module imports the base class the PR changed: it runs that code.
      'tests/test_inherit.py::TestInherited::test_add_small': 'accepted',
      'tests/test_uses.py::test_uses_two': 'rejected failed',
    });
    const broken = report.files.find((f) => f.path === 'tests/test_broken.py');
    expect(broken?.reasons).toEqual(['error']);
    expect(report.verdict).toBe('fail');
    expect(code).toBe(1);
  });
});

describe("the PR's own config does not judge it", () => {
  it('a head config that allows os.system is ignored, and the CLI says so', async () => {
    const shell =
      'import os\n\nimport calc\n\n\ndef test_shell():\n    os.system("true")\n    assert calc.sub(1, 1) == 0\n';
    const { report, stderr } = await changes.judge(
      'head-config',
      base,
      head({
        'tests/test_shell.py': shell,
        '.github/testgate.yml': 'security:\n  allowRules: [B605, TG-SUBPROCESS]\n',
      }),
    );
    expect(statuses(report)['tests/test_shell.py::test_shell']).toEqual(rejectedFor('unsafe'));
    expect(stderr).toContain(
      "note: the change edits .github/testgate.yml; it is judged with the base commit's config",
    );
  });
});

describe('the PR cannot make the gate give no verdict', () => {
  it('code that raises at import fails the gate; a raised ModuleNotFoundError is not a missing dependency', async () => {
    const raising = await changes.judge(
      'import-raises',
      base,
      head(
        { 'tests/test_honest.py': HONEST },
        `${CALC_HEAD}\n\nraise ValueError("boom at import")\n`,
      ),
    );
    expect(raising.report.verdict).toBe('fail');
    expect(raising.code).toBe(1);
    expect(raising.report.files[0]).toMatchObject({
      path: 'calc/__init__.py',
      kind: 'source',
      reasons: ['error'],
    });
    expect(raising.report.files[0]!.details[0]!.message).toContain('ValueError: boom at import');

    const faked = await changes.judge(
      'import-fakes-missing',
      base,
      head(
        { 'tests/test_honest.py': HONEST },
        `import os\n\nif os.path.isdir('/opt/testgate'):\n    raise ModuleNotFoundError("No module named 'requests'", name='requests')\n\n${CALC_HEAD}`,
      ),
    );
    expect(faked.report.verdict).toBe('fail');
    expect(faked.code).toBe(1);

    const missing = await changes.judge(
      'import-missing',
      base,
      head({ 'tests/test_honest.py': HONEST }, `import requests  # noqa: F401\n\n${CALC_HEAD}`),
    );
    expect(missing.report.verdict).toBe('neutral');
    expect(missing.report.neutralReason).toContain('imports "requests"');
  });

  it('a 5,000-character test id with markup and control characters gets a verdict, rendered harmless', async () => {
    const ids = `import pytest

import calc

EVIL = 'a' + chr(13) + chr(10) + '::warning::pwned <img src=x onerror=alert(1)> @octocat ' + chr(27) + '[31m' + 'y' * 5000


@pytest.mark.parametrize('x', [pytest.param(1, id=EVIL)])
def test_sub_ids(x):
    assert calc.sub(x, 1) == 0
`;
    const json = await changes.judge('ids-json', base, head({ 'tests/test_ids.py': ids }));
    expect(json.code).toBe(0);
    expect(json.report.verdict).toBe('pass');
    const nodeid = json.report.tests[0]!.nodeid;
    expect(nodeid.length).toBeLessThanOrEqual(4096);
    expect(nodeid).toContain('[... cut by Testgate: too long]');
    expect(nodeid).not.toMatch(/[\r\u001b]/);
    const noCommandLines = (text: string) => text.split('\n').filter((line) => /^\s*::/.test(line));
    expect(noCommandLines(json.stderr)).toEqual([]);

    const markdown = await changes.judge('ids-markdown', base, head({ 'tests/test_ids.py': ids }), {
      format: 'markdown',
    });
    expect(markdown.stdout).not.toMatch(/[\r\u001b]/);
    // Markup shows as text: inside a code span, or escaped.
    for (const line of markdown.stdout.split('\n').filter((text) => text.includes('<img'))) {
      expect(line).toMatch(/`[^`]*<img[^`]*`/);
    }
    expect(markdown.stdout).not.toContain('@octocat');
    expect(noCommandLines(markdown.stdout)).toEqual([]);
  });
});
