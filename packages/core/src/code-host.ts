/**
 * The host port: what the worker needs from the service that hosts the code (GitHub today)
 * to judge a pull request and show the verdict. One `CodeHost` speaks for one repository;
 * `packages/github` implements it (`createGitHubHost`). A second host (GitLab, Gitea,
 * Bitbucket) is a second adapter plus a second webhook route; nothing in the worker's
 * steps changes. Only types and one error class here: core stays pure.
 */

/** How a check ends. Hosts map these to their own words (GitHub's are the same). */
export type CheckConclusion = 'success' | 'failure' | 'neutral' | 'cancelled';

/**
 * One line-level note on the check, as `packages/report` renders it, in the port's words;
 * each adapter maps them to its host's (packages/github: the checks API's `path`,
 * `start_line`, `annotation_level`, `raw_details`, ...).
 */
export interface CheckAnnotation {
  /** The file's path in the repository. */
  file: string;
  startLine: number;
  endLine: number;
  level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
  /** Longer text a host may show folded under the message. */
  details?: string;
}

export interface CheckOutput {
  title: string;
  summary: string;
  text?: string;
  annotations?: readonly CheckAnnotation[];
}

/** A check Testgate opened on a commit, found again by the key it was opened with. */
export interface CheckRef {
  id: number;
  completed: boolean;
}

/** A pull request (merge request) as the host reports it now. */
export interface HostPullRequest {
  number: number;
  open: boolean;
  headSha: string;
  /** The head branch's name. */
  headRef: string;
  baseSha: string;
  /** The head branch lives in another repository (a fork, or a deleted one): no push. */
  fromFork: boolean;
  /**
   * The pull request says it fixes a bug, as the host spells it (GitHub: a `bug`/`bugfix`/
   * `fix` label or a closing keyword such as "fixes #12"). Read when the gate runs, so a
   * label added since the event counts. Absent: the host cannot tell (the job's flag holds).
   */
  claimsFix?: boolean;
}

/** Caps on one commit's tree, enforced while it is written to disk. */
export interface TreeLimits {
  /** Cap on the uncompressed tree (zip bombs). @defaultValue 256 MiB */
  maxTotalBytes?: number;
  /** @defaultValue 20000 */
  maxFiles?: number;
}

export const DEFAULT_TREE_LIMITS: Readonly<Required<TreeLimits>> = Object.freeze({
  maxTotalBytes: 256 * 1024 * 1024,
  maxFiles: 20_000,
});

/** What `fetchTree` wrote. */
export interface FetchedTree {
  /** The directory holding the tree. */
  root: string;
  files: number;
  bytes: number;
  /** Entries dropped (devices, fifos, links that could not be placed). */
  skipped: string[];
}

export interface FileToCommit {
  path: string;
  content: string;
}

export type CommitFilesResult =
  | { status: 'committed'; commitSha: string }
  /** The branch no longer points at `parentSha` (someone pushed): nothing was changed. */
  | { status: 'branch-moved' };

/**
 * One repository on a code host. Every method throws a {@link HostError} for a failure the
 * host reported (so the worker can tell a retry from a dead end without knowing the host),
 * a `ConfigError` from `readRepoConfig` for a config the owner must fix, and anything else
 * (a lost connection) as it came.
 */
export interface CodeHost {
  /** Which host this is, for logs: `github`. */
  readonly kind: string;
  /** Whose model calls share one throttle (GitHub: the installation). */
  readonly tenant: string;
  getPullRequest(pullNumber: number): Promise<HostPullRequest>;
  /** The message of commit `sha` (to spot Testgate's own commits). */
  getCommitMessage(sha: string): Promise<string>;
  /** Writes the tree of `ref` into `into`, an empty directory, safely (no links out, caps). */
  fetchTree(options: {
    ref: string;
    into: string;
    limits?: TreeLimits;
    signal?: AbortSignal;
  }): Promise<FetchedTree>;
  /** The raw YAML of REPO_CONFIG_PATH on `ref`, or null when there is none. */
  readRepoConfig(ref: string): Promise<string | null>;
  /** Our check on `headSha` opened under `key` (one per job), if one exists. */
  findCheck(options: { headSha: string; key: string }): Promise<CheckRef | undefined>;
  /** The open check under `key` an earlier attempt left, or a new one in progress. */
  ensureCheck(options: { headSha: string; key: string; output: CheckOutput }): Promise<CheckRef>;
  /** Completes a check; `offerAddTests` puts the "Add tests" action on it. */
  completeCheck(options: {
    checkId: number;
    conclusion: CheckConclusion;
    output: CheckOutput;
    offerAddTests?: boolean;
  }): Promise<void>;
  /** The check's output as it stands (to add a note above its summary). */
  readCheckOutput(checkId: number): Promise<{ title: string; summary: string; text?: string }>;
  /**
   * Replaces a completed check's output. `offerAddTests: false` removes the "Add tests"
   * action; left out, the actions stay as they are.
   */
  updateCheckOutput(options: {
    checkId: number;
    output: { title: string; summary: string; text?: string };
    offerAddTests?: boolean;
  }): Promise<void>;
  /** Keeps exactly one comment of ours (the one carrying `marker`) on the pull request. */
  upsertComment(options: {
    pullNumber: number;
    marker: string;
    body: string;
  }): Promise<{ action: 'created' | 'updated' | 'unchanged'; commentId: number }>;
  /** Commits `files` on top of `parentSha` and fast-forwards `branch` to it, or nothing. */
  commitFiles(options: {
    branch: string;
    parentSha: string;
    files: FileToCommit[];
    message: string;
  }): Promise<CommitFilesResult>;
}

/**
 * The trailer the app writes into its own commits. A head commit carrying it gets judged
 * like any other but generates nothing, so "Add tests" → `synchronize` → suggestions →
 * "Add tests" cannot loop. Anyone can type the trailer; doing so only switches
 * suggestions off for that commit, which protects nothing, so the trailer alone decides.
 */
export const TESTGATE_TRAILER = 'Testgate-Suggested: true';

/** Whether a commit message carries our trailer (as a trailer line, case-insensitively). */
export function isTestgateCommitMessage(message: string): boolean {
  return message
    .split(/\r?\n/)
    .some((line) => /^testgate-suggested:\s*true\s*$/i.test(line.trim()));
}

/** Stable codes of the failures a host reports. */
export type HostErrorCode =
  /** The tree is over the caps (TreeLimits). */
  | 'TREE_TOO_LARGE'
  /** The tree has a path or link that would land outside its directory. */
  | 'TREE_UNSAFE'
  /** The tree could not be read (not an archive, cut off mid-download). */
  | 'TREE_INVALID'
  /** The host answered with something we cannot use. */
  | 'BAD_RESPONSE'
  /** The host refused or failed a request (HTTP 4xx/5xx, a rate limit). */
  | 'REQUEST_FAILED';

/**
 * A failure the host reported, normalised by its adapter. The message is the host's own
 * (it is shown on the check run); `transient` says whether trying later may succeed.
 */
export class HostError extends Error {
  override readonly name = 'HostError';
  readonly code: HostErrorCode;
  readonly transient: boolean;
  /** The host's HTTP status, when it answered with one. */
  readonly status: number | undefined;
  /** How long the host asked us to wait before the next request, if it said. */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: HostErrorCode,
    message: string,
    options: { transient: boolean; status?: number; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.transient = options.transient;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}
