/**
 * The GitHub adapter of the host port (`CodeHost` of @testgate/core): pull requests, trees,
 * the repo config, check runs, the sticky comment and the "Add tests" commit, all through
 * one installation's Octokit. GitHub's names (check-run `external_id`, `actions`, HTTP
 * errors and their headers) end here; what leaves is the port's words and `HostError`.
 */
import { ConfigError, HostError, type CodeHost, type HostErrorCode } from '@testgate/core';
import { ADD_TESTS_ACTION, commitFiles, getCheckRunOutput, getGitCommit } from './add-tests.ts';
import { getPullRequest, updateCheckRunOutput } from './add-tests.ts';
import { completeCheckRun, ensureCheckRun, findCheckRun } from './checks.ts';
import { upsertStickyComment } from './comments.ts';
import { GitHubError, httpStatus, isTransientGitHubError, type GitHubErrorCode } from './errors.ts';
import type { GitHubApp, GitHubClient } from './octokit.ts';
import { fetchRepoConfig } from './repo-config.ts';
import { fetchTree } from './workspace.ts';

interface GitHubHostOptions {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  /** The installation the client acts for: the tenant whose model calls share a throttle. */
  installationId: number;
}

/** One repository on GitHub, as the worker's steps see it. */
function createGitHubHost(options: GitHubHostOptions): CodeHost {
  const { octokit, owner, repo } = options;
  const ref = { octokit, owner, repo };
  return {
    kind: 'github',
    tenant: String(options.installationId),
    getPullRequest: (pullNumber) =>
      guard(async () => {
        const pull = await getPullRequest({ ...ref, pullNumber });
        return {
          number: pull.number,
          open: pull.state === 'open',
          headSha: pull.headSha,
          headRef: pull.headRef,
          baseSha: pull.baseSha,
          fromFork: pull.fromFork,
          claimsFix: pull.claimsFix,
        };
      }),
    getCommitMessage: (sha) => guard(async () => (await getGitCommit({ ...ref, sha })).message),
    fetchTree: ({ ref: commit, into, limits, signal }) =>
      guard(() =>
        fetchTree({
          ...ref,
          ref: commit,
          into,
          ...(limits === undefined ? {} : { limits }),
          ...(signal === undefined ? {} : { signal }),
        }),
      ),
    readRepoConfig: (commit) => guard(() => fetchRepoConfig({ ...ref, ref: commit })),
    findCheck: ({ headSha, key }) =>
      guard(async () => {
        const run = await findCheckRun({ ...ref, headSha, externalId: key });
        return run === undefined
          ? undefined
          : { id: run.id, completed: run.status === 'completed' };
      }),
    ensureCheck: ({ headSha, key, output }) =>
      guard(async () => {
        const run = await ensureCheckRun({ ...ref, headSha, externalId: key, output });
        return { id: run.id, completed: run.status === 'completed' };
      }),
    completeCheck: ({ checkId, conclusion, output, offerAddTests }) =>
      guard(() =>
        completeCheckRun({
          ...ref,
          checkRunId: checkId,
          conclusion,
          output,
          ...(offerAddTests === true ? { actions: [ADD_TESTS_ACTION] } : {}),
        }),
      ),
    readCheckOutput: (checkId) => guard(() => getCheckRunOutput({ ...ref, checkRunId: checkId })),
    updateCheckOutput: ({ checkId, output, offerAddTests }) =>
      guard(() =>
        updateCheckRunOutput({
          ...ref,
          checkRunId: checkId,
          output,
          // `[]` removes the buttons; left out, GitHub keeps them.
          ...(offerAddTests === undefined
            ? {}
            : { actions: offerAddTests ? [ADD_TESTS_ACTION] : [] }),
        }),
      ),
    upsertComment: ({ pullNumber, marker, body }) =>
      guard(() => upsertStickyComment({ ...ref, issueNumber: pullNumber, marker, body })),
    commitFiles: (commit) => guard(() => commitFiles({ ...ref, ...commit })),
  };
}

/** Opens the host of a job: one installation's client on one repository. */
export function gitHubHostOpener(
  app: GitHubApp,
): (target: { host: GitHubHostRef; owner: string; repo: string }) => CodeHost {
  return (target) => {
    const { installationId } = target.host;
    return createGitHubHost({
      octokit: app.installation(installationId),
      owner: target.owner,
      repo: target.repo,
      installationId,
    });
  };
}

/** A job's reference to the account its host is opened for, on GitHub: the App installation. */
interface GitHubHostRef {
  kind: 'github';
  installationId: number;
}

/** The job's `host` for a delivery from installation `installationId` (the webhook route's side). */
export function gitHubHostRef<T>(installationId: T): { kind: 'github'; installationId: T } {
  return { kind: 'github', installationId };
}

async function guard<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toHostError(error);
  }
}

const TREE_CODES: Record<GitHubErrorCode, HostErrorCode> = {
  UNSAFE_ARCHIVE: 'TREE_UNSAFE',
  ARCHIVE_TOO_LARGE: 'TREE_TOO_LARGE',
  BAD_ARCHIVE: 'TREE_INVALID',
  ARCHIVE_TRUNCATED: 'TREE_INVALID',
  BAD_RESPONSE: 'BAD_RESPONSE',
};

/**
 * GitHub's failures as the port's: our own GitHubError by its code, an HTTP error by its
 * status and headers. Anything else (a lost connection, a config the owner must fix) goes
 * through unchanged: the worker classifies those without knowing the host.
 */
function toHostError(error: unknown): unknown {
  if (error instanceof HostError || error instanceof ConfigError) return error;
  if (error instanceof GitHubError) {
    return new HostError(TREE_CODES[error.code], error.message, {
      transient: isTransientGitHubError(error),
      cause: error,
    });
  }
  const status = httpStatus(error);
  if (status === undefined) return error;
  const retryAfterMs = retryAfter(error);
  return new HostError('REQUEST_FAILED', error instanceof Error ? error.message : String(error), {
    transient: isTransientGitHubError(error),
    status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    cause: error,
  });
}

/** GitHub's `retry-after` header (seconds), in ms; undefined when it sent none. */
function retryAfter(error: unknown): number | undefined {
  const header = (error as { response?: { headers?: Record<string, unknown> } } | null)?.response
    ?.headers?.['retry-after'];
  const seconds = Number(header);
  return header === undefined || !Number.isFinite(seconds) || seconds < 0
    ? undefined
    : seconds * 1000;
}
