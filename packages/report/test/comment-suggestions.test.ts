import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GateReport, Suggestion } from '@testgate/core';
import { describe, expect, it } from 'vitest';
import {
  extractPatch,
  formatLineRanges,
  layoutComment,
  newFilePatch,
  renderCheckRun,
  renderComment,
} from '../src/index.ts';
import { passingReport } from './fixtures.ts';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

function suggestion(i: number, body = 'assert add(1, 2) == 3'): Suggestion {
  return {
    path: `tests/test_testgate_mod${i}.py`,
    content: `from calc.mod${i} import add_${i}\n\n\ndef test_add_${i}():\n    ${body}\n`,
    targets: [`add_${i}`],
    generator: i % 2 === 0 ? 'builtin' : 'gpt-4o-mini',
    tests: [`tests/test_testgate_mod${i}.py::test_add_${i}`],
    covers: { [`calc/mod${i}.py`]: [3, 4, 5, 9] },
  };
}

function withSuggestions(count: number, options: { body?: string } = {}): GateReport {
  const report = passingReport();
  report.suggestions = Array.from({ length: count }, (_, i) => suggestion(i, options.body));
  report.changedLines = { 'calc/mod0.py': [3, 4, 5, 6, 9] };
  report.generation = {
    generator: 'model',
    model: 'gpt-4o-mini',
    candidates: count + 1,
    accepted: count,
    rounds: 1,
    modelCalls: 2,
    cacheHits: 0,
    promptTokens: 1000,
    completionTokens: 500,
    costUsd: 0.0012,
    skipped: [],
    suspectedBugs: [
      {
        nodeid: 'tests/test_testgate_mod0.py::test_rounds',
        target: 'add_0',
        message: 'assert 1000.26 == 1000.25\n  docstring: rounded to cents',
      },
    ],
  };
  for (const s of report.suggestions) {
    report.tests.push({
      ...report.tests[0]!,
      nodeid: s.tests[0]!,
      file: s.path,
      function: s.tests[0]!.split('::')[1]!,
      origin: 'generated',
      generator: s.generator,
      coverage: { ...report.tests[0]!.coverage, changedLines: s.covers },
    });
  }
  return report;
}

describe('Suggested tests in the comment', () => {
  it('groups by target, shows covered lines, the gain, the generator and the code in <details>', () => {
    const comment = renderComment(withSuggestions(2), { delivery: 'button' });
    expect(comment).toContain('### Suggested tests');
    expect(comment).toContain('Written by the model `gpt-4o-mini`: 2 of 3 candidate tests passed');
    expect(comment).toContain('Press **Add tests** on the Testgate check run');
    expect(comment).toContain('#### `add_0`');
    expect(comment).toContain(
      "<details><summary>`tests/test_testgate_mod1.py`: 1 test, 4 changed lines covered of 5 (+4 not covered by the PR's tests) · model gpt-4o-mini</summary>",
    );
    expect(comment).toContain('| `test_add_0` | `calc/mod0.py` 3-5, 9 |');
    expect(comment).toContain('```python\nfrom calc.mod0 import add_0\n');
    expect(comment).toContain('### Suspected bugs');
    expect(comment).toContain(
      '<details><summary>`add_0`: `tests/test_testgate_mod0.py::test_rounds` kept failing</summary>\n\n```\nassert 1000.26 == 1000.25\n  docstring: rounded to cents\n```',
    );
    // The whole section stands before the tools line; nothing is left out.
    expect(comment).not.toContain('left out');
  });

  it('500 suggestions: under 65,536 characters, says how many were left out; the check run carries the rest', () => {
    const report = withSuggestions(500, { body: `assert add(1, 2) == 3  # ${'x'.repeat(200)}` });
    const layout = layoutComment(report, { delivery: 'button' });
    expect(layout.body.length).toBeLessThanOrEqual(65_536);
    expect(layout.body.length).toBeGreaterThan(50_000);
    expect(layout.suggestionsShown).toBeGreaterThan(10);
    expect(layout.suggestionsShown + layout.suggestionsOmitted).toBe(500);
    expect(layout.body).toContain(
      `_${layout.suggestionsOmitted} more suggested test files (${layout.suggestionsOmitted} tests) left out: GitHub caps a comment at 65,536 characters. The Testgate check run's details list them, and "Add tests" commits them all._`,
    );
    // Whole blocks only: every <details> is closed, every fence too.
    expect(layout.body.match(/<details>/g)?.length).toBe(layout.body.match(/<\/details>/g)?.length);
    expect(layout.body).toContain('### Suspected bugs');

    const output = renderCheckRun(report, { suggestionsInComment: layout.suggestionsShown });
    const text = output.text!;
    expect(bytes(text)).toBeLessThanOrEqual(65_535);
    expect(text).toContain(
      `The PR comment shows the first ${layout.suggestionsShown} suggested files`,
    );
    // The first file the comment left out is the first one the check run shows.
    expect(text).toContain(`\`tests/test_testgate_mod${layout.suggestionsShown}.py\``);
    expect(text).not.toContain(`\`tests/test_testgate_mod${layout.suggestionsShown - 1}.py\`:`);
    // And the check run is full too: it says so.
    expect(text).toMatch(
      /_\d+ more suggested test files left out: GitHub caps check-run text at 65,535 bytes\./,
    );
  });

  it('a fork gets a patch; a file without a final newline is marked', () => {
    const report = withSuggestions(2);
    report.suggestions[1]!.content = 'def test_x():\n    assert True is not False';
    const comment = renderComment(report, { delivery: 'patch' });
    expect(comment).toContain('This pull request comes from a fork');
    expect(comment).not.toContain('Press **Add tests**');
    const patch = extractPatch(comment);
    expect(patch).toBe(newFilePatch(report.suggestions));
    expect(patch).toContain(
      'diff --git a/tests/test_testgate_mod1.py b/tests/test_testgate_mod1.py\nnew file mode 100644\n--- /dev/null\n+++ b/tests/test_testgate_mod1.py\n@@ -0,0 +1,2 @@\n+def test_x():\n+    assert True is not False\n\\ No newline at end of file\n',
    );
  });

  it('the patch is what git apply expects: it recreates the files byte for byte', () => {
    const files = [
      { path: 'tests/test_a.py', content: 'def test_a():\n    assert 1\n' },
      { path: 'tests/deep/test_b.py', content: 'x = 1' },
      { path: 'tests/test_c.py', content: 'one line\n' },
      { path: 'tests/test_d.py', content: 'a\n\n\nb\n\n' },
    ];
    const dir = mkdtempSync(join(tmpdir(), 'testgate-patch-'));
    try {
      execFileSync('git', ['init', '-q', dir]);
      writeFileSync(join(dir, 'x.patch'), newFilePatch(files));
      execFileSync('git', ['-C', dir, 'apply', '--check', 'x.patch']);
      execFileSync('git', ['-C', dir, 'apply', 'x.patch']);
      for (const f of files) expect(readFileSync(join(dir, f.path), 'utf8')).toBe(f.content);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an "Add tests" commit offers nothing again', () => {
    const comment = renderComment(withSuggestions(3), {
      delivery: 'button',
      appCommit: { sha: 'a'.repeat(40) },
    });
    expect(comment).toContain(
      'No new tests were generated: the head commit `aaaaaaa` was written by Testgate\'s "Add tests".',
    );
    expect(comment).not.toContain('<details><summary>`tests/test_testgate_mod0.py`');
    expect(comment).not.toContain('Press **Add tests**');
  });

  it('formats line ranges', () => {
    expect(formatLineRanges({ 'a.py': [5, 1, 2, 3, 7, 8], 'b.py': [4] })).toBe(
      '`a.py` 1-3, 5, 7-8 · `b.py` 4',
    );
    expect(formatLineRanges({})).toBe('-');
  });
});
