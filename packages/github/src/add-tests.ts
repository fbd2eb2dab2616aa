/**
 * The "Add tests" check-run action: what it looks like, what a click carries through the
 * queue, and the commit it makes. The commit goes through the Git Data API (blobs, a tree
 * on top of the judged head's tree, a commit whose parent is the judged head, then a
 * fast-forward-only ref update), so it lands only on the exact commit that was judged.
 */
import { z } from 'zod';
import { pullRequestClaimsFix } from './claims-fix.ts';
import { GitHubError, httpStatus } from './errors.ts';
import type { GitHubClient } from './octokit.ts';

/** GitHub caps an action's identifier at 20 characters, its label at 20, its description at 40. */
export const ADD_TESTS_IDENTIFIER = 'add_tests';
export const ADD_TESTS_ACTION = {
  label: 'Add tests',
  description: 'Commit the suggested tests to this PR',
  identifier: ADD_TESTS_IDENTIFIER,
} as const;

const PullSchema = z.object({
  number: z.number(),
  state: z.string(),
  head: z.object({
    sha: z.string(),
    ref: z.string(),
    // null when the fork was deleted.
    repo: z.object({ full_name: z.string() }).nullable(),
  }),
  base: z.object({ sha: z.string(), ref: z.string(), repo: z.object({ full_name: z.string() }) }),
  title: z.string().nullish(),
  body: z.string().nullish(),
  labels: z.array(z.object({ name: z.string() })).nullish(),
});
interface PullRequestInfo {
  number: number;
  state: string;
  headSha: string;
  headRef: string;
  baseSha: string;
  /** The head branch lives in another repository (a fork, or a deleted one): the app cannot push there. */
  fromFork: boolean;
  /** A `bug`/`bugfix`/`fix` label or a closing keyword ("fixes #12"): see pullRequestClaimsFix. */
  claimsFix: boolean;
}

export async function getPullRequest(options: {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  pullNumber: number;
}): Promise<PullRequestInfo> {
  const response = await options.octokit.rest.pulls.get({
    owner: options.owner,
    repo: options.repo,
    pull_number: options.pullNumber,
  });
  const parsed = PullSchema.safeParse(response.data);
  if (!parsed.success) {
    throw new GitHubError(
      'BAD_RESPONSE',
      `GitHub's answer for pull request #${options.pullNumber} lacks head/base fields`,
      {
        cause: parsed.error,
      },
    );
  }
  const pr = parsed.data;
  return {
    number: pr.number,
    state: pr.state,
    headSha: pr.head.sha,
    headRef: pr.head.ref,
    baseSha: pr.base.sha,
    fromFork:
      pr.head.repo === null ||
      pr.head.repo.full_name.toLowerCase() !== pr.base.repo.full_name.toLowerCase(),
    claimsFix: pullRequestClaimsFix(pr),
  };
}

const GitCommitSchema = z.object({
  sha: z.string(),
  message: z.string(),
  tree: z.object({ sha: z.string() }),
  author: z.object({ name: z.string(), email: z.string() }).nullable().optional(),
});
type GitCommitInfo = z.infer<typeof GitCommitSchema>;

export async function getGitCommit(options: {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  sha: string;
}): Promise<GitCommitInfo> {
  const response = await options.octokit.rest.git.getCommit({
    owner: options.owner,
    repo: options.repo,
    commit_sha: options.sha,
  });
  return GitCommitSchema.parse(response.data);
}

interface FileToCommit {
  path: string;
  content: string;
}

type CommitFilesResult =
  | { status: 'committed'; commitSha: string }
  /** The branch no longer points at `parentSha` (someone pushed): nothing was changed. */
  | { status: 'branch-moved' };

/**
 * Commits `files` (added or replaced, mode 100644) on top of `parentSha` and moves
 * `refs/heads/{branch}` to the new commit, fast-forward only (`force: false`): if the
 * branch moved since it was judged, GitHub answers 422 and the branch is left as it was.
 */
export async function commitFiles(options: {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  branch: string;
  parentSha: string;
  files: FileToCommit[];
  message: string;
}): Promise<CommitFilesResult> {
  const { octokit, owner, repo } = options;
  const parent = await getGitCommit({ octokit, owner, repo, sha: options.parentSha });
  const tree: { path: string; mode: '100644'; type: 'blob'; sha: string }[] = [];
  for (const file of options.files) {
    // Blobs one by one: GitHub's secondary rate limit punishes bursts of content creation.
    const blob = await octokit.rest.git.createBlob({
      owner,
      repo,
      content: Buffer.from(file.content, 'utf8').toString('base64'),
      encoding: 'base64',
    });
    tree.push({
      path: file.path,
      mode: '100644',
      type: 'blob',
      sha: z.object({ sha: z.string() }).parse(blob.data).sha,
    });
  }
  const newTree = await octokit.rest.git.createTree({
    owner,
    repo,
    base_tree: parent.tree.sha,
    tree,
  });
  const commit = await octokit.rest.git.createCommit({
    owner,
    repo,
    message: options.message,
    tree: z.object({ sha: z.string() }).parse(newTree.data).sha,
    parents: [options.parentSha],
  });
  const commitSha = z.object({ sha: z.string() }).parse(commit.data).sha;
  try {
    await octokit.rest.git.updateRef({
      owner,
      repo,
      ref: `heads/${options.branch}`,
      sha: commitSha,
      force: false,
    });
  } catch (error) {
    // 422 "Update is not a fast forward": the branch moved between our check and the write.
    if (httpStatus(error) === 422) return { status: 'branch-moved' };
    throw error;
  }
  return { status: 'committed', commitSha };
}

/** Replaces a completed check run's output (and its actions: `[]` removes the buttons). */
export async function updateCheckRunOutput(options: {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  checkRunId: number;
  output: { title: string; summary: string; text?: string };
  actions?: { label: string; description: string; identifier: string }[];
}): Promise<void> {
  await options.octokit.rest.checks.update({
    owner: options.owner,
    repo: options.repo,
    check_run_id: options.checkRunId,
    output: {
      title: options.output.title.slice(0, 255),
      summary: options.output.summary.slice(0, 65_535),
      ...(options.output.text === undefined ? {} : { text: options.output.text.slice(0, 65_535) }),
    },
    ...(options.actions === undefined ? {} : { actions: options.actions }),
  });
}

/** The check run as it stands (to keep its text when adding a note to the summary). */
export async function getCheckRunOutput(options: {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  checkRunId: number;
}): Promise<{ title: string; summary: string; text?: string }> {
  const response = await options.octokit.rest.checks.get({
    owner: options.owner,
    repo: options.repo,
    check_run_id: options.checkRunId,
  });
  const output = z
    .object({
      title: z.string().nullable(),
      summary: z.string().nullable(),
      text: z.string().nullable().optional(),
    })
    .parse(response.data.output);
  return {
    title: output.title ?? 'Testgate',
    summary: output.summary ?? '',
    ...(output.text == null ? {} : { text: output.text }),
  };
}
