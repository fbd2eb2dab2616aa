import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tar from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  collectStream,
  isSandboxError,
  listTree,
  packHarnessInput,
  packTar,
  readTarContents,
  readTarEntries,
  readTarTree,
  readTree,
  readTreeContents,
} from '../src/index.ts';

/** A tar built by hand, so hostile names reach the reader exactly as written. */
async function rawTar(
  entries: Array<{
    name: string;
    content?: string;
    type?: 'file' | 'symlink' | 'directory';
    linkname?: string;
  }>,
): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk: unknown) => {
    chunks.push(chunk as Buffer);
  });
  const done = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    if (type === 'file') pack.entry({ name: entry.name }, entry.content ?? '');
    else if (type === 'symlink')
      pack.entry({ name: entry.name, type, linkname: entry.linkname ?? '/etc/passwd' });
    else pack.entry({ name: entry.name, type });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('tree packer', () => {
  it.each([
    ['../evil', 'escaping'],
    ['pkg/../../evil', 'escaping'],
    ['/etc/passwd', 'absolute'],
    ['C:/x.py', 'absolute'],
    ['a\\..\\b', 'backslash'],
  ])('refuses a tar entry named %s', async (name, why) => {
    const buffer = await rawTar([
      { name: 'ok.py', content: 'x = 1' },
      { name, content: 'evil' },
    ]);
    const error = await readTarTree(buffer).catch((e: unknown) => e);
    expect(isSandboxError(error, 'TREE_INVALID')).toBe(true);
    expect((error as Error).message).toContain(why);
  });

  it('refuses a hostile name in a files tree and in a candidate path', async () => {
    await expect(readTree({ kind: 'files', files: { '../evil.py': 'x' } })).rejects.toSatisfy(
      (e: unknown) => isSandboxError(e, 'TREE_INVALID'),
    );
    await expect(
      packHarnessInput({
        mode: 'evaluate',
        nonce: 'n',
        base: { kind: 'files', files: {} },
        head: { kind: 'files', files: {} },
        candidates: [{ path: '/tmp/evil.py', content: 'x', origin: 'generated' }],
      }),
    ).rejects.toSatisfy((e: unknown) => isSandboxError(e, 'TREE_INVALID'));
  });

  it('copies links that stay in the tree, refuses the others by name, normalises ./ prefixes', async () => {
    const buffer = await rawTar([
      { name: './', type: 'directory' },
      { name: './pkg/', type: 'directory' },
      { name: './pkg/mod.py', content: 'x = 1' },
      { name: './shared/', type: 'directory' },
      { name: './shared/helper.py', content: 'def h(): return 1' },
      { name: 'pkg/link', type: 'symlink', linkname: '/etc/passwd' },
      { name: 'pkg/up', type: 'symlink', linkname: '../../outside.py' },
      { name: 'pkg/gone', type: 'symlink', linkname: 'missing.py' },
      { name: 'tests/helper.py', type: 'symlink', linkname: '../shared/helper.py' },
      { name: 'tests/chain.py', type: 'symlink', linkname: 'helper.py' },
      { name: 'vendored', type: 'symlink', linkname: 'shared' },
    ]);
    const contents = await readTarContents(buffer);
    const byPath = Object.fromEntries(
      contents.files.map((file) => [file.path, file.content.toString()]),
    );
    expect(byPath).toEqual({
      'pkg/mod.py': 'x = 1',
      'shared/helper.py': 'def h(): return 1',
      'tests/helper.py': 'def h(): return 1',
      'tests/chain.py': 'def h(): return 1',
      'vendored/helper.py': 'def h(): return 1',
    });
    expect(contents.refusedLinks).toEqual([
      { path: 'pkg/link', target: '/etc/passwd', why: 'outside' },
      { path: 'pkg/up', target: '../../outside.py', why: 'outside' },
      { path: 'pkg/gone', target: 'missing.py', why: 'missing' },
    ]);
  });

  it('readTarEntries keeps links as links for re-packing, and refuses hostile names', async () => {
    const buffer = await rawTar([
      { name: './pkg/', type: 'directory' },
      { name: './pkg/mod.py', content: 'x = 1' },
      { name: 'pkg/link.py', type: 'symlink', linkname: 'mod.py' },
    ]);
    const entries = await readTarEntries(buffer);
    expect(entries.map((e) => [e.name, e.linkTarget ?? e.content.toString()])).toEqual([
      ['pkg/mod.py', 'x = 1'],
      ['pkg/link.py', 'mod.py'],
    ]);
    const repacked = await readTarContents(await packTar(entries));
    expect(repacked.files.map((f) => f.path)).toEqual(['pkg/mod.py', 'pkg/link.py']);
    const hostile = await rawTar([{ name: '../evil.py', content: 'x' }]);
    await expect(readTarEntries(hostile)).rejects.toSatisfy((e: unknown) =>
      isSandboxError(e, 'TREE_INVALID'),
    );
  });

  it('enforces the size caps', async () => {
    const buffer = await rawTar([
      { name: 'a.py', content: 'x'.repeat(2000) },
      { name: 'b.py', content: 'y' },
    ]);
    await expect(readTarTree(buffer, { maxFiles: 10, maxBytes: 1000 })).rejects.toSatisfy(
      (e: unknown) => isSandboxError(e, 'TREE_INVALID'),
    );
    await expect(readTarTree(buffer, { maxFiles: 1, maxBytes: 100_000 })).rejects.toSatisfy(
      (e: unknown) => isSandboxError(e, 'TREE_INVALID'),
    );
  });

  it('packs a directory without .git and without following symlinks out of it', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'tg-tree-'));
    const outside = await mkdtemp(path.join(tmpdir(), 'tg-outside-'));
    dirs.push(root, outside);
    await mkdir(path.join(root, '.git'));
    await writeFile(path.join(root, '.git', 'config'), 'secret');
    await mkdir(path.join(root, 'pkg'));
    await writeFile(path.join(root, 'pkg', 'mod.py'), 'x = 1\n');
    await writeFile(path.join(outside, 'secret.txt'), 'host secret');
    await symlink(path.join(outside, 'secret.txt'), path.join(root, 'pkg', 'out-link.txt'));
    await symlink('mod.py', path.join(root, 'pkg', 'in-link.py'));
    await symlink(outside, path.join(root, 'outdir'));
    const { files, refusedLinks } = await readTreeContents({ kind: 'dir', path: root });
    expect(files.map((file) => file.path).sort()).toEqual(['pkg/in-link.py', 'pkg/mod.py']);
    expect(files.every((file) => !file.content.toString().includes('host secret'))).toBe(true);
    expect(refusedLinks.map((link) => [link.path, link.why]).sort()).toEqual([
      ['outdir', 'outside'],
      ['pkg/out-link.txt', 'outside'],
    ]);
  });

  it('copies an in-tree directory link like the tar reader does, and refuses one that loops', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'tg-tree-'));
    dirs.push(root);
    await mkdir(path.join(root, 'shared'));
    await writeFile(path.join(root, 'shared', 'helper.py'), 'def h(): return 1\n');
    await mkdir(path.join(root, 'pkg'));
    await symlink('../shared', path.join(root, 'pkg', 'vendored'));
    await symlink('..', path.join(root, 'shared', 'back-to-root'));
    const listing = await listTree({ kind: 'dir', path: root });
    expect(listing.entries.map((entry) => entry.path).sort()).toEqual([
      'pkg/vendored/helper.py',
      'shared/helper.py',
    ]);
    expect(
      listing.entries
        .find((e) => e.path === 'pkg/vendored/helper.py')
        ?.read()
        .toString(),
    ).toBe('def h(): return 1\n');
    expect(listing.bytes).toBe(2 * 'def h(): return 1\n'.length);
    expect(listing.refusedLinks.map((link) => [link.path, link.why]).sort()).toEqual([
      ['pkg/vendored/back-to-root', 'missing'],
      ['shared/back-to-root', 'missing'],
    ]);
  });

  it('streams a directory tree into the harness input, and calls a file that vanishes mid-pack TREE_INVALID', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'tg-tree-'));
    dirs.push(root);
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    await writeFile(path.join(root, 'big.bin'), big);
    await writeFile(path.join(root, 'mod.py'), 'x = 1\n');
    const stream = await packHarnessInput({
      mode: 'evaluate',
      nonce: 'n',
      base: { kind: 'files', files: {} },
      head: { kind: 'dir', path: root },
    });
    const files = await readTarTree(stream);
    expect(files.find((file) => file.path === 'head/big.bin')?.content.equals(big)).toBe(true);
    expect(files.map((file) => file.path)).toContain('head/mod.py');

    const listedThenRemoved = await packHarnessInput({
      mode: 'evaluate',
      nonce: 'n',
      base: { kind: 'files', files: {} },
      head: { kind: 'dir', path: root },
    });
    await rm(path.join(root, 'mod.py'));
    const error = await collectStream(listedThenRemoved).catch((e: unknown) => e);
    expect(isSandboxError(error, 'TREE_INVALID')).toBe(true);
    expect((error as Error).message).toContain('could not read head/mod.py');
  });

  it('lays out request.json first, then base/, head/ and candidates/', async () => {
    const input = await packHarnessInput({
      mode: 'generate',
      nonce: 'abc',
      base: { kind: 'files', files: { 'calc.py': 'def f(): pass\n' } },
      head: {
        kind: 'tar',
        tar: await packTar([{ name: 'calc.py', content: Buffer.from('def f(): return 1\n') }]),
      },
      candidates: [
        {
          path: 'tests/test_x.py',
          content: 'def test_x(): assert 1',
          origin: 'generated',
          generator: 'builtin',
        },
      ],
      settings: { reruns: 5 },
    });
    const files = await readTarTree(input);
    expect(files.map((file) => file.path)).toEqual([
      'request.json',
      'base/calc.py',
      'head/calc.py',
      'candidates/tests/test_x.py',
    ]);
    const request = JSON.parse(files[0]?.content.toString() ?? '{}') as Record<string, unknown>;
    expect(request).toMatchObject({
      protocol: 1,
      mode: 'generate',
      nonce: 'abc',
      settings: { reruns: 5, cpuSecondsPerTest: 2, wallSecondsPerTest: 10, includePrTests: true },
      candidates: [{ path: 'tests/test_x.py', origin: 'generated', generator: 'builtin' }],
    });
  });
});
