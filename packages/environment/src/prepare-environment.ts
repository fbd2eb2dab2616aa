/**
 * prepareEnvironment: from the head tree to a read-only volume of installed dependencies.
 *
 *   discover (static) -> cache lookup -> pip download, wheels only (trusted side)
 *   -> [allowSdist: fetch sdist, build it in a sandbox container, resolve again]
 *   -> setup container (no network) installs into a new volume -> cache entry -> evict
 *
 * No project or dependency code runs outside a sandbox container, and the index's
 * credentials never reach one: containers get wheel files, not URLs.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import { PassThrough, Readable } from 'node:stream';
import tar from 'tar-stream';
import { parse as parseToml } from 'smol-toml';
import type { EnvironmentSummary, GateConfig } from '@testgate/core';
import { listTree, packTar, sandboxResultError } from '@testgate/sandbox';
import type {
  EnvironmentVolumes,
  HarnessEnvironment,
  SandboxRunner,
  TreeInput,
} from '@testgate/sandbox';
import {
  discoverRequirements,
  GATE_TOOLS,
  requirementName,
  requirementSpecifier,
} from './discover.ts';
import type { RequirementSet } from './discover.ts';
import { readSetupPy } from './setup-py.ts';
import { EnvironmentCache, DEFAULT_CACHE_MB, defaultCacheDir } from './environment-cache.ts';
import { EnvironmentProblem } from './environment-problem.ts';
import { resolveWheels } from './pip-resolve.ts';
import type { IndexSettings, ResolvedWheel } from './pip-resolve.ts';
import { redactorFor } from './redact.ts';
import type { Redactor } from './redact.ts';
import { downloadIndexFile } from './simple-index.ts';
import type { IndexFile } from './simple-index.ts';
import { SANDBOX_PYTHON } from './sandbox-python.ts';
import { satisfies } from './versions.ts';

/** The command of the setup container (docker/sandbox/harness/tg_setup.py). */
const SETUP_COMMAND: readonly string[] = Object.freeze([
  'python3',
  '-I',
  '/opt/testgate/harness/tg_setup.py',
]);
/** Where the installed packages are inside the volume (PROTOCOL.md). */
const ENVIRONMENT_SITE = '/env/site';
const MiB = 2 ** 20;
/** Rounds of "build the sdist pip could not use, resolve again" with allowSdist. */
const MAX_SDIST_ROUNDS = 8;
/** Bumped when what a cached volume holds changes shape, so old volumes are not reused. */
const CACHE_FORMAT = 1;

/** Operator settings (environment variables), not the repository's. */
export interface EnvironmentSettings {
  /** Resolve + download, and again install, each within this. TESTGATE_ENV_TIMEOUT_SECONDS, default 600. */
  timeoutMs: number;
  /** Largest wheelhouse and installed environment. TESTGATE_ENV_MAX_MB, default 1024. */
  maxBytes: number;
  /** All cached environments together. TESTGATE_ENV_CACHE_MB, default 10240. */
  cacheMaxBytes: number;
  /** Cache entries. TESTGATE_CACHE_DIR, default ~/.cache/testgate. */
  cacheDir: string;
  /** The interpreter that runs pip on the trusted side. TESTGATE_PYTHON, default python3. */
  python: string;
  /** That pip's whole environment (default: this process's); the tests isolate it from the machine's pip.conf. */
  pipEnv?: NodeJS.ProcessEnv;
}

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(n) && n > 0 ? n : fallback;
}

export function environmentSettingsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): EnvironmentSettings {
  return {
    timeoutMs: positive(env.TESTGATE_ENV_TIMEOUT_SECONDS, 600) * 1000,
    maxBytes: positive(env.TESTGATE_ENV_MAX_MB, 1024) * MiB,
    cacheMaxBytes: positive(env.TESTGATE_ENV_CACHE_MB, DEFAULT_CACHE_MB) * MiB,
    cacheDir: defaultCacheDir(env),
    python: env.TESTGATE_PYTHON ?? 'python3',
  };
}

interface PrepareEnvironmentOptions {
  runner: SandboxRunner;
  volumes: EnvironmentVolumes;
  /** Sandbox image tag: part of the cache key, and the image of the setup containers. */
  image: string;
  head: TreeInput;
  config: GateConfig['environment'];
  index: IndexSettings;
  settings: EnvironmentSettings;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  jobId?: string;
  labels?: Record<string, string>;
  now?: () => number;
}

export interface PreparedEnvironment {
  /** What harness runs mount; absent when nothing was installed. */
  harness?: HarnessEnvironment;
  summary: EnvironmentSummary;
}

/** In-process builds by key: two jobs of one worker needing the same environment build it once. */
const building = new Map<string, Promise<PreparedEnvironment>>();

function summary(
  partial: Partial<EnvironmentSummary> & Pick<EnvironmentSummary, 'status'>,
): EnvironmentSummary {
  return {
    packages: [],
    cacheHit: false,
    setupMs: 0,
    sources: [],
    notes: [],
    built: [],
    ...partial,
  };
}

/** Discovery reads a handful of small files: listed here, each read when asked. */
async function treeReader(
  head: TreeInput,
): Promise<{ read(p: string): string | undefined; paths(): string[] }> {
  const files = new Map((await listTree(head)).entries.map((file) => [file.path, file]));
  const paths = [...files.keys()].sort();
  return {
    read: (p) => files.get(p)?.read().toString('utf8'),
    paths: () => paths,
  };
}

/** The cache key: everything that decides what the volume holds, credentials left out. */
function environmentKey(options: {
  image: string;
  requirements: RequirementSet;
  index: IndexSettings;
  redact: Redactor;
  allowSdist: boolean;
  day: string;
}): string {
  const { requirements } = options;
  const material = {
    format: CACHE_FORMAT,
    image: options.image,
    python: SANDBOX_PYTHON.version,
    platforms: SANDBOX_PYTHON.platforms(),
    requirements: [...requirements.requirements].sort(),
    pins: requirements.pins
      .map((pin) => `${pin.name}==${pin.version}:${[...pin.hashes].sort().join(',')}`)
      .sort(),
    index: [options.index.indexUrl ?? '', ...options.index.extraIndexUrls].map(options.redact),
    allowSdist: options.allowSdist,
    // Unpinned requirements are resolved again once a day, so new releases are picked up.
    ...(requirements.pinned ? {} : { day: options.day }),
  };
  return createHash('sha256').update(JSON.stringify(material)).digest('hex').slice(0, 32);
}

/**
 * Sets up the project's dependencies for the gate.
 * @throws {EnvironmentProblem} when they cannot be set up (the caller's verdict is neutral).
 */
export async function prepareEnvironment(
  options: PrepareEnvironmentOptions,
): Promise<PreparedEnvironment> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const elapsed = (): number => Math.round(now() - started);
  if (options.config.install === 'off') return { summary: summary({ status: 'off' }) };
  const redact = redactorFor([options.index.indexUrl, ...options.index.extraIndexUrls]);
  const tree = await treeReader(options.head);
  const setupPy = await readSetupPy(tree.read('setup.py'), options.settings.python);
  const requirements = discoverRequirements(tree, options.config, {
    ...(setupPy === undefined ? {} : { setupPy }),
  });
  const base = { sources: requirements.sources, notes: requirements.notes.map(redact) };
  if (
    requirements.requiresPython &&
    !satisfies(SANDBOX_PYTHON.version, requirements.requiresPython.specifier)
  ) {
    throw new EnvironmentProblem(
      'requires-python',
      `${requirements.requiresPython.source} says requires-python "${requirements.requiresPython.specifier}", and the sandbox runs Python ${SANDBOX_PYTHON.version} (Debian bookworm): allow Python ${SANDBOX_PYTHON.pythonVersion} there, or build the sandbox image from a base with a newer Python (docs/dependencies.md)`,
    );
  }
  if (requirements.requirements.length === 0) {
    return {
      summary: summary({
        status: 'none',
        ...base,
        notes: [...base.notes, ...gateToolNotes(requirements.gateTools)],
        setupMs: elapsed(),
      }),
    };
  }
  const cache = new EnvironmentCache(options.volumes, options.settings.cacheDir);
  const key = environmentKey({
    image: options.image,
    requirements,
    index: options.index,
    redact,
    allowSdist: options.config.allowSdist,
    day: new Date().toISOString().slice(0, 10),
  });
  const hit = await cache.use(key);
  if (hit) {
    options.onProgress?.(`cache hit (${hit.packages.length} packages)`);
    return ready(hit, { cacheHit: true, setupMs: elapsed(), ...base });
  }
  const inFlight = building.get(key);
  if (inFlight) {
    const shared = await inFlight;
    return { ...shared, summary: { ...shared.summary, cacheHit: true, setupMs: elapsed() } };
  }
  const build = buildEnvironment({ ...options, requirements, key, cache, redact }).then(
    ({ entry, reused }) => ready(entry, { cacheHit: reused, setupMs: elapsed(), ...base }),
  );
  building.set(key, build);
  try {
    return await build;
  } finally {
    building.delete(key);
  }
}

/** The key of a set of wheels installed into an image: what a volume holds, whatever asked for it. */
function resolvedSetKey(image: string, wheels: readonly ResolvedWheel[]): string {
  const material = {
    format: CACHE_FORMAT,
    image,
    wheels: wheels.map((wheel) => `${wheel.name}==${wheel.version}:${wheel.sha256}`).sort(),
  };
  return `set-${createHash('sha256').update(JSON.stringify(material)).digest('hex').slice(0, 32)}`;
}

function ready(
  entry: {
    volume: string;
    packages: { name: string; version: string }[];
    notes: string[];
    built: string[];
  },
  extra: { cacheHit: boolean; setupMs: number; sources: string[]; notes: string[] },
): PreparedEnvironment {
  return {
    harness: { volume: entry.volume, paths: [ENVIRONMENT_SITE] },
    summary: summary({
      status: 'installed',
      packages: entry.packages,
      built: entry.built,
      cacheHit: extra.cacheHit,
      setupMs: extra.setupMs,
      sources: extra.sources,
      notes: [...new Set([...extra.notes, ...entry.notes])],
    }),
  };
}

/** A note for each requirement on a gate tool whose range the image's version is outside. */
function gateToolNotes(gateTools: readonly string[]): string[] {
  return gateTools.flatMap((requirement) => {
    const name = requirementName(requirement);
    const have = name === undefined ? undefined : SANDBOX_PYTHON.tools[name];
    const range = requirementSpecifier(requirement);
    if (have === undefined || range === '' || satisfies(have, range)) return [];
    return [
      `${requirement}: the sandbox runs its own ${name} ${have} (the gate's pytest, pytest-cov, coverage and hypothesis are never replaced)`,
    ];
  });
}

async function buildEnvironment(
  options: PrepareEnvironmentOptions & {
    requirements: RequirementSet;
    key: string;
    cache: EnvironmentCache;
    redact: Redactor;
  },
) {
  const { requirements, settings, redact } = options;
  const work = await mkdtemp(path.join(tmpdir(), 'testgate-env-'));
  const volume = `testgate-env-${options.key.slice(0, 16)}-${randomBytes(3).toString('hex')}`;
  await options.volumes.create(volume, options.key);
  // The setup container starts now and waits for its wheels on stdin, so its start-up
  // overlaps pip's resolve on this side.
  let setup: PendingSetup | undefined = startSetup(options, volume);
  try {
    const builtDir = path.join(work, 'built');
    const built: string[] = [];
    let wheels: ResolvedWheel[] = [];
    for (let round = 0; ; round++) {
      options.onProgress?.(
        `resolving ${requirements.requirements.length} requirement${requirements.requirements.length === 1 ? '' : 's'} (wheels only)`,
      );
      const outcome = await resolveWheels(
        {
          requirements: requirements.requirements,
          pins: requirements.pins,
          dest: path.join(work, `wheels-${round}`),
          ...(built.length > 0 ? { findLinks: [builtDir] } : {}),
          ...pipSettings(options, redact),
        },
        { allowSdist: options.config.allowSdist },
      );
      if (outcome.status === 'resolved') {
        wheels = outcome.wheels;
        break;
      }
      if (round >= MAX_SDIST_ROUNDS) {
        throw new EnvironmentProblem(
          'sdist-build-failed',
          `more than ${MAX_SDIST_ROUNDS} packages need building from sdists`,
          { packageName: outcome.name },
        );
      }
      // Builds can take long: the waiting setup container goes, a fresh one comes after.
      await setup?.cancel();
      setup = undefined;
      options.onProgress?.(`building ${outcome.sdist.filename} in the sandbox (allowSdist)`);
      await buildSdist({
        ...options,
        work,
        builtDir,
        sdist: outcome.sdist,
        indexUrl: outcome.indexUrl,
        name: outcome.name,
      });
      built.push(outcome.sdist.filename);
    }
    const gateTools = new Set<string>(GATE_TOOLS);
    const skipped = wheels.filter((wheel) => gateTools.has(wheel.name));
    // A dependency that requires the project itself (a plugin of it, a test helper) gets
    // the pull request's code, never a released copy.
    const itself = wheels.filter((wheel) => wheel.name === requirements.project);
    const install = wheels.filter(
      (wheel) => !gateTools.has(wheel.name) && wheel.name !== requirements.project,
    );
    const notes = [
      ...gateToolNotes(requirements.gateTools),
      ...itself.map(
        (wheel) =>
          `${wheel.name} ${wheel.version} is the project itself, required by a dependency: not installed, the pull request's code is used`,
      ),
      ...skipped.map(
        (wheel) =>
          `${wheel.name} ${wheel.version} is required by a dependency; the sandbox runs its own ${wheel.name}`,
      ),
    ];
    // Other inputs (another PR's requirement files, yesterday's resolve) may have given
    // exactly these wheels already: that volume serves, nothing is installed.
    const resolvedKey = resolvedSetKey(options.image, install);
    const same = await options.cache.use(resolvedKey);
    if (same) {
      await setup?.cancel();
      await options.volumes.remove(volume).catch(() => undefined);
      options.onProgress?.(
        `the same ${install.length} wheels are installed in a cached environment`,
      );
      const entry = await options.cache.save({
        ...same,
        key: options.key,
        notes: notes.map(redact),
      });
      return { entry, reused: true };
    }
    options.onProgress?.(`installing ${install.length} wheels offline in the sandbox`);
    setup ??= startSetup(options, volume);
    const result = await setup.install(install);
    const saved = {
      volume,
      packages: result.installed,
      notes: notes.map(redact),
      built,
      sizeBytes: result.sizeBytes,
    };
    await options.cache.save({ ...saved, key: resolvedKey });
    const entry = await options.cache.save({ ...saved, key: options.key });
    await options.cache.evict({ maxBytes: settings.cacheMaxBytes, keep: volume }).catch(() => []);
    return { entry, reused: false };
  } catch (error) {
    await setup?.cancel();
    await options.volumes.remove(volume).catch(() => undefined);
    throw error;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** What every pip run of one setup shares: the index, interpreter, limits, redaction, cancel. */
function pipSettings(options: PrepareEnvironmentOptions, redact: Redactor) {
  const { settings } = options;
  return {
    index: options.index,
    python: settings.python,
    timeoutMs: settings.timeoutMs,
    maxBytes: settings.maxBytes,
    redact,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(settings.pipEnv === undefined ? {} : { env: settings.pipEnv }),
  };
}

interface SetupResult {
  installed: { name: string; version: string }[];
  sizeBytes: number;
}

/** A setup container that is running and waits for its wheelhouse. */
interface PendingSetup {
  /** Sends the wheels and waits for the install. */
  install(wheels: readonly ResolvedWheel[]): Promise<SetupResult>;
  /** Stops the container (it is removed); resolves once it is gone. */
  cancel(): Promise<void>;
}

function setupLimits(settings: EnvironmentSettings, inputBytes?: number) {
  // The wheelhouse is extracted into /work (tmpfs, counted as the container's memory);
  // installed files go to the volume. Unknown input: room for the largest allowed.
  const input = inputBytes ?? settings.maxBytes;
  return {
    deadlineMs: settings.timeoutMs,
    memoryBytes: 1024 * MiB + Math.ceil(input * 1.2),
    workTmpfsBytes: Math.max(128 * MiB, Math.ceil(input * 1.2) + 64 * MiB),
    fsizeBytes: settings.maxBytes,
  };
}

async function runSetupContainer(
  options: PrepareEnvironmentOptions,
  input: Buffer | NodeJS.ReadableStream,
  nonce: string,
  volume: string | undefined,
  signal: AbortSignal | undefined = options.signal,
): Promise<Record<string, unknown>> {
  const result = await options.runner.run({
    image: options.image,
    cmd: SETUP_COMMAND,
    stdin: input,
    labels: { ...options.labels, 'testgate.mode': volume ? 'setup' : 'build-sdist' },
    limits: setupLimits(options.settings, Buffer.isBuffer(input) ? input.length : undefined),
    ...(options.jobId === undefined ? {} : { jobId: options.jobId }),
    ...(signal === undefined ? {} : { signal }),
    ...(volume === undefined ? {} : { environment: { volume, readOnly: false } }),
  });
  if (result.timedOut) {
    throw new EnvironmentProblem(
      'time-limit',
      `installing the dependencies in the sandbox passed its limit of ${Math.round(options.settings.timeoutMs / 1000)} s (TESTGATE_ENV_TIMEOUT_SECONDS)`,
    );
  }
  const failure = sandboxResultError(result, 'environment setup');
  if (failure) {
    if (
      failure.code === 'SANDBOX_EXIT' ||
      failure.code === 'SANDBOX_OOM' ||
      failure.code === 'SANDBOX_OUTPUT_LIMIT'
    ) {
      throw new EnvironmentProblem(
        'install-failed',
        `the setup container failed: ${failure.message}`,
        { cause: failure },
      );
    }
    throw failure;
  }
  const prefix = `TESTGATE-SETUP ${nonce} `;
  const line = result.stdout.split('\n').find((l) => l.startsWith(prefix));
  if (!line) throw new EnvironmentProblem('install-failed', 'the setup container wrote no result');
  return JSON.parse(line.slice(prefix.length)) as Record<string, unknown>;
}

function startSetup(options: PrepareEnvironmentOptions, volume: string): PendingSetup {
  const nonce = randomBytes(16).toString('hex');
  const stdin = new PassThrough();
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const running = runSetupContainer(options, stdin, nonce, volume, signal);
  // Until install() awaits it, a failure is only remembered.
  running.catch(() => undefined);
  return {
    async install(wheels) {
      const requirementsTxt = wheels
        .map((wheel) => `${wheel.name}==${wheel.version} --hash=sha256:${wheel.sha256}`)
        .join('\n');
      const input = await packTar([
        {
          name: 'setup.json',
          content: Buffer.from(
            JSON.stringify({
              mode: 'install',
              nonce,
              timeoutSeconds: Math.round(options.settings.timeoutMs / 1000),
            }),
          ),
        },
        { name: 'requirements.txt', content: Buffer.from(`${requirementsTxt}\n`) },
        { name: 'wheels', content: Buffer.alloc(0), directory: true },
        ...(await Promise.all(
          wheels.map(async (wheel) => ({
            name: `wheels/${wheel.filename}`,
            content: await readFile(wheel.path),
          })),
        )),
      ]);
      stdin.end(input);
      return setupResult(await running, options.settings);
    },
    async cancel() {
      stop.abort(new Error('setup cancelled'));
      stdin.end();
      await running.catch(() => undefined);
    },
  };
}

function setupResult(report: Record<string, unknown>, settings: EnvironmentSettings): SetupResult {
  if (report.ok !== true) {
    const tail = typeof report.pipTail === 'string' ? report.pipTail : '';
    const errors = tail
      .split('\n')
      .filter((l) => /^ERROR:/.test(l))
      .slice(-3)
      .join('\n');
    throw new EnvironmentProblem(
      'install-failed',
      `pip could not install the wheels in the sandbox: ${errors || tail.slice(-600)}`,
    );
  }
  const sizeBytes = Number(report.sizeBytes ?? 0);
  if (sizeBytes > settings.maxBytes) {
    throw new EnvironmentProblem(
      'size-limit',
      `the installed dependencies take ${Math.round(sizeBytes / MiB)} MiB, more than ${Math.round(settings.maxBytes / MiB)} MiB (TESTGATE_ENV_MAX_MB)`,
    );
  }
  return {
    installed: Array.isArray(report.installed)
      ? (report.installed as SetupResult['installed'])
      : [],
    sizeBytes,
  };
}

/** The build backend an sdist names in its pyproject.toml (setuptools when it names none). */
async function buildRequirements(sdist: Buffer, filename: string): Promise<string[]> {
  const fallback = ['setuptools>=40.8.0', 'wheel'];
  if (!filename.endsWith('.tar.gz') && !filename.endsWith('.tgz')) return fallback;
  const extract = tar.extract();
  let found: string | undefined;
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const depth = header.name.split('/').filter(Boolean).length;
      if (found === undefined && depth === 2 && header.name.endsWith('/pyproject.toml')) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
        stream.on('end', () => {
          found = Buffer.concat(chunks).toString('utf8');
          next();
        });
      } else {
        stream.on('end', () => next());
        stream.resume();
      }
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  Readable.from(sdist).pipe(createGunzip()).pipe(extract);
  await done.catch(() => undefined);
  if (found === undefined) return fallback;
  try {
    const requires = (parseToml(found) as { 'build-system'?: { requires?: unknown } })[
      'build-system'
    ]?.requires;
    return Array.isArray(requires) && requires.every((r) => typeof r === 'string')
      ? (requires as string[])
      : fallback;
  } catch {
    return fallback;
  }
}

/** Fetches an sdist as a file, builds it into a wheel in a sandbox container, and puts the wheel in builtDir. */
async function buildSdist(
  options: PrepareEnvironmentOptions & {
    work: string;
    builtDir: string;
    sdist: IndexFile;
    indexUrl: string;
    name: string;
    redact: Redactor;
  },
): Promise<void> {
  const { settings, redact } = options;
  let sdist: Buffer;
  try {
    sdist = await downloadIndexFile(options.indexUrl, options.sdist.url, {
      maxBytes: settings.maxBytes,
      timeoutMs: settings.timeoutMs,
    });
  } catch (error) {
    throw new EnvironmentProblem(
      'index-unreachable',
      `could not download ${options.sdist.filename}: ${redact(String((error as Error).message ?? error))}`,
      {
        packageName: options.name,
      },
    );
  }
  if (options.sdist.sha256) {
    const actual = createHash('sha256').update(sdist).digest('hex');
    if (actual !== options.sdist.sha256) {
      throw new EnvironmentProblem(
        'hash-mismatch',
        `${options.sdist.filename} does not match the sha256 the index lists for it`,
        {
          packageName: options.name,
        },
      );
    }
  }
  const backendDir = path.join(options.work, `backend-${options.sdist.filename}`);
  const backend = await resolveWheels(
    {
      requirements: await buildRequirements(sdist, options.sdist.filename),
      pins: [],
      dest: backendDir,
      ...pipSettings(options, redact),
    },
    { allowSdist: false },
  );
  if (backend.status !== 'resolved') {
    throw new EnvironmentProblem(
      'sdist-build-failed',
      `the build backend of ${options.sdist.filename} is itself published only as an sdist`,
      {
        packageName: options.name,
      },
    );
  }
  const nonce = randomBytes(16).toString('hex');
  const input = await packTar([
    {
      name: 'setup.json',
      content: Buffer.from(
        JSON.stringify({
          mode: 'build',
          nonce,
          sdists: [options.sdist.filename],
          timeoutSeconds: Math.round(settings.timeoutMs / 1000),
        }),
      ),
    },
    { name: 'wheels', content: Buffer.alloc(0), directory: true },
    ...(await Promise.all(
      backend.wheels.map(async (wheel) => ({
        name: `wheels/${wheel.filename}`,
        content: await readFile(wheel.path),
      })),
    )),
    { name: `sdists/${options.sdist.filename}`, content: sdist },
  ]);
  const report = await runSetupContainer(options, input, nonce, undefined);
  const builtWheels = Array.isArray(report.built)
    ? (report.built as { file: string; data: string }[])
    : [];
  if (report.ok !== true || builtWheels.length === 0) {
    const failed = Array.isArray(report.failed) ? (report.failed as { pipTail?: string }[]) : [];
    const tail = failed[0]?.pipTail ?? '';
    const lines = tail
      .split('\n')
      .filter((l) => l.trim())
      .slice(-6)
      .join('\n');
    throw new EnvironmentProblem(
      'sdist-build-failed',
      `${options.sdist.filename} did not build into a wheel in the sandbox:\n${redact(lines)}`,
      {
        packageName: options.name,
      },
    );
  }
  await mkdir(options.builtDir, { recursive: true });
  for (const wheel of builtWheels) {
    await writeFile(
      path.join(options.builtDir, path.basename(wheel.file)),
      Buffer.from(wheel.data, 'base64'),
    );
  }
}
