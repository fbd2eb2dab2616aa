/**
 * The gate policy: evidence (what the harness observed) + config -> statuses, reasons and a
 * verdict. Pure: no I/O, no clock, so every rule is unit-tested with hand-built evidence.
 *
 * The verdict is about the pull request's own tests (`origin: 'pr'`). Generated tests are
 * judged by the same rules, but a rejected suggestion is simply not offered: it never
 * fails the check.
 */
import type { GateConfig } from './config.ts';
import type {
  ChangedFunction,
  EvaluationEvidence,
  FileEvidence,
  Finding,
  Mutant,
  MutationEvidence,
  TestEvidence,
  TestRun,
  TestStrength,
} from './evidence.ts';
import type {
  FileResult,
  GateReport,
  MutantRef,
  ReasonDetail,
  StrengthSummary,
  TestCoverage,
  TestResult,
} from './gate-report.ts';
import { REASON_CODES, type ReasonCode, type Verdict } from './vocabulary.ts';

/** Facts about this run that are not in the evidence: what the pull request says of itself. */
interface JudgeOptions {
  /**
   * The pull request says it fixes a bug (the App: a `bug`/`bugfix`/`fix` label or a
   * closing keyword such as "fixes #12"; the CLI: `--fixes-bug`). With
   * `require.failsBefore`, one of its tests must then fail on the code before the change.
   * @defaultValue false
   */
  claimsFix?: boolean;
}

export function judge(
  evidence: EvaluationEvidence,
  config: GateConfig,
  options: JudgeOptions = {},
): GateReport {
  const changedLinesTotal = countLines(evidence.changedLines);
  const supportFindings = collectSupportFindings(evidence);
  const filesByPath = new Map(evidence.files.map((file) => [file.path, file]));
  // The PR's own tests must reach its error paths themselves: suggestions Testgate wrote
  // are not in the PR yet, so they cannot excuse a PR test. A generated test may lean on
  // any test, PR or generated.
  const prErrorPathGaps = config.require.errorPath
    ? findErrorPathGaps(evidence, (test) => test.origin === 'pr')
    : [];
  const anyErrorPathGaps = config.require.errorPath ? findErrorPathGaps(evidence, () => true) : [];
  // A fix is proven by a test that fails without it. When none of the PR's own tests does,
  // its tests that pass on the base too are what it offers instead: each is told so.
  const fixUnproven =
    config.require.failsBefore &&
    options.claimsFix === true &&
    !evidence.tests.some((test) => isAuthoredByPr(test) && test.label === 'fails-before');
  // A PR test is judged against what the PR's own tests showed, a suggestion against every
  // test: the PR's verdict must not depend on which suggestions were generated.
  const mutation = {
    pr: mutationFacts(evidence, (test) => test.origin === 'pr'),
    all: mutationFacts(evidence, () => true),
  };

  const tests = evidence.tests.map((test) =>
    judgeTest(test, {
      config,
      file: filesByPath.get(test.file),
      supportFindings:
        test.origin === 'pr'
          ? supportFindings.filter((s) => s.appliesTo(test.file)).map((s) => s.finding)
          : [],
      changedLinesTotal,
      errorPathGaps: test.origin === 'pr' ? prErrorPathGaps : anyErrorPathGaps,
      fixUnproven,
      mutation,
    }),
  );
  const files = evidence.files.map((file) => judgeFile(file, config));

  const allFindings = dedupeFindings([
    ...evidence.files.flatMap((file) => file.findings),
    ...evidence.tests.flatMap((test) => test.findings),
  ]).sort(compareFindings);
  const findings = allFindings.filter((finding) => !isExisting(finding, config));
  const existingFindings = allFindings.filter((finding) => isExisting(finding, config));

  const byReason: Partial<Record<ReasonCode, number>> = {};
  for (const test of tests)
    for (const reason of test.reasons) byReason[reason] = (byReason[reason] ?? 0) + 1;
  const accepted = tests.filter((test) => test.status === 'accepted').length;

  const { verdict, title, neutralReason } = decide(evidence, tests, files);
  const project: GateReport['project'] = {
    layout: evidence.project.layout,
    importable: evidence.project.importable,
    ...(evidence.project.importError === undefined
      ? {}
      : { importError: evidence.project.importError }),
  };
  const tools: Record<string, string> = {};
  for (const [name, version] of Object.entries(evidence.tools))
    if (version !== undefined) tools[name] = version;

  return {
    verdict,
    title,
    ...(neutralReason === undefined ? {} : { neutralReason }),
    counts: { accepted, rejected: tests.length - accepted, byReason },
    tests,
    files,
    findings,
    existingFindings,
    changedLines: evidence.changedLines,
    project,
    suggestions: [],
    tools,
    ...(evidence.mutation === undefined
      ? {}
      : { strength: strengthSummary(evidence.mutation, evidence.tests) }),
    durationMs: evidence.durationMs,
  };
}

// --- tests ------------------------------------------------------------------------------

interface TestContext {
  config: GateConfig;
  file: FileEvidence | undefined;
  /** Findings in conftest.py / pytest configuration that pytest loads for this test. */
  supportFindings: Finding[];
  changedLinesTotal: number;
  errorPathGaps: ErrorPathGap[];
  /** The PR says it fixes a bug and none of its tests fails before the change (`require.failsBefore`). */
  fixUnproven: boolean;
  /** The evaluation's mutants (empty without mutation data), as the PR's tests and as all tests saw them. */
  mutation: { pr: MutationFacts; all: MutationFacts };
}

/** The evaluation's mutants by id; per mutant, how many of some tests ran it, crashed on it and killed it at a check. */
interface MutationFacts {
  byId: ReadonlyMap<string, Mutant>;
  ran: ReadonlyMap<string, number>;
  crashes: ReadonlyMap<string, number>;
  kills: ReadonlyMap<string, number>;
}

function mutationFacts(
  evidence: EvaluationEvidence,
  counted: (test: TestEvidence) => boolean,
): MutationFacts {
  const tally = (ids: (strength: TestStrength) => readonly string[]) => {
    const counts = new Map<string, number>();
    for (const test of evidence.tests) {
      if (test.strength === undefined || !counted(test)) continue;
      for (const id of ids(test.strength)) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  };
  return {
    byId: new Map((evidence.mutation?.mutants ?? []).map((mutant) => [mutant.id, mutant])),
    ran: tally((strength) => strength.mutantIds),
    crashes: tally((strength) => strength.crashedIds),
    kills: tally((strength) => strength.killedIds),
  };
}

/** Outcomes of a base run that count as "fails before the change". */
const NOT_PASSING = new Set<TestRun['outcome']>(['failed', 'error', 'timeout', 'resource-limit']);

/** Mutants that break the code for every caller: a crash on one tells nothing about a test. */
const EVERY_CALLER_OPERATORS = new Set<Mutant['operator']>(['condition', 'return']);

const FIXTURE_USER_REASONS = new Set<ReasonCode>([
  'failed',
  'error',
  'flaky',
  'timeout',
  'resource-limit',
  'unsafe',
  'tampering',
]);

function judgeTest(test: TestEvidence, context: TestContext): TestResult {
  const { config } = context;
  const details: ReasonDetail[] = [];
  const findings = dedupeFindings([
    ...test.findings,
    ...(context.file?.findings ?? []),
    ...context.supportFindings,
  ]);

  for (const finding of findings) {
    if (rejects(finding, config)) details.push(findingDetail(finding, test.file));
  }
  if (context.file?.error !== undefined) {
    details.push({ reason: 'error', message: collectionErrorMessage(context.file.error) });
  }
  details.push(...runDetails(test.runs, config, test.importMs ?? 0, test.file));

  if (config.require.assertions) {
    if (test.asserts === 0) {
      details.push({
        reason: 'no-assert',
        message:
          'asserts nothing: assert on the result of the code under test (or use pytest.raises for an error)',
      });
    } else if (test.trivialAsserts >= test.asserts) {
      details.push({
        reason: 'trivial-assert',
        message: `${test.asserts === 1 ? 'its only assert is' : `all ${test.asserts} of its asserts are`} always true (like "assert True" or "assert x == x"): assert on the result of the code under test`,
      });
    }
  }

  const covered = countLines(test.coverage.changedLinesCovered);
  // When the PR changes no source lines (tests only, docs), there is nothing to gain.
  if (config.require.coverageGain && context.changedLinesTotal > 0 && covered === 0) {
    details.push({
      reason: 'no-coverage-gain',
      message: `executes none of the ${plural(context.changedLinesTotal, 'changed source line')}: test the code this pull request changes`,
    });
  }

  for (const gap of context.errorPathGaps) {
    const inFunction = test.coverage.changedLinesCovered[gap.fn.file]?.some(
      (line) => line >= gap.fn.startLine && line <= gap.fn.endLine,
    );
    if (!inFunction) continue;
    details.push({
      reason: 'misses-error-path',
      message: `no test reaches the error path of ${gap.fn.qualname} (${gap.kind} at ${gap.fn.file}:${gap.line}): add a test that ${gap.kind === 'raise' ? 'triggers it with pytest.raises' : 'makes the code take the except branch'}`,
      file: gap.fn.file,
      line: gap.line,
    });
  }

  // Said even next to no-assert, trivial-assert or tampering: what the mutants showed is
  // its own evidence (an assert swallowed by `try/except` is tampering, and also checks nothing).
  const weak = config.require.strength ? weakOracleDetail(test, context.mutation) : undefined;
  if (weak) details.push(weak);

  if (context.fixUnproven && isAuthoredByPr(test) && test.label === 'passes-before') {
    details.push({
      reason: 'passes-before',
      message:
        'this pull request says it fixes a bug, but none of its tests fails on the code before the change (this one passes there too): add a regression test that fails without the fix',
    });
  }

  // An unchanged test judged because it runs a fixture, helper or base class the PR changed
  // answers for what the change did to it (failing, flaky, unsafe...), not for how it was
  // written long ago.
  const judged =
    test.change === 'uses'
      ? details.filter((detail) => FIXTURE_USER_REASONS.has(detail.reason))
      : details;
  const reasons = sortReasons(judged.map((detail) => detail.reason));
  const coverage: TestCoverage = {
    changedLines: test.coverage.changedLinesCovered,
    changedLinesCovered: covered,
    changedLinesTotal: context.changedLinesTotal,
    changedBranchesCovered: test.coverage.changedBranchesCovered,
    linesCovered: test.coverage.linesCovered,
    branchesCovered: test.coverage.branchesCovered,
    errorPathLines: test.coverage.errorPathLinesReached,
  };
  return {
    nodeid: test.nodeid,
    file: test.file,
    function: test.function,
    line: test.startLine,
    origin: test.origin,
    ...(test.generator === undefined ? {} : { generator: test.generator }),
    status: reasons.length === 0 ? 'accepted' : 'rejected',
    reasons,
    details: sortDetails(judged),
    findings: findings.sort(compareFindings),
    runs: test.runs.map((run) => run.outcome),
    durationMs: median(test.runs.map((run) => run.durationMs)),
    coverage,
    ...(test.label === undefined ? {} : { label: test.label }),
    ...(test.before === undefined ? {} : { before: test.before }),
    ...(test.strength === undefined ? {} : { strength: test.strength }),
  };
}

/**
 * A test of the change: a generated one, or one the pull request added or edited. An
 * unchanged test picked because it runs the change (`change: 'uses'`) makes no claim about
 * the change, so it is not held to the change's standards (strength, failing before).
 */
function isAuthoredByPr(test: TestEvidence): boolean {
  return test.origin === 'pr' && test.change !== 'uses';
}

/**
 * `weak-oracle`: a test that passes and runs the change, but would pass whatever the change
 * computed. Measured on real merged pull requests (docs/architecture.md, "Test strength"),
 * the rule is:
 * - it passes every run on the head, and it does not fail over the base code (a PR test: for
 *   any reason; a generated one: for a reason other than a missing name, since every
 *   suggestion for a new function fails there for that);
 * - no mutant it crashed tells its inputs apart: a crash counts for the test when the mutant
 *   swaps an operator or nudges a constant (which breaks the code for some inputs only) and
 *   did not crash every test run on it; a forced condition or `return None` breaks it for
 *   every caller and says nothing about this one;
 * - it covers a value-changing mutant that some test of the evaluation kills at a check
 *   (so the mutant is not an equivalent one) and kills none of those at a check; a generated
 *   test with no such mutant is weak when it kills none of the value-changing mutants it
 *   covers.
 * Absent strength data means "not measured", never a rejection.
 */
function weakOracleDetail(
  test: TestEvidence,
  facts: { pr: MutationFacts; all: MutationFacts },
): ReasonDetail | undefined {
  const mutation = test.origin === 'pr' ? facts.pr : facts.all;
  // A test the PR did not touch makes no claim about the change (see isAuthoredByPr).
  if (test.origin === 'pr' && !isAuthoredByPr(test)) return undefined;
  const strength = test.strength;
  if (strength === undefined || strength.mutants === 0 || strength.killed > 0) return undefined;
  // A failing or flaky test has its own reasons; strength is about tests that pass.
  if (test.runs.length === 0 || !test.runs.every((run) => run.outcome === 'passed'))
    return undefined;
  const before = test.before;
  if (
    before !== undefined &&
    NOT_PASSING.has(before.outcome) &&
    (test.origin === 'pr' || before.failedAt !== 'missing')
  )
    return undefined;
  const telling = strength.crashedIds.some((id) => {
    const mutant = mutation.byId.get(id);
    return (
      mutant !== undefined &&
      mutant.valueChanging &&
      !EVERY_CALLER_OPERATORS.has(mutant.operator) &&
      (mutation.crashes.get(id) ?? 0) < (mutation.ran.get(id) ?? 0)
    );
  });
  if (telling) return undefined;
  const covered = strength.mutantIds
    .map((id) => mutation.byId.get(id))
    .filter((mutant): mutant is Mutant => mutant !== undefined && mutant.valueChanging);
  const proven = covered.filter((mutant) => (mutation.kills.get(mutant.id) ?? 0) > 0);
  if (proven.length === 0 && (test.origin === 'pr' || covered.length === 0)) return undefined;
  const killed = new Set(strength.killedIds);
  const survivors = (proven.length > 0 ? proven : covered).filter(
    (mutant) => !killed.has(mutant.id),
  );
  const named = survivors.slice(0, 3).map(describeMutant);
  const more = survivors.length > named.length ? ', ...' : '';
  const crashed =
    strength.crashed > 0
      ? `; ${strength.crashed === strength.mutants ? 'all' : strength.crashed} of them only make the code raise or hang, which any caller would notice`
      : '';
  const first = survivors[0];
  return {
    reason: 'weak-oracle',
    message: `covers ${plural(strength.mutants, 'mutant')} of the changed lines${named.length > 0 ? ` (${named.join(', ')}${more})` : ''} and fails on none of them at an assert${crashed}: its assertions do not check what the change computes; assert the exact result`,
    ...(first === undefined ? {} : { file: first.file, line: first.line }),
  };
}

/** `calc/ops.py:12 \`<\` -> \`<=\``: where, and what changed. */
export function describeMutant(
  mutant: Pick<Mutant, 'file' | 'line' | 'original' | 'replacement'>,
): string {
  return `${mutant.file}:${mutant.line} \`${mutant.original}\` -> \`${mutant.replacement}\``;
}

function mutantRef(mutant: Mutant): MutantRef {
  const { id, file, line, original, replacement, operator } = mutant;
  return { id, file, line, original, replacement, operator };
}

/**
 * The evaluation's mutants for the reviewer. The score is the PR's tests' alone: mutants on
 * lines a PR test covers that ran, and of those the ones a PR test killed at a check.
 */
function strengthSummary(
  mutation: MutationEvidence,
  tests: readonly TestEvidence[],
): StrengthSummary {
  const prTests = tests.filter((test) => test.origin === 'pr');
  const prNodeids = new Set(prTests.map((test) => test.nodeid));
  const prKilledIds = new Set(prTests.flatMap((test) => test.strength?.killedIds ?? []));
  const ran = mutation.mutants.filter((mutant) => mutant.status !== 'not-run');
  const againstPr = ran.filter((mutant) =>
    prTests.some((test) =>
      (test.coverage.changedLinesCovered[mutant.file] ?? []).includes(mutant.line),
    ),
  );
  const prKilled = againstPr.filter(
    (mutant) =>
      prKilledIds.has(mutant.id) || mutant.killedBy.some((nodeid) => prNodeids.has(nodeid)),
  ).length;
  const byStatus = (status: Mutant['status']) =>
    mutation.mutants.filter((mutant) => mutant.status === status);
  return {
    mutants: mutation.mutants.length,
    killed: byStatus('killed').length,
    survived: byStatus('survived').length,
    crashed: byStatus('crashed').length,
    notRun: byStatus('not-run').length,
    prMutants: againstPr.length,
    prKilled,
    score: againstPr.length === 0 ? null : prKilled / againstPr.length,
    survivors: byStatus('survived').sort(compareMutants).map(mutantRef),
    // A forced condition or `return None` that only crashes breaks the code for every
    // caller: no test could check a value there, so it is no finding.
    crashedOnly: byStatus('crashed')
      .filter((mutant) => !EVERY_CALLER_OPERATORS.has(mutant.operator))
      .sort(compareMutants)
      .map(mutantRef),
    capped: mutation.capped,
    budgetSpent: mutation.budgetSpent,
    runs: mutation.runs,
    durationMs: mutation.durationMs,
    baseDurationMs: mutation.baseDurationMs,
  };
}

function compareMutants(a: Mutant, b: Mutant): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col;
}

/**
 * importMs: work the test's module does at import beyond its imports (measured by the
 * harness against a copy holding only the import statements): it delays every test of the
 * file, so it counts toward `slow` as much as the test's own time.
 */
function runDetails(runs: TestRun[], config: GateConfig, importMs = 0, file = ''): ReasonDetail[] {
  const n = runs.length;
  if (n === 0) {
    return [
      {
        reason: 'error',
        message:
          'never ran: pytest collected it but reported no result; check its fixtures and markers',
      },
    ];
  }
  const details: ReasonDetail[] = [];
  const count = (predicate: (run: TestRun) => boolean) => runs.filter(predicate).length;
  const of = (k: number) =>
    k === n ? (n === 1 ? 'its only run' : `all ${n} runs`) : `${k} of ${n} runs`;
  const passed = count((run) => run.outcome === 'passed');
  const failed = runs.filter((run) => run.outcome === 'failed');
  const errored = runs.filter((run) => run.outcome === 'error');

  if (errored.length > 0) {
    details.push({
      reason: 'error',
      message: `errored outside the test body in ${of(errored.length)}${tail(errored)}: fix the fixture, setup or import it depends on`,
    });
  }
  // "Failed" means it never passed; a test that sometimes passes is flaky instead.
  if (failed.length > 0 && passed === 0) {
    details.push({
      reason: 'failed',
      message: `failed in ${of(failed.length)}${tail(failed)}: fix the test or the code it tests`,
    });
  }
  const outcomes = [...new Set(runs.map((run) => run.outcome))];
  if (outcomes.length > 1) {
    const message =
      passed > 0
        ? `passed ${passed} of ${n} runs: the outcome depends on timing, order or randomness; make it deterministic`
        : `gave different outcomes across ${n} runs (${outcomes.join(', ')}): the outcome depends on timing, order or randomness; make it deterministic`;
    details.push({ reason: 'flaky', message });
  }

  const skipped = count((run) => run.outcome === 'skipped');
  const xfailed = count((run) => run.outcome === 'xfailed');
  const xpassed = count((run) => run.outcome === 'xpassed');
  if (skipped > 0) {
    details.push({
      reason: 'skipped',
      message: `was skipped in ${of(skipped)}: a skipped test proves nothing; remove the skip or the test`,
    });
  } else if (xfailed > 0) {
    details.push({
      reason: 'skipped',
      message:
        'is marked xfail and failed as expected: an expected failure proves nothing; assert the correct behaviour instead',
    });
  } else if (xpassed > 0) {
    details.push({
      reason: 'skipped',
      message: 'is marked xfail but passed: remove the xfail marker',
    });
  }

  const timeouts = runs.filter((run) => run.outcome === 'timeout');
  if (timeouts.length > 0) {
    const wall = timeouts.some((run) => run.limit === 'wall');
    const cpu = timeouts.some((run) => run.limit === 'cpu');
    const limit =
      wall && !cpu
        ? `the ${config.limits.wallSeconds} s wall-clock limit`
        : cpu && !wall
          ? `the ${config.limits.cpuSeconds} s CPU limit`
          : `the time limit (${config.limits.cpuSeconds} s CPU, ${config.limits.wallSeconds} s wall clock)`;
    details.push({
      reason: 'timeout',
      message: `was killed at ${limit} in ${of(timeouts.length)}: it ${wall && !cpu ? 'hangs or waits on something' : 'may loop forever'}; make it finish well within the limit`,
    });
  }

  const limited = runs.filter((run) => run.outcome === 'resource-limit');
  if (limited.length > 0) {
    const limit = limited.find((run) => run.limit !== undefined)?.limit;
    details.push({
      reason: 'resource-limit',
      message: `${resourceLimitText(limit, config)} in ${of(limited.length)}: use smaller inputs`,
    });
  }

  // A timed-out test is already over budget; saying "slow" too adds nothing.
  const duration = median(runs.map((run) => run.durationMs));
  if (timeouts.length === 0 && duration + importMs > config.limits.slowMs) {
    const atImport =
      importMs > 0
        ? ` plus ${Math.round(importMs)} ms of work at the import of ${file} (module-level code beyond its imports)`
        : '';
    details.push({
      reason: 'slow',
      message: `took ${Math.round(duration)} ms${atImport} (budget ${config.limits.slowMs} ms): make it faster with smaller inputs or by mocking slow calls`,
    });
  }
  return details;
}

function resourceLimitText(limit: TestRun['limit'], config: GateConfig): string {
  switch (limit) {
    case 'memory':
      return `exceeded the ${config.limits.memoryMb} MB memory limit`;
    case 'pids':
      return 'started too many processes or threads';
    case 'disk':
      return 'wrote too much to disk';
    case 'output':
      return 'printed too much output';
    case 'files':
      return 'opened too many files';
    default:
      return 'hit a sandbox resource limit';
  }
}

/** `: AssertionError: assert 3 == 4`, the most telling line of the first message. */
function tail(runs: TestRun[]): string {
  const message = runs.find((run) => run.message)?.message;
  if (!message) return '';
  const lines = message
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  // pytest prefixes the failing assertion with "E"; the last such line names the error.
  const eLines = lines.filter((line) => line.startsWith('E ')).map((line) => line.slice(2).trim());
  const pick =
    eLines.find((line) => /\w+(Error|Exception)\b/.test(line)) ??
    eLines[0] ??
    lines[lines.length - 1] ??
    '';
  return pick ? ` (${truncate(pick, 200)})` : '';
}

// --- findings ---------------------------------------------------------------------------

const SEVERITY_RANK = { low: 0, medium: 1, high: 2 } as const;
const FAIL_ON_RANK = { any: 0, medium: 1, high: 2 } as const;

/**
 * Whether a static finding was already in the base tree and, under `security.scope:
 * changed`, is reported as existing rather than held against the pull request.
 */
function isExisting(finding: Finding, config: GateConfig): boolean {
  return (
    config.security.scope === 'changed' &&
    finding.source !== 'audit' &&
    finding.baseline === 'existing'
  );
}

/** Whether a finding rejects the test or file it is on, under the repo's security settings. */
function rejects(finding: Finding, config: GateConfig): boolean {
  // What the sandbox saw at run time actually happened: no config can allow it.
  if (finding.source === 'audit') return true;
  if (config.security.allowRules.includes(finding.rule)) return false;
  if (isExisting(finding, config)) return false;
  // Tampering undermines every other check.
  if (finding.reason === 'tampering') return true;
  return SEVERITY_RANK[finding.severity] >= FAIL_ON_RANK[config.security.failOn];
}

function findingDetail(finding: Finding, testFile: string | undefined): ReasonDetail {
  const where =
    finding.file === testFile ? `line ${finding.line}` : `${finding.file}:${finding.line}`;
  const what = truncate(stripPeriod(lowerFirst(finding.message.trim())), 300);
  return {
    reason: finding.reason,
    message: `${what} (${finding.rule}) at ${where}: ${adviceFor(finding)}`,
    rule: finding.rule,
    line: finding.line,
    ...(finding.file === testFile ? {} : { file: finding.file }),
  };
}

const SHELL = 'tests must not run shell commands or other programs';
const PROCESSES = 'tests must not start or signal processes';
const KERNEL =
  'tests must not start programs or processes, signal other processes or open network sockets';
const NETWORK = 'tests must not use the network (the sandbox has none); mock the client instead';
const NATIVE = 'tests must not load native code';
const DYNAMIC = 'tests must not evaluate dynamic code';
const PICKLE = 'tests must not unpickle data: it can run arbitrary code';
const WRITES = "tests must write only under pytest's tmp_path";
const ENVIRONMENT = 'tests must not change the environment; use monkeypatch.setenv';
const HOW_TESTS_RUN =
  'test code must not change how tests are collected, run, measured or reported';

/**
 * Advice by rule id for the findings that carry none of their own: the harness's run-time
 * blocks (`AUDIT-<event>`) and the Bandit checks a test is likely to trip. The harness's
 * static rules (`TG-*`) bring theirs from its rule registry (`finding.advice`,
 * docker/sandbox/harness/tg_rule_registry.py). Never by message text.
 */
const ADVICE_BY_RULE: Readonly<Record<string, string>> = {
  'AUDIT-kernel-blocked': KERNEL,
  'AUDIT-plugin-registered': HOW_TESTS_RUN,
  'AUDIT-runner-tampering': HOW_TESTS_RUN,
  'AUDIT-sys.addaudithook': HOW_TESTS_RUN,
  'AUDIT-os.system': SHELL,
  'AUDIT-subprocess.Popen': SHELL,
  'AUDIT-os.posix_spawn': SHELL,
  'AUDIT-import-_posixsubprocess': SHELL,
  'AUDIT-os.fork': PROCESSES,
  'AUDIT-os.forkpty': PROCESSES,
  'AUDIT-os.kill': PROCESSES,
  'AUDIT-os.killpg': PROCESSES,
  'AUDIT-signal.pthread_kill': PROCESSES,
  'AUDIT-open-write': WRITES,
  'AUDIT-sqlite3.connect': WRITES,
  'AUDIT-os.putenv': ENVIRONMENT,
  'AUDIT-os.unsetenv': ENVIRONMENT,
  B102: DYNAMIC,
  B307: DYNAMIC,
  B108: WRITES,
  B404: SHELL,
  B602: SHELL,
  B603: SHELL,
  B604: SHELL,
  B605: SHELL,
  B606: SHELL,
  B607: SHELL,
  B301: PICKLE,
  B302: PICKLE,
  B303: PICKLE,
  B403: PICKLE,
  B310: NETWORK,
  B311: NETWORK,
  B312: NETWORK,
  B321: NETWORK,
};

/** Families of run-time blocks, by the prefix of their rule id (`AUDIT-socket.connect`). */
const ADVICE_BY_RULE_FAMILY: readonly (readonly [string, string])[] = [
  ['AUDIT-os.exec', SHELL],
  ['AUDIT-os.spawn', SHELL],
  ['AUDIT-socket.', NETWORK],
  ['AUDIT-ctypes.', NATIVE],
  ['AUDIT-import-', NATIVE],
  ['AUDIT-shutil.', WRITES],
  // The file-system changes the hook allows only under the test's temp dir (tg_audit_events.FILESYSTEM).
  ...[
    'remove',
    'rmdir',
    'mkdir',
    'chmod',
    'chown',
    'utime',
    'truncate',
    'setxattr',
    'removexattr',
    'chflags',
    'lchflags',
    'rename',
    'link',
    'symlink',
  ].map((call) => [`AUDIT-os.${call}`, WRITES] as const),
];

function adviceFor(finding: Finding): string {
  const advice =
    finding.advice ??
    ADVICE_BY_RULE[finding.rule] ??
    ADVICE_BY_RULE_FAMILY.find(([prefix]) => finding.rule.startsWith(prefix))?.[1];
  if (advice !== undefined) return advice;
  return finding.reason === 'tampering'
    ? 'tests must not change how tests are run, measured or reported'
    : `remove the call, or add "${finding.rule}" to security.allowRules in .github/testgate.yml if your team accepts it`;
}

interface SupportFinding {
  finding: Finding;
  appliesTo: (testFile: string) => boolean;
}

const GLOBAL_CONFIG_FILES = new Set([
  'pytest.ini',
  'pyproject.toml',
  'setup.cfg',
  'tox.ini',
  '.coveragerc',
  '.bandit',
  'sitecustomize.py',
  'usercustomize.py',
]);

/** Files pytest loads for tests other than themselves: conftest.py and the run's config. */
function isSupportFile(path: string): boolean {
  const name = basename(path);
  return name === 'conftest.py' || GLOBAL_CONFIG_FILES.has(name);
}

/**
 * Findings in conftest.py and pytest/coverage configuration. pytest loads a conftest.py for
 * every test under its directory and the config for every test, so their findings apply to
 * those tests, not just to the file they are in.
 */
function collectSupportFindings(evidence: EvaluationEvidence): SupportFinding[] {
  const all = dedupeFindings([
    ...evidence.files.flatMap((file) => file.findings),
    ...evidence.tests.flatMap((test) => test.findings),
  ]);
  return all
    .filter((finding) => isSupportFile(finding.file))
    .map((finding) => {
      const dir = dirname(finding.file);
      const scoped = basename(finding.file) === 'conftest.py' && dir !== '';
      return {
        finding,
        appliesTo: (testFile: string) =>
          testFile !== finding.file && (!scoped || testFile.startsWith(`${dir}/`)),
      };
    });
}

function dedupeFindings(findings: Finding[]): Finding[] {
  const seen = new Map<string, Finding>();
  for (const finding of findings) {
    const key = `${finding.rule}\u0000${finding.file}\u0000${finding.line}`;
    if (!seen.has(key)) seen.set(key, finding);
  }
  return [...seen.values()];
}

function compareFindings(a: Finding, b: Finding): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.rule.localeCompare(b.rule);
}

// --- error paths ------------------------------------------------------------------------

interface ErrorPathGap {
  fn: ChangedFunction;
  kind: 'raise' | 'except';
  /** The first changed raise (or, failing that, except) line: the one to name. */
  line: number;
}

/** Changed functions whose changed raise/except lines no counted test (of any status) reaches. */
function findErrorPathGaps(
  evidence: EvaluationEvidence,
  counts: (test: TestEvidence) => boolean,
): ErrorPathGap[] {
  const gaps: ErrorPathGap[] = [];
  for (const fn of evidence.functions) {
    const errorLines = new Set([...fn.raiseLines, ...fn.exceptLines]);
    if (errorLines.size === 0) continue;
    const reached = evidence.tests
      .filter(counts)
      .some((test) =>
        (test.coverage.errorPathLinesReached[fn.file] ?? []).some((line) => errorLines.has(line)),
      );
    if (reached) continue;
    gaps.push(
      fn.raiseLines.length > 0
        ? { fn, kind: 'raise', line: Math.min(...fn.raiseLines) }
        : { fn, kind: 'except', line: Math.min(...fn.exceptLines) },
    );
  }
  return gaps;
}

// --- files ------------------------------------------------------------------------------

function judgeFile(file: FileEvidence, config: GateConfig): FileResult {
  const details: ReasonDetail[] = [];
  if (file.error !== undefined && file.kind === 'source') {
    details.push({ reason: 'error', message: importFailureMessage(file.error) });
  } else if (file.error !== undefined) {
    details.push({ reason: 'error', message: collectionErrorMessage(file.error) });
  } else if (
    file.kind === 'tests' &&
    file.origin === 'generated' &&
    file.collected === 0 &&
    !isSupportFile(file.path)
  ) {
    // A generated file is a list of tests; one with none collected is broken. A PR's
    // test-named module with no tests is a helper, scanned like any other support file.
    details.push({
      reason: 'error',
      message:
        'no test functions found: name test functions test_* (and classes Test*) so pytest collects them',
    });
  }
  const findings = dedupeFindings(file.findings).sort(compareFindings);
  for (const finding of findings)
    if (rejects(finding, config)) details.push(findingDetail(finding, file.path));
  return {
    path: file.path,
    origin: file.origin,
    kind: file.kind,
    collected: file.collected,
    reasons: sortReasons(details.map((detail) => detail.reason)),
    details: sortDetails(details),
    findings,
    ...(file.error === undefined ? {} : { error: file.error }),
  };
}

/** For code under test the PR made fail at import: the first line says what happened. */
function importFailureMessage(error: string): string {
  const lines = error
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  // The harness's first line says it all: `import pkg failed: ValueError: x (imported at
  // pkg/mod.py:3)` or `importing pkg stopped at the wall limit (...)`.
  const what = lines[0] ?? 'unknown error';
  return `the code under test does not import in the sandbox, so no test could run (${truncate(what, 300)}): fix its import-time code`;
}

function collectionErrorMessage(error: string): string {
  const lines = error
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  // The harness names what it knows to be the cause (a refused symbolic link) on a line of its own.
  const known = lines.find((line) => line.startsWith('testgate: '));
  if (known !== undefined) return truncate(known.slice('testgate: '.length), 600);
  const eLines = lines.filter((line) => line.startsWith('E ')).map((line) => line.slice(2).trim());
  const telling =
    [...eLines].reverse().find((line) => /^\w+(Error|Exception)\b/.test(line)) ??
    [...lines].reverse().find((line) => /^\w+(Error|Exception)\b/.test(line)) ??
    lines[lines.length - 1] ??
    'unknown error';
  return `could not be collected (${truncate(telling, 200)}): fix the import or syntax error so pytest can load the file`;
}

// --- verdict ----------------------------------------------------------------------------

function decide(
  evidence: EvaluationEvidence,
  tests: TestResult[],
  files: FileResult[],
): { verdict: Verdict; title: string; neutralReason?: string } {
  // Not importing is neutral only when the gate cannot help it (a dependency it has no
  // network to install, a package its own tools shadow); when the PR's code raised, hung
  // or was killed at import, the `source` file entry carries the failure.
  if (!evidence.project.importable && evidence.project.importBlame !== 'pr') {
    return {
      verdict: 'neutral',
      title: 'Not judged: the code under test does not import',
      neutralReason: explainImportError(evidence.project),
    };
  }
  const prTests = tests.filter((test) => test.origin === 'pr');
  const prFiles = files.filter((file) => file.origin === 'pr');
  const rejectedTests = prTests.filter((test) => test.status === 'rejected');
  const byPath = new Map(evidence.files.map((file) => [file.path, file]));
  // A file that cannot load because a third-party module is missing is not judged at all:
  // the verdict says which dependency, rather than blaming the pull request.
  const missing = prFiles.filter((file) => {
    const held = byPath.get(file.path);
    return (
      (held?.missingDependency !== undefined || held?.missingSubmodule !== undefined) &&
      file.reasons.every((reason) => reason === 'error')
    );
  });
  const rejectedFiles = prFiles.filter(
    (file) => file.reasons.length > 0 && !missing.includes(file),
  );
  const submodule = missing
    .map((file) => byPath.get(file.path)?.missingSubmodule)
    .find((path) => path !== undefined);
  if (submodule !== undefined && rejectedTests.length === 0 && rejectedFiles.length === 0) {
    const reader = missing.find((file) => byPath.get(file.path)?.missingSubmodule === submodule)!;
    return {
      verdict: 'neutral',
      title: 'Not judged: a test file needs a git submodule the tree does not hold',
      neutralReason: `${reader.path} reads ${submodule}, a git submodule: archives of a commit leave submodules empty and the sandbox has no network to fetch them, so Testgate cannot judge these tests`,
    };
  }
  if (missing.length > 0 && rejectedTests.length === 0 && rejectedFiles.length === 0) {
    const first = missing[0]!;
    const neutralReason = `${first.path} imports "${byPath.get(first.path)?.missingDependency ?? '?'}", which is neither in the repository nor among the dependencies Testgate installed${missing.length > 1 ? ` (and ${plural(missing.length - 1, 'more file')})` : ''}: ${INSTALL_ADVICE}`;
    return {
      verdict: 'neutral',
      title: 'Not judged: a test file needs a dependency the sandbox does not have',
      neutralReason,
    };
  }
  if (prTests.length === 0 && rejectedFiles.length === 0) {
    // Scanned test code (a helper, a conftest, a module whose tests did not change) with
    // nothing wrong in it is still nothing judged: say so rather than "accepted".
    const scanned =
      prFiles.length === 0
        ? ''
        : ` (${plural(prFiles.length, 'test-code file')} scanned, nothing flagged: ${prFiles
            .slice(0, 5)
            .map((file) => file.path)
            .join(', ')}${prFiles.length > 5 ? ', ...' : ''})`;
    const neutralReason = `no test added or changed between base and head${scanned}`;
    return {
      verdict: 'neutral',
      title: 'Nothing to judge: no test added or changed between base and head',
      neutralReason,
    };
  }
  if (rejectedTests.length === 0 && rejectedFiles.length === 0) {
    const title = prTests.length === 1 ? '1 test accepted' : `All ${prTests.length} tests accepted`;
    return { verdict: 'pass', title };
  }
  const parts: string[] = [];
  if (rejectedTests.length > 0) {
    parts.push(
      `${rejectedTests.length} of ${plural(prTests.length, 'test')} rejected: ${reasonSummary(rejectedTests)}`,
    );
  }
  if (rejectedFiles.length > 0) {
    parts.push(`${plural(rejectedFiles.length, 'file')} rejected: ${reasonSummary(rejectedFiles)}`);
  }
  return { verdict: 'fail', title: parts.join('; ') };
}

/** `unsafe (1), flaky (1), failed (1)`: most frequent first, ties in vocabulary order. */
function reasonSummary(items: { reasons: ReasonCode[] }[]): string {
  const counts = new Map<ReasonCode, number>();
  for (const item of items)
    for (const reason of item.reasons) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || REASON_ORDER.indexOf(a[0]) - REASON_ORDER.indexOf(b[0]))
    .map(([reason, count]) => `${reason} (${count})`)
    .join(', ');
}

/** What to do about a module the sandbox does not have (docs/dependencies.md). */
const INSTALL_ADVICE =
  "declare the distribution that provides it in the project's dependencies (pyproject.toml, setup.cfg or a requirements file) or under environment.packages in .github/testgate.yml, and check that environment.install is not off";

function explainImportError(project: EvaluationEvidence['project']): string {
  const text = project.importError ?? '';
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  // The harness's first line: `import pkg failed: <Error>: <text> (imported at pkg/mod.py:3)`.
  const summary = /^import (\S+) failed: (.*?)(?: \(imported at ([^)]+)\))?(?: - .*)?$/.exec(
    lines[0] ?? '',
  );
  const last =
    summary?.[2] ??
    [...lines].reverse().find((line) => /^\w+(Error|Exception)\b/.test(line)) ??
    lines[lines.length - 1];
  if (!last) {
    return 'the code under test does not import in the sandbox, so no test could be judged, and the harness recorded no error: run "python -c \'import <package>\'" from the repository root to reproduce it';
  }
  const where = summary?.[3] === undefined ? '' : ` at ${summary[3]}`;
  const shadowed =
    /^TestgateShadowed: (\S+) is a package the gate's own tools load first \(([^)]*)\)/.exec(last);
  if (shadowed) {
    return `the repository is the package "${shadowed[1]}", which the gate's own pytest, coverage or hypothesis imports before any test (from ${shadowed[2]}), so its tests would run against that copy instead of this pull request's code: Testgate cannot judge this project`;
  }
  const missing = /^ModuleNotFoundError: No module named '([^']+)'/.exec(last)?.[1];
  const top = missing?.split('.')[0];
  if (missing !== undefined && top !== undefined && !project.packages.includes(top)) {
    return `the code under test imports "${missing}"${where}, which is neither in the repository nor among the dependencies Testgate installed: ${INSTALL_ADVICE}`;
  }
  if (missing !== undefined) {
    return `the code under test imports "${missing}"${where}, and no such module is in the repository: commit it, or, if the build writes it (a version file), declare it in pyproject.toml (hatch-vcs \`version-file\`, setuptools-scm \`version_file\`) so Testgate provides it`;
  }
  const what = summary?.[1] === undefined ? 'the code under test' : `"${summary[1]}"`;
  return `importing ${what} fails in the sandbox${where} (${truncate(last, 200)}), so no test could be judged: fix the error; "python -c 'import ${summary?.[1] ?? '<package>'}'" from the repository root reproduces it`;
}

// --- helpers ----------------------------------------------------------------------------

/** Display order: REASON_CODES lists the reasons that matter most (safety, then correctness) first. */
const REASON_ORDER: readonly ReasonCode[] = REASON_CODES;

function sortReasons(reasons: ReasonCode[]): ReasonCode[] {
  return [...new Set(reasons)].sort((a, b) => REASON_ORDER.indexOf(a) - REASON_ORDER.indexOf(b));
}

function sortDetails(details: ReasonDetail[]): ReasonDetail[] {
  // Array.prototype.sort is stable, so details of one reason keep their order.
  return [...details].sort(
    (a, b) => REASON_ORDER.indexOf(a.reason) - REASON_ORDER.indexOf(b.reason),
  );
}

function countLines(byFile: Record<string, number[]>): number {
  let total = 0;
  for (const lines of Object.values(byFile)) total += new Set(lines).size;
  return total;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

function stripPeriod(text: string): string {
  return text.replace(/\.+$/, '');
}

function lowerFirst(text: string): string {
  // Keep identifiers and acronyms ("B605", "SSL") as they are.
  return /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}

function basename(path: string): string {
  const index = path.lastIndexOf('/');
  return index === -1 ? path : path.slice(index + 1);
}

function dirname(path: string): string {
  const index = path.lastIndexOf('/');
  return index === -1 ? '' : path.slice(0, index);
}
