/** The content-hash image build against the real engine (the base is built once per machine). */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createDockerRunner,
  defaultSandboxDir,
  ensureSandboxImage,
  IMAGE_ALIAS_TAG,
  pruneSandboxImages,
  sandboxImageTags,
} from '../src/index.ts';
import type { ImageProgress } from '../src/index.ts';

const docker = new Docker();
const cleanup: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

describe('ensureSandboxImage', () => {
  it('returns the content-hash tag, builds nothing when it exists, and the harness is root-owned inside', async () => {
    const tags = await sandboxImageTags();
    expect(tags.base).toMatch(/^testgate-sandbox-base:[0-9a-f]{16}$/);
    expect(tags.image).toMatch(/^testgate-sandbox:[0-9a-f]{16}$/);
    const first = await ensureSandboxImage({ docker });
    expect(first).toBe(tags.image);
    const events: ImageProgress[] = [];
    const started = performance.now();
    const second = await ensureSandboxImage({ docker, onProgress: (event) => events.push(event) });
    const warmMs = performance.now() - started;
    console.log(`ensureSandboxImage warm (nothing to build): ${Math.round(warmMs)} ms`);
    expect(second).toBe(first);
    expect(events).toEqual([]);
    const alias = await docker.getImage(IMAGE_ALIAS_TAG).inspect();
    const real = await docker.getImage(first).inspect();
    expect(alias.Id).toBe(real.Id);
    expect(real.Config.User).toBe('10001:10001');

    const result = await createDockerRunner({ docker }).run({
      image: first,
      cmd: [
        'python3',
        '-I',
        '-c',
        'import os\nfor r, ds, fs in os.walk("/opt/testgate/harness"):\n    for n in ds + fs:\n        st = os.stat(os.path.join(r, n)); print(st.st_uid, oct(st.st_mode & 0o777), n)',
      ],
    });
    expect(result.exitCode, result.stderrTail).toBe(0);
    const rows = result.stdout.trim().split('\n');
    expect(rows).toContain('0 0o644 PROTOCOL.md');
    expect(rows.every((row) => /^0 0o(644|755) /.test(row))).toBe(true);
  });

  it('builds only a new thin layer when the harness changes', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tg-sandbox-dir-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    await cp(defaultSandboxDir(), dir, { recursive: true });
    await writeFile(path.join(dir, 'harness', 'zz_extra.py'), `# ${Date.now()}\n`);
    const original = await sandboxImageTags();
    const changed = await sandboxImageTags({ sandboxDir: dir });
    expect(changed.base).toBe(original.base);
    expect(changed.image).not.toBe(original.image);
    const events: ImageProgress[] = [];
    const started = performance.now();
    const tag = await ensureSandboxImage({
      docker,
      sandboxDir: dir,
      onProgress: (event) => events.push(event),
    });
    console.log(`thin layer rebuild: ${Math.round(performance.now() - started)} ms`);
    cleanup.push(async () => {
      await docker
        .getImage(tag)
        .remove({ force: true })
        .catch(() => undefined);
    });
    expect(tag).toBe(changed.image);
    // A scratch sandboxDir never moves the alias off the repo's own image.
    expect((await docker.getImage(IMAGE_ALIAS_TAG).inspect()).Id).toBe(
      (await docker.getImage(original.image).inspect()).Id,
    );
    expect(events.some((event) => event.stage === 'base')).toBe(false);
    expect(events.some((event) => event.stage === 'image')).toBe(true);
    const result = await createDockerRunner({ docker }).run({
      image: tag,
      cmd: ['cat', '/opt/testgate/harness/zz_extra.py'],
    });
    expect(result.stdout).toMatch(/^# \d+\n$/);
    // Pruning with this checkout's tag kept removes the stale thin image, never the base or the kept one.
    const pruned = await pruneSandboxImages({
      docker,
      keep: [original.image, changed.image].filter((t) => t !== tag),
    });
    expect(pruned.removed).toContain(tag);
    expect(pruned.removed).not.toContain(original.image);
    await expect(docker.getImage(original.image).inspect()).resolves.toBeTruthy();
    await expect(docker.getImage(original.base).inspect()).resolves.toBeTruthy();
  });
});
