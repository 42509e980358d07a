#!/usr/bin/env bash
# Test bed for manila-placement: a real OpenStack Manila (dummy driver, five backends) behind a
# real Keystone, all on 127.0.0.1, as plain processes. Two releases (see README.md beside this
# file):
#   zed (default): Debian 12 bookworm packages on this machine (python3-manila 15.1.0).
#   epoxy:         Debian 13 trixie packages (python3-manila 20.0.0, 2025.1) in a debootstrap
#                  root under the state dir; every daemon runs in it (chroot).
#
#   testbed.sh install | start | stop | status | reset | restart <svc> [--down S] | env [--os] | logs | smoke
#              [--release zed|epoxy]
#
# Helpers beside it: tb.py (REST: Keystone setup, fixtures, reset, facts; stdlib only),
# keystone_server.py (threaded wsgiref server for Keystone), api-paste.ini (manila-api pipeline).
set -euo pipefail

T0=$(date +%s%3N)
elapsed() { local d=$(( $(date +%s%3N) - T0 )); printf '%d.%01d' $((d / 1000)) $(((d % 1000) / 100)); }
say() { printf '[%s +%ss] %s\n' "$(date +%H:%M:%S)" "$(elapsed)" "$*"; }
die() { printf '[%s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }
# die_log PIECE LOGFILE MESSAGE: print the tail of the piece's log, then fail.
die_log() {
  local piece=$1 log=$2; shift 2
  printf '[%s] ERROR: %s: %s (log: %s)\n' "$(date +%H:%M:%S)" "$piece" "$*" "$log" >&2
  if [[ -f $log ]]; then
    echo "----- last 30 lines of $log -----" >&2
    tail -n 30 "$log" >&2 || true
    echo "----- end of $log -----" >&2
  fi
  exit 1
}

# ---------------------------------------------------------------------------------------------
# release and state dir: --release zed|epoxy (anywhere after the command; taken out of the
# arguments here, since the state dir and so everything below depend on it), else
# MP_TESTBED_RELEASE, else the release recorded in MP_TESTBED_DIR (<state>/release), else zed.
# ---------------------------------------------------------------------------------------------
RELEASE_ARG=""
ARGV=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --release) [[ $# -ge 2 ]] || die "--release needs a value: zed or epoxy"; RELEASE_ARG=$2; shift 2 ;;
    --release=*) RELEASE_ARG=${1#--release=}; shift ;;
    *) ARGV+=("$1"); shift ;;
  esac
done
if [[ -n $RELEASE_ARG ]]; then
  RELEASE=$RELEASE_ARG RELEASE_FROM="--release"
elif [[ -n ${MP_TESTBED_RELEASE:-} ]]; then
  RELEASE=$MP_TESTBED_RELEASE RELEASE_FROM=MP_TESTBED_RELEASE
elif [[ -n ${MP_TESTBED_DIR:-} && -s ${MP_TESTBED_DIR}/release ]]; then
  RELEASE=$(tr -dc '[:lower:]' <"$MP_TESTBED_DIR/release") RELEASE_FROM="$MP_TESTBED_DIR/release"
else
  RELEASE=zed RELEASE_FROM=default
fi

TB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
case "$RELEASE" in
  zed)
    STATE="${MP_TESTBED_DIR:-/var/tmp/manila-placement-testbed}"
    ROOT=""  # the host's own packages
    ;;
  epoxy)
    # Absolute and without symlinks: the state dir is bind-mounted at the same path inside the
    # root, and processes are recognised by it (MP_TESTBED_TAG).
    STATE=$(realpath -m -- "${MP_TESTBED_DIR:-/var/tmp/manila-placement-testbed-epoxy}")
    [[ $STATE != / ]] || die "MP_TESTBED_DIR must not be /"
    ROOT="$STATE/root"  # Debian 13 (trixie) root made with debootstrap; every daemon runs in it
    ;;
  *) die "unknown release '$RELEASE' (from $RELEASE_FROM): zed or epoxy" ;;
esac
DEBIAN_SUITE=trixie
DEBIAN_MIRROR="${MP_TESTBED_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PY=/usr/bin/python3  # for epoxy, the root's (every daemon and manage command runs in the root)
CONTINUE_INTERVAL="${MP_TESTBED_CONTINUE_INTERVAL:-5}"
PKGS=(python3-manila python3-manilaclient rabbitmq-server mariadb-server python3-keystone python3-openstackclient)

# MP_TESTBED_PORT_OFFSET (development knob, default 0) shifts every TCP port the test bed
# listens on, so a second test bed can run beside one on the standard ports; epmd (4369) is
# shared. A non-zero offset also gives RabbitMQ its own node name (epmd knows nodes by name).
PORT_OFFSET="${MP_TESTBED_PORT_OFFSET:-0}"
if ! [[ $PORT_OFFSET =~ ^[0-9]{1,5}$ ]] || (( 10#$PORT_OFFSET > 39000 )); then
  die "MP_TESTBED_PORT_OFFSET must be a whole number from 0 to 39000, got '$PORT_OFFSET'"
fi
PORT_OFFSET=$((10#$PORT_OFFSET))
KS_PORT=$((5000 + PORT_OFFSET))
KS_SHORT_PORT=$((5001 + PORT_OFFSET))
MANILA_PORT=$((8786 + PORT_OFFSET))
AMQP_PORT=$((5672 + PORT_OFFSET))
DIST_PORT=$((25672 + PORT_OFFSET))
EPMD_PORT=4369
if [[ $PORT_OFFSET == 0 ]]; then RABBIT_NODE=mp-testbed@localhost; else RABBIT_NODE="mp-testbed-$PORT_OFFSET@localhost"; fi
HOSTNAME_MANILA=node1
# alpha, beta, gamma: Manila's dummy driver, with phase 1 stretched while the file
# drivers/phase1-seconds exists (benchmarks only). faulty: phase 1 fails (the driver raises in
# share_server_migration_continue). readonly: migration_check answers writable: false, so
# Manila casts access rules read-only during phase 1. See mp_testbed_drivers.py.
# delta, epsilon: the dummy driver with driver_handles_share_servers = False: no share servers,
# so shares move one by one (share migration, issue 24).
BACKENDS=(alpha beta gamma faulty readonly delta epsilon)
declare -A BACKEND_DHSS=([delta]=False [epsilon]=False)
declare -A BACKEND_DRIVER=(
  [alpha]=mp_testbed_drivers.PacedDummyDriver
  [beta]=mp_testbed_drivers.PacedDummyDriver
  [gamma]=mp_testbed_drivers.PacedDummyDriver
  [faulty]=mp_testbed_drivers.FailingContinueDummyDriver
  [readonly]=mp_testbed_drivers.ReadOnlyDummyDriver
  [delta]=mp_testbed_drivers.PacedDummyDriver
  [epsilon]=mp_testbed_drivers.PacedDummyDriver
)
DUMMY_DRIVER=manila.tests.share.drivers.dummy.DummyDriver
# Low on purpose: Manila cuts share network lists (and snapshot lists asked with a limit) at
# osapi_max_limit, so every test reads through the tool's pager.
OSAPI_MAX_LIMIT="${MP_TESTBED_OSAPI_MAX_LIMIT:-4}"

# ---------------------------------------------------------------------------------------------
# install
# ---------------------------------------------------------------------------------------------
pkgs_installed() {
  local p st
  for p in "${PKGS[@]}"; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ $st == "install ok installed" ]] || return 1
  done
  return 0
}

cmd_install() {
  if [[ -n $ROOT ]]; then
    if root_ready; then say "install: the root $ROOT is ready"; else build_root; fi
    if ! any_running; then unmount_root; fi  # start mounts again what it needs
    return 0
  fi
  if pkgs_installed; then
    say "install: packages already installed"
    return 0
  fi
  [[ $(id -u) == 0 ]] || die "install: must run as root (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  local need_update=0 policy
  # One call, captured (a `| grep -q` under pipefail would fail on SIGPIPE).
  policy=$(apt-cache policy "${PKGS[@]}" 2>/dev/null || true)
  if [[ $(grep -c 'Candidate: [0-9]' <<<"$policy" || true) != "${#PKGS[@]}" ]]; then need_update=1; fi
  if [[ $need_update == 1 ]]; then
    say "install: apt-get update"
    apt-get update </dev/null >/dev/null || die "install: apt-get update failed"
  fi
  local created_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\n# manila-placement test bed: no service starts during apt-get install\nexit 101\n' \
      >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    created_policy=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  mkdir -p "$STATE/logs"
  local rc=0 log="$STATE/logs/apt.log"
  say "install: apt-get install ${PKGS[*]} (log $log)"
  apt_install() {
    apt-get install -y --no-install-recommends -o Dpkg::Options::=--force-confdef \
      -o Dpkg::Options::=--force-confold "${PKGS[@]}" </dev/null >>"$log" 2>&1
  }
  if ! apt_install; then
    # stale package lists give 404s on download: refresh them once and try again
    say "install: failed; apt-get update and one more try"
    apt-get update </dev/null >>"$log" 2>&1 || true
    apt_install || rc=$?
  fi
  if [[ $created_policy == 1 ]]; then rm -f /usr/sbin/policy-rc.d; trap - EXIT; fi
  [[ $rc == 0 ]] || die_log install "$log" "apt-get install failed (exit $rc)"
  say "install: done"
}

# ---------------------------------------------------------------------------------------------
# epoxy: the Debian 13 root, <state>/root. Built once (debootstrap, then apt-get install in it;
# each step leaves a marker file in the root) and reused by every later start. /proc, /dev, /sys
# and the state dir are bind-mounted into it, the state dir at its own path, so every path in
# the configuration files is the same inside and outside. start mounts what is not mounted and
# records it in <state>/mounts; stop unmounts what is recorded there, in reverse order.
# ---------------------------------------------------------------------------------------------
ROOT_BOOTSTRAPPED="$ROOT/.mp-testbed-debootstrap-done"
ROOT_READY="$ROOT/.mp-testbed-packages-done"
MOUNTS_FILE="$STATE/mounts"

root_ready() { [[ -n $ROOT && -f $ROOT_READY ]]; }

# in_root CMD...: zed: CMD on this machine. epoxy: CMD in the root, in the current directory
# when that is in the state dir (mounted at the same path), else in the state dir.
in_root() {
  if [[ -z $ROOT ]]; then
    "$@"
  else
    local dir=$STATE
    if [[ $PWD == "$STATE" || $PWD == "$STATE"/* ]]; then dir=$PWD; fi
    chroot "$ROOT" /usr/bin/env -C "$dir" "$@"
  fi
}

is_mounted() { findmnt -rn -M "$1" >/dev/null 2>&1; }

# mount points strictly below DIR
mounts_below() { findmnt -rn -o TARGET | awk -v p="$1/" 'index($0, p) == 1' || true; }

# PIDs of the processes whose root directory is the root (whoever started them)
procs_in_root() {
  local p
  for p in /proc/[0-9]*; do
    if [[ $(readlink "$p/root" 2>/dev/null || true) == "$ROOT" ]]; then echo "${p#/proc/}"; fi
  done
  return 0
}

root_mount() {
  local src=$1 dst=$2
  if is_mounted "$dst"; then return 0; fi
  mkdir -p "$dst"
  mount --bind "$src" "$dst" || die "root: mount --bind $src $dst failed"
  touch "$MOUNTS_FILE"
  grep -qxF -- "$dst" "$MOUNTS_FILE" || echo "$dst" >>"$MOUNTS_FILE"
  say "root: mounted $src on $dst"
}

ensure_mounts() {
  root_mount /proc "$ROOT/proc"
  root_mount /dev "$ROOT/dev"
  root_mount /sys "$ROOT/sys"
  root_mount "$STATE" "$ROOT$STATE"
}

# unmount what start mounted (<state>/mounts), last mounted first
unmount_root() {
  [[ -n $ROOT && -f $MOUNTS_FILE ]] || return 0
  local -a targets=()
  local t i n
  mapfile -t targets <"$MOUNTS_FILE"
  for ((i = ${#targets[@]} - 1; i >= 0; i--)); do
    t=${targets[i]}
    if [[ -z $t ]] || ! is_mounted "$t"; then continue; fi
    for ((n = 0; n < 20; n++)); do
      umount "$t" 2>/dev/null && break
      sleep 0.25
    done
    if is_mounted "$t"; then
      die "stop: cannot unmount $t: busy (processes in the root: $(procs_in_root | tr '\n' ' ')); stop them, then run stop again"
    fi
    say "stop: unmounted $t"
  done
  rm -f "$MOUNTS_FILE"
}

# root_fail STEP LOG MESSAGE: building the root failed: undo this build's mounts, then fail
root_fail() {
  local step=$1 log=$2; shift 2
  if [[ -z $(procs_in_root) ]]; then unmount_root >/dev/null 2>&1 || true; fi
  die_log "root: $step" "$log" "$*"
}

build_root() {
  [[ $(id -u) == 0 ]] || die "root: must run as root (debootstrap, mount, chroot)"
  mkdir -p "$STATE/logs"
  chmod 700 "$STATE"
  local log="$STATE/logs/root.log"
  if [[ ! -f $ROOT_BOOTSTRAPPED ]]; then
    if ! command -v debootstrap >/dev/null; then
      say "root: apt-get install debootstrap (on this machine)"
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends debootstrap \
        </dev/null >>"$log" 2>&1 || root_fail "installing debootstrap" "$log" "apt-get install debootstrap failed"
    fi
    if [[ -e $ROOT ]]; then
      unmount_root
      if [[ -n $(mounts_below "$ROOT") ]]; then
        die "root: $ROOT is incomplete (no $ROOT_BOOTSTRAPPED) and has mounts below it: $(mounts_below "$ROOT" | tr '\n' ' '); unmount them, then start again"
      fi
      say "root: removing the incomplete root $ROOT (an earlier debootstrap did not finish)"
      rm -rf --one-file-system "$ROOT"
    fi
    say "root: checking $DEBIAN_MIRROR"
    "$PY" - "$DEBIAN_MIRROR/dists/$DEBIAN_SUITE/Release" >>"$log" 2>&1 <<'EOF' ||
import sys, urllib.request
for attempt in (1, 2):
    try:
        with urllib.request.urlopen(sys.argv[1], timeout=20) as r:
            r.read(1)
        sys.exit(0)
    except Exception as e:
        print("mirror check %d: %s: %s" % (attempt, sys.argv[1], e))
sys.exit(1)
EOF
      root_fail "mirror check" "$log" "cannot reach $DEBIAN_MIRROR/dists/$DEBIAN_SUITE/Release (no network to the Debian mirror?)"
    say "root: debootstrap --variant=minbase $DEBIAN_SUITE $ROOT $DEBIAN_MIRROR (log $log)"
    printf '===== %s debootstrap\n' "$(date -Is)" >>"$log"
    timeout 1200 debootstrap --variant=minbase "$DEBIAN_SUITE" "$ROOT" "$DEBIAN_MIRROR" </dev/null >>"$log" 2>&1 ||
      root_fail debootstrap "$log" "debootstrap --variant=minbase $DEBIAN_SUITE $ROOT $DEBIAN_MIRROR failed (network to the mirror?); the next start removes the partial root and tries again"
    touch "$ROOT_BOOTSTRAPPED"
    say "root: debootstrap done"
  fi
  # no service starts in the root during apt-get install (the test bed starts its own)
  printf '#!/bin/sh\n# manila-placement test bed: no service starts in this root\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
  chmod 755 "$ROOT/usr/sbin/policy-rc.d"
  cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true  # apt-get in the root resolves the mirror
  ensure_mounts
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get)
  say "root: apt-get update in the root (log $log)"
  printf '===== %s apt-get update\n' "$(date -Is)" >>"$log"
  in_root "${apt[@]}" update --error-on=any </dev/null >>"$log" 2>&1 ||
    root_fail "apt-get update" "$log" "apt-get update in $ROOT failed (network to $DEBIAN_MIRROR?)"
  say "root: apt-get install ${PKGS[*]} in the root"
  printf '===== %s apt-get install\n' "$(date -Is)" >>"$log"
  in_root "${apt[@]}" install -y --no-install-recommends -o Dpkg::Options::=--force-confdef \
    -o Dpkg::Options::=--force-confold "${PKGS[@]}" </dev/null >>"$log" 2>&1 ||
    root_fail "apt-get install" "$log" "apt-get install in $ROOT failed (network to $DEBIAN_MIRROR?)"
  in_root apt-get clean >>"$log" 2>&1 || true
  touch "$ROOT_READY"
  say "root: $ROOT ready"
}


# ---------------------------------------------------------------------------------------------
# state, secrets, configuration
# ---------------------------------------------------------------------------------------------
PIDS="$STATE/pids"
LOGS="$STATE/logs"
MYCNF="$STATE/mysql/my.cnf"
SOCK="$STATE/mysql/mysqld.sock"
KSCONF="$STATE/keystone/keystone.conf"
KSCONF_SHORT="$STATE/keystone/keystone-short.conf"
KS_SHORT_EXPIRATION=${MP_TESTBED_SHORT_TOKEN_SECONDS:-20}
MCONF="$STATE/manila/manila.conf"
DRIVER_DELAY="${MP_TESTBED_DRIVER_DELAY:-2.0}"
ALL_PIECES=(mariadb epmd rabbitmq keystone keystone-short manila-api manila-scheduler manila-share)

# Fixture share servers: --servers N (or MP_TESTBED_SERVERS) on start, kept in the state dir
# for reset; a start without either goes back to the default 6 (CI's size).
SERVERS_FILE="$STATE/fixture-servers"
DEFAULT_SERVERS=6

export MP_TB_STATE="$STATE" MP_TB_T0="$T0" MP_TB_KS_PORT="$KS_PORT" MP_TB_KS_SHORT_PORT="$KS_SHORT_PORT"
export MP_TB_KS_SHORT_EXPIRATION="$KS_SHORT_EXPIRATION" MP_TB_MANILA_PORT="$MANILA_PORT"
export MP_TB_HOST="$HOSTNAME_MANILA" MP_TB_BACKENDS="$(IFS=,; echo "${BACKENDS[*]}")"
export MP_TB_CONTINUE_INTERVAL="$CONTINUE_INTERVAL" MP_TB_DRIVER_DELAY="$DRIVER_DELAY"
export MP_TB_AMQP_PORT="$AMQP_PORT" MP_TB_RELEASE="$RELEASE"

tb() { "$PY" "$TB_DIR/tb.py" "$@"; }

# Keystone's server wrapper: epoxy runs it in the root, so it is copied into the state dir
if [[ -n $ROOT ]]; then KS_SERVER="$STATE/keystone/keystone_server.py"; else KS_SERVER="$TB_DIR/keystone_server.py"; fi

gen_secret() { head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24; }

ensure_secrets() {
  local f="$STATE/secrets.env" k
  touch "$f"; chmod 600 "$f"
  for k in MP_DB_KEYSTONE_PW MP_DB_MANILA_PW MP_RABBIT_PW MP_ADMIN_PW MP_MANILA_PW MP_DEMO_PW \
           MP_ADMIN_APPCRED_SECRET MP_DEMO_APPCRED_SECRET; do
    grep -q "^$k=" "$f" || echo "$k=$(gen_secret)" >>"$f"
  done
  grep -q '^MP_RABBIT_USER=' "$f" || echo "MP_RABBIT_USER=mp-testbed" >>"$f"
  # shellcheck disable=SC1090
  source "$f"
}

# write_if_changed FILE: content on stdin; returns 0 when the file changed
write_if_changed() {
  local f=$1 tmp
  tmp=$(mktemp "$f.XXXXXX")
  cat >"$tmp"
  if [[ -f $f ]] && cmp -s "$tmp" "$f"; then rm -f "$tmp"; return 1; fi
  chmod 600 "$tmp"; mv -f "$tmp" "$f"; return 0
}

CHANGED_MANILA=0
CHANGED_KEYSTONE=0

render_configs() {
  mkdir -p "$PIDS" "$LOGS" "$STATE/mysql" "$STATE/rabbitmq/home" "$STATE/rabbitmq/mnesia" \
    "$STATE/rabbitmq/log" "$STATE/keystone" "$STATE/manila/state" "$STATE/manila/lock"
  chmod 700 "$STATE"
  if [[ -n $ROOT ]]; then cp -f "$TB_DIR/keystone_server.py" "$KS_SERVER"; fi
  write_if_changed "$MYCNF" <<EOF || true
[mysqld]
user = root
datadir = $STATE/mysql/data
socket = $SOCK
pid-file = $STATE/mysql/mysqld.pid
skip-networking
log-error = $LOGS/mariadb.log
innodb_buffer_pool_size = 64M
innodb_log_file_size = 32M
character-set-server = utf8mb3
collation-server = utf8mb3_general_ci
max_connections = 500
skip-log-bin
skip-name-resolve

[client]
socket = $SOCK
user = root
EOF
  write_if_changed "$STATE/rabbitmq/rabbitmq.conf" <<EOF || true
listeners.tcp.default = 127.0.0.1:$AMQP_PORT
default_user = $MP_RABBIT_USER
default_pass = $MP_RABBIT_PW
loopback_users = none
log.console = false
log.file.level = info
EOF
  write_if_changed "$STATE/rabbitmq/enabled_plugins" <<<'[].' || true
  : >"$STATE/rabbitmq/rabbitmq-env.conf"

  local ksdb="mysql+pymysql://keystone:$MP_DB_KEYSTONE_PW@localhost/keystone?unix_socket=$SOCK&charset=utf8"
  local exp
  for exp in 3600 "$KS_SHORT_EXPIRATION"; do
    local f=$KSCONF; [[ $exp == 3600 ]] || f=$KSCONF_SHORT
    write_if_changed "$f" <<EOF && CHANGED_KEYSTONE=1 || true
# manila-placement test bed: Keystone on 127.0.0.1 (written by testbed.sh)
[DEFAULT]
use_stderr = true
debug = false

[database]
connection = $ksdb
max_pool_size = 10

[token]
provider = fernet
expiration = $exp
# tokens and revocation events are never cached: a revoked token fails at once
caching = false

[revoke]
caching = false

[application_credential]
caching = false

[fernet_tokens]
key_repository = $STATE/keystone/fernet-keys

[credential]
key_repository = $STATE/keystone/credential-keys

# An in-process cache for roles, assignments, catalog and projects: token validation drops
# from ~0.55 s to ~10 ms. Entries live 10 s, which bounds how long the other Keystone process
# may see a stale role assignment or catalog change.
[cache]
enabled = true
backend = oslo_cache.dict
expiration_time = 10

[identity]
password_hash_rounds = 4
EOF
  done

  cp -f "$TB_DIR/api-paste.ini" "$STATE/manila/api-paste.ini"
  if [[ -n $ROOT ]]; then
    # Epoxy's oslo.policy parses '{}' as JSON, warns that JSON policy files are deprecated, and
    # the warning fails to format (a traceback per worker in manila-api.log): YAML, no rules.
    write_if_changed "$STATE/manila/policy.yaml" <<<'# defaults (written by testbed.sh)' || true
  else
    write_if_changed "$STATE/manila/policy.yaml" <<<'{}' || true
  fi
  # The dummy driver's own per-method delays, except ensure_share (run for every share each
  # time manila-share starts): 1.05 s -> 0.05 s, so a restart does not cost 6+ s.
  local DUMMY_METHOD_DELAYS="ensure_share:0.05,create_share:3.98,get_pool:0.5,do_setup:0.05"
  DUMMY_METHOD_DELAYS+=",_get_pools_info:0.1,_update_share_stats:0.3,create_replica:3.99"
  DUMMY_METHOD_DELAYS+=",delete_replica:2.98,promote_replica:0.75,update_replica_state:0.85"
  DUMMY_METHOD_DELAYS+=",create_replicated_snapshot:4.15,delete_replicated_snapshot:3.16"
  DUMMY_METHOD_DELAYS+=",update_replicated_snapshot:1.17,migration_start:1.01,migration_continue:1.02"
  DUMMY_METHOD_DELAYS+=",migration_complete:1.03,migration_cancel:1.04,migration_get_progress:1.05"
  DUMMY_METHOD_DELAYS+=",migration_check_compatibility:0.05"
  # The test bed's own drivers are importable by manila-share from the state dir.
  mkdir -p "$STATE/manila/drivers"
  # manila-share imports them once: a changed driver needs a restart, as a changed manila.conf does.
  if ! cmp -s "$TB_DIR/mp_testbed_drivers.py" "$STATE/manila/drivers/mp_testbed_drivers.py"; then
    cp -f "$TB_DIR/mp_testbed_drivers.py" "$STATE/manila/drivers/mp_testbed_drivers.py"
    CHANGED_MANILA=1
  fi
  # A benchmark that died left phase 1 stretched: start gives the dummy driver's own pace back.
  rm -f "$STATE/manila/drivers/phase1-seconds"
  local b backends_ini="" upper
  for b in "${BACKENDS[@]}"; do
    upper=$(tr '[:lower:]' '[:upper:]' <<<"$b")
    backends_ini+="
[$b]
share_driver = ${BACKEND_DRIVER[$b]:-$DUMMY_DRIVER}
driver_handles_share_servers = ${BACKEND_DHSS[$b]:-True}
share_backend_name = $upper
network_config_group = membernet
admin_network_config_group = adminnet
dummy_driver_default_driver_method_delay = $DRIVER_DELAY
dummy_driver_driver_methods_delays = $DUMMY_METHOD_DELAYS
"
  done
  # Options that only the release's Manila has (empty for zed, so its manila.conf stays as it was)
  local release_opts=""
  if [[ $RELEASE == epoxy ]]; then
    # Manila 20 sets every share of a backend to 'ensuring' when manila-share starts and, for a
    # driver without ensure_shares (the dummy driver), never sets them back to 'available'.
    release_opts+=$'\n'"# Epoxy: shares would stay 'ensuring' after every manila-share start (dummy driver)"
    release_opts+=$'\n'"update_shares_status_on_ensure = False"
  fi
  write_if_changed "$MCONF" <<EOF && CHANGED_MANILA=1 || true
# manila-placement test bed: Manila on 127.0.0.1 (written by testbed.sh)
[DEFAULT]
host = $HOSTNAME_MANILA
my_ip = 127.0.0.1
auth_strategy = keystone
transport_url = rabbit://$MP_RABBIT_USER:$MP_RABBIT_PW@127.0.0.1:$AMQP_PORT/
api_paste_config = $STATE/manila/api-paste.ini
state_path = $STATE/manila/state
osapi_share_listen = 127.0.0.1
osapi_share_listen_port = $MANILA_PORT
osapi_share_workers = 1
osapi_max_limit = $OSAPI_MAX_LIMIT
enabled_share_backends = $(IFS=,; echo "${BACKENDS[*]}")
enabled_share_protocols = NFS,CIFS
periodic_interval = 5
periodic_fuzzy_delay = 0
report_interval = 5
server_migration_driver_continue_update_interval = $CONTINUE_INTERVAL
# share migration's phase-1 poll (default 60 s): the dummy driver needs two of them
migration_driver_continue_update_interval = $CONTINUE_INTERVAL
automatic_share_server_cleanup = False
graceful_shutdown_timeout = 5
use_stderr = true
debug = false$release_opts

[oslo_policy]
policy_file = $STATE/manila/policy.yaml

[oslo_concurrency]
lock_path = $STATE/manila/lock

[database]
connection = mysql+pymysql://manila:$MP_DB_MANILA_PW@localhost/manila?unix_socket=$SOCK&charset=utf8
max_pool_size = 10

[keystone_authtoken]
www_authenticate_uri = http://127.0.0.1:$KS_PORT
auth_url = http://127.0.0.1:$KS_PORT
auth_type = password
username = manila
password = $MP_MANILA_PW
project_name = service
user_domain_name = Default
project_domain_name = Default
region_name = RegionOne
# keystonemiddleware's default: a validated token is kept 300 s (its expiry is still checked on
# every request). Validating each request at Keystone cost about a tenth of the suite's CPU.
token_cache_time = 300

[membernet]
network_api_class = manila.network.standalone_network_plugin.StandaloneNetworkPlugin
standalone_network_plugin_gateway = 10.190.0.1
standalone_network_plugin_mask = 255.255.0.0
standalone_network_plugin_network_type = vlan
standalone_network_plugin_segmentation_id = 1010
standalone_network_plugin_allowed_ip_ranges = 10.190.1.1-10.190.4.254

[adminnet]
network_api_class = manila.network.standalone_network_plugin.StandaloneNetworkPlugin
standalone_network_plugin_gateway = 10.191.0.1
standalone_network_plugin_mask = 255.255.0.0
standalone_network_plugin_network_type = vlan
standalone_network_plugin_segmentation_id = 1011
standalone_network_plugin_allowed_ip_ranges = 10.191.1.1-10.191.4.254
$backends_ini
EOF
}

# ---------------------------------------------------------------------------------------------
# processes: every daemon is started with setsid (its own process group) and the environment
# variable MP_TESTBED_TAG=<state dir>; a PID counts as ours only if it carries that tag, so a
# stale PID file (after a reboot, PID reused) never makes us signal a stranger.
# ---------------------------------------------------------------------------------------------
pid_of() { local p; p=$(cat "$PIDS/$1.pid" 2>/dev/null || true); echo "${p//[^0-9]/}"; }

# is_ours PID [PIECE]: PID carries our tag (and, if given, the piece's name)
is_ours() {
  local pid=$1 piece=${2:-} env
  [[ -n $pid && -r /proc/$pid/environ ]] || return 1
  env=$'\n'$(tr '\0' '\n' 2>/dev/null </proc/"$pid"/environ || true)$'\n'
  [[ $env == *$'\n'"MP_TESTBED_TAG=$STATE"$'\n'* ]] || return 1
  [[ -z $piece || $env == *$'\n'"MP_TESTBED_PIECE=$piece"$'\n'* ]]
}

running() { is_ours "$(pid_of "$1")" "$1"; }

# our processes in the process group led by $1 (the leader may be gone already)
group_members() {
  local pg=$1 piece=$2 p
  for p in $(ps -e -o pid=,pgid= | awk -v g="$pg" '$2==g {print $1}'); do
    if is_ours "$p" "$piece"; then echo "$p"; fi
  done
  return 0
}

log_of() { echo "$LOGS/$1.log"; }

# launch NAME CMD...: start CMD detached in its own session, output to the piece's log
launch() {
  local name=$1; shift
  local log; log=$(log_of "$name")
  printf '===== %s start: %s\n' "$(date -Is)" "$*" >>"$log"
  (
    # A daemon must hold no inherited descriptor: not the command lock (9), nor a lock a
    # caller holds (`flock tests.lock testbed.sh start`, the test runner's fd 9), which it
    # would otherwise keep for its whole life.
    local fd
    for fd in /proc/self/fd/*; do
      fd=${fd##*/}
      if (( fd > 2 )); then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    export MP_TESTBED_TAG="$STATE" MP_TESTBED_PIECE="$name"
    cd "$STATE"
    # epoxy: in the root; chroot and env exec, so the PID stays the daemon's
    if [[ -n $ROOT ]]; then set -- chroot "$ROOT" /usr/bin/env -C "$STATE" "$@"; fi
    exec setsid "$@" >>"$log" 2>&1 </dev/null
  ) &
  echo $! >"$PIDS/$name.pid"
}

stop_piece() {
  local name=$1 timeout=${2:-15} pid members i
  pid=$(pid_of "$name")
  [[ -n $pid ]] || { rm -f "$PIDS/$name.pid"; return 0; }
  members=$(group_members "$pid" "$name")
  if [[ -z $members ]]; then
    rm -f "$PIDS/$name.pid"
    return 0
  fi
  say "stop: $name (pid $pid)"
  # shellcheck disable=SC2086
  kill -TERM $members 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    members=$(group_members "$pid" "$name")
    [[ -z $members ]] && break
    # Epoxy's manila-share parent dies on TERM (ServiceNotFound in its own stop) without waiting
    # for its workers, which then hang in their shutdown until a second TERM (else 15 s + KILL)
    if [[ $RELEASE == epoxy && $i == 20 ]]; then
      # shellcheck disable=SC2086
      kill -TERM $members 2>/dev/null || true
    fi
    sleep 0.1
  done
  if [[ -n $members ]]; then
    say "stop: $name did not stop in ${timeout}s: SIGKILL $(echo $members)"
    # shellcheck disable=SC2086
    kill -KILL $members 2>/dev/null || true
    sleep 0.3
  fi
  rm -f "$PIDS/$name.pid"
}

# epoxy, before unmounting: processes that carry this test bed's tag but are in no recorded
# process group (a worker left behind by a group leader that died) would keep the mounts busy
stop_stragglers() {
  local p pid left=() i
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    if [[ $pid != "$$" ]] && is_ours "$pid"; then left+=("$pid"); fi
  done
  [[ ${#left[@]} -gt 0 ]] || return 0
  say "stop: stray processes of this test bed: ${left[*]}"
  kill -TERM "${left[@]}" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    local alive=()
    for pid in "${left[@]}"; do if is_ours "$pid"; then alive+=("$pid"); fi; done
    [[ ${#alive[@]} -gt 0 ]] || return 0
    sleep 0.1
  done
  say "stop: SIGKILL ${alive[*]}"
  kill -KILL "${alive[@]}" 2>/dev/null || true
  sleep 0.3
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

require_port_free() {
  local port=$1 piece=$2 i
  # A piece just stopped can hold its port a moment longer while it exits (seen on a loaded
  # machine: the listener was gone by the time ss looked): give it 10 s before refusing.
  for ((i = 0; i < 50; i++)); do
    port_open "$port" || return 0
    sleep 0.2
  done
  if port_open "$port"; then
    die "$piece: 127.0.0.1:$port is already in use by a process that is not this test bed's ($(ss -ltnpH "sport = :$port" 2>/dev/null | head -1)); stop it or free the port"
  fi
}

wait_port() {
  local port=$1 piece=$2 timeout=${3:-60} i
  for ((i = 0; i < timeout * 10; i++)); do
    port_open "$port" && return 0
    # Just launched, the subshell may not have exec'd the daemon yet (its environ is still the
    # shell's, without our tag): only a PID that is gone, or not ours after 2 s, has exited.
    if ! running "$piece"; then
      local pid; pid=$(pid_of "$piece")
      if [[ -z $pid ]] || ! kill -0 "$pid" 2>/dev/null || ((i > 20)); then
        die_log "$piece" "$(log_of "$piece")" "process exited during start"
      fi
    fi
    sleep 0.1
  done
  die_log "$piece" "$(log_of "$piece")" "127.0.0.1:$port not listening after ${timeout}s"
}

# ---------------------------------------------------------------------------------------------
# pieces
# ---------------------------------------------------------------------------------------------
mysql_root() { in_root mariadb --defaults-file="$MYCNF" "$@"; }

start_mariadb() {
  if running mariadb; then return 0; fi
  local log; log=$(log_of mariadb)
  if [[ ! -d $STATE/mysql/data/mysql ]]; then
    say "mariadb: initialising data dir"
    rm -rf "$STATE/mysql/data"
    in_root mariadb-install-db --defaults-file="$MYCNF" --auth-root-authentication-method=socket \
      --skip-test-db --user=root >>"$log" 2>&1 || die_log mariadb "$log" "mariadb-install-db failed"
  fi
  rm -f "$SOCK" "$STATE/mysql/mysqld.pid"  # stale after a crash or reboot
  say "mariadb: starting (socket $SOCK, no TCP)"
  launch mariadb /usr/sbin/mariadbd --defaults-file="$MYCNF"
  local i
  for ((i = 0; i < 600; i++)); do
    in_root mariadb-admin --defaults-file="$MYCNF" ping >/dev/null 2>&1 && break
    running mariadb || die_log mariadb "$log" "mariadbd exited during start"
    sleep 0.1
  done
  in_root mariadb-admin --defaults-file="$MYCNF" ping >/dev/null 2>&1 || die_log mariadb "$log" "not answering after 60s"
  say "mariadb: up"
}

ensure_databases() {
  mysql_root <<EOF || die_log mariadb "$(log_of mariadb)" "creating databases failed"
CREATE DATABASE IF NOT EXISTS keystone;
CREATE DATABASE IF NOT EXISTS manila;
CREATE USER IF NOT EXISTS 'keystone'@'localhost' IDENTIFIED BY '$MP_DB_KEYSTONE_PW';
ALTER USER 'keystone'@'localhost' IDENTIFIED BY '$MP_DB_KEYSTONE_PW';
GRANT ALL PRIVILEGES ON keystone.* TO 'keystone'@'localhost';
CREATE USER IF NOT EXISTS 'manila'@'localhost' IDENTIFIED BY '$MP_DB_MANILA_PW';
ALTER USER 'manila'@'localhost' IDENTIFIED BY '$MP_DB_MANILA_PW';
GRANT ALL PRIVILEGES ON manila.* TO 'manila'@'localhost';
FLUSH PRIVILEGES;
EOF
}

rabbit_env() {
  export HOME="$STATE/rabbitmq/home"
  export RABBITMQ_NODENAME="$RABBIT_NODE"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT="$AMQP_PORT"
  export RABBITMQ_DIST_PORT="$DIST_PORT"
  export ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_CONFIG_FILE="$STATE/rabbitmq/rabbitmq.conf"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$STATE/rabbitmq/enabled_plugins"
  export RABBITMQ_CONF_ENV_FILE="$STATE/rabbitmq/rabbitmq-env.conf"
  export RABBITMQ_MNESIA_BASE="$STATE/rabbitmq/mnesia"
  export RABBITMQ_LOG_BASE="$STATE/rabbitmq/log"
  export RABBITMQ_PID_FILE="$STATE/rabbitmq/beam.pid"
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

start_epmd() {
  if running epmd; then return 0; fi
  rm -f "$PIDS/epmd.pid"
  if port_open "$EPMD_PORT"; then return 0; fi  # someone else's epmd: use it, never stop it
  say "epmd: starting on 127.0.0.1:$EPMD_PORT"
  launch epmd /usr/bin/epmd -address 127.0.0.1
  wait_port "$EPMD_PORT" epmd 20
}

start_rabbitmq() {
  if running rabbitmq; then return 0; fi
  require_port_free "$AMQP_PORT" rabbitmq
  say "rabbitmq: starting node $RABBIT_NODE on 127.0.0.1:$AMQP_PORT"
  (rabbit_env; launch rabbitmq /usr/lib/rabbitmq/bin/rabbitmq-server)
  wait_port "$AMQP_PORT" rabbitmq 90
  say "rabbitmq: up"
}

keystone_manage() { OS_KEYSTONE_CONFIG_FILES="$KSCONF" in_root "$PY" /usr/bin/keystone-manage --config-file "$KSCONF" "$@"; }

setup_keystone_db() {
  local log; log=$(log_of keystone-manage)
  if [[ ! -f $STATE/keystone/.bootstrapped ]]; then
    say "keystone: db_sync, fernet and credential keys, bootstrap"
    keystone_manage db_sync >>"$log" 2>&1 || die_log keystone "$log" "keystone-manage db_sync failed"
    mkdir -p "$STATE/keystone/fernet-keys" "$STATE/keystone/credential-keys"
    if [[ ! -f $STATE/keystone/fernet-keys/0 ]]; then
      keystone_manage fernet_setup --keystone-user root --keystone-group root >>"$log" 2>&1 ||
        die_log keystone "$log" "keystone-manage fernet_setup failed"
    fi
    if [[ ! -f $STATE/keystone/credential-keys/0 ]]; then
      keystone_manage credential_setup --keystone-user root --keystone-group root >>"$log" 2>&1 ||
        die_log keystone "$log" "keystone-manage credential_setup failed"
    fi
    keystone_manage bootstrap --bootstrap-password "$MP_ADMIN_PW" --bootstrap-username admin \
      --bootstrap-project-name admin --bootstrap-role-name admin \
      --bootstrap-service-name keystone --bootstrap-region-id RegionOne \
      --bootstrap-admin-url "http://127.0.0.1:$KS_PORT/v3" \
      --bootstrap-internal-url "http://127.0.0.1:$KS_PORT/v3" \
      --bootstrap-public-url "http://127.0.0.1:$KS_PORT/v3" >>"$log" 2>&1 ||
      die_log keystone "$log" "keystone-manage bootstrap failed"
    touch "$STATE/keystone/.bootstrapped"
  fi
  chmod 700 "$STATE/keystone/fernet-keys" "$STATE/keystone/credential-keys"
}

start_keystone_piece() {
  local name=$1 conf=$2 port=$3
  if running "$name"; then return 0; fi
  require_port_free "$port" "$name"
  say "$name: starting on 127.0.0.1:$port"
  launch "$name" "$PY" "$KS_SERVER" "$conf" "$port"
}

wait_keystone_piece() {
  local name=$1 port=$2
  wait_port "$port" "$name" 60
  tb wait-http "http://127.0.0.1:$port/v3" 60 >/dev/null 2>&1 ||
    die_log "$name" "$(log_of "$name")" "http://127.0.0.1:$port/v3 not answering"
  running "$name" || die_log "$name" "$(log_of "$name")" "process exited"
}

manila_py() {
  local mod=$1; shift
  in_root "$PY" -c "import sys; sys.argv[0] = '$mod'; from manila.cmd.${mod#manila-} import main; sys.exit(main())" "$@"
}

setup_manila_db() {
  local log; log=$(log_of manila-manage)
  if [[ ! -f $STATE/manila/.db-synced ]]; then
    say "manila: db sync"
    (cd "$STATE/manila" && manila_py manila-manage --config-file "$MCONF" db sync) >>"$log" 2>&1 ||
      die_log manila-manage "$log" "manila-manage db sync failed"
    touch "$STATE/manila/.db-synced"
  fi
}

MANILA_SINCE=""
start_manila_piece() {
  local name=$1
  if running "$name"; then return 0; fi
  if [[ $name == manila-api ]]; then require_port_free "$MANILA_PORT" manila-api; fi
  [[ -n $MANILA_SINCE ]] || MANILA_SINCE=$(date +%s)
  say "$name: starting"
  PYTHONPATH="$STATE/manila/drivers" launch "$name" "$PY" -c "import sys; sys.argv[0] = '$name'; from manila.cmd.${name#manila-} import main; sys.exit(main())" \
    --config-file "$MCONF"
}

wait_manila() {
  local since=${1:-}
  say "manila: waiting for the API, the scheduler and the share backends"
  if ! tb wait-manila "${since:--}" 150; then
    local p
    for p in manila-api manila-scheduler manila-share; do
      running "$p" || die_log "$p" "$(log_of "$p")" "process is not running"
    done
    die_log manila-share "$(log_of manila-share)" "services did not come up (see also $(log_of manila-scheduler) and $(log_of manila-api))"
  fi
}

any_running() {
  local p
  for p in "${ALL_PIECES[@]}"; do
    if running "$p"; then return 0; fi
  done
  return 1
}

all_running() {
  local p
  for p in mariadb rabbitmq keystone keystone-short manila-api manila-scheduler manila-share; do
    running "$p" || return 1
  done
  running epmd || port_open "$EPMD_PORT" || return 1
}

# ---------------------------------------------------------------------------------------------
# commands
# ---------------------------------------------------------------------------------------------
cmd_start() {
  if [[ -n $ROOT ]]; then
    root_ready || build_root
    ensure_mounts
  else
    pkgs_installed || cmd_install
  fi
  mkdir -p "$STATE"
  ensure_secrets
  render_configs
  if all_running; then
    if [[ $CHANGED_MANILA == 1 ]]; then
      say "start: manila.conf changed: restarting the manila services"
      stop_piece manila-api; stop_piece manila-share; stop_piece manila-scheduler
    elif [[ $CHANGED_KEYSTONE == 1 ]]; then
      say "start: keystone configuration changed: restarting keystone"
      stop_piece keystone; stop_piece keystone-short
    elif tb quick-check >/dev/null 2>&1; then
      say "start: already running and ready (state $STATE)"
      say "start: done in $(elapsed)s"
      return 0
    fi
  fi
  start_mariadb
  ensure_databases
  start_epmd
  start_rabbitmq
  setup_keystone_db
  start_keystone_piece keystone "$KSCONF" "$KS_PORT"
  start_keystone_piece keystone-short "$KSCONF_SHORT" "$KS_SHORT_PORT"
  wait_keystone_piece keystone "$KS_PORT"
  wait_keystone_piece keystone-short "$KS_SHORT_PORT"
  say "keystone: up on 127.0.0.1:$KS_PORT (tokens 3600 s) and 127.0.0.1:$KS_SHORT_PORT (tokens ${KS_SHORT_EXPIRATION} s)"
  tb keystone-setup || die_log keystone "$(log_of keystone)" "keystone setup failed"
  setup_manila_db
  start_manila_piece manila-scheduler
  start_manila_piece manila-share
  start_manila_piece manila-api
  wait_manila "$MANILA_SINCE"
  say "fixtures: ensuring share type, $MP_TB_SERVERS share networks and shares on $HOSTNAME_MANILA@${BACKENDS[0]}"
  tb fixtures || die_log manila-share "$(log_of manila-share)" "fixtures failed"
  say "start: done in $(elapsed)s (state $STATE)"
  say "start: eval \"\$(bash $TB_DIR/testbed.sh env$(release_opt))\" to use it"
}

cmd_stop() {
  local p
  for p in manila-api manila-share manila-scheduler keystone-short keystone; do stop_piece "$p" 15; done
  stop_piece rabbitmq 30
  stop_piece epmd 5
  stop_piece mariadb 60
  if [[ -n $ROOT ]]; then stop_stragglers; unmount_root; fi
  say "stop: done in $(elapsed)s (data kept in $STATE)"
}

cmd_status() {
  local p pid ok=0 state
  for p in "${ALL_PIECES[@]}"; do
    pid=$(pid_of "$p")
    if running "$p"; then
      state=up
    elif [[ $p == epmd ]] && port_open "$EPMD_PORT"; then
      state="up (not started by the test bed)"; pid="-"
    else
      state=down; ok=1
    fi
    printf '%-18s %-8s %s\n' "$p" "${pid:--}" "$state"
  done
  if [[ -n $ROOT ]]; then
    if root_ready; then state="ready"; elif [[ -d $ROOT ]]; then state="incomplete"; else state="not built"; fi
    printf '%-18s %-8s %s\n' root - "$state ($ROOT, Debian $DEBIAN_SUITE)"
    local t mounted=()
    for t in "$ROOT/proc" "$ROOT/dev" "$ROOT/sys" "$ROOT$STATE"; do
      if is_mounted "$t"; then mounted+=("${t#"$ROOT"}"); fi
    done
    printf '%-18s %-8s %s\n' mounts - "${mounted[*]:-none}"
  fi
  if [[ $ok == 0 ]]; then echo "all up (state $STATE)"; else echo "not all up (state $STATE)"; fi
  return $ok
}

cmd_reset() {
  if ! all_running; then
    say "reset: not everything runs: starting first"
    cmd_start
  fi
  ensure_secrets
  say "reset: returning fixtures to $HOSTNAME_MANILA@${BACKENDS[0]}"
  tb reset || die_log manila-share "$(log_of manila-share)" "reset failed"
  say "reset: done in $(elapsed)s"
}

cmd_restart() {
  local svc=${1:-} down=0
  [[ -n $svc ]] || die "restart: which service? manila-api|manila-share|manila-scheduler|keystone|keystone-short|rabbitmq|mariadb"
  # --down SECONDS: keep the service stopped that long before starting it (an outage).
  if [[ ${2:-} == --down ]]; then
    [[ ${3:-} =~ ^[0-9]+$ ]] || die "restart: --down needs a whole number of seconds, got '${3:-}'"
    down=$3
  elif [[ -n ${2:-} ]]; then
    die "restart: unknown option '${2}' (restart SERVICE [--down SECONDS])"
  fi
  all_running || die "restart: the test bed is not (fully) running; use: testbed.sh start"
  ensure_secrets  # configuration files stay as the last start wrote them
  case "$svc" in
    manila-api|manila-share|manila-scheduler)
      stop_piece "$svc" 15
      if (( down > 0 )); then say "restart: $svc down for ${down}s"; sleep "$down"; fi
      MANILA_SINCE=""
      start_manila_piece "$svc"
      if [[ $svc == manila-api ]]; then wait_manila; else wait_manila "$MANILA_SINCE"; fi
      ;;
    keystone|keystone-short)
      local conf=$KSCONF port=$KS_PORT
      [[ $svc == keystone ]] || { conf=$KSCONF_SHORT; port=$KS_SHORT_PORT; }
      stop_piece "$svc" 15
      if (( down > 0 )); then say "restart: $svc down for ${down}s"; sleep "$down"; fi
      start_keystone_piece "$svc" "$conf" "$port"
      wait_keystone_piece "$svc" "$port"
      ;;
    rabbitmq)
      stop_piece rabbitmq 30
      if (( down > 0 )); then say "restart: $svc down for ${down}s"; sleep "$down"; fi
      start_rabbitmq
      wait_manila "$(date +%s)"
      ;;
    mariadb)
      stop_piece mariadb 60
      if (( down > 0 )); then say "restart: $svc down for ${down}s"; sleep "$down"; fi
      start_mariadb
      wait_manila "$(date +%s)"
      ;;
    *) die "restart: unknown service '$svc'" ;;
  esac
  tb write-facts >/dev/null
  say "restart: $svc ready in $(elapsed)s"
}

cmd_env() {
  echo "export OS_CLIENT_CONFIG_FILE=$STATE/clouds.yaml"
  echo "export MP_TESTBED_JSON=$STATE/testbed.json"
  # later testbed.sh calls from that shell (tests call reset and restart) find this test bed
  echo "export MP_TESTBED_RELEASE=$RELEASE"
  if [[ -n ${MP_TESTBED_DIR:-} ]]; then echo "export MP_TESTBED_DIR=$STATE"; fi
  if [[ $PORT_OFFSET != 0 ]]; then echo "export MP_TESTBED_PORT_OFFSET=$PORT_OFFSET"; fi
  if [[ ${1:-} == --os ]]; then
    ensure_secrets >/dev/null
    echo "export OS_AUTH_URL=http://127.0.0.1:$KS_PORT/v3"
    echo "export OS_IDENTITY_API_VERSION=3"
    echo "export OS_USERNAME=admin"
    echo "export OS_PASSWORD=$MP_ADMIN_PW"
    echo "export OS_PROJECT_NAME=admin"
    echo "export OS_USER_DOMAIN_NAME=Default"
    echo "export OS_PROJECT_DOMAIN_NAME=Default"
    echo "export OS_REGION_NAME=RegionOne"
    echo "export OS_INTERFACE=public"
  fi
}

cmd_logs() {
  local p
  for p in "${ALL_PIECES[@]}" keystone-manage manila-manage; do echo "$(log_of "$p")"; done
  if [[ -n $ROOT ]]; then echo "$(log_of root) (building the root: debootstrap, apt-get)"; else log_of apt; fi
  echo "$STATE/rabbitmq/log/ (RabbitMQ's own log files)"
}

usage() {
  cat >&2 <<EOF
usage: $0 <command> [--release zed|epoxy]
  install                 zed: apt-get install the OpenStack packages (skipped when installed);
                          epoxy: build the Debian 13 root (debootstrap, apt-get install in it)
  start [--servers N]     start everything; create N fixture share servers (default 6, or
                          MP_TESTBED_SERVERS), or reset moved ones (idempotent); epoxy: builds
                          the root once, mounts /proc /dev /sys and the state dir into it
  stop                    stop the processes this test bed started (data kept); epoxy: then
                          unmount what start mounted
  status                  what runs; exit 0 when all is up
  reset [--servers N]     fixtures back on $HOSTNAME_MANILA@${BACKENDS[0]}, no migration in flight
                          (N: default the last start's)
  restart <service> [--down SECONDS]  manila-api|manila-share|manila-scheduler|keystone|keystone-short|rabbitmq|mariadb (--down: stopped that long first, an outage)
  env [--os]              export lines (OS_CLIENT_CONFIG_FILE, MP_TESTBED_JSON, MP_TESTBED_RELEASE;
                          --os adds OS_* for admin)
  logs                    log file paths
  smoke [share] [host]    one real share server migration (default mp-share-6 to $HOSTNAME_MANILA@${BACKENDS[1]})
release: $RELEASE (--release, MP_TESTBED_RELEASE, else the one recorded in MP_TESTBED_DIR, else zed)
  zed:   OpenStack Zed from this machine's Debian 12 packages (default)
  epoxy: OpenStack 2025.1 from Debian 13 (trixie) in <state>/root; every daemon runs in it
state dir: $STATE
  (MP_TESTBED_DIR; default /var/tmp/manila-placement-testbed, for epoxy /var/tmp/manila-placement-testbed-epoxy)
ports: Keystone $KS_PORT and $KS_SHORT_PORT, Manila $MANILA_PORT, AMQP $AMQP_PORT, RabbitMQ dist $DIST_PORT, epmd $EPMD_PORT
  (MP_TESTBED_PORT_OFFSET=$PORT_OFFSET shifts all but epmd)
EOF
}

# " --release epoxy" for hints printed to the user (empty for the default release)
release_opt() { if [[ $RELEASE != zed ]]; then printf ' --release %s' "$RELEASE"; fi; }

# The release whose data the state dir holds: <state>/release, else zed when it has data (a
# state dir from before the release switch), else nothing (new).
state_release() {
  if [[ -s $STATE/release ]]; then
    tr -dc '[:lower:]' <"$STATE/release"
  elif [[ -d $STATE/mysql/data || -f $STATE/secrets.env ]]; then
    echo zed
  fi
  return 0
}

# A state dir holds one release's databases (and, for epoxy, its root): never mix them.
check_state_release() {
  local have
  have=$(state_release)
  if [[ -n $have && $have != "$RELEASE" ]]; then
    die "state dir $STATE belongs to release $have, not $RELEASE (release from $RELEASE_FROM): use --release $have, or another MP_TESTBED_DIR"
  fi
}

record_release() {
  mkdir -p "$STATE"
  if [[ $(state_release) != "$RELEASE" || ! -s $STATE/release ]]; then echo "$RELEASE" >"$STATE/release"; fi
}

# One mutating command at a time per state dir (parallel test workers may all call start).
take_lock() {
  mkdir -p "$STATE"
  exec 9>"$STATE/.lock"
  flock -w 600 9 || die "another testbed.sh command holds $STATE/.lock for more than 600 s"
}

# Options of start and reset: --servers N (fixture share servers).
parse_fixture_option() {
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --servers) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die "--servers needs a whole number of at least 1, got '${2:-}'"; FIXTURE_SERVERS_ARG=$2; shift 2 ;;
      --servers=*) FIXTURE_SERVERS_ARG=${1#--servers=}; [[ $FIXTURE_SERVERS_ARG =~ ^[1-9][0-9]*$ ]] || die "--servers needs a whole number of at least 1"; shift ;;
      *) die "unknown option '$1' (start and reset take --servers N)" ;;
    esac
  done
}

# The fixture count of this command: --servers, MP_TESTBED_SERVERS, else (reset) what the last
# start recorded, else 6. `start` records it.
set_fixture_servers() {
  local cmd=$1 n=${FIXTURE_SERVERS_ARG:-${MP_TESTBED_SERVERS:-}}
  if [[ -z $n && $cmd == reset ]]; then n=$(cat "$SERVERS_FILE" 2>/dev/null || true); fi
  n=${n:-$DEFAULT_SERVERS}
  export MP_TB_SERVERS=$n
  if [[ $cmd == start ]]; then mkdir -p "$STATE"; echo "$n" >"$SERVERS_FILE"; fi
}

main() {
  local cmd=${1:-}
  shift || true
  FIXTURE_SERVERS_ARG=""
  case "$cmd" in
    start|reset) parse_fixture_option "$@"; set -- ;;
  esac
  case "$cmd" in
    ""|-h|--help|help) ;;
    *) check_state_release ;;
  esac
  set_fixture_servers "$cmd"
  case "$cmd" in
    install|start|stop|reset|restart) take_lock ;;
  esac
  case "$cmd" in
    install|start) record_release ;;
  esac
  case "$cmd" in
    install) cmd_install ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    reset) cmd_reset ;;
    restart) cmd_restart "$@" ;;
    env) cmd_env "$@" ;;
    logs) cmd_logs ;;
    smoke) all_running || die "smoke: the test bed is not running"; tb smoke "$@" ;;
    -h|--help|help) usage ;;
    *) usage; exit 2 ;;
  esac
}

main ${ARGV[@]+"${ARGV[@]}"}
