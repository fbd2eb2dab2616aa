/** Findings the base tree already had: shown apart in every output, never a rejection. */
import { describe, expect, it } from 'vitest';
import type { Log } from 'sarif';
import {
  renderCheckRun,
  renderComment,
  renderMarkdown,
  renderSarif,
  renderText,
} from '../src/index.ts';
import { existingFindingReport, failingReport } from './fixtures.ts';

describe('existing findings', () => {
  const report = existingFindingReport();

  it('the report passes and lists the old finding apart', () => {
    expect(report.verdict).toBe('pass');
    expect(report.findings).toEqual([]);
    expect(report.existingFindings.map((f) => `${f.rule} ${f.file}:${f.line}`)).toEqual([
      'B403 tests/test_calc.py:1',
    ]);
  });

  it('text, Markdown and the comment say it is existing and rejects nothing', () => {
    const text = renderText(report);
    expect(text).toContain('Security report: no flagged calls');
    expect(text).toMatch(/1 existing finding in lines this pull request did not change/);
    expect(text).toMatch(/B403\s+tests\/test_calc\.py:1/);
    for (const markdown of [renderMarkdown(report), renderComment(report)]) {
      expect(markdown).toContain('Existing findings');
      expect(markdown).toContain('1 existing finding in lines this pull request did not change');
      expect(markdown).toContain('| `B403` | `tests/test_calc.py:1` | low |');
    }
  });

  it('SARIF marks it unchanged (a note), and new findings new', () => {
    const log = JSON.parse(renderSarif(report)) as Log;
    const results = log.runs[0]!.results ?? [];
    expect(results.map((r) => [r.ruleId, r.level, r.baselineState])).toEqual([
      ['B403', 'note', 'unchanged'],
    ]);
    const failing = JSON.parse(renderSarif(failingReport())) as Log;
    const b605 = failing.runs[0]!.results!.find((r) => r.ruleId === 'B605');
    expect(b605?.baselineState).toBe('new');
  });

  it('the check run has no annotation for it, and the summary lists it', () => {
    const output = renderCheckRun(report);
    expect(output.conclusion).toBe('success');
    expect(output.annotations.filter((a) => a.title.includes('B403'))).toEqual([]);
    expect(output.summary).toContain('Existing findings');
  });
});
