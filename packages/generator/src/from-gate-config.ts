import { describeMutant } from '@testgate/core';
import type { EvaluationEvidence, GateConfig, GateReport } from '@testgate/core';
import type { GeneratorConfigInput } from './config.ts';
import type { CandidateEvaluation } from './generate.ts';
import { createOpenAIProvider } from './openai-provider.ts';
import type { ModelProvider } from './provider.ts';
import { createRecordingProvider, createReplayProvider } from './record-replay.ts';

type ModelSettings = GateConfig['generate']['model'];

/** The generator's options from `.github/testgate.yml`'s `generate.model`. */
export function generatorConfigFromGate(model: ModelSettings): GeneratorConfigInput {
  return {
    model: model.name,
    contextTokens: model.contextTokens,
    maxRepairRounds: model.maxRepairRounds,
    temperature: model.temperature,
    cacheTtlHours: model.cacheTtlHours,
    throttleMs: model.throttleMs,
    budget: { maxTokens: model.budget.tokens, maxCostUsd: model.budget.usd },
    prices: model.prices,
  };
}

/**
 * The provider an edge (CLI, worker) should use, or undefined when no model is configured:
 * `replayDir` answers from a recording; otherwise the OpenAI-compatible server of
 * OPENAI_BASE_URL (config `baseUrl` when unset) with OPENAI_API_KEY, wrapped to record to
 * `recordDir` when given. A local server without a key gets a placeholder key, as the
 * `openai` client requires one.
 */
export function createProviderFromEnv(options: {
  env: Readonly<Record<string, string | undefined>>;
  model: Pick<ModelSettings, 'baseUrl' | 'timeoutSeconds' | 'maxRetries'>;
  recordDir?: string | undefined;
  replayDir?: string | undefined;
  fetch?: typeof fetch;
}): ModelProvider | undefined {
  if (options.replayDir) return createReplayProvider(options.replayDir);
  const apiKey = options.env.OPENAI_API_KEY?.trim();
  const baseURL = options.env.OPENAI_BASE_URL?.trim() || options.model.baseUrl;
  if (!apiKey && !options.env.OPENAI_BASE_URL?.trim()) return undefined;
  const provider = createOpenAIProvider({
    apiKey: apiKey || 'no-key',
    ...(baseURL ? { baseURL } : {}),
    timeoutMs: options.model.timeoutSeconds * 1000,
    maxRetries: options.model.maxRetries,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return options.recordDir ? createRecordingProvider(provider, options.recordDir) : provider;
}

/**
 * What `evaluate` should return, from the judged report and the evidence it was judged
 * from: the generated tests and files, each test with the failure output of its first
 * failing run (the report keeps only outcomes; the model needs the text to repair).
 */
export function candidateEvaluationFrom(
  report: Pick<GateReport, 'tests' | 'files'>,
  evidence: Pick<EvaluationEvidence, 'tests'> & Partial<Pick<EvaluationEvidence, 'mutation'>>,
): CandidateEvaluation {
  const judged = new Map(evidence.tests.map((t) => [t.nodeid, t] as const));
  const mutants = (evidence.mutation?.mutants ?? []).filter(
    (m) => m.valueChanging && m.status !== 'not-run',
  );
  // The mutants of the lines a test runs that it does not kill at an assert: what a repair
  // round asks the model to tell apart from the code.
  const survivorsOf = (nodeid: string): string[] => {
    const seen = judged.get(nodeid);
    if (seen?.strength === undefined) return [];
    const killed = new Set(seen.strength.killedIds);
    return mutants
      .filter(
        (m) =>
          !killed.has(m.id) && (seen.coverage.changedLinesCovered[m.file] ?? []).includes(m.line),
      )
      .map(describeMutant);
  };
  return {
    tests: report.tests
      .filter((t) => t.origin === 'generated')
      .map((t) => {
        const seen = judged.get(t.nodeid);
        const output = seen?.runs.find((r) => r.outcome !== 'passed' && r.message)?.message;
        return {
          ...t,
          // Where the harness found the test (its syntax tree): how a rejected one is cut out.
          lines: { start: seen?.startLine ?? 0, end: seen?.endLine ?? 0 },
          ...(output === undefined ? {} : { output }),
          ...(seen?.expected === undefined ? {} : { expected: seen.expected }),
          ...(t.reasons.includes('weak-oracle') ? { survivors: survivorsOf(t.nodeid) } : {}),
        };
      }),
    files: report.files.filter((f) => f.origin === 'generated'),
  };
}
