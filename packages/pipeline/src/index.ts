export { runGate, evaluateDeadlineMs, estimateTestCount, toPipelineError } from './run-gate.ts';
export type {
  GateProgressEvent,
  GatePhase,
  GenerateContext,
  GenerateMode,
  GenerateResult,
  RunGateOptions,
  EnvironmentStep,
} from './run-gate.ts';
export { PipelineError, isPipelineError } from './pipeline-error.ts';
export type { PipelineErrorCode } from './pipeline-error.ts';
export { buildSuggestions } from './suggestions.ts';
export type { GeneratedFile } from './suggestions.ts';
export { createModelCandidates } from './model-candidates.ts';
export type { ModelCandidatesOptions } from './model-candidates.ts';
