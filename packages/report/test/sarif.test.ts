import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as ajvDraft04 from 'ajv-draft-04';
import * as ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { REASON_CODES } from '@testgate/core';
import type { Log } from 'sarif';
import { renderSarif } from '../src/index.ts';
import {
  allowedFindingReport,
  failingReport,
  hugeReport,
  neutralReport,
  passingReport,
  strengthReport,
} from './fixtures.ts';

// The official SARIF 2.1.0 (rtm.5) JSON schema, as shipped (offline) by @microsoft/jest-sarif.
const require = createRequire(import.meta.url);
// Both are CommonJS with `exports.default`; under NodeNext the default sits one level down.
const Ajv = ajvDraft04.default.default;
const addFormats = ajvFormats.default.default;
const schema = JSON.parse(
  readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
) as Record<string, unknown>;
// unicodeRegExp off: the official schema has a `language` pattern ("...]?$") that is invalid in
// unicode mode but fine as a plain RegExp.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schema);

function valid(text: string): Log {
  const log = JSON.parse(text) as Log;
  const ok = validate(log);
  expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
  expect(ok).toBe(true);
  return log;
}

describe('renderSarif', () => {
  it('the validator rejects an invalid log (so the other tests mean something)', () => {
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
    const log = JSON.parse(renderSarif(failingReport())) as {
      runs: { results: { level: string }[] }[];
    };
    log.runs[0]!.results[0]!.level = 'fatal';
    expect(validate(log)).toBe(false);
  });

  it('is valid SARIF 2.1.0 for failing, passing, neutral, allowed and huge reports', () => {
    for (const report of [
      failingReport(),
      passingReport(),
      neutralReport(),
      allowedFindingReport(),
      hugeReport(50),
      strengthReport(),
    ]) {
      valid(renderSarif(report));
    }
    valid(renderSarif(failingReport(), { srcRoot: 'file:///home/dev/calc/', version: '0.1.0' }));
  });

  it('one run by Testgate with rules for every reason code and every finding rule', () => {
    const log = valid(renderSarif(failingReport()));
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const run = log.runs[0]!;
    expect(run.tool.driver.name).toBe('Testgate');
    const ids = run.tool.driver.rules!.map((rule) => rule.id);
    expect(ids).toEqual(expect.arrayContaining([...REASON_CODES, 'B605', 'TG-EVAL']));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a result for every PR finding (level error) and every rejected PR test (rule = reason)', () => {
    const run = valid(renderSarif(failingReport())).runs[0]!;
    const results = run.results!;
    const rules = run.tool.driver.rules!;
    const finding = results.find((r) => r.ruleId === 'B605')!;
    expect(finding.level).toBe('error');
    expect(finding.message.text).toBe('Starting a process with a shell: os.system (B605)');
    expect(finding.locations![0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'tests/test_calc.py', uriBaseId: 'SRCROOT' },
      region: { startLine: 22 },
    });
    expect(rules[finding.ruleIndex!]!.id).toBe('B605');

    const byRule = (id: string) => results.filter((r) => r.ruleId === id);
    expect(byRule('unsafe')[0]!.locations![0]!.physicalLocation!.region!.startLine).toBe(20);
    expect(byRule('flaky')[0]!.message.text).toContain(
      'tests/test_calc.py::test_random is rejected (flaky): passed 2 of 3 runs',
    );
    expect(byRule('failed')[0]!.locations![0]!.physicalLocation!.region!.startLine).toBe(40);
    expect(byRule('error')[0]!.locations![0]!.physicalLocation!.artifactLocation!.uri).toBe(
      'tests/test_broken.py',
    );
    // Generated tests are not in the repository: nothing points into them.
    expect(JSON.stringify(results)).not.toContain('test_testgate_calc.py');
    expect(results.filter((r) => r.level === 'error')).toHaveLength(results.length);
  });

  it('an allowed finding is a warning, and accepted tests have no result', () => {
    const results = valid(renderSarif(allowedFindingReport())).runs[0]!.results!;
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ ruleId: 'TG-SLEEP', level: 'warning' });
    expect(valid(renderSarif(passingReport())).runs[0]!.results).toEqual([]);
  });

  it('relates a misses-error-path result to the raise line, and records neutral reasons', () => {
    const report = failingReport();
    report.tests[0]!.status = 'rejected';
    report.tests[0]!.reasons = ['misses-error-path'];
    report.tests[0]!.details = [
      {
        reason: 'misses-error-path',
        message: 'no test reaches the error path of divide (raise at calc.py:5)',
        file: 'calc.py',
        line: 5,
      },
    ];
    const result = valid(renderSarif(report)).runs[0]!.results!.find(
      (r) => r.ruleId === 'misses-error-path',
    )!;
    expect(result.relatedLocations![0]!.physicalLocation!.artifactLocation!.uri).toBe('calc.py');
    const neutral = valid(renderSarif(neutralReport())).runs[0]!;
    expect(neutral.invocations![0]!.toolExecutionNotifications![0]!.message.text).toBe(
      'no test added or changed between base and head',
    );
  });
});
