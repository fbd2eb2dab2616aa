/** Stable words of the JSON report and the docs (see DESIGN.md, "Vocabulary"). */

/**
 * Every reason a test can be rejected for, in display order: the reasons that matter most
 * (safety, then correctness) first. Reports sort reasons by their place here.
 */
export const REASON_CODES = [
  'unsafe',
  'tampering',
  'error',
  'failed',
  'timeout',
  'resource-limit',
  'flaky',
  'skipped',
  'slow',
  'no-assert',
  'trivial-assert',
  'weak-oracle',
  'passes-before',
  'no-coverage-gain',
  'misses-error-path',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export type TestStatus = 'accepted' | 'rejected';
export type Verdict = 'pass' | 'fail' | 'neutral';
/** `pr`: a test the pull request adds or edits; `generated`: one Testgate wrote. */
export type TestOrigin = 'pr' | 'generated';
