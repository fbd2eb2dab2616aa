import path from 'node:path';
import { parseConfig } from '@testgate/core';
import { runGate } from '@testgate/pipeline';
import { createDockerRunner, ensureSandboxImage } from '@testgate/sandbox';
const image = await ensureSandboxImage();
const runner = createDockerRunner();
const dir = '/work/main/bench/data/strength/' + (process.argv[2] ?? 'clamp');
for (const [name, cfg] of [['on', ''], ['off', 'require:\n  strength: false\nstrength:\n  baseRuns: false\n']] as const) {
  const t0 = Date.now();
  const report = await runGate({ runner, image, base: { kind: 'dir', path: path.join(dir, 'base') }, head: { kind: 'dir', path: path.join(dir, 'head') }, config: parseConfig(cfg), generate: 'off',
    onProgress(e) { if (e.phase === 'timings') console.log(name, 'timings', e.message); } });
  console.log(name, Date.now() - t0, 'ms', 'harness', report.durationMs, 'strength', JSON.stringify(report.strength && { d: report.strength.durationMs, b: report.strength.baseDurationMs, runs: report.strength.runs }), report.tests.map((t) => t.label ?? '-').join(','));
}
