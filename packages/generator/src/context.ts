import type { ChangedFunction, FunctionContext } from '@testgate/core';
import { countTokens, truncateToTokens } from './tokens.ts';

/** One function the model is asked to test, with what the analysis knows about it. */
export interface GenerationTarget {
  context: FunctionContext;
  /** Line facts of the function (changed, raise and except lines), when the analysis has them. */
  function?: ChangedFunction;
  /** Changed lines of `context.file` that the PR's own tests leave unexecuted. */
  uncoveredChangedLines?: number[];
}

export type ContextPart =
  'target' | 'imports' | 'unused-imports' | 'class-header' | `use:${string}` | 'test-style';

export interface BuiltContext {
  text: string;
  /** Tokens of `text` (o200k_base). Never above `budget` unless the target's signature alone is. */
  tokens: number;
  budget: number;
  kept: ContextPart[];
  dropped: ContextPart[];
  /** Lines of the target's body left out because the target alone exceeded the budget. */
  targetLinesOmitted: number;
  /** True when only part of the existing test file fitted. */
  testStyleTrimmed: boolean;
}

interface ImportStatement {
  text: string;
  names: string[];
}

interface Item {
  part: ContextPart;
  section: 'imports' | 'uses' | 'class' | 'style';
  text: string;
  /** May be cut to fit (the test style); others are all or nothing. */
  trimmable?: boolean;
}

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/g;

/**
 * The context sent for one target, within `maxTokens`: the target itself (never dropped;
 * its body is cut around the changed lines when it alone is too big), then what it uses.
 * Kept in this order, each part taken when it fits: imports the code refers to, the
 * class header, helpers and constants the target names directly ("near" uses), the other
 * imports, helpers it reaches only through those ("far" uses), the style of the module's
 * existing tests (at most an eighth of the budget). So the first parts to go are the test
 * style, then far uses, then unused imports.
 */
export function buildContext(
  target: GenerationTarget,
  options: { maxTokens: number },
): BuiltContext {
  const budget = options.maxTokens;
  const ctx = target.context;
  const targetNames = identifiers(ctx.source + '\n' + (ctx.classHeader ?? ''));
  const near = ctx.uses.filter((use) => targetNames.has(use.name));
  const far = ctx.uses.filter((use) => !targetNames.has(use.name));
  const referenced = identifiers(
    [ctx.source, ctx.classHeader ?? '', ...near.map((u) => u.source)].join('\n'),
  );
  const farReferenced = identifiers(far.map((u) => u.source).join('\n'));
  const statements = splitImports(ctx.imports);
  const used = statements.filter(
    (s) => s.names.length === 0 || s.names.some((n) => referenced.has(n)),
  );
  const unused = statements.filter((s) => !used.includes(s));
  // Imports only far uses need rank with them, not before them.
  const unusedForNear = unused.filter((s) => !s.names.some((n) => farReferenced.has(n)));
  const unusedForFar = unused.filter((s) => s.names.some((n) => farReferenced.has(n)));

  const items: Item[] = [];
  if (used.length > 0)
    items.push({ part: 'imports', section: 'imports', text: used.map((s) => s.text).join('\n') });
  if (ctx.classHeader)
    items.push({ part: 'class-header', section: 'class', text: ctx.classHeader.trimEnd() });
  for (const use of near)
    items.push({ part: `use:${use.name}`, section: 'uses', text: use.source.trimEnd() });
  if (unusedForNear.length > 0) {
    items.push({
      part: 'unused-imports',
      section: 'imports',
      text: unusedForNear.map((s) => s.text).join('\n'),
    });
  }
  if (unusedForFar.length > 0) {
    items.push({
      part: 'unused-imports',
      section: 'imports',
      text: unusedForFar.map((s) => s.text).join('\n'),
    });
  }
  for (const use of far)
    items.push({ part: `use:${use.name}`, section: 'uses', text: use.source.trimEnd() });
  if (ctx.testStyle) {
    items.push({
      part: 'test-style',
      section: 'style',
      text: ctx.testStyle.source.trimEnd(),
      trimmable: true,
    });
  }

  const changed = new Set(target.function?.changedLines ?? []);
  const uncovered = new Set(target.uncoveredChangedLines ?? []);
  const startLine = target.function?.startLine ?? 0;

  // The target first: it must fit on its own, cut if need be.
  const emptyRender = render(ctx, '', [], startLine);
  const targetRoom = budget - countTokens(emptyRender);
  const errorLines = new Set([
    ...(target.function?.raiseLines ?? []),
    ...(target.function?.exceptLines ?? []),
  ]);
  const fitted = fitTarget(ctx.source, {
    startLine,
    changed,
    uncovered,
    errorLines,
    maxTokens: targetRoom,
  });
  const kept: Item[] = [];
  let current = render(ctx, fitted.text, kept, startLine);
  let tokens = countTokens(current);
  let testStyleTrimmed = false;
  const dropped: ContextPart[] = [];
  const styleCap = Math.floor(budget / 8);

  for (const item of items) {
    const room = budget - tokens;
    // A part larger than the room cannot fit: skip the render.
    const own = room > 0 ? countTokens(item.text) : Infinity;
    // A few tests show the style; a whole test file would crowd out the code.
    if (own + 8 <= room && !(item.trimmable && own > styleCap)) {
      const next = render(ctx, fitted.text, [...kept, item], startLine);
      const nextTokens = countTokens(next);
      if (nextTokens <= budget) {
        kept.push(item);
        current = next;
        tokens = nextTokens;
        continue;
      }
    }
    if (item.trimmable && room > 80) {
      const marker = '\n# ... (rest of the file omitted)';
      let cut = truncateToTokens(item.text, Math.min(room, styleCap) - 24 - countTokens(marker));
      while (cut.length > 0) {
        const trimmedItem = { ...item, text: cut.trimEnd() + marker };
        const next = render(ctx, fitted.text, [...kept, trimmedItem], startLine);
        const nextTokens = countTokens(next);
        if (nextTokens <= budget) {
          kept.push(trimmedItem);
          current = next;
          tokens = nextTokens;
          testStyleTrimmed = true;
          break;
        }
        cut = truncateToTokens(cut, Math.floor(countTokens(cut) * 0.8));
      }
      if (testStyleTrimmed) continue;
    }
    dropped.push(item.part);
  }

  return {
    text: current,
    tokens,
    budget,
    kept: ['target', ...kept.map((i) => i.part)],
    dropped,
    targetLinesOmitted: fitted.omitted,
    testStyleTrimmed,
  };
}

function render(ctx: FunctionContext, targetText: string, items: Item[], startLine = 0): string {
  const out: string[] = [];
  const section = (title: string, body: string[]): void => {
    if (body.length > 0) out.push(`### ${title}\n\`\`\`python\n${body.join('\n\n')}\n\`\`\``);
  };
  section(
    `imports of ${ctx.file}`,
    items.filter((i) => i.section === 'imports').map((i) => i.text),
  );
  section(
    'helpers and constants it uses',
    items.filter((i) => i.section === 'uses').map((i) => i.text),
  );
  section(
    'class',
    items.filter((i) => i.section === 'class').map((i) => i.text),
  );
  out.push(
    `### target: ${ctx.qualname} (${ctx.file}${startLine > 0 ? `, from line ${startLine}` : ''})\n\`\`\`python\n${targetText}\n\`\`\``,
  );
  const style = items.find((i) => i.section === 'style');
  if (style && ctx.testStyle)
    section(`existing tests (${ctx.testStyle.path}): copy their style`, [style.text]);
  return out.join('\n');
}

/**
 * The target's source with changed lines marked. When it does not fit, keep its signature,
 * then changed lines (uncovered ones first) with a line of context, then the rest from the
 * top; gaps become a `# ...` marker line so the model knows code is missing.
 */
function fitTarget(
  source: string,
  options: {
    startLine: number;
    changed: Set<number>;
    uncovered: Set<number>;
    errorLines: Set<number>;
    maxTokens: number;
  },
): { text: string; omitted: number } {
  const lines = source.replace(/\s+$/, '').split('\n');
  const inStrings = tripleQuotedLines(lines);
  // Mark changed code lines only: a marker on a blank or docstring line is noise.
  const marked = lines.map((line, i) => {
    const abs = options.startLine + i;
    if (!options.changed.has(abs) || line.trim() === '' || inStrings.has(i) || /\\\s*$/.test(line))
      return line;
    return `${line}  # changed${options.uncovered.has(abs) ? ', not run by the PR tests' : ''}`;
  });
  const full = marked.join('\n');
  if (countTokens(full) <= options.maxTokens) return { text: full, omitted: 0 };

  const keep = new Set<number>();
  const order: number[] = [];
  const push = (i: number): void => {
    if (i >= 0 && i < lines.length && !keep.has(i) && !order.includes(i)) order.push(i);
  };
  // Signature: decorators and the `def` line(s) up to the one ending with ':'.
  let sawDef = false;
  for (let i = 0; i < lines.length; i++) {
    push(i);
    if (/^\s*(async\s+)?def\b/.test(lines[i] ?? '')) sawDef = true;
    if (sawDef && /:\s*(#.*)?$/.test(lines[i] ?? '')) break;
  }
  const rel = (abs: number): number => abs - options.startLine;
  const isCode = (i: number): boolean => (lines[i] ?? '').trim() !== '' && !inStrings.has(i);
  const changedRel = [...options.changed]
    .map(rel)
    .filter((i) => i >= 0 && i < lines.length && isCode(i))
    .sort((a, b) => a - b);
  const errorRel = [...options.errorLines]
    .map(rel)
    .filter((i) => i >= 0 && i < lines.length)
    .sort((a, b) => a - b);
  const uncoveredRel = changedRel.filter((i) => options.uncovered.has(i + options.startLine));
  // Error paths first (the line before a raise is usually its condition), then the lines
  // the PR's tests do not run, then the other changed code.
  for (const i of errorRel) push(i);
  for (const i of errorRel) push(i - 1);
  for (const i of [...uncoveredRel, ...changedRel]) {
    push(i);
    push(i - 1);
    push(i + 1);
  }
  for (let i = 0; i < lines.length; i++) push(i);

  const lineTokens = marked.map((line) => countTokens(line + '\n'));
  let used = 0;
  for (const i of order) {
    // 12 tokens: room for the gap markers the cut adds.
    // Strict priority: stop at the first line that does not fit, so a short line of low
    // priority never takes the place of the raise the model most needs to see.
    if (used + (lineTokens[i] ?? 0) + 12 > options.maxTokens) break;
    keep.add(i);
    used += lineTokens[i] ?? 0;
  }
  const assemble = (): { text: string; omitted: number } => {
    const out: string[] = [];
    let gap = 0;
    for (let i = 0; i < lines.length; i++) {
      if (keep.has(i)) {
        if (gap > 0) out.push(gapMarker(lines[i] ?? '', gap));
        gap = 0;
        out.push(marked[i] ?? '');
      } else gap++;
    }
    if (gap > 0) out.push(gapMarker(lines[lines.length - 1] ?? '    ', gap));
    return { text: out.join('\n'), omitted: lines.length - keep.size };
  };
  let result = assemble();
  // Gap markers are estimated; drop the last kept body lines until the whole truly fits.
  const removable = order.filter((i) => keep.has(i)).reverse();
  while (countTokens(result.text) > options.maxTokens && removable.length > 1) {
    const i = removable.shift();
    if (i === undefined || i === 0) break;
    keep.delete(i);
    result = assemble();
  }
  return result;
}

/** Indexes of lines inside (or opening / closing) a triple-quoted string. */
function tripleQuotedLines(lines: readonly string[]): Set<number> {
  const inside = new Set<number>();
  let open: string | undefined;
  lines.forEach((line, i) => {
    const wasOpen = open !== undefined;
    for (const match of line.matchAll(/"""|'''/g)) {
      if (open === undefined) open = match[0];
      else if (open === match[0]) open = undefined;
    }
    if (wasOpen || open !== undefined || /"""|'''/.test(line)) inside.add(i);
  });
  return inside;
}

function gapMarker(nextLine: string, count: number): string {
  const indent = /^\s*/.exec(nextLine)?.[0] || '    ';
  return `${indent}# ... (${count} line${count === 1 ? '' : 's'} omitted to fit the token budget)`;
}

function identifiers(text: string): Set<string> {
  return new Set(text.match(IDENTIFIER) ?? []);
}

/** Import statements with the names they bind; multi-line `from x import (...)` stays whole. */
function splitImports(imports: string): ImportStatement[] {
  const statements: ImportStatement[] = [];
  let buffer: string[] = [];
  let depth = 0;
  for (const line of imports.split('\n')) {
    if (buffer.length === 0 && line.trim() === '') continue;
    buffer.push(line);
    for (const ch of line.replace(/#.*$/, '')) {
      if (ch === '(') depth++;
      else if (ch === ')') depth = Math.max(0, depth - 1);
    }
    if (depth > 0 || /\\\s*$/.test(line)) continue;
    const text = buffer.join('\n');
    statements.push({ text, names: boundNames(text) });
    buffer = [];
  }
  if (buffer.length > 0)
    statements.push({ text: buffer.join('\n'), names: boundNames(buffer.join('\n')) });
  return statements;
}

/** Names an import binds; empty when it must always be kept (`*`, `__future__`, unparsed). */
function boundNames(statement: string): string[] {
  const flat = statement
    .replace(/#.*$/gm, '')
    .replace(/[()\\]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const from = /^from\s+(\S+)\s+import\s+(.+)$/.exec(flat);
  if (from) {
    if (from[1] === '__future__' || from[2]?.trim() === '*') return [];
    return (from[2] ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => part.split(/\s+as\s+/).pop() ?? part);
  }
  const plain = /^import\s+(.+)$/.exec(flat);
  if (plain) {
    return (plain[1] ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const alias = part.split(/\s+as\s+/);
        return alias.length > 1 ? (alias[1] ?? part) : (part.split('.')[0] ?? part);
      });
  }
  return [];
}
