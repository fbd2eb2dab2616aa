import { ConfigError } from '@testgate/core';
import { GitHubError, httpStatus, isTransientGitHubError } from '@testgate/github';
import { isPipelineError } from '@testgate/pipeline';

export type FailureKind = 'transient' | 'permanent';

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * The one place that decides whether a failed job is worth another attempt. A GitHub
 * 5xx / 429 / rate-limit 403, a lost connection or a retryable pipeline error (engine
 * hiccup) is transient; a GitHub 4xx, an unsafe archive or a bad config is not.
 */
export function classifyFailure(error: unknown): FailureKind {
  if (error instanceof ConfigError) return 'permanent';
  if (error instanceof GitHubError)
    return isTransientGitHubError(error) ? 'transient' : 'permanent';
  if (isPipelineError(error)) return error.retryable ? 'transient' : 'permanent';
  if (httpStatus(error) !== undefined)
    return isTransientGitHubError(error) ? 'transient' : 'permanent';
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return 'transient';
    current = (current as { cause?: unknown }).cause;
  }
  if (error instanceof TypeError && /fetch failed/i.test(error.message)) return 'transient';
  return 'permanent';
}

/** One line for a check run title or a log: the message plus the hint pipeline errors carry. */
export function describeFailure(error: unknown): { message: string; hint?: string } {
  if (isPipelineError(error)) return { message: error.message, hint: error.hint };
  if (error instanceof Error) return { message: error.message };
  return { message: String(error) };
}
