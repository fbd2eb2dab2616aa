/**
 * Turns accepted generated tests into committable files: for each generated file that has
 * at least one accepted test, keep the module-level code (imports, helpers, fixtures) and
 * only the test functions whose every case was accepted. With mutation data, only the
 * test functions that kill mutants the PR's tests do not are kept (chooseByStrength).
 */
import type {
  EvaluationEvidence,
  GateReport,
  GenerationSummary,
  Suggestion,
  TestResult,
} from '@testgate/core';

export interface GeneratedFile {
  /** Path in the head tree, e.g. `tests/test_testgate_calc.py`. */
  path: string;
  content: string;
  /** Qualnames of the functions the file tests. */
  targets: string[];
  /** `builtin` or the model's name. */
  generator: string;
}

interface FunctionSpan {
  start: number;
  end: number;
}

/** Line span (1-based, inclusive) of a test function, widened to its decorators. */
function widenToDecorators(lines: readonly string[], span: FunctionSpan): FunctionSpan {
  const defLine = lines[span.start - 1] ?? '';
  const indent = defLine.length - defLine.trimStart().length;
  // startLine may already include decorators (Python >= 3.8 reports the def line, but the
  // harness may widen it); widen over a contiguous block above that starts with '@' at the
  // def's indentation, so a multi-line @pytest.mark.parametrize(...) goes with its test.
  let top = span.start;
  let line = span.start - 1;
  while (line >= 1) {
    const text = lines[line - 1] ?? '';
    if (text.trim() === '') break;
    const textIndent = text.length - text.trimStart().length;
    if (textIndent < indent) break;
    if (
      textIndent === indent &&
      !text.trimStart().startsWith('@') &&
      !/^[)\]}]/.test(text.trimStart())
    )
      break;
    if (textIndent === indent && text.trimStart().startsWith('@')) top = line;
    line -= 1;
  }
  return { start: top, end: span.end };
}

/** Removes the given spans and collapses the runs of blank lines they leave. */
function removeSpans(content: string, spans: FunctionSpan[]): string {
  const lines = content.split('\n');
  const drop = new Set<number>();
  for (const raw of spans) {
    const span = widenToDecorators(lines, raw);
    for (let n = span.start; n <= span.end; n++) drop.add(n);
  }
  const kept: string[] = [];
  let blank = 0;
  lines.forEach((text, index) => {
    if (drop.has(index + 1)) return;
    blank = text.trim() === '' ? blank + 1 : 0;
    // PEP 8: at most two blank lines between top-level definitions.
    if (blank <= 2) kept.push(text);
  });
  return `${kept.join('\n').trimEnd()}\n`;
}

function mergeLines(into: Record<string, number[]>, from: Record<string, number[]>): void {
  for (const [file, lines] of Object.entries(from)) {
    into[file] = [...new Set([...(into[file] ?? []), ...lines])].sort((a, b) => a - b);
  }
}

type Evidence = Pick<EvaluationEvidence, 'tests'> & Partial<Pick<EvaluationEvidence, 'mutation'>>;

/** The cases (parametrized node ids) of one test function of a generated file. */
interface TestFunction {
  file: string;
  tests: TestResult[];
  span: FunctionSpan;
}

/** The test functions of each usable generated file, by file path, in file order. */
function functionsOf(
  report: Pick<GateReport, 'tests' | 'files'>,
  evidence: Evidence,
  generated: readonly GeneratedFile[],
): Map<string, TestFunction[]> {
  // The report keeps a test's first line; the evidence has the whole span.
  const spanOf = new Map(
    evidence.tests.map((t) => [t.nodeid, { start: t.startLine, end: t.endLine }]),
  );
  const out = new Map<string, TestFunction[]>();
  for (const file of generated) {
    const fileResult = report.files.find((f) => f.path === file.path);
    if (fileResult && (fileResult.error !== undefined || fileResult.reasons.length > 0)) continue;
    const byFunction = new Map<string, TestResult[]>();
    for (const test of report.tests) {
      if (test.origin !== 'generated' || test.file !== file.path) continue;
      const key = `${test.line}:${test.function}`;
      byFunction.set(key, [...(byFunction.get(key) ?? []), test]);
    }
    out.set(
      file.path,
      [...byFunction.values()].map((tests) => ({
        file: file.path,
        tests,
        span: spanOf.get(tests[0]!.nodeid) ?? { start: tests[0]!.line, end: tests[0]!.line },
      })),
    );
  }
  return out;
}

function isAccepted(fn: TestFunction): boolean {
  return fn.tests.every((t) => t.status === 'accepted');
}

/** What the strength choice decided for one accepted test function. */
interface StrengthChoice {
  chosen: Set<TestFunction>;
  /** Mutants each chosen function kills that the PR's tests do not. */
  kills: Map<TestFunction, string[]>;
  dropped: { fn: TestFunction; reason: string }[];
}

/**
 * The smallest set of accepted generated test functions that kills the most mutants the
 * PR's tests leave alive, chosen greedily (set cover): repeatedly the function adding the
 * most new kills; ties go to more changed lines, then more changed branches covered, then
 * fewer lines of code. Only value-changing mutants count (a `return None` dies to any
 * caller). Undefined without mutation data: then every accepted function is suggested.
 */
function chooseByStrength(
  report: Pick<GateReport, 'tests'>,
  evidence: Evidence,
  functions: readonly TestFunction[],
): StrengthChoice | undefined {
  const mutants = evidence.mutation?.mutants ?? [];
  const valueChanging = new Set(
    mutants.filter((m) => m.valueChanging && m.status !== 'not-run').map((m) => m.id),
  );
  if (valueChanging.size === 0) return undefined;
  const prNodeids = new Set(report.tests.filter((t) => t.origin === 'pr').map((t) => t.nodeid));
  // Start from what the PR's tests already kill at a check.
  const byPr = new Set<string>([
    ...report.tests.filter((t) => t.origin === 'pr').flatMap((t) => t.strength?.killedIds ?? []),
    ...mutants.filter((m) => m.killedBy.some((id) => prNodeids.has(id))).map((m) => m.id),
  ]);
  const killed = new Set(byPr);
  const killsOf = new Map(
    functions.map((fn) => [
      fn,
      new Set(
        fn.tests.flatMap((t) => t.strength?.killedIds ?? []).filter((id) => valueChanging.has(id)),
      ),
    ]),
  );
  const covered = (fn: TestFunction) => {
    const lines: Record<string, number[]> = {};
    for (const test of fn.tests) mergeLines(lines, test.coverage.changedLines);
    return Object.values(lines).reduce((sum, list) => sum + list.length, 0);
  };
  const branches = (fn: TestFunction) =>
    Math.max(...fn.tests.map((t) => t.coverage.changedBranchesCovered));
  const size = (fn: TestFunction) => fn.span.end - fn.span.start + 1;

  const chosen = new Set<TestFunction>();
  const kills = new Map<TestFunction, string[]>();
  for (;;) {
    let best: TestFunction | undefined;
    let bestGain = 0;
    for (const fn of functions) {
      if (chosen.has(fn)) continue;
      const gain = [...killsOf.get(fn)!].filter((id) => !killed.has(id)).length;
      if (gain === 0) continue;
      const better =
        best === undefined ||
        gain > bestGain ||
        (gain === bestGain &&
          (covered(fn) - covered(best) || branches(fn) - branches(best) || size(best) - size(fn)) >
            0);
      if (better) {
        best = fn;
        bestGain = gain;
      }
    }
    if (best === undefined) break;
    chosen.add(best);
    for (const id of killsOf.get(best)!) killed.add(id);
    kills.set(best, [...killsOf.get(best)!].filter((id) => !byPr.has(id)).sort());
  }
  const dropped = functions
    .filter((fn) => !chosen.has(fn))
    .map((fn) => ({
      fn,
      reason: [...killsOf.get(fn)!].every((id) => byPr.has(id))
        ? "not suggested: kills no mutant the pull request's tests do not already kill"
        : 'not suggested: kills no mutant that the suggested tests do not already kill',
    }));
  return { chosen, kills, dropped };
}

/**
 * Suggestions from the judged report: one per generated file that has accepted tests.
 * A test function is kept only when every one of its cases (parametrized node ids) was
 * accepted (and, with mutation data, when chooseByStrength picks it); the others are cut
 * out of the file's text by their line spans.
 */
export function buildSuggestions(options: {
  report: Pick<GateReport, 'tests' | 'files'>;
  evidence: Evidence;
  generated: readonly GeneratedFile[];
}): Suggestion[] {
  return suggestionsWithStrength(options).suggestions;
}

/** {@link buildSuggestions}, plus the accepted tests the strength choice left out and why. */
export function suggestionsWithStrength(options: {
  report: Pick<GateReport, 'tests' | 'files'>;
  evidence: Evidence;
  generated: readonly GeneratedFile[];
}): { suggestions: Suggestion[]; notSuggested: NonNullable<GenerationSummary['notSuggested']> } {
  const { report, evidence, generated } = options;
  const functions = functionsOf(report, evidence, generated);
  const choice = chooseByStrength(
    report,
    evidence,
    [...functions.values()].flat().filter(isAccepted),
  );
  const suggestions: Suggestion[] = [];
  for (const file of generated) {
    const keep: TestFunction[] = [];
    const spans: FunctionSpan[] = [];
    for (const fn of functions.get(file.path) ?? []) {
      if (isAccepted(fn) && (choice === undefined || choice.chosen.has(fn))) keep.push(fn);
      else spans.push(fn.span);
    }
    if (keep.length === 0) continue;
    const covers: Record<string, number[]> = {};
    for (const test of keep.flatMap((fn) => fn.tests))
      mergeLines(covers, test.coverage.changedLines);
    suggestions.push({
      path: file.path,
      content: removeSpans(file.content, spans),
      targets: [...file.targets],
      generator: file.generator,
      tests: keep.flatMap((fn) => fn.tests.map((t) => t.nodeid)),
      covers,
      ...(choice === undefined
        ? {}
        : { kills: [...new Set(keep.flatMap((fn) => choice.kills.get(fn) ?? []))].sort() }),
    });
  }
  const notSuggested = (choice?.dropped ?? []).flatMap(({ fn, reason }) =>
    fn.tests.map((t) => ({ nodeid: t.nodeid, reason })),
  );
  return { suggestions, notSuggested };
}
