#!/usr/bin/env bash
# Build a thin dev image: testgate-sandbox-base:probe + this harness at /opt/testgate/harness.
# Usage: dev/build.sh [TAG]   (default testgate-harness-dev:latest)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
tag="${1:-testgate-harness-dev:latest}"
ctx="$(mktemp -d)"; trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/harness"
(cd "$here" && tar -c --exclude=__pycache__ --exclude=dev/__pycache__ $(find . -name "*.py" -not -path "*/__pycache__/*")) | tar -x -C "$ctx/harness"
printf 'FROM testgate-sandbox-base:probe\nCOPY harness /opt/testgate/harness\n' >"$ctx/Dockerfile"
docker build -q -t "$tag" "$ctx" >/dev/null
echo "$tag"
