import type { BuiltContext, GenerationTarget } from './context.ts';
import type { ChatMessage } from './provider.ts';

const SYSTEM_PROMPT = [
  'You write pytest tests for Python code under review. Your tests run in a sealed sandbox and are',
  'rejected when they use the network, subprocesses or os.system, sleep, write files outside',
  "pytest's tmp_path, edit conftest.py or pytest/coverage config, use `# pragma` or `# nosec`, call",
  'sys.exit, patch builtins or sys.modules, or assert nothing specific. Only tests that pass reliably',
  'and run the changed lines are kept.',
  'Answer with Python code only: one ```python fenced block per file, whose first line is',
  '`# file: tests/test_<name>.py`.',
].join('\n');

/** Compact `3-5, 9` form of sorted line numbers. */
function lineRanges(lines: readonly number[]): string {
  const sorted = [...new Set(lines)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const start = sorted[i] ?? 0;
    let end = start;
    while (sorted[i + 1] === end + 1) {
      end++;
      i++;
    }
    parts.push(start === end ? `${start}` : `${start}-${end}`);
  }
  return parts.join(', ');
}

/** The name a test imports: the function, or the class of a method. */
function importName(qualname: string): string {
  return qualname.split('.')[0] ?? qualname;
}

export function firstPrompt(
  target: GenerationTarget,
  context: BuiltContext,
  testPath: string,
): ChatMessage[] {
  const ctx = target.context;
  const fn = target.function;
  const lines: string[] = [
    `Write pytest tests for \`${ctx.qualname}\` in \`${ctx.file}\`.`,
    `Import it the way the project's tests do: \`from ${ctx.module} import ${importName(ctx.qualname)}\`.`,
  ];
  if (fn && fn.changedLines.length > 0) {
    lines.push(`The pull request changed lines ${lineRanges(fn.changedLines)} of ${ctx.file}.`);
  }
  const uncovered = target.uncoveredChangedLines ?? [];
  if (uncovered.length > 0) {
    lines.push(
      `The pull request's own tests never run lines ${lineRanges(uncovered)}: reach them.`,
    );
  }
  const errorLines = [...(fn?.raiseLines ?? []), ...(fn?.exceptLines ?? [])];
  if (errorLines.length > 0) {
    lines.push(
      `Test every error path with \`pytest.raises\` (raise/except at lines ${lineRanges(errorLines)}), and the normal results.`,
    );
  } else {
    lines.push('Test the normal results and the edge cases.');
  }
  lines.push(
    'Assert exact values. Do not change an assertion about behaviour the docstring documents to make it pass.',
    `Answer with one file, \`${testPath}\`.`,
    '',
    context.text,
  );
  return [
    { role: 'system', content: SYSTEM_PROMPT },
    { role: 'user', content: lines.join('\n') },
  ];
}

export interface FailureForRepair {
  nodeid: string;
  /** Reason codes (`failed`, `error`, `no-coverage-gain`...). */
  reasons: string[];
  /** What went wrong: the failure output, or the gate's explanation. */
  message: string;
}

/**
 * The conversation continued: the previous answer, then what failed, trimmed to
 * `maxChars` in all (the tail of each output, where pytest puts the assertion).
 */
export function repairPrompt(
  previous: ChatMessage[],
  answer: string,
  failures: FailureForRepair[],
  options: { maxChars: number; testPath: string },
): ChatMessage[] {
  const each = Math.max(200, Math.floor(options.maxChars / Math.max(1, failures.length)));
  const report = failures
    .map((f) => `- ${f.nodeid} (${f.reasons.join(', ')}):\n${indent(tail(f.message, each))}`)
    .join('\n');
  const content = [
    `These tests were rejected by the gate:`,
    report,
    '',
    `Fix \`${options.testPath}\`: keep the tests that passed, fix or remove the rejected ones.`,
    'If a test fails because the code does not do what its docstring says, keep that assertion as it is.',
    'Answer with the whole file again.',
  ].join('\n');
  return [...previous, { role: 'assistant', content: answer }, { role: 'user', content }];
}

function tail(text: string, max: number): string {
  const trimmed = text.trim();
  return trimmed.length <= max ? trimmed : `...${trimmed.slice(trimmed.length - max)}`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
