import type { EvaluationEvidence, GateReport, TestResult } from '@testgate/core';
import { describe, expect, it } from 'vitest';
import { buildSuggestions } from '../src/suggestions.ts';

const FILE = 'tests/test_testgate_calc.py';
const CONTENT = `import pytest

from calc import parse_amount


def helper():
    return 1


def test_ok():
    assert parse_amount("1") == 1.0


@pytest.mark.parametrize(
    "text",
    ["", " "],
)
def test_bad(text):
    assert parse_amount(text) == 0


def test_also_ok():
    with pytest.raises(ValueError):
        parse_amount("x")
`;

function result(
  nodeid: string,
  fn: string,
  line: number,
  status: 'accepted' | 'rejected',
  covered: number[] = [],
): TestResult {
  return {
    nodeid,
    file: FILE,
    function: fn,
    line,
    origin: 'generated',
    generator: 'builtin',
    status,
    reasons: status === 'accepted' ? [] : ['failed'],
    details: [],
    findings: [],
    runs: ['passed'],
    durationMs: 10,
    coverage: {
      changedLines: { 'calc/parse.py': covered },
      changedLinesCovered: covered.length,
      changedLinesTotal: 5,
      changedBranchesCovered: 0,
      linesCovered: 3,
      branchesCovered: 0,
      errorPathLines: {},
    },
  };
}

const tests: TestResult[] = [
  result(`${FILE}::test_ok`, 'test_ok', 10, 'accepted', [2, 3]),
  result(`${FILE}::test_bad[]`, 'test_bad', 18, 'accepted'),
  result(`${FILE}::test_bad[ ]`, 'test_bad', 18, 'rejected'),
  result(`${FILE}::test_also_ok`, 'test_also_ok', 22, 'accepted', [3, 5]),
];
const spans: Record<string, [number, number]> = {
  test_ok: [10, 11],
  test_bad: [18, 19],
  test_also_ok: [22, 24],
};
const evidence = {
  tests: tests.map((t) => ({
    nodeid: t.nodeid,
    startLine: spans[t.function]![0],
    endLine: spans[t.function]![1],
  })),
} as unknown as Pick<EvaluationEvidence, 'tests'>;
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

describe('buildSuggestions', () => {
  it('keeps module code and the fully accepted functions, and drops a parametrized one with a rejected case', () => {
    const [suggestion, ...rest] = buildSuggestions({
      report: { tests, files },
      evidence,
      generated: [
        { path: FILE, content: CONTENT, targets: ['parse_amount'], generator: 'builtin' },
      ],
    });
    expect(rest).toEqual([]);
    expect(suggestion?.content).toBe(`import pytest

from calc import parse_amount


def helper():
    return 1


def test_ok():
    assert parse_amount("1") == 1.0


def test_also_ok():
    with pytest.raises(ValueError):
        parse_amount("x")
`);
    expect(suggestion?.tests).toEqual([`${FILE}::test_ok`, `${FILE}::test_also_ok`]);
    expect(suggestion?.covers).toEqual({ 'calc/parse.py': [2, 3, 5] });
  });

  it('offers nothing for a file whose tests were all rejected or that did not collect', () => {
    const rejected = tests.map((t) => ({ ...t, status: 'rejected' as const }));
    expect(
      buildSuggestions({
        report: { tests: rejected, files },
        evidence,
        generated: [{ path: FILE, content: CONTENT, targets: [], generator: 'builtin' }],
      }),
    ).toEqual([]);
    const broken: GateReport['files'] = [
      { ...files[0]!, error: 'ImportError', reasons: ['error'] },
    ];
    expect(
      buildSuggestions({
        report: { tests, files: broken },
        evidence,
        generated: [{ path: FILE, content: CONTENT, targets: [], generator: 'builtin' }],
      }),
    ).toEqual([]);
  });
});
