/**
 * `pnpm exec tsx scripts/check-deps.ts`: the lint step's dependency check. For every
 * workspace package (apps/*, packages/*) it fails on
 *   - a bare import in its src/ that its package.json does not declare (works only by
 *     hoisting, breaks when the package is installed on its own),
 *   - an import cycle: between workspace packages, or between the files of one package.
 * Unused dependencies, files and exports are knip's (knip.json, also in the lint step).
 * Prints one line per problem and `dependencies: ok` or exits 1.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = /\.(ts|mts|js|mjs)$/;
// `import x from 'y'`, `export ... from 'y'`, `import('y')`, `import 'y'`.
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"\s]+)['"]/g;
const BUILTINS = new Set(builtinModules);

interface Workspace {
  dir: string;
  name: string;
  dependencies: string[];
  declared: Set<string>;
}

function workspaces(): Workspace[] {
  const out: Workspace[] = [];
  for (const group of ['apps', 'packages']) {
    for (const entry of readdirSync(path.join(root, group))) {
      const dir = path.join(root, group, entry);
      let manifest: Record<string, Record<string, string> | string | undefined>;
      try {
        manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
      } catch {
        continue;
      }
      const section = (key: string) => Object.keys((manifest[key] as Record<string, string>) ?? {});
      out.push({
        dir,
        name: String(manifest['name']),
        dependencies: section('dependencies'),
        declared: new Set([
          ...section('dependencies'),
          ...section('devDependencies'),
          ...section('peerDependencies'),
        ]),
      });
    }
  }
  return out;
}

function files(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const entry of entries) {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...files(full));
    else if (SOURCE.test(entry) && !entry.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((match) => match[1]!);
}

/** `@scope/name/sub` -> `@scope/name`; `name/sub` -> `name`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function isBare(specifier: string): boolean {
  return !specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.startsWith('node:');
}

/** The cycles of a directed graph, each as one path (Tarjan's strongly connected components). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    order.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!order.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, order.get(next)!));
      }
    }
    if (low.get(node) === order.get(node)) {
      const component: string[] = [];
      for (;;) {
        const member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
        if (member === node) break;
      }
      if (component.length > 1 || graph.get(node)?.has(node)) found.push(component.reverse());
    }
  };
  for (const node of graph.keys()) if (!order.has(node)) visit(node);
  return found;
}

const problems: string[] = [];
const all = workspaces();
const packageGraph = new Map<string, Set<string>>();
for (const workspace of all) {
  const rel = path.relative(root, workspace.dir);
  const fileGraph = new Map<string, Set<string>>();
  const sources = files(path.join(workspace.dir, 'src'));
  for (const file of [
    ...sources,
    ...files(path.join(workspace.dir, 'scripts')),
    ...files(path.join(workspace.dir, 'test')),
  ]) {
    const inSource = sources.includes(file);
    const edges = new Set<string>();
    for (const specifier of imports(file)) {
      if (!isBare(specifier)) {
        if (inSource && specifier.startsWith('.'))
          edges.add(path.resolve(path.dirname(file), specifier));
        continue;
      }
      const name = packageOf(specifier);
      if (BUILTINS.has(name)) continue;
      // A type-only package comes as @types/NAME.
      const typesOnly = workspace.declared.has(`@types/${name.replace(/^@([^/]+)\//, '$1__')}`);
      if (inSource && !workspace.declared.has(name) && !typesOnly && name !== workspace.name) {
        problems.push(
          `${rel}: imports ${name} (${path.relative(root, file)}) but does not declare it`,
        );
      }
    }
    if (inSource) fileGraph.set(file, edges);
  }
  for (const cycle of cycles(fileGraph)) {
    problems.push(
      `${rel}: import cycle ${cycle.map((file) => path.relative(root, file)).join(' -> ')}`,
    );
  }
  packageGraph.set(
    workspace.name,
    new Set(workspace.dependencies.filter((d) => d.startsWith('@testgate/'))),
  );
}
for (const cycle of cycles(packageGraph))
  problems.push(`packages depend on each other: ${cycle.join(' -> ')}`);

for (const problem of problems) console.log(problem);
console.log(
  problems.length === 0 ? 'dependencies: ok' : `dependencies: ${problems.length} problem(s)`,
);
process.exit(problems.length === 0 ? 0 : 1);
