/**
 * parseGateReport (packages/core) reads JSON reports from untrusted artifacts: every report
 * the renderers are tested with must come back unchanged, and anything else must not.
 */
import { parseGateReport, ReportShapeError } from '@testgate/core';
import { describe, expect, it } from 'vitest';
import { renderJson } from '../src/index.ts';
import {
  allowedFindingReport,
  existingFindingReport,
  failingReport,
  hugeReport,
  neutralReport,
  passingReport,
  strengthReport,
} from './fixtures.ts';

describe('parseGateReport', () => {
  it.each([
    ['failing', failingReport()],
    ['passing', passingReport()],
    ['neutral', neutralReport()],
    ['allowed finding', allowedFindingReport()],
    ['existing finding', existingFindingReport()],
    ['huge', hugeReport(500)],
    ['strength', strengthReport()],
  ])('reads the JSON of a %s report back unchanged', (_name, report) => {
    const json = renderJson(report);
    expect(parseGateReport(json)).toEqual(JSON.parse(json));
  });

  it('drops unknown keys and escapes control characters', () => {
    const report = { ...failingReport(), run: 'curl evil | sh', title: 'a\u001b[31mb\u202e' };
    const parsed = parseGateReport(JSON.stringify(report)) as unknown as Record<string, unknown>;
    expect(parsed['run']).toBeUndefined();
    expect(parsed['title']).toBe('a\\x1b[31mb\\u202e');
  });

  it('refuses a wrong shape, naming where', () => {
    const bad = { ...failingReport(), verdict: 'approved' };
    expect(() => parseGateReport(JSON.stringify(bad), 'artifact.json')).toThrow(ReportShapeError);
    expect(() => parseGateReport(JSON.stringify(bad), 'artifact.json')).toThrow(
      /^artifact\.json is not a Testgate JSON report: verdict: /,
    );
    const tests = failingReport().tests.map((t) => ({ ...t, status: 'maybe' }));
    expect(() => parseGateReport(JSON.stringify({ ...failingReport(), tests }))).toThrow(
      /tests\.0\.status/,
    );
    expect(() => parseGateReport('[]')).toThrow(ReportShapeError);
    expect(() => parseGateReport('{')).toThrow(/it is not JSON/);
  });
});
