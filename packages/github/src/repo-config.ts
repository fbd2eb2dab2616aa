import { z } from 'zod';
import { httpStatus } from './errors.ts';
import type { GitHubClient } from './octokit.ts';

/** Where a repository keeps its Testgate config, read from the default branch. */
export const REPO_CONFIG_PATH = '.github/testgate.yml';

const FileContentSchema = z.object({
  type: z.literal('file'),
  content: z.string(),
  encoding: z.literal('base64'),
});

/**
 * The raw YAML of `.github/testgate.yml` on `ref`, or null when the file does not exist.
 * Read from the default branch, not the PR head, so a pull request cannot loosen the gate
 * that judges it.
 */
export async function fetchRepoConfig(options: {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  ref: string;
  path?: string;
}): Promise<string | null> {
  try {
    const response = await options.octokit.rest.repos.getContent({
      owner: options.owner,
      repo: options.repo,
      path: options.path ?? REPO_CONFIG_PATH,
      ref: options.ref,
    });
    const file = FileContentSchema.parse(response.data);
    return Buffer.from(file.content, 'base64').toString('utf8');
  } catch (error) {
    if (httpStatus(error) === 404) return null;
    throw error;
  }
}
