/** Reports to render, made the way the pipeline makes them: judge() over harness evidence. */
import { defaultConfig, judge, parseConfig, type GateReport } from '@testgate/core';
import {
  evidence,
  file,
  finding,
  fn,
  mutant,
  mutation,
  run,
  runs,
  test,
} from '../../core/test/builders.ts';

/** A failing PR: one good test, one unsafe, one flaky, one failed, plus a generated suggestion. */
export function failingReport(): GateReport {
  const report = judge(
    evidence({
      functions: [fn({ qualname: 'divide', raiseLines: [5] })],
      tests: [
        test('test_add', {
          coverage: {
            ...test().coverage,
            changedLinesCovered: { 'calc.py': [3, 5] },
            errorPathLinesReached: { 'calc.py': [5] },
          },
        }),
        test('test_shell', {
          startLine: 20,
          findings: [
            finding({
              rule: 'B605',
              line: 22,
              message: 'Starting a process with a shell: os.system',
            }),
          ],
        }),
        test('test_random', { startLine: 30, runs: runs('passed', 'failed', 'passed') }),
        test('test_wrong', {
          startLine: 40,
          runs: [run('failed', { message: 'E   assert 3 == 4' }), run('failed'), run('failed')],
        }),
        test('test_gen_divide', {
          nodeid: 'tests/test_testgate_calc.py::test_gen_divide',
          file: 'tests/test_testgate_calc.py',
          origin: 'generated',
          generator: 'builtin',
          change: undefined,
          findings: [
            finding({
              rule: 'TG-EVAL',
              file: 'tests/test_testgate_calc.py',
              line: 3,
              message: 'calls eval',
            }),
          ],
        }),
      ],
      files: [
        file({ collected: 4 }),
        file({
          path: 'tests/test_broken.py',
          collected: 0,
          error: 'E   ModuleNotFoundError: No module named "calcc"',
        }),
        file({ path: 'tests/test_testgate_calc.py', origin: 'generated', collected: 1 }),
      ],
    }),
    defaultConfig,
  );
  report.generation = {
    generator: 'builtin',
    candidates: 3,
    accepted: 1,
    rounds: 1,
    modelCalls: 0,
    cacheHits: 0,
    promptTokens: 0,
    completionTokens: 0,
    costUsd: 0,
    skipped: [
      { file: 'calc.py', qualname: 'Calc.reset', reason: 'takes no arguments and returns nothing' },
    ],
    suspectedBugs: [],
  };
  report.suggestions = [
    {
      path: 'tests/test_testgate_calc.py',
      content: 'from calc import divide\n\n\ndef test_divide():\n    assert divide(6, 3) == 2\n',
      targets: ['divide'],
      generator: 'builtin',
      tests: ['tests/test_testgate_calc.py::test_gen_divide'],
      covers: { 'calc.py': [3] },
    },
  ];
  return report;
}

export function passingReport(): GateReport {
  return judge(
    evidence({ tests: [test('test_a'), test('test_b')], files: [file({ collected: 2 })] }),
    defaultConfig,
  );
}

export function neutralReport(): GateReport {
  return judge(evidence({ tests: [], files: [] }), defaultConfig);
}

/** A finding the repository allows: reported, rejects nothing. */
export function allowedFindingReport(): GateReport {
  return judge(
    evidence({
      tests: [
        test('test_sleepy', {
          findings: [
            finding({
              rule: 'TG-SLEEP',
              source: 'ast',
              severity: 'low',
              line: 11,
              message: 'calls time.sleep',
            }),
          ],
        }),
      ],
    }),
    parseConfig('security: {allowRules: [TG-SLEEP]}'),
  );
}

/** Many rejected tests with long, multi-byte names: more than GitHub's limits hold. */
export function hugeReport(count = 3000): GateReport {
  const tests = Array.from({ length: count }, (_, i) =>
    test(`test_ünïcødé_${'ß'.repeat(30)}_${i}`, {
      startLine: i + 1,
      findings: [
        finding({
          line: i + 1,
          message: `Starting a process with a shell: os.system — ✗ ${'é'.repeat(40)} ${i}`,
        }),
      ],
    }),
  );
  return judge(evidence({ tests, files: [file({ collected: count })] }), defaultConfig);
}

/** A passing PR whose test file already imported pickle in the base tree (an existing finding). */
export function existingFindingReport(): GateReport {
  return judge(
    evidence({
      tests: [test('test_new')],
      files: [
        file({
          findings: [
            finding({
              rule: 'B403',
              line: 1,
              severity: 'low',
              message: 'Consider possible security implications associated with pickle module.',
              baseline: 'existing',
            }),
          ],
        }),
      ],
    }),
    defaultConfig,
  );
}

/**
 * Test strength: a regression test that fails before the change and kills 2 of the 3
 * mutants it runs, a weak one (passes before, kills none), 12 survivors and one mutant
 * that only crashes the code, and a generated test left out of the suggestions.
 */
export function strengthReport(): GateReport {
  const others = Array.from({ length: 11 }, (_, i) =>
    mutant(`s${i}`, {
      line: 5,
      col: i,
      original: `${i}`,
      replacement: `${i + 1}`,
      operator: 'constant',
    }),
  );
  const report = judge(
    evidence({
      tests: [
        test('test_regression', {
          coverage: { ...test().coverage, changedLinesCovered: { 'calc.py': [3, 5] } },
          label: 'fails-before',
          before: { outcome: 'failed', failedAt: 'check', message: 'assert 0 == 1' },
          strength: {
            mutants: 3,
            killed: 2,
            crashed: 0,
            killedIds: ['m1', 'm2'],
            crashedIds: [],
            mutantIds: ['m1', 'm2', 'm3'],
          },
        }),
        test('test_weak', {
          startLine: 20,
          coverage: { ...test().coverage, changedLinesCovered: { 'calc.py': [3, 5] } },
          label: 'passes-before',
          before: { outcome: 'passed' },
          strength: {
            mutants: 3,
            killed: 0,
            crashed: 0,
            killedIds: [],
            crashedIds: [],
            mutantIds: ['m1', 'm2', 'm3'],
          },
        }),
      ],
      files: [file({ collected: 2 })],
      mutation: mutation([
        mutant('m1', { status: 'killed', killedBy: ['tests/test_calc.py::test_regression'] }),
        mutant('m2', {
          col: 12,
          original: '+',
          replacement: '-',
          operator: 'arithmetic',
          status: 'killed',
          killedBy: ['tests/test_calc.py::test_regression'],
        }),
        mutant('m3', {
          col: 20,
          original: 'total',
          replacement: 'total + 1',
          operator: 'arithmetic',
        }),
        mutant('m4', { line: 5, col: 30, original: 'a', replacement: 'b', status: 'crashed' }),
        ...others,
      ]),
    }),
    defaultConfig,
  );
  report.generation = {
    generator: 'builtin',
    candidates: 1,
    accepted: 1,
    rounds: 1,
    modelCalls: 0,
    cacheHits: 0,
    promptTokens: 0,
    completionTokens: 0,
    costUsd: 0,
    skipped: [],
    suspectedBugs: [],
    notSuggested: [
      {
        nodeid: 'tests/test_testgate_calc.py::test_gen_add',
        reason: "not suggested: kills no mutant the pull request's tests do not already kill",
      },
    ],
  };
  return report;
}
