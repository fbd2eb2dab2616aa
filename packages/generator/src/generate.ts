import type {
  Analysis,
  FileResult,
  GenerationSummary,
  ReasonCode,
  Suggestion,
  TestResult,
} from '@testgate/core';
import { emptyGenerationSummary } from '@testgate/core';
import type { CompletionCache } from './cache.ts';
import {
  costUsd,
  parseGeneratorConfig,
  priceOf,
  type GeneratorConfig,
  type GeneratorConfigInput,
} from './config.ts';
import { buildContext, type BuiltContext, type GenerationTarget } from './context.ts';
import { GeneratorError, isGeneratorError } from './errors.ts';
import { parseAnswer } from './parse-answer.ts';
import { firstPrompt, repairPrompt, type FailureForRepair } from './prompt.ts';
import {
  requestHash,
  type ChatMessage,
  type CompletionResult,
  type ModelProvider,
} from './provider.ts';
import { mentions, removeLines } from './test-lines.ts';
import type { Throttle } from './throttle.ts';

/** A candidate test file as the evaluation receives it. */
export interface CandidateFile {
  /** Path in the head tree, e.g. `tests/test_testgate_parse_parse_amount.py`. */
  path: string;
  content: string;
  /** Qualnames of the functions it tests. */
  targets: string[];
  /** The model's name. */
  generator: string;
}

/** One judged test, as `judge()` reports it, plus the failure text of its runs. */
export type CandidateTestResult = Pick<
  TestResult,
  'nodeid' | 'file' | 'function' | 'status' | 'reasons' | 'details'
> & {
  coverage: Pick<TestResult['coverage'], 'changedLines'>;
  /** pytest's failure / error output of the first failing run (from the evidence's `runs[].message`). */
  output?: string;
  /** First and last line of the test function in its file, decorators included (the harness's syntax tree). */
  lines: { start: number; end: number };
  /** What its asserts compare against (the evidence's `expected`). */
  expected?: string[];
  /**
   * For a `weak-oracle` rejection: the mutants of the lines it runs that it does not kill
   * at an assert, as `calc/ops.py:12 \`<\` -> \`<=\``.
   */
  survivors?: string[];
};

/** What the injected evaluation returns: the judged generated tests and files (other tests may be included; they are ignored). */
export interface CandidateEvaluation {
  tests: CandidateTestResult[];
  files: Pick<FileResult, 'path' | 'reasons' | 'details' | 'error' | 'collected'>[];
}

type EvaluateCandidates = (
  files: CandidateFile[],
  options: { signal?: AbortSignal },
) => Promise<CandidateEvaluation>;

export type FallbackCode =
  'no-model' | 'model-unavailable' | 'model-rejected' | 'budget' | 'replay-miss';

interface GenerationProgress {
  phase: 'context' | 'model' | 'evaluate' | 'repair';
  message: string;
  done?: number;
  total?: number;
}

interface GenerateWithModelOptions {
  /** Changed functions with their context, in priority order (see {@link targetsFromAnalysis}). */
  targets: GenerationTarget[];
  /** Runs candidates through the same gate as PR tests (sandbox evaluate + judge). */
  evaluate: EvaluateCandidates;
  /** The model; undefined (no key, no replay) falls back at once. */
  provider: ModelProvider | undefined;
  config?: GeneratorConfigInput | GeneratorConfig;
  cache?: CompletionCache;
  throttle?: Throttle;
  /** Installation id, or `local`. @defaultValue 'local' */
  throttleKey?: string;
  /** Paths that exist in the head tree: generated files never overwrite them. */
  existingPaths?: Iterable<string>;
  signal?: AbortSignal;
  onProgress?: (event: GenerationProgress) => void;
}

export interface SuspectedBug {
  nodeid: string;
  /** Qualname of the function under test. */
  target: string;
  message: string;
}

export interface RejectedCandidate {
  path: string;
  targets: string[];
  /** Round (0 = first answer) of the version reported. */
  round: number;
  reasons: ReasonCode[] | ['bad-answer'];
  message: string;
}

export interface ContextReport {
  file: string;
  qualname: string;
  tokens: number;
  budget: number;
  dropped: string[];
  targetLinesOmitted: number;
}

export interface ModelGenerationResult {
  outcome: 'generated' | 'fallback';
  /** Set when `outcome` is `fallback`: the pipeline runs the built-in generator instead. */
  fallback?: { code: FallbackCode; message: string };
  /**
   * Candidate files with at least one accepted test (their best version), for the pipeline
   * to judge once more with the PR's tests and turn into suggestions.
   */
  files: CandidateFile[];
  /** The same files cut down to their accepted tests. */
  suggestions: Suggestion[];
  summary: GenerationSummary;
  suspectedBugs: SuspectedBug[];
  rejected: RejectedCandidate[];
  contexts: ContextReport[];
  /** HTTP requests to the model, and of those the retries (429, 5xx, timeouts). */
  requests: { total: number; retries: number };
}

const UNSAFE: ReadonlySet<string> = new Set(['unsafe', 'tampering']);
/** Mutants named per rejected test in a repair prompt: enough to aim at, few enough to fit. */
const MAX_SURVIVORS_IN_PROMPT = 5;

interface Version {
  content: string;
  round: number;
  accepted: CandidateTestResult[];
  rejected: CandidateTestResult[];
  fileProblem?: { reasons: ReasonCode[]; message: string };
}

interface Candidate {
  target: GenerationTarget;
  path: string;
  /** Only the first file of an answer is repaired; extra files are judged once. */
  repairable: boolean;
  messages: ChatMessage[];
  answer: string;
  content: string;
  round: number;
  versions: Version[];
  state: 'pending' | 'accepted' | 'unsafe' | 'exhausted';
}

/**
 * Asks the model for tests of each target, runs them through `evaluate`, sends failures
 * back for up to `maxRepairRounds` rounds, and returns the accepted tests. Returns a
 * `fallback` result (never throws for model trouble) when there is no model, the model
 * stays unavailable after its retries, or the per-PR budget is spent.
 */
export async function generateWithModel(
  options: GenerateWithModelOptions,
): Promise<ModelGenerationResult> {
  const config = parseGeneratorConfig(options.config as GeneratorConfigInput | undefined);
  const price = priceOf(config.model, config.prices);
  const throttleKey = options.throttleKey ?? 'local';
  const summary: GenerationSummary = { ...emptyGenerationSummary('model'), model: config.model };
  const requests = { total: 0, retries: 0 };
  const rejected: RejectedCandidate[] = [];
  const contexts: ContextReport[] = [];
  const progress = options.onProgress ?? (() => {});

  const fallback = (
    code: FallbackCode,
    message: string,
    partial: Candidate[] = [],
  ): ModelGenerationResult => {
    const accepted = partial.filter((c) => c.state === 'accepted');
    const result = finish(accepted, partial, summary, config, { rejected, contexts, requests });
    return {
      ...result,
      outcome: 'fallback',
      fallback: { code, message },
      summary: { ...result.summary, generator: 'builtin', fallbackReason: message },
    };
  };

  if (!options.provider) {
    return fallback(
      'no-model',
      'no model is configured: set OPENAI_API_KEY (and OPENAI_BASE_URL for a local server)',
    );
  }
  const provider = options.provider;

  async function complete(messages: ChatMessage[]): Promise<CompletionResult> {
    const request = {
      model: config.model,
      messages,
      temperature: config.temperature,
      maxTokens: config.maxOutputTokens,
    };
    const hash = requestHash(request);
    const cached = await options.cache?.get(hash);
    if (cached) {
      summary.cacheHits++;
      return cached;
    }
    const spentTokens = summary.promptTokens + summary.completionTokens;
    if (spentTokens >= config.budget.maxTokens || summary.costUsd >= config.budget.maxCostUsd) {
      throw new GeneratorError(
        'BUDGET_SPENT',
        `the per-PR model budget is spent (${spentTokens} of ${config.budget.maxTokens} tokens, ` +
          `$${summary.costUsd.toFixed(4)} of $${config.budget.maxCostUsd})`,
      );
    }
    await options.throttle?.wait(throttleKey, options.signal);
    let result: CompletionResult;
    try {
      result = await provider.complete(
        request,
        options.signal === undefined ? {} : { signal: options.signal },
      );
    } catch (error) {
      if (isGeneratorError(error)) {
        requests.total += error.requests;
        requests.retries += Math.max(0, error.requests - 1);
        summary.modelCalls += error.requests;
      }
      throw error;
    }
    requests.total += result.requests;
    requests.retries += Math.max(0, result.requests - 1);
    summary.modelCalls += result.requests;
    summary.promptTokens += result.usage.promptTokens;
    summary.completionTokens += result.usage.completionTokens;
    summary.costUsd += costUsd(result.usage, price);
    await options.cache?.set(hash, { ...result, requests: 0 }, config.cacheTtlHours);
    return result;
  }

  const usedPaths = new Set(options.existingPaths ?? []);
  const candidates: Candidate[] = [];
  const targets = options.targets.slice(0, config.maxTargets);
  for (const target of options.targets.slice(config.maxTargets)) {
    summary.skipped.push({
      file: target.context.file,
      qualname: target.context.qualname,
      reason: `over the limit of ${config.maxTargets} functions per pull request`,
    });
  }

  // The first round: one conversation per target.
  const firstRound: { target: GenerationTarget; path: string; messages: ChatMessage[] }[] = [];
  for (const target of targets) {
    const built: BuiltContext = buildContext(target, { maxTokens: config.contextTokens });
    contexts.push({
      file: target.context.file,
      qualname: target.context.qualname,
      tokens: built.tokens,
      budget: built.budget,
      dropped: built.dropped,
      targetLinesOmitted: built.targetLinesOmitted,
    });
    const path = uniquePath(testPathFor(target), usedPaths);
    firstRound.push({ target, path, messages: firstPrompt(target, built, path) });
  }
  progress({
    phase: 'context',
    message: `${firstRound.length} function(s) to test`,
    total: firstRound.length,
  });

  try {
    let round = 0;
    let pending: {
      candidate?: Candidate;
      target: GenerationTarget;
      path: string;
      messages: ChatMessage[];
    }[] = firstRound;
    while (pending.length > 0) {
      summary.rounds = round + 1;
      const toEvaluate: Candidate[] = [];
      let done = 0;
      for (const item of pending) {
        progress({
          phase: round === 0 ? 'model' : 'repair',
          message: item.target.context.qualname,
          done: done++,
          total: pending.length,
        });
        const result = await complete(item.messages);
        let files;
        try {
          files = parseAnswer(result.content);
        } catch (error) {
          if (!isGeneratorError(error) || error.code !== 'BAD_ANSWER') throw error;
          const candidate = item.candidate ?? newCandidate(item, candidates);
          candidate.answer = result.content;
          candidate.messages = item.messages;
          candidate.round = round;
          candidate.versions.push({
            content: '',
            round,
            accepted: [],
            rejected: [],
            fileProblem: {
              reasons: ['error'],
              message: `${error.message} Answer with a \`\`\`python block of pytest tests.`,
            },
          });
          continue;
        }
        files.forEach((file, index) => {
          const candidate =
            index === 0
              ? (item.candidate ?? newCandidate(item, candidates))
              : newCandidate(
                  {
                    ...item,
                    path: uniquePath(item.path.replace(/\.py$/, `_${index + 1}.py`), usedPaths),
                  },
                  candidates,
                  false,
                );
          candidate.messages = item.messages;
          candidate.answer = result.content;
          candidate.content = file.content;
          candidate.round = round;
          toEvaluate.push(candidate);
        });
      }

      if (toEvaluate.length > 0) {
        progress({
          phase: 'evaluate',
          message: `${toEvaluate.length} candidate file(s)`,
          total: toEvaluate.length,
        });
        const evaluation = await options.evaluate(
          toEvaluate.map((c) => ({
            path: c.path,
            content: c.content,
            targets: [c.target.context.qualname],
            generator: config.model,
          })),
          options.signal === undefined ? {} : { signal: options.signal },
        );
        for (const candidate of toEvaluate)
          candidate.versions.push(judgeVersion(candidate, evaluation, round));
      }

      // Decide what goes back to the model.
      const next: typeof pending = [];
      for (const candidate of candidates) {
        if (candidate.state !== 'pending' || candidate.round !== round) continue;
        const version = candidate.versions.at(-1);
        if (!version) continue;
        if (isUnsafe(version)) {
          // Never repaired: a model told "os.system is blocked" learns to hide it, and the
          // sandbox would have to catch the disguise. Reported, not suggested.
          candidate.state = 'unsafe';
          continue;
        }
        if (!version.fileProblem && version.rejected.length === 0 && version.accepted.length > 0) {
          candidate.state = 'accepted';
          continue;
        }
        if (!candidate.repairable || round >= config.maxRepairRounds) {
          candidate.state = 'exhausted';
          continue;
        }
        const failures = failuresOf(version);
        next.push({
          candidate,
          target: candidate.target,
          path: candidate.path,
          messages: repairPrompt(candidate.messages, candidate.answer, failures, {
            maxChars: config.failureOutputChars,
            testPath: candidate.path,
          }),
        });
      }
      pending = next;
      round++;
    }
  } catch (error) {
    if (!isGeneratorError(error)) throw error;
    switch (error.code) {
      case 'BUDGET_SPENT':
        return fallback('budget', error.message, candidates);
      case 'MODEL_UNAVAILABLE':
        return fallback(
          'model-unavailable',
          `the model is unavailable: ${error.message}`,
          candidates,
        );
      case 'MODEL_REJECTED':
      case 'NO_API_KEY':
        return fallback(
          'model-rejected',
          `the model refused the request: ${error.message}`,
          candidates,
        );
      case 'REPLAY_MISS':
        return fallback('replay-miss', error.message, candidates);
      default:
        throw error;
    }
  }

  for (const candidate of candidates)
    if (candidate.state === 'pending') candidate.state = 'exhausted';
  return {
    outcome: 'generated',
    ...finish(
      candidates.filter((c) => c.state !== 'unsafe'),
      candidates,
      summary,
      config,
      { rejected, contexts, requests },
    ),
  };
}

function newCandidate(
  item: { target: GenerationTarget; path: string; messages: ChatMessage[] },
  all: Candidate[],
  repairable = true,
): Candidate {
  const candidate: Candidate = {
    target: item.target,
    path: item.path,
    repairable,
    messages: item.messages,
    answer: '',
    content: '',
    round: 0,
    versions: [],
    state: 'pending',
  };
  all.push(candidate);
  return candidate;
}

function judgeVersion(
  candidate: Candidate,
  evaluation: CandidateEvaluation,
  round: number,
): Version {
  const tests = evaluation.tests.filter((t) => t.file === candidate.path);
  const file = evaluation.files.find((f) => f.path === candidate.path);
  const version: Version = {
    content: candidate.content,
    round,
    accepted: tests.filter((t) => t.status === 'accepted'),
    rejected: tests.filter((t) => t.status !== 'accepted'),
  };
  if (file && (file.error !== undefined || file.reasons.length > 0)) {
    version.fileProblem = {
      reasons: file.reasons.length > 0 ? [...file.reasons] : ['error'],
      message: file.error ?? file.details.map((d) => d.message).join('\n'),
    };
  } else if (tests.length === 0) {
    version.fileProblem = {
      reasons: ['error'],
      message: file?.error ?? 'pytest collected no test from this file.',
    };
  }
  return version;
}

function isUnsafe(version: Version): boolean {
  return (
    (version.fileProblem?.reasons.some((r) => UNSAFE.has(r)) ?? false) ||
    version.rejected.some((t) => t.reasons.some((r) => UNSAFE.has(r)))
  );
}

function failuresOf(version: Version): FailureForRepair[] {
  if (version.fileProblem) {
    return [
      {
        nodeid: '(the whole file)',
        reasons: version.fileProblem.reasons,
        message: version.fileProblem.message,
      },
    ];
  }
  return version.rejected.map((t) => ({
    nodeid: t.nodeid,
    reasons: t.reasons,
    message: [
      t.output ?? '',
      ...t.details.map((d) => d.message),
      // A mutant it passes on is a change of the code it cannot tell apart: ask for that.
      ...(t.survivors ?? [])
        .slice(0, MAX_SURVIVORS_IN_PROMPT)
        .map((survivor) => `write a test that fails on this change: ${survivor}`),
    ]
      .filter(Boolean)
      .join('\n'),
  }));
}

function finish(
  kept: Candidate[],
  all: Candidate[],
  summary: GenerationSummary,
  config: GeneratorConfig,
  extra: {
    rejected: RejectedCandidate[];
    contexts: ContextReport[];
    requests: { total: number; retries: number };
  },
): Omit<ModelGenerationResult, 'outcome'> {
  const files: CandidateFile[] = [];
  const suggestions: Suggestion[] = [];
  const suspectedBugs: SuspectedBug[] = [];
  for (const candidate of all) {
    const best = bestVersion(candidate);
    const last = candidate.versions.at(-1);
    if (candidate.state === 'unsafe' || !best || best.accepted.length === 0) {
      if (last) {
        const reasons = last.fileProblem?.reasons ?? [
          ...new Set(last.rejected.flatMap((t) => t.reasons)),
        ];
        extra.rejected.push({
          path: candidate.path,
          targets: [candidate.target.context.qualname],
          round: last.round,
          reasons: reasons.length > 0 ? reasons : ['bad-answer'],
          message:
            last.fileProblem?.message ??
            last.rejected.map((t) => `${t.nodeid}: ${t.reasons.join(', ')}`).join('; '),
        });
      }
    }
    if (last && candidate.state !== 'unsafe')
      suspectedBugs.push(...findSuspectedBugs(candidate.target, last));
    if (
      !kept.includes(candidate) ||
      candidate.state === 'unsafe' ||
      !best ||
      best.accepted.length === 0
    )
      continue;
    const file: CandidateFile = {
      path: candidate.path,
      content: best.content,
      targets: [candidate.target.context.qualname],
      generator: config.model,
    };
    files.push(file);
    // A function is kept only when all its cases (parametrized node ids) were accepted.
    const rejectedFunctions = new Set(best.rejected.map((t) => t.function));
    const acceptedTests = best.accepted.filter((t) => !rejectedFunctions.has(t.function));
    if (acceptedTests.length === 0) continue;
    const covers: Record<string, number[]> = {};
    for (const test of acceptedTests) {
      for (const [path, lines] of Object.entries(test.coverage.changedLines)) {
        covers[path] = [...new Set([...(covers[path] ?? []), ...lines])].sort((a, b) => a - b);
      }
    }
    suggestions.push({
      path: file.path,
      content:
        rejectedFunctions.size > 0
          ? removeLines(
              best.content,
              best.rejected.map((t) => t.lines),
            )
          : best.content,
      targets: file.targets,
      generator: config.model,
      tests: acceptedTests.map((t) => t.nodeid),
      covers,
    });
  }
  const targetsWithTests = new Set(suggestions.flatMap((s) => s.targets));
  const seen = new Set<string>();
  for (const candidate of all) {
    const qualname = candidate.target.context.qualname;
    const key = `${candidate.target.context.file}::${qualname}`;
    if (targetsWithTests.has(qualname) || seen.has(key)) continue;
    seen.add(key);
    const problem = extra.rejected.find((r) => r.path === candidate.path);
    summary.skipped.push({
      file: candidate.target.context.file,
      qualname,
      reason: problem
        ? `no generated test passed the gate after ${problem.round + 1} round(s): ${problem.reasons.join(', ')}`
        : 'no generated test passed the gate',
    });
  }
  const evaluated = all.flatMap(
    (c) => c.versions.at(-1)?.accepted.concat(c.versions.at(-1)?.rejected ?? []) ?? [],
  );
  summary.candidates = evaluated.length;
  summary.accepted = suggestions.reduce((n, s) => n + s.tests.length, 0);
  summary.suspectedBugs = suspectedBugs;
  summary.costUsd = Math.round(summary.costUsd * 1e6) / 1e6;
  return {
    files,
    suggestions,
    summary,
    suspectedBugs,
    rejected: extra.rejected,
    contexts: extra.contexts,
    requests: extra.requests,
  };
}

function bestVersion(candidate: Candidate): Version | undefined {
  let best: Version | undefined;
  for (const version of candidate.versions) {
    if (isUnsafe(version)) continue;
    if (!best || version.accepted.length > best.accepted.length) best = version;
  }
  return best;
}

/**
 * A test that still fails after the repair rounds on an assertion whose expected value the
 * target's docstring documents is more likely a bug in the code than in the test.
 */
function findSuspectedBugs(
  target: GenerationTarget,
  version: { rejected: CandidateTestResult[] },
): SuspectedBug[] {
  const doc = target.context.docstring;
  if (!doc) return [];
  const bugs: SuspectedBug[] = [];
  for (const test of version.rejected) {
    if (!test.reasons.includes('failed')) continue;
    const output = [test.output ?? '', ...test.details.map((d) => d.message)].join('\n');
    const documented = (test.expected ?? []).filter(
      (value) =>
        mentions(doc, value) &&
        (output.includes(value) || output.includes(value.replace(/^['"]|['"]$/g, ''))),
    );
    if (documented.length === 0) continue;
    const failure = output
      .split('\n')
      .map((l) => l.trim())
      .find(
        (l) =>
          /^(E\s+)?(AssertionError|assert |Failed: DID NOT RAISE)/.test(l) || l.startsWith('E '),
      );
    bugs.push({
      nodeid: test.nodeid,
      target: target.context.qualname,
      message:
        `${target.context.qualname} does not do what its docstring documents: the test expects ${documented.join(', ')}` +
        (failure ? ` (${failure.replace(/^E\s+/, '').slice(0, 300)})` : ''),
    });
  }
  return bugs;
}

function testPathFor(target: GenerationTarget): string {
  const moduleTail = target.context.module.split('.').at(-1) ?? 'module';
  const slug = `${moduleTail}_${target.context.qualname}`
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .toLowerCase();
  return `tests/test_testgate_${slug}.py`;
}

function uniquePath(path: string, used: Set<string>): string {
  let candidate = path;
  for (let n = 2; used.has(candidate); n++) candidate = path.replace(/\.py$/, `_${n}.py`);
  used.add(candidate);
  return candidate;
}

/**
 * The analysis's contexts joined with their line facts, most useful first: functions with
 * changed lines the PR's tests leave uncovered, then those with error paths, then the rest.
 */
export function targetsFromAnalysis(
  analysis: Pick<Analysis, 'functions' | 'contexts'>,
  options: { uncoveredChangedLines?: Record<string, number[]> } = {},
): GenerationTarget[] {
  const targets = analysis.contexts.map((context, index) => {
    const fn = analysis.functions.find(
      (f) => f.file === context.file && f.qualname === context.qualname,
    );
    const uncoveredInFile = options.uncoveredChangedLines?.[context.file];
    const uncovered =
      fn && uncoveredInFile
        ? uncoveredInFile.filter((l) => l >= fn.startLine && l <= fn.endLine)
        : undefined;
    const target: GenerationTarget = {
      context,
      ...(fn ? { function: fn } : {}),
      ...(uncovered ? { uncoveredChangedLines: uncovered } : {}),
    };
    const score =
      (uncovered?.length ? 2 : 0) +
      (fn && fn.raiseLines.length + fn.exceptLines.length > 0 ? 1 : 0);
    return { target, score, index };
  });
  // Uncovered lines are only known when the caller passed them; without them keep the analysis order.
  return targets.sort((a, b) => b.score - a.score || a.index - b.index).map((t) => t.target);
}
