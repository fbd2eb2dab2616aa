/** Stable words of the JSON report and the docs (see DESIGN.md, "Vocabulary"). */

export const REASON_CODES = [
  'unsafe',
  'failed',
  'error',
  'skipped',
  'flaky',
  'slow',
  'timeout',
  'resource-limit',
  'no-assert',
  'trivial-assert',
  'no-coverage-gain',
  'misses-error-path',
  'tampering',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export type TestStatus = 'accepted' | 'rejected';
export type Verdict = 'pass' | 'fail' | 'neutral';
/** `pr`: a test the pull request adds or edits; `generated`: one Testgate wrote. */
export type TestOrigin = 'pr' | 'generated';
