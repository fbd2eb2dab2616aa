/**
 * `pnpm bench builtin-generator [--seconds N]`: line + branch coverage that the built-in
 * generator's tests reach on small pure-Python modules (bench/data/builtin-generator,
 * copies of CPython stdlib modules, PSF licence), against Hypothesis's ghostwriter
 * (`hypothesis write`) given the same time budget per module. Both run in the sandbox
 * image: ours through the harness's `generate` mode, the ghostwriter's tests rerun with
 * fresh seeds until the budget is spent (coverage appended across reruns). Last line:
 * `ratio: X` = ours / ghostwriter, covered lines plus covered branches over all modules.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDockerRunner, ensureSandboxImage, packTar, runHarness } from '@testgate/sandbox';
import type { TarEntry } from '@testgate/sandbox';

const dataDir = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'data',
  'builtin-generator',
);

interface Counts {
  lines: number;
  branches: number;
  statements: number;
  numBranches: number;
}
interface ModuleResult {
  module: string;
  ours: Counts;
  ghost: Counts;
  ghostRuns: number;
  oursPytest?: string[];
  ghostPytest?: string[];
  ghostWriteError?: string | null;
}

function argValue(flag: string, fallback: number): number {
  const i = process.argv.indexOf(flag);
  const raw = i >= 0 ? process.argv[i + 1] : undefined;
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${flag} needs a positive number, got ${raw}`);
  return value;
}

async function main(): Promise<void> {
  // The default budget of .github/testgate.yml (generate.timeBudgetSeconds).
  const seconds = argValue('--seconds', 20);
  const image = await ensureSandboxImage();
  const runner = createDockerRunner();
  const modDir = path.join(dataDir, 'benchmods');
  const modules = (await readdir(modDir))
    .filter((f) => f.endsWith('.py') && f !== '__init__.py')
    .map((f) => f.slice(0, -3))
    .sort();
  const init = await readFile(path.join(modDir, '__init__.py'));
  const entries: TarEntry[] = [{ name: 'benchmods/__init__.py', content: init }];
  const generated: Record<string, string> = {};
  for (const mod of modules) {
    const source = await readFile(path.join(modDir, `${mod}.py`));
    entries.push({ name: `benchmods/${mod}.py`, content: source });
    const started = performance.now();
    // Base is empty: every function of the module is "changed", so all are targets.
    const generation = await runHarness(runner, {
      mode: 'generate',
      image,
      base: { kind: 'files', files: {} },
      head: {
        kind: 'files',
        files: { 'benchmods/__init__.py': init, [`benchmods/${mod}.py`]: source },
      },
      settings: { generateSeconds: seconds, maxTestsPerFunction: 6 },
      labels: { 'testgate.bench': 'builtin-generator' },
    });
    const file = generation.tests[0];
    const tests = file ? (file.content.match(/^def test_/gm) ?? []).length : 0;
    console.log(
      `${mod}: generated ${tests} tests for ${file?.targets.length ?? 0} functions, skipped ${generation.skipped.length}, ` +
        `${Math.round(performance.now() - started)} ms`,
    );
    if (file) generated[mod] = file.content;
  }
  for (const [mod, content] of Object.entries(generated))
    entries.push({ name: `ours/test_${mod}.py`, content: Buffer.from(content) });
  entries.push({
    name: 'settings.json',
    content: Buffer.from(JSON.stringify({ modules, seconds })),
  });
  const script = await readFile(path.join(dataDir, 'measure.py'), 'utf8');
  const result = await runner.run({
    image,
    cmd: ['python3', '-I', '-c', script],
    stdin: await packTar(entries),
    limits: { deadlineMs: (modules.length * (seconds + 60) + 60) * 1000 },
    labels: { 'testgate.bench': 'builtin-generator' },
  });
  if (result.exitCode !== 0)
    throw new Error(`measuring failed (exit ${result.exitCode}): ${result.stderrTail}`);
  const rows = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as ModuleResult);
  let ours = 0;
  let ghost = 0;
  console.log(
    `\nmodule       ours lines/branches   ghostwriter lines/branches   (of statements/branches; ghostwriter reruns)`,
  );
  for (const row of rows) {
    ours += row.ours.lines + row.ours.branches;
    ghost += row.ghost.lines + row.ghost.branches;
    console.log(
      `${row.module.padEnd(12)} ${`${row.ours.lines}/${row.ours.branches}`.padEnd(21)} ${`${row.ghost.lines}/${row.ghost.branches}`.padEnd(28)} ` +
        `(${row.ours.statements}/${row.ours.numBranches}; ${row.ghostRuns} reruns)  ours: ${row.oursPytest?.join(' ') ?? '-'}  ghost: ${row.ghostPytest?.join(' ') ?? '-'}`,
    );
  }
  console.log(
    `total: ours ${ours}, ghostwriter ${ghost} (covered lines + branches, budget ${seconds} s per module)`,
  );
  console.log(`ratio: ${ghost === 0 ? 'inf' : (ours / ghost).toFixed(2)}`);
}

await main();
