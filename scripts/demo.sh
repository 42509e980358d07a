#!/usr/bin/env bash
# The main job, end to end, on the local real Manila (npm run demo):
# install dependencies if needed, start the test bed (installing it on a fresh machine),
# put its six share servers back on node1@alpha, then plan and apply examples/evacuate-alpha
# with live progress, and show where every server went.
set -euo pipefail
cd "$(dirname "$0")/.."
export CHECKPOINT_DISABLE=1

[ -d node_modules ] || npm ci --no-audit --no-fund
npx tsc -p tsconfig.json

bash scripts/testbed/testbed.sh start
eval "$(bash scripts/testbed/testbed.sh env)"
export OS_CLOUD=testbed
echo "== resetting the test bed: six share servers on node1@alpha"
bash scripts/testbed/testbed.sh reset

ROOT=$PWD
mp() { node "$ROOT/bin/manila-placement" "$@"; }
cd examples/evacuate-alpha
echo
echo "== manila-placement plan   (examples/evacuate-alpha: empty node1@alpha onto beta and gamma)"
mp plan
echo
echo "== manila-placement apply --auto-approve --parallel 6"
rc=0
mp apply --auto-approve --parallel 6 --poll-interval 1 || rc=$?
echo
echo "== where the share servers are now"
mp servers
echo
echo "== manila-placement plan --detailed-exitcode   (0: the cloud matches the declaration)"
mp plan --detailed-exitcode && echo "exit 0: nothing left to do"
exit $rc
