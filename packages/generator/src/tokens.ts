import { Tiktoken } from 'js-tiktoken/lite';
import o200kBase from 'js-tiktoken/ranks/o200k_base';

let encoder: Tiktoken | undefined;

/**
 * Tokens of `text` with o200k_base (the gpt-4o family's encoding). Other models tokenize
 * differently; the budget is an estimate that keeps prompts small, not a billing figure
 * (billing uses the `usage` the server returns).
 */
export function countTokens(text: string): number {
  encoder ??= new Tiktoken(o200kBase);
  return encoder.encode(text).length;
}

/** The longest prefix of `text` (cut at a line end when possible) that fits in `maxTokens`. */
export function truncateToTokens(text: string, maxTokens: number): string {
  if (maxTokens <= 0) return '';
  encoder ??= new Tiktoken(o200kBase);
  const tokens = encoder.encode(text);
  if (tokens.length <= maxTokens) return text;
  const prefix = encoder.decode(tokens.slice(0, maxTokens));
  const lastNewline = prefix.lastIndexOf('\n');
  return lastNewline > 0 ? prefix.slice(0, lastNewline + 1) : prefix;
}
