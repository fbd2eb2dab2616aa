/** Resource limits of one sandbox container. Every field maps to a Docker HostConfig setting. */
export interface SandboxLimits {
  /** Memory limit in bytes; swap is set equal so the container cannot swap. @defaultValue 1 GiB */
  memoryBytes: number;
  /** Max processes/threads in the container's pids cgroup. @defaultValue 256 */
  pids: number;
  /** CPU quota in CPUs (NanoCpus). @defaultValue 1.5 (the machines have 2 cores) */
  cpus: number;
  /** tmpfs size of /work in bytes (the harness extracts the trees there). @defaultValue 512 MiB */
  workTmpfsBytes: number;
  /** tmpfs size of /tmp in bytes. @defaultValue 256 MiB */
  tmpTmpfsBytes: number;
  /** RLIMIT_NOFILE. @defaultValue 1024 */
  nofile: number;
  /** RLIMIT_FSIZE in bytes: the largest file a process may write. @defaultValue 256 MiB */
  fsizeBytes: number;
  /**
   * RLIMIT_NPROC. Counted per uid across the whole host (no user namespace), so it must
   * allow for concurrent sandboxes; the pids cgroup is the per-container bound.
   * @defaultValue 2048
   */
  nproc: number;
  /** Outer wall-clock deadline in ms; the container is killed from outside when it passes. @defaultValue 10 min */
  deadlineMs: number;
  /** Bytes of stdout kept; past it the container is killed (output flood). @defaultValue 64 MiB */
  maxStdoutBytes: number;
  /** Bytes of stderr accepted; past it the container is killed. @defaultValue 8 MiB */
  maxStderrBytes: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  memoryBytes: 1024 * MiB,
  pids: 256,
  cpus: 1.5,
  workTmpfsBytes: 512 * MiB,
  tmpTmpfsBytes: 256 * MiB,
  nofile: 1024,
  fsizeBytes: 256 * MiB,
  nproc: 2048,
  deadlineMs: 10 * 60_000,
  maxStdoutBytes: 64 * MiB,
  maxStderrBytes: 8 * MiB,
});

export function resolveLimits(limits: Partial<SandboxLimits> | undefined): SandboxLimits {
  const merged: SandboxLimits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(limits ?? {})) {
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new RangeError(`sandbox limit ${key} must be a positive number, got ${String(value)}`);
    }
    (merged as unknown as Record<string, number>)[key] = value;
  }
  return merged;
}
