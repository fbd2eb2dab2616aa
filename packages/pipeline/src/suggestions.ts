/**
 * Turns accepted generated tests into committable files: for each generated file that has
 * at least one accepted test, keep the module-level code (imports, helpers, fixtures) and
 * only the test functions whose every case was accepted.
 */
import type { EvaluationEvidence, GateReport, Suggestion, TestResult } from '@testgate/core';

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

/**
 * Suggestions from the judged report: one per generated file that has accepted tests.
 * A test function is kept only when every one of its cases (parametrized node ids) was
 * accepted; rejected ones are cut out of the file's text by their line spans.
 */
export function buildSuggestions(options: {
  report: Pick<GateReport, 'tests' | 'files'>;
  evidence: Pick<EvaluationEvidence, 'tests'>;
  generated: readonly GeneratedFile[];
}): Suggestion[] {
  const { report, evidence, generated } = options;
  // The report keeps a test's first line; the evidence has the whole span.
  const spanOf = new Map(
    evidence.tests.map((t) => [t.nodeid, { start: t.startLine, end: t.endLine }]),
  );
  const suggestions: Suggestion[] = [];
  for (const file of generated) {
    const fileResult = report.files.find((f) => f.path === file.path);
    if (fileResult && (fileResult.error !== undefined || fileResult.reasons.length > 0)) continue;
    const tests = report.tests.filter((t) => t.origin === 'generated' && t.file === file.path);
    const byFunction = new Map<string, TestResult[]>();
    for (const test of tests) {
      const group = byFunction.get(`${test.line}:${test.function}`) ?? [];
      group.push(test);
      byFunction.set(`${test.line}:${test.function}`, group);
    }
    const keep: TestResult[] = [];
    const spans: FunctionSpan[] = [];
    for (const group of byFunction.values()) {
      if (group.every((t) => t.status === 'accepted')) {
        keep.push(...group);
      } else {
        const first = group[0]!;
        spans.push(spanOf.get(first.nodeid) ?? { start: first.line, end: first.line });
      }
    }
    if (keep.length === 0) continue;
    const covers: Record<string, number[]> = {};
    for (const test of keep) mergeLines(covers, test.coverage.changedLines);
    suggestions.push({
      path: file.path,
      content: removeSpans(file.content, spans),
      targets: [...file.targets],
      generator: file.generator,
      tests: keep.map((t) => t.nodeid),
      covers,
    });
  }
  return suggestions;
}
