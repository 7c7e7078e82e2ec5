#!/usr/bin/env bash
# The `migkit` CLI against real QEMU processes (stock QEMU, the verifiable guest), TAP.
# Bad input must give a clear message and a non-zero exit, and the source VM must keep running.
#
#   cli_bad_input.sh MIGKIT QEMU GUEST_ELF BAD_ABI_PLUGIN FAILING_PLUGIN NOT_A_PLUGIN_SO
set -uo pipefail

migkit=$1 qemu=$2 guest=$3 bad_abi=$4 failing=$5 not_plugin=$6
source "$(dirname "${BASH_SOURCE[0]}")/guest-qemu.sh"
guest_qemu_init migkit-cli-it "$qemu" "$guest"

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }

# start_qemu NAME [QEMU ARGS...]: the guest with 256 MiB (guest-qemu.sh).
start_qemu() { guest_qemu_start "$1" 256M "${@:2}"; }

# run_status SOCKET: the VM's run state from query-status.
run_status() {
  python3 - "$1" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rw")
f.readline()
for cmd in ("qmp_capabilities", "query-status"):
    f.write(json.dumps({"execute": cmd}) + "\n"); f.flush()
    while True:
        msg = json.loads(f.readline())
        if "return" in msg or "error" in msg:
            break
print(msg.get("return", {}).get("status", "error"))
PY
}

# expect NAME WANT_RC PATTERN -- ARGS...: run migkit, check its exit code and stderr.
expect() {
  local name=$1 want=$2 pattern=$3; shift 4
  "$migkit" "$@" >"$work/out" 2>"$work/err"
  local rc=$?
  if [ "$rc" -eq "$want" ] && grep -qiE -- "$pattern" "$work/err"; then
    ok "$name"
  else
    not_ok "$name" "exit $rc (want $want), stderr: $(head -c 600 "$work/err")" "stdout: $(tail -c 300 "$work/out")"
  fi
}

# source_runs NAME: the source VM still runs.
source_runs() {
  local state
  state=$(run_status "$work/src.qmp" 2>&1)
  if [ "$state" = running ]; then ok "$1: the source VM still runs"; else not_ok "$1: the source VM still runs" "state: $state"; fi
}

echo "1..17"
start_qemu src || exit 1
start_qemu busy || exit 1
start_qemu dst -incoming defer || exit 1
M=(migrate --source "$work/src.qmp")

expect "unreachable QMP socket" 3 "cannot connect.*$work/nothere.qmp" -- \
  "${M[@]}" --destination "$work/nothere.qmp"
expect "unreachable QMP TCP port" 3 "cannot connect.*127.0.0.1:1" -- \
  "${M[@]}" --destination 127.0.0.1:1
expect "destination not waiting for an incoming migration" 3 "not waiting for an incoming migration.*-incoming defer" -- \
  "${M[@]}" --destination "$work/busy.qmp"
source_runs "destination not waiting"
expect "plugin not found" 3 "no policy plugin 'nosuch'" -- \
  "${M[@]}" --destination "$work/dst.qmp" --policy nosuch
expect "not a plugin" 3 "$(basename "$not_plugin")" -- \
  "${M[@]}" --destination "$work/dst.qmp" --policy "$not_plugin"
expect "plugin for another ABI" 3 "abi" -- \
  "${M[@]}" --destination "$work/dst.qmp" --policy "$bad_abi"
expect "plugin that fails to plan" 3 "refusing to plan" -- \
  "${M[@]}" --destination "$work/dst.qmp" --policy "$failing"
source_runs "plugin that fails to plan"
expect "unknown --set key" 3 "has no setting 'no-such-knob'" -- \
  "${M[@]}" --destination "$work/dst.qmp" --set no-such-knob=1
expect "unknown flag" 2 "unknown option '--frobnicate'.*--help" -- \
  "${M[@]}" --destination "$work/dst.qmp" --frobnicate

# A peer that greets like QEMU and then answers with broken JSON.
python3 - "$work/fake.qmp" <<'PY' &
import socket, sys
srv = socket.socket(socket.AF_UNIX); srv.bind(sys.argv[1]); srv.listen(1)
c, _ = srv.accept(); f = c.makefile("rw")
f.write('{"QMP": {"version": {"qemu": {"micro": 2, "minor": 0, "major": 10}, "package": ""}, "capabilities": []}}\r\n'); f.flush()
f.readline(); f.write('{"return": {}, "id": 1}\r\n'); f.flush()
f.readline(); f.write('{"return": {"status": "inmigrate", "running": fals\r\n'); f.flush()
f.readline()
PY
guest_qemu_pids+=($!)
for _ in $(seq 50); do [ -S "$work/fake.qmp" ] && break; sleep 0.1; done
expect "malformed QMP JSON" 3 "malformed JSON" -- "${M[@]}" --destination "$work/fake.qmp"
source_runs "malformed QMP JSON"

# The destination killed mid-way: exit 1, the report says why, the source runs.
: >"$work/out"
( for _ in $(seq 600); do grep -q "migrating over" "$work/out" && break; sleep 0.1; done
  sleep 1; kill -9 "$dst_pid" ) &
"$migkit" "${M[@]}" --destination "$work/dst.qmp" --set bandwidth=16777216 \
  --report "$work/report.json" >"$work/out" 2>"$work/err"
rc=$?
why=$(python3 -c 'import json,sys; o=json.load(open(sys.argv[1]))["outcome"]; print(o["phase"], o["vm-running-on"], o["error"])' "$work/report.json" 2>&1)
if [ $rc -eq 1 ] && [[ "$why" == "failed source "*"destination QEMU went away"* ]]; then
  ok "destination killed mid-migration: exit 1, the report says why"
else
  not_ok "destination killed mid-migration: exit 1, the report says why" "exit $rc, report: $why" "stderr: $(head -c 400 "$work/err")"
fi
source_runs "destination killed mid-migration"

# And a good run through the CLI, the destination's QMP over TCP: exit 0, the VM moved.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start_qemu dst2 -incoming defer -qmp "tcp:127.0.0.1:$port,server=on,wait=off" || exit 1
"$migkit" "${M[@]}" --destination "127.0.0.1:$port" --report "$work/good.json" >"$work/out" 2>"$work/err"
rc=$?
where=$(python3 -c 'import json,sys; o=json.load(open(sys.argv[1]))["outcome"]; print(o["phase"], o["vm-running-on"])' "$work/good.json" 2>&1)
if [ $rc -eq 0 ] && [ "$where" = "completed destination" ] && [ "$(run_status "$work/src.qmp")" = postmigrate ]; then
  ok "completed migration through the CLI"
else
  not_ok "completed migration through the CLI" "exit $rc, report: $where" "stderr: $(head -c 400 "$work/err")"
fi

# A completed migration whose report cannot be written (its folder does not exist): a warning
# and exit 4, which says the migration completed and the VM runs on the destination.
start_qemu src3 || exit 1
start_qemu dst3 -incoming defer || exit 1
"$migkit" migrate --source "$work/src3.qmp" --destination "$work/dst3.qmp" \
  --report "$work/no-such-folder/report.json" >"$work/out" 2>"$work/err"
rc=$?
if [ $rc -eq 4 ] &&
   grep -qF "warning: cannot write the report to $work/no-such-folder/report.json" "$work/err" &&
   grep -qF "the migration itself completed; the VM runs on the destination" "$work/err" &&
   [ "$(run_status "$work/src3.qmp")" = postmigrate ]; then
  ok "a completed migration whose report cannot be written: exit 4 and a warning"
else
  not_ok "a completed migration whose report cannot be written: exit 4 and a warning" "exit $rc" "stderr: $(head -c 400 "$work/err")"
fi

[ $failed -eq 0 ]
