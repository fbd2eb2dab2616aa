/**
 * The gate's result as every renderer (text, JSON, Markdown, SARIF, check run, PR
 * comment) sees it. Built by the policy from the harness's evidence. The JSON report is
 * this object, so field names are part of the public contract.
 */
import type {
  BeforeRun,
  Finding,
  Mutant,
  RunOutcome,
  TestLabel,
  TestStrength,
} from './evidence.ts';
import type { ReasonCode, TestOrigin, TestStatus, Verdict } from './vocabulary.ts';

export interface ReasonDetail {
  reason: ReasonCode;
  /** One sentence a developer can act on. */
  message: string;
  /** Rule id for `unsafe` / `tampering`. */
  rule?: string;
  line?: number;
  /**
   * The file `line` is in, when it is not the test's own file (a changed `raise` in the
   * code under test, a finding in `conftest.py`). Added after v0.1; optional.
   */
  file?: string;
}

export interface TestCoverage {
  /** Changed lines this test executed, by file. */
  changedLines: Record<string, number[]>;
  /** How many changed lines this test executed. */
  changedLinesCovered: number;
  /** How many changed lines the PR has in all (non-test Python files). */
  changedLinesTotal: number;
  changedBranchesCovered: number;
  linesCovered: number;
  branchesCovered: number;
  /** Changed `raise` / `except` lines the test reached, by file. */
  errorPathLines: Record<string, number[]>;
}

export interface TestResult {
  nodeid: string;
  file: string;
  function: string;
  line: number;
  origin: TestOrigin;
  /** Model name or `builtin`, for generated tests. */
  generator?: string;
  status: TestStatus;
  reasons: ReasonCode[];
  details: ReasonDetail[];
  findings: Finding[];
  /** Outcome of each run, in order. */
  runs: RunOutcome[];
  /** Median wall time of the runs. */
  durationMs: number;
  coverage: TestCoverage;
  /**
   * How its run over the base code compares with its runs on the head: `fails-before`
   * proves the change, `passes-before` guards behaviour that was already there. Evidence,
   * not a reason; absent when base runs are off.
   */
  label?: TestLabel;
  /** Its run over the base code; absent when base runs are off. */
  before?: BeforeRun;
  /** The mutants of the changed lines it covers and how many it killed at a check; absent without mutation. */
  strength?: TestStrength;
}

/** A mutant as the reports name it: `calc/ops.py:12 \`<\` -> \`<=\``. */
export type MutantRef = Pick<
  Mutant,
  'id' | 'file' | 'line' | 'original' | 'replacement' | 'operator'
>;

/**
 * The mutants of the changed lines, for the reviewer: how many the PR's tests kill, and
 * which survive every test. Absent when mutation did not run.
 */
export interface StrengthSummary {
  /** Mutants of the changed lines, in all, and by status (over every test of the evaluation). */
  mutants: number;
  killed: number;
  survived: number;
  crashed: number;
  notRun: number;
  /** Mutants run against at least one PR test (on a changed line a PR test covers). */
  prMutants: number;
  /** Of those, killed at a check (an assert) by a PR test. */
  prKilled: number;
  /** prKilled / prMutants; null when no mutant ran against a PR test. */
  score: number | null;
  /** Mutants every covering test passed on: no test tells them apart from the code. */
  survivors: MutantRef[];
  /** Mutants tests failed on only by an error, a crash or a timeout: no test checks the value. */
  crashedOnly: MutantRef[];
  /** The mutant caps cut some (strength.maxMutants, strength.maxMutantsPerLine). */
  capped: boolean;
  /** The time budget (strength.seconds) stopped the mutant runs; the rest are not run. */
  budgetSpent: boolean;
  /** Mutant runs done (a mutant against one test each). */
  runs: number;
  /** Wall time of the strength step in the sandbox (base runs and mutant runs), and of its base runs. */
  durationMs: number;
  baseDurationMs: number;
}

export interface FileResult {
  path: string;
  origin: TestOrigin;
  /** `tests` (a module pytest collects) or `support` (helper, conftest.py, package `__init__`). */
  kind: 'tests' | 'support' | 'source';
  /** How many of its tests were judged (new or edited ones, for a PR file). */
  collected: number;
  /** Reasons that apply to the file as a whole (import error, module-level findings, no tests). */
  reasons: ReasonCode[];
  details: ReasonDetail[];
  findings: Finding[];
  error?: string;
}

export interface GenerationSummary {
  /** Which generator actually produced the suggestions. */
  generator: 'model' | 'builtin' | 'off';
  model?: string;
  /** Why the model was not used, when it was asked for but the built-in generator ran. */
  fallbackReason?: string;
  candidates: number;
  accepted: number;
  rounds: number;
  modelCalls: number;
  cacheHits: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  skipped: { file: string; qualname: string; reason: string }[];
  suspectedBugs: { nodeid: string; target: string; message: string }[];
  /**
   * Accepted generated tests left out of the suggestions, and why (with mutation data: they
   * kill no mutant the PR's tests and the chosen suggestions do not already kill).
   */
  notSuggested?: { nodeid: string; reason: string }[];
}

export interface Suggestion {
  /** Path in the head tree the file would be committed at. */
  path: string;
  content: string;
  targets: string[];
  generator: string;
  /** Node ids of the accepted tests in this file. */
  tests: string[];
  /** Changed lines the accepted tests cover, by file. */
  covers: Record<string, number[]>;
  /** Ids of the mutants its tests kill that the PR's tests do not; absent without mutation data. */
  kills?: string[];
}

/** What Testgate installed for the project (packages/environment), as every output shows it. */
export interface EnvironmentSummary {
  /** `installed`: dependencies installed; `none`: nothing to install; `off`: install turned off; `failed`: could not set up (the verdict is neutral). */
  status: 'installed' | 'none' | 'off' | 'failed';
  /** Name and version of each installed distribution. */
  packages: { name: string; version: string }[];
  /**
   * The environment came from the cache: nothing was installed (and nothing resolved or
   * downloaded, unless new inputs resolved to wheels a cached environment already holds).
   */
  cacheHit: boolean;
  /** Wall time of the setup (discovery, resolve, download, install; a cache hit's lookup). */
  setupMs: number;
  /** The files the requirements were read from. */
  sources: string[];
  /** What was left out or does not fit (a gate tool's version, a pip option in a requirements file). */
  notes: string[];
  /** sdists built into wheels in the sandbox (`allowSdist`). */
  built: string[];
  /** Why setup failed: a stable code and the message the neutral verdict carries. */
  problem?: { code: string; message: string };
}

export interface GateReport {
  verdict: Verdict;
  /** One line: why this verdict. */
  title: string;
  /** Set when the verdict is `neutral` because nothing could be judged. */
  neutralReason?: string;
  /**
   * Over every test in `tests`, PR and generated (`byReason`: rejected tests per reason).
   * The verdict and `title` consider the PR's own tests and files only.
   */
  counts: { accepted: number; rejected: number; byReason: Partial<Record<ReasonCode, number>> };
  tests: TestResult[];
  files: FileResult[];
  /**
   * Every finding of the pull request, deduplicated, for the security report: static ones on
   * lines it added or changed and every run-time (audit) one.
   */
  findings: Finding[];
  /**
   * Static findings the base tree already had (`security.scope: changed`): informational,
   * they reject nothing. Shown apart in every output; SARIF marks them `unchanged`.
   */
  existingFindings: Finding[];
  changedLines: Record<string, number[]>;
  project: { layout: 'flat' | 'src' | 'unknown'; importable: boolean; importError?: string };
  generation?: GenerationSummary;
  suggestions: Suggestion[];
  tools: Record<string, string>;
  /** The project's installed dependencies; absent when the gate ran without an environment step. */
  environment?: EnvironmentSummary;
  /** The mutants of the changed lines; absent when mutation did not run (or an older harness). */
  strength?: StrengthSummary;
  durationMs: number;
}

/**
 * The report of a run that judged nothing because the gate could not set the project up
 * (its dependencies did not resolve, say): `neutral`, with the reason in the title.
 */
export function notJudgedReport(options: {
  title: string;
  neutralReason: string;
  environment?: EnvironmentSummary;
  durationMs?: number;
}): GateReport {
  return {
    verdict: 'neutral',
    title: options.title,
    neutralReason: options.neutralReason,
    counts: { accepted: 0, rejected: 0, byReason: {} },
    tests: [],
    files: [],
    findings: [],
    existingFindings: [],
    changedLines: {},
    project: { layout: 'unknown', importable: false },
    suggestions: [],
    tools: {},
    ...(options.environment === undefined ? {} : { environment: options.environment }),
    durationMs: options.durationMs ?? 0,
  };
}

/** A generation summary with nothing generated or spent yet. */
export function emptyGenerationSummary(
  generator: GenerationSummary['generator'],
): GenerationSummary {
  return {
    generator,
    candidates: 0,
    accepted: 0,
    rounds: 0,
    modelCalls: 0,
    cacheHits: 0,
    promptTokens: 0,
    completionTokens: 0,
    costUsd: 0,
    skipped: [],
    suspectedBugs: [],
  };
}
