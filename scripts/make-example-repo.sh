#!/usr/bin/env bash
# Builds the example repository (examples/NAME/base -> head as two commits on `main`) at
# DIR, default .cache/examples/NAME. Idempotent: rebuilds only when the snapshots change.
# Usage: bash scripts/make-example-repo.sh [NAME] [DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
exec node_modules/.bin/tsx apps/cli/src/make-example-repo.ts "$@"
