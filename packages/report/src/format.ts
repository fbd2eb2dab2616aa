/** Small formatting helpers shared by the renderers. */
import { describeMutant, escapeControlCharacters, singleLine } from '@testgate/core';
import type {
  GateReport,
  MutantRef,
  ReasonCode,
  StrengthSummary,
  TestResult,
  Verdict,
} from '@testgate/core';

export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

/** `812 ms`, `1.3 s`: what a developer reads at a glance. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** `3/14` changed lines executed, or `-` when the PR changes no source line. */
export function formatChangedLines(test: TestResult): string {
  const { changedLinesCovered, changedLinesTotal } = test.coverage;
  return changedLinesTotal === 0 ? '-' : `${changedLinesCovered}/${changedLinesTotal}`;
}

export function formatUsd(usd: number): string {
  return usd === 0 ? '$0' : usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

export const VERDICT_WORD: Record<Verdict, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  neutral: 'NEUTRAL',
};
export const VERDICT_ICON: Record<Verdict, string> = { pass: '✅', fail: '❌', neutral: '⚪' };

/** What each reason means, for SARIF rule help and report legends. */
export const REASON_HELP: Record<ReasonCode, string> = {
  unsafe:
    'The test makes a blocked call or import (shell, subprocess, eval, network, writes outside its temp dir), found statically or at run time.',
  failed: 'The test failed in every run.',
  error:
    'The test or its file could not be collected or set up (import error, fixture error), or it never ran.',
  skipped: 'The test was skipped or marked xfail: it proves nothing.',
  flaky: 'The outcome of the test differed across reruns.',
  slow: 'The median run of the test took longer than the time budget.',
  timeout: 'The test was killed at the CPU or wall-clock deadline.',
  'resource-limit':
    'The test exceeded a sandbox limit: memory, processes, disk, output or open files.',
  'no-assert': 'The test asserts nothing.',
  'trivial-assert': 'Every assertion of the test is always true.',
  'weak-oracle':
    'The test passes and runs mutants of the changed lines (a `<` made `<=`, a constant changed), but fails at an assert on none of them: its assertions do not check what the change computes.',
  'passes-before':
    'The pull request says it fixes a bug, but none of its tests fails on the code before the change; this test passes there too.',
  'no-coverage-gain': 'The test executes none of the source lines the pull request changes.',
  'misses-error-path': 'A changed function has a changed raise/except that no test reaches.',
  tampering:
    'The test changes how tests are collected, run, measured or reported (conftest hooks, pytest/coverage/bandit config, # nosec, # pragma: no cover, sys.exit, patching builtins or sys.modules).',
};

/** Files Testgate generated: they are not in the pull request, so nothing can point into them. */
export function generatedPaths(report: GateReport): Set<string> {
  const paths = new Set<string>();
  for (const test of report.tests) if (test.origin === 'generated') paths.add(test.file);
  for (const file of report.files) if (file.origin === 'generated') paths.add(file.path);
  for (const suggestion of report.suggestions) paths.add(suggestion.path);
  return paths;
}

const rejectingKeys = new WeakMap<GateReport, Set<string>>();

function findingKey(rule: string, file: string, line: number): string {
  return `${rule}\u0000${file}\u0000${line}`;
}

/** Whether a finding rejected something (it did unless the repo allows its rule or severity). */
export function findingRejects(
  report: GateReport,
  finding: { rule: string; file: string; line: number },
): boolean {
  // Computed once per report: renderers ask for every finding, and reports can be large.
  let keys = rejectingKeys.get(report);
  if (!keys) {
    keys = new Set();
    for (const test of report.tests) {
      for (const d of test.details)
        if (d.rule !== undefined && d.line !== undefined)
          keys.add(findingKey(d.rule, d.file ?? test.file, d.line));
    }
    for (const file of report.files) {
      for (const d of file.details)
        if (d.rule !== undefined && d.line !== undefined)
          keys.add(findingKey(d.rule, d.file ?? file.path, d.line));
    }
    rejectingKeys.set(report, keys);
  }
  return keys.has(findingKey(finding.rule, finding.file, finding.line));
}

// --- Markdown ---------------------------------------------------------------------------

/**
 * Text from the evidence (finding messages, error lines, node ids) is untrusted: it may
 * come from a generated test. Escape what would change the table or the page, and `@`
 * so a message cannot mention (notify) a GitHub user.
 */
export function mdText(text: string): string {
  return (
    escapeControlCharacters(text)
      .replace(/\n/g, ' ')
      .replace(/\\/g, '\\\\')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/([`*_~[\]|])/g, '\\$1')
      // The zero-width space breaks a mention, as Dependabot does in its PR bodies.
      .replace(/@/g, '@&#8203;')
  );
}

/**
 * Inline code; a code span cannot hold its own delimiter, and a table cell cannot hold `|`.
 * A zero-width space after `@` keeps an id such as `test[@octocat]` from reading as a mention
 * wherever the span is copied as text.
 */
export function mdCode(text: string): string {
  const clean = singleLine(text).replace(/`/g, "'").replace(/\|/g, '\\|').replace(/@/g, '@\u200b');
  return `\`${clean}\``;
}

/** A fenced block whose fence is longer than any backtick run inside. */
export function mdFence(content: string, lang = ''): string {
  const longest = Math.max(2, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${content.replace(/\n$/, '')}\n${fence}`;
}

// --- size limits ------------------------------------------------------------------------

type Measure = (text: string) => number;
export const chars: Measure = (text) => text.length;
export const utf8Bytes: Measure = (text) => Buffer.byteLength(text, 'utf8');

/**
 * Joins blocks with newlines, keeping whole blocks only (a table row, a `<details>` with
 * its code), so truncation never leaves a broken table or an open code fence. Stops at the
 * first block that does not fit and appends `note(n)` for the n blocks left out.
 */
export function fitBlocks(
  blocks: string[],
  options: { limit: number; measure?: Measure; note: (omitted: number) => string },
): string {
  const measure = options.measure ?? chars;
  const whole = blocks.join('\n');
  if (measure(whole) <= options.limit) return whole;
  const kept: string[] = [];
  let used = 0;
  for (let i = 0; i < blocks.length; i++) {
    const cost = measure(blocks[i]!) + (kept.length > 0 ? 1 : 0);
    // Keep room for the note that would follow if the next block does not fit.
    const left = blocks.length - i - 1;
    const reserve = left > 0 ? measure(`\n\n${options.note(left)}`) : 0;
    if (used + cost + reserve > options.limit) {
      const text = `${kept.join('\n')}\n\n${options.note(blocks.length - i)}`;
      return truncateTo(text, options.limit, measure);
    }
    kept.push(blocks[i]!);
    used += cost;
  }
  return kept.join('\n');
}

/** Cuts text to `limit` (by `measure`) on a character boundary, adding an ellipsis. */
export function truncateTo(text: string, limit: number, measure: Measure = chars): string {
  if (measure(text) <= limit) return text;
  const ellipsis = '…';
  let low = 0;
  let high = text.length;
  // Binary search for the longest prefix that fits; never split a surrogate pair.
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (measure(text.slice(0, mid) + ellipsis) <= limit) low = mid;
    else high = mid - 1;
  }
  let end = low;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return text.slice(0, Math.max(0, end)) + ellipsis;
}

/**
 * One line on the project's environment: what was installed, from which files, whether
 * the cache had it and how long setup took. Undefined when there is nothing to say.
 */
export function environmentLine(report: GateReport): string | undefined {
  const env = report.environment;
  if (!env) return undefined;
  const from = env.sources.length > 0 ? ` from ${env.sources.join(', ')}` : '';
  switch (env.status) {
    case 'off':
      return 'Dependencies: not installed (environment.install is off)';
    case 'none':
      return env.sources.length > 0 || env.notes.length > 0
        ? `Dependencies: nothing to install${from}`
        : undefined;
    case 'failed':
      return `Dependencies: setup failed (${env.problem?.code ?? 'unknown'}) after ${formatDuration(env.setupMs)}`;
    case 'installed': {
      const shown = env.packages.slice(0, 30).map((p) => `${p.name} ${p.version}`);
      const more =
        env.packages.length > shown.length
          ? `, and ${env.packages.length - shown.length} more`
          : '';
      const built = env.built.length > 0 ? `; built from sdists: ${env.built.join(', ')}` : '';
      return `Dependencies: ${plural(env.packages.length, 'package')} installed${from} (${env.cacheHit ? 'cache hit' : 'installed now'}, setup ${formatDuration(env.setupMs)}): ${shown.join(', ')}${more}${built}`;
    }
  }
}

// --- test strength ----------------------------------------------------------------------

/** `calc/ops.py:12 \`<\` -> \`<=\` survives: no test tells them apart` (plain text; escape it for Markdown). */
export function survivorMessage(mutant: MutantRef): string {
  return `${describeMutant(mutant)} survives: no test tells them apart`;
}

/** A mutant that tests fail on only by an exception or a timeout. */
export function crashedMutantMessage(mutant: MutantRef): string {
  return `${describeMutant(mutant)} only crashes the code: no test checks the value`;
}

/** `Mutation score of the PR's tests: 7/9 mutants killed`, or why there is none. */
export function strengthScoreLine(strength: StrengthSummary): string {
  if (strength.score === null)
    return strength.mutants === 0
      ? 'No mutant of the changed lines was made (nothing to mutate, or the cap is 0).'
      : "No mutant ran against the PR's tests (none of them covers a mutated line).";
  return `Mutation score of the PR's tests: ${strength.prKilled}/${plural(strength.prMutants, 'mutant')} killed at an assert (${Math.round(strength.score * 100)}%).`;
}

/** What limited the mutation step, when something did. */
export function strengthNotes(strength: StrengthSummary): string[] {
  const notes: string[] = [];
  if (strength.notRun > 0)
    notes.push(
      `${plural(strength.notRun, 'mutant')} not run${strength.budgetSpent ? ' (the strength.seconds budget was spent)' : ' (no test covers it, or the budget ran out)'}.`,
    );
  if (strength.capped)
    notes.push(
      'Some mutants were not made: strength.maxMutants or strength.maxMutantsPerLine cut them.',
    );
  return notes;
}

/** `fails-before` next to a test, or '' when its base run was not measured. */
export function labelTag(test: Pick<TestResult, 'label'>): string {
  return test.label ?? '';
}
