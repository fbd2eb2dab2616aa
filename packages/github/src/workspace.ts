import { createWriteStream } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { DEFAULT_TREE_LIMITS, type FetchedTree, type TreeLimits } from '@testgate/core';
import tar from 'tar-stream';
import { GitHubError } from './errors.ts';
import type { GitHubClient } from './octokit.ts';

/** Caps on the uncompressed archive, enforced while inflating (zip bombs). */
export type ExtractLimits = TreeLimits;

/** What extractTarball wrote: regular files, and the archive's links as symlinks. */
type ExtractedTree = FetchedTree;

const MiB = 1024 * 1024;

const DEFAULT_EXTRACT_LIMITS = DEFAULT_TREE_LIMITS;

/** A link of the archive, placed once every regular file is written. */
interface ArchiveLink {
  path: string;
  /** As stored: relative to the link's directory (symlink) or a path from the root (hard link). */
  target: string;
  type: 'symlink' | 'link';
}

/**
 * Streams GitHub's tarball (gzip tar, one top-level `owner-repo-sha/` dir) into `into`, an
 * empty directory: regular files only, the top-level dir stripped, every path checked, the
 * caps enforced while inflating (zip bombs). Nothing is held whole in memory, so a large
 * tree costs disk, not worker RSS. Links become symlinks only after every file is written,
 * and never under another link, so no write can pass through one; the sandbox's tree reader
 * copies in-tree targets and refuses the rest by name.
 */
export async function extractTarball(
  source: Buffer | Readable,
  into: string,
  limits: ExtractLimits = {},
): Promise<ExtractedTree> {
  const maxTotalBytes = limits.maxTotalBytes ?? DEFAULT_EXTRACT_LIMITS.maxTotalBytes;
  const maxFiles = limits.maxFiles ?? DEFAULT_EXTRACT_LIMITS.maxFiles;
  const input = Buffer.isBuffer(source) ? Readable.from([source]) : source;
  // Made first: a tree of no files is an empty directory, not a missing one.
  await mkdir(into, { recursive: true });
  // Which stream failed decides what the failure means (a cut download, a bad gzip, a bad tar).
  let downloadFailure: unknown;
  let gzipFailure: unknown;
  input.on('error', (error) => {
    downloadFailure ??= error;
  });
  const gunzip = createGunzip();
  gunzip.on('error', (error) => {
    gzipFailure ??= error;
  });
  let inflated = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      inflated += chunk.length;
      // Headers and padding (up to 1 KiB a file, 20 MiB at the file cap) come on top of
      // the file bytes: the cap on those below is the exact one, this one stops a bomb early.
      if (inflated > maxTotalBytes + 32 * MiB) callback(tooLarge(maxTotalBytes));
      else callback(null, chunk);
    },
  });
  const extract = tar.extract();
  const flowing = pipeline(input, gunzip, meter, extract);
  // A failure upstream does not end the entry being written: each write races it.
  const failed = new Promise<never>((_, reject) => {
    flowing.catch(reject);
  });
  failed.catch(() => undefined);

  const skipped: string[] = [];
  const seen = new Set<string>();
  const links: ArchiveLink[] = [];
  let files = 0;
  let bytes = 0;
  try {
    for await (const entry of extract) {
      const header = entry.header;
      if ((header.type === 'symlink' || header.type === 'link') && header.linkname) {
        entry.resume();
        const path = stripTopLevel(header.name);
        const target = header.type === 'link' ? stripTopLevel(header.linkname) : header.linkname;
        if (path === null || target === null || target.includes('\0') || seen.has(path)) continue;
        seen.add(path);
        links.push({ path, target, type: header.type });
        continue;
      }
      if (header.type !== 'file' && header.type !== 'contiguous-file') {
        entry.resume();
        if (header.type !== 'directory') skipped.push(header.name);
        continue;
      }
      const path = stripTopLevel(header.name);
      if (path === null || seen.has(path)) {
        entry.resume();
        continue;
      }
      seen.add(path);
      files += 1;
      bytes += header.size ?? 0;
      if (files > maxFiles) {
        throw new GitHubError(
          'ARCHIVE_TOO_LARGE',
          `The repository has more than ${maxFiles} files`,
        );
      }
      if (bytes > maxTotalBytes) throw tooLarge(maxTotalBytes);
      const file = join(into, ...path.split('/'));
      await mkdir(dirname(file), { recursive: true }).catch((error: unknown) => {
        throw new GitHubError(
          'BAD_ARCHIVE',
          `The repository archive has a file inside a file: ${path}`,
          {
            cause: error,
          },
        );
      });
      const executable = ((header.mode ?? 0) & 0o111) !== 0;
      const out = createWriteStream(file, { flags: 'wx', mode: executable ? 0o755 : 0o644 });
      await Promise.race([pipeline(entry, out), failed]).catch((error: unknown) => {
        out.destroy();
        throw error;
      });
    }
    await flowing;
  } catch (error) {
    extract.destroy();
    throw classifyExtractFailure(error, { downloadFailure, gzipFailure });
  }
  await placeLinks(into, links, skipped);
  return { root: into, files, bytes, skipped };
}

function tooLarge(maxTotalBytes: number): GitHubError {
  return new GitHubError(
    'ARCHIVE_TOO_LARGE',
    `The repository archive is larger than ${maxTotalBytes} bytes uncompressed`,
  );
}

function classifyExtractFailure(
  error: unknown,
  streams: { downloadFailure: unknown; gzipFailure: unknown },
): Error {
  if (error instanceof GitHubError) return error;
  const { downloadFailure, gzipFailure } = streams;
  if ((downloadFailure as { name?: string } | undefined)?.name === 'AbortError') {
    return downloadFailure as Error;
  }
  if (downloadFailure !== undefined) {
    // The connection dropped mid-body (reset, "terminated"): downloading again helps.
    return new GitHubError('ARCHIVE_TRUNCATED', 'The repository archive download was cut off', {
      cause: downloadFailure,
    });
  }
  if (gzipFailure !== undefined) {
    if ((gzipFailure as { code?: string }).code === 'Z_BUF_ERROR') {
      // "unexpected end of file": a body that looked complete to the HTTP client
      // (read-until-close) but was cut off. Downloading again helps.
      return new GitHubError(
        'ARCHIVE_TRUNCATED',
        'The repository archive ended early: the download was cut off',
        { cause: gzipFailure },
      );
    }
    return new GitHubError('BAD_ARCHIVE', 'The repository archive is not a gzip file', {
      cause: gzipFailure,
    });
  }
  return new GitHubError('BAD_ARCHIVE', 'The repository archive is not a valid tar', {
    cause: error,
  });
}

/**
 * Places the archive's links as symlinks. A link whose path is taken, or that would sit
 * under another link, is skipped: placing it would mean walking through a link.
 */
async function placeLinks(
  root: string,
  links: readonly ArchiveLink[],
  skipped: string[],
): Promise<void> {
  const linkPaths = new Set(links.map((link) => link.path));
  for (const link of links) {
    const parts = link.path.split('/');
    const ancestors = parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
    if (ancestors.some((ancestor) => linkPaths.has(ancestor))) {
      skipped.push(link.path);
      continue;
    }
    const at = join(root, ...parts);
    const target =
      link.type === 'link' ? posix.relative(posix.dirname(link.path), link.target) : link.target;
    try {
      await mkdir(dirname(at), { recursive: true });
      await symlink(target, at);
    } catch {
      skipped.push(link.path); // a directory of the tree has this name, or a file is its parent
    }
  }
}

/** `owner-repo-sha/src/x.py` -> `src/x.py`; throws on paths that escape the tree. */
function stripTopLevel(name: string): string | null {
  if (name.includes('\\') || name.includes('\0')) {
    throw new GitHubError(
      'UNSAFE_ARCHIVE',
      `The repository archive has an unsafe path: ${JSON.stringify(name)}`,
    );
  }
  if (name.startsWith('/')) {
    throw new GitHubError('UNSAFE_ARCHIVE', `The repository archive has an absolute path: ${name}`);
  }
  const parts = name.split('/');
  if (parts.includes('..')) {
    throw new GitHubError('UNSAFE_ARCHIVE', `The repository archive has a path with '..': ${name}`);
  }
  const rest = parts.slice(1).filter((p) => p !== '' && p !== '.');
  if (rest.length === 0) return null;
  const normal = posix.normalize(rest.join('/'));
  if (normal.startsWith('..') || posix.isAbsolute(normal)) {
    throw new GitHubError('UNSAFE_ARCHIVE', `The repository archive has an unsafe path: ${name}`);
  }
  return normal;
}

interface FetchTreeOptions {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  /** Commit SHA (preferred: immutable) or ref. */
  ref: string;
  /** An empty directory the tree is written into. */
  into: string;
  limits?: ExtractLimits;
  signal?: AbortSignal;
}

/** Streams `GET /repos/{owner}/{repo}/tarball/{ref}` to disk, extracting it safely on the way. */
export async function fetchTree(options: FetchTreeOptions): Promise<ExtractedTree> {
  const { octokit, owner, repo, ref } = options;
  const response = await octokit.request('GET /repos/{owner}/{repo}/tarball/{ref}', {
    owner,
    repo,
    ref,
    // The body as a stream, not an ArrayBuffer: a large archive never sits in memory.
    request: {
      parseSuccessResponseBody: false,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    },
  });
  const data: unknown = response.data;
  if (!(data instanceof ReadableStream)) {
    throw new GitHubError(
      'BAD_RESPONSE',
      `GitHub answered the tarball of ${owner}/${repo}@${ref} with ${typeof data}, not bytes`,
    );
  }
  return extractTarball(
    Readable.fromWeb(data as import('node:stream/web').ReadableStream),
    options.into,
    options.limits,
  );
}
