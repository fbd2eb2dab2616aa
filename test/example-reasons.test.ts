/**
 * The demo's example (examples/calc) through the CLI, as a user runs it: every rejection
 * reason shows up on the test written to show it, the verdict is fail and the exit code 1.
 * Real git, real Docker, real sandbox image.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REASON_CODES } from '@testgate/core';
import type { GateReport } from '@testgate/core';
import { ensureSandboxImage } from '@testgate/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExampleRepo, REPO_ROOT } from '../apps/cli/src/example-repo.ts';
import { containersLeftBy, runCli } from '../apps/cli/test/run-cli.ts';
import type { CliRun } from '../apps/cli/test/run-cli.ts';

const AI = 'tests/test_parse_ai.py';
/** Test -> the reasons it must be rejected for; `exact` when nothing else may be added. */
const EXPECTED: Record<string, { reasons: string[]; exact: boolean }> = {
  'tests/test_parse.py::test_parse_amount_cases[thousands]': { reasons: [], exact: true },
  [`${AI}::test_parse_amount_good`]: { reasons: [], exact: true },
  [`${AI}::test_parse_amount_shell`]: { reasons: ['unsafe'], exact: false },
  [`${AI}::test_parse_amount_wrong`]: { reasons: ['failed'], exact: true },
  [`${AI}::test_parse_amount_flaky`]: { reasons: ['flaky'], exact: true },
  [`${AI}::test_parse_amount_slow`]: { reasons: ['slow'], exact: true },
  [`${AI}::test_parse_amount_no_assert`]: { reasons: ['no-assert'], exact: true },
  ['tests/test_parse_weak.py::test_parse_amount_weak']: { reasons: ['weak-oracle'], exact: true },
  [`${AI}::test_divide_happy_only`]: { reasons: ['misses-error-path'], exact: true },
  [`${AI}::test_parse_amount_patched`]: { reasons: ['tampering'], exact: true },
  [`${AI}::test_parse_amount_trivial`]: { reasons: ['trivial-assert'], exact: true },
  [`${AI}::test_parse_amount_skipped`]: { reasons: ['skipped'], exact: false },
  [`${AI}::test_parse_amount_hangs`]: { reasons: ['timeout'], exact: false },
  [`${AI}::test_parse_amount_chatty`]: { reasons: ['resource-limit'], exact: false },
  [`${AI}::test_add_again`]: { reasons: ['no-coverage-gain'], exact: true },
};

const work = mkdtempSync(join(tmpdir(), 'testgate-example-'));
let run: CliRun;
let report: GateReport;

beforeAll(async () => {
  await ensureSandboxImage();
  const { dir } = await buildExampleRepo({ name: 'calc', dir: join(work, 'calc') });
  run = await runCli(
    [
      'run',
      '--repo',
      dir,
      '--base',
      'main~1',
      '--head',
      'main',
      '--format',
      'json',
      '--generate',
      'off',
    ],
    {
      timeoutMs: 280_000,
    },
  );
  try {
    report = JSON.parse(run.stdout) as GateReport;
  } catch {
    throw new Error(
      `testgate run printed no JSON report (exit ${String(run.code)}):\n${run.stderr.slice(-4000)}`,
    );
  }
}, 300_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('examples/calc through `testgate run`', () => {
  it('fails the gate with exit code 1 and says so on stderr', () => {
    expect(run.code, run.stderr).toBe(1);
    expect(report.verdict).toBe('fail');
    expect(run.stderr).toContain(`testgate: fail: ${report.title}`);
  });

  it('judges exactly the tests the pull request added or changed (only the new parametrized case)', () => {
    expect(report.tests.map((t) => t.nodeid).sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(report.tests.every((t) => t.origin === 'pr')).toBe(true);
  });

  it('shows each reason on the test written to show it', () => {
    const seen = Object.fromEntries(
      report.tests.map((t) => [t.nodeid, { status: t.status, reasons: t.reasons }]),
    );
    for (const [nodeid, expected] of Object.entries(EXPECTED)) {
      const actual = seen[nodeid];
      expect(actual, nodeid).toBeDefined();
      expect(actual!.status, `${nodeid}: ${actual!.reasons.join(', ')}`).toBe(
        expected.reasons.length === 0 ? 'accepted' : 'rejected',
      );
      if (expected.exact) expect(actual!.reasons, nodeid).toEqual(expected.reasons);
      else expect(actual!.reasons, nodeid).toEqual(expect.arrayContaining(expected.reasons));
    }
  });

  it('reports the file that does not import as an error', () => {
    const broken = report.files.find((f) => f.path === 'tests/test_parse_broken.py');
    expect(broken?.reasons).toEqual(['error']);
    expect(broken?.error).toContain("No module named 'calc.money'");
    expect(broken?.details[0]?.message).toContain('could not be collected');
  });

  it('uses every reason code of the vocabulary', () => {
    const used = new Set([
      ...report.tests.flatMap((t) => t.reasons),
      ...report.files.flatMap((f) => f.reasons),
    ]);
    // `passes-before` needs a pull request that says it fixes a bug and has no test that
    // fails before it, while this one's accepted test does (packages/core/test/strength-policy.test.ts).
    const elsewhere = new Set(['passes-before']);
    expect([...REASON_CODES].filter((code) => !used.has(code) && !elsewhere.has(code))).toEqual([]);
  });

  it('lists the shell call in the security report: static rules and the run-time audit hook', () => {
    const source = readFileSync(join(REPO_ROOT, 'examples/calc/head', AI), 'utf8').split('\n');
    const line = source.findIndex((text) => text.includes('os.system(')) + 1;
    const shell = report.findings.filter((f) => f.file === AI && f.line === line);
    expect(shell.map((f) => f.source).sort()).toEqual(
      expect.arrayContaining(['ast', 'audit', 'bandit']),
    );
    expect(shell.map((f) => f.rule)).toEqual(expect.arrayContaining(['AUDIT-os.system', 'B605']));
  });

  it('leaves no sandbox container behind', () => {
    expect(containersLeftBy([run.pid])).toEqual([]);
  });
});
