import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import Docker from 'dockerode';
import { DEFAULT_LIMITS, resolveLimits } from './limits.ts';
import type { SandboxLimits } from './limits.ts';
import { SandboxError, toSandboxError } from './sandbox-error.ts';
import { ENVIRONMENT_MOUNT_POINT } from './sandbox-runner.ts';
import type {
  EnvironmentMount,
  SandboxRunner,
  SandboxRunRequest,
  SandboxRunResult,
} from './sandbox-runner.ts';

/** Label every sandbox container carries; the reaper selects on it. */
export const SANDBOX_LABEL_APP = 'app';
export const SANDBOX_LABEL_APP_VALUE = 'testgate';
export const SANDBOX_LABEL_JOB = 'testgate.job';
export const SANDBOX_LABEL_CREATED_AT = 'testgate.created-at';
/** Epoch ms after which the container is certainly a leftover (deadline plus grace). */
export const SANDBOX_LABEL_EXPIRES_AT = 'testgate.expires-at';

const SANDBOX_UID = 10001;

/** The whole environment a sandbox sees (PROTOCOL.md): no secrets, no host paths. */
export const SANDBOX_ENV: readonly string[] = Object.freeze([
  'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  'LANG=C.UTF-8',
  'HOME=/tmp',
  'PYTHONDONTWRITEBYTECODE=1',
  'PYTHONHASHSEED=0',
]);

const TAIL_BYTES = 8 * 1024;
/** After the container exits, how long we wait for the attach stream to drain. */
const DRAIN_MS = 3_000;
/** A leftover is only reaped this long after its own deadline, so live runs are never hit. */
const EXPIRY_GRACE_MS = 60_000;
/** How long past the deadline we wait for the engine to report an exit after our kill. */
const WAIT_GRACE_MS = 30_000;

interface DockerRunnerOptions {
  /** The engine client. @defaultValue `new Docker()` (DOCKER_HOST or /var/run/docker.sock) */
  docker?: Docker;
  /** Limits applied under each request's own. @defaultValue DEFAULT_LIMITS */
  defaultLimits?: Partial<SandboxLimits>;
  /** Clock, for labels. @defaultValue Date.now */
  now?: () => number;
}

/** The Docker adapter of the SandboxRunner port, applying every sandbox invariant of DESIGN.md. */
export function createDockerRunner(options: DockerRunnerOptions = {}): SandboxRunner {
  const docker = options.docker ?? new Docker();
  const now = options.now ?? Date.now;
  const baseLimits = resolveLimits({ ...DEFAULT_LIMITS, ...options.defaultLimits });
  return {
    async run(request) {
      const started = performance.now();
      const result = await runInContainer({
        docker,
        now,
        limits: resolveLimits({ ...baseLimits, ...request.limits }),
        request,
      });
      // Measured after the forced removal, so it is the whole cost of the run.
      return { ...result, durationMs: Math.round(performance.now() - started) };
    },
  };
}

/** Builds the container spec. Exported so a test can check the invariants field by field. */
export function buildContainerSpec(options: {
  image: string;
  cmd: readonly string[];
  limits: SandboxLimits;
  labels: Record<string, string>;
  name: string;
  environment?: EnvironmentMount;
}): Docker.ContainerCreateOptions {
  const { limits, environment } = options;
  const tmpfs = (bytes: number): string =>
    // exec: Python may load native code from the trees; nosuid/nodev keep the rest sealed.
    `rw,exec,nosuid,nodev,size=${Math.floor(bytes)},uid=${SANDBOX_UID},gid=${SANDBOX_UID},mode=0700`;
  const ulimit = (name: string, value: number): { Name: string; Soft: number; Hard: number } => ({
    Name: name,
    Soft: Math.floor(value),
    Hard: Math.floor(value),
  });
  return {
    name: options.name,
    Image: options.image,
    Cmd: [...options.cmd],
    Entrypoint: [],
    User: `${SANDBOX_UID}:${SANDBOX_UID}`,
    WorkingDir: '/work',
    Env: [...SANDBOX_ENV],
    Hostname: 'sandbox',
    Labels: options.labels,
    NetworkDisabled: true,
    Tty: false,
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: {
      NetworkMode: 'none',
      CapDrop: ['ALL'],
      CapAdd: [],
      SecurityOpt: ['no-new-privileges'],
      Privileged: false,
      ReadonlyRootfs: true,
      Tmpfs: { '/work': tmpfs(limits.workTmpfsBytes), '/tmp': tmpfs(limits.tmpTmpfsBytes) },
      Binds: [],
      // The one mount besides the tmpfs: the project's environment volume (never a host path).
      Mounts: environment
        ? [
            {
              Type: 'volume',
              Source: environment.volume,
              Target: ENVIRONMENT_MOUNT_POINT,
              ReadOnly: environment.readOnly,
            },
          ]
        : [],
      Devices: [],
      Memory: Math.floor(limits.memoryBytes),
      // Equal to Memory: no swap, so a memory bomb is OOM-killed instead of thrashing the host.
      MemorySwap: Math.floor(limits.memoryBytes),
      PidsLimit: Math.floor(limits.pids),
      NanoCpus: Math.round(limits.cpus * 1e9),
      Ulimits: [
        ulimit('fsize', limits.fsizeBytes),
        ulimit('nofile', limits.nofile),
        ulimit('nproc', limits.nproc),
        ulimit('core', 0),
      ],
      Init: true,
      IpcMode: 'private',
      // /dev/shm is the one other writable mount (private to the container, noexec); keep it small.
      ShmSize: 64 * 1024 * 1024,
      PidMode: '',
      // Prefer the sandbox to anything else on the host when memory runs short.
      OomScoreAdj: 500,
      // Output reaches us through attach only; a log driver would copy a flood onto the host disk.
      LogConfig: { Type: 'none', Config: {} },
      AutoRemove: false,
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    },
  };
}

function sanitizeName(value: string): string {
  return (
    value
      .replace(/[^a-zA-Z0-9_.-]+/g, '-')
      .replace(/^[-.]+/, '')
      .slice(0, 40) || 'run'
  );
}

/** Keeps the last `max` bytes written. */
class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly max: number) {}
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - (this.chunks[0]?.length ?? 0) >= this.max && this.chunks.length > 1) {
      this.size -= this.chunks.shift()?.length ?? 0;
    }
  }
  toString(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.max)).toString('utf8');
  }
}

async function runInContainer(context: {
  docker: Docker;
  now: () => number;
  limits: SandboxLimits;
  request: SandboxRunRequest;
}): Promise<SandboxRunResult> {
  const { docker, limits, request } = context;
  const { signal } = request;
  if (signal?.aborted) {
    throw new SandboxError('SANDBOX_ABORTED', 'sandbox run aborted before it started', {
      cause: signal.reason,
    });
  }
  const started = performance.now();
  const createdAt = context.now();
  const jobId = request.jobId ?? 'none';
  const labels: Record<string, string> = {
    ...request.labels,
    [SANDBOX_LABEL_APP]: SANDBOX_LABEL_APP_VALUE,
    [SANDBOX_LABEL_JOB]: jobId,
    [SANDBOX_LABEL_CREATED_AT]: String(createdAt),
    [SANDBOX_LABEL_EXPIRES_AT]: String(createdAt + limits.deadlineMs + EXPIRY_GRACE_MS),
  };
  const name = `testgate-${sanitizeName(jobId)}-${randomBytes(4).toString('hex')}`;
  const spec = buildContainerSpec({
    image: request.image,
    cmd: request.cmd,
    limits,
    labels,
    name,
    ...(request.environment === undefined ? {} : { environment: request.environment }),
  });

  let container: Docker.Container;
  try {
    container = await docker.createContainer(spec);
  } catch (error) {
    throw toSandboxError(error, 'createContainer');
  }

  let timedOut = false;
  let aborted = false;
  let outputLimitHit: 'stdout' | 'stderr' | null = null;
  let killPromise: Promise<void> | undefined;
  const kill = (): Promise<void> => {
    // SIGKILL from outside: the process inside cannot ignore or delay it.
    killPromise ??= container.kill({ signal: 'SIGKILL' }).then(
      () => undefined,
      () => undefined, // already exited: nothing to kill
    );
    return killPromise;
  };
  const onAbort = (): void => {
    aborted = true;
    void kill();
  };
  let deadlineTimer: NodeJS.Timeout | undefined;
  const timings = { createMs: 0, startMs: 0, runMs: 0, removeMs: 0 };

  try {
    let stream: NodeJS.ReadWriteStream & { destroy?: () => void };
    try {
      stream = (await container.attach({
        stream: true,
        stdin: true,
        stdout: true,
        stderr: true,
        hijack: true,
      })) as NodeJS.ReadWriteStream & { destroy?: () => void };
    } catch (error) {
      throw toSandboxError(error, 'container attach');
    }
    timings.createMs = performance.now() - started;

    const stdoutChunks: Buffer[] = [];
    let stdoutBytes = 0;
    let stderrBytes = 0;
    const stdoutTail = new TailBuffer(TAIL_BYTES);
    const stderrTail = new TailBuffer(TAIL_BYTES);
    const decoder = new StringDecoder('utf8');
    let pendingLine = '';
    const emitLines = (text: string): void => {
      if (!request.onStdoutLine) return;
      pendingLine += text;
      let index = pendingLine.indexOf('\n');
      while (index !== -1) {
        const line = pendingLine.slice(0, index).replace(/\r$/, '');
        pendingLine = pendingLine.slice(index + 1);
        try {
          request.onStdoutLine(line);
        } catch {
          // A faulty progress callback must not break the run.
        }
        index = pendingLine.indexOf('\n');
      }
    };
    const stdoutSink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        if (outputLimitHit === null) {
          const room = limits.maxStdoutBytes - stdoutBytes;
          const kept = chunk.length > room ? chunk.subarray(0, Math.max(0, room)) : chunk;
          stdoutBytes += chunk.length;
          if (kept.length > 0) {
            stdoutChunks.push(kept);
            stdoutTail.push(kept);
            emitLines(decoder.write(kept));
          }
          if (stdoutBytes > limits.maxStdoutBytes) {
            outputLimitHit = 'stdout';
            void kill();
          }
        }
        callback();
      },
    });
    const stderrSink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        if (outputLimitHit === null) {
          stderrBytes += chunk.length;
          stderrTail.push(chunk);
          if (stderrBytes > limits.maxStderrBytes) {
            outputLimitHit = 'stderr';
            void kill();
          }
        }
        callback();
      },
    });
    const streamEnded = new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
    docker.modem.demuxStream(stream, stdoutSink, stderrSink);

    signal?.addEventListener('abort', onAbort, { once: true });
    const startAt = performance.now();
    try {
      await container.start();
    } catch (error) {
      throw toSandboxError(error, 'container start');
    }
    timings.startMs = performance.now() - startAt;
    deadlineTimer = setTimeout(() => {
      timedOut = true;
      void kill();
    }, limits.deadlineMs);
    if (signal?.aborted) onAbort();

    writeStdin(stream, request.stdin);

    let exitCode: number | null = null;
    let waitGuard: NodeJS.Timeout | undefined;
    try {
      // If the engine never reports the exit even after our kill, give up rather than hang
      // the job; finally still removes the container (or the reaper will).
      const guard = new Promise<never>((_resolve, reject) => {
        waitGuard = setTimeout(
          () =>
            reject(
              new SandboxError(
                'SANDBOX_ENGINE',
                `the engine did not report the container's exit ${WAIT_GRACE_MS} ms after its deadline`,
              ),
            ),
          limits.deadlineMs + WAIT_GRACE_MS,
        );
      });
      const waited = (await Promise.race([container.wait(), guard])) as { StatusCode?: number };
      exitCode = typeof waited.StatusCode === 'number' ? waited.StatusCode : null;
    } catch (error) {
      throw toSandboxError(error, 'container wait');
    } finally {
      clearTimeout(waitGuard);
    }
    clearTimeout(deadlineTimer);
    await Promise.race([
      streamEnded,
      new Promise((resolve) => setTimeout(resolve, DRAIN_MS).unref()),
    ]);
    stream.destroy?.();
    const rest = decoder.end();
    emitLines(rest);
    if (pendingLine !== '' && request.onStdoutLine) {
      try {
        request.onStdoutLine(pendingLine);
      } catch {
        // see above
      }
    }
    timings.runMs = performance.now() - startAt;

    let oomKilled = false;
    try {
      const info = await container.inspect();
      oomKilled = info.State.OOMKilled === true;
      if (exitCode === null && typeof info.State.ExitCode === 'number')
        exitCode = info.State.ExitCode;
    } catch (error) {
      throw toSandboxError(error, 'container inspect');
    }
    if (aborted) {
      throw new SandboxError(
        'SANDBOX_ABORTED',
        'sandbox run aborted: the container was killed and removed',
        {
          cause: signal?.reason,
        },
      );
    }
    return {
      exitCode,
      stdout: Buffer.concat(stdoutChunks).toString('utf8'),
      stdoutTail: stdoutTail.toString(),
      stderrTail: stderrTail.toString(),
      timedOut,
      oomKilled,
      outputLimitHit,
      durationMs: 0, // set by run() once the container is removed
      containerId: container.id,
      timings,
    };
  } finally {
    clearTimeout(deadlineTimer);
    signal?.removeEventListener('abort', onAbort);
    const removeAt = performance.now();
    await removeContainer(container);
    timings.removeMs = performance.now() - removeAt;
  }
}

/** Forced removal, tolerant of "already gone" and "removal in progress". */
export async function removeContainer(container: Docker.Container): Promise<void> {
  try {
    await container.remove({ force: true, v: true });
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 404 || status === 409) return;
    // Left for the reaper: the container carries its labels.
  }
}

function writeStdin(
  stream: NodeJS.WritableStream,
  input: Buffer | NodeJS.ReadableStream | undefined,
): void {
  // The container may exit before reading everything (that is its business): ignore EPIPE.
  stream.on('error', () => undefined);
  if (input === undefined) {
    stream.end();
  } else if (Buffer.isBuffer(input)) {
    stream.end(input);
  } else {
    input.on('error', () => stream.end());
    input.pipe(stream, { end: true });
  }
}
