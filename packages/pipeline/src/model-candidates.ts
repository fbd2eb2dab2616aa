/**
 * The model generator (packages/generator) as runGate's `generateCandidates` seam, shared
 * by the CLI and the worker. Everything an edge owns comes in through the options: the
 * environment (OPENAI_API_KEY / OPENAI_BASE_URL; this package never reads process.env),
 * the completion cache on the edge's Redis connection, the edge's throttle, the
 * record/replay directories. Model trouble comes back as a fallback (its reason and what
 * it spent), which runGate answers with the built-in generator.
 */
import type { GateConfig } from '@testgate/core';
import {
  candidateEvaluationFrom,
  createProviderFromEnv,
  generateWithModel,
  generatorConfigFromGate,
  pipelineResultOf,
  targetsFromAnalysis,
} from '@testgate/generator';
import type { CompletionCache, Throttle } from '@testgate/generator';
import type { GenerateContext, GenerateResult } from './run-gate.ts';

interface ModelCandidatesOptions {
  /** Where OPENAI_API_KEY and OPENAI_BASE_URL come from: the edge's validated env. */
  env: Readonly<Record<string, string | undefined>>;
  /** The repo's config (`generate.model`: model name, budget, retries, cache TTL, ...). */
  config: GateConfig;
  /** Answer from recorded exchanges instead of a live model (`--replay DIR`). */
  replayDir?: string | undefined;
  /** Write every exchange with the model here (`--record DIR`). */
  recordDir?: string | undefined;
  /** Completions by request hash; a cache hit costs no model call. */
  cache?: CompletionCache | undefined;
  /** One per process: spaces the requests of one key (installation) apart. */
  throttle?: Throttle | undefined;
  /** The installation id, or `local` for the CLI. */
  throttleKey: string;
  /** Changed lines the PR's own tests leave uncovered, per file: those functions go first. */
  uncoveredChangedLines?: Record<string, number[]> | undefined;
  /** fetch for the OpenAI client (tests). @defaultValue globalThis.fetch */
  fetch?: typeof fetch | undefined;
}

export function createModelCandidates(
  options: ModelCandidatesOptions,
): (context: GenerateContext) => Promise<GenerateResult> {
  const { env, config } = options;
  return async (context) => {
    const provider = createProviderFromEnv({
      env,
      model: config.generate.model,
      recordDir: options.recordDir,
      replayDir: options.replayDir,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
    const analysis = await context.analyze();
    const result = await generateWithModel({
      targets: targetsFromAnalysis(
        analysis,
        options.uncoveredChangedLines === undefined
          ? {}
          : { uncoveredChangedLines: options.uncoveredChangedLines },
      ),
      evaluate: async (files, evalOptions) => {
        const { report, evidence } = await context.evaluate(files, evalOptions);
        return candidateEvaluationFrom(report, evidence);
      },
      provider,
      config: generatorConfigFromGate(config.generate.model),
      existingPaths: await context.headPaths(),
      throttleKey: options.throttleKey,
      ...(options.cache === undefined ? {} : { cache: options.cache }),
      ...(options.throttle === undefined ? {} : { throttle: options.throttle }),
      ...(context.signal === undefined ? {} : { signal: context.signal }),
      onProgress: (event) =>
        context.onProgress?.({
          phase: `model ${event.phase}`,
          message: event.message,
          ...(event.done === undefined ? {} : { done: event.done }),
          ...(event.total === undefined ? {} : { total: event.total }),
        }),
    });
    return pipelineResultOf(result);
  };
}
