import { ConfigError, HostError } from '@testgate/core';
import { isPipelineError } from '@testgate/pipeline';

type FailureKind = 'transient' | 'permanent';

/** Node's and undici's codes for a connection that failed or was lost: worth another try. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/**
 * The one place that decides whether a failed job is worth another attempt, by type and
 * code, never by message. A host failure says itself (its adapter set `transient`: for
 * GitHub a 5xx, a 429, a rate-limit 403, a cut-off download); a lost connection (a network
 * code anywhere in the cause chain, as undici's `fetch failed` carries it) or a retryable
 * pipeline error (engine hiccup) is transient; a host 4xx, an unsafe tree or a bad config
 * is not.
 */
export function classifyFailure(error: unknown): FailureKind {
  if (error instanceof ConfigError) return 'permanent';
  if (error instanceof HostError) return error.transient ? 'transient' : 'permanent';
  if (isPipelineError(error)) return error.retryable ? 'transient' : 'permanent';
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return 'transient';
    current = (current as { cause?: unknown }).cause;
  }
  return 'permanent';
}

/** One line for a check run title or a log: the message plus the hint pipeline errors carry. */
export function describeFailure(error: unknown): { message: string; hint?: string } {
  if (isPipelineError(error)) return { message: error.message, hint: error.hint };
  if (error instanceof Error) return { message: error.message };
  return { message: String(error) };
}
