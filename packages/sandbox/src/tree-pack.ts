import { lstat, readFile, readdir, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { SandboxError } from './sandbox-error.ts';

/** A source tree handed to the sandbox. */
export type TreeInput =
  /** A directory on the host; `.git` is skipped, symlinks are never followed out of it. */
  | { kind: 'dir'; path: string }
  /** A plain (uncompressed) tar of files relative to the tree root. */
  | { kind: 'tar'; tar: Buffer }
  /** Files by relative path. */
  | { kind: 'files'; files: Record<string, string | Buffer> };

export interface TreeFile {
  /** Normalised relative path, `/`-separated. */
  path: string;
  content: Buffer;
  executable: boolean;
}

/** A symbolic link the tree reader would not follow: it points outside the tree, or nowhere. */
export interface RefusedLink {
  /** The link's path in the tree. */
  path: string;
  /** What it points at, as stored in the link. */
  target: string;
  why: 'outside' | 'missing';
}

/** A tree's files, with in-tree links resolved to copies, and the links that were refused. */
export interface TreeContents {
  files: TreeFile[];
  refusedLinks: RefusedLink[];
}

export interface TreeLimits {
  /** @defaultValue 100_000 */
  maxFiles: number;
  /** Sum of file sizes of one tree. @defaultValue 256 MiB */
  maxBytes: number;
}

export const DEFAULT_TREE_LIMITS: Readonly<TreeLimits> = Object.freeze({
  maxFiles: 100_000,
  maxBytes: 256 * 1024 * 1024,
});

/** Directories never sent: VCS data and caches a local run leaves behind. */
const SKIPPED_DIRS = new Set([
  '.git',
  '.hg',
  '.svn',
  '__pycache__',
  '.pytest_cache',
  '.mypy_cache',
  '.tox',
  '.venv',
  'node_modules',
]);

function invalid(message: string): SandboxError {
  return new SandboxError('TREE_INVALID', message);
}

/**
 * Normalises a relative path and refuses anything that could land outside the tree:
 * absolute paths, drive letters, `..` segments, NUL bytes, backslashes.
 */
export function safeRelativePath(name: string): string {
  if (name.includes('\0'))
    throw invalid(`tree entry with a NUL byte in its name: ${JSON.stringify(name)}`);
  if (name.includes('\\'))
    throw invalid(`tree entry with a backslash in its name: ${JSON.stringify(name)}`);
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name))
    throw invalid(`tree entry with an absolute path: ${JSON.stringify(name)}`);
  const parts = name.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.some((part) => part === '..'))
    throw invalid(`tree entry escaping the tree root: ${JSON.stringify(name)}`);
  if (parts.length === 0) throw invalid(`tree entry with an empty path: ${JSON.stringify(name)}`);
  return parts.join('/');
}

function checkLimits(files: TreeFile[], limits: TreeLimits, what: string): void {
  if (files.length > limits.maxFiles)
    throw invalid(`${what} has ${files.length} files, more than the ${limits.maxFiles} allowed`);
  const bytes = files.reduce((sum, file) => sum + file.content.length, 0);
  if (bytes > limits.maxBytes)
    throw invalid(`${what} holds ${bytes} bytes, more than the ${limits.maxBytes} allowed`);
}

async function readDirTree(root: string, limits: TreeLimits): Promise<TreeContents> {
  const realRoot = await realpath(root);
  const files: TreeFile[] = [];
  const refusedLinks: RefusedLink[] = [];
  let bytes = 0;
  async function walk(dir: string, rel: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      const abs = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) await walk(abs, relPath);
        continue;
      }
      let target = abs;
      if (entry.isSymbolicLink()) {
        // A link is sent as the file it points to only when that file is inside the tree;
        // any other link is refused by name, never dropped silently.
        const resolved = await realpath(abs).catch(() => undefined);
        if (
          resolved === undefined ||
          !(resolved === realRoot || resolved.startsWith(realRoot + path.sep))
        ) {
          refusedLinks.push({
            path: safeRelativePath(relPath),
            target: await readlink(abs).catch(() => '?'),
            why: resolved === undefined ? 'missing' : 'outside',
          });
          continue;
        }
        target = resolved;
      }
      const info = await lstat(target);
      if (!info.isFile()) continue; // devices, sockets, fifos, links to directories
      bytes += info.size;
      if (files.length + 1 > limits.maxFiles || bytes > limits.maxBytes) {
        throw invalid(
          `directory ${root} is larger than allowed (${limits.maxFiles} files, ${limits.maxBytes} bytes)`,
        );
      }
      files.push({
        path: safeRelativePath(relPath),
        content: await readFile(target),
        executable: (info.mode & 0o111) !== 0,
      });
    }
  }
  await walk(realRoot, '');
  return { files, refusedLinks };
}

/** Links in a tar, resolved against its regular files once all entries are read. */
interface TarLink {
  path: string;
  target: string;
  /** `symlink`: relative to the link's directory; `link` (hard link): a path from the root. */
  type: 'symlink' | 'link';
}

const MAX_LINK_HOPS = 40;

/**
 * Resolves in-tree links to copies of what they point at (a file, or every file of a
 * directory); refuses links that leave the tree or point nowhere. Chains are followed up
 * to the kernel's own limit of 40 hops.
 */
function resolveTarLinks(files: TreeFile[], links: TarLink[]): TreeContents {
  const byPath = new Map(files.map((file) => [file.path, file]));
  const linkByPath = new Map(links.map((link) => [link.path, link]));
  const refusedLinks: RefusedLink[] = [];
  const out = [...files];
  for (const link of links) {
    let current: TarLink | undefined = link;
    let resolved: string | undefined;
    let why: RefusedLink['why'] | undefined;
    for (let hop = 0; current !== undefined && hop < MAX_LINK_HOPS; hop += 1) {
      const joined =
        current.type === 'link'
          ? current.target
          : path.posix.join(path.posix.dirname(current.path), current.target);
      const normal = path.posix.normalize(joined);
      if (current.target.startsWith('/') || normal === '..' || normal.startsWith('../')) {
        why = 'outside';
        break;
      }
      const next = linkByPath.get(normal);
      if (next === undefined || next === current) {
        resolved = normal;
        break;
      }
      current = next;
    }
    if (why === undefined && resolved === undefined) why = 'missing';
    if (why !== undefined || resolved === undefined) {
      refusedLinks.push({ path: link.path, target: link.target, why: why ?? 'missing' });
      continue;
    }
    const file = byPath.get(resolved);
    if (file !== undefined) {
      out.push({ ...file, path: link.path });
      continue;
    }
    const prefix = resolved === '.' ? '' : `${resolved}/`;
    const inside = files.filter((candidate) => candidate.path.startsWith(prefix));
    if (inside.length === 0 || link.path.startsWith(prefix)) {
      refusedLinks.push({ path: link.path, target: link.target, why: 'missing' });
      continue;
    }
    for (const candidate of inside)
      out.push({ ...candidate, path: `${link.path}/${candidate.path.slice(prefix.length)}` });
  }
  return { files: out, refusedLinks };
}

/**
 * Reads a plain tar; refuses `..` and absolute names, drops devices and other specials,
 * turns links that stay inside the tree into copies and reports the others as refused.
 */
export async function readTarContents(
  buffer: Buffer,
  limits: TreeLimits = DEFAULT_TREE_LIMITS,
): Promise<TreeContents> {
  const extract = tar.extract();
  const files: TreeFile[] = [];
  const links: TarLink[] = [];
  const seen = new Set<string>();
  let bytes = 0;
  const source = Readable.from([buffer]);
  source.on('error', (error) => extract.destroy(error));
  source.pipe(extract);
  try {
    for await (const entry of extract) {
      const { header } = entry;
      const type = header.type ?? 'file';
      // Validate every name, links included: a hostile tar is refused whole, not half-used.
      // `./` (the root entry of `tar -c .`) is the only name allowed to normalise to nothing.
      if (type === 'directory' && header.name.replace(/^(\.?\/)+/, '') === '') {
        entry.resume();
        continue;
      }
      const name = safeRelativePath(header.name);
      if (type === 'file' || type === 'contiguous-file') {
        const chunks: Buffer[] = [];
        for await (const chunk of entry) {
          bytes += (chunk as Buffer).length;
          if (bytes > limits.maxBytes)
            throw invalid(`tar tree holds more than the ${limits.maxBytes} bytes allowed`);
          chunks.push(chunk as Buffer);
        }
        if (!seen.has(name)) {
          seen.add(name);
          files.push({
            path: name,
            content: Buffer.concat(chunks),
            executable: ((header.mode ?? 0) & 0o111) !== 0,
          });
          if (files.length > limits.maxFiles)
            throw invalid(`tar tree has more than the ${limits.maxFiles} files allowed`);
        }
      } else if ((type === 'symlink' || type === 'link') && header.linkname) {
        entry.resume();
        if (header.linkname.includes('\0'))
          throw invalid(`link ${JSON.stringify(name)} with a NUL byte in its target`);
        if (!seen.has(name)) {
          seen.add(name);
          links.push({ path: name, target: header.linkname, type });
        }
      } else {
        entry.resume(); // directories are implied; devices and fifos are dropped
      }
    }
  } catch (error) {
    if (error instanceof SandboxError) throw error;
    throw new SandboxError(
      'TREE_INVALID',
      `tree tar could not be read: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const contents = resolveTarLinks(files, links);
  checkLimits(contents.files, limits, 'tar tree');
  return contents;
}

/** readTarContents without the refused links. */
export async function readTarTree(
  buffer: Buffer,
  limits: TreeLimits = DEFAULT_TREE_LIMITS,
): Promise<TreeFile[]> {
  return (await readTarContents(buffer, limits)).files;
}

/** Turns any TreeInput into a flat list of checked files. */
export async function readTree(
  input: TreeInput,
  limits: TreeLimits = DEFAULT_TREE_LIMITS,
): Promise<TreeFile[]> {
  return (await readTreeContents(input, limits)).files;
}

/** Like readTree, and also says which links were refused. */
export async function readTreeContents(
  input: TreeInput,
  limits: TreeLimits = DEFAULT_TREE_LIMITS,
): Promise<TreeContents> {
  switch (input.kind) {
    case 'dir':
      return readDirTree(input.path, limits);
    case 'tar':
      return readTarContents(input.tar, limits);
    case 'files': {
      const files = Object.entries(input.files).map(([name, content]) => ({
        path: safeRelativePath(name),
        content: typeof content === 'string' ? Buffer.from(content, 'utf8') : content,
        executable: false,
      }));
      checkLimits(files, limits, 'file tree');
      return { files, refusedLinks: [] };
    }
  }
}

export interface TarEntry {
  /** Full name inside the archive, e.g. `head/pkg/mod.py`. */
  name: string;
  content: Buffer;
  executable?: boolean;
  /** Directory entries make sure a tree's root exists after extraction, even when empty. */
  directory?: boolean;
  /** A symbolic link to this target (the content is ignored); readTarContents resolves it. */
  linkTarget?: string;
}

/**
 * The files and links of a tar as packTar takes them (names normalised and checked;
 * directories implied; other specials dropped). For re-packing a tar without reading it
 * as a tree: links stay links.
 */
export async function readTarEntries(buffer: Buffer): Promise<TarEntry[]> {
  const extract = tar.extract();
  const out: TarEntry[] = [];
  const source = Readable.from([buffer]);
  source.on('error', (error) => extract.destroy(error));
  source.pipe(extract);
  try {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const { type, linkname, mode } = entry.header;
      if (type !== 'file' && type !== 'contiguous-file' && type !== 'symlink') continue;
      const name = safeRelativePath(entry.header.name);
      if (type === 'symlink') {
        if (linkname) out.push({ name, content: Buffer.alloc(0), linkTarget: linkname });
      } else {
        out.push({ name, content: Buffer.concat(chunks), executable: ((mode ?? 0) & 0o111) !== 0 });
      }
    }
  } catch (error) {
    if (error instanceof SandboxError) throw error;
    throw invalid(`tar could not be read: ${(error as Error).message}`);
  }
  return out;
}

/** Packs entries into one plain tar; names are re-checked, so nothing escapes /work on extraction. */
export async function packTar(entries: readonly TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk: unknown) => {
    chunks.push(chunk as Buffer);
  });
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const entry of entries) {
    const name = safeRelativePath(entry.name);
    await new Promise<void>((resolve, reject) => {
      const callback = (error?: Error | null): void => (error ? reject(error) : resolve());
      if (entry.directory) {
        pack.entry(
          { name, type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: new Date(0) },
          callback,
        );
      } else if (entry.linkTarget !== undefined) {
        pack.entry(
          { name, type: 'symlink', linkname: entry.linkTarget, uid: 0, gid: 0, mtime: new Date(0) },
          callback,
        );
      } else {
        pack.entry(
          {
            name,
            size: entry.content.length,
            mode: entry.executable ? 0o755 : 0o644,
            uid: 0,
            gid: 0,
            mtime: new Date(0),
            type: 'file',
          },
          entry.content,
          callback,
        );
      }
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}
