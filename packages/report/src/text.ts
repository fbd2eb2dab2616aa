/** Plain-text report for terminals (`testgate run`): a table, the reasons, findings, verdict. */
import { neutralizeWorkflowCommands } from '@testgate/core';
import type { GateReport, TestResult, Verdict } from '@testgate/core';
import {
  crashedMutantMessage,
  environmentLine,
  findingRejects,
  formatChangedLines,
  generatedPaths,
  formatDuration,
  formatUsd,
  labelTag,
  plural,
  strengthNotes,
  strengthScoreLine,
  survivorMessage,
  truncateTo,
  VERDICT_WORD,
} from './format.ts';

/** Survivors listed in a terminal; the JSON report has every one. */
const TEXT_SURVIVORS_MAX = 50;

interface TextOptions {
  /**
   * ANSI colours; the caller decides (a TTY without NO_COLOR), this package reads no env.
   * @defaultValue false
   */
  color?: boolean;
}

type Paint = (text: string) => string;

function painter(enabled: boolean) {
  const wrap =
    (open: number, close: number): Paint =>
    (text) =>
      enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    dim: wrap(2, 22),
    bold: wrap(1, 22),
  };
}

export function renderText(report: GateReport, options: TextOptions = {}): string {
  const paint = painter(options.color ?? false);
  const verdictPaint: Record<Verdict, Paint> = {
    pass: paint.green,
    fail: paint.red,
    neutral: paint.yellow,
  };
  const out: string[] = [];

  const pr = report.tests.filter((test) => test.origin === 'pr');
  const generatedTests = report.tests.filter((test) => test.origin === 'generated');
  const generated = generatedPaths(report);

  if (pr.length > 0) {
    out.push(paint.bold('Pull request tests'), ...table(pr, paint), '');
  }
  const rejected = pr.filter((test) => test.status === 'rejected');
  if (rejected.length > 0) {
    out.push(paint.bold('Why tests were rejected'));
    for (const test of rejected) {
      out.push(`  ${oneLine(test.nodeid)} (line ${test.line})`);
      for (const detail of test.details)
        out.push(`    ${paint.red(detail.reason)}: ${oneLine(detail.message)}`);
    }
    out.push('');
  }
  const badFiles = report.files.filter((file) => file.reasons.length > 0 && file.origin === 'pr');
  if (badFiles.length > 0) {
    out.push(paint.bold('Test files rejected'));
    for (const file of badFiles) {
      out.push(`  ${oneLine(file.path)}`);
      for (const detail of file.details)
        out.push(`    ${paint.red(detail.reason)}: ${oneLine(detail.message)}`);
    }
    out.push('');
  }

  const strength = report.strength;
  if (strength !== undefined) {
    out.push(paint.bold('Test strength'), `  ${strengthScoreLine(strength)}`);
    const listed = [
      ...strength.survivors.map((mutant) => survivorMessage(mutant)),
      ...strength.crashedOnly.map((mutant) => crashedMutantMessage(mutant)),
    ];
    for (const line of listed.slice(0, TEXT_SURVIVORS_MAX))
      out.push(`  ${paint.yellow(oneLine(line))}`);
    if (listed.length > TEXT_SURVIVORS_MAX)
      out.push(`  and ${listed.length - TEXT_SURVIVORS_MAX} more (the JSON report lists them all)`);
    for (const note of strengthNotes(strength)) out.push(`  ${paint.dim(`note: ${note}`)}`);
    out.push('');
  }

  out.push(
    paint.bold(
      `Security report: ${report.findings.length === 0 ? 'no flagged calls' : plural(report.findings.length, 'flagged call')}`,
    ),
  );
  if (report.findings.length > 0) {
    const rows = report.findings.map((finding) => [
      oneLine(finding.rule),
      oneLine(`${finding.file}:${finding.line}`),
      finding.severity,
      oneLine(finding.message) +
        (generated.has(finding.file) ? ' (generated test, not offered)' : '') +
        (findingRejects(report, finding) ? '' : ' (allowed by config)'),
    ]);
    out.push(
      ...columns([['RULE', 'LOCATION', 'SEVERITY', 'MESSAGE'], ...rows]).map((line) => `  ${line}`),
    );
  }
  if (report.existingFindings.length > 0) {
    out.push(
      `  ${plural(report.existingFindings.length, 'existing finding')} in lines this pull request did not change (informational, they reject nothing):`,
    );
    const rows = report.existingFindings.map((finding) => [
      oneLine(finding.rule),
      oneLine(`${finding.file}:${finding.line}`),
      finding.severity,
      oneLine(finding.message),
    ]);
    out.push(...columns(rows).map((line) => `    ${line}`));
  }
  out.push('');

  const environment = environmentLine(report);
  if (environment !== undefined) {
    out.push(paint.bold('Dependencies'));
    out.push(`  ${oneLine(environment.replace(/^Dependencies: /, ''))}`);
    for (const note of report.environment?.notes.slice(0, 20) ?? [])
      out.push(`  ${paint.dim(`note: ${oneLine(note)}`)}`);
    out.push('');
  }
  if (report.generation || generatedTests.length > 0) {
    out.push(paint.bold('Generated tests'));
    const generation = report.generation;
    if (generation) {
      const who =
        generation.generator === 'model'
          ? `model ${generation.model ?? ''}`.trim()
          : generation.generator;
      out.push(
        `  ${who}: ${generation.accepted} of ${plural(generation.candidates, 'candidate')} accepted, ${plural(generation.rounds, 'round')}, ` +
          `${plural(generation.modelCalls, 'model call')} (${generation.cacheHits} cached), ${generation.promptTokens + generation.completionTokens} tokens, ${formatUsd(generation.costUsd)}`,
      );
      if (generation.fallbackReason)
        out.push(`  model not used: ${oneLine(generation.fallbackReason)}`);
      for (const bug of generation.suspectedBugs)
        out.push(
          `  ${paint.yellow('possible bug')} in ${oneLine(bug.target)}: ${oneLine(bug.message)} (${oneLine(bug.nodeid)})`,
        );
      for (const skip of generation.skipped)
        out.push(
          `  ${paint.dim(`no suggestion for ${oneLine(`${skip.file}::${skip.qualname}`)}: ${oneLine(skip.reason)}`)}`,
        );
      for (const left of generation.notSuggested ?? [])
        out.push(`  ${paint.dim(`${oneLine(left.nodeid)}: ${oneLine(left.reason)}`)}`);
    }
    if (generatedTests.length > 0) out.push(...table(generatedTests, paint));
    out.push('');
  }
  if (report.suggestions.length > 0) {
    out.push(paint.bold('Suggested tests'));
    for (const suggestion of report.suggestions) {
      out.push(
        `  ${oneLine(suggestion.path)}: ${plural(suggestion.tests.length, 'test')} for ${oneLine(suggestion.targets.join(', ')) || 'the changed code'}${suggestion.kills === undefined ? '' : `, killing ${plural(suggestion.kills.length, 'mutant')} the PR's tests miss`}`,
      );
    }
    out.push('');
  }

  out.push(
    `${verdictPaint[report.verdict](paint.bold(`Verdict: ${VERDICT_WORD[report.verdict]}`))} - ${oneLine(report.title)}`,
  );
  if (report.neutralReason !== undefined && !report.title.includes(report.neutralReason)) {
    out.push(`  ${oneLine(report.neutralReason)}`);
  }
  // Printed in CI logs: no line of it may run as a GitHub Actions workflow command.
  return neutralizeWorkflowCommands(`${out.join('\n')}\n`);
}

const TEST_COLUMN_MAX = 120;

function table(tests: TestResult[], paint: ReturnType<typeof painter>): string[] {
  // The base-run label gets a last column of its own, shown once any test has one.
  const labelled = tests.some((test) => labelTag(test) !== '');
  const rows = tests.map((test) => [
    test.status,
    // One absurdly long id must not push every other column off the screen.
    truncateTo(oneLine(test.nodeid), TEST_COLUMN_MAX),
    test.reasons.join(', ') || '-',
    formatDuration(test.durationMs),
    formatChangedLines(test),
    ...(labelled ? [labelTag(test) || '-'] : []),
  ]);
  const head = [
    'STATUS',
    'TEST',
    'REASONS',
    'TIME',
    'CHANGED LINES',
    ...(labelled ? ['BEFORE'] : []),
  ];
  const lines = columns([head, ...rows], { right: [3, 4] });
  // Colour after padding, so escape codes do not upset the column widths.
  return lines.map((line, index) => {
    if (index === 0) return `  ${paint.dim(line)}`;
    const test = tests[index - 1]!;
    const status = test.status === 'accepted' ? paint.green(test.status) : paint.red(test.status);
    return `  ${status}${line.slice(test.status.length)}`;
  });
}

/** Left-aligned columns two spaces apart; the last column is not padded. */
function columns(rows: string[][], options: { right?: number[] } = {}): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => {
        if (i === row.length - 1 && !options.right?.includes(i)) return cell;
        return options.right?.includes(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!);
      })
      .join('  '),
  );
}

/**
 * One line of untrusted text (messages, node ids from generated tests): newlines folded and
 * control characters replaced, so nothing can move the cursor or recolour the terminal.
 */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
