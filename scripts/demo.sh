#!/usr/bin/env bash
# The README's first command: from a fresh checkout to a Testgate report on the example
# repository (examples/calc), non-interactively. Idempotent: every step skips what is done.
#   node modules -> Docker engine -> sandbox image -> example git repo -> testgate run
# The example pull request is built to FAIL the gate (one test per rejection reason), so
# this script exits 0 once the report is printed, whatever the verdict.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
started=$(date +%s)
step() { echo "== demo: $*" >&2; }

step "node modules"
bash scripts/ensure-node-deps.sh
step "docker engine"
bash scripts/ensure-docker.sh
step "sandbox image (a few minutes the first time, seconds after)"
bash scripts/ensure-image.sh >/dev/null
step "example repository"
repo="$(bash scripts/make-example-repo.sh calc .cache/examples/calc)"

generate=off
if [ -d docker/sandbox/harness/tg_generate ]; then generate=builtin; fi
step "testgate run --repo ${repo#"$root"/} --base main~1 --head main --generate $generate"
set +e
node_modules/.bin/tsx apps/cli/src/main.ts run --repo "$repo" --base main~1 --head main --generate "$generate" "$@"
status=$?
set -e
echo >&2
case "$status" in
  0 | 1)
    echo "demo: done in $(($(date +%s) - started)) s. The example PR is meant to fail the gate: each of its tests shows one rejection reason (see examples/calc/README.md)." >&2
    exit 0
    ;;
  *)
    echo "demo: testgate could not judge the example (exit $status); run \`pnpm testgate doctor\`" >&2
    exit "$status"
    ;;
esac
