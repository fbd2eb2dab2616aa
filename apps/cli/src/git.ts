/**
 * The CLI's only contact with git: resolve refs, export trees, read one file. Every call
 * goes through execFile (no shell), so a ref or path from the command line is never
 * interpreted by a shell.
 */
import { execFile } from 'node:child_process';

/** Trees are tarballs of whole repositories; 512 MiB is the harness's stdin cap. */
const MAX_TREE_BYTES = 512 * 1024 * 1024;

export type GitErrorCode = 'GIT_NOT_FOUND' | 'NOT_A_REPO' | 'BAD_REF' | 'GIT_FAILED';

export class GitError extends Error {
  readonly code: GitErrorCode;
  readonly stderr: string;
  constructor(
    code: GitErrorCode,
    message: string,
    options: { cause?: unknown; stderr?: string } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'GitError';
    this.code = code;
    this.stderr = options.stderr ?? '';
  }
}

interface ExecResult {
  stdout: Buffer;
  stderr: string;
}

function runGit(repo: string, args: string[]): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['-C', repo, ...args],
      {
        encoding: 'buffer',
        maxBuffer: MAX_TREE_BYTES,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
      },
      (error, stdout, stderr) => {
        const err = stderr.toString('utf8');
        if (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
            reject(
              new GitError('GIT_NOT_FOUND', 'git is not installed or not on PATH', {
                cause: error,
              }),
            );
            return;
          }
          if (/not a git repository/i.test(err)) {
            reject(
              new GitError('NOT_A_REPO', `${repo} is not a git repository`, {
                cause: error,
                stderr: err,
              }),
            );
            return;
          }
          reject(
            new GitError('GIT_FAILED', `git ${args[0] ?? ''} failed: ${err.trim()}`, {
              cause: error,
              stderr: err,
            }),
          );
          return;
        }
        resolve({ stdout, stderr: err });
      },
    );
  });
}

/** The commit SHA a ref names, or a BAD_REF error that says so. */
export async function resolveRef(repo: string, ref: string): Promise<string> {
  // A leading dash would be read as an option by git.
  if (ref.startsWith('-') || ref.length === 0) {
    throw new GitError('BAD_REF', `"${ref}" is not a git ref`);
  }
  try {
    const { stdout } = await runGit(repo, [
      'rev-parse',
      '--verify',
      '--quiet',
      '--end-of-options',
      `${ref}^{commit}`,
    ]);
    return stdout.toString('utf8').trim();
  } catch (error) {
    if (error instanceof GitError && error.code === 'GIT_FAILED') {
      throw new GitError('BAD_REF', `"${ref}" does not name a commit in ${repo}`, { cause: error });
    }
    throw error;
  }
}

/** An uncompressed tarball of the tree at `sha`. */
export async function archiveTree(repo: string, sha: string): Promise<Buffer> {
  const { stdout } = await runGit(repo, ['archive', '--format=tar', sha]);
  return stdout;
}

/** One file's content at `sha`, or undefined when it does not exist there. */
export async function showFile(
  repo: string,
  sha: string,
  path: string,
): Promise<string | undefined> {
  try {
    await runGit(repo, ['cat-file', '-e', `${sha}:${path}`]);
  } catch (error) {
    if (error instanceof GitError && error.code === 'GIT_FAILED') return undefined;
    throw error;
  }
  const { stdout } = await runGit(repo, ['show', `${sha}:${path}`]);
  return stdout.toString('utf8');
}
