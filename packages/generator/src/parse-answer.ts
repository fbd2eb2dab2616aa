import { GeneratorError } from './errors.ts';

interface AnsweredFile {
  /** Path the model named (`# file:` header or the line before the fence), if any. */
  path?: string;
  content: string;
}

const FENCE_OPEN = /^(\s*)(`{3,}|~{3,})\s*([\w+#.-]*)[^\n]*$/;
const FILE_HEADER = /^\s*#\s*file:\s*(\S+\.py)\s*$/i;
const PATH_LINE = /([\w./-]+\.py)\b/;
const PYTHON_LANGS = new Set(['', 'python', 'py', 'python3', 'py3', 'pytest']);

/**
 * The test files in a model's answer: fenced blocks (```python, ```, ~~~) with prose around
 * them, several fences or several `# file: <path>` headers in one block, or bare code.
 * Blocks in another language are ignored; an answer with no Python test code at all is a
 * `BAD_ANSWER`.
 */
export function parseAnswer(answer: string): AnsweredFile[] {
  const text = answer.replace(/\r\n/g, '\n');
  const lines = text.split('\n');
  const blocks: { code: string; hint?: string }[] = [];
  let sawFence = false;
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE_OPEN.exec(lines[i] ?? '');
    if (!open) continue;
    sawFence = true;
    const fence = open[2] ?? '```';
    const lang = (open[3] ?? '').toLowerCase();
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = lines[j] ?? '';
      if (
        line.trim().startsWith(fence[0]!.repeat(fence.length)) &&
        line.trim().replace(/[`~]/g, '') === ''
      )
        break;
      body.push(line);
    }
    const previous = (lines[i - 1] ?? '').trim();
    const hintMatch = previous.length < 200 ? PATH_LINE.exec(previous) : null;
    if (PYTHON_LANGS.has(lang)) {
      blocks.push({
        code: dedent(body.join('\n')),
        ...(hintMatch?.[1] ? { hint: hintMatch[1] } : {}),
      });
    }
    i = j;
  }
  if (!sawFence) {
    // No fence: drop leading and trailing prose, keep from the first line that looks like code.
    const start = lines.findIndex((l) =>
      /^(import |from \S+ import |def |class |@|#\s*file:)/.test(l),
    );
    if (start >= 0) {
      let end = lines.length;
      while (
        end > start &&
        !/^(\s|def |class |@|import |from |[A-Za-z_][\w.]*\s*=|#|\)|\]|\})/.test(
          lines[end - 1] ?? '',
        )
      )
        end--;
      blocks.push({ code: lines.slice(start, end).join('\n') });
    }
  }

  const files: AnsweredFile[] = [];
  for (const block of blocks) {
    for (const file of splitByHeaders(block.code)) {
      const path = file.path ?? block.hint;
      files.push({ ...(path === undefined ? {} : { path }), content: file.content });
    }
  }
  const python = files.filter((f) => looksLikePythonTests(f.content));
  if (python.length === 0) {
    throw new GeneratorError(
      'BAD_ANSWER',
      files.length === 0
        ? 'The model answered without a Python code block.'
        : 'The model answered with code that is not pytest tests.',
    );
  }
  return python;
}

function splitByHeaders(code: string): AnsweredFile[] {
  const lines = code.split('\n');
  const out: AnsweredFile[] = [];
  let path: string | undefined;
  let current: string[] = [];
  const flush = (): void => {
    const content = current.join('\n').trim();
    if (content) out.push({ ...(path === undefined ? {} : { path }), content: `${content}\n` });
  };
  for (const line of lines) {
    const header = FILE_HEADER.exec(line);
    if (header) {
      flush();
      path = header[1];
      current = [];
      continue;
    }
    current.push(line);
  }
  flush();
  return out;
}

/** Python with at least one test, and none of the marks of another language. */
function looksLikePythonTests(content: string): boolean {
  if (!/^\s*(async\s+)?def\s+test\w*\s*\(|^class\s+Test\w*/m.test(content)) return false;
  const foreign = [
    /^\s*(const|let|var)\s+\w+\s*=/m,
    /=>\s*\{/,
    /^\s*function\s+\w+\s*\(/m,
    /^\s*#include\s*</m,
    /^\s*(public|private)\s+(static\s+)?(class|void)\b/m,
    /^\s*func\s+\w+\s*\(.*\)\s*\{/m,
    /\bdescribe\s*\(\s*['"]/,
  ];
  return !foreign.some((re) => re.test(content));
}

function dedent(code: string): string {
  const lines = code.split('\n');
  const indents = lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)?.[0].length ?? 0);
  const min = indents.length > 0 ? Math.min(...indents) : 0;
  return min > 0 ? lines.map((l) => l.slice(min)).join('\n') : code;
}
