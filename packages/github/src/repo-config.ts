import { ConfigError, REPO_CONFIG_PATH } from '@testgate/core';
import { z } from 'zod';
import { httpStatus } from './errors.ts';
import type { GitHubClient } from './octokit.ts';

const FileContentSchema = z.object({
  type: z.literal('file'),
  content: z.string(),
  encoding: z.literal('base64'),
});
const ContentEntrySchema = z.looseObject({
  type: z.string().optional(),
  encoding: z.string().optional(),
  size: z.number().optional(),
});

/** The contents API inlines files up to 1 MB; a config has no reason to be bigger. */
const MAX_REPO_CONFIG_BYTES = 1024 * 1024;

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
  const path = options.path ?? REPO_CONFIG_PATH;
  try {
    const response = await options.octokit.rest.repos.getContent({
      owner: options.owner,
      repo: options.repo,
      path,
      ref: options.ref,
    });
    const file = FileContentSchema.safeParse(response.data);
    if (file.success) return Buffer.from(file.data.content, 'base64').toString('utf8');
    throw unreadable(path, response.data);
  } catch (error) {
    if (httpStatus(error) === 404) return null;
    throw error;
  }
}

/**
 * Why GitHub's answer is not a config file, as the repository owner's error: a file over
 * the size limit (served with `encoding: "none"` and no content), a directory, a link or a
 * submodule. The gate then fails its check run naming it, instead of failing the job.
 */
function unreadable(path: string, data: unknown): ConfigError {
  const entry = ContentEntrySchema.safeParse(Array.isArray(data) ? { type: 'dir' } : data);
  const { type, encoding, size } = entry.success ? entry.data : {};
  let message: string;
  if (type === 'file' && (encoding === 'none' || (size ?? 0) > MAX_REPO_CONFIG_BYTES)) {
    message = `the file is ${size ?? 'over 1 MB'}${size === undefined ? '' : ' bytes'}, over Testgate's limit of ${MAX_REPO_CONFIG_BYTES} bytes: keep only the settings`;
  } else if (type === 'dir' || type === 'symlink' || type === 'submodule') {
    message = `${path} is a ${type === 'dir' ? 'directory' : type}, not a file`;
  } else {
    message = `GitHub answered with something that is not a file (type ${String(type ?? 'unknown')})`;
  }
  return new ConfigError({
    code: 'CONFIG_INVALID',
    source: path,
    problems: [{ path: '', message }],
  });
}
