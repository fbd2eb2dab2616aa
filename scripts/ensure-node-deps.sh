#!/usr/bin/env bash
# Install pnpm (if missing) and the workspace's node modules (if missing or stale).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v pnpm >/dev/null; then
  echo "ensure-node-deps: installing pnpm" >&2
  npm install -g pnpm@10 >/dev/null 2>&1
fi
stamp=node_modules/.testgate-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s pnpm-lock.yaml "$stamp"; then
  echo "ensure-node-deps: pnpm install" >&2
  CI=true pnpm install --frozen-lockfile >/dev/null
  cp pnpm-lock.yaml "$stamp"
fi
