/**
 * The sticky PR comment: found again by its hidden marker and edited in place, so a pull
 * request has one Testgate comment however often it is pushed to.
 *
 * Its "Suggested tests" section offers the accepted generated tests, grouped by the
 * function they target, each file in a collapsible code block with the changed lines its
 * tests cover; tests that kept failing on documented behaviour appear under "Suspected
 * bugs". The comment stays under GitHub's limit by leaving out whole suggestions (it says
 * how many); the check run's text carries the ones left out (see `renderCheckRun`).
 */
import type { GateReport, Suggestion, TestResult } from '@testgate/core';
import { chars, fitBlocks, formatUsd, mdCode, mdFence, mdText, plural } from './format.ts';
import {
  environmentBlocks,
  fileBlocks,
  rejectionBlocks,
  generatorName,
  securityBlocks,
  existingFindingBlocks,
  strengthBlocks,
  testTableBlocks,
  toolsLine,
  verdictBlocks,
} from './markdown.ts';

/** Mutants the comment names; the check run and the JSON report have the rest. */
const COMMENT_SURVIVORS_MAX = 10;

export const COMMENT_MARKER = '<!-- testgate:report -->';
/** GitHub rejects an issue comment body over 65,536 characters. */
export const COMMENT_LIMIT = 65_536;

/**
 * How the reader can take the suggestions:
 * - `button`: the check run has an "Add tests" button;
 * - `patch`: the PR comes from a fork the app cannot push to: a `git apply` patch;
 * - `copy`: "Add tests" is switched off in the repo config: copy the code.
 */
export type SuggestionDelivery = 'button' | 'patch' | 'copy';

interface CommentOptions {
  /** Hidden first line the comment is found by. @defaultValue '<!-- testgate:report -->' */
  marker?: string;
  /** @defaultValue 65536 (GitHub's limit, in characters) */
  maxChars?: number;
  /** @defaultValue 'copy' */
  delivery?: SuggestionDelivery;
  /**
   * Set when the head commit was written by Testgate's "Add tests": nothing was generated
   * for it, and the comment says why instead of showing an empty section.
   */
  appCommit?: { sha: string };
}

interface CommentLayout {
  body: string;
  /** Suggestions (files) shown in the comment, in `report.suggestions` order from the first. */
  suggestionsShown: number;
  suggestionsOmitted: number;
}

export function renderComment(report: GateReport, options: CommentOptions = {}): string {
  return layoutComment(report, options).body;
}

/** Room kept for the "N left out" note and the joins around it. */
const NOTE_RESERVE = 400;

/** The comment and how many suggestions fit in it (the check run carries the rest). */
export function layoutComment(report: GateReport, options: CommentOptions = {}): CommentLayout {
  const marker = options.marker ?? COMMENT_MARKER;
  const limit = options.maxChars ?? COMMENT_LIMIT;
  const delivery = options.delivery ?? 'copy';
  const pr = report.tests.filter((test) => test.origin === 'pr');
  const headBlocks = [
    ...verdictBlocks(report, '##'),
    ...section('### Security report', securityBlocks(report, { generated: 'omit' })),
    ...section('#### Existing findings', existingFindingBlocks(report)),
    ...section('### Verdict per test', testTableBlocks(pr, { compact: true })),
    ...section(
      '### Test files rejected',
      fileBlocks(report.files.filter((file) => file.origin === 'pr')),
    ),
    ...section('### Why tests were rejected', rejectionBlocks(pr)),
    ...section('### Test strength', strengthBlocks(report, { max: COMMENT_SURVIVORS_MAX })),
    ...section('### Dependencies', environmentBlocks(report)),
  ];
  const suggestionIntro = suggestionIntroBlocks(report, { delivery, appCommit: options.appCommit });
  // A commit written by "Add tests" offers nothing again (no loop), whatever the report holds.
  const items = options.appCommit === undefined ? suggestionItemBlocks(report) : [];
  const tail = ['', toolsLine(report)];
  const truncatedNote = (omitted: number) =>
    `_... truncated: ${plural(omitted, 'more entry', 'more entries')} not shown; the check run and the JSON report have everything._`;

  // Budget, most important first: verdict and security report, then the suggestion
  // section's frame (intro, suspected bugs), then as many whole suggestions as fit.
  const fixedCost = chars([marker, ...suggestionIntro, ...tail].join('\n')) + NOTE_RESERVE;
  const bugs = section('### Suspected bugs', suspectedBugBlocks(report));
  // What the suggestions and bugs would like, capped so the verdict keeps most of the room.
  const suggestionsWant =
    items.reduce((sum, item) => sum + chars(item) + 1, 0) * (delivery === 'patch' ? 2 : 1);
  const bugsWant = chars(bugs.join('\n'));
  const head = fitBlocks(headBlocks, {
    limit: Math.max(
      1000,
      limit -
        fixedCost -
        Math.min(suggestionsWant, Math.floor(limit * 0.3)) -
        Math.min(bugsWant, Math.floor(limit * 0.1)),
    ),
    note: truncatedNote,
  });
  const bugsText = fitBlocks(bugs, {
    limit: Math.max(
      500,
      Math.min(
        bugsWant,
        limit - fixedCost - chars(head) - Math.min(suggestionsWant, Math.floor(limit * 0.3)),
      ),
    ),
    note: (omitted) =>
      `_... ${plural(omitted, 'more suspected bug')} not shown; the check run lists them._`,
  });

  const frame = (shown: string[], note: string[]) =>
    [
      marker,
      head,
      ...suggestionIntro,
      ...shown,
      ...note,
      ...(bugs.length > 0 ? [bugsText] : []),
      ...tail,
    ].join('\n');
  let budget = limit - chars(frame([], [])) - NOTE_RESERVE;
  const shown: string[] = [];
  let shownCount = 0;
  // For forks the patch repeats every shown file; its frame is paid once.
  const patchFrame = delivery === 'patch' ? PATCH_FRAME_COST : 0;
  if (delivery === 'patch' && items.length > 0) budget -= patchFrame;
  for (const [index, item] of items.entries()) {
    const suggestion = report.suggestions[index]!;
    const cost =
      chars(item) + 1 + (delivery === 'patch' ? chars(newFilePatch([suggestion])) + 1 : 0);
    if (cost > budget) break;
    shown.push(item);
    budget -= cost;
    shownCount += 1;
  }
  const omitted = items.length - shownCount;
  const extra: string[] = [];
  if (delivery === 'patch' && shownCount > 0) {
    extra.push('', patchBlock(report.suggestions.slice(0, shownCount)));
  }
  if (omitted > 0) {
    const tests = report.suggestions
      .slice(shownCount)
      .reduce((sum, suggestion) => sum + suggestion.tests.length, 0);
    extra.push(
      '',
      `_${plural(omitted, 'more suggested test file')} (${plural(tests, 'test')}) left out: GitHub caps a comment at ${COMMENT_LIMIT.toLocaleString('en-US')} characters. The Testgate check run's details list them${delivery === 'button' ? ', and "Add tests" commits them all' : ''}._`,
    );
  }
  const body = frame(shown, extra);
  // Belt and braces: a pathological report (a huge title, thousands of findings) still
  // must not be rejected by GitHub.
  return {
    body: chars(body) <= limit ? body : fitBlocks(body.split('\n'), { limit, note: truncatedNote }),
    suggestionsShown: shownCount,
    suggestionsOmitted: omitted,
  };
}

const PATCH_FRAME_COST = 600;

function suggestionIntroBlocks(
  report: GateReport,
  options: { delivery: SuggestionDelivery; appCommit: { sha: string } | undefined },
): string[] {
  if (options.appCommit !== undefined) {
    return [
      '',
      '### Suggested tests',
      '',
      `No new tests were generated: the head commit ${mdCode(options.appCommit.sha.slice(0, 7))} was written by Testgate's "Add tests". The tests it added are judged above like any other test of this pull request.`,
    ];
  }
  const generation = report.generation;
  if (generation === undefined && report.suggestions.length === 0) return [];
  const blocks = ['', '### Suggested tests', ''];
  if (generation !== undefined) {
    const who = generatorName(generation);
    blocks.push(
      `Written by ${who}: ${generation.accepted} of ${plural(generation.candidates, 'candidate test')} passed the same gate as the pull request's tests` +
        (generation.modelCalls > 0 || generation.cacheHits > 0
          ? ` (${plural(generation.modelCalls, 'model call')}, ${plural(generation.cacheHits, 'cache hit')}, ${generation.promptTokens + generation.completionTokens} tokens, ${formatUsd(generation.costUsd)})`
          : '') +
        '.',
    );
    if (generation.fallbackReason)
      blocks.push('', `> The model was not used: ${mdText(generation.fallbackReason)}`);
  }
  if (report.suggestions.length === 0) {
    // Accepted tests left out for strength say why below; "not good enough" would be wrong.
    if (
      generation !== undefined &&
      generation.generator !== 'off' &&
      (generation.notSuggested ?? []).length === 0
    )
      blocks.push('', 'No generated test was good enough to suggest.');
  } else {
    blocks.push('', deliveryLine(options.delivery, report.suggestions));
  }
  const left = generation?.notSuggested ?? [];
  if (left.length > 0) {
    const reasons = [...new Set(left.map((item) => item.reason.replace(/^not suggested: /, '')))];
    blocks.push(
      '',
      `${plural(left.length, 'accepted generated test')} not suggested: ${reasons.map((reason) => mdText(reason)).join('; ')} (${left
        .slice(0, 5)
        .map((item) => mdCode(item.nodeid.slice(item.nodeid.indexOf('::') + 2)))
        .join(', ')}${left.length > 5 ? ', ...' : ''}).`,
    );
  }
  if (generation !== undefined && generation.skipped.length > 0) {
    const shown = generation.skipped.slice(0, 20);
    blocks.push(
      '',
      `Functions without suggestions: ${shown.map((skip) => `${mdCode(`${skip.file}::${skip.qualname}`)} (${mdText(skip.reason)})`).join(', ')}${generation.skipped.length > shown.length ? `, and ${generation.skipped.length - shown.length} more` : ''}.`,
    );
  }
  return blocks;
}

function deliveryLine(delivery: SuggestionDelivery, suggestions: Suggestion[]): string {
  const tests = suggestions.reduce((sum, suggestion) => sum + suggestion.tests.length, 0);
  const what = `${plural(tests, 'accepted test')} in ${plural(suggestions.length, 'new file')}`;
  if (delivery === 'button')
    return `**${what}.** Press **Add tests** on the Testgate check run to commit them to this branch (one commit, judged again like any other test), or copy them below.`;
  if (delivery === 'patch')
    return `**${what}.** This pull request comes from a fork, which Testgate cannot push to. To take them, save the patch at the end of this section as \`testgate.patch\` and run \`git apply testgate.patch\` in your branch, then commit.`;
  return `**${what}.** Copy them below. (With \`addTests.enabled: true\` in \`.github/testgate.yml\` and write access to contents, an **Add tests** button commits them.)`;
}

/**
 * One block per suggested file, in `report.suggestions` order: a heading when the target
 * functions change, then a `<details>` with per-test covered lines and the code.
 */
export function suggestionItemBlocks(report: GateReport): string[] {
  const byNodeid = new Map(report.tests.map((test) => [test.nodeid, test]));
  const prCovered = coveredByPrTests(report.tests);
  let lastTargets: string | undefined;
  return report.suggestions.map((suggestion) => {
    const targets = suggestion.targets.join(', ');
    const heading =
      targets === lastTargets
        ? ''
        : `#### ${suggestion.targets.map((t) => mdCode(t)).join(', ') || 'The changed code'}\n\n`;
    lastTargets = targets;
    const covered = countLines(suggestion.covers);
    const gained = countLines(subtractLines(suggestion.covers, prCovered));
    const total = changedTotal(report);
    const generator = suggestionAuthor(suggestion.generator);
    const kills =
      suggestion.kills === undefined
        ? ''
        : `, kills ${plural(suggestion.kills.length, 'mutant')} the PR's tests miss`;
    const summary =
      `${mdCode(suggestion.path)}: ${plural(suggestion.tests.length, 'test')}, ` +
      `${plural(covered, 'changed line')} covered${total > 0 ? ` of ${total}` : ''}` +
      ` (+${gained} not covered by the PR's tests)${kills} · ${mdText(generator)}`;
    const rows = suggestion.tests.map((nodeid) => {
      const test = byNodeid.get(nodeid);
      const name = nodeid.includes('::') ? nodeid.slice(nodeid.indexOf('::') + 2) : nodeid;
      return `| ${mdCode(name)} | ${test === undefined ? '-' : formatLineRanges(test.coverage.changedLines)} |`;
    });
    const table = ['| Test | Changed lines it covers |', '| --- | --- |', ...rows].join('\n');
    return `${heading}<details><summary>${summary}</summary>\n\n${table}\n\n${mdFence(suggestion.content, 'python')}\n\n</details>`;
  });
}

/** Tests that kept failing on documented behaviour: maybe the code, not the test, is wrong. */
function suspectedBugBlocks(report: GateReport): string[] {
  const bugs = report.generation?.suspectedBugs ?? [];
  return bugs.map(
    (bug) =>
      `<details><summary>${mdCode(bug.target)}: ${mdCode(bug.nodeid)} kept failing</summary>\n\n${mdFence(bug.message)}\n\n</details>`,
  );
}

function suggestionAuthor(generator: string): string {
  return generator === 'builtin' ? 'built-in generator' : `model ${generator}`;
}

function coveredByPrTests(tests: TestResult[]): Record<string, Set<number>> {
  const out: Record<string, Set<number>> = {};
  for (const test of tests) {
    if (test.origin !== 'pr' || test.status !== 'accepted') continue;
    for (const [file, lines] of Object.entries(test.coverage.changedLines)) {
      const set = (out[file] ??= new Set());
      for (const line of lines) set.add(line);
    }
  }
  return out;
}

function subtractLines(
  lines: Record<string, number[]>,
  minus: Record<string, Set<number>>,
): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [file, numbers] of Object.entries(lines)) {
    const drop = minus[file];
    out[file] = drop === undefined ? numbers : numbers.filter((n) => !drop.has(n));
  }
  return out;
}

function countLines(lines: Record<string, number[]>): number {
  return Object.values(lines).reduce((sum, numbers) => sum + new Set(numbers).size, 0);
}

function changedTotal(report: GateReport): number {
  return countLines(report.changedLines);
}

/** `calc/parse.py` 3-8, 10 · `calc/ops.py` 11 */
export function formatLineRanges(lines: Record<string, number[]>): string {
  const parts = Object.entries(lines)
    .filter(([, numbers]) => numbers.length > 0)
    .map(([file, numbers]) => {
      const sorted = [...new Set(numbers)].sort((a, b) => a - b);
      const ranges: string[] = [];
      let start = sorted[0]!;
      let prev = start;
      for (const n of [...sorted.slice(1), Number.NaN]) {
        if (n === prev + 1) {
          prev = n;
          continue;
        }
        ranges.push(start === prev ? String(start) : `${start}-${prev}`);
        start = n;
        prev = n;
      }
      return `${mdCode(file)} ${ranges.join(', ')}`;
    });
  return parts.length === 0 ? '-' : parts.join(' · ');
}

// --- fork patch ---------------------------------------------------------------------------

/**
 * A unified diff that creates `files` (new files, mode 100644), as `git diff` writes it,
 * for `git apply`. A file without a final newline ends with git's
 * `\ No newline at end of file` marker so it is recreated byte for byte.
 */
export function newFilePatch(files: { path: string; content: string }[]): string {
  return files
    .map((file) => {
      const header = [
        `diff --git a/${file.path} b/${file.path}`,
        'new file mode 100644',
        '--- /dev/null',
        `+++ b/${file.path}`,
      ];
      if (file.content === '') return `${header.slice(0, 2).join('\n')}\n`;
      const endsWithNewline = file.content.endsWith('\n');
      const lines = (endsWithNewline ? file.content.slice(0, -1) : file.content).split('\n');
      const hunk = lines.length === 1 ? '@@ -0,0 +1 @@' : `@@ -0,0 +1,${lines.length} @@`;
      return [
        ...header,
        hunk,
        ...lines.map((line) => `+${line}`),
        ...(endsWithNewline ? [] : ['\\ No newline at end of file']),
        '',
      ].join('\n');
    })
    .join('');
}

function patchBlock(suggestions: Suggestion[]): string {
  const patch = newFilePatch(suggestions);
  return `<details><summary>Patch for forks: ${plural(suggestions.length, 'new file')}, apply with <code>git apply testgate.patch</code></summary>\n\n${mdFence(patch, 'diff')}\n\n</details>`;
}

/** The patch as it appears in a comment, for tools that read it back. */
export function extractPatch(commentBody: string): string | undefined {
  const match = commentBody.match(
    /<summary>Patch for forks:[^\n]*\n\n(`{3,})diff\n([\s\S]*?)\n\1\n/,
  );
  return match === null ? undefined : `${match[2]}\n`;
}

function section(title: string, blocks: string[]): string[] {
  return blocks.length === 0 ? [] : ['', title, '', ...blocks];
}
