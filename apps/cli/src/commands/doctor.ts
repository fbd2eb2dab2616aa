/**
 * `testgate doctor`: checks everything the gate needs on this machine and says what to do
 * about each failure, in words that fit how the CLI was installed (a checkout has
 * scripts/ensure-*.sh, the published package does not). Exit 0 when all required checks
 * pass, 1 otherwise.
 */
import { execFile } from 'node:child_process';
import { parseArgs } from 'node:util';
import { createRedisConnection } from '@testgate/queue';
import {
  createDockerRunner,
  ensureSandboxImage,
  isSandboxError,
  reapSandboxes,
  sandboxImageTags,
} from '@testgate/sandbox';
import { ADVICE } from '../advice.ts';
import { VERSION } from '../build-info.ts';
import type { CliCommand, CliIo } from '../command.ts';
import { EXIT, UsageError } from '../command.ts';

const HELP = `Usage: testgate doctor [--fix] [--redis-url URL]

Checks that this machine can run the gate: Node.js 20 or later, git, the Docker engine, the
sandbox image and the Python tools inside it (pytest, coverage, Bandit, hypothesis); and,
as warnings, the docker command (image builds and the GitHub Action's image cache), a
python3 with pip on this machine (only for projects with dependencies) and Redis (needed by
\`testgate serve\` only). Prints ok, FAIL or warn for each, with what to do.

Flags:
  --fix              build the sandbox image when it is missing (takes a few minutes once)
  --redis-url URL    Redis to check (default: REDIS_URL, else redis://127.0.0.1:6379)
  -h, --help         this help

Exit codes: 0 every check passed, 1 at least one failed, 2 usage error.
`;

interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do when it failed. */
  fix?: string;
  /** A failed optional check (Redis, for the CLI) does not fail doctor. */
  optional?: boolean;
}

/** The oldest Node.js major the CLI supports (package.json `engines`). */
const MIN_NODE_MAJOR = 20;

function checkNode(version = process.versions.node): CheckResult {
  const major = Number(version.split('.')[0]);
  return major >= MIN_NODE_MAJOR
    ? { name: 'node', ok: true, detail: `v${version}` }
    : {
        name: 'node',
        ok: false,
        detail: `v${version} is too old: Testgate needs Node.js ${MIN_NODE_MAJOR} or later`,
        fix: `install Node.js ${MIN_NODE_MAJOR} LTS (https://nodejs.org/, or \`nvm install ${MIN_NODE_MAJOR}\`), then reinstall testgate with it`,
      };
}

function execText(file: string, args: string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs }, (error, stdout) =>
      error ? reject(error) : resolve(stdout.trim()),
    );
  });
}

async function checkGit(): Promise<CheckResult> {
  try {
    return { name: 'git', ok: true, detail: await execText('git', ['--version']) };
  } catch {
    return { name: 'git', ok: false, detail: 'git is not on PATH', fix: 'apt-get install -y git' };
  }
}

/** The docker command: the gate talks to the engine's API, but image builds and saves use it. */
async function checkDockerClient(): Promise<CheckResult> {
  try {
    return {
      name: 'docker client',
      ok: true,
      detail: await execText('docker', ['--version']),
      optional: true,
    };
  } catch {
    return {
      name: 'docker client',
      ok: false,
      detail: 'the docker command is not on PATH',
      fix: 'install it (apt-get install docker.io, or docker-ce-cli): building the image from Debian packages and the GitHub Action image cache use it; judging needs only the engine',
      optional: true,
    };
  }
}

async function checkDocker(): Promise<CheckResult> {
  const host = process.env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock';
  try {
    // Listing our labelled containers proves the engine answers (and clears leftovers).
    const { removed } = await reapSandboxes();
    return {
      name: 'docker engine',
      ok: true,
      detail: `answers at ${host}${removed.length > 0 ? ` (removed ${removed.length} leftover containers)` : ''}`,
    };
  } catch (error) {
    const cause =
      error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
    const code = typeof cause?.code === 'string' ? cause.code : undefined;
    return {
      name: 'docker engine',
      ok: false,
      detail: isSandboxError(error, 'DOCKER_UNAVAILABLE')
        ? `does not answer at ${host}${code === undefined ? '' : ` (${code})`}`
        : error instanceof Error
          ? error.message
          : String(error),
      fix: code === 'EACCES' ? ADVICE.dockerPermission : ADVICE.startDocker,
    };
  }
}

/**
 * pip on this machine resolves and downloads the project's dependencies (wheels only, no
 * code runs); a project without dependencies never needs it.
 */
async function checkHostPython(env: NodeJS.ProcessEnv): Promise<CheckResult> {
  const python = env['TESTGATE_PYTHON'] ?? 'python3';
  try {
    const pip = await execText(python, ['-m', 'pip', '--version']);
    return {
      name: 'python3 + pip',
      ok: true,
      detail: pip.split(' from ')[0] ?? pip,
      optional: true,
    };
  } catch {
    return {
      name: 'python3 + pip',
      ok: false,
      detail: `\`${python} -m pip\` does not run on this machine`,
      fix: 'needed only for projects with dependencies (pip resolves and downloads their wheels here; nothing is run): apt-get install python3-pip, or set TESTGATE_PYTHON',
      optional: true,
    };
  }
}

/** Python tool versions the gate needs inside the image. */
const TOOLS_PROBE = [
  'import sys, importlib.metadata as m',
  'print("python", sys.version.split()[0])',
  'for name in ("pytest", "coverage", "pytest-cov", "bandit", "hypothesis"):',
  '    try: print(name, m.version(name))',
  '    except Exception as error: print(name, "MISSING")',
].join('\n');

async function checkImage(options: {
  fix: boolean;
  report: (line: string) => void;
}): Promise<CheckResult[]> {
  let tag: string;
  try {
    tag = (await sandboxImageTags()).image;
  } catch (error) {
    return [
      {
        name: 'sandbox image',
        ok: false,
        detail: String(error),
        fix: 'the image build files are missing: reinstall testgate, or check docker/sandbox/ is intact (git status)',
      },
    ];
  }
  const runner = createDockerRunner();
  const probe = async (): Promise<string> => {
    const result = await runner.run({
      image: tag,
      cmd: ['python3', '-I', '-c', TOOLS_PROBE],
      limits: { deadlineMs: 60_000 },
      labels: { 'testgate.source': 'doctor' },
    });
    if (result.exitCode !== 0)
      throw new Error(`probe exited ${String(result.exitCode)}: ${result.stderrTail.trim()}`);
    return result.stdout;
  };
  let output: string;
  try {
    output = await probe();
  } catch (error) {
    if (!isSandboxError(error, 'IMAGE_MISSING')) {
      return [
        {
          name: 'sandbox image',
          ok: false,
          detail: error instanceof Error ? error.message : String(error),
          fix: ADVICE.imageBuildFailed,
        },
      ];
    }
    if (!options.fix) {
      return [
        {
          name: 'sandbox image',
          ok: false,
          detail: `${tag} is not built for this harness version`,
          fix: ADVICE.buildImage,
        },
      ];
    }
    try {
      await ensureSandboxImage({
        onProgress: (event) => options.report(`  building (${event.stage}): ${event.message}`),
      });
      output = await probe();
    } catch (buildError) {
      return [
        {
          name: 'sandbox image',
          ok: false,
          detail: `could not build ${tag}: ${buildError instanceof Error ? buildError.message : String(buildError)}`,
          fix: ADVICE.imageBuildFailed,
        },
      ];
    }
  }
  const versions = new Map(
    output
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((parts) => parts.length === 2)
      .map(([name, version]) => [name!, version!]),
  );
  const missing = [...versions]
    .filter(([, version]) => version === 'MISSING')
    .map(([name]) => name);
  const results: CheckResult[] = [{ name: 'sandbox image', ok: true, detail: tag }];
  results.push(
    missing.length === 0
      ? {
          name: 'python tools',
          ok: true,
          detail: [...versions].map(([name, version]) => `${name} ${version}`).join(', '),
        }
      : {
          name: 'python tools',
          ok: false,
          detail: `missing in the image: ${missing.join(', ')}`,
          fix: ADVICE.imageBroken,
        },
  );
  return results;
}

async function checkRedis(url: string): Promise<CheckResult> {
  const redis = createRedisConnection({ url, role: 'producer', commandTimeoutMs: 2000 });
  // ioredis reports connection errors as events too; a listener keeps them off stderr.
  redis.on('error', () => undefined);
  try {
    // The producer role has no offline queue: wait until connected, then PING.
    const pong = await Promise.race([
      new Promise<void>((resolve) => redis.once('ready', () => resolve())).then(() => redis.ping()),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('no answer within 3 s')), 3000).unref(),
      ),
    ]);
    return { name: 'redis', ok: pong === 'PONG', detail: `${url} answers ${pong}`, optional: true };
  } catch (error) {
    return {
      name: 'redis',
      ok: false,
      detail: `${url}: ${error instanceof Error ? error.message : String(error)}`,
      fix: ADVICE.startRedis,
      optional: true,
    };
  } finally {
    redis.disconnect();
  }
}

async function run(argv: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        fix: { type: 'boolean' },
        'redis-url': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message, { command: 'doctor', cause: error });
  }
  const redisUrl = values['redis-url'] ?? io.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const print = (line: string): void => {
    io.stdout.write(`${line}\n`);
  };
  const results: CheckResult[] = [];
  const show = (result: CheckResult): void => {
    results.push(result);
    const mark = result.ok ? 'ok  ' : result.optional ? 'warn' : 'FAIL';
    print(`${mark} ${result.name.padEnd(14)} ${result.detail}`);
    if (!result.ok && result.fix) print(`     ${''.padEnd(14)} what to do: ${result.fix}`);
  };
  print(`testgate       ${VERSION}`);
  show(checkNode());
  show(await checkGit());
  show(await checkDockerClient());
  const docker = await checkDocker();
  show(docker);
  if (docker.ok) {
    for (const result of await checkImage({ fix: values.fix ?? false, report: print }))
      show(result);
  } else {
    show({
      name: 'sandbox image',
      ok: false,
      detail: 'not checked: the Docker engine does not answer',
      fix: 'fix the engine first',
    });
  }
  show(await checkHostPython(io.env));
  show(await checkRedis(redisUrl));
  const failed = results.filter((result) => !result.ok && !result.optional);
  print(failed.length === 0 ? 'all required checks passed' : `${failed.length} check(s) failed`);
  return failed.length === 0 ? EXIT.ok : EXIT.fail;
}

export const command: CliCommand = {
  name: 'doctor',
  summary: 'Check Node, git, Docker, the sandbox image, Redis and the Python tools',
  help: HELP,
  run,
};
