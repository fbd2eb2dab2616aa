import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { GitHubError } from './errors.ts';
import type { GitHubClient } from './octokit.ts';

export interface ExtractLimits {
  /**
   * Cap on the uncompressed archive, enforced while inflating (zip bombs).
   * @defaultValue 256 MiB
   */
  maxTotalBytes?: number;
  /** @defaultValue 20000 */
  maxFiles?: number;
}

export interface SafeTree {
  /** A plain, uncompressed tar of regular files with repo-relative paths. */
  tar: Buffer;
  files: number;
  bytes: number;
  /** Entries dropped: devices, fifos and other non-regular files. */
  skipped: string[];
}

/**
 * Turns GitHub's tarball (gzip tar, one top-level `owner-repo-sha/` dir) into a tar the
 * sandbox can take: regular files and links, the top-level dir stripped, every path
 * checked. Links are carried as links, never followed here: the sandbox's tree reader
 * copies in-tree targets and refuses the rest by name. Everything happens in memory;
 * nothing from the archive touches the host file system.
 */
export async function safeExtractTarball(
  gzipped: Buffer,
  limits: ExtractLimits = {},
): Promise<SafeTree> {
  const maxTotalBytes = limits.maxTotalBytes ?? 256 * 1024 * 1024;
  const maxFiles = limits.maxFiles ?? 20_000;
  let raw: Buffer;
  try {
    raw = gunzipSync(gzipped, { maxOutputLength: maxTotalBytes + 1024 * 1024 });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      throw new GitHubError(
        'archive-too-large',
        `The repository archive is larger than ${maxTotalBytes} bytes uncompressed`,
        { cause: error },
      );
    }
    if (code === 'Z_BUF_ERROR') {
      // "unexpected end of file": a connection dropped mid-download whose body still
      // looked complete to the HTTP client (read-until-close). Downloading again helps.
      throw new GitHubError(
        'archive-truncated',
        'The repository archive ended early: the download was cut off',
        { cause: error },
      );
    }
    throw new GitHubError('bad-archive', 'The repository archive is not a gzip file', {
      cause: error,
    });
  }

  const extract = tar.extract();
  const pack = tar.pack();
  const packed: Buffer[] = [];
  pack.on('data', (chunk: unknown) => {
    packed.push(chunk as Buffer);
  });
  const packDone = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });

  const skipped: string[] = [];
  const seen = new Set<string>();
  let files = 0;
  let bytes = 0;
  Readable.from([raw]).pipe(extract);
  try {
    for await (const entry of extract) {
      const header = entry.header;
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      if ((header.type === 'symlink' || header.type === 'link') && header.linkname) {
        // Kept as a link entry: the sandbox's tree reader (readTarContents) resolves a link
        // that stays inside the tree to a copy and refuses, by name, one that leaves it.
        const path = stripTopLevel(header.name);
        const linkname = header.type === 'link' ? stripTopLevel(header.linkname) : header.linkname;
        if (path === null || linkname === null || linkname.includes('\0') || seen.has(path))
          continue;
        seen.add(path);
        await new Promise<void>((resolve, reject) => {
          pack.entry(
            { name: path, type: header.type === 'link' ? 'link' : 'symlink', linkname },
            (err) => (err ? reject(err) : resolve()),
          );
        });
        continue;
      }
      if (header.type !== 'file' && header.type !== 'contiguous-file') {
        if (header.type !== 'directory') skipped.push(header.name);
        continue;
      }
      const path = stripTopLevel(header.name);
      if (path === null) continue;
      if (seen.has(path)) continue;
      seen.add(path);
      files += 1;
      const content = Buffer.concat(chunks);
      bytes += content.length;
      if (files > maxFiles) {
        throw new GitHubError(
          'archive-too-large',
          `The repository has more than ${maxFiles} files`,
        );
      }
      if (bytes > maxTotalBytes) {
        throw new GitHubError(
          'archive-too-large',
          `The repository archive is larger than ${maxTotalBytes} bytes`,
        );
      }
      const executable = ((header.mode ?? 0) & 0o111) !== 0;
      await new Promise<void>((resolve, reject) => {
        pack.entry(
          {
            name: path,
            size: content.length,
            mode: executable ? 0o755 : 0o644,
            mtime: new Date(0),
            type: 'file',
          },
          content,
          (err) => (err ? reject(err) : resolve()),
        );
      });
    }
  } catch (error) {
    pack.destroy();
    if (error instanceof GitHubError) throw error;
    throw new GitHubError('bad-archive', 'The repository archive is not a valid tar', {
      cause: error,
    });
  }
  pack.finalize();
  await packDone;
  return { tar: Buffer.concat(packed), files, bytes, skipped };
}

/** `owner-repo-sha/src/x.py` -> `src/x.py`; throws on paths that escape the tree. */
function stripTopLevel(name: string): string | null {
  if (name.includes('\\') || name.includes('\0')) {
    throw new GitHubError(
      'unsafe-archive',
      `The repository archive has an unsafe path: ${JSON.stringify(name)}`,
    );
  }
  if (name.startsWith('/')) {
    throw new GitHubError('unsafe-archive', `The repository archive has an absolute path: ${name}`);
  }
  const parts = name.split('/');
  if (parts.includes('..')) {
    throw new GitHubError('unsafe-archive', `The repository archive has a path with '..': ${name}`);
  }
  const rest = parts.slice(1).filter((p) => p !== '' && p !== '.');
  if (rest.length === 0) return null;
  const normal = posix.normalize(rest.join('/'));
  if (normal.startsWith('..') || posix.isAbsolute(normal)) {
    throw new GitHubError('unsafe-archive', `The repository archive has an unsafe path: ${name}`);
  }
  return normal;
}

export interface FetchTreeOptions {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  /** Commit SHA (preferred: immutable) or ref. */
  ref: string;
  limits?: ExtractLimits;
  signal?: AbortSignal;
}

/** Downloads `GET /repos/{owner}/{repo}/tarball/{ref}` and extracts it safely. */
export async function fetchTree(options: FetchTreeOptions): Promise<SafeTree> {
  const { octokit, owner, repo, ref } = options;
  const response = await octokit.request('GET /repos/{owner}/{repo}/tarball/{ref}', {
    owner,
    repo,
    ref,
    ...(options.signal === undefined ? {} : { request: { signal: options.signal } }),
  });
  const data: unknown = response.data;
  if (!(data instanceof ArrayBuffer)) {
    throw new GitHubError(
      'bad-response',
      `GitHub answered the tarball of ${owner}/${repo}@${ref} with ${typeof data}, not bytes`,
    );
  }
  return safeExtractTarball(Buffer.from(data), options.limits);
}
