/**
 * The CLI's only contact with git: resolve refs, export trees, read one file. Every call
 * goes through execFile (no shell), so a ref or path from the command line is never
 * interpreted by a shell.
 */
import { execFile, spawn } from 'node:child_process';
import { packTar, readTarEntries } from '@testgate/sandbox';
import type { TarEntry } from '@testgate/sandbox';

/** Trees are tarballs of whole repositories; 512 MiB is the harness's stdin cap. */
const MAX_TREE_BYTES = 512 * 1024 * 1024;

type GitErrorCode = 'GIT_NOT_FOUND' | 'NOT_A_REPO' | 'BAD_REF' | 'GIT_FAILED';

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

function runGitWithInput(repo: string, args: string[], input: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['-C', repo, ...args], {
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_TREE_BYTES) child.kill('SIGKILL');
      else chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', (error) =>
      reject(
        new GitError('GIT_NOT_FOUND', 'git is not installed or not on PATH', { cause: error }),
      ),
    );
    child.on('close', (code) => {
      if (size > MAX_TREE_BYTES) {
        reject(new GitError('GIT_FAILED', `the tree is larger than ${MAX_TREE_BYTES} bytes`));
      } else if (code !== 0) {
        reject(
          new GitError('GIT_FAILED', `git ${args[0] ?? ''} failed: ${stderr.trim()}`, { stderr }),
        );
      } else {
        resolve(Buffer.concat(chunks));
      }
    });
    child.stdin.end(input);
  });
}

/**
 * An uncompressed tarball of the tree at `sha`: what `git archive` gives (so
 * `export-subst` version files carry their commit id, as in a release tarball and in
 * GitHub's, and versioneer does not shell out to git), plus every file an `export-ignore`
 * attribute left out of it (projects drop `tests/` from their archives).
 */
export async function archiveTree(repo: string, sha: string): Promise<Buffer> {
  const { stdout: archived } = await runGit(repo, ['archive', '--format=tar', sha]);
  const archivedEntries = await readTarEntries(archived);
  const listed = new Set(archivedEntries.map((entry) => entry.name));
  const missing = (await committedEntries(repo, sha)).filter((entry) => !listed.has(entry.name));
  if (missing.length === 0) return archived;
  return packTar([...archivedEntries, ...missing]);
}

/** Every blob of the commit, as committed (no attributes applied): files, executables, links. */
async function committedEntries(repo: string, sha: string): Promise<TarEntry[]> {
  const { stdout } = await runGit(repo, ['ls-tree', '-r', '-z', '--full-tree', sha]);
  const blobs: { mode: string; oid: string; path: string }[] = [];
  for (const record of stdout.toString('utf8').split('\0')) {
    const match = /^(\d+) (\w+) ([0-9a-f]+)\t([\s\S]+)$/.exec(record);
    // Submodules (`commit` entries) have no content in this repository.
    if (match?.[2] === 'blob') blobs.push({ mode: match[1]!, oid: match[3]!, path: match[4]! });
  }
  const batch = await runGitWithInput(
    repo,
    ['cat-file', '--batch'],
    blobs.map((blob) => `${blob.oid}\n`).join(''),
  );
  const entries: TarEntry[] = [];
  let offset = 0;
  for (const blob of blobs) {
    const headerEnd = batch.indexOf(0x0a, offset);
    const header = batch.subarray(offset, headerEnd).toString('utf8').split(' ');
    const size = Number(header[2]);
    if (header[0] !== blob.oid || !Number.isInteger(size)) {
      throw new GitError(
        'GIT_FAILED',
        `git cat-file answered ${header.join(' ')} for ${blob.path}`,
      );
    }
    const content = batch.subarray(headerEnd + 1, headerEnd + 1 + size);
    offset = headerEnd + 1 + size + 1;
    entries.push(
      blob.mode === '120000'
        ? { name: blob.path, content: Buffer.alloc(0), linkTarget: content.toString('utf8') }
        : { name: blob.path, content, executable: blob.mode === '100755' },
    );
  }
  return entries;
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
