import { describe, expect, it } from 'vitest';
import {
  defaultConfig,
  judge,
  parseConfig,
  type GateConfig,
  type TestResult,
} from '../src/index.ts';
import { evidence, file, finding, fn, run, runs, test } from './builders.ts';

function config(yaml = ''): GateConfig {
  return parseConfig(yaml);
}

function only(report: ReturnType<typeof judge>): TestResult {
  expect(report.tests).toHaveLength(1);
  return report.tests[0]!;
}

describe('judge: a good test', () => {
  it('accepts a passing, asserting, covering test and passes the gate', () => {
    const report = judge(evidence(), defaultConfig);
    const result = only(report);
    expect(result.status).toBe('accepted');
    expect(result.reasons).toEqual([]);
    expect(result.details).toEqual([]);
    expect(result.runs).toEqual(['passed', 'passed', 'passed']);
    expect(result.coverage).toMatchObject({
      changedLinesCovered: 1,
      changedLinesTotal: 2,
      changedLines: { 'calc.py': [3] },
    });
    expect(report.verdict).toBe('pass');
    expect(report.title).toBe('1 test accepted');
    expect(report.counts).toEqual({ accepted: 1, rejected: 0, byReason: {} });
    expect(report.suggestions).toEqual([]);
    expect(report.generation).toBeUndefined();
    expect(report.tools).toEqual({
      python: '3.11.2',
      pytest: '7.2.1',
      coverage: '6.5.0',
      bandit: '1.6.2',
    });
    expect(report.changedLines).toEqual({ 'calc.py': [3, 5] });
    expect(report.project).toEqual({ layout: 'flat', importable: true });
    expect(report.durationMs).toBe(1234);
  });

  it('says "All N tests accepted" for several', () => {
    const report = judge(
      evidence({ tests: [test('test_a'), test('test_b'), test('test_c'), test('test_d')] }),
      defaultConfig,
    );
    expect(report.title).toBe('All 4 tests accepted');
  });
});

describe('judge: reasons', () => {
  function reasonsOf(
    extra: Parameters<typeof test>[1],
    cfg: GateConfig = defaultConfig,
    ev: Parameters<typeof evidence>[0] = {},
  ) {
    const result = only(judge(evidence({ tests: [test('test_x', extra)], ...ev }), cfg));
    return { reasons: result.reasons, messages: result.details.map((d) => d.message), result };
  }

  it('unsafe: a finding on the test, with rule id and line in the detail', () => {
    const { reasons, messages, result } = reasonsOf({
      findings: [finding({ rule: 'B605', line: 12, message: 'calls os.system' })],
    });
    expect(reasons).toEqual(['unsafe']);
    expect(messages).toEqual([
      'calls os.system (B605) at line 12: tests must not run shell commands or other programs',
    ]);
    expect(result.details[0]).toMatchObject({ reason: 'unsafe', rule: 'B605', line: 12 });
    expect(result.status).toBe('rejected');
  });

  it('unsafe: a module-level finding of the test file applies to its tests and rejects the file', () => {
    const report = judge(
      evidence({
        files: [
          file({
            findings: [
              finding({
                rule: 'TG-NETWORK',
                line: 2,
                message: 'imports socket',
                advice:
                  'tests must not use the network (the sandbox has none); mock the client instead',
              }),
            ],
          }),
        ],
      }),
      defaultConfig,
    );
    expect(only(report).reasons).toEqual(['unsafe']);
    expect(report.files[0]!.reasons).toEqual(['unsafe']);
    expect(report.files[0]!.details[0]!.message).toContain('tests must not use the network');
    expect(report.verdict).toBe('fail');
  });

  it('unsafe: allowRules accepts a rule the team chose, but the finding is still reported', () => {
    const f = finding({
      rule: 'TG-SLEEP',
      source: 'ast',
      severity: 'low',
      message: 'calls time.sleep',
    });
    const { reasons, result } = reasonsOf(
      { findings: [f] },
      config('security:\n  allowRules: [TG-SLEEP]\n'),
    );
    expect(reasons).toEqual([]);
    expect(result.findings).toEqual([f]);
    expect(
      judge(
        evidence({ tests: [test('t', { findings: [f] })] }),
        config('security: {allowRules: [TG-SLEEP]}'),
      ).findings,
    ).toEqual([f]);
  });

  it('unsafe: failOn high lets low-severity static findings through but never run-time ones', () => {
    const cfg = config('security: {failOn: high}');
    expect(
      reasonsOf({ findings: [finding({ severity: 'low', source: 'bandit' })] }, cfg).reasons,
    ).toEqual([]);
    expect(reasonsOf({ findings: [finding({ severity: 'high' })] }, cfg).reasons).toEqual([
      'unsafe',
    ]);
    expect(
      reasonsOf(
        { findings: [finding({ severity: 'low', source: 'audit', rule: 'AUDIT-os.system' })] },
        cfg,
      ).reasons,
    ).toEqual(['unsafe']);
  });

  it("says the advice a finding brings from the harness's rule registry, else the table's", () => {
    const { messages } = reasonsOf({
      findings: [
        finding({
          rule: 'TG-FRAME',
          source: 'ast',
          reason: 'tampering',
          line: 4,
          message: 'reads f_back',
          advice: 'the registry speaks for its own rules',
        }),
        finding({ rule: 'AUDIT-os.system', source: 'audit', line: 5, message: 'os.system' }),
      ],
    });
    expect(messages).toEqual([
      'os.system (AUDIT-os.system) at line 5: tests must not run shell commands or other programs',
      'reads f_back (TG-FRAME) at line 4: the registry speaks for its own rules',
    ]);
  });

  it('tampering: on the test, with its own advice', () => {
    const { reasons, messages } = reasonsOf({
      findings: [
        finding({
          rule: 'TG-NOSEC',
          source: 'ast',
          reason: 'tampering',
          severity: 'medium',
          line: 11,
          message: '"# nosec" comment',
          advice: 'remove "# nosec": findings cannot be silenced in tests',
        }),
      ],
    });
    expect(reasons).toEqual(['tampering']);
    expect(messages[0]).toBe(
      '"# nosec" comment (TG-NOSEC) at line 11: remove "# nosec": findings cannot be silenced in tests',
    );
  });

  it('tampering: a conftest.py hook applies to every PR test under its directory, not to generated ones', () => {
    const hook = finding({
      rule: 'TG-CONFTEST-HOOK',
      source: 'ast',
      reason: 'tampering',
      file: 'tests/conftest.py',
      line: 4,
      message: 'defines pytest_runtest_makereport',
    });
    const report = judge(
      evidence({
        tests: [
          test('test_a'),
          test('test_b', { nodeid: 'other/test_b.py::test_b', file: 'other/test_b.py' }),
          test('test_gen', {
            origin: 'generated',
            generator: 'builtin',
            nodeid: 'tests/test_testgate_calc.py::test_gen',
            file: 'tests/test_testgate_calc.py',
          }),
        ],
        files: [
          file({ collected: 1 }),
          file({ path: 'tests/conftest.py', collected: 0, findings: [hook] }),
        ],
      }),
      defaultConfig,
    );
    const [a, b, gen] = report.tests;
    expect(a!.reasons).toEqual(['tampering']);
    expect(a!.details[0]).toMatchObject({
      rule: 'TG-CONFTEST-HOOK',
      file: 'tests/conftest.py',
      line: 4,
    });
    expect(a!.details[0]!.message).toContain('at tests/conftest.py:4');
    expect(b!.reasons).toEqual([]);
    expect(gen!.reasons).toEqual([]);
    // conftest.py holds no tests by design: it is not "no test functions found".
    expect(report.files[1]!.reasons).toEqual(['tampering']);
    expect(report.files[1]!.details.map((d) => d.message).join()).not.toContain(
      'no test functions',
    );
  });

  it('tampering: pytest configuration at the root applies to all PR tests', () => {
    const ini = finding({
      rule: 'TG-PYTEST-CONFIG',
      reason: 'tampering',
      source: 'ast',
      file: 'pytest.ini',
      line: 2,
      message: 'sets addopts',
    });
    const report = judge(
      evidence({
        tests: [
          test('test_a'),
          test('test_b', { nodeid: 'other/test_b.py::test_b', file: 'other/test_b.py' }),
        ],
        files: [
          file({ collected: 1 }),
          file({ path: 'other/test_b.py', collected: 1 }),
          file({ path: 'pytest.ini', collected: 0, findings: [ini] }),
        ],
      }),
      defaultConfig,
    );
    expect(report.tests.map((t) => t.reasons)).toEqual([['tampering'], ['tampering']]);
  });

  it('error: a run errored (fixture), with the error in the detail', () => {
    const { reasons, messages } = reasonsOf({
      runs: [run('error', { message: 'E   fixture "db" not found' }), run('error'), run('error')],
    });
    expect(reasons).toEqual(['error']);
    expect(messages[0]).toBe(
      'errored outside the test body in all 3 runs (fixture "db" not found): fix the fixture, setup or import it depends on',
    );
  });

  it('error: the file could not be collected', () => {
    const report = judge(
      evidence({
        tests: [],
        files: [
          file({
            collected: 0,
            error: 'Traceback...\nE   ModuleNotFoundError: No module named "calcc"\n',
          }),
        ],
      }),
      defaultConfig,
    );
    expect(report.files[0]!.reasons).toEqual(['error']);
    expect(report.files[0]!.details[0]!.message).toBe(
      'could not be collected (ModuleNotFoundError: No module named "calcc"): fix the import or syntax error so pytest can load the file',
    );
    expect(report.verdict).toBe('fail');
    expect(report.title).toBe('1 file rejected: error (1)');
  });

  it('error: a generated test file with no test functions', () => {
    const report = judge(
      evidence({ tests: [], files: [file({ collected: 0, origin: 'generated' })] }),
      defaultConfig,
    );
    expect(report.files[0]!.details[0]!.message).toMatch(/^no test functions found/);
    expect(report.files[0]!.reasons).toEqual(['error']);
  });

  it("a PR's helper or test-named module without tests is scanned, not an error", () => {
    const report = judge(
      evidence({
        tests: [],
        files: [
          file({ path: 'tests/helpers.py', kind: 'support', collected: 0 }),
          file({ path: 'tests/test_data.py', kind: 'tests', collected: 0, items: 0 }),
        ],
      }),
      defaultConfig,
    );
    expect(report.files.map((f) => [f.path, f.kind, f.reasons])).toEqual([
      ['tests/helpers.py', 'support', []],
      ['tests/test_data.py', 'tests', []],
    ]);
    // Nothing flagged and no test to run: nothing judged, and the reason says what was scanned.
    expect(report.verdict).toBe('neutral');
    expect(report.neutralReason).toBe(
      'no test added or changed between base and head (2 test-code files scanned, nothing flagged: tests/helpers.py, tests/test_data.py)',
    );
  });

  it('failed: every run failed, with the assertion', () => {
    const failure = run('failed', {
      message:
        'def test_x():\n>       assert add(1, 2) == 4\nE       assert 3 == 4\nE        +  where 3 = add(1, 2)',
    });
    const { reasons, messages } = reasonsOf({ runs: [failure, failure, failure] });
    expect(reasons).toEqual(['failed']);
    expect(messages[0]).toBe(
      'failed in all 3 runs (assert 3 == 4): fix the test or the code it tests',
    );
  });

  it('flaky (not failed): passed some runs', () => {
    const { reasons, messages } = reasonsOf({ runs: runs('passed', 'failed', 'passed') });
    expect(reasons).toEqual(['flaky']);
    expect(messages[0]).toMatch(/^passed 2 of 3 runs: the outcome depends on timing/);
  });

  it('flaky and failed and timeout: never passed, outcomes differ', () => {
    const { reasons } = reasonsOf({
      runs: [run('failed'), run('failed'), run('timeout', { limit: 'cpu', durationMs: 2100 })],
    });
    expect(reasons).toEqual(['failed', 'timeout', 'flaky']);
  });

  it('skipped: skipped, xfailed and xpassed all prove nothing', () => {
    expect(reasonsOf({ runs: runs('skipped', 'skipped', 'skipped') }).messages).toEqual([
      'was skipped in all 3 runs: a skipped test proves nothing; remove the skip or the test',
    ]);
    expect(reasonsOf({ runs: runs('xfailed', 'xfailed', 'xfailed') }).reasons).toEqual(['skipped']);
    expect(reasonsOf({ runs: runs('xpassed', 'xpassed', 'xpassed') }).messages[0]).toContain(
      'remove the xfail marker',
    );
  });

  it('timeout: names the limit from the config, and does not also say slow', () => {
    const timeout = run('timeout', { limit: 'cpu', durationMs: 2500 });
    const { reasons, messages } = reasonsOf(
      { runs: [timeout, timeout, timeout] },
      config('limits: {cpuSeconds: 3}'),
    );
    expect(reasons).toEqual(['timeout']);
    expect(messages[0]).toBe(
      'was killed at the 3 s CPU limit in all 3 runs: it may loop forever; make it finish well within the limit',
    );
    const wall = run('timeout', { limit: 'wall', durationMs: 10_000 });
    expect(reasonsOf({ runs: [wall] }).messages[0]).toContain(
      '10 s wall-clock limit in its only run: it hangs',
    );
  });

  it('resource-limit: names the limit', () => {
    const oom = run('resource-limit', { limit: 'memory' });
    const { reasons, messages } = reasonsOf({ runs: [oom, oom, oom] });
    expect(reasons).toEqual(['resource-limit']);
    expect(messages[0]).toBe('exceeded the 512 MB memory limit in all 3 runs: use smaller inputs');
  });

  it('slow: median duration over slowMs', () => {
    const slow = [
      run('passed', { durationMs: 812 }),
      run('passed', { durationMs: 790 }),
      run('passed', { durationMs: 2000 }),
    ];
    const { reasons, messages, result } = reasonsOf({ runs: slow });
    expect(reasons).toEqual(['slow']);
    expect(messages[0]).toMatch(/^took 812 ms \(budget 500 ms\)/);
    expect(result.durationMs).toBe(812);
    // One slow outlier does not make the median slow.
    expect(
      reasonsOf({ runs: [run(), run(), run('passed', { durationMs: 5000 })] }).reasons,
    ).toEqual([]);
    expect(reasonsOf({ runs: slow }, config('limits: {slowMs: 1000}')).reasons).toEqual([]);
  });

  it('no-assert and trivial-assert, unless require.assertions is off', () => {
    expect(reasonsOf({ asserts: 0 }).reasons).toEqual(['no-assert']);
    expect(reasonsOf({ asserts: 2, trivialAsserts: 2 }).messages).toEqual([
      'all 2 of its asserts are always true (like "assert True" or "assert x == x"): assert on the result of the code under test',
    ]);
    expect(reasonsOf({ asserts: 2, trivialAsserts: 1 }).reasons).toEqual([]);
    const off = config('require: {assertions: false}');
    expect(reasonsOf({ asserts: 0 }, off).reasons).toEqual([]);
    expect(reasonsOf({ asserts: 1, trivialAsserts: 1 }, off).reasons).toEqual([]);
  });

  it('no-coverage-gain: covers none of the changed lines; skipped when nothing changed or turned off', () => {
    const none = { coverage: { ...test().coverage, changedLinesCovered: {} } };
    expect(reasonsOf(none).messages).toEqual([
      'executes none of the 2 changed source lines: test the code this pull request changes',
    ]);
    expect(reasonsOf(none, defaultConfig, { changedLines: {}, functions: [] }).reasons).toEqual([]);
    expect(reasonsOf(none, config('require: {coverageGain: false}')).reasons).toEqual([]);
  });

  describe('misses-error-path', () => {
    const divide = fn({
      qualname: 'divide',
      startLine: 1,
      endLine: 8,
      changedLines: [3, 5],
      raiseLines: [5],
    });
    const happy = test('test_divide', {
      coverage: { ...test().coverage, changedLinesCovered: { 'calc.py': [3] } },
    });
    const raises = test('test_divide_by_zero', {
      coverage: {
        ...test().coverage,
        changedLinesCovered: { 'calc.py': [3, 5] },
        errorPathLinesReached: { 'calc.py': [5] },
      },
    });
    const elsewhere = test('test_other', {
      coverage: { ...test().coverage, changedLinesCovered: { 'calc.py': [20] } },
    });

    it('rejects the tests of a function whose changed raise no test reaches', () => {
      const report = judge(
        evidence({
          functions: [divide],
          tests: [happy, elsewhere],
          changedLines: { 'calc.py': [3, 5, 20] },
        }),
        defaultConfig,
      );
      expect(report.tests[0]!.reasons).toEqual(['misses-error-path']);
      expect(report.tests[0]!.details[0]).toEqual({
        reason: 'misses-error-path',
        message:
          'no test reaches the error path of divide (raise at calc.py:5): add a test that triggers it with pytest.raises',
        file: 'calc.py',
        line: 5,
      });
      expect(report.tests[1]!.reasons).toEqual([]);
    });

    it('accepts all of them when any PR test reaches it, whatever its status', () => {
      const failingRaises = { ...raises, runs: runs('failed', 'failed', 'failed') };
      const report = judge(
        evidence({ functions: [divide], tests: [happy, failingRaises] }),
        defaultConfig,
      );
      expect(report.tests[0]!.reasons).toEqual([]);
      expect(report.tests[1]!.reasons).toEqual(['failed']);
    });

    it('does not let a generated suggestion excuse a PR test, but lets it cover a generated one', () => {
      const genRaises = {
        ...raises,
        origin: 'generated' as const,
        nodeid: 'tests/test_testgate_calc.py::t',
        file: 'tests/test_testgate_calc.py',
      };
      const genHappy = {
        ...happy,
        origin: 'generated' as const,
        nodeid: 'tests/test_testgate_calc.py::h',
      };
      const report = judge(
        evidence({ functions: [divide], tests: [happy, genRaises, genHappy] }),
        defaultConfig,
      );
      expect(report.tests[0]!.reasons).toEqual(['misses-error-path']);
      expect(report.tests[1]!.reasons).toEqual([]);
      expect(report.tests[2]!.reasons).toEqual([]);
    });

    it('names an except line when there is no raise, and can be turned off', () => {
      const guarded = fn({ qualname: 'Parser.parse', changedLines: [3, 6], exceptLines: [6] });
      const report = judge(evidence({ functions: [guarded], tests: [happy] }), defaultConfig);
      expect(report.tests[0]!.details[0]!.message).toBe(
        'no test reaches the error path of Parser.parse (except at calc.py:6): add a test that makes the code take the except branch',
      );
      expect(
        judge(
          evidence({ functions: [divide], tests: [happy] }),
          config('require: {errorPath: false}'),
        ).tests[0]!.reasons,
      ).toEqual([]);
    });
  });

  it('never ran: error', () => {
    expect(reasonsOf({ runs: [] }).reasons).toEqual(['error']);
  });

  it('lists several reasons in a stable order, safety first', () => {
    const { reasons } = reasonsOf({
      asserts: 0,
      runs: runs('passed', 'failed', 'passed'),
      findings: [finding()],
      coverage: { ...test().coverage, changedLinesCovered: {} },
    });
    expect(reasons).toEqual(['unsafe', 'flaky', 'no-assert', 'no-coverage-gain']);
  });
});

describe('judge: verdict', () => {
  it('fails with a title counting the reasons of rejected PR tests', () => {
    const report = judge(
      evidence({
        tests: [
          test('test_ok1'),
          test('test_ok2'),
          test('test_unsafe', { findings: [finding()] }),
          test('test_flaky', { runs: runs('passed', 'failed', 'failed') }),
          test('test_failed', { runs: runs('failed', 'failed', 'failed') }),
          test('test_ok3'),
          test('test_ok4'),
          test('test_ok5'),
        ],
      }),
      defaultConfig,
    );
    expect(report.verdict).toBe('fail');
    expect(report.title).toBe('3 of 8 tests rejected: unsafe (1), failed (1), flaky (1)');
    expect(report.counts).toEqual({
      accepted: 5,
      rejected: 3,
      byReason: { unsafe: 1, flaky: 1, failed: 1 },
    });
    expect(report.neutralReason).toBeUndefined();
  });

  it('a rejected generated test does not fail the PR', () => {
    const gen = test('test_gen', {
      origin: 'generated',
      generator: 'gpt-4o-mini',
      runs: runs('failed', 'failed', 'failed'),
    });
    const report = judge(evidence({ tests: [test(), gen] }), defaultConfig);
    expect(report.tests[1]!.status).toBe('rejected');
    expect(report.tests[1]!.generator).toBe('gpt-4o-mini');
    expect(report.verdict).toBe('pass');
    expect(report.counts.rejected).toBe(1);
  });

  it('neutral when no test was added or changed', () => {
    const report = judge(evidence({ tests: [], files: [] }), defaultConfig);
    expect(report.verdict).toBe('neutral');
    expect(report.neutralReason).toBe('no test added or changed between base and head');
    expect(report.title).toBe('Nothing to judge: no test added or changed between base and head');
  });

  it('neutral when the code does not import, explaining a missing third-party module', () => {
    const report = judge(
      evidence({
        project: {
          layout: 'flat',
          packages: ['calc'],
          importable: false,
          importError:
            "import calc failed: ModuleNotFoundError: No module named 'requests' (imported at calc.py:1) - the sandbox has no network\nTraceback (most recent call last):\n  File \"calc.py\", line 1\nModuleNotFoundError: No module named 'requests'\n",
        },
        tests: [test('t', { runs: runs('error', 'error', 'error') })],
      }),
      defaultConfig,
    );
    expect(report.verdict).toBe('neutral');
    expect(report.title).toBe('Not judged: the code under test does not import');
    expect(report.neutralReason).toBe(
      'the code under test imports "requests" at calc.py:1, which is neither in the repository nor among the dependencies Testgate installed: declare the distribution that provides it in the project\'s dependencies (pyproject.toml, setup.cfg or a requirements file) or under environment.packages in .github/testgate.yml, and check that environment.install is not off',
    );
    expect(report.project.importError).toContain('requests');
  });

  it('neutral on a syntax error in the package, with what to do', () => {
    const report = judge(
      evidence({
        project: {
          layout: 'src',
          packages: ['calc'],
          importable: false,
          importError:
            'import calc failed: SyntaxError: invalid syntax (imported at src/calc/__init__.py:3)\n  File "src/calc/__init__.py", line 3\nSyntaxError: invalid syntax',
        },
      }),
      defaultConfig,
    );
    // The real cause and where, never a guess about the layout.
    expect(report.neutralReason).toBe(
      'importing "calc" fails in the sandbox at src/calc/__init__.py:3 (SyntaxError: invalid syntax), so no test could be judged: fix the error; "python -c \'import calc\'" from the repository root reproduces it',
    );
  });

  it('neutral when a test file needs a third-party module the sandbox lacks, naming it', () => {
    const report = judge(
      evidence({
        tests: [],
        files: [
          file({
            path: 'tests/test_tz.py',
            collected: 0,
            error: "E   ModuleNotFoundError: No module named 'pytz'",
            missingDependency: 'pytz',
          }),
        ],
      }),
      defaultConfig,
    );
    expect(report.verdict).toBe('neutral');
    expect(report.neutralReason).toBe(
      'tests/test_tz.py imports "pytz", which is neither in the repository nor among the dependencies Testgate installed: declare the distribution that provides it in the project\'s dependencies (pyproject.toml, setup.cfg or a requirements file) or under environment.packages in .github/testgate.yml, and check that environment.install is not off',
    );
    // Another rejected test still fails the gate.
    const failing = judge(
      evidence({
        tests: [test('t', { runs: runs('failed', 'failed', 'failed') })],
        files: [
          file({ path: 'tests/test_tz.py', collected: 0, error: 'x', missingDependency: 'pytz' }),
        ],
      }),
      defaultConfig,
    );
    expect(failing.verdict).toBe('fail');
  });

  it("neutral on a project the gate's own tools import first, saying so", () => {
    const report = judge(
      evidence({
        project: {
          layout: 'src',
          packages: ['pluggy'],
          importable: false,
          importError:
            "import pluggy failed: TestgateShadowed: pluggy is a package the gate's own tools load first (/usr/lib/python3/dist-packages/pluggy/__init__.py)\nTestgateShadowed: pluggy is a package the gate's own tools load first (/usr/lib/python3/dist-packages/pluggy/__init__.py)",
        },
      }),
      defaultConfig,
    );
    expect(report.verdict).toBe('neutral');
    expect(report.neutralReason).toBe(
      'the repository is the package "pluggy", which the gate\'s own pytest, coverage or hypothesis imports before any test (from /usr/lib/python3/dist-packages/pluggy/__init__.py), so its tests would run against that copy instead of this pull request\'s code: Testgate cannot judge this project',
    );
  });

  it('neutral on a module of the project that is missing, naming it and its importer', () => {
    const report = judge(
      evidence({
        project: {
          layout: 'flat',
          packages: ['calc'],
          importable: false,
          importError:
            "import calc failed: ModuleNotFoundError: No module named 'calc._build' (imported at calc/__init__.py:2)\nTraceback...",
        },
      }),
      defaultConfig,
    );
    expect(report.neutralReason).toMatch(
      /^the code under test imports "calc\._build" at calc\/__init__\.py:2, and no such module is in the repository: commit it, or, if the build writes it/,
    );
  });

  it('deduplicates findings by rule, file and line across tests and files, sorted', () => {
    const f1 = finding({ line: 12 });
    const f2 = finding({ rule: 'TG-EVAL', line: 3, message: 'calls eval' });
    const report = judge(
      evidence({
        tests: [test('a', { findings: [f1] }), test('b', { findings: [f1, f2] })],
        files: [file({ collected: 2, findings: [f2] })],
      }),
      defaultConfig,
    );
    expect(report.findings).toEqual([f2, f1]);
    expect(report.tests[1]!.findings).toEqual([f2, f1]);
  });

  it('passes banditError through tools', () => {
    const report = judge(
      evidence({
        tools: {
          python: '3.11',
          pytest: '7',
          coverage: '6',
          bandit: '',
          banditError: 'bandit crashed',
        },
      }),
      defaultConfig,
    );
    expect(report.tools.banditError).toBe('bandit crashed');
  });
});

describe('judge: findings scoped to the change', () => {
  const oldPickle = finding({
    rule: 'B403',
    file: 'tests/test_calc.py',
    line: 1,
    message: 'Consider possible security implications associated with pickle module.',
    baseline: 'existing',
  });
  const newSleep = finding({
    rule: 'TG-SLEEP',
    file: 'tests/test_calc.py',
    line: 40,
    message: 'calls time.sleep',
    baseline: 'new',
  });

  it('an existing finding rejects nothing and is reported apart', () => {
    const report = judge(
      evidence({ tests: [test('t')], files: [file({ findings: [oldPickle] })] }),
      defaultConfig,
    );
    expect(report.tests[0]!.status).toBe('accepted');
    expect(report.verdict).toBe('pass');
    expect(report.findings).toEqual([]);
    expect(report.existingFindings.map((f) => f.rule)).toEqual(['B403']);
  });

  it('a new finding in the same file still rejects', () => {
    const report = judge(
      evidence({ tests: [test('t')], files: [file({ findings: [oldPickle, newSleep] })] }),
      defaultConfig,
    );
    expect(report.tests[0]!.reasons).toEqual(['unsafe']);
    expect(report.tests[0]!.details.map((d) => d.rule)).toEqual(['TG-SLEEP']);
    expect(report.findings.map((f) => f.rule)).toEqual(['TG-SLEEP']);
  });

  it('security.scope: all holds existing findings against the tests too', () => {
    const config = {
      ...defaultConfig,
      security: { ...defaultConfig.security, scope: 'all' as const },
    };
    const report = judge(
      evidence({ tests: [test('t')], files: [file({ findings: [oldPickle] })] }),
      config,
    );
    expect(report.tests[0]!.reasons).toEqual(['unsafe']);
    expect(report.existingFindings).toEqual([]);
  });

  it('a run-time block rejects whatever the baseline says', () => {
    const audit = finding({
      rule: 'AUDIT-os.system',
      source: 'audit',
      baseline: 'existing',
      line: 3,
      message: 'blocked at run time: os.system',
    });
    const report = judge(evidence({ tests: [test('t', { findings: [audit] })] }), defaultConfig);
    expect(report.tests[0]!.reasons).toEqual(['unsafe']);
  });
});
