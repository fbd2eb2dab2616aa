import { createHash } from 'node:crypto';
import { z } from 'zod';

export const chatMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const completionRequestSchema = z.object({
  model: z.string(),
  messages: z.array(chatMessageSchema),
  temperature: z.number(),
  maxTokens: z.number().int(),
});
export type CompletionRequest = z.infer<typeof completionRequestSchema>;

export const completionResultSchema = z.object({
  content: z.string(),
  /** The model the server says answered (may differ from the one asked for). */
  model: z.string(),
  usage: z.object({
    promptTokens: z.number().int().nonnegative(),
    completionTokens: z.number().int().nonnegative(),
  }),
  finishReason: z.string().optional(),
  /** HTTP requests this completion took, retries included (0 when served from a cache or a replay). */
  requests: z.number().int().nonnegative(),
});
export type CompletionResult = z.infer<typeof completionResultSchema>;

export interface CompleteOptions {
  signal?: AbortSignal;
}

/**
 * The one seam between the generator and a model. Decorators (recording, replay) wrap it;
 * the cache and the throttle sit in front of it in `generateWithModel`.
 */
export interface ModelProvider {
  /** For logs and reports, e.g. `openai`, `replay`. */
  readonly name: string;
  complete(request: CompletionRequest, options?: CompleteOptions): Promise<CompletionResult>;
}

/**
 * sha256 of the model, the messages and the sampling parameters: the cache key and the
 * record/replay file name. Key order is fixed so the same request always hashes the same.
 */
export function requestHash(request: CompletionRequest): string {
  const canonical = JSON.stringify([
    'testgate-completion-v1',
    request.model,
    request.temperature,
    request.maxTokens,
    request.messages.map((m) => [m.role, m.content]),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
