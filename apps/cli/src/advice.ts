/**
 * What to tell the user to run, by how the CLI was installed: a checkout of the monorepo has
 * idempotent scripts for each piece (scripts/ensure-*.sh); the published package has only
 * `testgate` itself, so its advice names the system's own commands.
 */
import { BUNDLED } from './build-info.ts';

interface Advice {
  startDocker: string;
  dockerPermission: string;
  buildImage: string;
  imageBuildFailed: string;
  imageBroken: string;
  startRedis: string;
}

const CHECKOUT: Advice = {
  startDocker: 'start it: bash scripts/ensure-docker.sh (or set DOCKER_HOST to a reachable engine)',
  dockerPermission:
    'this user may not use the Docker socket: run as root, or add the user to the docker group (sudo usermod -aG docker "$USER", then log in again)',
  buildImage:
    'build it: bash scripts/ensure-image.sh (or testgate doctor --fix); a few minutes the first time, seconds after',
  imageBuildFailed:
    'run `bash scripts/ensure-image.sh` and read its output; the build needs Debian apt (debootstrap)',
  imageBroken:
    'the image is broken: check docker/sandbox/packages.txt and rebuild with bash scripts/ensure-image.sh',
  startRedis:
    'needed by `testgate serve` only: start one with bash scripts/ensure-redis.sh, or set REDIS_URL',
};

const PACKAGE: Advice = {
  startDocker:
    'install Docker Engine (https://docs.docker.com/engine/install/, or `sudo apt-get install docker.io`) and start it (`sudo systemctl start docker`), or set DOCKER_HOST to a reachable engine',
  dockerPermission:
    'this user may not use the Docker socket: add it to the docker group (sudo usermod -aG docker "$USER", then log in again), or run as root',
  buildImage:
    'build it: testgate doctor --fix (or testgate image --build); `testgate run` also builds it on first use. A few minutes once, from Debian packages (root and debootstrap), or add --builder dockerfile where Docker Hub is reachable',
  imageBuildFailed:
    'read the build output above: `testgate image --build` needs root and debootstrap (apt-get install debootstrap), or `testgate image --build --builder dockerfile` with access to Docker Hub',
  imageBroken:
    'the image is broken: remove it (docker rmi) and rebuild with testgate image --build',
  startRedis:
    'needed by `testgate serve` only: start a Redis (apt-get install redis-server), or set REDIS_URL',
};

export const ADVICE: Advice = BUNDLED ? PACKAGE : CHECKOUT;
