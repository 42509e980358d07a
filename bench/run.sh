#!/usr/bin/env bash
# npm run bench: benchmarks of manila-placement next to the way operators move share servers
# today (the `manila` CLI), on the same real Manila test bed.
#
#   1. build (tsc), as the CLI runs from dist/
#   2. planning scale (no test bed): plan() over 1,000 / 10,000 / 50,000 generated share
#      servers, synth of 100 / 1,000 placements                      -> bench/scale.ts
#   3. with the test bed lock held (other engineers' tests wait, and we wait for theirs):
#      start + reset the test bed, fleet move rounds (manila-placement vs a manila CLI loop)
#      -> bench/fleet.ts, read latency (status vs openstack)          -> bench/read.ts,
#      the reconciler's load at 1 and 6 in flight beside the previous release, and a fleet of 24
#      at two request budgets                                         -> bench/real-fleet.ts,
#      the same load with every phase 1 stretched to BENCH_LONG_PHASE1 s (240; 0 skips it)
#      then reset again so the test bed is left as found
#   4. production scale in the Manila simulator (no test bed: 1,000 servers, virtual time)
#                                                                      -> bench/simulate.ts
#   5. bench/results/latest.json, latest.md, fleet-timeline.svg      -> bench/report.ts
#      bench/results/real-fleet.json, real-fleet.md                   -> bench/real-fleet-report.ts
#      (simulate.ts writes simulation.json, simulation.md, simulation-inflight.svg itself)
#
# Environment: BENCH_ROUNDS (default 3), BENCH_READ_REPS (10), BENCH_SIZES (1000,10000,50000),
# BENCH_SYNTH (100,1000), BENCH_SKIP_TESTBED=1 (no test bed parts), BENCH_SKIP_REAL_FLEET=1,
# BENCH_LONG_PHASE1 (240 s; 0 skips that part), BENCH_SKIP_SIM=1, BENCH_SIM_ARGS (e.g. "--control --heap-probe 96"), MP_TESTBED_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
export CHECKPOINT_DISABLE=1

[ -d node_modules ] || npm ci --no-audit --no-fund
# GNU time measures peak memory; Debian's `time` package is small and not always installed.
if [ ! -x /usr/bin/time ]; then
  echo "== installing GNU time (/usr/bin/time)"
  apt-get install -y --no-install-recommends time >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y --no-install-recommends time >/dev/null; }
fi

t0=$(date +%s)
echo "== build (tsc)"
npx tsc -p tsconfig.json

TMPDIR_BENCH=bench/results/tmp
mkdir -p "$TMPDIR_BENCH"
rm -f "$TMPDIR_BENCH"/{scale,fleet,read,real-fleet,real-fleet-long}.json
rc=0

echo "== planning scale (no test bed)"
npx ts-node --transpile-only bench/scale.ts --out "$TMPDIR_BENCH/scale.json" \
  --sizes "${BENCH_SIZES:-1000,10000,50000}" --synth "${BENCH_SYNTH:-100,1000}"

if [ "${BENCH_SKIP_TESTBED:-0}" != 1 ]; then
  STATE="${MP_TESTBED_DIR:-/var/tmp/manila-placement-testbed}"
  mkdir -p "$STATE"
  echo "== waiting for the test bed lock ($STATE/tests.lock)"
  exec 9>"$STATE/tests.lock"
  flock 9
  t1=$(date +%s)
  echo "== test bed: start, reset"
  bash scripts/testbed/testbed.sh start
  bash scripts/testbed/testbed.sh reset
  eval "$(bash scripts/testbed/testbed.sh env --os)"

  echo "== fleet move: manila-placement vs manila CLI loop, ${BENCH_ROUNDS:-3} rounds"
  npx ts-node --transpile-only bench/fleet.ts --rounds "${BENCH_ROUNDS:-3}" --out "$TMPDIR_BENCH/fleet.json" || rc=$?
  echo "== read latency: manila-placement status vs openstack share server list"
  npx ts-node --transpile-only bench/read.ts --reps "${BENCH_READ_REPS:-10}" --out "$TMPDIR_BENCH/read.json" || rc=$?
  if [ "${BENCH_SKIP_REAL_FLEET:-0}" != 1 ]; then
    echo "== reconciler: load at 1 and 6 in flight (and the previous release), a fleet of 24"
    npx ts-node --transpile-only bench/real-fleet.ts --out "$TMPDIR_BENCH/real-fleet.json" || rc=$?
    if [ "${BENCH_LONG_PHASE1:-240}" != 0 ]; then
      echo "== reconciler: the same load with a phase 1 of ${BENCH_LONG_PHASE1:-240} s"
      npx ts-node --transpile-only bench/real-fleet.ts --skip-fleet --phase1-seconds "${BENCH_LONG_PHASE1:-240}" \
        --out "$TMPDIR_BENCH/real-fleet-long.json" || rc=$?
    fi
  fi

  echo "== test bed: reset (leave it as found)"
  bash scripts/testbed/testbed.sh reset || rc=$?
  exec 9>&-
  echo "timing: test bed held for $(($(date +%s) - t1)) s"
  [ $rc -eq 0 ] || echo "WARNING: a test bed part failed (exit $rc); the report shows what was measured" >&2
fi

if [ "${BENCH_SKIP_SIM:-0}" != 1 ]; then
  echo "== production scale in the Manila simulator (no test bed)"
  # shellcheck disable=SC2086 # BENCH_SIM_ARGS is a list of flags
  npx ts-node --transpile-only bench/simulate.ts --out bench/results ${BENCH_SIM_ARGS:-} || rc=$?
fi

echo "== report"
npx ts-node --transpile-only bench/report.ts --in "$TMPDIR_BENCH" --out bench/results
if [ -f "$TMPDIR_BENCH/real-fleet.json" ]; then
  long=()
  [ -f "$TMPDIR_BENCH/real-fleet-long.json" ] && long=(--long "$TMPDIR_BENCH/real-fleet-long.json")
  npx ts-node --transpile-only bench/real-fleet-report.ts --in "$TMPDIR_BENCH/real-fleet.json" --out bench/results "${long[@]}"
fi
echo "timing: bench took $(($(date +%s) - t0)) s; results in bench/results/latest.md"
exit $rc
