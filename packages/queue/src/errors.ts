/** Stable codes for queue failures; callers dispatch on `code`, never on message text. */
export type QueueErrorCode = 'redis-unavailable' | 'invalid-job-data';

export class QueueError extends Error {
  readonly code: QueueErrorCode;

  constructor(code: QueueErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QueueError';
    this.code = code;
  }
}
