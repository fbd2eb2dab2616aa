/** Test strength in the policy: `weak-oracle`, `passes-before`, the labels and the report's summary. */
import { describe, expect, it } from 'vitest';
import { defaultConfig, judge, parseConfig, type TestEvidence } from '../src/index.ts';
import { evidence, finding, mutant, mutation, run, test } from './builders.ts';

/** A passing PR test covering calc.py:3 that ran `mutants` mutants there and killed `killedIds`. */
function measured(
  name: string,
  strength: { mutants: number; killedIds?: string[]; crashed?: number },
  extra: Partial<TestEvidence> = {},
): TestEvidence {
  const killedIds = strength.killedIds ?? [];
  return test(name, {
    strength: {
      mutants: strength.mutants,
      killed: killedIds.length,
      crashed: strength.crashed ?? 0,
      killedIds,
    },
    ...extra,
  });
}

const survivors = [
  mutant('m1'),
  mutant('m2', { original: '+', replacement: '-', operator: 'arithmetic', col: 12 }),
  mutant('m3', { original: '0', replacement: '1', operator: 'constant', col: 20 }),
  mutant('m4', { original: 'x', replacement: 'not x', operator: 'boolean', col: 24 }),
];

describe('weak-oracle', () => {
  it('rejects a passing test that covers mutants and kills none at a check, naming up to 3 survivors', () => {
    const report = judge(
      evidence({ tests: [measured('test_x', { mutants: 4 })], mutation: mutation(survivors) }),
      defaultConfig,
    );
    const result = report.tests[0]!;
    expect(result.status).toBe('rejected');
    expect(result.reasons).toEqual(['weak-oracle']);
    expect(result.details[0]!.message).toBe(
      'covers 4 mutants of the changed lines (calc.py:3 `<` -> `<=`, calc.py:3 `+` -> `-`, calc.py:3 `0` -> `1`, ...) and fails on none of them at an assert: its assertions do not check what the change computes; assert the exact result',
    );
    expect(result.details[0]).toMatchObject({ file: 'calc.py', line: 3 });
    expect(report.verdict).toBe('fail');
    expect(report.title).toBe('1 of 1 test rejected: weak-oracle (1)');
  });

  it('says when the mutants only crash the code', () => {
    const report = judge(
      evidence({
        tests: [measured('test_x', { mutants: 2, crashed: 2 })],
        mutation: mutation([mutant('m1', { status: 'crashed' }), mutant('m2')]),
      }),
      defaultConfig,
    );
    expect(report.tests[0]!.details[0]!.message).toContain(
      'fails on none of them at an assert; all of them only make the code raise or hang, which any caller would notice',
    );
  });

  it('does not fire when the test kills a mutant at a check', () => {
    const report = judge(
      evidence({
        tests: [measured('test_x', { mutants: 4, killedIds: ['m1'] })],
        mutation: mutation([
          mutant('m1', { status: 'killed', killedBy: ['tests/test_calc.py::test_x'] }),
          ...survivors.slice(1),
        ]),
      }),
      defaultConfig,
    );
    expect(report.tests[0]!.status).toBe('accepted');
    expect(report.verdict).toBe('pass');
  });

  it('does not fire when the test fails before the change at a check', () => {
    const report = judge(
      evidence({
        tests: [
          measured(
            'test_x',
            { mutants: 4 },
            { label: 'fails-before', before: { outcome: 'failed', failedAt: 'check' } },
          ),
        ],
        mutation: mutation(survivors),
      }),
      defaultConfig,
    );
    expect(report.tests[0]!.reasons).toEqual([]);
    expect(report.tests[0]!.label).toBe('fails-before');
  });

  it('still fires when the base run only errored (the function it imports is new: ImportError)', () => {
    const report = judge(
      evidence({
        tests: [
          measured(
            'test_x',
            { mutants: 1 },
            {
              label: 'fails-before',
              before: {
                outcome: 'failed',
                failedAt: 'error',
                message: "ImportError: cannot import name 'clamp' from 'calc'",
              },
            },
          ),
        ],
        mutation: mutation([mutant('m1')]),
      }),
      defaultConfig,
    );
    expect(report.tests[0]!.reasons).toEqual(['weak-oracle']);
  });

  it('does not judge an unchanged test that only uses the change', () => {
    const report = judge(
      evidence({
        tests: [measured('test_x', { mutants: 4 }, { change: 'uses' })],
        mutation: mutation(survivors),
      }),
      defaultConfig,
    );
    expect(report.tests[0]!.reasons).toEqual([]);
  });

  it('judges generated tests too (a weak suggestion is not offered)', () => {
    const report = judge(
      evidence({
        tests: [
          test('test_ok'),
          measured(
            'test_gen',
            { mutants: 1 },
            { origin: 'generated', generator: 'builtin', change: undefined },
          ),
        ],
        mutation: mutation([mutant('m1')]),
      }),
      defaultConfig,
    );
    expect(report.tests[1]!.reasons).toEqual(['weak-oracle']);
    expect(report.verdict).toBe('pass');
  });

  it('is off with require.strength: false', () => {
    const report = judge(
      evidence({ tests: [measured('test_x', { mutants: 4 })], mutation: mutation(survivors) }),
      parseConfig('require: {strength: false}'),
    );
    expect(report.tests[0]!.reasons).toEqual([]);
  });

  it('needs covered mutants: none covered, or no strength data at all, is "not measured"', () => {
    const none = judge(
      evidence({ tests: [measured('test_x', { mutants: 0 })], mutation: mutation([]) }),
      defaultConfig,
    );
    expect(none.tests[0]!.reasons).toEqual([]);
    const unmeasured = judge(evidence({ tests: [test('test_x')] }), defaultConfig);
    expect(unmeasured.tests[0]!.reasons).toEqual([]);
    expect(unmeasured.tests[0]!.strength).toBeUndefined();
    expect(unmeasured.strength).toBeUndefined();
  });

  it('says nothing more of a test that asserts nothing, only trivially, or tampers', () => {
    const reasonsOf = (extra: Partial<TestEvidence>) =>
      judge(
        evidence({
          tests: [measured('test_x', { mutants: 4 }, extra)],
          mutation: mutation(survivors),
        }),
        defaultConfig,
      ).tests[0]!.reasons;
    expect(reasonsOf({ asserts: 0 })).toEqual(['no-assert']);
    expect(reasonsOf({ asserts: 1, trivialAsserts: 1 })).toEqual(['trivial-assert']);
    expect(
      reasonsOf({
        findings: [finding({ rule: 'TG-BUILTINS', reason: 'tampering', source: 'ast', line: 11 })],
      }),
    ).toEqual(['tampering']);
    // With require.assertions off, the assertion reasons do not fire and weak-oracle speaks.
    expect(
      judge(
        evidence({
          tests: [measured('test_x', { mutants: 4 }, { asserts: 0 })],
          mutation: mutation(survivors),
        }),
        parseConfig('require: {assertions: false}'),
      ).tests[0]!.reasons,
    ).toEqual(['weak-oracle']);
  });

  it('leaves a failing test to its own reason', () => {
    const report = judge(
      evidence({
        tests: [
          measured(
            'test_x',
            { mutants: 4 },
            { runs: [run('failed'), run('failed'), run('failed')] },
          ),
        ],
        mutation: mutation(survivors),
      }),
      defaultConfig,
    );
    expect(report.tests[0]!.reasons).toEqual(['failed']);
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
          measured('test_a', { mutants: 3, killedIds: ['m1', 'm2'] }),
          measured(
            'test_gen',
            { mutants: 3, killedIds: ['m3'] },
            { origin: 'generated', generator: 'builtin', change: undefined },
          ),
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
    });
    expect(report.tests[0]!.strength).toEqual({
      mutants: 3,
      killed: 2,
      crashed: 0,
      killedIds: ['m1', 'm2'],
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
