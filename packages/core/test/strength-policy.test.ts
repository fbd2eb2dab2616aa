/** Test strength in the policy: `weak-oracle`, `passes-before`, the labels and the report's summary. */
import { describe, expect, it } from 'vitest';
import { defaultConfig, judge, parseConfig, type TestEvidence } from '../src/index.ts';
import { evidence, finding, mutant, mutation, run, test } from './builders.ts';

/**
 * A passing PR test covering calc.py:3 that ran `mutantIds` (default: m1-m4) there, killed
 * `killedIds` at a check and crashed on `crashedIds`.
 */
function measured(
  name: string,
  strength: { mutantIds?: string[]; killedIds?: string[]; crashedIds?: string[] } = {},
  extra: Partial<TestEvidence> = {},
): TestEvidence {
  const mutantIds = strength.mutantIds ?? ['m1', 'm2', 'm3', 'm4'];
  const killedIds = strength.killedIds ?? [];
  const crashedIds = strength.crashedIds ?? [];
  return test(name, {
    strength: {
      mutants: mutantIds.length,
      killed: killedIds.length,
      crashed: crashedIds.length,
      killedIds,
      crashedIds,
      mutantIds,
    },
    ...extra,
  });
}

/** m1-m3 killed at a check by another test (so not equivalent), m4 killed by nobody. */
const proven = [
  mutant('m1', { status: 'killed', killedBy: ['tests/test_calc.py::test_strong'], tests: 2 }),
  mutant('m2', {
    original: '+',
    replacement: '-',
    operator: 'arithmetic',
    col: 12,
    status: 'killed',
    killedBy: ['tests/test_calc.py::test_strong'],
    tests: 2,
  }),
  mutant('m3', {
    original: '0',
    replacement: '1',
    operator: 'constant',
    col: 20,
    status: 'killed',
    killedBy: ['tests/test_calc.py::test_strong'],
    tests: 2,
  }),
  mutant('m4', { original: 'x', replacement: 'not x', operator: 'boolean', col: 24, tests: 2 }),
];
const strong = measured('test_strong', { killedIds: ['m1', 'm2', 'm3'] });
const generated = { origin: 'generated', generator: 'builtin', change: undefined } as const;

function reasonsOf(
  weak: TestEvidence,
  mutants = proven,
  config = defaultConfig,
  others: TestEvidence[] = [strong],
) {
  const report = judge(evidence({ tests: [...others, weak], mutation: mutation(mutants) }), config);
  return report.tests.at(-1)!.reasons;
}

describe('weak-oracle', () => {
  it('rejects a passing test that kills none of the mutants another test kills at a check, naming up to 3', () => {
    const report = judge(
      evidence({ tests: [strong, measured('test_x')], mutation: mutation(proven) }),
      defaultConfig,
    );
    const result = report.tests[1]!;
    expect(report.tests[0]!.status).toBe('accepted');
    expect(result.status).toBe('rejected');
    expect(result.reasons).toEqual(['weak-oracle']);
    expect(result.details[0]!.message).toBe(
      'covers 4 mutants of the changed lines (calc.py:3 `<` -> `<=`, calc.py:3 `+` -> `-`, calc.py:3 `0` -> `1`) and fails on none of them at an assert: its assertions do not check what the change computes; assert the exact result',
    );
    expect(result.details[0]).toMatchObject({ file: 'calc.py', line: 3 });
    expect(report.verdict).toBe('fail');
    expect(report.title).toBe('1 of 2 tests rejected: weak-oracle (1)');
  });

  it('does not fire when the test kills a mutant at a check', () => {
    expect(reasonsOf(measured('test_x', { killedIds: ['m2'] }))).toEqual([]);
  });

  it('a PR test is not weak against mutants no test kills (they may be equivalent); a generated one is', () => {
    const unproven = proven.map((m) => ({ ...m, status: 'survived' as const, killedBy: [] }));
    expect(reasonsOf(measured('test_x'), unproven, defaultConfig, [])).toEqual([]);
    expect(reasonsOf(measured('test_gen', {}, generated), unproven, defaultConfig, [])).toEqual([
      'weak-oracle',
    ]);
  });

  it("a PR test is judged on what the PR's tests showed: a suggestion's kills do not change its verdict", () => {
    const strongSuggestion = measured(
      'test_gen_strong',
      { killedIds: ['m1', 'm2', 'm3'] },
      generated,
    );
    // Only the suggestion kills m1-m3: for the PR test they are not proven killable.
    expect(reasonsOf(measured('test_x'), proven, defaultConfig, [strongSuggestion])).toEqual([]);
    // A weak suggestion is judged against every test, the suggestion's kills included.
    expect(
      reasonsOf(measured('test_gen', {}, generated), proven, defaultConfig, [strongSuggestion]),
    ).toEqual(['weak-oracle']);
  });

  it('a PR test that fails over the base code, for any reason, proves the change', () => {
    for (const failedAt of ['check', 'error', 'missing'] as const) {
      const before = { outcome: 'failed' as const, failedAt };
      expect(reasonsOf(measured('test_x', {}, { label: 'fails-before', before }))).toEqual([]);
    }
  });

  it('a generated test that fails there only for a missing name (the function is new) is still judged', () => {
    const missing = {
      label: 'fails-before' as const,
      before: { outcome: 'error' as const, failedAt: 'missing' as const },
    };
    expect(reasonsOf(measured('test_gen', {}, { ...generated, ...missing }))).toEqual([
      'weak-oracle',
    ]);
    const crashed = {
      label: 'fails-before' as const,
      before: { outcome: 'failed' as const, failedAt: 'error' as const },
    };
    expect(reasonsOf(measured('test_gen', {}, { ...generated, ...crashed }))).toEqual([]);
  });

  it('a crash counts when an operator swap broke the code for its inputs only', () => {
    const crashedSome = [...proven.slice(0, 3), { ...proven[3]!, status: 'crashed' as const }];
    // m4 (a boolean swap) crashed this test but not test_strong: its inputs reach the difference.
    expect(reasonsOf(measured('test_x', { crashedIds: ['m4'] }), crashedSome)).toEqual([]);
    // m4 crashed every test run on it: that says nothing about this one.
    const everyone = measured('test_strong', { killedIds: ['m1', 'm2', 'm3'], crashedIds: ['m4'] });
    expect(
      reasonsOf(measured('test_x', { crashedIds: ['m4'] }), crashedSome, defaultConfig, [everyone]),
    ).toEqual(['weak-oracle']);
    // A forced condition sends every caller down one branch: no evidence either.
    const forced = [
      ...proven.slice(0, 3),
      mutant('m4', {
        operator: 'condition',
        original: 'x',
        replacement: 'True',
        status: 'crashed',
        tests: 2,
      }),
    ];
    expect(reasonsOf(measured('test_x', { crashedIds: ['m4'] }), forced)).toEqual(['weak-oracle']);
  });

  it('does not judge an unchanged test that only uses the change', () => {
    expect(reasonsOf(measured('test_x', {}, { change: 'uses' }))).toEqual([]);
  });

  it('judges generated tests too (a weak suggestion is not offered, the verdict stays pass)', () => {
    const report = judge(
      evidence({
        tests: [strong, measured('test_gen', {}, generated)],
        mutation: mutation(proven),
      }),
      defaultConfig,
    );
    expect(report.tests[1]!.reasons).toEqual(['weak-oracle']);
    expect(report.verdict).toBe('pass');
  });

  it('is off with require.strength: false', () => {
    expect(
      reasonsOf(measured('test_x'), proven, parseConfig('require: {strength: false}')),
    ).toEqual([]);
  });

  it('needs covered mutants: none covered, or no strength data at all, is "not measured"', () => {
    expect(reasonsOf(measured('test_x', { mutantIds: [] }))).toEqual([]);
    const unmeasured = judge(evidence({ tests: [test('test_x')] }), defaultConfig);
    expect(unmeasured.tests[0]!.reasons).toEqual([]);
    expect(unmeasured.tests[0]!.strength).toBeUndefined();
    expect(unmeasured.strength).toBeUndefined();
  });

  it('is said next to no-assert, trivial-assert and tampering: the mutants are evidence of their own', () => {
    expect(reasonsOf(measured('test_x', {}, { asserts: 0 }))).toEqual(['no-assert', 'weak-oracle']);
    expect(reasonsOf(measured('test_x', {}, { asserts: 1, trivialAsserts: 1 }))).toEqual([
      'trivial-assert',
      'weak-oracle',
    ]);
    const swallowed = finding({
      rule: 'TG-BUILTINS',
      reason: 'tampering',
      source: 'ast',
      line: 11,
    });
    expect(reasonsOf(measured('test_x', {}, { findings: [swallowed] }))).toEqual([
      'tampering',
      'weak-oracle',
    ]);
  });

  it('leaves a failing test to its own reason', () => {
    expect(
      reasonsOf(measured('test_x', {}, { runs: [run('failed'), run('failed'), run('failed')] })),
    ).toEqual(['failed']);
  });
});

describe('passes-before', () => {
  const fix = parseConfig('require: {failsBefore: true}');
  const guard = (name: string, extra: Partial<TestEvidence> = {}) =>
    test(name, { label: 'passes-before', before: { outcome: 'passed' }, ...extra });

  it('rejects the PR tests that pass before the change when the PR claims a fix and none fails before', () => {
    const report = judge(evidence({ tests: [guard('test_a'), guard('test_b')] }), fix, {
      claimsFix: true,
    });
    expect(report.tests.map((t) => t.reasons)).toEqual([['passes-before'], ['passes-before']]);
    expect(report.tests[0]!.details[0]!.message).toBe(
      'this pull request says it fixes a bug, but none of its tests fails on the code before the change (this one passes there too): add a regression test that fails without the fix',
    );
    expect(report.verdict).toBe('fail');
  });

  it('accepts them when the PR does not claim a fix, or require.failsBefore is off', () => {
    expect(judge(evidence({ tests: [guard('test_a')] }), fix).verdict).toBe('pass');
    expect(judge(evidence({ tests: [guard('test_a')] }), fix, { claimsFix: false }).verdict).toBe(
      'pass',
    );
    expect(
      judge(evidence({ tests: [guard('test_a')] }), defaultConfig, { claimsFix: true }).verdict,
    ).toBe('pass');
  });

  it('one test that fails before the change proves the fix for all', () => {
    const report = judge(
      evidence({
        tests: [
          guard('test_a'),
          test('test_regression', {
            label: 'fails-before',
            before: { outcome: 'failed', failedAt: 'check' },
          }),
        ],
      }),
      fix,
      { claimsFix: true },
    );
    expect(report.tests.map((t) => [t.function, t.label, t.status])).toEqual([
      ['test_a', 'passes-before', 'accepted'],
      ['test_regression', 'fails-before', 'accepted'],
    ]);
  });

  it('an unchanged test that fails before does not prove the fix, and one that passes before is not blamed', () => {
    const report = judge(
      evidence({
        tests: [
          guard('test_a'),
          test('test_old', {
            change: 'uses',
            label: 'fails-before',
            before: { outcome: 'failed', failedAt: 'check' },
          }),
          guard('test_old_guard', { change: 'uses' }),
        ],
      }),
      fix,
      { claimsFix: true },
    );
    expect(report.tests.map((t) => t.reasons)).toEqual([['passes-before'], [], []]);
  });
});

describe('the strength summary', () => {
  it('counts mutants by status and scores the PR tests only', () => {
    const report = judge(
      evidence({
        tests: [
          measured('test_a', { mutantIds: ['m1', 'm2', 'm3'], killedIds: ['m1', 'm2'] }),
          measured('test_gen', { mutantIds: ['m1', 'm2', 'm3'], killedIds: ['m3'] }, generated),
        ],
        mutation: mutation(
          [
            mutant('m1', { status: 'killed', killedBy: ['tests/test_calc.py::test_a'] }),
            mutant('m2', { status: 'killed', killedBy: ['tests/test_calc.py::test_a'] }),
            mutant('m3', { status: 'killed', killedBy: ['tests/test_calc.py::test_gen'] }),
            mutant('m4', { line: 5, status: 'survived' }),
            mutant('m5', { line: 5, col: 1, status: 'crashed', original: 'a', replacement: 'b' }),
            mutant('m6', { line: 9, status: 'not-run' }),
          ],
          { budgetSpent: true },
        ),
      }),
      defaultConfig,
    );
    // m4 and m5 are on line 5, which test_a does not cover: 3 mutants ran against the PR's tests.
    expect(report.strength).toEqual({
      mutants: 6,
      killed: 3,
      survived: 1,
      crashed: 1,
      notRun: 1,
      prMutants: 3,
      prKilled: 2,
      score: 2 / 3,
      survivors: [
        {
          id: 'm4',
          file: 'calc.py',
          line: 5,
          original: '<',
          replacement: '<=',
          operator: 'compare',
        },
      ],
      crashedOnly: [
        {
          id: 'm5',
          file: 'calc.py',
          line: 5,
          original: 'a',
          replacement: 'b',
          operator: 'compare',
        },
      ],
      capped: false,
      budgetSpent: true,
      runs: 6,
      durationMs: 900,
      baseDurationMs: 100,
    });
    expect(report.tests[0]!.strength).toEqual({
      mutants: 3,
      killed: 2,
      crashed: 0,
      killedIds: ['m1', 'm2'],
      crashedIds: [],
      mutantIds: ['m1', 'm2', 'm3'],
    });
  });

  it('has a null score when no mutant ran against a PR test', () => {
    const report = judge(
      evidence({
        tests: [test('test_a')],
        mutation: mutation([mutant('m1', { status: 'not-run' })]),
      }),
      defaultConfig,
    );
    expect(report.strength).toMatchObject({ mutants: 1, notRun: 1, prMutants: 0, score: null });
  });
});
