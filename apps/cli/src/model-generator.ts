/**
 * The model generator as runGate's `generateCandidates` seam, for `testgate run`: the
 * OpenAI-compatible server from the environment (OPENAI_API_KEY / OPENAI_BASE_URL),
 * the analysis and the evaluation from the pipeline's context. Model trouble comes back
 * as a ModelFallbackError, which runGate answers with the built-in generator.
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
import type { GenerateContext, GenerateResult } from '@testgate/pipeline';

export function createModelGenerateCandidates(options: {
  env: NodeJS.ProcessEnv;
  config: GateConfig;
  /** Answer from recorded completions instead of a live model. */
  replayDir?: string | undefined;
}): (context: GenerateContext) => Promise<GenerateResult> {
  const { env, config } = options;
  return async (context) => {
    const provider = createProviderFromEnv({
      env,
      model: config.generate.model,
      replayDir: options.replayDir,
    });
    const analysis = await context.analyze();
    const result = await generateWithModel({
      targets: targetsFromAnalysis(analysis),
      evaluate: async (files, evalOptions) => {
        const { report, evidence } = await context.evaluate(files, evalOptions);
        return candidateEvaluationFrom(report, evidence);
      },
      provider,
      config: generatorConfigFromGate(config.generate.model),
      existingPaths: await context.headPaths(),
      throttleKey: 'local',
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
