import type { GenerationSummary } from '@testgate/core';
import type { CandidateFile, ModelGenerationResult } from './generate.ts';

/**
 * What `runGate`'s `generateCandidates` returns for a model run: the files and what the
 * model path spent, or, when it fell back, the reason for the report and what it spent
 * before (calls, tokens, cost) for the built-in generator's summary to carry.
 */
export function pipelineResultOf(result: ModelGenerationResult):
  | {
      files: CandidateFile[];
      summary: Omit<GenerationSummary, 'generator' | 'candidates' | 'accepted'>;
    }
  | { fallback: { reason: string; spent: GenerationSummary } } {
  if (result.outcome === 'fallback') {
    return {
      fallback: {
        reason: result.fallback?.message ?? 'the model path fell back to the built-in generator',
        spent: result.summary,
      },
    };
  }
  const {
    generator: _generator,
    candidates: _candidates,
    accepted: _accepted,
    ...summary
  } = result.summary;
  return { files: result.files, summary };
}
