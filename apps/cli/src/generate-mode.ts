import type { GateConfig } from '@testgate/core';

export type GenerateMode = 'model' | 'builtin' | 'off';

/**
 * Which generator runs: the --generate flag wins, then `generate.mode` of the config.
 * `auto` will mean "the model when OPENAI_API_KEY is set, else the built-in generator"
 * once the generators land (the generator engineers change this one function); until
 * then `auto` runs none.
 */
export function resolveGenerateMode(options: {
  flag: GenerateMode | undefined;
  config: Pick<GateConfig, 'generate'>;
  env: NodeJS.ProcessEnv;
}): GenerateMode {
  if (options.flag !== undefined) return options.flag;
  const mode = options.config.generate.mode;
  if (mode !== 'auto') return mode;
  return 'off';
}
