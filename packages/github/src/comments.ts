import type { GitHubClient } from './octokit.ts';

interface StickyCommentResult {
  action: 'created' | 'updated' | 'unchanged';
  commentId: number;
}

/**
 * Keeps exactly one comment of ours on the PR: the one whose body carries `marker` (a
 * hidden HTML comment). Updates it in place, or creates it when there is none.
 */
export async function upsertStickyComment(options: {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  issueNumber: number;
  marker: string;
  body: string;
}): Promise<StickyCommentResult> {
  const { octokit, owner, repo, issueNumber, marker } = options;
  const body = options.body.includes(marker) ? options.body : `${marker}\n${options.body}`;
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  const ours = comments.find((c) => typeof c.body === 'string' && c.body.includes(marker));
  if (ours !== undefined) {
    if (ours.body === body) return { action: 'unchanged', commentId: ours.id };
    await octokit.rest.issues.updateComment({ owner, repo, comment_id: ours.id, body });
    return { action: 'updated', commentId: ours.id };
  }
  const created = await octokit.rest.issues.createComment({
    owner,
    repo,
    issue_number: issueNumber,
    body,
  });
  return { action: 'created', commentId: created.data.id };
}
