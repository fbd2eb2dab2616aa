/**
 * The Docker side of the environment cache: one named volume per installed environment,
 * labelled so that the CLI and the worker (which share an engine) find, size and evict the
 * same volumes. What the volumes hold and when one is used is packages/environment's job.
 */
import Docker from 'dockerode';
import { toSandboxError } from './sandbox-error.ts';
import { SANDBOX_LABEL_APP, SANDBOX_LABEL_APP_VALUE } from './docker-runner.ts';

/** Label carrying the environment's cache key. */
const ENVIRONMENT_LABEL_KEY = 'testgate.environment';

export interface EnvironmentVolume {
  name: string;
  /** The cache key it was built for. */
  key: string;
  /** Epoch ms the engine created it. */
  createdAt: number;
  /** Bytes on disk, when the engine reported it (`docker system df`), else undefined. */
  sizeBytes?: number;
}

export interface EnvironmentVolumes {
  create(name: string, key: string, labels?: Record<string, string>): Promise<void>;
  exists(name: string): Promise<boolean>;
  remove(name: string): Promise<void>;
  /** Every environment volume; `withSizes` asks the engine for disk usage (slower). */
  list(options?: { withSizes?: boolean }): Promise<EnvironmentVolume[]>;
}

export function createEnvironmentVolumes(docker: Docker = new Docker()): EnvironmentVolumes {
  return {
    async create(name, key, labels = {}) {
      try {
        await docker.createVolume({
          Name: name,
          Driver: 'local',
          Labels: {
            ...labels,
            [SANDBOX_LABEL_APP]: SANDBOX_LABEL_APP_VALUE,
            [ENVIRONMENT_LABEL_KEY]: key,
          },
        });
      } catch (error) {
        throw toSandboxError(error, 'createVolume');
      }
    },
    async exists(name) {
      try {
        await docker.getVolume(name).inspect();
        return true;
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return false;
        throw toSandboxError(error, 'inspectVolume');
      }
    },
    async remove(name) {
      try {
        await docker.getVolume(name).remove({ force: true });
      } catch (error) {
        // Gone already, or still mounted by a live run (409): either way nothing to do now.
        const status = (error as { statusCode?: number }).statusCode;
        if (status === 404 || status === 409) return;
        throw toSandboxError(error, 'removeVolume');
      }
    },
    async list(options = {}) {
      const filters = {
        label: [`${SANDBOX_LABEL_APP}=${SANDBOX_LABEL_APP_VALUE}`, ENVIRONMENT_LABEL_KEY],
      };
      let volumes: Docker.VolumeInspectInfo[];
      try {
        volumes = (await docker.listVolumes({ filters })).Volumes ?? [];
      } catch (error) {
        throw toSandboxError(error, 'listVolumes');
      }
      const sizes = new Map<string, number>();
      if (options.withSizes && volumes.length > 0) {
        try {
          const usage = (await docker.df()) as {
            Volumes?: { Name: string; UsageData?: { Size?: number } }[];
          };
          for (const volume of usage.Volumes ?? []) {
            const size = volume.UsageData?.Size;
            if (typeof size === 'number' && size >= 0) sizes.set(volume.Name, size);
          }
        } catch (error) {
          throw toSandboxError(error, 'system df');
        }
      }
      return volumes.map((volume) => {
        const created = Date.parse(
          (volume as Docker.VolumeInspectInfo & { CreatedAt?: string }).CreatedAt ?? '',
        );
        const size = sizes.get(volume.Name);
        return {
          name: volume.Name,
          key: volume.Labels?.[ENVIRONMENT_LABEL_KEY] ?? '',
          createdAt: Number.isFinite(created) ? created : 0,
          ...(size === undefined ? {} : { sizeBytes: size }),
        };
      });
    },
  };
}
