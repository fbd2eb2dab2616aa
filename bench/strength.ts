/**
 * `pnpm bench strength [--runs N]`: how well and how cheaply the strength step (base runs
 * and mutants of the changed lines) tells weak oracles from strong tests. The bundled
 * corpus (bench/data/strength: four small PRs, each changing one function and adding
 * strong tests and weak ones, the expected verdict of each in expected.json) is judged N
 * times with the default config and N times with the strength step off (`require.strength:
 * false`, `strength.baseRuns: false`), alternating, through `runGate` as the CLI runs it.
 *
 * Prints weak-oracle recall (weak tests rejected as `weak-oracle`), the false-flag rate
 * (strong tests rejected as `weak-oracle`), mutants per second (mutants run / wall seconds
 * of the mutant runs, as the harness measured them), the added wall time per PR (median on -
 * median off) and, last, `ratio: X` = added wall time / wall time with the step off.
 * Targets: recall at least 0.9, 0 false flags, ratio at most 0.5.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '@testgate/core';
import type { GateReport } from '@testgate/core';
import { runGate } from '@testgate/pipeline';
import { createDockerRunner, ensureSandboxImage } from '@testgate/sandbox';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.join(root, 'bench', 'data', 'strength');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] ?? 0) || 3;
const TARGETS = { recall: 0.9, falseFlags: 0, ratio: 0.5 };

type Expected = Record<string, Record<string, 'weak' | 'strong'>>;
const expected = JSON.parse(readFileSync(path.join(dataDir, 'expected.json'), 'utf8')) as Expected;

const image = await ensureSandboxImage();
const runner = createDockerRunner();
const strengthOn = parseConfig('');
const strengthOff = parseConfig('require:\n  strength: false\nstrength:\n  baseRuns: false\n');

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const fmt = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

async function judge(
  name: string,
  config: typeof strengthOn,
): Promise<{ wallMs: number; report: GateReport }> {
  const t0 = Date.now();
  const report = await runGate({
    runner,
    image,
    base: { kind: 'dir', path: path.join(dataDir, name, 'base') },
    head: { kind: 'dir', path: path.join(dataDir, name, 'head') },
    config,
    generate: 'off',
  });
  return { wallMs: Date.now() - t0, report };
}

let weakTotal = 0;
let weakFlagged = 0;
let strongTotal = 0;
let strongFlagged = 0;
let mutantsRun = 0;
let mutantMs = 0;
let addedMs = 0;
let offMs = 0;
const misjudged: string[] = [];

console.log(
  `strength: ${Object.keys(expected).length} PRs, ${runs} run(s) with the step and without, alternating`,
);
for (const [name, verdicts] of Object.entries(expected)) {
  const on: number[] = [];
  const off: number[] = [];
  let report: GateReport | undefined;
  for (let i = 0; i < runs; i += 1) {
    const judged = await judge(name, strengthOn);
    on.push(judged.wallMs);
    report = judged.report;
    off.push((await judge(name, strengthOff)).wallMs);
  }
  for (const [fn, verdict] of Object.entries(verdicts)) {
    const test = report!.tests.find((candidate) => candidate.nodeid.endsWith(`::${fn}`));
    if (test === undefined) throw new Error(`${name}: ${fn} was not judged`);
    const flagged = test.reasons.includes('weak-oracle');
    if (verdict === 'weak') {
      weakTotal += 1;
      if (flagged) weakFlagged += 1;
      else
        misjudged.push(
          `${name}::${fn} (weak, not flagged: ${test.reasons.join(', ') || 'accepted'})`,
        );
    } else {
      strongTotal += 1;
      if (flagged) {
        strongFlagged += 1;
        misjudged.push(`${name}::${fn} (strong, flagged weak-oracle)`);
      }
    }
  }
  const strength = report!.strength;
  const ran = strength === undefined ? 0 : strength.mutants - strength.notRun;
  const mutationMs =
    strength?.durationMs === undefined ? 0 : strength.durationMs - (strength.baseDurationMs ?? 0);
  mutantsRun += ran;
  mutantMs += mutationMs;
  const added = median(on) - median(off);
  addedMs += added;
  offMs += median(off);
  console.log(
    `  ${name.padEnd(8)} on ${fmt(median(on))}, off ${fmt(median(off))}, added ${fmt(added)}; ` +
      `${ran} mutant(s) run in ${fmt(mutationMs)}, score of the PR's tests ${strength?.score === null || strength === undefined ? 'n/a' : strength.score.toFixed(2)}`,
  );
}
for (const line of misjudged) console.log(`  misjudged: ${line}`);
const recall = weakTotal === 0 ? 1 : weakFlagged / weakTotal;
const falseFlagRate = strongTotal === 0 ? 0 : strongFlagged / strongTotal;
const prs = Object.keys(expected).length;
console.log(`weak-oracle recall: ${recall.toFixed(2)} (${weakFlagged} of ${weakTotal} weak tests)`);
console.log(
  `false flags: ${strongFlagged} of ${strongTotal} strong tests (rate ${falseFlagRate.toFixed(2)})`,
);
console.log(
  `mutants per second: ${mutantMs === 0 ? 'n/a' : (mutantsRun / (mutantMs / 1000)).toFixed(1)}`,
);
console.log(
  `added wall time per PR: ${fmt(addedMs / prs)} (median with the step - median without)`,
);
console.log(
  `targets: recall >= ${TARGETS.recall}, ${TARGETS.falseFlags} false flags, ratio <= ${TARGETS.ratio}`,
);
console.log(`ratio: ${(addedMs / offMs).toFixed(2)}`);
