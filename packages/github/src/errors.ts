/** Stable codes for GitHub-side failures; the worker maps them to retry or not. */
export type GitHubErrorCode =
  | 'UNSAFE_ARCHIVE'
  | 'ARCHIVE_TOO_LARGE'
  | 'BAD_ARCHIVE'
  /** The archive's gzip stream ended early: the download was cut off (retry it). */
  | 'ARCHIVE_TRUNCATED'
  | 'BAD_RESPONSE';

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
  if (error instanceof GitHubError) return error.code === 'ARCHIVE_TRUNCATED';
  const status = httpStatus(error);
  if (status === undefined) return true;
  if (status >= 500 || status === 429) return true;
  if (status === 403) {
    const headers =
      (error as { response?: { headers?: Record<string, string | undefined> } }).response
        ?.headers ?? {};
    // A secondary limit may come without either header; its body then links the
    // rate-limit docs (a field GitHub documents, unlike the message's wording).
    const docs = (error as { response?: { data?: { documentation_url?: unknown } } }).response?.data
      ?.documentation_url;
    return (
      headers['x-ratelimit-remaining'] === '0' ||
      headers['retry-after'] !== undefined ||
      (typeof docs === 'string' && docs.includes('rate-limit'))
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
