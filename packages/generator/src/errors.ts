/** Stable codes: callers dispatch on `code`, never on the message text. */
type GeneratorErrorCode =
  | 'NO_API_KEY'
  | 'MODEL_UNAVAILABLE'
  | 'MODEL_REJECTED'
  | 'BUDGET_SPENT'
  | 'REPLAY_MISS'
  | 'BAD_ANSWER'
  | 'ABORTED'
  | 'CONFIG_INVALID';

export class GeneratorError extends Error {
  readonly code: GeneratorErrorCode;
  /** Whether trying again later may help (429, 5xx, lost connection). */
  readonly retryable: boolean;
  /** HTTP requests sent before giving up (they count as model calls). */
  readonly requests: number;

  constructor(
    code: GeneratorErrorCode,
    message: string,
    options: { cause?: unknown; retryable?: boolean; requests?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GeneratorError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.requests = options.requests ?? 0;
  }
}

export function isGeneratorError(error: unknown): error is GeneratorError {
  return error instanceof GeneratorError;
}
