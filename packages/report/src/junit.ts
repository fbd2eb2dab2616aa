/**
 * JUnit XML, for CI systems that show test results from it (GitLab, Jenkins, Azure). A
 * rejected test is a `<failure>` whose type is its reasons; an `error`-only rejection and a
 * test file that could not be collected are `<error>`s.
 */
import type { FileResult, GateReport, TestResult } from '@testgate/core';

export function renderJunit(report: GateReport): string {
  const pr = report.tests.filter((test) => test.origin === 'pr');
  const generated = report.tests.filter((test) => test.origin === 'generated');
  const prFiles = report.files.filter((file) => file.origin === 'pr' && file.reasons.length > 0);
  const suites = [suite('pull request tests', pr, prFiles)];
  if (generated.length > 0) suites.push(suite('generated tests', generated, []));
  const all = [...pr, ...generated];
  const failures = all.filter((test) => test.status === 'rejected' && !onlyError(test)).length;
  const errors = all.filter(onlyError).length + prFiles.length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="Testgate" tests="${all.length + prFiles.length}" failures="${failures}" errors="${errors}" time="${seconds(report.durationMs)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

function suite(name: string, tests: TestResult[], files: FileResult[]): string {
  const failures = tests.filter((test) => test.status === 'rejected' && !onlyError(test)).length;
  const errors = tests.filter(onlyError).length + files.length;
  const time = tests.reduce((sum, test) => sum + test.durationMs, 0);
  const lines = [
    `  <testsuite name="${attr(name)}" tests="${tests.length + files.length}" failures="${failures}" errors="${errors}" skipped="0" time="${seconds(time)}">`,
  ];
  for (const test of tests) {
    const classname = test.file.replace(/\.py$/, '').replace(/\//g, '.');
    const name = test.nodeid.includes('::')
      ? test.nodeid.slice(test.nodeid.indexOf('::') + 2)
      : test.function;
    const open = `    <testcase classname="${attr(classname)}" name="${attr(name)}" file="${attr(test.file)}" line="${test.line}" time="${seconds(test.durationMs)}"`;
    // The base-run label, as pytest's junitxml records a property (`record_property`).
    const properties =
      test.label === undefined
        ? []
        : [
            `      <properties><property name="testgate.label" value="${attr(test.label)}"/></properties>`,
          ];
    if (test.status === 'accepted') {
      if (properties.length === 0) lines.push(`${open}/>`);
      else lines.push(`${open}>`, ...properties, '    </testcase>');
      continue;
    }
    const tag = onlyError(test) ? 'error' : 'failure';
    const body = test.details.map((detail) => `${detail.reason}: ${detail.message}`).join('\n');
    lines.push(
      `${open}>`,
      ...properties,
      `      <${tag} type="${attr(test.reasons.join(','))}" message="${attr(test.details[0]?.message ?? test.reasons.join(', '))}">${text(body)}</${tag}>`,
      '    </testcase>',
    );
  }
  for (const file of files) {
    const body = file.details.map((detail) => `${detail.reason}: ${detail.message}`).join('\n');
    lines.push(
      `    <testcase classname="${attr(file.path.replace(/\.py$/, '').replace(/\//g, '.'))}" name="(collection)" file="${attr(file.path)}" time="0">`,
      `      <error type="${attr(file.reasons.join(','))}" message="${attr(file.details[0]?.message ?? '')}">${text(body)}</error>`,
      '    </testcase>',
    );
  }
  lines.push('  </testsuite>');
  return lines.join('\n');
}

function onlyError(test: TestResult): boolean {
  return test.status === 'rejected' && test.reasons.every((reason) => reason === 'error');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** XML 1.0 cannot carry most control characters at all, even escaped. */
function clean(value: string): string {
  return value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '?');
}

function text(value: string): string {
  return clean(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attr(value: string): string {
  return text(value).replace(/"/g, '&quot;').replace(/\n/g, '&#10;');
}
