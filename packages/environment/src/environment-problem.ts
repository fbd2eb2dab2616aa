/**
 * Why a project's environment could not be set up. Each is a `neutral` verdict with the
 * reason in the check run's title: the gate could not judge, and says what to change.
 */
type EnvironmentProblemCode =
  | 'conflict'
  | 'not-found'
  | 'index-auth'
  | 'index-unreachable'
  | 'no-wheel'
  | 'sdist-only'
  | 'sdist-build-failed'
  | 'requires-python'
  | 'hash-mismatch'
  | 'time-limit'
  | 'size-limit'
  | 'install-failed';

const TITLES: Record<EnvironmentProblemCode, string> = {
  conflict: 'Not judged: the dependencies conflict',
  'not-found': 'Not judged: a dependency is not on the package index',
  'index-auth': 'Not judged: the package index refused the credentials',
  'index-unreachable': 'Not judged: the package index could not be reached',
  'no-wheel': 'Not judged: a dependency has no wheel for the sandbox',
  'sdist-only': 'Not judged: a dependency is published only as source',
  'sdist-build-failed': 'Not judged: a source-only dependency did not build',
  'requires-python': "Not judged: the project needs another Python than the sandbox's",
  'hash-mismatch': 'Not judged: a downloaded wheel does not match the lock file',
  'time-limit': 'Not judged: installing the dependencies took too long',
  'size-limit': 'Not judged: the dependencies are too large',
  'install-failed': 'Not judged: the dependencies did not install',
};

export class EnvironmentProblem extends Error {
  override readonly name = 'EnvironmentProblem';
  readonly code: EnvironmentProblemCode;
  /** The package it is about, when there is one. */
  readonly packageName?: string;

  constructor(
    code: EnvironmentProblemCode,
    message: string,
    options: { packageName?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.packageName !== undefined) this.packageName = options.packageName;
  }

  /** The check run's title: what kept the gate from judging, with the package when known. */
  get title(): string {
    const base = TITLES[this.code];
    return this.packageName ? `${base} (${this.packageName})` : base;
  }
}

export function isEnvironmentProblem(error: unknown): error is EnvironmentProblem {
  return error instanceof EnvironmentProblem;
}
