import { describe, expect, it } from 'vitest';
import type { GateReport } from '@testgate/core';
import { renderJson, renderMarkdown, renderText } from '../src/index.ts';
import { allowedFindingReport, failingReport, neutralReport, passingReport } from './fixtures.ts';

const ESC = '\u001b';

describe('renderText', () => {
  it('shows a table of tests with status, reasons, time and changed lines, then findings, then the verdict', () => {
    const text = renderText(failingReport());
    const lines = text.split('\n');
    expect(lines).toContain(
      '  STATUS    TEST                             REASONS   TIME  CHANGED LINES',
    );
    expect(lines).toContain(
      '  accepted  tests/test_calc.py::test_add     -        20 ms            2/2',
    );
    expect(lines).toContain(
      '  rejected  tests/test_calc.py::test_shell   unsafe   20 ms            1/2',
    );
    expect(text).toContain(
      '    unsafe: starting a process with a shell: os.system (B605) at line 22: tests must not run shell commands or other programs',
    );
    expect(text).toContain('    flaky: passed 2 of 3 runs');
    expect(text).toContain(
      '  B605     tests/test_calc.py:22          high      Starting a process with a shell: os.system',
    );
    expect(text).toContain('(generated test, not offered)');
    expect(text).toContain('  tests/test_testgate_calc.py: 1 test for divide');
    expect(lines.filter(Boolean).at(-1)).toBe(
      'Verdict: FAIL - 3 of 4 tests rejected: unsafe (1), failed (1), flaky (1); 1 file rejected: error (1)',
    );
    expect(text).not.toContain(ESC);
  });

  it('colours only when asked', () => {
    const coloured = renderText(failingReport(), { color: true });
    expect(coloured).toContain(`${ESC}[31m`);
    expect(coloured).toContain(`${ESC}[32maccepted${ESC}[39m`);
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(renderText(failingReport()));
  });

  it('pass and neutral verdict lines', () => {
    expect(renderText(passingReport())).toMatch(/\nVerdict: PASS - All 2 tests accepted\n$/);
    const neutral = renderText(neutralReport());
    expect(neutral).toContain('Security report: no flagged calls');
    expect(neutral).toMatch(
      /Verdict: NEUTRAL - Nothing to judge: no test added or changed between base and head\n$/,
    );
  });

  it('marks allowed findings and neutralises control characters from untrusted text', () => {
    expect(renderText(allowedFindingReport())).toContain('calls time.sleep (allowed by config)');
    const report = passingReport();
    report.tests[0]!.nodeid = `tests/test_x.py::test_${ESC}[2Jevil`;
    expect(renderText(report, { color: false })).toContain('tests/test_x.py::test_?[2Jevil');
    expect(renderText(report, { color: false })).not.toContain(ESC);
  });
});

describe('renderJson', () => {
  it('is the GateReport, 2-space indented, with the fields consumers read', () => {
    const report = failingReport();
    const json = renderJson(report);
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(report)));
    expect(json).toMatch(/^\{\n {2}"verdict": "fail",\n {2}"title": /);
    const parsed = JSON.parse(json) as GateReport;
    expect(parsed.verdict).toBe('fail');
    const shell = parsed.tests.find((t) => t.nodeid === 'tests/test_calc.py::test_shell')!;
    expect(shell).toMatchObject({
      file: 'tests/test_calc.py',
      status: 'rejected',
      reasons: ['unsafe'],
      durationMs: 20,
      coverage: { changedLinesCovered: 1, changedLinesTotal: 2 },
    });
    expect(shell.findings[0]).toMatchObject({
      rule: 'B605',
      line: 22,
      message: 'Starting a process with a shell: os.system',
    });
    expect(parsed.files.map((f) => f.path)).toContain('tests/test_broken.py');
    expect(Object.keys(parsed)).toEqual([
      'verdict',
      'title',
      'counts',
      'tests',
      'files',
      'findings',
      'existingFindings',
      'changedLines',
      'project',
      'generation',
      'suggestions',
      'tools',
      'durationMs',
    ]);
    expect(Object.keys(parsed.tests[0]!).slice(0, 5)).toEqual([
      'nodeid',
      'file',
      'function',
      'line',
      'origin',
    ]);
  });

  it('is stable: the same report built in another key order renders the same bytes', () => {
    const report = passingReport();
    const reversed = JSON.parse(JSON.stringify(report), (_key, value: unknown) =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).reverse())
        : value,
    ) as GateReport;
    expect(Object.keys(reversed)[0]).not.toBe('verdict');
    expect(renderJson(reversed)).toBe(renderJson(report));
  });
});

describe('renderMarkdown', () => {
  it('has the verdict, the test table, reasons, files, security report and suggestions', () => {
    const md = renderMarkdown(failingReport());
    expect(md.startsWith('# ❌ Testgate: FAIL\n')).toBe(true);
    expect(md).toContain(
      '| ❌ rejected | `tests/test_calc.py::test_shell` | unsafe | 20 ms | 1/2 |',
    );
    expect(md).toContain(
      '  - **failed**: failed in all 3 runs (assert 3 == 4): fix the test or the code it tests',
    );
    expect(md).toContain('- `tests/test_broken.py`');
    expect(md).toContain(
      '| `B605` | `tests/test_calc.py:22` | high | Starting a process with a shell: os.system |',
    );
    expect(md).toContain(
      '```python\nfrom calc import divide\n\n\ndef test_divide():\n    assert divide(6, 3) == 2\n```',
    );
    expect(md).toContain('Python 3.11.2 · pytest 7.2.1');
  });

  it('escapes untrusted text: pipes, HTML and mentions cannot change the page', () => {
    const report = failingReport();
    report.findings[0]!.message = 'ping @octocat <img src=x> a|b';
    report.tests[1]!.nodeid = 'tests/test_calc.py::test_p[a|b`c]';
    const md = renderMarkdown(report);
    expect(md).toContain('ping @&#8203;octocat &lt;img src=x&gt; a\\|b');
    expect(md).toContain("`tests/test_calc.py::test_p[a\\|b'c]`");
    expect(md).not.toContain('<img');
  });

  it('a fence longer than any backtick run in the code', () => {
    const report = failingReport();
    report.suggestions[0]!.content = 'x = """\n```\n"""\n';
    expect(renderMarkdown(report)).toContain('````python\nx = """\n```\n"""\n````');
  });
});
