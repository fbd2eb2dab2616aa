import { z } from 'zod';

const modelPriceSchema = z.object({
  /** USD per 1M prompt (input) tokens. */
  inputPer1M: z.number().nonnegative(),
  /** USD per 1M completion (output) tokens. */
  outputPer1M: z.number().nonnegative(),
});
type ModelPrice = z.infer<typeof modelPriceSchema>;

/**
 * List prices of common hosted models (USD per 1M tokens). Models missing from the table
 * (a local Ollama / vLLM / llama.cpp server) cost 0; override with `prices`.
 */
const DEFAULT_PRICES: Record<string, ModelPrice> = {
  'gpt-4o-mini': { inputPer1M: 0.15, outputPer1M: 0.6 },
  'gpt-4o': { inputPer1M: 2.5, outputPer1M: 10 },
  'gpt-4.1-mini': { inputPer1M: 0.4, outputPer1M: 1.6 },
  'gpt-4.1-nano': { inputPer1M: 0.1, outputPer1M: 0.4 },
  'gpt-4.1': { inputPer1M: 2, outputPer1M: 8 },
};

/** Options of the model generator. Every field has a default; parse `{}` for all defaults. */
export const generatorConfigSchema = z.object({
  /** @defaultValue `gpt-4o-mini` */
  model: z.string().min(1).max(200).default('gpt-4o-mini'),
  /** Token budget of one target's context (function, imports, helpers, test style). @defaultValue 2048 */
  contextTokens: z.number().int().min(128).max(200_000).default(2048),
  /** Rounds of "here is the failure, fix the test" after the first answer. @defaultValue 2 */
  maxRepairRounds: z.number().int().min(0).max(10).default(2),
  /** `max_tokens` of one completion. @defaultValue 1500 */
  maxOutputTokens: z.number().int().min(64).max(32_000).default(1500),
  /** @defaultValue 0: the same prompt should give the same tests, which keeps the cache useful. */
  temperature: z.number().min(0).max(2).default(0),
  /** How long a completion stays in the cache. @defaultValue 168 (one week) */
  cacheTtlHours: z
    .number()
    .positive()
    .max(24 * 365)
    .default(168),
  /** Minimum gap between two model requests of one installation. @defaultValue 300 */
  throttleMs: z.number().int().nonnegative().max(600_000).default(300),
  /** Characters of failure output sent back to the model in a repair round. @defaultValue 2000 */
  failureOutputChars: z.number().int().min(200).max(50_000).default(2000),
  /** Changed functions the model is asked about per job (nearest to the diff first). @defaultValue 20 */
  maxTargets: z.number().int().min(1).max(1000).default(20),
  /** Per-PR budget: once spent, the built-in generator takes over. */
  budget: z
    .object({
      /** Prompt + completion tokens per job. @defaultValue 200000 */
      maxTokens: z.number().int().positive().default(200_000),
      /** USD per job. @defaultValue 1 */
      maxCostUsd: z.number().nonnegative().default(1),
    })
    .prefault({}),
  /** USD per 1M tokens by model name; merged over {@link DEFAULT_PRICES}. */
  prices: z.record(z.string(), modelPriceSchema).default({}),
});
export type GeneratorConfig = z.infer<typeof generatorConfigSchema>;
export type GeneratorConfigInput = z.input<typeof generatorConfigSchema>;

export function parseGeneratorConfig(input: GeneratorConfigInput = {}): GeneratorConfig {
  return generatorConfigSchema.parse(input);
}

export function priceOf(model: string, prices: Record<string, ModelPrice> = {}): ModelPrice {
  return prices[model] ?? DEFAULT_PRICES[model] ?? { inputPer1M: 0, outputPer1M: 0 };
}

export function costUsd(
  usage: { promptTokens: number; completionTokens: number },
  price: ModelPrice,
): number {
  return (
    (usage.promptTokens * price.inputPer1M + usage.completionTokens * price.outputPer1M) / 1_000_000
  );
}
