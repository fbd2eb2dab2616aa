export { runGate, toPipelineError } from './run-gate.ts';
export type { RunGateOptions, EnvironmentStep } from './run-gate.ts';
export { PipelineError, isPipelineError } from './pipeline-error.ts';
export { createModelCandidates } from './model-candidates.ts';
