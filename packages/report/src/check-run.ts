/**
 * The check run's output: conclusion, title, summary, text and annotations. GitHub caps
 * `summary` and `text` at 65,535 bytes each and takes at most 50 annotations per request
 * (the caller batches); an annotation's title is capped at 255 characters and its message
 * and details at 64 KB.
 */
import type {
  CheckAnnotation,
  CheckConclusion as HostCheckConclusion,
  GateReport,
  Verdict,
} from '@testgate/core';
import {
  crashedMutantMessage,
  findingRejects,
  fitBlocks,
  formatDuration,
  generatedPaths,
  mdText,
  plural,
  survivorMessage,
  truncateTo,
  utf8Bytes,
} from './format.ts';
import {
  environmentBlocks,
  fileBlocks,
  generationBlocks,
  rejectionBlocks,
  securityBlocks,
  existingFindingBlocks,
  strengthBlocks,
  testTableBlocks,
  toolsLine,
} from './markdown.ts';
import { suggestionItemBlocks } from './comment.ts';

/** A verdict's conclusion: the host's conclusions but `cancelled` (a judged run is never that). */
type CheckConclusion = Exclude<HostCheckConclusion, 'cancelled'>;

/** The host port's annotation, always with a title. */
export type CheckRunAnnotation = CheckAnnotation & { title: string };

interface CheckRunOutput {
  conclusion: CheckConclusion;
  title: string;
  summary: string;
  text?: string;
  annotations: CheckRunAnnotation[];
}

interface CheckRunOptions {
  /** @defaultValue 65535 (GitHub's limit on `output.summary` and `output.text`, in bytes) */
  maxSummaryBytes?: number;
  /**
   * How many suggestions (from the first) the PR comment already shows (`layoutComment`).
   * The text then carries the rest, so together they offer every suggestion.
   * @defaultValue 0 (the text carries them all)
   */
  suggestionsInComment?: number;
}

const GITHUB_OUTPUT_LIMIT = 65_535;
/**
 * Notices for surviving mutants, at most: one request's worth (GitHub takes 50 annotations
 * per request, packages/github batches them). They are hints for the reviewer; the summary
 * and the JSON report list every mutant, and findings and rejections must not drown.
 */
const MUTANT_NOTICES_MAX = 50;
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
    ...section('#### Existing findings', existingFindingBlocks(report)),
    ...section('### Test strength', strengthBlocks(report, { max: MUTANT_NOTICES_MAX })),
    ...section('### Dependencies', environmentBlocks(report)),
  ];
  const summary = fitBlocks(summaryBlocks, { limit, measure: utf8Bytes, note: note('summary') });

  const inComment = Math.min(options.suggestionsInComment ?? 0, report.suggestions.length);
  const items = suggestionItemBlocks(report).slice(inComment);
  const suggestionIntro =
    items.length === 0
      ? []
      : [
          '',
          '### Suggested tests',
          '',
          inComment > 0
            ? `The PR comment shows the first ${plural(inComment, 'suggested file')}; the other ${items.length} follow.`
            : `${plural(items.length, 'suggested file')}, each with the changed lines its tests cover.`,
          '',
        ];
  const textBlocks = [
    ...section('### Why tests were rejected', rejectionBlocks(pr)),
    ...section('### Generated tests', generationBlocks(report)),
  ];
  const text =
    textBlocks.length === 0 && items.length === 0
      ? undefined
      : fitText({
          before: textBlocks,
          intro: suggestionIntro,
          items,
          after: ['', toolsLine(report)],
          limit,
          note: note('details'),
        });

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
      file: finding.file,
      startLine: line,
      endLine: line,
      level: rejects ? 'failure' : 'warning',
      title: truncateTo(
        `${finding.reason}: ${finding.rule}${rejects ? '' : ' (allowed)'}`,
        TITLE_LIMIT,
      ),
      message: truncateTo(finding.message, MESSAGE_LIMIT),
      details: `rule ${finding.rule} (${finding.source}, severity ${finding.severity})`,
    });
  }
  for (const test of report.tests) {
    if (test.origin !== 'pr' || test.status !== 'rejected' || generated.has(test.file)) continue;
    const line = Math.max(1, test.line);
    out.push({
      file: test.file,
      startLine: line,
      endLine: line,
      level: 'failure',
      title: truncateTo(`${test.function} rejected: ${test.reasons.join(', ')}`, TITLE_LIMIT),
      message: truncateTo(
        test.details.map((detail) => `${detail.reason}: ${detail.message}`).join('\n'),
        MESSAGE_LIMIT,
      ),
      details: truncateTo(
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
      file: file.path,
      startLine: 1,
      endLine: 1,
      level: 'failure',
      title: truncateTo(
        `test file rejected: ${[...new Set(details.map((d) => d.reason))].join(', ')}`,
        TITLE_LIMIT,
      ),
      message: truncateTo(
        details.map((detail) => `${detail.reason}: ${detail.message}`).join('\n'),
        MESSAGE_LIMIT,
      ),
      ...(file.error === undefined ? {} : { details: truncateTo(file.error, MESSAGE_LIMIT) }),
    });
  }
  out.push(...mutantAnnotations(report));
  return out;
}

/** One notice per mutant no test tells apart from the code, on its line (capped). */
function mutantAnnotations(report: GateReport): CheckRunAnnotation[] {
  const strength = report.strength;
  if (strength === undefined) return [];
  const generated = generatedPaths(report);
  const mutants = [
    ...strength.survivors.map((mutant) => ({
      mutant,
      title: 'surviving mutant',
      message: survivorMessage(mutant),
    })),
    ...strength.crashedOnly.map((mutant) => ({
      mutant,
      title: 'mutant only crashes',
      message: crashedMutantMessage(mutant),
    })),
  ].filter(({ mutant }) => !generated.has(mutant.file));
  return mutants.slice(0, MUTANT_NOTICES_MAX).map(({ mutant, title, message }) => {
    const line = Math.max(1, mutant.line);
    return {
      file: mutant.file,
      startLine: line,
      endLine: line,
      level: 'notice',
      title: truncateTo(`${title}: ${mutant.original} -> ${mutant.replacement}`, TITLE_LIMIT),
      message: truncateTo(
        `${message}; add a test whose assert fails on this change`,
        MESSAGE_LIMIT,
      ),
      details: `mutant ${mutant.id} (${mutant.operator})`,
    };
  });
}

function section(title: string, blocks: string[]): string[] {
  return blocks.length === 0 ? [] : ['', title, '', ...blocks];
}

/**
 * The text: reasons and generation first (fitted on their own if huge), then as many
 * whole suggestions as fit; when some do not, a note says how many and why.
 */
function fitText(options: {
  before: string[];
  intro: string[];
  items: string[];
  after: string[];
  limit: number;
  note: (omitted: number) => string;
}): string {
  const { items, limit } = options;
  const join = (blocks: string[]) => blocks.join('\n');
  const whole = join([...options.before, ...options.intro, ...items, ...options.after]);
  if (utf8Bytes(whole) <= limit) return whole.trim();
  const reserve = 400;
  const frameBytes = utf8Bytes(join([...options.intro, ...options.after])) + reserve;
  // Suggestions are what the text is for when the comment overflowed: give the reasons
  // at most half of the room.
  const before =
    options.before.length === 0
      ? []
      : [
          fitBlocks(options.before, {
            limit: Math.max(1000, Math.floor((limit - frameBytes) / (items.length > 0 ? 2 : 1))),
            measure: utf8Bytes,
            note: options.note,
          }),
        ];
  let budget = limit - utf8Bytes(join([...before, ...options.intro, ...options.after])) - reserve;
  const kept: string[] = [];
  for (const item of items) {
    const cost = utf8Bytes(item) + 1;
    if (cost > budget) break;
    kept.push(item);
    budget -= cost;
  }
  const omitted = items.length - kept.length;
  const overflow =
    omitted === 0
      ? []
      : [
          '',
          `_${plural(omitted, 'more suggested test file')} left out: GitHub caps check-run text at 65,535 bytes. \`testgate run --format json\` on this branch lists every suggestion._`,
        ];
  const text = join([...before, ...options.intro, ...kept, ...overflow, ...options.after]).trim();
  return utf8Bytes(text) <= limit ? text : truncateTo(text, limit, utf8Bytes);
}
