import { describe, expect, it } from 'vitest';
import { COMMENT_MARKER, renderCheckRun, renderComment } from '../src/index.ts';
import {
  allowedFindingReport,
  failingReport,
  hugeReport,
  neutralReport,
  passingReport,
} from './fixtures.ts';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('renderCheckRun', () => {
  it('maps the verdict to the conclusion and keeps the title', () => {
    expect(renderCheckRun(passingReport())).toMatchObject({
      conclusion: 'success',
      title: 'All 2 tests accepted',
    });
    expect(renderCheckRun(neutralReport())).toMatchObject({
      conclusion: 'neutral',
      title: 'Nothing to judge: no test added or changed between base and head',
    });
    const failing = renderCheckRun(failingReport());
    expect(failing.conclusion).toBe('failure');
    expect(failing.title).toBe(
      '3 of 4 tests rejected: unsafe (1), failed (1), flaky (1); 1 file rejected: error (1)',
    );
  });

  it('summary has the test table and the security report; text has the reasons and suggestions', () => {
    const output = renderCheckRun(failingReport());
    expect(output.summary).toContain(
      '| ❌ rejected | `tests/test_calc.py::test_random` | flaky | 20 ms | 1/2 |',
    );
    expect(output.summary).toContain(
      '| `B605` | `tests/test_calc.py:22` | high | Starting a process with a shell: os.system |',
    );
    // The generated candidate's finding is not the PR's problem.
    expect(output.summary).not.toContain('TG-EVAL');
    expect(output.text).toContain('  - **flaky**: passed 2 of 3 runs');
    expect(output.text).toContain('```python\nfrom calc import divide');
  });

  it('annotates every PR finding and every rejected PR test or file, none in generated files', () => {
    const { annotations } = renderCheckRun(failingReport());
    expect(annotations.map((a) => `${a.level} ${a.file}:${a.startLine} ${a.title}`)).toEqual([
      'failure tests/test_calc.py:22 unsafe: B605',
      'failure tests/test_calc.py:20 test_shell rejected: unsafe',
      'failure tests/test_calc.py:30 test_random rejected: flaky',
      'failure tests/test_calc.py:40 test_wrong rejected: failed',
      'failure tests/test_broken.py:1 test file rejected: error',
    ]);
    const flaky = annotations[2]!;
    expect(flaky.endLine).toBe(30);
    expect(flaky.message).toBe(
      'flaky: passed 2 of 3 runs: the outcome depends on timing, order or randomness; make it deterministic',
    );
    expect(flaky.details).toContain('runs: passed, failed, passed');
    expect(renderCheckRun(passingReport()).annotations).toEqual([]);
  });

  it('an allowed finding is a warning annotation', () => {
    expect(renderCheckRun(allowedFindingReport()).annotations).toEqual([
      expect.objectContaining({
        level: 'warning',
        file: 'tests/test_calc.py',
        startLine: 11,
        title: 'unsafe: TG-SLEEP (allowed)',
      }),
    ]);
  });

  it('truncates summary and text to GitHub’s byte limit with a note, keeping whole rows', () => {
    const output = renderCheckRun(hugeReport(3000));
    expect(bytes(output.summary)).toBeLessThanOrEqual(65_535);
    expect(bytes(output.summary)).toBeGreaterThan(60_000);
    expect(output.summary).toMatch(
      /\n\n_\.\.\. truncated: \d+ more entries of the summary not shown; the JSON report has everything\._$/,
    );
    // The cut falls between rows: the line before the note is a whole table row.
    const rows = output.summary.split('\n\n_... truncated')[0]!.split('\n');
    expect(rows.at(-1)).toMatch(/^\| .* \|$/);
    expect(bytes(output.text!)).toBeLessThanOrEqual(65_535);
    expect(output.text).toContain('... truncated:');
    expect(output.annotations).toHaveLength(6000);
  });

  it('honours a smaller maxSummaryBytes', () => {
    const output = renderCheckRun(failingReport(), { maxSummaryBytes: 600 });
    expect(bytes(output.summary)).toBeLessThanOrEqual(600);
    expect(output.summary).toMatch(/truncated: \d+ more entr(y|ies)/);
  });
});

describe('renderComment', () => {
  it('starts with the hidden marker, then the verdict, the security report and the verdict per test', () => {
    const comment = renderComment(failingReport());
    expect(comment.startsWith(`${COMMENT_MARKER}\n## ❌ Testgate: FAIL\n`)).toBe(true);
    expect(comment).toContain('### Security report\n\n| Rule | Location | Severity | Message |');
    expect(comment).toContain(
      '| `B605` | `tests/test_calc.py:22` | high | Starting a process with a shell: os.system |',
    );
    expect(comment).toContain('### Verdict per test\n\n| Status | Test | Reasons |');
    expect(comment).toContain('| ❌ rejected | `tests/test_calc.py::test_shell` | unsafe |');
    expect(comment).toContain('| ✅ accepted | `tests/test_calc.py::test_add` | - |');
    expect(comment).toContain('### Suggested tests');
    expect(comment).toContain('def test_divide():');
  });

  it('says when there are no flagged calls, and explains a neutral verdict', () => {
    const comment = renderComment(neutralReport(), { marker: '<!-- custom -->' });
    expect(comment.startsWith('<!-- custom -->\n## ⚪ Testgate: NEUTRAL')).toBe(true);
    expect(comment).toContain('No flagged calls.');
    expect(comment).toContain('Nothing to judge: no test added or changed between base and head');
    expect(renderComment(passingReport())).toContain(
      '## ✅ Testgate: PASS\n\nAll 2 tests accepted',
    );
  });

  it('stays under GitHub’s 65,536-character limit with a note', () => {
    const comment = renderComment(hugeReport(3000));
    expect(comment.length).toBeLessThanOrEqual(65_536);
    expect(comment.length).toBeGreaterThan(60_000);
    expect(comment.startsWith(COMMENT_MARKER)).toBe(true);
    expect(comment).toMatch(
      /_\.\.\. truncated: \d+ more entries not shown; the check run and the JSON report have everything\._\n/,
    );
  });
});
