/**
 * The check run's output: conclusion, title, summary, text and annotations. GitHub caps
 * `summary` and `text` at 65,535 bytes each and takes at most 50 annotations per request
 * (the caller batches); an annotation's title is capped at 255 characters and its message
 * and raw details at 64 KB.
 */
import type { GateReport, Verdict } from '@testgate/core';
import {
  findingRejects,
  fitBlocks,
  formatDuration,
  generatedPaths,
  mdText,
  plural,
  truncateTo,
  utf8Bytes,
} from './format.ts';
import {
  fileBlocks,
  generationBlocks,
  rejectionBlocks,
  securityBlocks,
  suggestionBlocks,
  testTableBlocks,
  toolsLine,
} from './markdown.ts';

export type CheckConclusion = 'success' | 'failure' | 'neutral';

export interface CheckRunAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'failure' | 'warning' | 'notice';
  title: string;
  message: string;
  raw_details?: string;
}

export interface CheckRunOutput {
  conclusion: CheckConclusion;
  title: string;
  summary: string;
  text?: string;
  annotations: CheckRunAnnotation[];
}

export interface CheckRunOptions {
  /** @defaultValue 65535 (GitHub's limit on `output.summary` and `output.text`, in bytes) */
  maxSummaryBytes?: number;
}

const GITHUB_OUTPUT_LIMIT = 65_535;
const TITLE_LIMIT = 255;
const MESSAGE_LIMIT = 64 * 1024 - 1;

const CONCLUSION: Record<Verdict, CheckConclusion> = {
  pass: 'success',
  fail: 'failure',
  neutral: 'neutral',
};

export function renderCheckRun(report: GateReport, options: CheckRunOptions = {}): CheckRunOutput {
  const limit = options.maxSummaryBytes ?? GITHUB_OUTPUT_LIMIT;
  const pr = report.tests.filter((test) => test.origin === 'pr');
  const note = (what: string) => (omitted: number) =>
    `_... truncated: ${plural(omitted, 'more entry', 'more entries')} of the ${what} not shown; the JSON report has everything._`;

  const summaryBlocks = [
    mdText(report.title),
    ...(report.neutralReason !== undefined && !report.title.includes(report.neutralReason)
      ? ['', `> ${mdText(report.neutralReason)}`]
      : []),
    ...section('### Pull request tests', testTableBlocks(pr)),
    ...section(
      '### Test files rejected',
      fileBlocks(report.files.filter((file) => file.origin === 'pr')),
    ),
    ...section('### Security report', securityBlocks(report, { generated: 'omit' })),
  ];
  const summary = fitBlocks(summaryBlocks, { limit, measure: utf8Bytes, note: note('summary') });

  const textBlocks = [
    ...section('### Why tests were rejected', rejectionBlocks(pr)),
    ...section('### Generated tests', generationBlocks(report)),
    ...section('### Suggested tests', suggestionBlocks(report, { code: true })),
  ];
  const text =
    textBlocks.length === 0
      ? undefined
      : fitBlocks([...textBlocks, '', toolsLine(report)], {
          limit,
          measure: utf8Bytes,
          note: note('details'),
        }).trim();

  return {
    conclusion: CONCLUSION[report.verdict],
    title: truncateTo(report.title, TITLE_LIMIT),
    summary,
    ...(text === undefined ? {} : { text }),
    annotations: annotations(report),
  };
}

/**
 * One annotation per finding and per rejected test or file of the pull request. Generated
 * files are not in the PR's tree: an annotation there would make GitHub reject the batch.
 */
export function annotations(report: GateReport): CheckRunAnnotation[] {
  const generated = generatedPaths(report);
  const out: CheckRunAnnotation[] = [];
  for (const finding of report.findings) {
    if (generated.has(finding.file)) continue;
    const rejects = findingRejects(report, finding);
    const line = Math.max(1, finding.line);
    out.push({
      path: finding.file,
      start_line: line,
      end_line: line,
      annotation_level: rejects ? 'failure' : 'warning',
      title: truncateTo(
        `${finding.reason}: ${finding.rule}${rejects ? '' : ' (allowed)'}`,
        TITLE_LIMIT,
      ),
      message: truncateTo(finding.message, MESSAGE_LIMIT),
      raw_details: `rule ${finding.rule} (${finding.source}, severity ${finding.severity})`,
    });
  }
  for (const test of report.tests) {
    if (test.origin !== 'pr' || test.status !== 'rejected' || generated.has(test.file)) continue;
    const line = Math.max(1, test.line);
    out.push({
      path: test.file,
      start_line: line,
      end_line: line,
      annotation_level: 'failure',
      title: truncateTo(`${test.function} rejected: ${test.reasons.join(', ')}`, TITLE_LIMIT),
      message: truncateTo(
        test.details.map((detail) => `${detail.reason}: ${detail.message}`).join('\n'),
        MESSAGE_LIMIT,
      ),
      raw_details: truncateTo(
        [
          `runs: ${test.runs.join(', ') || 'none'}`,
          `median time: ${formatDuration(test.durationMs)}`,
          `changed lines covered: ${test.coverage.changedLinesCovered} of ${test.coverage.changedLinesTotal}`,
        ].join('\n'),
        MESSAGE_LIMIT,
      ),
    });
  }
  for (const file of report.files) {
    if (file.origin !== 'pr' || generated.has(file.path)) continue;
    // Findings were annotated at their own lines above.
    const details = file.details.filter(
      (detail) => detail.reason !== 'unsafe' && detail.reason !== 'tampering',
    );
    if (details.length === 0) continue;
    out.push({
      path: file.path,
      start_line: 1,
      end_line: 1,
      annotation_level: 'failure',
      title: truncateTo(
        `test file rejected: ${[...new Set(details.map((d) => d.reason))].join(', ')}`,
        TITLE_LIMIT,
      ),
      message: truncateTo(
        details.map((detail) => `${detail.reason}: ${detail.message}`).join('\n'),
        MESSAGE_LIMIT,
      ),
      ...(file.error === undefined ? {} : { raw_details: truncateTo(file.error, MESSAGE_LIMIT) }),
    });
  }
  return out;
}

function section(title: string, blocks: string[]): string[] {
  return blocks.length === 0 ? [] : ['', title, '', ...blocks];
}
