import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { GitHubError, safeExtractTarball } from '../src/index.ts';

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

async function names(tarBuffer: Buffer): Promise<Record<string, string>> {
  const extract = tar.extract();
  const out: Record<string, string> = {};
  const { Readable } = await import('node:stream');
  Readable.from([tarBuffer]).pipe(extract);
  for await (const entry of extract) {
    const parts: Buffer[] = [];
    for await (const c of entry) parts.push(c as Buffer);
    out[entry.header.name] = entry.header.linkname
      ? `${entry.header.type} -> ${entry.header.linkname}`
      : Buffer.concat(parts).toString();
  }
  return out;
}

describe('safeExtractTarball', () => {
  it('strips the top-level dir, keeps regular files and links, drops devices', async () => {
    const tree = await safeExtractTarball(
      await tarball([
        { name: 'octo-calc-abc1234/', type: 'directory' },
        { name: 'octo-calc-abc1234/calc/ops.py', content: 'def add(a, b):\n    return a + b\n' },
        { name: 'octo-calc-abc1234/link-out', type: 'symlink', linkname: '/etc/passwd' },
        { name: 'octo-calc-abc1234/hard', type: 'link', linkname: 'octo-calc-abc1234/calc/ops.py' },
        { name: 'octo-calc-abc1234/dev', type: 'character-device' },
      ]),
    );
    // Links travel as links (the top-level dir stripped from a hard link's target too); the
    // sandbox's tree reader decides which to follow.
    expect(await names(tree.tar)).toEqual({
      'calc/ops.py': 'def add(a, b):\n    return a + b\n',
      'link-out': 'symlink -> /etc/passwd',
      hard: 'link -> calc/ops.py',
    });
    expect(tree.files).toBe(1);
    expect(tree.skipped).toEqual(['octo-calc-abc1234/dev']);
  });

  it.each([
    ['octo-calc-abc1234/../../etc/cron.d/x', "'..'"],
    ['/etc/passwd', 'absolute'],
  ])('refuses %s', async (name, what) => {
    const gz = await tarball([{ name, content: 'x' }]);
    await expect(safeExtractTarball(gz)).rejects.toThrow(what);
    await expect(safeExtractTarball(gz)).rejects.toMatchObject({ code: 'unsafe-archive' });
  });

  it('caps the file count and the total size', async () => {
    const many = await tarball(
      Array.from({ length: 5 }, (_, i) => ({ name: `r/f${i}.py`, content: 'x' })),
    );
    await expect(safeExtractTarball(many, { maxFiles: 4 })).rejects.toMatchObject({
      code: 'archive-too-large',
    });
    const big = await tarball([{ name: 'r/big.txt', content: 'x'.repeat(200_000) }]);
    await expect(safeExtractTarball(big, { maxTotalBytes: 100_000 })).rejects.toBeInstanceOf(
      GitHubError,
    );
  });

  it('refuses bytes that are not a gzip', async () => {
    await expect(safeExtractTarball(Buffer.from('not gzip'))).rejects.toMatchObject({
      code: 'bad-archive',
    });
  });
});
