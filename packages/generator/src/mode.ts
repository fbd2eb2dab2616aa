import type { GateConfig, GenerateMode } from '@testgate/core';

export type { GenerateMode } from '@testgate/core';

/**
 * Which generator runs. The `--generate` flag wins, then `generate.mode` of the repo
 * config; `auto` (the default) means the model when one is configured (OPENAI_API_KEY,
 * OPENAI_BASE_URL for a local server that needs no key, or a replay directory), else the
 * built-in generator.
 */
export function resolveGenerateMode(options: {
  flag?: GenerateMode | undefined;
  config: Pick<GateConfig, 'generate'>;
  env: Readonly<Record<string, string | undefined>>;
  /** `--replay DIR`: recorded answers stand in for the model. */
  replayDir?: string | undefined;
}): GenerateMode {
  if (options.flag !== undefined) return options.flag;
  const mode = options.config.generate.mode;
  if (mode !== 'auto') return mode;
  return modelConfigured(options.env, options.replayDir) ? 'model' : 'builtin';
}

function modelConfigured(
  env: Readonly<Record<string, string | undefined>>,
  replayDir?: string,
): boolean {
  return Boolean(env.OPENAI_API_KEY?.trim() || env.OPENAI_BASE_URL?.trim() || replayDir);
}
