/**
 * Markdown: the full report (`renderMarkdown`), and the sections the check run and the PR
 * comment are made of. Sections are lists of blocks so a size-limited output can drop
 * whole rows (see fitBlocks) instead of cutting a table in half.
 */
import { neutralizeWorkflowCommands } from '@testgate/core';
import type {
  FileResult,
  GateReport,
  GenerationSummary,
  MutantRef,
  TestResult,
} from '@testgate/core';
import {
  environmentLine,
  findingRejects,
  generatedPaths,
  formatChangedLines,
  formatDuration,
  formatUsd,
  mdCode,
  mdFence,
  mdText,
  labelTag,
  plural,
  strengthNotes,
  strengthScoreLine,
  VERDICT_ICON,
  VERDICT_WORD,
} from './format.ts';

export function verdictBlocks(report: GateReport, heading = '##'): string[] {
  const blocks = [
    `${heading} ${VERDICT_ICON[report.verdict]} Testgate: ${VERDICT_WORD[report.verdict]}`,
    '',
    mdText(report.title),
  ];
  if (report.neutralReason !== undefined && report.neutralReason !== report.title) {
    blocks.push('', `> ${mdText(capitalize(report.neutralReason))}`);
  }
  return blocks;
}

function statusCell(test: TestResult): string {
  return test.status === 'accepted' ? '✅ accepted' : '❌ rejected';
}

/** `calc/ops.py:12` `<` -> `<=`, each part a code span. */
function mdMutant(mutant: MutantRef): string {
  return `${mdCode(`${mutant.file}:${mutant.line}`)} ${mdCode(mutant.original)} -&gt; ${mdCode(mutant.replacement)}`;
}

/**
 * "Test strength": the PR's tests' mutation score, then the mutants no test tells apart
 * from the code (findings for the reviewer), at most `max` of them with "and N more".
 */
export function strengthBlocks(report: GateReport, options: { max?: number } = {}): string[] {
  const strength = report.strength;
  if (strength === undefined) return [];
  const max = options.max ?? 200;
  const listed = [
    ...strength.survivors.map((mutant) => `${mdMutant(mutant)} survives: no test tells them apart`),
    ...strength.crashedOnly.map(
      (mutant) => `${mdMutant(mutant)} only crashes the code: no test checks the value`,
    ),
  ];
  const blocks = [mdText(strengthScoreLine(strength))];
  if (listed.length > 0) {
    blocks.push('', ...listed.slice(0, max).map((line) => `- ${line}`));
    if (listed.length > max) blocks.push(`- and ${listed.length - max} more`);
  }
  const notes = strengthNotes(strength);
  if (notes.length > 0) blocks.push('', `<sub>${mdText(notes.join(' '))}</sub>`);
  return blocks;
}

/** | Status | Test | Reasons | Time | Changed lines | */
export function testTableBlocks(
  tests: TestResult[],
  options: { compact?: boolean } = {},
): string[] {
  if (tests.length === 0) return [];
  // The base-run label gets a last column of its own, shown once any test has one.
  const labelled = tests.some((test) => labelTag(test) !== '');
  const labelHead = labelled ? ' Before the change |' : '';
  const labelRule = labelled ? ' --- |' : '';
  const label = (test: TestResult) => (labelled ? ` ${labelTag(test) || '-'} |` : '');
  if (options.compact) {
    return [
      `| Status | Test | Reasons |${labelHead}\n| --- | --- | --- |${labelRule}`,
      ...tests.map(
        (test) =>
          `| ${statusCell(test)} | ${mdCode(test.nodeid)} | ${test.reasons.join(', ') || '-'} |${label(test)}`,
      ),
    ];
  }
  return [
    `| Status | Test | Reasons | Time | Changed lines covered |${labelHead}\n| --- | --- | --- | ---: | ---: |${labelRule}`,
    ...tests.map(
      (test) =>
        `| ${statusCell(test)} | ${mdCode(test.nodeid)} | ${test.reasons.join(', ') || '-'} | ${formatDuration(test.durationMs)} | ${formatChangedLines(test)} |${label(test)}`,
    ),
  ];
}

/** One bullet per rejected test with one sub-bullet per reason: what to do about it. */
export function rejectionBlocks(tests: TestResult[]): string[] {
  return tests
    .filter((test) => test.status === 'rejected')
    .map((test) => {
      const lines = [`- ${mdCode(test.nodeid)} (line ${test.line})`];
      for (const detail of test.details)
        lines.push(`  - **${detail.reason}**: ${mdText(detail.message)}`);
      return lines.join('\n');
    });
}

export function fileBlocks(files: FileResult[]): string[] {
  return files
    .filter((file) => file.reasons.length > 0)
    .map((file) => {
      const lines = [`- ${mdCode(file.path)}`];
      for (const detail of file.details)
        lines.push(`  - **${detail.reason}**: ${mdText(detail.message)}`);
      return lines.join('\n');
    });
}

/**
 * The security report: every flagged call with its rule, file and line. Findings in
 * generated tests concern Testgate's own candidates (rejected, never offered), so the PR's
 * comment and check run leave them out; the full report marks them.
 */
export function securityBlocks(
  report: GateReport,
  options: { generated?: 'omit' | 'mark' } = {},
): string[] {
  const generated = generatedPaths(report);
  const findings =
    options.generated === 'omit'
      ? report.findings.filter((f) => !generated.has(f.file))
      : report.findings;
  if (findings.length === 0) return ['No flagged calls.'];
  return [
    '| Rule | Location | Severity | Message |\n| --- | --- | --- | --- |',
    ...findings.map((finding) => {
      const notes = [
        ...(generated.has(finding.file) ? ['in a generated test, not offered'] : []),
        ...(findingRejects(report, finding) ? [] : ['allowed by .github/testgate.yml']),
      ];
      const suffix = notes.length === 0 ? '' : ` (${notes.join('; ')})`;
      return `| ${mdCode(finding.rule)} | ${mdCode(`${finding.file}:${finding.line}`)} | ${finding.severity} | ${mdText(finding.message)}${suffix} |`;
    }),
  ];
}

/**
 * Findings the base tree already had: listed, collapsed, so a team sees them without the
 * pull request being blamed for them (`security.scope: changed`).
 */
export function existingFindingBlocks(report: GateReport): string[] {
  const findings = report.existingFindings;
  if (findings.length === 0) return [];
  return [
    `<details><summary>${plural(findings.length, 'existing finding')} in lines this pull request did not change (informational: they reject nothing)</summary>`,
    '',
    '| Rule | Location | Severity | Message |\n| --- | --- | --- | --- |',
    ...findings.map(
      (finding) =>
        `| ${mdCode(finding.rule)} | ${mdCode(`${finding.file}:${finding.line}`)} | ${finding.severity} | ${mdText(finding.message)} |`,
    ),
    '',
    '</details>',
  ];
}

/** Who wrote the suggestions, as a phrase: "the model `gpt-4o-mini`", "the built-in generator". */
export function generatorName(generation: GenerationSummary): string {
  if (generation.generator === 'model') return `the model ${mdCode(generation.model ?? 'unknown')}`;
  return generation.generator === 'builtin'
    ? 'the built-in generator'
    : 'nobody (generation is off)';
}

export function generationBlocks(report: GateReport): string[] {
  const generation = report.generation;
  if (!generation) return [];
  const who = generatorName(generation);
  const blocks = [
    `Written by ${who}: ${generation.accepted} of ${plural(generation.candidates, 'candidate test')} accepted` +
      ` in ${plural(generation.rounds, 'round')}` +
      (generation.modelCalls > 0 || generation.cacheHits > 0
        ? `, ${plural(generation.modelCalls, 'model call')}, ${plural(generation.cacheHits, 'cache hit')}, ${generation.promptTokens + generation.completionTokens} tokens, ${formatUsd(generation.costUsd)}`
        : '') +
      '.',
  ];
  if (generation.fallbackReason)
    blocks.push('', `> The model was not used: ${mdText(generation.fallbackReason)}`);
  if (generation.suspectedBugs.length > 0) {
    blocks.push(
      '',
      '**Possible bugs** (a generated test that looks right fails against the code):',
    );
    for (const bug of generation.suspectedBugs) {
      blocks.push(`- ${mdCode(bug.target)}: ${mdText(bug.message)} (${mdCode(bug.nodeid)})`);
    }
  }
  if (generation.skipped.length > 0) {
    blocks.push('', '**Functions without suggestions**:');
    for (const skip of generation.skipped)
      blocks.push(`- ${mdCode(`${skip.file}::${skip.qualname}`)}: ${mdText(skip.reason)}`);
  }
  blocks.push(...notSuggestedBlocks(generation));
  return blocks;
}

/** Accepted generated tests the strength choice left out, and why. */
function notSuggestedBlocks(generation: GenerationSummary, max = 50): string[] {
  const left = generation.notSuggested ?? [];
  if (left.length === 0) return [];
  return [
    '',
    `**Accepted but not suggested** (${plural(left.length, 'test')}):`,
    ...left.slice(0, max).map((item) => `- ${mdCode(item.nodeid)}: ${mdText(item.reason)}`),
    ...(left.length > max ? [`- and ${left.length - max} more`] : []),
  ];
}

/** One collapsible block per suggested file, with its code when `code` is set. */
function suggestionBlocks(report: GateReport, options: { code: boolean }): string[] {
  return report.suggestions.map((suggestion) => {
    const covered = Object.values(suggestion.covers).reduce((sum, lines) => sum + lines.length, 0);
    const kills =
      suggestion.kills === undefined
        ? ''
        : `, killing ${plural(suggestion.kills.length, 'mutant')} the PR's tests miss`;
    const summary = `${mdCode(suggestion.path)}: ${plural(suggestion.tests.length, 'test')} for ${suggestion.targets.map((t) => mdCode(t)).join(', ') || 'the changed code'}, covering ${plural(covered, 'changed line')}${kills} (${mdText(suggestion.generator)})`;
    if (!options.code) return `- ${summary}`;
    return `<details><summary>${summary}</summary>\n\n${mdFence(suggestion.content, 'python')}\n\n</details>`;
  });
}

/** The project's environment as Markdown: the line, then its notes. */
export function environmentBlocks(report: GateReport): string[] {
  const line = environmentLine(report);
  if (line === undefined) return [];
  const notes = (report.environment?.notes ?? []).slice(0, 20).map((note) => `- ${mdText(note)}`);
  return [mdText(line), ...(notes.length > 0 ? ['', ...notes] : [])];
}

export function toolsLine(report: GateReport): string {
  const names: Record<string, string> = {
    python: 'Python',
    pytest: 'pytest',
    coverage: 'coverage',
    bandit: 'Bandit',
  };
  const parts = Object.entries(report.tools)
    .filter(([name, version]) => names[name] !== undefined && version !== '')
    .map(([name, version]) => `${names[name]} ${version}`);
  parts.push(`${formatDuration(report.durationMs)} in all`);
  const line = `<sub>${mdText(parts.join(' · '))}</sub>`;
  return report.tools.banditError
    ? `${line}\n\n> Bandit could not run (${mdText(report.tools.banditError)}); the AST rules and audit hooks still applied.`
    : line;
}

function section(title: string, blocks: string[]): string[] {
  return blocks.length === 0 ? [] : ['', title, '', ...blocks];
}

/** The whole report as Markdown, for artifacts and `testgate run --format markdown`. */
export function renderMarkdown(report: GateReport): string {
  const pr = report.tests.filter((test) => test.origin === 'pr');
  const generated = report.tests.filter((test) => test.origin === 'generated');
  const blocks = [
    ...verdictBlocks(report, '#'),
    ...section('## Pull request tests', testTableBlocks(pr)),
    ...section('### Why tests were rejected', rejectionBlocks(pr)),
    ...section('## Test files rejected', fileBlocks(report.files.filter((f) => f.origin === 'pr'))),
    ...section('## Test strength', strengthBlocks(report)),
    ...section('## Security report', securityBlocks(report)),
    ...section('### Existing findings', existingFindingBlocks(report)),
    ...section('## Dependencies', environmentBlocks(report)),
    ...section('## Generated tests', [
      ...generationBlocks(report),
      ...(report.generation ? [''] : []),
      ...testTableBlocks(generated),
    ]),
    ...section('## Suggested tests', suggestionBlocks(report, { code: true })),
    '',
    toolsLine(report),
  ];
  // The Markdown may be printed in a CI log (testgate run --format markdown).
  return neutralizeWorkflowCommands(`${blocks.join('\n').trim()}\n`);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
