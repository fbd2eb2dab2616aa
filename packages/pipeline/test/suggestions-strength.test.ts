/** Suggestions chosen by strength: the fewest generated tests that kill what the PR's tests miss. */
import type { EvaluationEvidence, GateReport, Mutant, TestResult } from '@testgate/core';
import { describe, expect, it } from 'vitest';
import { suggestionsWithStrength } from '../src/suggestions.ts';

const FILE = 'tests/test_testgate_ops.py';
const CONTENT = `from calc.ops import clamp


def test_low():
    assert clamp(-1) == 0


def test_high():
    assert clamp(11) == 10


def test_high_again():
    x = clamp(12)
    assert x == 10


def test_middle():
    assert clamp(5) == 5
`;
const SPANS: Record<string, [number, number]> = {
  test_low: [4, 5],
  test_high: [8, 9],
  test_high_again: [12, 14],
  test_middle: [17, 18],
};

function result(
  fn: string,
  options: { origin?: 'pr' | 'generated'; killedIds?: string[]; covered?: number[] } = {},
): TestResult {
  const origin = options.origin ?? 'generated';
  const killedIds = options.killedIds ?? [];
  const covered = options.covered ?? [12];
  return {
    nodeid: origin === 'pr' ? `tests/test_ops.py::${fn}` : `${FILE}::${fn}`,
    file: origin === 'pr' ? 'tests/test_ops.py' : FILE,
    function: fn,
    line: SPANS[fn]?.[0] ?? 1,
    origin,
    status: 'accepted',
    reasons: [],
    details: [],
    findings: [],
    runs: ['passed'],
    durationMs: 10,
    coverage: {
      changedLines: { 'calc/ops.py': covered },
      changedLinesCovered: covered.length,
      changedLinesTotal: 4,
      changedBranchesCovered: 0,
      linesCovered: 3,
      branchesCovered: 0,
      errorPathLines: {},
    },
    strength: {
      mutants: 3,
      killed: killedIds.length,
      crashed: 0,
      killedIds,
      crashedIds: [],
      mutantIds: killedIds,
    },
  };
}

function mutant(id: string, extra: Partial<Mutant> = {}): Mutant {
  return {
    id,
    file: 'calc/ops.py',
    line: 12,
    col: 4,
    operator: 'compare',
    original: '<',
    replacement: '<=',
    valueChanging: true,
    status: 'killed',
    killedBy: [],
    tests: 2,
    ...extra,
  };
}

function choose(tests: TestResult[], mutants: Mutant[] | undefined) {
  const evidence = {
    tests: tests.map((t) => ({
      nodeid: t.nodeid,
      startLine: SPANS[t.function]?.[0] ?? 1,
      endLine: SPANS[t.function]?.[1] ?? 1,
    })),
    ...(mutants === undefined
      ? {}
      : {
          mutation: {
            mutants,
            changedLines: 4,
            aridLines: 0,
            equivalent: 0,
            capped: false,
            budgetSpent: false,
            runs: 8,
            durationMs: 500,
            baseDurationMs: 50,
          },
        }),
  } as unknown as Pick<EvaluationEvidence, 'tests' | 'mutation'>;
  const files: GateReport['files'] = [
    {
      path: FILE,
      origin: 'generated',
      kind: 'tests',
      collected: 4,
      reasons: [],
      details: [],
      findings: [],
    },
  ];
  return suggestionsWithStrength({
    report: { tests, files },
    evidence,
    generated: [{ path: FILE, content: CONTENT, targets: ['clamp'], generator: 'builtin' }],
  });
}

describe('suggestions chosen by strength', () => {
  const mutants = ['m1', 'm2', 'm3', 'm4'].map((id) => mutant(id));

  it('keeps the fewest tests that kill the most mutants the PR leaves alive, and says why the rest are left out', () => {
    const { suggestions, notSuggested } = choose(
      [
        result('test_pr', { origin: 'pr', killedIds: ['m1'] }),
        // Kills only what the PR's test kills already.
        result('test_low', { killedIds: ['m1'] }),
        result('test_high', { killedIds: ['m2', 'm3'] }),
        // A subset of test_high's kills.
        result('test_high_again', { killedIds: ['m2'] }),
        result('test_middle', { killedIds: ['m3', 'm4'] }),
      ],
      mutants,
    );
    // Greedy: test_high and test_middle add 2 each (a tie in coverage and size: the first in
    // file order wins), then test_middle still adds m4; test_high_again adds nothing by then.
    expect(suggestions).toHaveLength(1);
    expect(suggestions[0]!.tests).toEqual([`${FILE}::test_high`, `${FILE}::test_middle`]);
    expect(suggestions[0]!.kills).toEqual(['m2', 'm3', 'm4']);
    expect(suggestions[0]!.content).toBe(`from calc.ops import clamp


def test_high():
    assert clamp(11) == 10


def test_middle():
    assert clamp(5) == 5
`);
    expect(notSuggested).toEqual([
      {
        nodeid: `${FILE}::test_low`,
        reason: "not suggested: kills no mutant the pull request's tests do not already kill",
      },
      {
        nodeid: `${FILE}::test_high_again`,
        reason: 'not suggested: kills no mutant that the suggested tests do not already kill',
      },
    ]);
  });

  it('breaks a tie by changed lines covered', () => {
    const { suggestions } = choose(
      [
        result('test_high', { killedIds: ['m1'], covered: [12] }),
        result('test_high_again', { killedIds: ['m1'], covered: [11, 12, 13] }),
      ],
      mutants,
    );
    expect(suggestions[0]!.tests).toEqual([`${FILE}::test_high_again`]);
  });

  it('does not count mutants that are not value-changing (any caller kills a `return None`)', () => {
    const { suggestions, notSuggested } = choose(
      [result('test_low', { killedIds: ['none'] }), result('test_high', { killedIds: ['m1'] })],
      [
        mutant('none', { valueChanging: false, original: 'return x', replacement: 'return None' }),
        mutant('m1'),
      ],
    );
    expect(suggestions[0]!.tests).toEqual([`${FILE}::test_high`]);
    expect(notSuggested.map((n) => n.nodeid)).toEqual([`${FILE}::test_low`]);
  });

  it('without mutation data (or no value-changing mutant run) suggests every accepted test, as before', () => {
    const tests = [result('test_low'), result('test_high')];
    for (const data of [undefined, [mutant('m1', { status: 'not-run' })]]) {
      const { suggestions, notSuggested } = choose(tests, data);
      expect(suggestions[0]!.tests).toEqual([`${FILE}::test_low`, `${FILE}::test_high`]);
      expect(suggestions[0]!.kills).toBeUndefined();
      expect(notSuggested).toEqual([]);
    }
  });
});
