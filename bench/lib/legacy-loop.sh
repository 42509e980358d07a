#!/usr/bin/env bash
# How operators move share servers today: a bash loop around the legacy `manila` CLI
# (python3-manilaclient), one server after another. For each share server of a fixture share
# network (mp-sn-*) active on FROM:
#   share-server-migration-check, share-server-migration-start,
#   poll every POLL s (share-server-show for task_state, share-server-migration-get-progress for %)
#   until task_state is migration_driver_phase1_done,
#   share-server-migration-complete (prints the destination id),
#   poll share-server-show of the destination every POLL s until active / migration_success.
#
#   legacy-loop.sh FROM TO EVENTS_FILE COMMANDS_FILE
#
# Needs the admin OS_* variables (testbed.sh env --os). Writes JSON lines: EVENTS_FILE one per
# step of each migration (epoch seconds), COMMANDS_FILE one per `manila` command (start, end,
# exit code, peak RSS in kB from GNU time). Exit 0 when every migration ended active on TO.
set -uo pipefail

FROM=$1 TO=$2 EVENTS=$3 COMMANDS=$4
POLL=${POLL:-5}
MAX_POLLS=${MAX_POLLS:-120}
FLAGS=(--writable False --nondisruptive False --preserve-snapshots False)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

now() { date +%s.%N; }

# ev SERVER STEP [EXTRA_JSON_FIELDS]
ev() { printf '{"t":%s,"server":"%s","step":"%s"%s}\n' "$(now)" "$1" "$2" "${3:-}" >>"$EVENTS"; }

# m ARGS...: one manila command, as typed; stdout passed on; timing and peak RSS recorded.
m() {
  local t0 rc rss
  t0=$(now)
  /usr/bin/time -f '%M' -o "$scratch/rss" manila "$@" >"$scratch/out" 2>"$scratch/err"
  rc=$?
  rss=$(tail -n 1 "$scratch/rss" 2>/dev/null)
  [[ $rss =~ ^[0-9]+$ ]] || rss=0
  printf '{"t0":%s,"t1":%s,"cmd":"%s","rc":%d,"rssKb":%s}\n' "$t0" "$(now)" "$1" "$rc" "$rss" >>"$COMMANDS"
  cat "$scratch/out"
  [ $rc -eq 0 ] || sed 's/^/  manila: /' "$scratch/err" >&2
  return $rc
}

# field NAME: the value of a `| Property | Value |` row of manila's table output on stdin.
field() { awk -F'|' -v k="$1" '{ p = $2; v = $3; gsub(/^ +| +$/, "", p); gsub(/^ +| +$/, "", v); if (p == k) { print v; exit } }'; }

failed=0
ids=$(m share-server-list --host "$FROM" --status active |
  awk -F'|' '{ id = $2; net = $5; gsub(/ /, "", id); gsub(/ /, "", net); if (id ~ /^[0-9a-f-]{36}$/ && net ~ /^mp-sn-/) print id }')
[ -n "$ids" ] || { echo "legacy-loop: no mp-sn-* share server active on $FROM" >&2; exit 1; }

for id in $ids; do
  ev "$id" begin
  compatible=$(m share-server-migration-check "$id" "$TO" "${FLAGS[@]}" | field compatible)
  if [ "$compatible" != "True" ]; then
    ev "$id" failed ',"why":"check"'
    failed=1
    continue
  fi
  m share-server-migration-start "$id" "$TO" "${FLAGS[@]}" >/dev/null || { ev "$id" failed ',"why":"start"'; failed=1; continue; }
  ev "$id" started

  ok=0
  for ((i = 0; i < MAX_POLLS; i++)); do
    out=$(m share-server-show "$id")
    task=$(field task_state <<<"$out")
    if [ "$task" = migration_driver_phase1_done ]; then
      ev "$id" phase1_seen ",\"updatedAt\":\"$(field updated_at <<<"$out")\",\"polls\":$((i + 1))"
      ok=1
      break
    fi
    case "$task" in migration_error | migration_cancelled) break ;; esac
    m share-server-migration-get-progress "$id" >/dev/null 2>&1 || true
    sleep "$POLL"
  done
  [ $ok -eq 1 ] || { ev "$id" failed ",\"why\":\"phase1 ${task:-none}\""; failed=1; continue; }

  ev "$id" complete_sending
  dest=$(m share-server-migration-complete "$id" | field destination_share_server_id)
  ev "$id" complete_returned ",\"destination\":\"$dest\""
  [ -n "$dest" ] || { ev "$id" failed ',"why":"complete"'; failed=1; continue; }

  ok=0
  for ((i = 0; i < MAX_POLLS; i++)); do
    out=$(m share-server-show "$dest")
    if [ "$(field status <<<"$out")" = active ] && [ "$(field task_state <<<"$out")" = migration_success ]; then
      ok=1
      break
    fi
    sleep "$POLL"
  done
  if [ $ok -eq 1 ]; then ev "$id" done ",\"destination\":\"$dest\",\"polls\":$((i + 1))"; else ev "$id" failed ',"why":"completion"'; failed=1; fi
done
exit $failed
