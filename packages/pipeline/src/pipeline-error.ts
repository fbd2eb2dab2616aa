/**
 * The one error type runGate throws. Sandbox failures (engine down, deadline, invalid
 * report, ...) are normalised here so the CLI and the worker dispatch on `code` and print
 * `hint`, never parse messages. A repository whose package does not import is NOT an
 * error: the harness reports it and judge() returns a neutral verdict.
 */
type PipelineErrorCode =
  /** The Docker engine does not answer. */
  | 'DOCKER_UNAVAILABLE'
  /** The sandbox image is missing or could not be built. */
  | 'IMAGE_UNAVAILABLE'
  /** The sandbox passed its outer wall-clock deadline and was killed. */
  | 'SANDBOX_DEADLINE'
  /** The sandbox was killed for memory or an output flood. */
  | 'SANDBOX_LIMIT'
  /** The harness wrote no valid report (or crashed). */
  | 'HARNESS_FAILED'
  /** The caller aborted the run. */
  | 'ABORTED'
  /** The input trees could not be packed. */
  | 'TREE_INVALID'
  /** Anything else. */
  | 'INTERNAL';

export class PipelineError extends Error {
  override readonly name = 'PipelineError';
  readonly code: PipelineErrorCode;
  /** What the user can do about it, one sentence. */
  readonly hint: string;
  /** Whether running again later may succeed (engine hiccup, deadline under load). */
  readonly retryable: boolean;

  constructor(
    code: PipelineErrorCode,
    message: string,
    options: { cause?: unknown; hint?: string; retryable?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint ?? HINTS[code];
    this.retryable = options.retryable ?? RETRYABLE.has(code);
  }
}

const RETRYABLE = new Set<PipelineErrorCode>([
  'DOCKER_UNAVAILABLE',
  'SANDBOX_DEADLINE',
  'INTERNAL',
]);

const HINTS: Record<PipelineErrorCode, string> = {
  DOCKER_UNAVAILABLE:
    'start the Docker engine (bash scripts/ensure-docker.sh) or set DOCKER_HOST, then run `testgate doctor`',
  IMAGE_UNAVAILABLE:
    'build the sandbox image with `bash scripts/ensure-image.sh`, then run `testgate doctor`',
  SANDBOX_DEADLINE:
    'the tests took longer than the sandbox allows: lower `reruns` or `limits.wallSeconds` in .github/testgate.yml, or split the pull request',
  SANDBOX_LIMIT:
    'the tests used too much memory or printed too much output: look for tests that allocate or print in a loop',
  HARNESS_FAILED:
    'this is a Testgate bug or a broken sandbox image: rebuild the image (bash scripts/ensure-image.sh) and rerun with DEBUG=1',
  ABORTED: 'the run was cancelled',
  TREE_INVALID:
    'the repository holds something the sandbox refuses (absolute paths, links out of the tree, or more than 512 MiB)',
  INTERNAL: 'rerun with DEBUG=1 and report the output',
};

export function isPipelineError(error: unknown): error is PipelineError {
  return error instanceof PipelineError;
}
