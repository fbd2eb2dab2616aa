/**
 * Resolve and download on the trusted side, wheels only: pip's own resolver, with
 * `--only-binary=:all:` and the sandbox's interpreter and platform tags, so no package code
 * runs here (a wheel's metadata is a file; an sdist's would need its build backend run).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { normalizeName, requirementName, requirementSpecifier } from './discover.ts';
import type { Pin } from './discover.ts';
import { EnvironmentProblem } from './environment-problem.ts';
import { fetchProjectPage } from './simple-index.ts';
import type { IndexFile } from './simple-index.ts';
import { SANDBOX_PYTHON } from './sandbox-python.ts';
import { compareVersions, satisfies } from './versions.ts';
import type { Redactor } from './redact.ts';

/** Where pip downloads from: the operator's settings, never the repository's. */
export interface IndexSettings {
  /** `--index-url` (CLI) or PIP_INDEX_URL; unset: pip's own configuration or PyPI. */
  indexUrl?: string;
  /** PIP_EXTRA_INDEX_URL, space-separated in the environment. */
  extraIndexUrls: string[];
}

export function indexSettingsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  indexUrl?: string,
): IndexSettings {
  const chosen = indexUrl ?? env.PIP_INDEX_URL;
  return {
    ...(chosen ? { indexUrl: chosen } : {}),
    extraIndexUrls: (env.PIP_EXTRA_INDEX_URL ?? '').split(/\s+/).filter(Boolean),
  };
}

export interface ResolvedWheel {
  name: string;
  version: string;
  filename: string;
  path: string;
  sha256: string;
  sizeBytes: number;
}

interface ResolveRequest {
  requirements: readonly string[];
  pins: readonly Pin[];
  index: IndexSettings;
  /** Directory the wheels land in (created). */
  dest: string;
  /** Directories of wheels built from sdists, offered to pip beside the index. */
  findLinks?: readonly string[];
  /** Runs pip: `python3 -m pip` unless TESTGATE_PYTHON names another interpreter. */
  python?: string;
  timeoutMs: number;
  maxBytes: number;
  redact: Redactor;
  signal?: AbortSignal;
  /** pip's whole environment (default: this process's); the tests isolate pip from the machine's pip.conf. */
  env?: NodeJS.ProcessEnv;
}

const PIP_TAIL = 6_000;

function formatMiB(bytes: number): string {
  const mib = bytes / 2 ** 20;
  return `${mib >= 10 ? Math.round(mib) : mib.toFixed(mib >= 0.1 ? 1 : 3)} MiB`;
}

/** `name-1.0-py3-none-any.whl` -> name and version (PEP 427; the name is escaped with `_`). */
function parseWheelFilename(filename: string): { name: string; version: string } | undefined {
  if (!filename.endsWith('.whl')) return undefined;
  const parts = filename.slice(0, -4).split('-');
  if (parts.length < 5) return undefined;
  return { name: normalizeName(parts[0]!), version: parts[1]! };
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    total += (await stat(path.join(dir, name)).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

/** The pip arguments for a wheels-only download for the sandbox's interpreter. */
function pipDownloadArgs(
  request: Pick<ResolveRequest, 'index' | 'dest' | 'findLinks'>,
  files: { requirements: string; constraints?: string },
): string[] {
  const args = [
    '-m',
    'pip',
    'download',
    '--dest',
    request.dest,
    '--only-binary=:all:',
    '--python-version',
    SANDBOX_PYTHON.pythonVersion,
    '--implementation',
    SANDBOX_PYTHON.implementation,
    ...SANDBOX_PYTHON.abis.flatMap((abi) => ['--abi', abi]),
    ...SANDBOX_PYTHON.platforms().flatMap((platform) => ['--platform', platform]),
    '--progress-bar',
    'off',
    '--no-input',
    '--disable-pip-version-check',
    '-r',
    files.requirements,
  ];
  if (files.constraints) args.push('-c', files.constraints);
  if (request.index.indexUrl) args.push('--index-url', request.index.indexUrl);
  for (const extra of request.index.extraIndexUrls) args.push('--extra-index-url', extra);
  for (const dir of request.findLinks ?? []) args.push('--find-links', dir);
  // A wheel built from an sdist in the sandbox is tagged for plain linux: it was built there.
  if ((request.findLinks ?? []).length > 0)
    args.push('--platform', `linux_${SANDBOX_PYTHON.arch()}`);
  return args;
}

interface PipRun {
  code: number | null;
  output: string;
  timedOut: boolean;
  tooLarge: boolean;
}

function runPip(request: ResolveRequest, args: string[]): Promise<PipRun> {
  const python = request.python ?? process.env.TESTGATE_PYTHON ?? 'python3';
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      // The caller's environment replaces ours when given (the tests isolate pip from pip.conf).
      env: { ...(request.env ?? process.env), PIP_NO_INPUT: '1' },
    });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-PIP_TAIL * 4);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    let tooLarge = false;
    const kill = (): void => {
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, request.timeoutMs);
    // Watch the download's size: pip has no size cap of its own.
    const sizer = setInterval(() => {
      void dirBytes(request.dest).then((bytes) => {
        if (bytes > request.maxBytes) {
          tooLarge = true;
          kill();
        }
      });
    }, 1_000);
    const onAbort = (): void => kill();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) => {
      clearTimeout(timer);
      clearInterval(sizer);
      reject(
        new Error(
          `could not start ${python} to run pip (${error.message}): install Python 3 with pip on the machine that runs Testgate, or set TESTGATE_PYTHON`,
        ),
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      clearInterval(sizer);
      request.signal?.removeEventListener('abort', onAbort);
      resolve({ code, output, timedOut, tooLarge });
    });
  });
}

/** pip's reason, trimmed to the lines that say it. */
function pipReason(output: string): string {
  const lines = output.split('\n').map((line) => line.trimEnd());
  const conflict = lines.findIndex((line) => /The conflict is caused by:/.test(line));
  if (conflict >= 0) {
    const block = [
      lines
        .slice(0, conflict)
        .reverse()
        .find((l) => /^ERROR: Cannot install/.test(l)) ?? '',
      ...lines.slice(conflict, conflict + 8),
    ];
    const end = block.findIndex((line, i) => i > 1 && line.trim() === '');
    return (end > 0 ? block.slice(0, end) : block).filter(Boolean).join('\n');
  }
  const errors = lines.filter((line) => /^ERROR:/.test(line));
  return (errors.length > 0 ? errors.slice(-3) : lines.filter(Boolean).slice(-5)).join('\n');
}

/**
 * The indexes pip used: the explicit ones, else what pip's own configuration says
 * (`pip config list`: a pip.conf or PIP_* variables), else PyPI.
 */
async function effectiveIndexes(
  request: Pick<ResolveRequest, 'index' | 'python' | 'env'>,
): Promise<string[]> {
  if (request.index.indexUrl) return [request.index.indexUrl, ...request.index.extraIndexUrls];
  const python = request.python ?? process.env.TESTGATE_PYTHON ?? 'python3';
  const configured = await new Promise<string>((resolve) => {
    const child = spawn(python, ['-m', 'pip', 'config', 'list'], {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...(request.env ?? process.env), PIP_NO_INPUT: '1' },
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', () => resolve(''));
    child.on('close', () => resolve(out));
  });
  // Lines such as  global.extra-index-url='file:///a/simple https://b/simple'
  const values = (key: string): string[] =>
    configured
      .split('\n')
      .map((line) => new RegExp(`^\\S*\\.${key}='([^']*)'$`).exec(line.trim())?.[1])
      .filter((value): value is string => value !== undefined)
      .flatMap((value) => value.split(/\s+/).filter(Boolean));
  const index = values('index-url')[0] ?? 'https://pypi.org/simple';
  return [...new Set([index, ...values('extra-index-url'), ...request.index.extraIndexUrls])];
}

/**
 * A "conflict" that is only a lock pinning a version the index does not serve (an index
 * that keeps the latest releases, or a yanked one): said as such, not as a conflict.
 */
async function lockedVersionMissing(
  output: string,
  request: ResolveRequest,
): Promise<EnvironmentProblem | undefined> {
  for (const match of output.matchAll(
    /The user requested \(constraint\) ([A-Za-z0-9._-]+)==(\S+)/g,
  )) {
    const name = normalizeName(match[1]!);
    const pin = request.pins.find((p) => p.name === name && p.version === match[2]);
    if (!pin) continue;
    const versions = new Set<string>();
    for (const indexUrl of await effectiveIndexes(request)) {
      const page = await fetchProjectPage(indexUrl, name);
      if (page.status !== 'ok') continue;
      for (const file of page.files)
        if (file.kind === 'wheel' && file.version) versions.add(file.version);
    }
    if (versions.has(pin.version)) continue;
    const there =
      versions.size > 0
        ? `it has ${[...versions].sort(compareVersions).slice(-5).join(', ')}`
        : 'it has no wheel of it at all';
    return new EnvironmentProblem(
      'not-found',
      `${pin.source ?? 'the lock file'} pins ${name}==${pin.version}, and the package index has no wheel of that version (${there}): update the lock, or point PIP_INDEX_URL / --index-url at an index that keeps it`,
      { packageName: name },
    );
  }
  return undefined;
}

/** Asks the index itself why `name` has no usable wheel. */
async function explainNoMatch(
  name: string,
  request: ResolveRequest,
  pipText: string,
  allowSdist: boolean,
): Promise<EnvironmentProblem | { sdist: IndexFile; indexUrl: string }> {
  const indexes = await effectiveIndexes(request);
  // pip found releases for the sandbox, none matching the requirement's version range.
  const unmatched =
    /Could not find a version that satisfies the requirement (\S+) \(from versions: ([^)]*)\)/.exec(
      pipText,
    );
  if (
    unmatched &&
    unmatched[2]!.trim() !== 'none' &&
    !/require a different python/i.test(pipText)
  ) {
    return new EnvironmentProblem(
      'not-found',
      `no release of ${name} on the package index matches ${unmatched[1]} (it has ${unmatched[2]!.trim().split(/,\s*/).slice(-5).join(', ')}): loosen the requirement, or point PIP_INDEX_URL / --index-url at an index that has it`,
      { packageName: name },
    );
  }
  const requiresPythonMessage = new RegExp(`require a different python version:.*`, 'i').exec(
    pipText,
  )?.[0];
  const pages: { indexUrl: string; page: Awaited<ReturnType<typeof fetchProjectPage>> }[] = [];
  for (const indexUrl of indexes) {
    pages.push({ indexUrl, page: await fetchProjectPage(indexUrl, name) });
  }
  const auth = pages.find((p) => p.page.status === 'auth');
  const withFiles = pages.filter((p) => p.page.status === 'ok' && p.page.files.length > 0);
  if (auth && withFiles.length === 0) {
    const status = auth.page.status === 'auth' ? auth.page.httpStatus : 401;
    return new EnvironmentProblem(
      'index-auth',
      `the package index answered ${status} for ${name} (${request.redact(auth.page.pageUrl)}): give the worker or the CLI credentials in PIP_INDEX_URL (https://user:token@host/simple) or the --index-url option`,
      { packageName: name },
    );
  }
  if (withFiles.length === 0) {
    const unreachable = pages.filter((p) => p.page.status === 'unreachable');
    const answered = pages.filter((p) => p.page.status !== 'unreachable');
    const list = (items: typeof pages): string =>
      items.map((p) => request.redact(p.indexUrl)).join(', ');
    if (answered.length === 0) {
      const first = unreachable[0]?.page;
      return new EnvironmentProblem(
        'index-unreachable',
        `the package index could not be reached for ${name} (${list(unreachable)}${first?.status === 'unreachable' ? `: ${request.redact(first.message)}` : ''}): check PIP_INDEX_URL or --index-url`,
        { packageName: name },
      );
    }
    return new EnvironmentProblem(
      'not-found',
      `${name} is not on the package index (${list(answered)}${unreachable.length > 0 ? `; not reached: ${list(unreachable)}` : ''}): check its name, or point PIP_INDEX_URL / --index-url at the index that has it`,
      { packageName: name },
    );
  }
  const files = withFiles.flatMap((p) =>
    p.page.status === 'ok' ? p.page.files.map((file) => ({ file, indexUrl: p.indexUrl })) : [],
  );
  const wheels = files.filter(({ file }) => file.kind === 'wheel');
  const fitsPython = (file: IndexFile): boolean =>
    file.requiresPython === undefined || satisfies(SANDBOX_PYTHON.version, file.requiresPython);
  if (
    requiresPythonMessage ||
    (wheels.length > 0 && wheels.every(({ file }) => !fitsPython(file)))
  ) {
    const needs = wheels.find(({ file }) => !fitsPython(file))?.file.requiresPython;
    return new EnvironmentProblem(
      'requires-python',
      `${name} has no release for Python ${SANDBOX_PYTHON.version}, the sandbox's Python${needs ? ` (it requires Python ${needs})` : ''}: require a version of ${name} that supports Python ${SANDBOX_PYTHON.pythonVersion}, or build the sandbox image from a base with a newer Python (docs/dependencies.md)`,
      { packageName: name },
    );
  }
  const sdists = files.filter(({ file }) => file.kind === 'sdist' && fitsPython(file));
  if (wheels.length === 0 && sdists.length > 0) {
    if (!allowSdist) {
      return new EnvironmentProblem(
        'sdist-only',
        `${name} is published only as an sdist (source), and Testgate installs wheels only, so that no package code runs outside the sandbox: set environment.allowSdist: true in .github/testgate.yml to build it in a sandbox container with no network`,
        { packageName: name },
      );
    }
    const wanted = request.requirements.find((req) => requirementName(req) === normalizeName(name));
    const specifier = wanted ? requirementSpecifier(wanted) : '';
    const pin = request.pins.find((p) => p.name === normalizeName(name));
    const candidates = sdists
      .filter(
        ({ file }) =>
          file.version !== undefined &&
          (pin ? file.version === pin.version : satisfies(file.version, specifier)),
      )
      .sort((a, b) => compareVersions(b.file.version ?? '0', a.file.version ?? '0'));
    const best =
      candidates[0] ??
      sdists.sort((a, b) => compareVersions(b.file.version ?? '0', a.file.version ?? '0'))[0]!;
    return { sdist: best.file, indexUrl: best.indexUrl };
  }
  return new EnvironmentProblem(
    'no-wheel',
    `${name} has no wheel for the sandbox (CPython ${SANDBOX_PYTHON.version}, Linux ${SANDBOX_PYTHON.arch()}, glibc ${SANDBOX_PYTHON.glibc}): pip said: ${request.redact(pipReason(pipText))}`,
    { packageName: name },
  );
}

type ResolveOutcome =
  | { status: 'resolved'; wheels: ResolvedWheel[]; pipMs: number }
  /** An sdist-only requirement the caller may build (allowSdist). */
  | { status: 'needs-sdist'; name: string; sdist: IndexFile; indexUrl: string };

/**
 * One wheels-only `pip download` of the requirement set.
 * @throws {EnvironmentProblem} with pip's reason, trimmed, for every way it can fail.
 */
export async function resolveWheels(
  request: ResolveRequest,
  options: { allowSdist: boolean },
): Promise<ResolveOutcome> {
  const started = performance.now();
  await mkdir(request.dest, { recursive: true });
  const requirementsFile = path.join(request.dest, '..', 'requirements.in');
  await writeFile(requirementsFile, `${request.requirements.join('\n')}\n`);
  let constraintsFile: string | undefined;
  if (request.pins.length > 0) {
    constraintsFile = path.join(request.dest, '..', 'constraints.txt');
    await writeFile(
      constraintsFile,
      `${request.pins.map((pin) => `${pin.name}==${pin.version}`).join('\n')}\n`,
    );
  }
  const run = await runPip(
    request,
    pipDownloadArgs(request, {
      requirements: requirementsFile,
      ...(constraintsFile ? { constraints: constraintsFile } : {}),
    }),
  );
  if (request.signal?.aborted) throw request.signal.reason ?? new Error('aborted');
  const output = request.redact(run.output);
  if (run.timedOut) {
    throw new EnvironmentProblem(
      'time-limit',
      `resolving and downloading the dependencies passed its limit of ${Math.round(request.timeoutMs / 1000)} s (TESTGATE_ENV_TIMEOUT_SECONDS)`,
    );
  }
  if (run.tooLarge) {
    throw new EnvironmentProblem(
      'size-limit',
      `the dependencies' wheels passed ${formatMiB(request.maxBytes)} while downloading (TESTGATE_ENV_MAX_MB)`,
    );
  }
  if (run.code !== 0) {
    if (/ResolutionImpossible|conflicting dependencies|The conflict is caused by/.test(output)) {
      const unavailable = await lockedVersionMissing(output, request);
      if (unavailable) throw unavailable;
      const culprit = /The user requested ([A-Za-z0-9._-]+)|Cannot install ([A-Za-z0-9._-]+)/.exec(
        output,
      );
      throw new EnvironmentProblem(
        'conflict',
        `pip found no set of versions that fits every requirement:\n${pipReason(output)}`,
        {
          ...(culprit ? { packageName: culprit[1] ?? culprit[2]! } : {}),
        },
      );
    }
    const noMatch = /No matching distribution found for ([A-Za-z0-9._-]+)/.exec(output);
    if (noMatch) {
      const answer = await explainNoMatch(noMatch[1]!, request, output, options.allowSdist);
      if (answer instanceof EnvironmentProblem) throw answer;
      return { status: 'needs-sdist', name: normalizeName(noMatch[1]!), ...answer };
    }
    if (/\b(401|403)\b.*(Unauthorized|Forbidden|Client Error)|User for /i.test(output)) {
      throw new EnvironmentProblem(
        'index-auth',
        `the package index refused pip (401/403): give the worker or the CLI credentials in PIP_INDEX_URL (https://user:token@host/simple) or the --index-url option. pip said: ${pipReason(output)}`,
      );
    }
    if (/Hashes are required|THESE PACKAGES DO NOT MATCH THE HASHES/.test(output)) {
      throw new EnvironmentProblem('hash-mismatch', pipReason(output));
    }
    if (
      /Could not fetch URL|Max retries exceeded|Connection refused|Name or service not known|NewConnectionError/i.test(
        output,
      )
    ) {
      throw new EnvironmentProblem(
        'index-unreachable',
        `pip could not reach the package index: ${pipReason(output)}`,
      );
    }
    throw new EnvironmentProblem(
      'not-found',
      `pip could not resolve the dependencies: ${pipReason(output)}`,
    );
  }
  const wheels: ResolvedWheel[] = [];
  for (const filename of (await readdir(request.dest)).sort()) {
    const parsed = parseWheelFilename(filename);
    if (!parsed) continue;
    const file = path.join(request.dest, filename);
    const info = await stat(file);
    wheels.push({
      ...parsed,
      filename,
      path: file,
      sha256: await sha256File(file),
      sizeBytes: info.size,
    });
  }
  const total = wheels.reduce((sum, wheel) => sum + wheel.sizeBytes, 0);
  if (total > request.maxBytes) {
    throw new EnvironmentProblem(
      'size-limit',
      `the dependencies' wheels take ${formatMiB(total)}, more than the ${formatMiB(request.maxBytes)} allowed (TESTGATE_ENV_MAX_MB)`,
    );
  }
  checkPinnedHashes(wheels, request.pins);
  return { status: 'resolved', wheels, pipMs: Math.round(performance.now() - started) };
}

/** A lock's hashes are the ones it allows: a wheel outside them is refused. */
function checkPinnedHashes(wheels: readonly ResolvedWheel[], pins: readonly Pin[]): void {
  const byName = new Map(pins.map((pin) => [pin.name, pin]));
  for (const wheel of wheels) {
    const pin = byName.get(wheel.name);
    if (!pin || pin.hashes.length === 0) continue;
    if (!pin.hashes.includes(wheel.sha256)) {
      throw new EnvironmentProblem(
        'hash-mismatch',
        `${wheel.filename} (sha256 ${wheel.sha256.slice(0, 16)}...) is not one of the files the lock file allows for ${pin.name} ${pin.version}: the index serves different bytes than when the lock was written; update the lock, or check the index`,
        { packageName: pin.name },
      );
    }
  }
}
