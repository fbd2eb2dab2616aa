/**
 * Which generator `testgate run` uses. The decision lives in packages/generator
 * (`resolveGenerateMode`: the --generate flag, then `generate.mode` of the config; `auto`
 * means the model when OPENAI_API_KEY or OPENAI_BASE_URL is set, else the built-in one),
 * so the CLI and the worker decide the same way.
 */
export { resolveGenerateMode } from '@testgate/generator';
export type { GenerateMode } from '@testgate/generator';
