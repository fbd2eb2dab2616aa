/** Every output shows the base-run labels, the PR tests' mutation score and the surviving mutants. */
import { parseGateReport } from '@testgate/core';
import { describe, expect, it } from 'vitest';
import {
  renderCheckRun,
  renderComment,
  renderJson,
  renderJunit,
  renderMarkdown,
  renderSarif,
  renderText,
} from '../src/index.ts';
import { passingReport, strengthReport } from './fixtures.ts';

describe('test strength in the outputs', () => {
  it('judges the fixture as the outputs assume: the weak test is rejected', () => {
    const report = strengthReport();
    expect(report.tests.map((t) => [t.function, t.label, t.reasons])).toEqual([
      ['test_regression', 'fails-before', []],
      ['test_weak', 'passes-before', ['weak-oracle']],
    ]);
    expect(report.strength).toMatchObject({ prMutants: 15, prKilled: 2, survived: 12, crashed: 1 });
  });

  it('text: labels next to the tests, the score, every survivor and the left-out suggestion', () => {
    const text = renderText(strengthReport());
    expect(text).toMatch(/ {2}STATUS +TEST +REASONS +TIME +CHANGED LINES +BEFORE\n/);
    expect(text).toMatch(
      / {2}accepted +tests\/test_calc\.py::test_regression +- +20 ms +2\/2 +fails-before\n/,
    );
    expect(text).toMatch(
      / {2}rejected +tests\/test_calc\.py::test_weak +weak-oracle +20 ms +2\/2 +passes-before\n/,
    );
    expect(text).toContain('Test strength\n');
    expect(text).toContain(
      "  Mutation score of the PR's tests: 2/15 mutants killed at an assert (13%).\n",
    );
    expect(text).toContain(
      '  calc.py:3 `total` -> `total + 1` survives: no test tells them apart\n',
    );
    expect(text).toContain('  calc.py:5 `10` -> `11` survives: no test tells them apart\n');
    expect(text).toContain(
      '  calc.py:5 `a` -> `b` only crashes the code: no test checks the value\n',
    );
    expect(text).toContain(
      'weak-oracle: covers 3 mutants of the changed lines (calc.py:3 `<` -> `<=`, calc.py:3 `+` -> `-`) and fails on none of them at an assert: its assertions do not check what the change computes; assert the exact result',
    );
    expect(text).toContain(
      "tests/test_testgate_calc.py::test_gen_add: not suggested: kills no mutant the pull request's tests do not already kill",
    );
  });

  it('text and Markdown say nothing of strength when it was not measured', () => {
    expect(renderText(passingReport())).not.toContain('Test strength');
    expect(renderText(passingReport())).not.toContain('BEFORE');
    expect(renderMarkdown(passingReport())).not.toContain('Before the change');
    expect(renderMarkdown(passingReport())).not.toContain('Test strength');
    expect(renderComment(passingReport())).not.toContain('Test strength');
  });

  it('Markdown: a Test strength section and the labels in the table', () => {
    const markdown = renderMarkdown(strengthReport());
    expect(markdown).toContain(
      '| Status | Test | Reasons | Time | Changed lines covered | Before the change |',
    );
    expect(markdown).toContain(
      '| ✅ accepted | `tests/test_calc.py::test_regression` | - | 20 ms | 2/2 | fails-before |',
    );
    expect(markdown).toContain(
      "## Test strength\n\nMutation score of the PR's tests: 2/15 mutants killed at an assert (13%).\n\n- `calc.py:3` `total` -&gt; `total + 1` survives: no test tells them apart\n",
    );
  });

  it('the sticky comment: the score and at most 10 mutants, then "and N more"', () => {
    const comment = renderComment(strengthReport());
    const section = comment.slice(comment.indexOf('### Test strength'));
    expect(section).toMatch(
      /^### Test strength\n\nMutation score of the PR's tests: 2\/15 mutants killed at an assert \(13%\)\./,
    );
    const items = section.split('\n').filter((line) => line.startsWith('- '));
    expect(
      items.slice(0, 10).every((line) => line.includes(' survives: no test tells them apart')),
    ).toBe(true);
    expect(items[10]).toBe('- and 3 more');
    expect(comment).toContain(
      '| ❌ rejected | `tests/test_calc.py::test_weak` | weak-oracle | passes-before |',
    );
    expect(comment).not.toContain('No generated test was good enough to suggest.');
    expect(comment).toContain(
      "1 accepted generated test not suggested: kills no mutant the pull request's tests do not already kill (`test_gen_add`).",
    );
  });

  it('the check run: one notice per surviving mutant on its line, after the failures', () => {
    const { annotations, summary } = renderCheckRun(strengthReport());
    const notices = annotations.filter((a) => a.level === 'notice');
    expect(notices).toHaveLength(13);
    expect(notices[0]).toEqual({
      file: 'calc.py',
      startLine: 3,
      endLine: 3,
      level: 'notice',
      title: 'surviving mutant: total -> total + 1',
      message:
        'calc.py:3 `total` -> `total + 1` survives: no test tells them apart; add a test whose assert fails on this change',
      details: 'mutant m3 (arithmetic)',
    });
    expect(notices.at(-1)).toMatchObject({
      file: 'calc.py',
      startLine: 5,
      title: 'mutant only crashes: a -> b',
    });
    expect(annotations[0]).toMatchObject({
      level: 'failure',
      title: 'test_weak rejected: weak-oracle',
    });
    expect(summary).toContain('### Test strength');
  });

  it('the check run caps the notices at 50', () => {
    const report = strengthReport();
    const many = Array.from({ length: 80 }, (_, i) => ({
      ...report.strength!.survivors[0]!,
      id: `x${i}`,
      line: i + 1,
    }));
    report.strength = { ...report.strength!, survivors: many, survived: many.length };
    const notices = renderCheckRun(report).annotations.filter((a) => a.level === 'notice');
    expect(notices).toHaveLength(50);
  });

  it('SARIF: a note per surviving mutant under testgate/surviving-mutant, at its file and line', () => {
    const log = JSON.parse(renderSarif(strengthReport())) as {
      runs: {
        results: {
          ruleId: string;
          level: string;
          message: { text: string };
          locations: {
            physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
          }[];
        }[];
        tool: { driver: { rules: { id: string }[] } };
      }[];
    };
    const results = log.runs[0]!.results;
    const surviving = results.filter((r) => r.ruleId === 'testgate/surviving-mutant');
    expect(surviving).toHaveLength(12);
    expect(surviving[0]).toMatchObject({
      level: 'note',
      message: { text: 'calc.py:3 `total` -> `total + 1` survives: no test tells them apart' },
    });
    expect(surviving[0]!.locations[0]!.physicalLocation).toMatchObject({
      artifactLocation: { uri: 'calc.py' },
      region: { startLine: 3 },
    });
    expect(results.filter((r) => r.ruleId === 'testgate/crash-only-mutant')).toHaveLength(1);
    expect(results.find((r) => r.ruleId === 'weak-oracle')).toMatchObject({ level: 'error' });
    expect(log.runs[0]!.tool.driver.rules.map((r) => r.id)).toContain('testgate/surviving-mutant');
  });

  it('JUnit: the label as a property of the test case', () => {
    expect(renderJunit(strengthReport())).toContain(
      '<properties><property name="testgate.label" value="fails-before"/></properties>',
    );
  });

  it('JSON: labels, base runs and the strength summary, read back unchanged', () => {
    const json = renderJson(strengthReport());
    const parsed = JSON.parse(json) as ReturnType<typeof strengthReport>;
    expect(parsed.tests[0]).toMatchObject({
      label: 'fails-before',
      before: { outcome: 'failed', failedAt: 'check' },
      strength: { mutants: 3, killed: 2, killedIds: ['m1', 'm2'] },
    });
    expect(parsed.strength?.survivors[0]).toEqual({
      id: 'm3',
      file: 'calc.py',
      line: 3,
      original: 'total',
      replacement: 'total + 1',
      operator: 'arithmetic',
    });
    expect(parseGateReport(json)).toEqual(parsed);
  });
});
