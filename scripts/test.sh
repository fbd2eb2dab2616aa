#!/usr/bin/env bash
# The whole test suite, on a fresh machine or this one: installs and starts what it needs
# (node modules, Docker engine, sandbox image, Redis), typechecks, then runs every test
# against the real engine and the real Redis. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export CI="${CI:-}"
step() { echo "== $*" >&2; }
step "node modules"; bash scripts/ensure-node-deps.sh || exit 1
step "redis"; bash scripts/ensure-redis.sh || exit 1
step "docker engine"; bash scripts/ensure-docker.sh || exit 1
step "sandbox image"; bash scripts/ensure-image.sh || exit 1
step "typecheck"; pnpm exec tsc -p tsconfig.json --noEmit || { echo "0 passed, 1 failed: typecheck"; exit 1; }
step "lint"; pnpm exec eslint . || { echo "0 passed, 1 failed: lint"; exit 1; }
step "dependencies"; pnpm exec tsx scripts/check-deps.ts || { echo "0 passed, 1 failed: dependencies (undeclared or cyclic)"; exit 1; }
step "unused code"; pnpm exec knip --no-progress || { echo "0 passed, 1 failed: unused files, exports or dependencies (knip)"; exit 1; }
step "python lint"; pnpm exec tsx scripts/check-python.ts || { echo "0 passed, 1 failed: python lint (ruff on the harness; tsx scripts/check-python.ts --fix formats)"; exit 1; }
step "format"; pnpm exec prettier --check . >/dev/null || { pnpm exec prettier --check . 2>&1 | tail -20; echo "0 passed, 1 failed: format (run pnpm format)"; exit 1; }
# The published CLI's bundle (apps/cli/dist, assets): the package and action tests run it.
# Idempotent: a stamp of every input skips an up-to-date build.
step "cli package"; pnpm --filter testgate run build >/dev/null || { echo "0 passed, 1 failed: cli package build"; exit 1; }
mkdir -p .cache
rm -f .cache/vitest-results.json
step "tests"
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.cache/vitest-results.json "$@"
status=$?
if [ -f .cache/vitest-results.json ]; then
  node -e '
    const r = JSON.parse(require("fs").readFileSync(".cache/vitest-results.json", "utf8"));
    const skipped = r.numPendingTests + r.numTodoTests;
    const failedSuites = r.testResults.filter((s) => s.status === "failed" && s.assertionResults.length === 0).length;
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests + failedSuites} failed, ${skipped} skipped`);
  '
else
  echo "0 passed, 1 failed"
fi
exit $status
