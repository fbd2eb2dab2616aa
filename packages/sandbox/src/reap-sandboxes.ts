import Docker from 'dockerode';
import { toSandboxError } from './sandbox-error.ts';
import {
  SANDBOX_LABEL_APP,
  SANDBOX_LABEL_APP_VALUE,
  SANDBOX_LABEL_CREATED_AT,
  SANDBOX_LABEL_EXPIRES_AT,
  removeContainer,
} from './docker-runner.ts';

interface ReapOptions {
  /** @defaultValue `new Docker()` */
  docker?: Docker;
  /**
   * Also remove labelled containers created more than this long ago, even if their own
   * deadline has not passed (0: every labelled container). Without it only containers past
   * their deadline plus a grace minute are removed, so a worker starting next to another
   * on the same engine never kills the other's live runs.
   */
  olderThanMs?: number;
  /** Only containers carrying all of these labels too (e.g. one test's own label). */
  match?: Record<string, string>;
  /** @defaultValue Date.now */
  now?: () => number;
}

interface ReapResult {
  removed: string[];
}

/** Removes leftover sandbox containers (label `app=testgate`). The worker and CLI call it at start. */
export async function reapSandboxes(options: ReapOptions = {}): Promise<ReapResult> {
  const docker = options.docker ?? new Docker();
  const now = (options.now ?? Date.now)();
  const labelFilters = [`${SANDBOX_LABEL_APP}=${SANDBOX_LABEL_APP_VALUE}`];
  for (const [key, value] of Object.entries(options.match ?? {}))
    labelFilters.push(`${key}=${value}`);
  let containers: Docker.ContainerInfo[];
  try {
    containers = await docker.listContainers({ all: true, filters: { label: labelFilters } });
  } catch (error) {
    throw toSandboxError(error, 'listContainers (reaper)');
  }
  const removed: string[] = [];
  for (const info of containers) {
    const createdAt = Number(info.Labels[SANDBOX_LABEL_CREATED_AT] ?? info.Created * 1000);
    const expiresAt = Number(info.Labels[SANDBOX_LABEL_EXPIRES_AT] ?? Number.NaN);
    const expired = !Number.isFinite(expiresAt) || expiresAt <= now;
    const old =
      options.olderThanMs !== undefined &&
      (!Number.isFinite(createdAt) || now - createdAt >= options.olderThanMs);
    if (!expired && !old) continue;
    await removeContainer(docker.getContainer(info.Id));
    removed.push(info.Id);
  }
  return { removed };
}
