/**
 * The harness's `evaluate` mode end to end: real image, real Docker, real pytest/coverage.
 * Small repos are built here; each case asserts on the validated evidence the host gets
 * (runHarness rejects anything that does not match evaluationEvidenceSchema).
 */
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, judge } from '@testgate/core';
import type { EvaluationEvidence, TestEvidence } from '@testgate/core';
import { createDockerRunner, ensureSandboxImage, runHarness } from '../src/index.ts';
import type { HarnessCandidate, HarnessProgress } from '../src/index.ts';

const docker = new Docker();
const runner = createDockerRunner({ docker });
const TEST_LABEL = 'testgate.test';
const testRun = `harness-evaluate-${randomBytes(4).toString('hex')}`;
let image = '';

const CALC_BASE = `def add(a, b):
    return a + b
`;
const CALC_HEAD = `def add(a, b):
    return a + b


def div(a, b):
    if b == 0:
        raise ZeroDivisionError("b is zero")
    try:
        return a / b
    except TypeError:
        return None
`;

// One PR test file holding every behaviour; each test runs in its own process anyway.
const PR_TESTS = `import os
import sys
import time

import pytest

import calc


def test_passes():
    with pytest.raises(ZeroDivisionError):
        calc.div(1, 0)
    assert calc.div(4, 2) == 2


def test_fails():
    assert calc.add(1, 1) == 3


def test_slow():
    time.sleep(0.8)
    assert calc.add(1, 2) == 3


def test_cpu_loop():
    while True:
        pass


def test_sleeps_forever():
    time.sleep(600)


def test_dynamic_system():
    getattr(__import__('o' + 's'), 'sys' + 'tem')('echo pwned')


def test_dynamic_native_import():
    # A blocked module nothing of the gate imported first (ctypes is the kernel guard's).
    __import__('importlib').import_module('_xxsub' + 'interpreters')


def test_dynamic_frame_walk():
    assert getattr(sys, '_get' + 'frame')(0) is not None


def test_writes_outside_tmp():
    with open('/work/evil.txt', 'w') as f:
        f.write('x')


def test_writes_inside_tmp(tmp_path):
    (tmp_path / 'a.txt').write_text('ok')
    assert (tmp_path / 'a.txt').read_text() == 'ok'


def test_patches_package():
    calc.add = lambda a, b: 0
    path = calc.__file__
    try:
        with open(path, 'w') as f:
            f.write('def add(a, b):\\n    return 0\\n')
    except OSError:
        pass
    assert calc.add(1, 2) == 0


def test_package_intact():
    assert calc.add(1, 2) == 3
    with open(calc.__file__) as f:
        assert 'return a + b' in f.read()


def test_reads_report_channel():
    # Harness stdout and memory are out of reach (non-dumpable); the channel fd is ours to
    # scribble on, but lines without the run's token are counted as forgery.
    print('TESTGATE-REPORT ' + '0' * 32 + ' {"protocol": 1}')
    for fd in range(3, 64):
        try:
            os.write(fd, b'x {"ev": "result", "outcome": "passed"}\\n')
        except OSError:
            pass
    try:
        open('/proc/%d/mem' % os.getppid(), 'rb').read(1)
    except OSError:
        pass
    assert True


def test_fork_bomb():
    while True:
        os.fork()


def test_thread_bomb():
    import threading
    threads = []
    while True:
        t = threading.Thread(target=time.sleep, args=(30,), daemon=True)
        t.start()
        threads.append(t)


def test_memory_bomb():
    hoard = []
    while True:
        hoard.append(bytearray(64 * 1024 * 1024))


def test_output_flood():
    chunk = 'x' * (1024 * 1024)
    for _ in range(50):
        sys.stdout.write(chunk)


def test_background_process():
    import subprocess
    subprocess.Popen(['sleep', '60'], start_new_session=True)


def test_background_raw_fork_exec():
    import _posixsubprocess
    _posixsubprocess.fork_exec(*([None] * 23))


def test_no_process_left():
    time.sleep(0.2)
    mine = os.getpid()
    others = []
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open('/proc/%s/cmdline' % pid, 'rb') as f:
                cmd = f.read()
        except OSError:
            continue
        if b'sleep' in cmd and int(pid) != mine:
            others.append(cmd)
    assert others == []
`;

const GENERATED = `import calc


def test_div_type():
    assert calc.div('a', 1) is None
`;

const BROKEN_GENERATED = `from calc import does_not_exist


def test_never_runs():
    assert does_not_exist() == 1
`;

function candidate(path: string, content: string): HarnessCandidate {
  return { path, content, origin: 'generated', generator: 'builtin' };
}

function byName(report: EvaluationEvidence, name: string): TestEvidence {
  const found = report.tests.find((test) => test.function === name);
  if (!found)
    throw new Error(
      `no evidence for ${name}; got ${report.tests.map((test) => test.function).join(', ')}`,
    );
  return found;
}

const outcomes = (test: TestEvidence): string[] => test.runs.map((run) => run.outcome);
const limits = (test: TestEvidence): (string | undefined)[] => test.runs.map((run) => run.limit);
const rules = (test: TestEvidence): string[] => test.findings.map((finding) => finding.rule);

beforeAll(async () => {
  image = await ensureSandboxImage({ docker });
});

afterAll(async () => {
  const left = await docker.listContainers({
    all: true,
    filters: { label: [`${TEST_LABEL}=${testRun}`] },
  });
  expect(left.map((container) => container.Names)).toEqual([]);
});

describe('harness evaluate', () => {
  let report: EvaluationEvidence;
  const progress: HarnessProgress[] = [];
  let elapsedMs = 0;

  beforeAll(async () => {
    const started = performance.now();
    report = await runHarness(runner, {
      mode: 'evaluate',
      image,
      labels: { [TEST_LABEL]: testRun },
      base: { kind: 'files', files: { 'calc/__init__.py': CALC_BASE } },
      head: {
        kind: 'files',
        files: { 'calc/__init__.py': CALC_HEAD, 'tests/test_calc.py': PR_TESTS },
      },
      candidates: [
        candidate('tests/test_testgate_calc.py', GENERATED),
        candidate('tests/test_testgate_broken.py', BROKEN_GENERATED),
      ],
      settings: { reruns: 2, cpuSecondsPerTest: 1, wallSecondsPerTest: 4 },
      onProgress: (event) => progress.push(event),
    });
    elapsedMs = performance.now() - started;
  }, 240_000);

  it('reports the project and streams progress per phase and per test', () => {
    expect(report.project).toMatchObject({ layout: 'flat', packages: ['calc'], importable: true });
    expect(report.changedLines['calc/__init__.py']).toEqual(
      expect.arrayContaining([5, 6, 7, 10, 11]),
    );
    const phases = new Set(progress.map((event) => event.phase));
    expect([...phases]).toEqual(expect.arrayContaining(['collect', 'bandit', 'run', 'coverage']));
    expect(
      progress.some(
        (event) => event.phase === 'run' && event.message.includes('test_passes run 1/2'),
      ),
    ).toBe(true);
    expect(report.tools.pytest).toBe('7.2.1');
    console.info(
      `harness evaluate: ${report.tests.length} tests x 2 runs in ${Math.round(elapsedMs)} ms (harness ${Math.round(report.durationMs)} ms)`,
    );
  });

  it('passes a passing test with coverage of the changed lines and the error path', () => {
    const test = byName(report, 'test_passes');
    expect(test).toMatchObject({
      origin: 'pr',
      change: 'added',
      file: 'tests/test_calc.py',
      nodeid: 'tests/test_calc.py::test_passes',
    });
    expect(outcomes(test)).toEqual(['passed', 'passed']);
    expect(test.coverage.changedLinesCovered['calc/__init__.py']).toEqual(
      expect.arrayContaining([6, 7, 8, 9]),
    );
    expect(test.coverage.errorPathLinesReached['calc/__init__.py']).toEqual([7]);
    // Both ways out of `if b == 0` were taken. The new `def div` line ran at import, and is
    // credited because this test ran div's body (RULES.md: "What counts as a changed line").
    expect(test.coverage.changedBranchesCovered).toBeGreaterThanOrEqual(2);
    expect(test.coverage.changedLinesCovered['calc/__init__.py']).toContain(5);
    // A test that never calls div gets no credit for its header, although it imported it.
    expect(byName(report, 'test_fails').coverage.changedLinesCovered).toEqual({});
    expect(test.findings).toEqual([]);
    expect(test.asserts).toBeGreaterThanOrEqual(1);
  });

  it('reports a failing test with the failure text', () => {
    const test = byName(report, 'test_fails');
    expect(outcomes(test)).toEqual(['failed', 'failed']);
    expect(test.runs[0]?.message).toContain('assert 2 == 3');
  });

  it('measures a slow test', () => {
    const test = byName(report, 'test_slow');
    expect(outcomes(test)).toEqual(['passed', 'passed']);
    for (const run of test.runs) expect(run.durationMs).toBeGreaterThanOrEqual(790);
  });

  it('kills a CPU loop at the CPU limit and a sleeper at the wall deadline, without rerunning them', () => {
    const loop = byName(report, 'test_cpu_loop');
    // A kill at a limit settles the verdict: no rerun spends another deadline on it.
    expect(outcomes(loop)).toEqual(['timeout']);
    expect(limits(loop)).toEqual(['cpu']);
    // Killed at its limit, not later: 1 s, times 3 in this first run, which coverage traces.
    for (const run of loop.runs) {
      expect(run.cpuMs).toBeGreaterThan(2_900);
      expect(run.cpuMs).toBeLessThan(3_500);
    }
    const sleeper = byName(report, 'test_sleeps_forever');
    expect(outcomes(sleeper)).toEqual(['timeout']);
    expect(limits(sleeper)).toEqual(['wall']);
    for (const run of sleeper.runs) expect(run.durationMs).toBeLessThan(6_000);
  });

  it('blocks os.system spelled dynamically and records an audit finding on the test', () => {
    const test = byName(report, 'test_dynamic_system');
    const audit = test.findings.find((finding) => finding.source === 'audit');
    const line =
      PR_TESTS.split('\n').findIndex((text) => text.includes("getattr(__import__('o' + 's')")) + 1;
    expect(audit).toMatchObject({
      rule: 'AUDIT-os.system',
      reason: 'unsafe',
      file: 'tests/test_calc.py',
      line,
    });
    expect(outcomes(test)).toEqual(['failed', 'failed']);
  });

  it('attributes a blocked native import and a frame walk, however spelled, to the test line that made them', () => {
    const lineOf = (needle: string): number =>
      PR_TESTS.split('\n').findIndex((text) => text.includes(needle)) + 1;
    const native = byName(report, 'test_dynamic_native_import');
    expect(native.findings.find((finding) => finding.source === 'audit')).toMatchObject({
      rule: 'AUDIT-import-_xxsubinterpreters',
      reason: 'unsafe',
      file: 'tests/test_calc.py',
      line: lineOf("import_module('_xxsub' + 'interpreters')"),
    });
    const frames = byName(report, 'test_dynamic_frame_walk');
    expect(frames.findings.find((finding) => finding.source === 'audit')).toMatchObject({
      rule: 'AUDIT-introspection',
      reason: 'tampering',
      file: 'tests/test_calc.py',
      line: lineOf("getattr(sys, '_get' + 'frame')"),
    });
  });

  it('blocks writes outside the test temp dir but not inside it', () => {
    const outside = byName(report, 'test_writes_outside_tmp');
    expect(rules(outside)).toContain('AUDIT-open-write');
    expect(
      outside.findings.find((finding) => finding.rule === 'AUDIT-open-write')?.message,
    ).toContain('/work/evil.txt');
    const inside = byName(report, 'test_writes_inside_tmp');
    expect(outcomes(inside)).toEqual(['passed', 'passed']);
    expect(inside.findings.filter((finding) => finding.source === 'audit')).toEqual([]);
  });

  it('keeps one test from changing the code under test for another', () => {
    const patcher = byName(report, 'test_patches_package');
    expect(rules(patcher)).toContain('AUDIT-open-write');
    expect(byName(report, 'test_package_intact').runs.map((run) => run.outcome)).toEqual([
      'passed',
      'passed',
    ]);
  });

  it('keeps the report channel out of reach of a test', () => {
    const test = byName(report, 'test_reads_report_channel');
    expect(rules(test)).toEqual(
      expect.arrayContaining(['AUDIT-channel-forgery', 'AUDIT-open-proc']),
    );
    // The fake report line went to the child's pipe; the host still got the real report.
    expect(report.tests.length).toBeGreaterThan(10);
  });

  it('stops fork, thread and memory bombs and an output flood', () => {
    const fork = byName(report, 'test_fork_bomb');
    expect(rules(fork)).toContain('AUDIT-os.fork');
    const threads = byName(report, 'test_thread_bomb');
    expect(outcomes(threads)).toEqual(['resource-limit']);
    expect(limits(threads)).toEqual(['pids']);
    const memory = byName(report, 'test_memory_bomb');
    expect(outcomes(memory)).toEqual(['resource-limit']);
    expect(limits(memory)).toEqual(['memory']);
    const flood = byName(report, 'test_output_flood');
    expect(outcomes(flood)).toEqual(['resource-limit']);
    expect(limits(flood)).toEqual(['output']);
  });

  it('blocks background processes and leaves none for the next test', () => {
    expect(rules(byName(report, 'test_background_process'))).toContain('AUDIT-subprocess.Popen');
    expect(rules(byName(report, 'test_background_raw_fork_exec'))).toContain(
      'AUDIT-_posixsubprocess.fork_exec',
    );
    expect(outcomes(byName(report, 'test_no_process_left'))).toEqual(['passed', 'passed']);
  });

  it('runs generated candidates and reports a file that fails to import', () => {
    const generated = byName(report, 'test_div_type');
    expect(generated).toMatchObject({
      origin: 'generated',
      generator: 'builtin',
      file: 'tests/test_testgate_calc.py',
    });
    expect(outcomes(generated)).toEqual(['passed', 'passed']);
    expect(generated.coverage.errorPathLinesReached['calc/__init__.py']).toEqual([10]);
    const broken = report.files.find((file) => file.path === 'tests/test_testgate_broken.py');
    expect(broken).toMatchObject({ origin: 'generated', collected: 0 });
    expect(broken?.error).toContain('does_not_exist');
    expect(report.tests.some((test) => test.file === 'tests/test_testgate_broken.py')).toBe(false);
  });
});

describe('harness evaluate, other repos', () => {
  it('kills a process that escaped its process group before the next child (tg_child self-test)', async () => {
    // Through the harness no test can start a process at all (the audit hook blocks fork,
    // exec, spawn, Popen and _posixsubprocess), so the sweep behind that is checked directly.
    const result = await runner.run({
      image,
      cmd: ['python3', '-I', '/opt/testgate/harness/dev/selftest_child.py'],
      labels: { [TEST_LABEL]: testRun },
    });
    expect(result.stderrTail).toBe('');
    expect(result.stdout).toContain('ok: escaped grandchild killed');
    expect(result.stdout).toContain('ok: file size limit');
    expect(result.exitCode).toBe(0);
  });

  it('reports a test whose outcome changes across reruns', async () => {
    const report = await runHarness(runner, {
      mode: 'evaluate',
      image,
      labels: { [TEST_LABEL]: testRun },
      base: { kind: 'files', files: { 'coin.py': 'def flip():\n    return 1\n' } },
      head: {
        kind: 'files',
        files: {
          'coin.py': 'import os\n\n\ndef flip():\n    return os.urandom(1)[0] % 2\n',
          // PYTHONHASHSEED is fixed, so randomness comes from os.urandom. 10 runs: all equal with p = 2^-9.
          'tests/test_coin.py': 'import coin\n\n\ndef test_flip():\n    assert coin.flip() == 1\n',
        },
      },
      settings: { reruns: 10 },
    });
    const test = byName(report, 'test_flip');
    expect(test.runs).toHaveLength(10);
    expect(new Set(outcomes(test))).toEqual(new Set(['passed', 'failed']));
  });

  it('says why a package that cannot import is not judged, without running its tests', async () => {
    const report = await runHarness(runner, {
      mode: 'evaluate',
      image,
      labels: { [TEST_LABEL]: testRun },
      base: { kind: 'files', files: {} },
      head: {
        kind: 'files',
        files: {
          'fetcher/__init__.py':
            'import requests\n\n\ndef get(url):\n    return requests.get(url).text\n',
          'tests/test_fetcher.py': 'import fetcher\n\n\ndef test_get():\n    assert fetcher.get\n',
        },
      },
    });
    expect(report.project.importable).toBe(false);
    expect(report.project.importError).toContain("No module named 'requests'");
    expect(report.project.importError).toContain('no network');
    expect(report.tests).toEqual([]);
  });

  it('stops at its time budget with timeouts when the PR is slow at import, instead of being killed without a report', async () => {
    const slowFile = (n: number) =>
      `import time\n\nimport calc\n\ntime.sleep(4)\n\n\ndef test_slow_${n}():\n    assert calc.add(${n}, 0) == ${n}\n`;
    const files: Record<string, string> = { 'calc.py': 'def add(a, b):\n    return a + b\n' };
    for (let n = 1; n <= 4; n += 1) files[`tests/test_slow_${n}.py`] = slowFile(n);
    const started = Date.now();
    const report = await runHarness(runner, {
      mode: 'evaluate',
      image,
      labels: { [TEST_LABEL]: testRun },
      base: { kind: 'files', files: { 'calc.py': 'def add(a, b):\n    return a\n' } },
      head: { kind: 'files', files },
      // 30 s for the harness (20 s of it kept for the report): the runs cannot all fit.
      settings: { deadlineMs: 30_000 },
      limits: { deadlineMs: 120_000 },
    });
    expect(Date.now() - started).toBeLessThan(60_000);
    // What ran out of time is said where it happened: a test run or a file's collection.
    const budget = "the sandbox's time budget for this pull request (30 s) ran out";
    const said = [
      ...report.tests
        .flatMap((test) => test.runs)
        .filter((run) => run.outcome === 'timeout')
        .map((run) => run.message ?? ''),
      ...report.files.map((file) => file.error ?? ''),
    ].filter((text) => text.includes(budget));
    expect(
      said.length,
      JSON.stringify({ files: report.files, runs: report.tests.map((t) => t.runs) }),
    ).toBeGreaterThan(0);
    expect(judge(report, defaultConfig).verdict).toBe('fail');
  });
});

describe('harness evaluate, children forked from the fork server', () => {
  // Each test and each rerun is its own child, forked from a zygote that imported pytest and
  // coverage once: nothing one child does may reach the next. The same tree is judged with
  // fresh interpreters too (`forkServer: false`), and both must agree.
  const head = {
    'calc.py': 'def add(a, b):\n    return a + b\n',
    // Imported by one test: monkeypatches pytest itself at import time.
    'patcher.py': 'import pytest\n\npytest.approx = lambda *args, **kwargs: object()\n',
    'tests/test_a_patch.py':
      'def test_imports_a_pytest_patcher():\n    import patcher  # noqa: F401\n    assert True\n',
    'tests/test_b_approx.py':
      'import pytest\n\nimport calc\n\n\ndef test_approx_still_works():\n    assert calc.add(0.1, 0.2) == pytest.approx(0.3)\n',
    'tests/test_c_state.py': [
      'import calc',
      '',
      'SEEN = []',
      '',
      '',
      'def test_appends_to_a_module_global():',
      '    SEEN.append(calc.add(1, 1))',
      '    assert SEEN == [2]',
      '',
      '',
      'def test_sees_the_global_as_imported():',
      '    assert SEEN == []',
      '',
    ].join('\n'),
    'tests/test_d_leaks.py': [
      'import fcntl',
      'import os',
      'import stat',
      'import tempfile',
      'import threading',
      'import time',
      '',
      'import calc',
      '',
      'KEEP = []',
      '',
      '',
      'def test_leaves_a_thread_and_an_open_file():',
      "    KEEP.append(open(os.path.join(tempfile.gettempdir(), 'leak.txt'), 'w'))",
      '    threading.Thread(target=time.sleep, args=(30,), daemon=False).start()',
      '    assert calc.add(2, 2) == 4',
      '',
      '',
      'def test_finds_no_thread_and_no_file_left():',
      '    assert threading.active_count() == 1',
      '    assert KEEP == []',
      '    # No descriptor of a regular file opened write-only, as the leaked one was.',
      '    assert [fd for fd in range(3, 256) if _written_file(fd)] == []',
      '    assert calc.add(1, 2) == 3',
      '',
      '',
      'def _written_file(fd):',
      '    try:',
      '        regular = stat.S_ISREG(os.fstat(fd).st_mode)',
      '        return regular and fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY',
      '    except OSError:',
      '        return False',
      '',
    ].join('\n'),
    // A thread started at import: a fork would not copy it, so this file's file server
    // refuses and its tests run one fresh child each, with the same verdicts.
    'tests/test_e_import_thread.py': [
      'import threading',
      'import time',
      '',
      'import calc',
      '',
      'threading.Thread(target=time.sleep, args=(30,), daemon=True).start()',
      '',
      '',
      'def test_runs_beside_an_import_time_thread():',
      '    assert calc.add(1, 1) == 2',
      '',
    ].join('\n'),
    // A run forked by its file's server tries to kill that server.
    'tests/test_f_signal.py': [
      'import os',
      'import signal',
      '',
      'import calc',
      '',
      '',
      'def test_signals_its_parent():',
      '    os.kill(os.getppid(), signal.SIGKILL)',
      '    assert calc.add(1, 1) == 2',
      '',
      '',
      'def test_runs_after_the_signal():',
      '    assert calc.add(2, 3) == 5',
      '',
    ].join('\n'),
    // A seed set at import holds in every run, as in a fresh process (a fork reseeds).
    'tests/test_g_seed.py': [
      'import random',
      '',
      'import calc',
      '',
      'random.seed(1234)',
      '',
      '',
      'def test_sees_the_seed_set_at_import():',
      '    assert random.random() == random.Random(1234).random()',
      '    assert calc.add(1, 0) == 1',
      '',
    ].join('\n'),
    // A fork handler registered at import would run inside every fork of its file's server.
    'tests/test_h_at_fork.py': [
      'import os',
      '',
      'import calc',
      '',
      'CALLS = []',
      "os.register_at_fork(after_in_child=lambda: CALLS.append('forked'))",
      '',
      '',
      'def test_no_fork_handler_ran():',
      '    assert CALLS == []',
      '    assert calc.add(0, 1) == 1',
      '',
    ].join('\n'),
  };

  it.each([true, false])(
    'forkServer %s: a pytest patch, a module global, a thread and an open file stay in their own run',
    async (forkServer) => {
      const started = Date.now();
      const report = await runHarness(runner, {
        mode: 'evaluate',
        image,
        labels: { [TEST_LABEL]: testRun },
        base: { kind: 'files', files: { 'calc.py': 'def add(a, b):\n    return a\n' } },
        head: { kind: 'files', files: head },
        settings: { forkServer },
      });
      for (const name of [
        'test_imports_a_pytest_patcher',
        'test_approx_still_works',
        'test_appends_to_a_module_global',
        'test_sees_the_global_as_imported',
        'test_leaves_a_thread_and_an_open_file',
        'test_finds_no_thread_and_no_file_left',
        'test_runs_beside_an_import_time_thread',
        'test_runs_after_the_signal',
        'test_sees_the_seed_set_at_import',
        'test_no_fork_handler_ran',
      ]) {
        expect([name, ...outcomes(byName(report, name))]).toEqual([
          name,
          'passed',
          'passed',
          'passed',
        ]);
      }
      // The signal never left its run: blocked, and said as the test's unsafe call.
      const signaller = byName(report, 'test_signals_its_parent');
      expect(outcomes(signaller)).toEqual(['failed', 'failed', 'failed']);
      expect(signaller.findings.map((f) => f.rule)).toContain('AUDIT-os.kill');
      // The thread left sleeping for 30 s died with its child: no run waited for it.
      expect(Date.now() - started).toBeLessThan(30_000);
    },
  );
});
