/**
 * The built-in generator end to end: real Docker, the real sandbox image, the harness's
 * `generate` mode, then the whole gate (runGate with generate 'builtin'), asserting what
 * a user sees: accepted generated tests that reach the changed error paths, no flaky
 * suggestions, and functions using the clock, randomness or I/O skipped with a reason.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '@testgate/core';
import type { GateConfig, GateReport } from '@testgate/core';
import { runGate } from '@testgate/pipeline';
import {
  createDockerRunner,
  ensureSandboxImage,
  reapSandboxes,
  runHarness,
} from '@testgate/sandbox';

const runner = createDockerRunner();
const TEST_LABEL = 'testgate.test';
const testRun = `builtin-generator-${randomBytes(4).toString('hex')}`;
const labels = { [TEST_LABEL]: testRun };
const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../examples');
let image = '';

const SHOP_BASE = {
  'shop/__init__.py': '',
  'shop/prices.py': 'def total(prices):\n    return sum(prices)\n',
};
const SHOP_HEAD = {
  'shop/__init__.py': '',
  'shop/prices.py': `import random
import time
import urllib.request

CODES = {"SAVE10": 0.9, "HALF": 0.5}


def total(prices):
    return sum(prices)


def apply_code(amount: float, code: str) -> float:
    if amount < 0:
        raise ValueError(f"negative amount: {amount}")
    if code not in CODES:
        raise KeyError(f"unknown code {code}")
    return round(amount * CODES[code], 2)


def lucky(n: int) -> int:
    return random.randint(0, n)


def stamp(label: str) -> str:
    return f"{label}@{time.time()}"


def fetch(url: str) -> bytes:
    return urllib.request.urlopen(url).read()
`,
};

const config: GateConfig = {
  ...defaultConfig,
  generate: { ...defaultConfig.generate, timeBudgetSeconds: 8 },
};

function generated(report: GateReport) {
  return report.tests.filter((test) => test.origin === 'generated');
}

beforeAll(async () => {
  image = await ensureSandboxImage();
}, 15 * 60_000);

afterAll(async () => {
  await reapSandboxes({ match: labels, olderThanMs: 0 });
});

describe('built-in generator (harness generate mode)', () => {
  it('writes tests for the changed error paths and skips clock, randomness and network code', async () => {
    const generation = await runHarness(runner, {
      mode: 'generate',
      image,
      base: { kind: 'files', files: SHOP_BASE },
      head: { kind: 'files', files: SHOP_HEAD },
      settings: { generateSeconds: 8, maxTestsPerFunction: 6 },
      labels,
    });
    expect(generation.tests.map((t) => t.path)).toEqual(['tests/test_testgate_prices.py']);
    const content = generation.tests[0]?.content ?? '';
    expect(content).toContain('from shop.prices import apply_code');
    expect(content).toMatch(/def test_apply_code_raises_value_error_when_amount_lt_0\(\):/);
    expect(content).toMatch(/with pytest\.raises\(KeyError, match=re\.escape\(/);
    expect(content).toMatch(/assert apply_code\([^)]*["']HALF["']\) == /);
    const skipped = Object.fromEntries(generation.skipped.map((s) => [s.qualname, s.reason]));
    expect(skipped['lucky']).toMatch(/randomness/);
    expect(skipped['stamp']).toMatch(/clock/);
    expect(skipped['fetch']).toMatch(/network|urllib/);
    expect(content).not.toMatch(/lucky|stamp|fetch/);
  }, 120_000);
});

describe('built-in generator through the gate (runGate, generate builtin)', () => {
  it('the example repo gets accepted generated tests that reach the changed raises', async () => {
    const report = await runGate({
      runner,
      image,
      base: { kind: 'dir', path: path.join(examples, 'calc', 'base') },
      head: { kind: 'dir', path: path.join(examples, 'calc', 'head') },
      config,
      generate: 'builtin',
      labels,
    });
    const tests = generated(report);
    expect(report.generation?.generator).toBe('builtin');
    expect(tests.length).toBeGreaterThan(0);
    const accepted = tests.filter((t) => t.status === 'accepted');
    expect(accepted.length).toBeGreaterThan(0);
    expect(tests.every((t) => t.generator === 'builtin')).toBe(true);
    expect(
      tests.filter(
        (t) =>
          t.reasons.includes('flaky') ||
          t.reasons.includes('failed') ||
          t.reasons.includes('error'),
      ),
    ).toEqual([]);
    const reached = accepted.flatMap((t) => Object.values(t.coverage.errorPathLines).flat());
    expect(reached.length).toBeGreaterThan(0);
    expect(report.suggestions.length).toBeGreaterThan(0);
  }, 300_000);

  it('a src-layout package with a flaky function: tests import the package, nothing flaky is offered', async () => {
    const head = {
      'pyproject.toml':
        '[project]\nname = "geo"\nversion = "0.1"\n\n[tool.setuptools.packages.find]\nwhere = ["src"]\n',
      'src/geo/__init__.py': '',
      'src/geo/shapes.py': `import random


class Square:
    def __init__(self, side: int = 1):
        self.side = side

    def area(self) -> int:
        if self.side < 0:
            raise ValueError("negative side")
        return self.side * self.side


def jitter(x: float) -> float:
    return x + random.random()


_seen = []


def remember(x: int) -> int:
    _seen.append(x)
    return len(_seen)
`,
    };
    const report = await runGate({
      runner,
      image,
      base: {
        kind: 'files',
        files: { 'pyproject.toml': head['pyproject.toml'], 'src/geo/__init__.py': '' },
      },
      head: { kind: 'files', files: head },
      config,
      generate: 'builtin',
      labels,
    });
    expect(report.project.layout).toBe('src');
    const tests = generated(report);
    expect(
      tests.some(
        (t) =>
          t.function.startsWith('test_square_area_raises_value_error') && t.status === 'accepted',
      ),
    ).toBe(true);
    expect(
      tests.filter(
        (t) =>
          t.status === 'rejected' &&
          ['flaky', 'failed', 'error'].some((r) => t.reasons.includes(r as never)),
      ),
    ).toEqual([]);
    const skipped = Object.fromEntries(
      (report.generation?.skipped ?? []).map((s) => [s.qualname, s.reason]),
    );
    expect(skipped['jitter']).toMatch(/randomness/);
    expect(skipped['remember']).toMatch(/differ between two runs/);
    for (const suggestion of report.suggestions)
      expect(suggestion.content).toContain('from geo.shapes import');
  }, 300_000);
});
