/** Stable codes of every failure packages/sandbox reports. Callers dispatch on these, never on text. */
type SandboxErrorCode =
  /** The Docker engine does not answer (socket missing, refused, or ping failed). */
  | 'DOCKER_UNAVAILABLE'
  /** The image to run is not present locally. */
  | 'IMAGE_MISSING'
  /** Building the base or the thin harness image failed. */
  | 'IMAGE_BUILD_FAILED'
  /** The outer wall-clock deadline passed; the container was killed from outside. */
  | 'SANDBOX_DEADLINE'
  /** stdout or stderr went past its byte cap; the container was killed. */
  | 'SANDBOX_OUTPUT_LIMIT'
  /** The container hit its memory limit and the kernel OOM-killed a process. */
  | 'SANDBOX_OOM'
  /** The sandboxed program exited non-zero (for the harness: the harness itself failed). */
  | 'SANDBOX_EXIT'
  /** The caller's AbortSignal fired; the container was killed and removed. */
  | 'SANDBOX_ABORTED'
  /** Any other engine error while creating, starting or waiting for a container. */
  | 'SANDBOX_ENGINE'
  /** The input tree was refused by the packer (absolute path, `..`, too big, ...). */
  | 'TREE_INVALID'
  /** The harness's stdout did not carry exactly one valid report framed by our nonce. */
  | 'HARNESS_REPORT_INVALID';

/** What the sandboxed process did, kept on errors as evidence. */
export interface SandboxEvidence {
  exitCode: number | null;
  stdoutTail: string;
  stderrTail: string;
  timedOut: boolean;
  oomKilled: boolean;
  outputLimitHit: boolean;
  durationMs: number;
  containerId?: string;
  /** Extra detail, e.g. zod issues for HARNESS_REPORT_INVALID. */
  detail?: string;
}

export class SandboxError extends Error {
  override readonly name = 'SandboxError';
  readonly code: SandboxErrorCode;
  readonly evidence: SandboxEvidence | undefined;

  constructor(
    code: SandboxErrorCode,
    message: string,
    options: { cause?: unknown; evidence?: SandboxEvidence } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.evidence = options.evidence;
  }
}

export function isSandboxError(error: unknown, code?: SandboxErrorCode): error is SandboxError {
  return error instanceof SandboxError && (code === undefined || error.code === code);
}

const UNAVAILABLE_CODES = new Set([
  'ENOENT',
  'ECONNREFUSED',
  'EACCES',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
]);

/**
 * Normalises whatever dockerode threw into a SandboxError, in one place, so callers
 * never parse engine messages themselves.
 */
export function toSandboxError(error: unknown, context: string): SandboxError {
  if (error instanceof SandboxError) return error;
  const err = error as {
    code?: unknown;
    statusCode?: unknown;
    message?: unknown;
    json?: { message?: unknown };
  };
  const sysCode = typeof err?.code === 'string' ? err.code : undefined;
  if (sysCode !== undefined && UNAVAILABLE_CODES.has(sysCode)) {
    return new SandboxError(
      'DOCKER_UNAVAILABLE',
      `Docker engine is not answering (${sysCode} during ${context}): start it with scripts/ensure-docker.sh, or set DOCKER_HOST to a reachable engine`,
      { cause: error },
    );
  }
  const engineMessage =
    typeof err?.json?.message === 'string'
      ? err.json.message
      : typeof err?.message === 'string'
        ? err.message
        : String(error);
  if (err?.statusCode === 404 && /no such image/i.test(engineMessage)) {
    return new SandboxError(
      'IMAGE_MISSING',
      `Sandbox image is missing (${engineMessage}): build it with scripts/ensure-image.sh`,
      { cause: error },
    );
  }
  return new SandboxError(
    'SANDBOX_ENGINE',
    `Docker engine error during ${context}: ${engineMessage}`,
    { cause: error },
  );
}
