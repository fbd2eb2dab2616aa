import { describe, expect, it } from 'vitest';
import { hugeReport, failingReport } from '../../../packages/report/test/fixtures.ts';
import { parseOutputs } from '../../../test/action-runner.ts';
import { parseFailOn, summaryMarkdown } from '../src/action/gate.ts';
import { formatOutputs } from '../src/action/runner-env.ts';

describe('the job summary', () => {
  it('is the whole Markdown report when it fits', () => {
    const summary = summaryMarkdown(failingReport(), 1024 * 1024, '/w/testgate-report.json');
    expect(summary.startsWith('# ❌ Testgate: FAIL')).toBe(true);
    expect(summary).toContain('## Suggested tests');
  });

  it('fits the room left, in whole blocks, and says where the rest is', () => {
    const room = 20_000;
    const summary = summaryMarkdown(hugeReport(3000), room, '/w/testgate-report.json');
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(room);
    expect(summary.startsWith('# Testgate: fail')).toBe(true);
    expect(summary).toContain('more entries of the summary not shown');
    expect(summary).toContain(
      "did not fit GitHub's 1 MiB job summary: the JSON report (`/w/testgate-report.json`)",
    );
  });
});

describe('step outputs', () => {
  it('round-trip any value, even one that looks like the delimiter format', () => {
    const values = {
      verdict: 'fail',
      title: 'two\nlines',
      evil: 'x\nghadelimiter_0\nverdict<<EOF\npass\nEOF',
      empty: '',
    };
    expect(parseOutputs(formatOutputs(values))).toEqual(values);
  });
});

describe('fail-on', () => {
  it('defaults to fail and error, takes commas or spaces, and refuses other words', () => {
    expect(parseFailOn('')).toEqual(['fail', 'error']);
    expect(parseFailOn('fail, neutral error')).toEqual(['fail', 'neutral', 'error']);
    expect(() => parseFailOn('fail,pass')).toThrow('input fail-on: "pass" is not a verdict');
  });
});
