#!/usr/bin/env bash
# `migkit migrate` against a fake source and destination QEMU (hostile_qmp_peer.py) that
# misbehave the way a broken or hostile QMP peer would (issue 18), and numbers on the command
# line that do not fit.  TAP.  Each case checks the exit code, the message, and where the
# migration could have started, that migrate_cancel was sent, the report was written and the
# policies' on_failure ran.
#
#   cli_hostile_qmp.sh MIGKIT SCRIPTED_PLUGIN
set -uo pipefail

migkit=$1 scripted=$2
peer="$(dirname "${BASH_SOURCE[0]}")/hostile_qmp_peer.py"
work=$(mktemp -d /tmp/migkit-hostile-XXXXXX)
peer_pid=
cleanup() { [ -n "$peer_pid" ] && kill -9 "$peer_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 1' TERM INT

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
# check NAME CONDITION...: one TAP line for a shell condition, with stderr when it fails.
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name" "stderr: $(head -c 800 "$work/err")"; fi; }

# start_peer MODE: the fake QEMUs at $work/src.qmp and $work/dst.qmp, commands in $work/log.
start_peer() {
  [ -n "$peer_pid" ] && kill -9 "$peer_pid" 2>/dev/null && wait "$peer_pid" 2>/dev/null
  rm -f "$work/src.qmp" "$work/dst.qmp" "$work/log" "$work/report.json" "$work/out" "$work/err"
  touch "$work/log"
  python3 "$peer" "$work/src.qmp" "$work/dst.qmp" "$work/log" "$1" &
  peer_pid=$!
  for _ in $(seq 50); do [ -S "$work/src.qmp" ] && [ -S "$work/dst.qmp" ] && return 0; sleep 0.1; done
  echo "# the fake QEMUs did not start"
  return 1
}

# run_migkit [ARGS...]: migrate between the fake QEMUs with the scripted policy and a report;
# sets rc, output in $work/out and $work/err.  A 120 s guard turns a hang into a failure.
run_migkit() {
  timeout 120 "$migkit" migrate --source "$work/src.qmp" --destination "$work/dst.qmp" \
    --policy "$scripted" --report "$work/report.json" "$@" >"$work/out" 2>"$work/err"
  rc=$?
}

# report FIELD...: the report's outcome fields, space-separated ("-" when there is no report).
report() {
  python3 - "$work/report.json" "$@" <<'PY' 2>/dev/null || echo "-"
import json, sys
r = json.load(open(sys.argv[1]))
o = r["outcome"]
print(" ".join(str(o.get(k, "")) for k in sys.argv[2:]))
PY
}

# plugin_logged TEXT: the scripted policy's log in the report has a line containing TEXT.
plugin_logged() {
  python3 - "$work/report.json" "$1" <<'PY' 2>/dev/null
import json, sys
r = json.load(open(sys.argv[1]))
sys.exit(0 if any(l["source"] == "scripted" and sys.argv[2] in l["message"] for l in r["log"]) else 1)
PY
}

sent() { grep -qx -- "$1" "$work/log"; }

echo "1..22"

# --- Numbers that wrap: refused before anything is touched ----------------------------------
for bad in 18446744073709552 99999999999999999999 0 -1; do
  "$migkit" migrate --source "$work/none.qmp" --destination "$work/none2.qmp" --timeout "$bad" \
    >"$work/out" 2>"$work/err"
  rc=$?
  check "--timeout $bad is refused with the flag, its value and the range (exit $rc)" \
    bash -c '[ "$1" -eq 2 ] && grep -q -- "--timeout" "$2" && grep -qF -- "$3" "$2" && grep -qE "1 to [0-9]+" "$2"' \
    _ "$rc" "$work/err" "$bad"
done

# --- A mistyped figure mid-migration: the normal failure path ---------------------------------
start_peer bad-downtime || exit 1
run_migkit
check "expected-downtime 1.5: exit 1, the message names the field, the value and the command" \
  bash -c '[ "$1" -eq 1 ] && grep -q "expected-downtime" "$2" && grep -qF "1.5" "$2" && grep -q "query-migrate" "$2"' \
  _ "$rc" "$work/err"
check "expected-downtime 1.5: migrate_cancel was sent" sent migrate_cancel
check "expected-downtime 1.5: the report says cancelled, the VM on the source" \
  bash -c '[[ "$1" == "cancelled source "*expected-downtime* ]]' _ "$(report phase vm-running-on error)"
check "expected-downtime 1.5: on_failure reached the policy" plugin_logged "on_failure"

start_peer bad-final-failed || exit 1
run_migkit
check "total-time -5 in a failed final reply: exit 1, named with its value and command" \
  bash -c '[ "$1" -eq 1 ] && grep -q "total-time" "$2" && grep -qF -- "-5" "$2" && grep -q "query-migrate" "$2"' \
  _ "$rc" "$work/err"
check "total-time -5 in a failed final reply: report written, failed, the VM on the source" \
  bash -c '[[ "$1" == "failed source "*"the stream broke"* ]]' _ "$(report phase vm-running-on error)"
check "total-time -5 in a failed final reply: on_failure reached the policy" plugin_logged "on_failure"

# Completed is QEMU's word that the VM left: no fallback to the source (never two copies), the
# bad figure is named in the report instead of being used.
start_peer bad-final-completed || exit 1
run_migkit
check "total-time -5 in a completed reply: exit 0, the VM on the destination, no cont on the source" \
  bash -c '[ "$1" -eq 0 ] && [ "$2" = "completed destination" ] && ! grep -qx cont "$3"' \
  _ "$rc" "$(report phase vm-running-on)" "$work/log"
check "total-time -5 in a completed reply: the report's log names the figure" \
  bash -c 'grep -q "total-time" "$1" && grep -qF -- "-5" "$1"' _ "$work/report.json"

# --- A flood of small lines -----------------------------------------------------------------
start_peer flood || exit 1
run_migkit
check "a flood before the migration: exit 3 with a clear error, nothing migrated" \
  bash -c '[ "$1" -eq 3 ] && grep -qi "flood" "$2" && grep -q "nothing was migrated" "$2"' _ "$rc" "$work/err"

start_peer flood-during || exit 1
run_migkit
check "a flood during the migration: exit 1, the report names the flood" \
  bash -c '[ "$1" -eq 1 ] && [[ "$2" == "failed "*[Ff]lood* ]]' _ "$rc" "$(report phase error)"
check "a flood during the migration: the source's state is not claimed" \
  bash -c '[ "$1" = unknown ]' _ "$(report vm-running-on)"

# --- A lost reply to migrate: query and cancel, not "nothing was migrated" --------------------
start_peer lost-migrate || exit 1
run_migkit
check "no reply to migrate: exit 1, not reported as nothing migrated" \
  bash -c '[ "$1" -eq 1 ] && ! grep -q "nothing was migrated" "$2" && grep -q "migrate" "$2"' \
  _ "$rc" "$work/err"
check "no reply to migrate: migrate_cancel sent and the status queried after it" \
  bash -c 'sed -n "/^migrate$/,\$p" "$1" | grep -qx migrate_cancel && sed -n "/^migrate_cancel$/,\$p" "$1" | grep -qx query-migrate' \
  _ "$work/log"
check "no reply to migrate: the report says cancelled, the VM on the source" \
  bash -c '[[ "$1" == "cancelled source "*"migrate"* ]]' _ "$(report phase vm-running-on error)"
check "no reply to migrate: on_failure reached the policy" plugin_logged "on_failure"

# --- Ctrl-C while a command stalls before the migration ---------------------------------------
start_peer stall || exit 1
start=$(date +%s%N)
timeout 120 "$migkit" migrate --source "$work/src.qmp" --destination "$work/dst.qmp" \
  >"$work/out" 2>"$work/err" &
migkit_pid=$!
sleep 1
kill -INT "$migkit_pid"
wait "$migkit_pid"
rc=$?
waited_ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "Ctrl-C during a stalled command: exit 3 at once (${waited_ms} ms), interrupted, nothing migrated" \
  bash -c '[ "$1" -eq 3 ] && [ "$2" -lt 6000 ] && grep -q "interrupted" "$3" && grep -q "nothing was migrated" "$3"' \
  _ "$rc" "$waited_ms" "$work/err"
check "Ctrl-C during a stalled command: migrate was never sent" bash -c '! grep -qx migrate "$1"' _ "$work/log"

[ "$failed" -eq 0 ]
