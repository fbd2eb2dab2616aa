import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { SandboxError, toSandboxError } from './sandbox-error.ts';
import { packTar } from './tree-pack.ts';

const BASE_REPOSITORY = 'testgate-sandbox-base';
const IMAGE_REPOSITORY = 'testgate-sandbox';
/** Moving alias of the last image ensureSandboxImage made or found; the hash tag is the truth. */
export const IMAGE_ALIAS_TAG = `${IMAGE_REPOSITORY}:current`;

/** Files of docker/sandbox whose content defines the base image. */
const BASE_INPUTS = ['packages.txt', 'build-rootfs.sh', 'Dockerfile'] as const;
const THIN_DOCKERFILE = 'image.Dockerfile';
/** Never part of the image: caches a local Python run leaves in the harness dir. */
const SKIPPED_NAMES = new Set(['__pycache__', '.pytest_cache', '.mypy_cache', '.ruff_cache']);

export type ImageProgressStage = 'base' | 'image';
export interface ImageProgress {
  stage: ImageProgressStage;
  message: string;
}

interface SandboxImageTags {
  /** `testgate-sandbox-base:<hash of packages.txt, build-rootfs.sh, Dockerfile>` */
  base: string;
  /** `testgate-sandbox:<hash of the base tag, image.Dockerfile, harness/**>` */
  image: string;
}

interface EnsureSandboxImageOptions {
  onProgress?: (event: ImageProgress) => void;
  /** @defaultValue `new Docker()` */
  docker?: Docker;
  /** Directory holding Dockerfile, build-rootfs.sh, packages.txt, image.Dockerfile, harness/. @defaultValue the repo's docker/sandbox */
  sandboxDir?: string;
  /**
   * How a missing base is built: `rootfs` (debootstrap + docker import, works offline with
   * Debian apt only) or `dockerfile` (needs a registry for debian:bookworm-slim).
   * @defaultValue 'rootfs'
   */
  baseBuilder?: 'rootfs' | 'dockerfile';
}

/**
 * docker/sandbox of this checkout; in the published CLI (one bundle in dist/), the copy its
 * build put in assets/sandbox beside dist/.
 */
export function defaultSandboxDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const packaged = path.resolve(here, '../assets/sandbox');
  if (existsSync(path.join(packaged, THIN_DOCKERFILE))) return packaged;
  return path.resolve(here, '../../../docker/sandbox');
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

interface HarnessFile {
  rel: string;
  content: Buffer;
}

async function listHarnessFiles(harnessDir: string): Promise<HarnessFile[]> {
  const files: HarnessFile[] = [];
  async function walk(dir: string, rel: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (SKIPPED_NAMES.has(entry.name) || entry.name.endsWith('.pyc')) continue;
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      const abs = path.join(dir, entry.name);
      // Symlinks are skipped: the image gets only real files of the harness directory.
      if (entry.isDirectory()) await walk(abs, relPath);
      else if (entry.isFile()) files.push({ rel: relPath, content: await readFile(abs) });
    }
  }
  await walk(harnessDir, '');
  return files;
}

/** The content-hash tags, computed without touching Docker. */
export async function sandboxImageTags(
  options: { sandboxDir?: string } = {},
): Promise<SandboxImageTags> {
  const dir = options.sandboxDir ?? defaultSandboxDir();
  const baseHash = createHash('sha256').update('testgate-sandbox-base/1\n');
  for (const name of BASE_INPUTS) {
    baseHash.update(`${name}\0${sha256(await readFile(path.join(dir, name)))}\n`);
  }
  const base = `${BASE_REPOSITORY}:${baseHash.digest('hex').slice(0, 16)}`;
  const imageHash = createHash('sha256').update(`testgate-sandbox/1\n${base}\n`);
  imageHash.update(
    `${THIN_DOCKERFILE}\0${sha256(await readFile(path.join(dir, THIN_DOCKERFILE)))}\n`,
  );
  for (const file of await listHarnessFiles(path.join(dir, 'harness'))) {
    imageHash.update(`harness/${file.rel}\0${sha256(file.content)}\n`);
  }
  return { base, image: `${IMAGE_REPOSITORY}:${imageHash.digest('hex').slice(0, 16)}` };
}

async function imageExists(docker: Docker, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw toSandboxError(error, `inspect image ${tag}`);
  }
}

/**
 * Returns the tag of the sandbox image for the current harness, building only what is
 * missing: the base (minutes, once per packages.txt change) and the thin harness layer
 * (a second or two, once per harness change). Safe to call from several processes at once.
 */
export async function ensureSandboxImage(options: EnsureSandboxImageOptions = {}): Promise<string> {
  const docker = options.docker ?? new Docker();
  const sandboxDir = options.sandboxDir ?? defaultSandboxDir();
  const progress = options.onProgress ?? (() => undefined);
  try {
    await docker.ping();
  } catch (error) {
    throw toSandboxError(error, 'ping');
  }
  const tags = await sandboxImageTags({ sandboxDir });
  // The alias follows the repo's own harness only, never a scratch sandboxDir.
  const alias =
    options.sandboxDir === undefined || path.resolve(options.sandboxDir) === defaultSandboxDir();
  if (await imageExists(docker, tags.image)) {
    if (alias) await tagAlias(docker, tags.image);
    return tags.image;
  }
  await withBuildLock(
    async () => {
      if (!(await imageExists(docker, tags.base))) {
        progress({
          stage: 'base',
          message: `building ${tags.base} (${options.baseBuilder ?? 'rootfs'}); this takes a few minutes once`,
        });
        if (options.baseBuilder === 'dockerfile')
          await buildBaseFromDockerfile(docker, sandboxDir, tags.base, progress);
        else await buildBaseFromRootfs(sandboxDir, tags.base, progress);
        if (!(await imageExists(docker, tags.base))) {
          throw new SandboxError(
            'IMAGE_BUILD_FAILED',
            `base build finished but ${tags.base} is not in the engine`,
          );
        }
      }
      if (!(await imageExists(docker, tags.image))) {
        progress({ stage: 'image', message: `building ${tags.image} from ${tags.base}` });
        await buildThinImage(docker, sandboxDir, tags, progress);
      }
    },
    (owner) =>
      progress({
        stage: 'base',
        message: `waiting for another image build to finish (pid ${String(owner)}, lock ${LOCK_DIR})`,
      }),
  );
  if (alias) await tagAlias(docker, tags.image);
  return tags.image;
}

async function tagAlias(docker: Docker, tag: string): Promise<void> {
  const [repo = IMAGE_REPOSITORY, version = 'current'] = IMAGE_ALIAS_TAG.split(':');
  try {
    await docker.getImage(tag).tag({ repo, tag: version });
  } catch {
    // The alias is a convenience for humans; the hash tag is what callers run.
  }
}

function buildBaseFromRootfs(
  sandboxDir: string,
  tag: string,
  progress: (event: ImageProgress) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(sandboxDir, 'build-rootfs.sh'), tag], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 40) tail.shift();
        progress({ stage: 'base', message: line });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (error) =>
      reject(
        new SandboxError('IMAGE_BUILD_FAILED', `could not run build-rootfs.sh: ${error.message}`, {
          cause: error,
        }),
      ),
    );
    child.on('close', (code) => {
      if (code === 0) resolve();
      else {
        reject(
          new SandboxError(
            'IMAGE_BUILD_FAILED',
            `build-rootfs.sh failed (exit ${String(code)}); it needs root, debootstrap and Debian apt access:\n${tail.join('\n')}`,
          ),
        );
      }
    });
  });
}

async function followBuild(
  docker: Docker,
  stream: NodeJS.ReadableStream,
  stage: ImageProgressStage,
  progress: (event: ImageProgress) => void,
): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (
        error: Error | null,
        output: Array<{ error?: string; errorDetail?: { message?: string } }>,
      ) => {
        const failed = output?.find((event) => event.error !== undefined);
        if (error || failed) {
          const message =
            failed?.errorDetail?.message ?? failed?.error ?? error?.message ?? 'unknown error';
          reject(
            new SandboxError('IMAGE_BUILD_FAILED', `docker build failed: ${message}`, {
              cause: error ?? undefined,
            }),
          );
        } else resolve();
      },
      (event: { stream?: string; status?: string }) => {
        const message = (event.stream ?? event.status ?? '').trim();
        if (message) progress({ stage, message });
      },
    );
  });
}

async function buildThinImage(
  docker: Docker,
  sandboxDir: string,
  tags: SandboxImageTags,
  progress: (event: ImageProgress) => void,
): Promise<void> {
  const files = await listHarnessFiles(path.join(sandboxDir, 'harness'));
  const dirs = new Set<string>(['harness']);
  for (const file of files) {
    const parts = file.rel.split('/');
    for (let i = 1; i < parts.length; i += 1) dirs.add(`harness/${parts.slice(0, i).join('/')}`);
  }
  // packTar writes root-owned entries, world-readable and writable by nobody but root:
  // the sandbox user cannot change the harness.
  const context = await packTar([
    { name: 'Dockerfile', content: await readFile(path.join(sandboxDir, THIN_DOCKERFILE)) },
    ...[...dirs].sort().map((name) => ({ name, content: Buffer.alloc(0), directory: true })),
    ...files.map((file) => ({ name: `harness/${file.rel}`, content: file.content })),
  ]);
  let stream: NodeJS.ReadableStream;
  try {
    // The legacy builder (API default) builds FROM a local image without pulling.
    stream = await docker.buildImage(context as unknown as NodeJS.ReadableStream, {
      t: tags.image,
      buildargs: { BASE: tags.base },
      labels: { app: 'testgate-sandbox' },
      rm: true,
      forcerm: true,
    });
  } catch (error) {
    throw new SandboxError('IMAGE_BUILD_FAILED', `docker build of ${tags.image} could not start`, {
      cause: toSandboxError(error, 'build'),
    });
  }
  await followBuild(docker, stream, 'image', progress);
}

async function buildBaseFromDockerfile(
  docker: Docker,
  sandboxDir: string,
  tag: string,
  progress: (event: ImageProgress) => void,
): Promise<void> {
  const context = await packTar([
    { name: 'Dockerfile', content: await readFile(path.join(sandboxDir, 'Dockerfile')) },
    { name: 'packages.txt', content: await readFile(path.join(sandboxDir, 'packages.txt')) },
  ]);
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.buildImage(context as unknown as NodeJS.ReadableStream, {
      t: tag,
      rm: true,
      forcerm: true,
    });
  } catch (error) {
    throw new SandboxError('IMAGE_BUILD_FAILED', `docker build of ${tag} could not start`, {
      cause: toSandboxError(error, 'build'),
    });
  }
  await followBuild(docker, stream, 'base', progress);
}

const LOCK_DIR = path.join(tmpdir(), 'testgate-sandbox-image.lock');
const LOCK_WAIT_MS = 30 * 60_000;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One image build at a time per host: test files and workers start in parallel. */
async function withBuildLock(
  fn: () => Promise<void>,
  onWait: (owner: number) => void,
): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let told = false;
  for (;;) {
    try {
      await mkdir(LOCK_DIR);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(await readFile(path.join(LOCK_DIR, 'pid'), 'utf8').catch(() => 'NaN'));
      const lockAge =
        Date.now() - ((await stat(LOCK_DIR).catch(() => undefined))?.mtimeMs ?? Date.now());
      // A dead owner, or a lock dir without a pid file for a while, is stale.
      if (
        (Number.isInteger(owner) && !processAlive(owner)) ||
        (!Number.isInteger(owner) && lockAge > 10_000)
      ) {
        await rm(LOCK_DIR, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new SandboxError(
          'IMAGE_BUILD_FAILED',
          `timed out waiting for another image build (lock ${LOCK_DIR}, pid ${String(owner)})`,
        );
      }
      if (!told) {
        told = true;
        onWait(owner);
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
  try {
    await writeFile(path.join(LOCK_DIR, 'pid'), String(process.pid));
    await fn();
  } finally {
    if (existsSync(LOCK_DIR)) await rm(LOCK_DIR, { recursive: true, force: true });
  }
}

interface PruneSandboxImagesOptions {
  /** @defaultValue `new Docker()` */
  docker?: Docker;
  /** Tags to keep. @defaultValue the current content-hash tag of this checkout */
  keep?: readonly string[];
}

/**
 * Removes thin `testgate-sandbox:<hash>` images other than `keep` (every harness edit
 * makes one). Bases are kept: they take minutes to rebuild. Images a container still uses
 * are left alone (the engine refuses without force, and we never force).
 */
export async function pruneSandboxImages(
  options: PruneSandboxImagesOptions = {},
): Promise<{ removed: string[] }> {
  const docker = options.docker ?? new Docker();
  const keep = new Set(options.keep ?? [(await sandboxImageTags()).image]);
  let images: Docker.ImageInfo[];
  try {
    images = await docker.listImages({ filters: { reference: [`${IMAGE_REPOSITORY}:*`] } });
  } catch (error) {
    throw toSandboxError(error, 'listImages (prune)');
  }
  const hashTag = new RegExp(`^${IMAGE_REPOSITORY}:[0-9a-f]{16}$`);
  const removed: string[] = [];
  for (const info of images) {
    for (const tag of info.RepoTags ?? []) {
      if (!hashTag.test(tag) || keep.has(tag)) continue;
      try {
        await docker.getImage(tag).remove({ noprune: false });
        removed.push(tag);
      } catch {
        // In use, or already gone: a later prune gets it.
      }
    }
  }
  // Thin images whose tag moved away (e.g. the alias) are left dangling; they carry our label.
  try {
    const dangling = await docker.listImages({
      filters: { dangling: ['true'], label: ['app=testgate-sandbox'] },
    });
    for (const info of dangling) {
      try {
        await docker.getImage(info.Id).remove();
        removed.push(info.Id);
      } catch {
        // in use
      }
    }
  } catch (error) {
    throw toSandboxError(error, 'listImages (prune dangling)');
  }
  return { removed };
}
