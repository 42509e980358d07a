#!/usr/bin/env bash
# Test bed for manila-placement: a real OpenStack Manila (Debian bookworm python3-manila,
# Zed 15.1.0, dummy driver, three backends) behind a real Keystone, all on 127.0.0.1, as plain
# processes. See README.md beside this file.
#
#   testbed.sh install | start | stop | status | reset | restart <svc> | env [--os] | logs | smoke
#
# Helpers beside it: tb.py (REST: Keystone setup, fixtures, reset, facts; stdlib only),
# keystone_server.py (threaded wsgiref server for Keystone), api-paste.ini (manila-api pipeline).
set -euo pipefail

TB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="${MP_TESTBED_DIR:-/var/tmp/manila-placement-testbed}"
PY=/usr/bin/python3
CONTINUE_INTERVAL="${MP_TESTBED_CONTINUE_INTERVAL:-5}"
PKGS=(python3-manila python3-manilaclient rabbitmq-server mariadb-server python3-keystone python3-openstackclient)

KS_PORT=5000
KS_SHORT_PORT=5001
MANILA_PORT=8786
AMQP_PORT=5672
DIST_PORT=25672
HOSTNAME_MANILA=node1
# alpha, beta, gamma: Manila's dummy driver. faulty: phase 1 fails (the driver raises in
# share_server_migration_continue). readonly: migration_check answers writable: false, so
# Manila casts access rules read-only during phase 1. See mp_testbed_drivers.py.
BACKENDS=(alpha beta gamma faulty readonly)
declare -A BACKEND_DRIVER=(
  [faulty]=mp_testbed_drivers.FailingContinueDummyDriver
  [readonly]=mp_testbed_drivers.ReadOnlyDummyDriver
)
DUMMY_DRIVER=manila.tests.share.drivers.dummy.DummyDriver
# Low on purpose: Manila cuts share network lists (and snapshot lists asked with a limit) at
# osapi_max_limit, so every test reads through the tool's pager.
OSAPI_MAX_LIMIT="${MP_TESTBED_OSAPI_MAX_LIMIT:-4}"

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
export MP_TB_AMQP_PORT="$AMQP_PORT"

tb() { "$PY" "$TB_DIR/tb.py" "$@"; }

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
  write_if_changed "$STATE/manila/policy.yaml" <<<'{}' || true
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
  cp -f "$TB_DIR/mp_testbed_drivers.py" "$STATE/manila/drivers/mp_testbed_drivers.py"
  local b backends_ini="" upper
  for b in "${BACKENDS[@]}"; do
    upper=$(tr '[:lower:]' '[:upper:]' <<<"$b")
    backends_ini+="
[$b]
share_driver = ${BACKEND_DRIVER[$b]:-$DUMMY_DRIVER}
driver_handles_share_servers = True
share_backend_name = $upper
network_config_group = membernet
admin_network_config_group = adminnet
dummy_driver_default_driver_method_delay = $DRIVER_DELAY
dummy_driver_driver_methods_delays = $DUMMY_METHOD_DELAYS
"
  done
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
automatic_share_server_cleanup = False
graceful_shutdown_timeout = 5
use_stderr = true
debug = false

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
token_cache_time = -1

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

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

require_port_free() {
  local port=$1 piece=$2
  if port_open "$port"; then
    die "$piece: 127.0.0.1:$port is already in use by a process that is not this test bed's ($(ss -ltnpH "sport = :$port" 2>/dev/null | head -1)); stop it or free the port"
  fi
}

wait_port() {
  local port=$1 piece=$2 timeout=${3:-60} i
  for ((i = 0; i < timeout * 10; i++)); do
    port_open "$port" && return 0
    running "$piece" || die_log "$piece" "$(log_of "$piece")" "process exited during start"
    sleep 0.1
  done
  die_log "$piece" "$(log_of "$piece")" "127.0.0.1:$port not listening after ${timeout}s"
}

# ---------------------------------------------------------------------------------------------
# pieces
# ---------------------------------------------------------------------------------------------
mysql_root() { mariadb --defaults-file="$MYCNF" "$@"; }

start_mariadb() {
  if running mariadb; then return 0; fi
  local log; log=$(log_of mariadb)
  if [[ ! -d $STATE/mysql/data/mysql ]]; then
    say "mariadb: initialising data dir"
    rm -rf "$STATE/mysql/data"
    mariadb-install-db --defaults-file="$MYCNF" --auth-root-authentication-method=socket \
      --skip-test-db --user=root >>"$log" 2>&1 || die_log mariadb "$log" "mariadb-install-db failed"
  fi
  rm -f "$SOCK" "$STATE/mysql/mysqld.pid"  # stale after a crash or reboot
  say "mariadb: starting (socket $SOCK, no TCP)"
  launch mariadb /usr/sbin/mariadbd --defaults-file="$MYCNF"
  local i
  for ((i = 0; i < 600; i++)); do
    mariadb-admin --defaults-file="$MYCNF" ping >/dev/null 2>&1 && break
    running mariadb || die_log mariadb "$log" "mariadbd exited during start"
    sleep 0.1
  done
  mariadb-admin --defaults-file="$MYCNF" ping >/dev/null 2>&1 || die_log mariadb "$log" "not answering after 60s"
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
  export RABBITMQ_NODENAME="mp-testbed@localhost"
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
  if port_open 4369; then return 0; fi  # someone else's epmd: use it, never stop it
  say "epmd: starting on 127.0.0.1:4369"
  launch epmd /usr/bin/epmd -address 127.0.0.1
  wait_port 4369 epmd 20
}

start_rabbitmq() {
  if running rabbitmq; then return 0; fi
  require_port_free "$AMQP_PORT" rabbitmq
  say "rabbitmq: starting node mp-testbed@localhost on 127.0.0.1:$AMQP_PORT"
  (rabbit_env; launch rabbitmq /usr/lib/rabbitmq/bin/rabbitmq-server)
  wait_port "$AMQP_PORT" rabbitmq 90
  say "rabbitmq: up"
}

keystone_manage() { OS_KEYSTONE_CONFIG_FILES="$KSCONF" "$PY" /usr/bin/keystone-manage --config-file "$KSCONF" "$@"; }

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
  launch "$name" "$PY" "$TB_DIR/keystone_server.py" "$conf" "$port"
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
  "$PY" -c "import sys; sys.argv[0] = '$mod'; from manila.cmd.${mod#manila-} import main; sys.exit(main())" "$@"
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

all_running() {
  local p
  for p in mariadb rabbitmq keystone keystone-short manila-api manila-scheduler manila-share; do
    running "$p" || return 1
  done
  running epmd || port_open 4369 || return 1
}

# ---------------------------------------------------------------------------------------------
# commands
# ---------------------------------------------------------------------------------------------
cmd_start() {
  pkgs_installed || cmd_install
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
  say "start: eval \"\$(bash $TB_DIR/testbed.sh env)\" to use it"
}

cmd_stop() {
  local p
  for p in manila-api manila-share manila-scheduler keystone-short keystone; do stop_piece "$p" 15; done
  stop_piece rabbitmq 30
  stop_piece epmd 5
  stop_piece mariadb 60
  say "stop: done in $(elapsed)s (data kept in $STATE)"
}

cmd_status() {
  local p pid ok=0 state
  for p in "${ALL_PIECES[@]}"; do
    pid=$(pid_of "$p")
    if running "$p"; then
      state=up
    elif [[ $p == epmd ]] && port_open 4369; then
      state="up (not started by the test bed)"; pid="-"
    else
      state=down; ok=1
    fi
    printf '%-18s %-8s %s\n' "$p" "${pid:--}" "$state"
  done
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
  local svc=${1:-}
  [[ -n $svc ]] || die "restart: which service? manila-api|manila-share|manila-scheduler|keystone|keystone-short|rabbitmq|mariadb"
  all_running || die "restart: the test bed is not (fully) running; use: testbed.sh start"
  ensure_secrets  # configuration files stay as the last start wrote them
  case "$svc" in
    manila-api|manila-share|manila-scheduler)
      stop_piece "$svc" 15
      MANILA_SINCE=""
      start_manila_piece "$svc"
      if [[ $svc == manila-api ]]; then wait_manila; else wait_manila "$MANILA_SINCE"; fi
      ;;
    keystone|keystone-short)
      local conf=$KSCONF port=$KS_PORT
      [[ $svc == keystone ]] || { conf=$KSCONF_SHORT; port=$KS_SHORT_PORT; }
      stop_piece "$svc" 15
      start_keystone_piece "$svc" "$conf" "$port"
      wait_keystone_piece "$svc" "$port"
      ;;
    rabbitmq)
      stop_piece rabbitmq 30
      start_rabbitmq
      wait_manila "$(date +%s)"
      ;;
    mariadb)
      stop_piece mariadb 60
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
  for p in "${ALL_PIECES[@]}" keystone-manage manila-manage apt; do echo "$(log_of "$p")"; done
  echo "$STATE/rabbitmq/log/ (RabbitMQ's own log files)"
}

usage() {
  cat >&2 <<EOF
usage: $0 <command>
  install                 apt-get install the OpenStack packages (skipped when installed)
  start [--servers N]     start everything; create N fixture share servers (default 6, or
                          MP_TESTBED_SERVERS), or reset moved ones (idempotent)
  stop                    stop the processes this test bed started (data kept)
  status                  what runs; exit 0 when all is up
  reset [--servers N]     fixtures back on $HOSTNAME_MANILA@${BACKENDS[0]}, no migration in flight
                          (N: default the last start's)
  restart <service>       manila-api|manila-share|manila-scheduler|keystone|keystone-short|rabbitmq|mariadb
  env [--os]              export lines (OS_CLIENT_CONFIG_FILE, MP_TESTBED_JSON; --os adds OS_* for admin)
  logs                    log file paths
  smoke [share] [host]    one real share server migration (default mp-share-6 to $HOSTNAME_MANILA@${BACKENDS[1]})
state dir: $STATE (MP_TESTBED_DIR)
EOF
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
  set_fixture_servers "$cmd"
  case "$cmd" in
    install|start|stop|reset|restart) take_lock ;;
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

main "$@"
