/**
 * Small line-based views of Python test files: enough to cut a test function out of a
 * generated file and to read assertions and docstrings. The sandbox re-evaluates every
 * file we change, so a wrong cut can only lose a test, never accept a bad one.
 */

interface Block {
  /** 0-based index of the first line (decorators included). */
  start: number;
  /** 0-based index one past the last line. */
  end: number;
}

/** The `def name(` block (with its decorators), top-level or a method. */
function findFunctionBlock(content: string, name: string): Block | undefined {
  const lines = content.split('\n');
  const defRe = new RegExp(`^(\\s*)(async\\s+)?def\\s+${escapeRegExp(name)}\\s*\\(`);
  const at = lines.findIndex((l) => defRe.test(l));
  if (at < 0) return undefined;
  const indent = (/^\s*/.exec(lines[at] ?? '')?.[0] ?? '').length;
  let start = at;
  while (
    start > 0 &&
    new RegExp(`^\\s{${indent}}@`).test(lines[start - 1] ?? '') &&
    indentOf(lines[start - 1] ?? '') === indent
  ) {
    start--;
  }
  let end = at + 1;
  let open = parenDepth(lines[at] ?? '');
  // The signature may span lines.
  while (open > 0 && end < lines.length) open += parenDepth(lines[end++] ?? '');
  for (; end < lines.length; end++) {
    const line = lines[end] ?? '';
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    if (indentOf(line) <= indent) break;
  }
  // Leave trailing blank lines to the next block.
  while (end > at + 1 && (lines[end - 1] ?? '').trim() === '') end--;
  return { start, end };
}

/** `content` without the named test functions. */
export function removeFunctions(content: string, names: Iterable<string>): string {
  let lines = content.split('\n');
  for (const name of names) {
    const block = findFunctionBlock(lines.join('\n'), name);
    if (!block) continue;
    lines = [...lines.slice(0, block.start), ...lines.slice(block.end)];
  }
  return `${lines
    .join('\n')
    .replace(/\n{4,}/g, '\n\n\n')
    .trimEnd()}\n`;
}

export function functionSource(content: string, name: string): string | undefined {
  const block = findFunctionBlock(content, name);
  return block ? content.split('\n').slice(block.start, block.end).join('\n') : undefined;
}

/** The docstring of a function's source, if it has one. */
export function docstringOf(source: string): string | undefined {
  const match =
    /^[ \t]*(?:async\s+)?def\s[\s\S]*?\)\s*(?:->[^:]*)?:\s*\n\s*[rRuUbB]?("""|''')([\s\S]*?)\1/.exec(
      source,
    );
  if (match) return match[2];
  const single =
    /^[ \t]*(?:async\s+)?def\s[\s\S]*?\)\s*(?:->[^:]*)?:\s*\n\s*[rRuU]?(["'])((?:\\.|(?!\1).)*)\1/.exec(
      source,
    );
  return single?.[2];
}

/**
 * Values a test compares against: literals on either side of `==` / `!=` in its asserts,
 * and the exception classes of `pytest.raises(...)`.
 */
export function expectedValues(testSource: string): string[] {
  const values = new Set<string>();
  const literal = String.raw`(-?\d[\d_.eE+-]*|'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|True|False|None|\[[^\]]*\]|\([^)]*\)|\{[^}]*\})`;
  for (const line of testSource.split('\n')) {
    const assert = /^\s*assert\s+(.+?)\s*(?:,\s*['"].*)?$/.exec(line);
    if (assert) {
      for (const m of (assert[1] ?? '').matchAll(new RegExp(`(?:==|!=)\\s*${literal}`, 'g')))
        if (m[1]) values.add(m[1]);
      for (const m of (assert[1] ?? '').matchAll(new RegExp(`${literal}\\s*(?:==|!=)`, 'g')))
        if (m[1]) values.add(m[1]);
    }
    for (const m of line.matchAll(/pytest\.raises\(\s*([A-Za-z_][\w.]*)/g))
      if (m[1]) values.add(m[1]);
  }
  return [...values];
}

/** Whether `value` (a Python literal or a name) is written in `doc`. */
export function mentions(doc: string, value: string): boolean {
  const unquoted = /^(['"])(.*)\1$/.exec(value)?.[2];
  const candidates = unquoted === undefined ? [value] : [value, unquoted];
  return candidates.some((candidate) => {
    if (candidate.length === 0) return false;
    if (unquoted !== undefined && candidate === unquoted && candidate.length < 2) return false;
    return new RegExp(`(^|[^\\w.])${escapeRegExp(candidate)}($|[^\\w])`).test(doc);
  });
}

function indentOf(line: string): number {
  return (/^\s*/.exec(line)?.[0] ?? '').length;
}

function parenDepth(line: string): number {
  let depth = 0;
  for (const ch of line.replace(/#.*$/, '')) {
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
  }
  return depth;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
