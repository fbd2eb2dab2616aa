import { describe, expect, it } from 'vitest';
import { renderJunit } from '../src/index.ts';
import { failingReport, passingReport } from './fixtures.ts';

describe('renderJunit', () => {
  it('a testcase per test; rejected tests fail with their reasons; uncollectable files are errors', () => {
    const xml = renderJunit(failingReport());
    expect(
      xml.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="Testgate" tests="6" failures="4" errors="1"',
      ),
    ).toBe(true);
    expect(xml).toContain(
      '<testcase classname="tests.test_calc" name="test_add" file="tests/test_calc.py" line="10" time="0.020"/>',
    );
    expect(xml).toContain(
      '<failure type="flaky" message="passed 2 of 3 runs: the outcome depends on timing, order or randomness; make it deterministic">',
    );
    expect(xml).toContain('name="(collection)" file="tests/test_broken.py"');
    expect(xml).toContain(
      '<error type="error" message="could not be collected (ModuleNotFoundError: No module named &quot;calcc&quot;)',
    );
    expect(xml).toContain('<testsuite name="generated tests" tests="1" failures="1"');
  });

  it('escapes XML and drops characters XML cannot hold', () => {
    const report = passingReport();
    report.tests[0]!.status = 'rejected';
    report.tests[0]!.reasons = ['failed'];
    report.tests[0]!.details = [{ reason: 'failed', message: 'failed (assert "<a>" & \u0001b)' }];
    const xml = renderJunit(report);
    expect(xml).toContain('message="failed (assert &quot;&lt;a&gt;&quot; &amp; ?b)"');
    expect(xml).toContain('>failed: failed (assert "&lt;a&gt;" &amp; ?b)</failure>');
  });
});
