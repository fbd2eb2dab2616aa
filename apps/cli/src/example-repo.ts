/**
 * Builds real git repositories from snapshot directories: the demo's example
 * (examples/<name>/base -> head) and the fixtures of the end-to-end tests. A nested .git
 * cannot be committed, so the history is rebuilt from the snapshots; a stamp (hash of the
 * snapshots) makes it idempotent.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Repository root (apps/cli/src -> ../../..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface CommitSpec {
  message: string;
  /** Copy this directory's content as the whole tree of the commit... */
  fromDir?: string;
  /** ...or write these files (path -> content). */
  files?: Record<string, string>;
  /** Symbolic links to create (path -> target, as `ln -s target path` would store it). */
  links?: Record<string, string>;
}

interface CreateGitRepoOptions {
  dir: string;
  commits: CommitSpec[];
  /** Branch name. @defaultValue 'main' */
  branch?: string;
}

// Fixed identity and dates: the same snapshots give the same SHAs on every machine.
const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Testgate Example',
  GIT_AUTHOR_EMAIL: 'example@testgate.invalid',
  GIT_COMMITTER_NAME: 'Testgate Example',
  GIT_COMMITTER_EMAIL: 'example@testgate.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

async function git(dir: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await execFileAsync('git', ['-C', dir, ...args], {
    env: { ...process.env, ...GIT_ENV, ...env },
  });
  return stdout;
}

async function clearWorkTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir)) {
    if (entry !== '.git') await rm(join(dir, entry), { recursive: true, force: true });
  }
}

/** Creates (or recreates) a git repository at `dir` with one commit per spec. */
export async function createGitRepo(options: CreateGitRepoOptions): Promise<void> {
  const { dir, commits } = options;
  const branch = options.branch ?? 'main';
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await git(dir, ['init', '--quiet', '--initial-branch', branch]);
  let index = 0;
  for (const commit of commits) {
    await clearWorkTree(dir);
    if (commit.fromDir)
      await cp(commit.fromDir, dir, {
        recursive: true,
        filter: (src) => !src.includes('__pycache__'),
      });
    for (const [path, content] of Object.entries(commit.files ?? {})) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), content);
    }
    for (const [path, target] of Object.entries(commit.links ?? {})) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await symlink(target, join(dir, path));
    }
    await git(dir, ['add', '--all']);
    const date = `2024-01-0${Math.min(index + 1, 9)}T12:00:00Z`;
    await git(dir, ['commit', '--quiet', '--allow-empty', '--no-verify', '-m', commit.message], {
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
    });
    index += 1;
  }
}

async function hashDir(
  root: string,
  dir = root,
  hash = createHash('sha256'),
): Promise<ReturnType<typeof createHash>> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  for (const entry of entries) {
    if (entry.name === '__pycache__') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      await hashDir(root, path, hash);
    } else if (entry.isFile()) {
      hash
        .update(relative(root, path))
        .update('\0')
        .update(await readFile(path))
        .update('\0');
    }
  }
  return hash;
}

interface BuildExampleRepoOptions {
  /** Example name: a directory of examples/ holding base/ and head/. @defaultValue 'calc' */
  name?: string;
  /** Where the repository goes. @defaultValue '.cache/examples/<name>' under the repo root */
  dir?: string;
}

/**
 * Builds examples/<name> as a git repo with two commits on `main` (base, then head), so
 * `--base main~1 --head main` is the pull request. Does nothing when the snapshots have
 * not changed since the last build. Returns the repository's path.
 */
export async function buildExampleRepo(
  options: BuildExampleRepoOptions = {},
): Promise<{ dir: string; rebuilt: boolean }> {
  const name = options.name ?? 'calc';
  const source = join(REPO_ROOT, 'examples', name);
  const dir = resolve(options.dir ?? join(REPO_ROOT, '.cache', 'examples', name));
  if (!existsSync(join(source, 'base')) || !existsSync(join(source, 'head'))) {
    throw new Error(`examples/${name} needs base/ and head/ snapshot directories`);
  }
  const stamp = (await hashDir(source)).digest('hex');
  const stampFile = join(dir, '.git', 'testgate-example-stamp');
  if (existsSync(stampFile) && (await readFile(stampFile, 'utf8')) === stamp) {
    return { dir, rebuilt: false };
  }
  await createGitRepo({
    dir,
    commits: [
      { message: `${name}: base`, fromDir: join(source, 'base') },
      { message: `${name}: the pull request`, fromDir: join(source, 'head') },
    ],
  });
  await writeFile(stampFile, stamp);
  return { dir, rebuilt: true };
}
