/** Stable codes for queue failures; callers dispatch on `code`, never on message text. */
type QueueErrorCode = 'REDIS_UNAVAILABLE' | 'INVALID_JOB_DATA';

export class QueueError extends Error {
  readonly code: QueueErrorCode;

  constructor(code: QueueErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QueueError';
    this.code = code;
  }
}
