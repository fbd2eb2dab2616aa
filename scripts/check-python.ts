/**
 * `pnpm exec tsx scripts/check-python.ts [--fix]`: ruff on the Python harness
 * (docker/sandbox/harness), with the settings of its ruff.toml, through ruff's wasm build
 * (a node module: nothing to install beside the node modules). Fails on a lint finding or
 * a file the formatter would change; `--fix` writes the formatter's output first.
 * Prints one line per problem and `python: ok` or exits 1.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PositionEncoding, Workspace } from '@astral-sh/ruff-wasm-nodejs';
import { parse } from 'smol-toml';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const harness = path.join(root, 'docker', 'sandbox', 'harness');
const fix = process.argv.includes('--fix');

interface Diagnostic {
  code: string | null;
  message: string;
  start_location: { row: number; column: number };
}

function pythonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    if (entry === '__pycache__' || entry.startsWith('.')) continue;
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...pythonFiles(full));
    else if (entry.endsWith('.py')) out.push(full);
  }
  return out;
}

const settings = parse(readFileSync(path.join(harness, 'ruff.toml'), 'utf8'));
const workspace = new Workspace(settings, PositionEncoding.Utf16);
// The wasm build checks a text, not a path: the per-file ignores are applied here.
const perFileIgnores = Object.entries(
  ((settings['lint'] as Record<string, unknown> | undefined)?.['per-file-ignores'] ?? {}) as Record<
    string,
    string[]
  >,
).map(([glob, codes]) => ({ pattern: globToRegExp(glob), codes: new Set(codes) }));

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('**')
    .map((part) =>
      part
        .split('*')
        .map((piece) => piece.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*'),
    )
    .join('.*');
  return new RegExp(`^${body}$`);
}

function ignored(relToHarness: string, code: string | null): boolean {
  return perFileIgnores.some(
    ({ pattern, codes }) => code !== null && codes.has(code) && pattern.test(relToHarness),
  );
}
const problems: string[] = [];
for (const file of pythonFiles(harness)) {
  const rel = path.relative(root, file);
  let source = readFileSync(file, 'utf8');
  const formatted = workspace.format(source);
  if (formatted !== source) {
    if (fix) {
      writeFileSync(file, formatted);
      source = formatted;
    } else problems.push(`${rel}: the formatter would change it (run with --fix)`);
  }
  for (const d of workspace.check(source) as Diagnostic[]) {
    if (ignored(path.relative(harness, file), d.code)) continue;
    problems.push(
      `${rel}:${d.start_location.row}:${d.start_location.column}: ${d.code ?? 'syntax'} ${d.message}`,
    );
  }
}
for (const problem of problems) console.log(problem);
if (problems.length > 0) {
  console.log(`python: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log('python: ok');
