#!/usr/bin/env bash
# Used by action.yml and comment/action.yml: makes the testgate CLI available and prints
# `dir=<package dir>` for $GITHUB_OUTPUT (dist/testgate.js, dist/action.js, assets/ under it).
#
# TESTGATE_CLI empty: build the package from the action's own source (this repository at the
# ref the workflow pinned in `uses:`), so the code that runs is the code that was pinned.
# Otherwise: an npm install spec (a published version, or the path of a `pnpm pack` tarball),
# installed into a private prefix under $RUNNER_TEMP.
# Inputs come in the environment only (action.yml `env:`), never spliced into this script.
set -euo pipefail
source_root="$(cd "$(dirname "$0")/.." && pwd)"
if [ -z "${TESTGATE_CLI:-}" ]; then
  cd "$source_root"
  if ! command -v pnpm >/dev/null 2>&1; then
    corepack enable >/dev/null 2>&1 || npm install -g pnpm@10 >/dev/null 2>&1
  fi
  echo "testgate: building the CLI from $source_root" >&2
  CI=true pnpm install --frozen-lockfile --filter 'testgate...' >&2
  pnpm --filter testgate run build >&2
  echo "dir=$source_root/apps/cli"
else
  prefix="${RUNNER_TEMP:-/tmp}/testgate-cli"
  echo "testgate: installing $TESTGATE_CLI into $prefix" >&2
  npm install -g --no-audit --no-fund --prefix "$prefix" -- "$TESTGATE_CLI" >&2
  echo "dir=$prefix/lib/node_modules/testgate"
fi
