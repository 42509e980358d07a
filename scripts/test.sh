#!/usr/bin/env bash
# The whole test suite, as README and .ci/run call it (`npm test`):
# type-check and build, start the real Manila + Keystone test bed (installing it on a fresh
# machine), then unit tests, then integration and end-to-end tests against the test bed.
set -euo pipefail
cd "$(dirname "$0")/.."
export CHECKPOINT_DISABLE=1

[ -d node_modules ] || npm ci --no-audit --no-fund

t0=$(date +%s)
echo "== build (tsc)"
npx tsc -p tsconfig.json
npx tsc -p tsconfig.test.json   # tests, examples and benchmarks type-check too

# The report page is checked in a real headless browser: Debian's chromium (best effort: the
# browser test reports itself skipped, with the reason, when there is none).
if ! command -v chromium >/dev/null 2>&1; then
  echo "== installing chromium (Debian) for the report's browser test"
  { apt-get install -y --no-install-recommends chromium </dev/null >/dev/null 2>&1 ||
    { apt-get update </dev/null >/dev/null 2>&1 && apt-get install -y --no-install-recommends chromium </dev/null >/dev/null 2>&1; }; } ||
    echo "WARNING: chromium could not be installed; the browser test will report itself skipped"
fi

echo "== test bed"
bash scripts/testbed/testbed.sh start
eval "$(bash scripts/testbed/testbed.sh env)"
t1=$(date +%s)

mkdir -p .manila-placement
rc=0
echo "== unit tests"
npx jest --selectProjects unit --json --outputFile=.manila-placement/jest-unit.json || rc=$?
echo "== integration and end-to-end tests (real Manila behind real Keystone)"
# One user of the test bed at a time (tests move its share servers around).
exec 9>"${MP_TESTBED_DIR:-/var/tmp/manila-placement-testbed}/tests.lock"
flock 9
npx jest --selectProjects integration e2e --runInBand --forceExit --json --outputFile=.manila-placement/jest-integration.json "$@" || rc=$?
t2=$(date +%s)

# One closing line any CI can read: N passed, N failed.
node -e '
const fs = require("fs");
let passed = 0, failed = 0, skipped = 0;
for (const f of [".manila-placement/jest-unit.json", ".manila-placement/jest-integration.json"]) {
  if (!fs.existsSync(f)) { failed++; continue; }
  const r = JSON.parse(fs.readFileSync(f, "utf8"));
  passed += r.numPassedTests; failed += r.numFailedTests + (r.numRuntimeErrorTestSuites || 0); skipped += r.numPendingTests + r.numTodoTests;
}
console.log(`timing: test bed ready in '"$((t1 - t0))"' s, tests took '"$((t2 - t1))"' s`);
console.log(`tests: ${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
if (passed === 0) process.exitCode = 1;
' || rc=1
exit $rc
