/**
 * Cutting tests out of a generated file, and reading a docstring for a value: by the line
 * ranges and values the harness read from the syntax tree (evidence `startLine`/`endLine`,
 * `expected`; analysis `docstring`), never by parsing Python here. The sandbox re-evaluates
 * every file we change, so a wrong cut can only lose a test, never accept a bad one.
 */

/** 1-based, inclusive: a test function with its decorators. */
interface LineRange {
  start: number;
  end: number;
}

/** `content` without the lines of `ranges` (the rejected tests), blank runs collapsed. */
export function removeLines(content: string, ranges: readonly LineRange[]): string {
  const drop = new Set<number>();
  for (const { start, end } of ranges) {
    if (start < 1 || end < start) continue;
    for (let line = start; line <= end; line++) drop.add(line - 1);
  }
  const kept = content.split('\n').filter((_, index) => !drop.has(index));
  return `${kept
    .join('\n')
    .replace(/\n{4,}/g, '\n\n\n')
    .trimEnd()}\n`;
}

/** Whether `value` (a Python literal or a name, as the harness wrote it) is written in `doc`. */
export function mentions(doc: string, value: string): boolean {
  const unquoted = /^(['"])(.*)\1$/.exec(value)?.[2];
  const candidates = unquoted === undefined ? [value] : [value, unquoted];
  return candidates.some((candidate) => {
    if (candidate.length === 0) return false;
    if (unquoted !== undefined && candidate === unquoted && candidate.length < 2) return false;
    return new RegExp(`(^|[^\\w.])${escapeRegExp(candidate)}($|[^\\w])`).test(doc);
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
