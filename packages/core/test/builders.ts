/** Small builders of harness evidence: each test states only what matters to it. */
import type {
  ChangedFunction,
  EvaluationEvidence,
  FileEvidence,
  Finding,
  Mutant,
  MutationEvidence,
  TestEvidence,
  TestRun,
} from '../src/index.ts';
import { evaluationEvidenceSchema } from '../src/index.ts';

export function run(outcome: TestRun['outcome'] = 'passed', extra: Partial<TestRun> = {}): TestRun {
  return { outcome, durationMs: 20, cpuMs: 15, ...extra };
}

export function runs(...outcomes: TestRun['outcome'][]): TestRun[] {
  return outcomes.map((outcome) => run(outcome));
}

export function finding(extra: Partial<Finding> = {}): Finding {
  return {
    rule: 'B605',
    source: 'bandit',
    reason: 'unsafe',
    severity: 'high',
    file: 'tests/test_calc.py',
    line: 12,
    message: 'Starting a process with a shell: os.system',
    ...extra,
  };
}

/** A good PR test: passes 3 times, asserts, covers changed line 3 of calc.py. */
export function test(name = 'test_add', extra: Partial<TestEvidence> = {}): TestEvidence {
  return {
    nodeid: `tests/test_calc.py::${name}`,
    file: 'tests/test_calc.py',
    function: name,
    startLine: 10,
    endLine: 14,
    origin: 'pr',
    change: 'added',
    runs: runs('passed', 'passed', 'passed'),
    coverage: {
      changedLinesCovered: { 'calc.py': [3] },
      changedBranchesCovered: 0,
      linesCovered: 5,
      branchesCovered: 0,
      errorPathLinesReached: {},
    },
    findings: [],
    asserts: 1,
    trivialAsserts: 0,
    ...extra,
  };
}

export function file(extra: Partial<FileEvidence> = {}): FileEvidence {
  return {
    path: 'tests/test_calc.py',
    origin: 'pr',
    kind: 'tests',
    collected: 1,
    findings: [],
    ...extra,
  };
}

export function fn(extra: Partial<ChangedFunction> = {}): ChangedFunction {
  return {
    file: 'calc.py',
    qualname: 'divide',
    startLine: 1,
    endLine: 8,
    changedLines: [3, 5],
    raiseLines: [],
    exceptLines: [],
    ...extra,
  };
}

export function evidence(extra: Partial<EvaluationEvidence> = {}): EvaluationEvidence {
  const tests = extra.tests ?? [test()];
  const built: EvaluationEvidence = {
    protocol: 1,
    mode: 'evaluate',
    project: { layout: 'flat', packages: ['calc'], importable: true },
    changedFiles: [
      { path: 'calc.py', status: 'modified', isTest: false },
      { path: 'tests/test_calc.py', status: 'added', isTest: true },
    ],
    changedLines: { 'calc.py': [3, 5] },
    functions: [fn()],
    files: [file({ collected: tests.length })],
    tests,
    tools: { python: '3.11.2', pytest: '7.2.1', coverage: '6.5.0', bandit: '1.6.2' },
    durationMs: 1234,
    ...extra,
  };
  // Builders must produce what the harness could really send.
  return evaluationEvidenceSchema.parse(built);
}

/** A value-changing mutant of calc.py line 3 (`<` -> `<=`) that every covering test passed on. */
export function mutant(id = 'm1', extra: Partial<Mutant> = {}): Mutant {
  return {
    id,
    file: 'calc.py',
    line: 3,
    col: 8,
    operator: 'compare',
    original: '<',
    replacement: '<=',
    valueChanging: true,
    status: 'survived',
    killedBy: [],
    tests: 1,
    ...extra,
  };
}

/** The evaluation's mutation block around `mutants`. */
export function mutation(
  mutants: Mutant[],
  extra: Partial<MutationEvidence> = {},
): MutationEvidence {
  return {
    mutants,
    changedLines: 2,
    aridLines: 0,
    equivalent: 0,
    capped: false,
    budgetSpent: false,
    runs: mutants.length,
    durationMs: 900,
    baseDurationMs: 100,
    ...extra,
  };
}
