/**
 * The harness's report: what the Python harness inside the sandbox observed. It is the
 * only channel out of the container, so its shape is validated here before anything
 * trusts it. The harness reports evidence; the gate policy (policy.ts) turns evidence
 * into statuses and reasons. Protocol: docker/sandbox/harness/PROTOCOL.md.
 */
import { z } from 'zod';

const lineList = z.array(z.number().int().nonnegative()).max(200_000);
/** path -> line numbers */
const linesByFile = z.record(z.string().max(4096), lineList);

export const findingSchema = z.object({
  /** Bandit test id (`B605`), our AST rule (`TG-SOCKET`), or audit event rule (`AUDIT-os.system`). */
  rule: z.string().max(200),
  source: z.enum(['bandit', 'ast', 'audit']),
  /** Which rejection reason the finding supports. */
  reason: z.enum(['unsafe', 'tampering']),
  severity: z.enum(['low', 'medium', 'high']),
  file: z.string().max(4096),
  line: z.number().int().nonnegative(),
  message: z.string().max(2000),
  /**
   * What the author should do instead: the harness's rule registry gives it for its own
   * rules (`TG-*`); Bandit's and the audit hook's findings carry none, and the policy's
   * table speaks for them.
   */
  advice: z.string().max(500).optional(),
  /**
   * Static findings: `new` when the line is one the pull request added or changed (or the
   * file is new), `existing` when the base tree already had it. Run-time (audit) findings
   * carry none: what the test did at run time is always its own.
   */
  baseline: z.enum(['new', 'existing']).optional(),
});
export type Finding = z.infer<typeof findingSchema>;

export const runOutcomeSchema = z.enum([
  'passed',
  'failed',
  'error',
  'skipped',
  'xfailed',
  'xpassed',
  'timeout',
  'resource-limit',
]);
export type RunOutcome = z.infer<typeof runOutcomeSchema>;

export const failedAtSchema = z.enum(['check', 'missing', 'error']);

export const testRunSchema = z.object({
  outcome: runOutcomeSchema,
  durationMs: z.number().nonnegative(),
  cpuMs: z.number().nonnegative(),
  /** Failure or error text, trimmed by the harness (tail, at most a few KB). */
  message: z.string().max(20_000).optional(),
  /** For `timeout` / `resource-limit`: which limit hit. */
  limit: z.enum(['cpu', 'wall', 'memory', 'pids', 'disk', 'output', 'files']).optional(),
  /**
   * For `failed` / `error`: where it failed. `check`: at an assert, or a `pytest.raises` that
   * did not see its exception (the test's oracle spoke); `missing`: a name it uses does not
   * exist (an import, attribute or name error, or the file did not collect: over the base
   * code, the function a new test calls is not there yet); `error`: an exception the test did
   * not expect (the code crashed). Absent in reports older than test strength.
   */
  failedAt: failedAtSchema.optional(),
});
export type TestRun = z.infer<typeof testRunSchema>;

/**
 * What a test did over the base code (strength-contract, `baseRuns`): its file from the
 * head, the code under test from the base. Absent when base runs are off.
 */
export const beforeRunSchema = z.object({
  outcome: runOutcomeSchema,
  failedAt: failedAtSchema.optional(),
  message: z.string().max(20_000).optional(),
});
export type BeforeRun = z.infer<typeof beforeRunSchema>;

/**
 * How a test's base run and head runs compare: `fails-before` (fails or errors on base,
 * passes on head: it proves the change), `passes-before` (passes on both: a
 * characterization or refactoring guard), `regression` (passes on base, fails on head),
 * `fails-both`.
 */
export const TEST_LABELS = ['fails-before', 'passes-before', 'regression', 'fails-both'] as const;
export type TestLabel = (typeof TEST_LABELS)[number];

/** Per test: the value-changing mutants of the changed lines it covers, and what it did to them. */
export const testStrengthSchema = z.object({
  /** Value-changing mutants on changed lines this test covers, run against it. */
  mutants: z.number().int().nonnegative(),
  /** Of those, killed at a check (an assert, or `pytest.raises` not seeing its exception). */
  killed: z.number().int().nonnegative(),
  /** Killed only by an error, a crash or a timeout: not evidence of an oracle. */
  crashed: z.number().int().nonnegative(),
  /** Ids (in `mutation.mutants`) of the mutants it killed at a check. */
  killedIds: z.array(z.string().max(100)).max(1000),
  /** Ids of the mutants it failed on only by an error, a crash or a timeout. */
  crashedIds: z.array(z.string().max(100)).max(1000).default([]),
  /** Ids of every mutant run against it (value-changing or not). */
  mutantIds: z.array(z.string().max(100)).max(1000).default([]),
});
export type TestStrength = z.infer<typeof testStrengthSchema>;

export const testEvidenceSchema = z.object({
  /** pytest node id relative to the repo root, e.g. `tests/test_calc.py::test_add[1-2]`. */
  nodeid: z.string().max(4096),
  /**
   * Wall time the test's module spends at import beyond its import statements (module-level
   * work), measured by the harness on its own clock; set only when over the slow budget.
   */
  importMs: z.number().nonnegative().optional(),
  file: z.string().max(4096),
  /** Name of the test function (without parameters). */
  function: z.string().max(1000),
  /** First and last line of the test function in `file`. */
  startLine: z.number().int().nonnegative(),
  endLine: z.number().int().nonnegative(),
  origin: z.enum(['pr', 'generated']),
  /** Model name or `builtin` for generated tests. */
  generator: z.string().max(200).optional(),
  /**
   * For generated tests: the source of each literal its asserts compare with `==` / `!=`,
   * and of each exception `pytest.raises` expects, read from its syntax tree (tg_oracles).
   */
  expected: z.array(z.string().max(200)).max(20).optional(),
  /**
   * For PR tests: whether the test is new or edited in the PR, or `uses`: an unchanged test
   * that runs a fixture, helper or base class the PR changed (judged on what it did, not on
   * how it was written).
   */
  change: z.enum(['added', 'modified', 'uses']).optional(),
  /** First run plus reruns, in order. */
  runs: z.array(testRunSchema).max(50),
  coverage: z.object({
    /** Changed (added or modified) source lines of the head tree this test executed. */
    changedLinesCovered: linesByFile,
    /** Branch arcs starting on a changed line that the test took. */
    changedBranchesCovered: z.number().int().nonnegative(),
    /** Total source lines (not tests) the test executed. */
    linesCovered: z.number().int().nonnegative(),
    branchesCovered: z.number().int().nonnegative(),
    /** Changed `raise` / `except` lines the test reached. */
    errorPathLinesReached: linesByFile,
  }),
  /** Static (Bandit, AST) and run-time (audit hook) findings attributed to this test. */
  findings: z.array(findingSchema).max(1000),
  /** Assertions in the test body: `assert`, `pytest.raises`/`warns`, mock `assert_*`. */
  asserts: z.number().int().nonnegative(),
  /** Of those, assertions that are always true (`assert True`, `assert x == x`, ...). */
  trivialAsserts: z.number().int().nonnegative(),
  /** The one run over the base code; absent when base runs are off (or in older reports). */
  before: beforeRunSchema.optional(),
  /** How the base run and the head runs compare; absent when there was no base run. */
  label: z.enum(TEST_LABELS).optional(),
  /** Mutants of the changed lines this test covers; absent when mutation did not run. */
  strength: testStrengthSchema.optional(),
});
export type TestEvidence = z.infer<typeof testEvidenceSchema>;

export const fileEvidenceSchema = z.object({
  path: z.string().max(4096),
  origin: z.enum(['pr', 'generated']),
  /** How many candidate tests of this file were collected. */
  collected: z.number().int().nonnegative(),
  /** Collection or import error text (trimmed), when the file could not be collected. */
  error: z.string().max(20_000).optional(),
  /** Module-level findings (outside any test function); they apply to every test of the file. */
  findings: z.array(findingSchema).max(1000),
  /**
   * `tests`: a module pytest collects tests from; `support`: test code that is not (a
   * helper module, `conftest.py`, `tests/__init__.py`). Both are scanned. `source`: code
   * under test whose import failed, so no test could run (its `error` says why).
   */
  kind: z.enum(['tests', 'support', 'source']).default('tests'),
  /**
   * Set when the file could not be collected because it imports a module that is neither in
   * the repository nor in the sandbox (a third-party dependency): not the PR's fault.
   */
  missingDependency: z.string().max(500).optional(),
  /**
   * Set when the file could not be collected because it reads a git submodule that the tree
   * does not hold (archives leave submodules empty, and the sandbox cannot fetch them).
   */
  missingSubmodule: z.string().max(4096).optional(),
  /** Tests pytest collected in the file, judged or not (absent when it was not collected). */
  items: z.number().int().nonnegative().optional(),
});
export type FileEvidence = z.infer<typeof fileEvidenceSchema>;

export const changedFunctionSchema = z.object({
  file: z.string().max(4096),
  /** `func` or `Class.method`. */
  qualname: z.string().max(1000),
  startLine: z.number().int().nonnegative(),
  endLine: z.number().int().nonnegative(),
  changedLines: lineList,
  /** Changed lines inside the function holding a `raise` statement or an `except` clause. */
  raiseLines: lineList,
  exceptLines: lineList,
});
export type ChangedFunction = z.infer<typeof changedFunctionSchema>;

const projectSchema = z.object({
  layout: z.enum(['flat', 'src', 'unknown']),
  /** Top-level importable packages or modules found in the head tree. */
  packages: z.array(z.string().max(500)).max(1000),
  /** Whether the PR's package imports the way its tests import it. */
  importable: z.boolean(),
  /** Why it does not import (trimmed traceback tail), when `importable` is false. */
  importError: z.string().max(20_000).optional(),
  /**
   * Whose fault it is that it does not import: `dependency` (the import system found no such
   * third-party module), `gate` (a package the gate's own tools shadow, a module the build
   * writes), both neutral; `pr` (the PR's code raised, hung or was killed while importing):
   * a failure, with a `source` entry in `files` where the import failed.
   */
  importBlame: z.enum(['dependency', 'gate', 'pr']).optional(),
});

export const MUTANT_OPERATORS = [
  'compare',
  'boolean',
  'arithmetic',
  'constant',
  'return',
  'raise',
  'condition',
] as const;

/** One mutant of a changed line: the code with one small change, run against its tests. */
export const mutantSchema = z.object({
  id: z.string().max(100),
  file: z.string().max(4096),
  line: z.number().int().nonnegative(),
  col: z.number().int().nonnegative(),
  operator: z.enum(MUTANT_OPERATORS),
  /** The source before and after, e.g. `<` and `<=`, `return total` and `return None`. */
  original: z.string().max(200),
  replacement: z.string().max(200),
  /** False for the `return None` kind: any caller "kills" those, so they prove no oracle. */
  valueChanging: z.boolean(),
  /**
   * `killed`: some test failed at a check; `crashed`: tests failed only by an error or a
   * timeout; `survived`: every covering test passed; `not-run`: the budget or cap was spent,
   * or no test covers it.
   */
  status: z.enum(['killed', 'survived', 'crashed', 'not-run']),
  /** Node ids of the tests that killed it at a check. */
  killedBy: z.array(z.string().max(4096)).max(50),
  /** Tests run on it. */
  tests: z.number().int().nonnegative(),
});
export type Mutant = z.infer<typeof mutantSchema>;

/** The mutation step of an evaluation (strength-contract); absent when it did not run. */
export const mutationEvidenceSchema = z.object({
  mutants: z.array(mutantSchema).max(10_000),
  /** Changed executable lines of non-test code considered. */
  changedLines: z.number().int().nonnegative(),
  /** Changed lines skipped as arid: logging, docstrings, `pass`, ... */
  aridLines: z.number().int().nonnegative(),
  /** Mutants dropped as equivalent (same bytecode, `x*1` -> `x/1`, ...). */
  equivalent: z.number().int().nonnegative(),
  /** `maxMutants` / `maxPerLine` cut some. */
  capped: z.boolean(),
  /** The seconds budget stopped the mutant runs. */
  budgetSpent: z.boolean(),
  /** Mutant runs done. */
  runs: z.number().int().nonnegative(),
  /** Wall time of the strength step (base runs and mutant runs). */
  durationMs: z.number().nonnegative(),
  /** Of that, the base runs. */
  baseDurationMs: z.number().nonnegative(),
});
export type MutationEvidence = z.infer<typeof mutationEvidenceSchema>;

export const evaluationEvidenceSchema = z.object({
  protocol: z.literal(1),
  mode: z.literal('evaluate'),
  project: projectSchema,
  changedFiles: z
    .array(
      z.object({
        path: z.string().max(4096),
        status: z.enum(['added', 'modified', 'deleted']),
        isTest: z.boolean(),
      }),
    )
    .max(100_000),
  /**
   * Added or modified executable statements of non-test Python files in the head tree, by
   * the first line of each statement (coverage.py's numbering): docstrings, comments and
   * blank lines are not counted.
   */
  changedLines: linesByFile,
  /** The test naming the harness used: the project's pytest config, else pytest's defaults. */
  naming: z
    .object({
      source: z.string().max(200),
      pythonFiles: z.array(z.string().max(1000)).max(200),
      pythonClasses: z.array(z.string().max(1000)).max(200),
      pythonFunctions: z.array(z.string().max(1000)).max(200),
      testpaths: z.array(z.string().max(1000)).max(200),
    })
    .optional(),
  functions: z.array(changedFunctionSchema).max(100_000),
  files: z.array(fileEvidenceSchema).max(10_000),
  tests: z.array(testEvidenceSchema).max(10_000),
  tools: z.object({
    python: z.string().max(100),
    pytest: z.string().max(100),
    coverage: z.string().max(100),
    bandit: z.string().max(100),
    /** Set when Bandit could not run; static AST rules still apply. */
    banditError: z.string().max(20_000).optional(),
  }),
  /** Mutants of the changed lines and their fate; absent when mutation is off or in older reports. */
  mutation: mutationEvidenceSchema.optional(),
  durationMs: z.number().nonnegative(),
});
export type EvaluationEvidence = z.infer<typeof evaluationEvidenceSchema>;

/** What a model needs to write tests for one changed function (harness `analyze` mode). */
export const functionContextSchema = z.object({
  file: z.string().max(4096),
  qualname: z.string().max(1000),
  /** Dotted module name as the PR's tests import it, e.g. `calc.parse`. */
  module: z.string().max(1000),
  /** Source of the function itself. */
  source: z.string().max(500_000),
  /** Its docstring, as `ast.get_docstring` reads it. */
  docstring: z.string().max(500_000).optional(),
  /** The module's import statements, verbatim. */
  imports: z.string().max(200_000),
  /** `class X(Base):` line plus class attributes, for methods. */
  classHeader: z.string().max(200_000).optional(),
  /** Module-level helpers and constants the function refers to, nearest first. */
  uses: z
    .array(z.object({ name: z.string().max(1000), source: z.string().max(500_000) }))
    .max(1000),
  /** The head of an existing test file for this module, to copy its style. */
  testStyle: z.object({ path: z.string().max(4096), source: z.string().max(200_000) }).optional(),
});
export type FunctionContext = z.infer<typeof functionContextSchema>;

export const analysisSchema = z.object({
  protocol: z.literal(1),
  mode: z.literal('analyze'),
  project: projectSchema,
  changedLines: linesByFile,
  functions: z.array(changedFunctionSchema).max(100_000),
  contexts: z.array(functionContextSchema).max(100_000),
  durationMs: z.number().nonnegative(),
});
export type Analysis = z.infer<typeof analysisSchema>;

/** The built-in generator's output (harness `generate` mode): test files to be judged. */
export const generationSchema = z.object({
  protocol: z.literal(1),
  mode: z.literal('generate'),
  project: projectSchema,
  functions: z.array(changedFunctionSchema).max(100_000),
  tests: z
    .array(
      z.object({
        /** Where the file goes in the head tree, e.g. `tests/test_testgate_calc.py`. */
        path: z.string().max(4096),
        content: z.string().max(2_000_000),
        /** Target functions (qualnames) the file tests. */
        targets: z.array(z.string().max(1000)).max(1000),
      }),
    )
    .max(1000),
  skipped: z
    .array(
      z.object({
        file: z.string().max(4096),
        qualname: z.string().max(1000),
        reason: z.string().max(2000),
      }),
    )
    .max(100_000),
  /**
   * Observed exceptions that contradict the function's own contract (its docstring's
   * examples, its type hints, a sentinel default): reported, never offered as tests.
   */
  suspectedBugs: z
    .array(
      z.object({
        file: z.string().max(4096),
        qualname: z.string().max(1000),
        message: z.string().max(2000),
      }),
    )
    .max(1000)
    .default([]),
  durationMs: z.number().nonnegative(),
});
export type Generation = z.infer<typeof generationSchema>;
