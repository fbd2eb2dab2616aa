import type { SandboxLimits } from './limits.ts';
import { SandboxError } from './sandbox-error.ts';
import type { SandboxEvidence } from './sandbox-error.ts';

/** One run of one command in a fresh, sealed container. */
export interface SandboxRunRequest {
  /** Image tag, normally the one ensureSandboxImage returned. */
  image: string;
  /** argv of the command (no shell). */
  cmd: readonly string[];
  /** Bytes written to the container's stdin, then EOF. Omitted: stdin is closed at once. */
  stdin?: Buffer | NodeJS.ReadableStream;
  /** Overrides of the runner's default limits. */
  limits?: Partial<SandboxLimits>;
  /** Put in the `testgate.job` label so a reaper and a human can tell what a container ran for. */
  jobId?: string;
  /** Extra labels (the `app`, `testgate.*` ones are set by the runner and cannot be overridden). */
  labels?: Record<string, string>;
  /** Aborting kills and removes the container; run() then rejects with SANDBOX_ABORTED. */
  signal?: AbortSignal;
  /** Called for each complete stdout line (without the newline), as it arrives. */
  onStdoutLine?: (line: string) => void;
  /**
   * The project's environment volume (packages/environment), mounted at /env: read-only for
   * every run of the gate, writable only for the setup container that fills it.
   */
  environment?: EnvironmentMount;
}

/** A Docker volume holding a project's installed dependencies. */
export interface EnvironmentMount {
  volume: string;
  readOnly: boolean;
}

/** Where the environment volume is mounted in the container (PROTOCOL.md). */
export const ENVIRONMENT_MOUNT_POINT = '/env';

export interface SandboxRunTimings {
  /** createContainer + attach. */
  createMs: number;
  /** start() call. */
  startMs: number;
  /** From start to exit (and output drained). */
  runMs: number;
  /** Forced removal. */
  removeMs: number;
}

/** What happened. run() resolves with this whenever the container ran, whatever the command did. */
export interface SandboxRunResult {
  /** Exit code of the command; null when it never reported one. 137 after a kill. */
  exitCode: number | null;
  /** stdout, whole (it is capped by limits.maxStdoutBytes). */
  stdout: string;
  /** Last few KB of stdout and stderr, for messages. */
  stdoutTail: string;
  stderrTail: string;
  /** The outer deadline passed and the container was killed from outside. */
  timedOut: boolean;
  /** The kernel OOM-killed a process of the container. */
  oomKilled: boolean;
  /** Which stream went past its cap (the container was then killed), or null. */
  outputLimitHit: 'stdout' | 'stderr' | null;
  /** Wall time from create to removal. */
  durationMs: number;
  containerId: string;
  timings: SandboxRunTimings;
}

/** The port: everything outside packages/sandbox runs untrusted code through this. */
export interface SandboxRunner {
  run(request: SandboxRunRequest): Promise<SandboxRunResult>;
}

/** What a run left behind, for errors: exit code, output tails, which limit hit. */
export function sandboxEvidence(result: SandboxRunResult, detail?: string): SandboxEvidence {
  return {
    exitCode: result.exitCode,
    stdoutTail: result.stdoutTail,
    stderrTail: result.stderrTail,
    timedOut: result.timedOut,
    oomKilled: result.oomKilled,
    outputLimitHit: result.outputLimitHit !== null,
    durationMs: result.durationMs,
    containerId: result.containerId,
    ...(detail === undefined ? {} : { detail }),
  };
}

/**
 * The error a result stands for, or undefined when the command exited 0 within its limits.
 * Order matters: a deadline kill also shows as exit 137, and so does an OOM kill.
 */
export function sandboxResultError(
  result: SandboxRunResult,
  what = 'sandboxed command',
): SandboxError | undefined {
  const evidence = sandboxEvidence(result);
  if (result.timedOut) {
    return new SandboxError(
      'SANDBOX_DEADLINE',
      `${what} passed its wall-clock deadline after ${result.durationMs} ms and was killed`,
      {
        evidence,
      },
    );
  }
  if (result.outputLimitHit !== null) {
    return new SandboxError(
      'SANDBOX_OUTPUT_LIMIT',
      `${what} flooded ${result.outputLimitHit} past its byte cap and was killed`,
      {
        evidence,
      },
    );
  }
  if (result.oomKilled) {
    return new SandboxError(
      'SANDBOX_OOM',
      `${what} ran out of memory (OOM-killed, exit ${String(result.exitCode)})`,
      { evidence },
    );
  }
  if (result.exitCode !== 0) {
    const tail = result.stderrTail.trim().split('\n').slice(-5).join('\n');
    return new SandboxError(
      'SANDBOX_EXIT',
      `${what} exited with code ${String(result.exitCode)}${tail ? `: ${tail}` : ''}`,
      {
        evidence,
      },
    );
  }
  return undefined;
}
