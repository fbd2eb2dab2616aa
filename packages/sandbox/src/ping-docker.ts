import Docker from 'dockerode';
import { SandboxError } from './sandbox-error.ts';

interface PingDockerOptions {
  /** @defaultValue `new Docker()` (DOCKER_HOST or the local socket) */
  docker?: Docker;
  /**
   * How long the engine gets to answer. Short on purpose: readiness probes call this, and
   * a hung engine must turn a probe red with this error (under the server's own 2 s per
   * check, which would only say "timed out") rather than hold the probe.
   * @defaultValue 1500
   */
  timeoutMs?: number;
}

/**
 * One round trip to the Docker engine (`GET /_ping`). Resolves when it answers; throws
 * SandboxError DOCKER_UNAVAILABLE when the socket is missing, refuses, errs or stays silent.
 */
export async function pingDocker(options: PingDockerOptions = {}): Promise<void> {
  const docker = options.docker ?? new Docker();
  const timeoutMs = options.timeoutMs ?? 1500;
  try {
    // dockerode takes `{ abortSignal }` in ping's options; @types/dockerode only knows ping().
    const ping = docker.ping.bind(docker) as unknown as (opts: {
      abortSignal: AbortSignal;
    }) => Promise<unknown>;
    await ping({ abortSignal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const err = error as { code?: unknown; name?: unknown; message?: unknown } | null;
    const timedOut = err?.name === 'AbortError' || err?.name === 'TimeoutError';
    const why = timedOut
      ? `no answer within ${timeoutMs} ms`
      : typeof err?.code === 'string'
        ? err.code
        : typeof err?.message === 'string'
          ? err.message
          : String(error);
    throw new SandboxError(
      'DOCKER_UNAVAILABLE',
      `Docker engine is not answering (${why}): run scripts/ensure-docker.sh, or set DOCKER_HOST to a reachable engine`,
      { cause: error },
    );
  }
}
