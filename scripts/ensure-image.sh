#!/usr/bin/env bash
# Builds whatever part of the sandbox image is missing (content-hash tags, see
# packages/sandbox/src/sandbox-image.ts) and prints the image tag on stdout.
# Pass --dockerfile to build the base from docker/sandbox/Dockerfile (needs a registry)
# instead of the offline debootstrap path.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/ensure-docker.sh"
cd "$root"
exec node_modules/.bin/tsx packages/sandbox/src/cli-ensure-image.ts "$@"
