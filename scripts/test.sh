#!/usr/bin/env bash
# The whole test suite, as README and .ci/run call it (`npm test`):
# type-check, build and lint, start the real Manila + Keystone test bed (installing it on a fresh
# machine), then unit tests, then integration and end-to-end tests against the test bed.
set -euo pipefail
cd "$(dirname "$0")/.."
export CHECKPOINT_DISABLE=1

[ -d node_modules ] || npm ci --no-audit --no-fund

t0=$(date +%s)
echo "== build (tsc)"
npx tsc -p tsconfig.json
npx tsc -p tsconfig.test.json   # tests, examples and benchmarks type-check too
echo "== lint (eslint, typescript-eslint)"
npx eslint .

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

# Then a chosen subset against OpenStack Epoxy (2025.1: Manila 20.0.0, Keystone 27, microversion
# 2.89) from a Debian 13 root: same ports, so the Zed test bed stops first. Skipped (and said so,
# never counted as passed) when the root cannot be built, e.g. without Debian's registry.
EPOXY_TESTS=(
  test/integration/manila/migration.test.ts   # the client's migration and error suites
  test/integration/manila/auth.test.ts        # Keystone 27: password, application credential, token, catalog
  test/integration/manila/microversion.test.ts
  test/integration/apply/paging.test.ts       # lists capped at osapi_max_limit
  test/e2e/evacuate.test.ts                   # one evacuation, as an operator runs it
  test/e2e/crash-matrix.test.ts               # SIGKILL after each step, then apply again
)
rm -f .manila-placement/jest-epoxy.json .manila-placement/epoxy-skipped.txt
epoxy_start_s=0
if [ "${MP_TEST_EPOXY:-1}" = 1 ] && [ $# -eq 0 ]; then
  echo "== Epoxy (2025.1): stopping the Zed test bed, starting Epoxy's"
  bash scripts/testbed/testbed.sh stop
  te0=$(date +%s)
  if MP_TESTBED_RELEASE=epoxy bash scripts/testbed/testbed.sh start >.manila-placement/epoxy-start.log 2>&1; then
    epoxy_start_s=$(($(date +%s) - te0))
    tail -n 3 .manila-placement/epoxy-start.log
    (
      eval "$(MP_TESTBED_RELEASE=epoxy bash scripts/testbed/testbed.sh env)"
      # env names MP_TESTBED_DIR only when it was set; the state dir is where testbed.json lives
      exec 8>"$(dirname "$MP_TESTBED_JSON")/tests.lock"
      flock 8
      npx jest --selectProjects integration e2e --runInBand --forceExit --json --outputFile=.manila-placement/jest-epoxy.json "${EPOXY_TESTS[@]}"
    ) || rc=$?
    MP_TESTBED_RELEASE=epoxy bash scripts/testbed/testbed.sh stop || true
  else
    why=$(grep -h 'ERROR' .manila-placement/epoxy-start.log | tail -n 1)
    echo "SKIPPED: the Epoxy part did not run: its test bed did not start: ${why:-see .manila-placement/epoxy-start.log}" | tee .manila-placement/epoxy-skipped.txt
    tail -n 20 .manila-placement/epoxy-start.log
  fi
else
  echo "SKIPPED: the Epoxy part (MP_TEST_EPOXY=0, or only some tests were asked for)" | tee .manila-placement/epoxy-skipped.txt
fi
t3=$(date +%s)

# One closing line any CI can read: N passed, N failed (and what was skipped).
node -e '
const fs = require("fs");
let passed = 0, failed = 0, skipped = 0;
const part = (f, must) => {
  if (!fs.existsSync(f)) { if (must) failed++; return "-"; }
  const r = JSON.parse(fs.readFileSync(f, "utf8"));
  passed += r.numPassedTests; failed += r.numFailedTests + (r.numRuntimeErrorTestSuites || 0); skipped += r.numPendingTests + r.numTodoTests;
  return `${r.numPassedTests} passed, ${r.numFailedTests} failed`;
};
part(".manila-placement/jest-unit.json", true);
part(".manila-placement/jest-integration.json", true);
const skippedEpoxy = fs.existsSync(".manila-placement/epoxy-skipped.txt") ? fs.readFileSync(".manila-placement/epoxy-skipped.txt", "utf8").trim() : "";
const epoxy = skippedEpoxy ? skippedEpoxy : part(".manila-placement/jest-epoxy.json", true);
console.log(`timing: test bed ready in '"$((t1 - t0))"' s, Zed tests took '"$((t2 - t1))"' s, Epoxy part took '"$((t3 - t2))"' s (its test bed '"$epoxy_start_s"' s)`);
console.log(`epoxy: ${epoxy}`);
console.log(`tests: ${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : "") + (skippedEpoxy ? " (Epoxy part skipped)" : ""));
if (passed === 0) process.exitCode = 1;
' || rc=1
exit $rc
