/** Stable codes for GitHub-side failures; the worker maps them to retry or not. */
export type GitHubErrorCode =
  | 'unsafe-archive'
  | 'archive-too-large'
  | 'bad-archive'
  /** The archive's gzip stream ended early: the download was cut off (retry it). */
  | 'archive-truncated'
  | 'bad-response'
  | 'not-found';

export class GitHubError extends Error {
  readonly code: GitHubErrorCode;

  constructor(code: GitHubErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GitHubError';
    this.code = code;
  }
}

/**
 * Whether a failed GitHub call may succeed if tried again later. 5xx, 429 and a primary
 * or secondary rate-limit 403 are transient; other 4xx are deterministic (a missing
 * permission, a deleted repo, a bad request) and retrying only burns the rate limit.
 * Errors without an HTTP status (lost connection, DNS, reset) are transient, and so is an
 * archive whose download was cut off.
 */
export function isTransientGitHubError(error: unknown): boolean {
  if (error instanceof GitHubError) return error.code === 'archive-truncated';
  const status = httpStatus(error);
  if (status === undefined) return true;
  if (status >= 500 || status === 429) return true;
  if (status === 403) {
    const headers =
      (error as { response?: { headers?: Record<string, string | undefined> } }).response
        ?.headers ?? {};
    const message = error instanceof Error ? error.message : '';
    return (
      headers['x-ratelimit-remaining'] === '0' ||
      headers['retry-after'] !== undefined ||
      /rate limit/i.test(message)
    );
  }
  return false;
}

export function httpStatus(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'status' in error) {
    const status = (error as { status: unknown }).status;
    if (typeof status === 'number') return status;
  }
  return undefined;
}
