import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { extractTarball, isTransientGitHubError } from '../src/index.ts';
import type { ExtractLimits } from '../src/index.ts';

type Entry = {
  name: string;
  type?: 'file' | 'symlink' | 'link' | 'directory' | 'character-device';
  content?: string;
  linkname?: string;
};

async function tarball(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const e of entries) {
    const content = e.content ?? '';
    const header = {
      name: e.name,
      type: e.type ?? 'file',
      ...(e.linkname ? { linkname: e.linkname } : {}),
    } as const;
    if (e.type && e.type !== 'file') pack.entry({ ...header, size: 0 });
    else pack.entry({ ...header, size: Buffer.byteLength(content) }, content);
  }
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

/** The tree extractTarball wrote: file contents, and links as `symlink -> target`. */
async function written(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(dir: string, rel: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      const abs = path.join(dir, entry.name);
      if (entry.isSymbolicLink()) out[relPath] = `symlink -> ${await readlink(abs)}`;
      else if (entry.isDirectory()) await walk(abs, relPath);
      else out[relPath] = await readFile(abs, 'utf8');
    }
  }
  await walk(root, '');
  return out;
}

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function emptyDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tg-extract-'));
  dirs.push(dir);
  return path.join(dir, 'tree');
}

async function extract(gz: Buffer | Readable, limits?: ExtractLimits) {
  return extractTarball(gz, await emptyDir(), limits);
}

describe('extractTarball', () => {
  it('strips the top-level dir, writes regular files, places links after them, drops devices', async () => {
    const tree = await extract(
      await tarball([
        { name: 'octo-calc-abc1234/', type: 'directory' },
        { name: 'octo-calc-abc1234/calc/ops.py', content: 'def add(a, b):\n    return a + b\n' },
        { name: 'octo-calc-abc1234/link-out', type: 'symlink', linkname: '/etc/passwd' },
        { name: 'octo-calc-abc1234/hard', type: 'link', linkname: 'octo-calc-abc1234/calc/ops.py' },
        { name: 'octo-calc-abc1234/dev', type: 'character-device' },
      ]),
    );
    // Links are placed as links (a hard link's target made relative to it); the sandbox's
    // tree reader decides which to follow.
    expect(await written(tree.root)).toEqual({
      'calc/ops.py': 'def add(a, b):\n    return a + b\n',
      'link-out': 'symlink -> /etc/passwd',
      hard: 'symlink -> calc/ops.py',
    });
    expect(tree.files).toBe(1);
    expect(tree.skipped).toEqual(['octo-calc-abc1234/dev']);
  });

  it('never writes through a link: a file under a link path stays in the tree, the link is dropped', async () => {
    const outside = await mkdtemp(path.join(tmpdir(), 'tg-outside-'));
    dirs.push(outside);
    const tree = await extract(
      await tarball([
        { name: 'r/escape', type: 'symlink', linkname: outside },
        { name: 'r/escape/planted.txt', content: 'x' },
        { name: 'r/up', type: 'symlink', linkname: '..' },
        { name: 'r/up/also', type: 'symlink', linkname: '/etc' },
      ]),
    );
    expect(await readdir(outside)).toEqual([]);
    expect(await written(tree.root)).toEqual({
      'escape/planted.txt': 'x',
      up: 'symlink -> ..',
    });
    expect(tree.skipped.sort()).toEqual(['escape', 'up/also']);
  });

  it('writes an empty directory for a commit with no files', async () => {
    const tree = await extract(await tarball([{ name: 'octo-empty-abc1234/', type: 'directory' }]));
    expect(await readdir(tree.root)).toEqual([]);
    expect(tree.files).toBe(0);
  });

  it.each([
    ['octo-calc-abc1234/../../etc/cron.d/x', "'..'"],
    ['/etc/passwd', 'absolute'],
  ])('refuses %s', async (name, what) => {
    const gz = await tarball([{ name, content: 'x' }]);
    await expect(extract(gz)).rejects.toThrow(what);
    await expect(extract(gz)).rejects.toMatchObject({ code: 'UNSAFE_ARCHIVE' });
  });

  it('caps the file count and the total size while inflating', async () => {
    const many = await tarball(
      Array.from({ length: 5 }, (_, i) => ({ name: `r/f${i}.py`, content: 'x' })),
    );
    await expect(extract(many, { maxFiles: 4 })).rejects.toMatchObject({
      code: 'ARCHIVE_TOO_LARGE',
    });
    const big = await tarball([{ name: 'r/big.txt', content: 'x'.repeat(200_000) }]);
    await expect(extract(big, { maxTotalBytes: 100_000 })).rejects.toMatchObject({
      code: 'ARCHIVE_TOO_LARGE',
      message: expect.stringContaining('100000 bytes') as unknown,
    });
  });

  it('refuses bytes that are not a gzip, and calls a cut-off gzip or download truncated (retried)', async () => {
    await expect(extract(Buffer.from('not gzip'))).rejects.toMatchObject({ code: 'BAD_ARCHIVE' });
    const whole = await tarball([{ name: 'r/a.py', content: 'y'.repeat(100_000) }]);
    const cut = whole.subarray(0, Math.floor(whole.length / 2));
    await expect(extract(cut)).rejects.toMatchObject({ code: 'ARCHIVE_TRUNCATED' });
    const dropped = new Readable({
      read() {
        this.push(cut);
        this.destroy(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));
      },
    });
    const error = await extract(dropped).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ARCHIVE_TRUNCATED' });
    expect(isTransientGitHubError(error)).toBe(true);
  });
});
