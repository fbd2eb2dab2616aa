import type { GenerationSummary } from '@testgate/core';
import { GeneratorError } from './errors.ts';
import type { CandidateFile, FallbackCode, ModelGenerationResult } from './generate.ts';

/**
 * Thrown by {@link pipelineResultOf} when the model path fell back: the message is the
 * reason for the report, `summary` keeps what the model path spent (calls, tokens, cost)
 * so the built-in generator's summary can carry it.
 */
class ModelFallbackError extends GeneratorError {
  readonly fallback: FallbackCode;
  readonly summary: GenerationSummary;

  constructor(result: ModelGenerationResult) {
    super(
      'MODEL_FALLBACK',
      result.fallback?.message ?? 'the model path fell back to the built-in generator',
    );
    this.name = 'ModelFallbackError';
    this.fallback = result.fallback?.code ?? 'model-unavailable';
    this.summary = result.summary;
  }
}

export function isModelFallbackError(error: unknown): error is ModelFallbackError {
  return error instanceof ModelFallbackError;
}

/**
 * The shape `runGate`'s `generateCandidates` returns (files + summary), or a
 * {@link ModelFallbackError} for a fallback result, which runGate answers by running the
 * built-in generator.
 */
export function pipelineResultOf(result: ModelGenerationResult): {
  files: CandidateFile[];
  summary: Omit<GenerationSummary, 'generator' | 'candidates' | 'accepted'>;
} {
  if (result.outcome === 'fallback') throw new ModelFallbackError(result);
  const {
    generator: _generator,
    candidates: _candidates,
    accepted: _accepted,
    ...summary
  } = result.summary;
  return { files: result.files, summary };
}
