import { createReadStream, readFileSync } from 'node:fs';
import { lstat, readdir, readlink, realpath, stat } from 'node:fs/promises';
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

interface TreeFile {
  /** Normalised relative path, `/`-separated. */
  path: string;
  content: Buffer;
  executable: boolean;
}

/**
 * One file of a tree, listed without its content: a directory tree reads it from disk only
 * when asked, so listing a large tree costs memory for names, not bytes.
 */
export interface TreeEntry {
  path: string;
  size: number;
  executable: boolean;
  /** The whole content, synchronously: for the few small files a step reads (configs, tests). */
  read(): Buffer;
  /** The content as a stream: what the packer uses, so no file is held whole. */
  stream(): Readable;
}

/** A tree's files (in-tree links listed as copies), the links refused, and the bytes in all. */
interface TreeListing {
  entries: TreeEntry[];
  refusedLinks: RefusedLink[];
  bytes: number;
}

/** A symbolic link the tree reader would not follow: it points outside the tree, or nowhere. */
interface RefusedLink {
  /** The link's path in the tree. */
  path: string;
  /** What it points at, as stored in the link. */
  target: string;
  why: 'outside' | 'missing';
}

/** A tree's files, with in-tree links resolved to copies, and the links that were refused. */
interface TreeContents {
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

/** A symbolic link's target resolved on the host, or why it is refused. */
async function resolveDirLink(
  abs: string,
  realRoot: string,
): Promise<{ resolved: string } | { why: RefusedLink['why'] }> {
  const resolved = await realpath(abs).catch(() => undefined);
  if (resolved === undefined) return { why: 'missing' };
  if (!(resolved === realRoot || resolved.startsWith(realRoot + path.sep)))
    return { why: 'outside' };
  return { resolved };
}

/**
 * Lists a directory without reading its files: contents are read from disk when the
 * packer streams them, so a large tree never sits in memory. A link is sent as a copy of
 * what it points at (a file, or every file of a directory) only when that stays inside
 * the tree; any other link is refused by name, never dropped silently.
 */
async function listDirTree(root: string, limits: TreeLimits): Promise<TreeListing> {
  const realRoot = await realpath(root);
  const entries: TreeEntry[] = [];
  const refusedLinks: RefusedLink[] = [];
  let bytes = 0;
  const tooLarge = (): SandboxError =>
    invalid(
      `directory ${root} is larger than allowed (${limits.maxFiles} files, ${limits.maxBytes} bytes)`,
    );
  /** `within`: the real directories being walked, so a link back into one of them is refused, not looped. */
  async function walk(dir: string, rel: string, within: readonly string[]): Promise<void> {
    const children = await readdir(dir, { withFileTypes: true });
    children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const child of children) {
      const relPath = rel ? `${rel}/${child.name}` : child.name;
      const abs = path.join(dir, child.name);
      if (child.isDirectory()) {
        if (!SKIPPED_DIRS.has(child.name)) await walk(abs, relPath, [...within, abs]);
        continue;
      }
      let target = abs;
      if (child.isSymbolicLink()) {
        const link = await resolveDirLink(abs, realRoot);
        const refuse = async (why: RefusedLink['why']): Promise<void> => {
          const stored = await readlink(abs).catch(() => '?');
          refusedLinks.push({ path: safeRelativePath(relPath), target: stored, why });
        };
        if ('why' in link) {
          await refuse(link.why);
          continue;
        }
        target = link.resolved;
        if ((await stat(target)).isDirectory()) {
          // A copy of an in-tree directory; one that contains the link would copy forever.
          const loops = within.some(
            (walked) => walked === target || walked.startsWith(target + path.sep),
          );
          if (loops) await refuse('missing');
          else await walk(target, relPath, [...within, target]);
          continue;
        }
      }
      const info = await lstat(target);
      if (!info.isFile()) continue; // devices, sockets, fifos
      bytes += info.size;
      if (entries.length + 1 > limits.maxFiles || bytes > limits.maxBytes) throw tooLarge();
      const source = target;
      entries.push({
        path: safeRelativePath(relPath),
        size: info.size,
        executable: (info.mode & 0o111) !== 0,
        read: () => readFileSync(source),
        stream: () => createReadStream(source),
      });
    }
  }
  await walk(realRoot, '', [realRoot]);
  return { entries, refusedLinks, bytes };
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
  input: Buffer | Readable,
  limits: TreeLimits = DEFAULT_TREE_LIMITS,
): Promise<TreeContents> {
  const extract = tar.extract();
  const files: TreeFile[] = [];
  const links: TarLink[] = [];
  const seen = new Set<string>();
  let bytes = 0;
  const source = Buffer.isBuffer(input) ? Readable.from([input]) : input;
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
  input: Buffer | Readable,
  limits: TreeLimits = DEFAULT_TREE_LIMITS,
): Promise<TreeFile[]> {
  return (await readTarContents(input, limits)).files;
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
  const listing = await listTree(input, limits);
  return {
    files: listing.entries.map((entry) => ({
      path: entry.path,
      content: entry.read(),
      executable: entry.executable,
    })),
    refusedLinks: listing.refusedLinks,
  };
}

function inMemoryEntry(file: TreeFile): TreeEntry {
  return {
    path: file.path,
    size: file.content.length,
    executable: file.executable,
    read: () => file.content,
    stream: () => Readable.from([file.content]),
  };
}

function inMemoryListing(contents: TreeContents): TreeListing {
  const entries = contents.files.map(inMemoryEntry);
  const bytes = entries.reduce((sum, entry) => sum + entry.size, 0);
  return { entries, refusedLinks: contents.refusedLinks, bytes };
}

/**
 * Lists any TreeInput with the same checks as readTree (names, links, limits) but leaves
 * the contents where they are: on disk for a directory, in memory for the others (which
 * are there already).
 */
export async function listTree(
  input: TreeInput,
  limits: TreeLimits = DEFAULT_TREE_LIMITS,
): Promise<TreeListing> {
  switch (input.kind) {
    case 'dir':
      return listDirTree(input.path, limits);
    case 'tar':
      return inMemoryListing(await readTarContents(input.tar, limits));
    case 'files': {
      const files = Object.entries(input.files).map(([name, content]) => ({
        path: safeRelativePath(name),
        content: typeof content === 'string' ? Buffer.from(content, 'utf8') : content,
        executable: false,
      }));
      checkLimits(files, limits, 'file tree');
      return inMemoryListing({ files, refusedLinks: [] });
    }
  }
}

export interface TarEntry {
  /** Full name inside the archive, e.g. `head/pkg/mod.py`. */
  name: string;
  /** The bytes, or a listed tree file, streamed from where it lies when its turn comes. */
  content: Buffer | Pick<TreeEntry, 'size' | 'stream'>;
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

/** Bytes a tar of these entries takes at most: headers (a pax record for long names), padded data, the end. */
export function tarSizeBound(entries: readonly TarEntry[]): number {
  let total = 1024;
  for (const entry of entries) {
    const size = entry.directory || entry.linkTarget !== undefined ? 0 : tarContentSize(entry);
    const longName = entry.name.length > 100 || (entry.linkTarget?.length ?? 0) > 100;
    total += 512 + Math.ceil(size / 512) * 512 + (longName ? 512 * 3 + entry.name.length : 0);
  }
  return total;
}

function tarContentSize(entry: TarEntry): number {
  return Buffer.isBuffer(entry.content) ? entry.content.length : entry.content.size;
}

async function writeTarEntry(pack: tar.Pack, entry: TarEntry): Promise<void> {
  const name = safeRelativePath(entry.name);
  const owner = { uid: 0, gid: 0, mtime: new Date(0) };
  if (entry.directory) {
    await new Promise<void>((resolve, reject) => {
      pack.entry({ name, type: 'directory', mode: 0o755, ...owner }, (error) =>
        error ? reject(error) : resolve(),
      );
    });
    return;
  }
  if (entry.linkTarget !== undefined) {
    const linkname = entry.linkTarget;
    await new Promise<void>((resolve, reject) => {
      pack.entry({ name, type: 'symlink', linkname, ...owner }, (error) =>
        error ? reject(error) : resolve(),
      );
    });
    return;
  }
  const header = {
    name,
    size: tarContentSize(entry),
    mode: entry.executable ? 0o755 : 0o644,
    type: 'file' as const,
    ...owner,
  };
  const { content } = entry;
  await new Promise<void>((resolve, reject) => {
    const done = (error?: Error | null): void => (error ? reject(error) : resolve());
    if (Buffer.isBuffer(content)) {
      pack.entry(header, content, done);
      return;
    }
    // Streamed with backpressure: the pack waits for its reader (the container's stdin).
    const sink = pack.entry(header, done);
    sink.on('error', () => undefined); // reported through `done` and the pack
    const source = content.stream();
    source.on('error', (error) => {
      const failure = invalid(`could not read ${name}: ${error.message}`);
      pack.destroy(failure); // first, so readers see this error and not the sink's
      reject(failure);
    });
    source.pipe(sink);
  });
}

/**
 * Packs entries into one plain tar, as a stream produced as fast as it is read; names are
 * re-checked, so nothing escapes /work on extraction. Nothing is read before the first
 * read of the stream; an entry that cannot be read then fails the stream with TREE_INVALID.
 */
export function packTarStream(entries: Iterable<TarEntry>): Readable {
  async function* produce(): AsyncGenerator<Buffer> {
    const pack = tar.pack();
    pack.on('error', () => undefined); // the writer below holds the reason and rethrows it
    const writing = (async () => {
      for (const entry of entries) await writeTarEntry(pack, entry);
      pack.finalize();
    })();
    writing.catch((error: unknown) => {
      pack.destroy(error instanceof Error ? error : new Error(String(error)));
    });
    for await (const chunk of pack) yield chunk as Buffer;
    // A destroyed pack may just end its iterator: the writer holds the reason.
    await writing;
  }
  return Readable.from(produce(), { objectMode: false });
}

/** Collects a stream's bytes; rejects with the stream's error. */
export async function collectStream(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** packTarStream, collected into one buffer (small archives: build contexts, setup inputs). */
export async function packTar(entries: readonly TarEntry[]): Promise<Buffer> {
  return collectStream(packTarStream(entries));
}
