/**
 * runGate: the composition the CLI and the worker share. No GitHub, no git, no env: the
 * caller hands in the trees, the config and a SandboxRunner, and gets the GateReport.
 *
 *   generate (builtin in the sandbox, or an injected model generator)
 *   -> evaluate (sandbox: static rules, Bandit, pytest per test with coverage and reruns)
 *   -> judge (pure policy) -> suggestions (accepted generated tests, as files)
 */
import type {
  Analysis,
  EvaluationEvidence,
  GateConfig,
  GateReport,
  GenerationSummary,
  GenerateMode,
} from '@testgate/core';
import { emptyGenerationSummary, judge, notJudgedReport } from '@testgate/core';
import { isEnvironmentProblem, prepareEnvironment } from '@testgate/environment';
import type {
  EnvironmentSettings,
  IndexSettings,
  PreparedEnvironment,
} from '@testgate/environment';
import { isSandboxError, listTree, runHarness, SandboxError } from '@testgate/sandbox';
import type {
  EnvironmentVolumes,
  HarnessCandidate,
  HarnessEnvironment,
  HarnessProgress,
  SandboxLimits,
  SandboxRunner,
  TreeInput,
} from '@testgate/sandbox';
import { PipelineError } from './pipeline-error.ts';
import { suggestionsWithStrength } from './suggestions.ts';
import type { GeneratedFile } from './suggestions.ts';

export type { GenerateMode } from '@testgate/core';

type GatePhase =
  | 'generate'
  | 'evaluate'
  | 'judge'
  /** Phases the harness reports while it evaluates: collect, bandit, run, coverage, ... */
  | (string & {});

export interface GateProgressEvent {
  phase: GatePhase;
  message: string;
  done?: number;
  total?: number;
}

/** What a model generator gets: everything it needs to propose tests, and nothing of the edges. */
export interface GenerateContext {
  runner: SandboxRunner;
  image: string;
  base: TreeInput;
  head: TreeInput;
  config: GateConfig;
  signal?: AbortSignal;
  onProgress?: (event: GateProgressEvent) => void;
  labels?: Record<string, string>;
  /** Runs the harness's `analyze` mode (changed functions with their context); memoised. */
  analyze: () => Promise<Analysis>;
  /**
   * Judges candidate files alone (the PR's own tests are not rerun): sandbox evaluate +
   * judge, the same gate the final report uses. For the generator's repair loop.
   */
  evaluate: (
    files: readonly GeneratedFile[],
    options?: { signal?: AbortSignal },
  ) => Promise<{ report: GateReport; evidence: EvaluationEvidence }>;
  /** Paths of the head tree: generated files must not overwrite them. */
  headPaths: () => Promise<string[]>;
}

/** What a model generator returns: the candidate files and what it spent. */
/**
 * What the model path gives runGate: its candidate files and what it spent, or a fallback
 * (the reason, and what it spent before falling back), which runGate answers with the
 * built-in generator.
 */
export type GenerateResult =
  | {
      files: GeneratedFile[];
      /** Model name, calls, tokens, cost, rounds, skips; `generator`, `candidates` and `accepted` are filled in by runGate. */
      summary: Partial<Omit<GenerationSummary, 'generator' | 'candidates' | 'accepted'>>;
    }
  | { fallback: { reason: string; spent: Partial<GenerationSummary> } };

export interface RunGateOptions {
  runner: SandboxRunner;
  /** Sandbox image tag (from ensureSandboxImage). */
  image: string;
  base: TreeInput;
  head: TreeInput;
  config: GateConfig;
  /** Which generator proposes tests. `model` without `generateCandidates` falls back to `builtin`. */
  generate: GenerateMode;
  /** The model generator (packages/generator), injected by the edge that has the API key. */
  generateCandidates?: (context: GenerateContext) => Promise<GenerateResult>;
  signal?: AbortSignal;
  onProgress?: (event: GateProgressEvent) => void;
  /** Extra container labels (e.g. the worker's job id). */
  labels?: Record<string, string>;
  /** Put in the containers' `testgate.job` label. */
  jobId?: string;
  /**
   * The pull request says it fixes a bug (a label or a closing keyword in the App,
   * `--fixes-bug` in the CLI): with `require.failsBefore`, a test must fail before the change.
   * @defaultValue false
   */
  claimsFix?: boolean;
  /** Clock, for durationMs. @defaultValue performance.now */
  now?: () => number;
  /**
   * Installs the project's dependencies before anything runs (packages/environment).
   * Omitted: the sandbox has the standard library and the gate's tools only.
   */
  environment?: EnvironmentStep;
}

/** What the environment step needs from the edge: the engine's volumes, the operator's index and limits. */
export interface EnvironmentStep {
  volumes: EnvironmentVolumes;
  index: IndexSettings;
  settings: EnvironmentSettings;
}

/** The options every sandbox run of one gate run shares, once the environment is set up. */
type PreparedRun = RunGateOptions & { harnessEnvironment?: HarnessEnvironment };

/** Time the harness needs outside the tests: extraction, project detection, Bandit, coverage merge. */
const HARNESS_OVERHEAD_MS = 90_000;
/**
 * Outer deadline of the evaluate container. The harness sizes its own time budget to the
 * runs it found (tg_evaluate: it knows what pytest collected; we would have to guess from
 * the source) within this cap, and kills each run at its own limits, so this only fires
 * when the harness itself is stuck.
 */
const EVALUATE_DEADLINE_MS = 30 * 60_000;
const MiB = 1024 * 1024;

/** Maps anything runGate's steps throw to a PipelineError, in one place. */
export function toPipelineError(error: unknown, step: string): PipelineError {
  if (error instanceof PipelineError) return error;
  if (error instanceof SandboxError) {
    const detail = error.evidence?.stderrTail
      ? `\n${error.evidence.stderrTail.trim().split('\n').slice(-8).join('\n')}`
      : '';
    switch (error.code) {
      case 'DOCKER_UNAVAILABLE':
        return new PipelineError('DOCKER_UNAVAILABLE', error.message, { cause: error });
      case 'IMAGE_MISSING':
      case 'IMAGE_BUILD_FAILED':
        return new PipelineError('IMAGE_UNAVAILABLE', error.message, { cause: error });
      case 'SANDBOX_DEADLINE':
        return new PipelineError('SANDBOX_DEADLINE', `${step}: ${error.message}`, { cause: error });
      case 'SANDBOX_OOM':
      case 'SANDBOX_OUTPUT_LIMIT':
        return new PipelineError('SANDBOX_LIMIT', `${step}: ${error.message}`, { cause: error });
      case 'SANDBOX_ABORTED':
        return new PipelineError('ABORTED', `${step} was cancelled`, { cause: error });
      case 'TREE_INVALID':
        return new PipelineError('TREE_INVALID', error.message, { cause: error });
      case 'SANDBOX_EXIT':
      case 'HARNESS_REPORT_INVALID':
        return new PipelineError('HARNESS_FAILED', `${step}: ${error.message}${detail}`, {
          cause: error,
        });
      case 'SANDBOX_ENGINE':
        return new PipelineError('DOCKER_UNAVAILABLE', `${step}: ${error.message}`, {
          cause: error,
          hint: 'the Docker engine refused the container: run `testgate doctor`, and check `docker info`',
        });
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return new PipelineError('INTERNAL', `${step}: ${message}`, { cause: error });
}

function checkAborted(signal: AbortSignal | undefined, step: string): void {
  if (signal?.aborted)
    throw new PipelineError('ABORTED', `${step} was cancelled`, { cause: signal.reason });
}

function harnessProgress(
  onProgress: RunGateOptions['onProgress'],
): ((event: HarnessProgress) => void) | undefined {
  if (!onProgress) return undefined;
  return (event) => onProgress({ ...event });
}

interface Generated {
  files: GeneratedFile[];
  summary: Omit<GenerationSummary, 'candidates' | 'accepted'>;
}

function sandboxLimits(config: GateConfig, deadlineMs: number): Partial<SandboxLimits> {
  // The container holds the harness plus one test process at a time; give it the test's
  // memory budget plus room for the harness and coverage.
  return { deadlineMs, memoryBytes: (config.limits.memoryMb + 256) * MiB };
}

async function generateBuiltin(options: PreparedRun, fallbackReason?: string): Promise<Generated> {
  const { config } = options;
  options.onProgress?.({ phase: 'generate', message: 'built-in generator' });
  const generation = await runHarness(options.runner, {
    mode: 'generate',
    image: options.image,
    base: options.base,
    head: options.head,
    settings: {
      generateSeconds: config.generate.timeBudgetSeconds,
      maxTestsPerFunction: config.generate.maxTestsPerFunction,
      cpuSecondsPerTest: config.limits.cpuSeconds,
      wallSecondsPerTest: config.limits.wallSeconds,
      testGlobs: config.tests.globs,
    },
    limits: sandboxLimits(config, config.generate.timeBudgetSeconds * 1000 + HARNESS_OVERHEAD_MS),
    ...common(options),
  });
  return {
    files: generation.tests.map((test) => ({
      path: test.path,
      content: test.content,
      targets: test.targets,
      generator: 'builtin',
    })),
    summary: {
      ...emptyGenerationSummary('builtin'),
      rounds: 1,
      skipped: generation.skipped,
      suspectedBugs: generation.suspectedBugs.map((bug) => ({
        nodeid: `${bug.file}::${bug.qualname}`,
        target: bug.qualname,
        message: bug.message,
      })),
      ...(fallbackReason === undefined ? {} : { fallbackReason }),
    },
  };
}

function common(options: PreparedRun): {
  signal?: AbortSignal;
  onProgress?: (event: HarnessProgress) => void;
  labels?: Record<string, string>;
  jobId?: string;
  environment?: HarnessEnvironment;
} {
  const onProgress = harnessProgress(options.onProgress);
  return {
    ...(options.harnessEnvironment === undefined
      ? {}
      : { environment: options.harnessEnvironment }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(onProgress === undefined ? {} : { onProgress }),
    ...(options.labels === undefined ? {} : { labels: options.labels }),
    ...(options.jobId === undefined ? {} : { jobId: options.jobId }),
  };
}

function toCandidates(files: readonly GeneratedFile[]): HarnessCandidate[] {
  return files.map((file) => ({
    path: file.path,
    content: file.content,
    origin: 'generated',
    generator: file.generator,
  }));
}

/** One sandbox evaluate run: the PR's tests (unless `includePrTests` is false) plus the candidates. */
async function evaluateInSandbox(
  options: PreparedRun,
  run: { candidates: HarnessCandidate[]; includePrTests: boolean; signal?: AbortSignal },
): Promise<EvaluationEvidence> {
  const { config } = options;
  options.onProgress?.({
    phase: 'evaluate',
    message: `judging ${run.includePrTests ? "the pull request's tests and " : ''}${run.candidates.length} candidate file(s) in the sandbox`,
  });
  const signal = run.signal ?? options.signal;
  const deadlineMs = EVALUATE_DEADLINE_MS;
  return runHarness(options.runner, {
    mode: 'evaluate',
    image: options.image,
    base: options.base,
    head: options.head,
    candidates: run.candidates,
    settings: {
      reruns: config.reruns,
      cpuSecondsPerTest: config.limits.cpuSeconds,
      wallSecondsPerTest: config.limits.wallSeconds,
      memoryMbPerTest: config.limits.memoryMb,
      slowMs: config.limits.slowMs,
      // The harness stops starting test processes before its budget (sized to its runs,
      // within the container's deadline) runs out, so a PR whose code takes too long gets
      // timeouts in its report rather than no verdict.
      deadlineMs,
      testGlobs: [...config.tests.globs, ...config.tests.include],
      excludeGlobs: config.tests.exclude,
      includePrTests: run.includePrTests,
      baseRuns: config.strength.baseRuns,
      mutation: {
        // Mutants are what `require.strength` judges by: without it they cost time for nothing.
        enabled: config.require.strength,
        maxMutants: config.strength.maxMutants,
        maxPerLine: config.strength.maxMutantsPerLine,
        seconds: config.strength.seconds,
      },
    },
    limits: sandboxLimits(config, deadlineMs),
    ...common(options),
    ...(signal === undefined ? {} : { signal }),
  });
}

/** What the model path spent before it fell back: the fields the built-in summary takes over. */
function spentOf(summary: Partial<GenerationSummary>): Partial<GenerationSummary> {
  const pick: Partial<GenerationSummary> = {};
  for (const key of [
    'model',
    'modelCalls',
    'cacheHits',
    'promptTokens',
    'completionTokens',
    'costUsd',
  ] as const) {
    if (summary[key] !== undefined) (pick as Record<string, unknown>)[key] = summary[key];
  }
  return pick;
}

async function generateWithModel(options: PreparedRun): Promise<Generated> {
  if (!options.generateCandidates) {
    return generateBuiltin(options, 'no model generator is configured (set OPENAI_API_KEY)');
  }
  let analysis: Promise<Analysis> | undefined;
  const context: GenerateContext = {
    runner: options.runner,
    image: options.image,
    base: options.base,
    head: options.head,
    config: options.config,
    analyze: () => {
      analysis ??= runHarness(options.runner, {
        mode: 'analyze',
        image: options.image,
        base: options.base,
        head: options.head,
        settings: { testGlobs: options.config.tests.globs },
        limits: sandboxLimits(options.config, HARNESS_OVERHEAD_MS),
        ...common(options),
      });
      return analysis;
    },
    evaluate: async (files, evalOptions) => {
      const evidence = await evaluateInSandbox(options, {
        candidates: toCandidates(files),
        includePrTests: false,
        ...(evalOptions?.signal === undefined ? {} : { signal: evalOptions.signal }),
      });
      return { report: judge(evidence, options.config), evidence };
    },
    headPaths: async () => (await listTree(options.head)).entries.map((file) => file.path),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.labels === undefined ? {} : { labels: options.labels }),
  };
  let result: GenerateResult;
  try {
    result = await options.generateCandidates(context);
  } catch (error) {
    // The sandbox failing is the gate failing; the model failing only costs suggestions.
    if (isSandboxError(error) || options.signal?.aborted) throw error;
    result = {
      fallback: { reason: error instanceof Error ? error.message : String(error), spent: {} },
    };
  }
  if ('fallback' in result) {
    const builtin = await generateBuiltin(options, result.fallback.reason);
    return {
      ...builtin,
      summary: { ...builtin.summary, ...spentOf(result.fallback.spent), generator: 'builtin' },
    };
  }
  const model = result.summary.model ?? options.config.generate.model.name;
  return {
    files: result.files,
    summary: { ...emptyGenerationSummary('model'), ...result.summary, generator: 'model', model },
  };
}

async function generateStep(options: PreparedRun): Promise<Generated | undefined> {
  if (options.generate === 'off') return undefined;
  try {
    return options.generate === 'model'
      ? await generateWithModel(options)
      : await generateBuiltin(options);
  } catch (error) {
    // A broken built-in generator must not stop the gate from judging the PR's own tests;
    // the engine being down, a cancel or a deadline will stop evaluate too, so rethrow those.
    if (
      isSandboxError(error) &&
      (error.code === 'HARNESS_REPORT_INVALID' || error.code === 'SANDBOX_EXIT')
    ) {
      return {
        files: [],
        summary: {
          ...emptyGenerationSummary('off'),
          fallbackReason: `the generator failed: ${error.message}`,
        },
      };
    }
    throw error;
  }
}

/**
 * Runs the whole gate on one pair of trees and returns the report.
 * @throws {PipelineError} when the gate itself could not run (Docker, image, deadline,
 *   harness). A package that does not import is a neutral report, not an error.
 */
export async function runGate(gateOptions: RunGateOptions): Promise<GateReport> {
  const now = gateOptions.now ?? (() => performance.now());
  const started = now();
  const { config } = gateOptions;

  let prepared: PreparedEnvironment | undefined;
  if (gateOptions.environment) {
    checkAborted(gateOptions.signal, 'environment');
    try {
      prepared = await prepareEnvironmentStep(gateOptions, gateOptions.environment);
    } catch (error) {
      // Dependencies that do not resolve or install leave nothing to judge: neutral, and the
      // check run's title says why, rather than a wall of "does not import" failures.
      if (isEnvironmentProblem(error)) {
        return notJudgedReport({
          title: error.title,
          neutralReason: error.message,
          environment: {
            status: 'failed',
            packages: [],
            cacheHit: false,
            setupMs: Math.round(now() - started),
            sources: [],
            notes: [],
            built: [],
            problem: { code: error.code, message: error.message },
          },
          durationMs: Math.round(now() - started),
        });
      }
      throw toPipelineError(error, 'environment');
    }
  }
  const options: PreparedRun = {
    ...gateOptions,
    ...(prepared?.harness === undefined ? {} : { harnessEnvironment: prepared.harness }),
  };

  checkAborted(options.signal, 'generate');
  let generated: Generated | undefined;
  try {
    generated = await generateStep(options);
  } catch (error) {
    throw toPipelineError(error, 'generate');
  }

  checkAborted(options.signal, 'evaluate');
  let evidence: EvaluationEvidence;
  try {
    evidence = await evaluateInSandbox(options, {
      candidates: toCandidates(generated?.files ?? []),
      includePrTests: true,
    });
  } catch (error) {
    throw toPipelineError(error, 'evaluate');
  }

  options.onProgress?.({ phase: 'judge', message: `${evidence.tests.length} tests` });
  const report = judge(evidence, config, {
    ...(options.claimsFix === undefined ? {} : { claimsFix: options.claimsFix }),
  });
  if (generated) {
    const generatedTests = report.tests.filter((test) => test.origin === 'generated');
    report.generation = {
      ...generated.summary,
      candidates: generatedTests.length,
      accepted: generatedTests.filter((test) => test.status === 'accepted').length,
    };
    const chosen = suggestionsWithStrength({ report, evidence, generated: generated.files });
    report.suggestions = chosen.suggestions;
    if (chosen.notSuggested.length > 0) report.generation.notSuggested = chosen.notSuggested;
  }
  if (prepared) report.environment = prepared.summary;
  report.durationMs = Math.round(now() - started);
  return report;
}

function prepareEnvironmentStep(
  options: RunGateOptions,
  step: EnvironmentStep,
): Promise<PreparedEnvironment> {
  options.onProgress?.({ phase: 'environment', message: "reading the project's dependencies" });
  return prepareEnvironment({
    runner: options.runner,
    volumes: step.volumes,
    image: options.image,
    head: options.head,
    config: options.config.environment,
    index: step.index,
    settings: step.settings,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.jobId === undefined ? {} : { jobId: options.jobId }),
    ...(options.labels === undefined ? {} : { labels: options.labels }),
    onProgress: (message) => options.onProgress?.({ phase: 'environment', message }),
  });
}
