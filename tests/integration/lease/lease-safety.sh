#!/usr/bin/env bash
# cluster-lease safety under single faults: never two writers, decided by the data.
#
# Every writer (host, generation) writes its own 512-byte stamp blocks ("host=B gen=2 seq=1
# block=I"), then flushes.  Each case ends with a fresh reader (qemu-img dd, exit status
# checked) comparing every range the newest owner wrote and flushed with its stamps, and a
# poller of query-block-leases on every QEMU of the case must never have seen two unfenced
# owners (state owner, expires-in > 0) at one moment.
#   0. self-tests: disk_has_pattern, the stamp comparison, the poller's verdict and
#      lease-dump --check on crafted lease areas must each fail on wrong input
#   1. in-flight write through a stalled private path (NBD): the old owner's write, queued
#      in its stopped NBD server, must not land after the taker's flushed data
#   2. frozen owner with a write queued below the filter (a throttle group, shared folder)
#   3. duplicate host-id after a freeze (an HA restart of the same domain XML)
#   4. zeroed slot and recreated area under a frozen owner
#   5. corrupt slot of a host-id that never ran: the owner stays owner
#   6. stale intent record (ACQUIRING, newer generation): the owner recovers
#   7. children with a page cache are refused, with an error naming cache.direct
#   8. reclaim racing receive: the source continues while the destination activates
# Usage: lease-safety.sh [QEMU-BUILD-DIR]   (TAP output)
# Timings: RENEW_MS/TIMEOUT_MS/MARGIN_MS (lib.sh), IO_TIMEOUT_MS (the driver's io-timeout,
# passed when the driver has it), STALL_MS (case 1), WATCH_MS (case 5), RECOVER_MS (case 6).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
preflight
command -v python3 >/dev/null || bail "python3 is missing"
echo "TAP version 13"

IO_TIMEOUT_MS=${IO_TIMEOUT_MS:-400}
STALL_MS=${STALL_MS:-$((TIMEOUT_MS + IO_TIMEOUT_MS / 2))}
WATCH_MS=${WATCH_MS:-$((3 * TIMEOUT_MS))}
RECOVER_MS=${RECOVER_MS:-$((2 * TIMEOUT_MS + IO_TIMEOUT_MS))}
TAKER_WAIT_MS=$((TIMEOUT_MS + IO_TIMEOUT_MS))

tool() { python3 "$here/lease_safety_tool.py" "$@"; }
sec() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }
# wait_ms MS COMMAND...: poll every 50 ms until COMMAND succeeds
wait_ms() {
  local deadline=$(($(now_ms) + $1)); shift
  until "$@"; do
    [ "$(now_ms)" -lt "$deadline" ] || return 1
    sleep 0.05
  done
}
state_is() { [ "$(lease_field "$1" state)" = "$2" ]; }
unfenced_owner() { [ "$(lease_field "$1" state)/$(lease_field "$1" fenced)" = owner/false ]; }
gone() { ! kill -0 "$(pid_of "$1")" 2>/dev/null; }
lost_or_gone() { gone "$1" || state_is "$1" lost; }
# killed_by_sigkill NAME: the QEMU is gone and died of SIGKILL (status 137)
killed_by_sigkill() {
  local pid status
  pid=$(pid_of "$1")
  gone "$1" || return 1
  wait "$pid" 2>/dev/null
  status=$?
  diag "$1 exited with status $status"
  [ "$status" -eq 137 ]
}
history_ok() {
  "$LEASE_DUMP" --check "$1" >"$WORK/history.txt" && return 0
  grep -E 'violation|history BAD|error' "$WORK/history.txt" | sed 's/^/# history: /'
  return 1
}
# freeze_between_renewals NAME: SIGSTOP a lease owner right after a renewal finished (its
# heartbeat-age is below half a renew interval), not in the middle of one: the common case,
# and the one where the frozen owner's next step after SIGCONT is a fresh renewal
freeze_between_renewals() {
  just_renewed() { [ "$(lease_field "$1" heartbeat-age)" -lt $((RENEW_MS / 2)) ] 2>/dev/null; }
  wait_ms 5000 just_renewed "$1"
  kill -STOP "$(pid_of "$1")"
}
# quit_qemu NAME: quits a QEMU that may have died meanwhile
quit_qemu() { gone "$1" || (qmp "$1" quit) >/dev/null 2>&1; }
history_diag() { "$LEASE_DUMP" --check "$1" | grep -E 'violation|history' | sed 's/^/# history: /'; }

# The io-timeout option of the fixed driver: passed only where the QAPI schema has it
if printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"query-qmp-schema"}' '{"execute":"quit"}' |
     timeout 60 "$QEMU" -M none -nodefaults -display none -qmp stdio 2>/dev/null |
     grep -q '"name": "io-timeout"'; then
  IO_OPT="\"io-timeout\":$IO_TIMEOUT_MS"
else
  IO_OPT=
fi
# bd HOSTID DATA-REF LEASE-REF: the cluster-lease node of the tests
bd() { lease_blockdev "$1" "$2" "$3" "$IO_OPT"; }
diag "timings: renew $RENEW_MS, lease-timeout $TIMEOUT_MS, fence-margin $MARGIN_MS, io-timeout $IO_TIMEOUT_MS ms ($([ -n "$IO_OPT" ] && echo passed || echo "not in this driver")); stall $STALL_MS ms"

# --- poller: query-block-leases of every QEMU of a case, on a second QMP monitor ------------

# poll_start CASE: a new poller with its own log for one case
# (python3 may be a launcher script: the poller writes its own pid, and ends by itself when
# this script is gone; its output goes to a file, never into the TAP stream)
poll_start() {
  POLL_LOG=$WORK/$1.poll.log POLL_LIST=$WORK/$1.poll.list
  : >"$POLL_LOG"; : >"$POLL_LIST"; rm -f "$WORK/$1.poll.pid"
  tool poll "$POLL_LOG" "$POLL_LIST" "$WORK/$1.poll.pid" $$ >"$WORK/$1.poll.err" 2>&1 &
  wait_for 30 test -s "$WORK/$1.poll.pid" || bail "the poller did not start: $(cat "$WORK/$1.poll.err")"
  POLL_PID=$(cat "$WORK/$1.poll.pid")
  PIDS+=("$POLL_PID")
}
poll_stop() { kill "$POLL_PID" 2>/dev/null; wait_for 10 bash -c "! kill -0 $POLL_PID 2>/dev/null"; }
# start_watched NAME BLOCKDEV [QEMU ARGS...]: start_qemu, and the poller watches it
start_watched() {
  local name=$1 blockdev=$2; shift 2
  start_qemu "$name" "$blockdev" -qmp unix:"$WORK/$name.poll",server=on,wait=off "$@" || return 1
  echo "$name $WORK/$name.poll" >>"$POLL_LIST"
}
one_owner_at_a_time() {
  local rc
  tool owners "$POLL_LOG" >"$WORK/owners.txt"; rc=$?
  sed 's/^/# poller: /' "$WORK/owners.txt"
  return "$rc"
}

# --- stamps ----------------------------------------------------------------------------

# make_stamp LABEL HOST GEN SEQ LEN [LABEL HOST GEN SEQ LEN ...]: the stamp files of writes
# (one python run for many: cheap inside timed loops)
make_stamp() {
  local args=()
  mkdir -p "$WORK/stamps"
  while [ $# -ge 5 ]; do
    args+=("$WORK/stamps/$1.bin" "$2" "$3" "$4" "$5")
    shift 5
  done
  tool stamp "${args[@]}"
}
# put_stamp NAME DEVICE LABEL OFFSET LEN: NAME writes stamp LABEL and flushes; only when both
# succeeded it goes into the ledger of writes that must stay
put_stamp() {
  local f=$WORK/stamps/$3.bin
  qemu_io "$1" "$2" "write -s $f $4 $5" && qemu_io "$1" "$2" flush || return 1
  echo "$3 $4 $5 $f" >>"$WORK/ledger"
}
# stamp NAME DEVICE LABEL HOST GEN SEQ OFFSET LEN: make_stamp and put_stamp
stamp() { make_stamp "$3" "$4" "$5" "$6" "$8" && put_stamp "$1" "$2" "$3" "$7" "$8"; }
# stamps_intact DATA-FILE LABEL...: a fresh reader finds each recorded stamp where it was
# written; what lies there instead is named (another writer's stamp, a byte pattern)
stamps_intact() {
  local data=$1 label off len f rc=0
  shift
  [ $# -gt 0 ] || { diag "no stamps to check"; return 1; }
  for label; do
    if ! read -r _ off len f < <(grep "^$label " "$WORK/ledger" | tail -n 1); then
      diag "$label: no such write recorded"; rc=1; continue
    fi
    rm -f "$WORK/readback.bin"
    # qemu-img dd counts "count" from the start of the image, "skip" included
    if ! "$QEMU_IMG" dd -U -f raw -O raw bs=512 skip=$((off / 512)) count=$(((off + len) / 512)) \
         if="$data" of="$WORK/readback.bin" 2>"$WORK/dd.err"; then
      diag "$label: the fresh reader failed: $(cat "$WORK/dd.err")"; rc=1; continue
    fi
    if ! tool compare "$WORK/readback.bin" "$f" "$off" >"$WORK/compare.txt"; then
      sed "s/^/# $label: /" "$WORK/compare.txt"; rc=1
    fi
  done
  return "$rc"
}
ledger_labels() { sed -n "s/^\($1\) .*/\1/p" "$WORK/ledger" | sort -u; }

# open_once NAME BLOCKDEV: opens the node in a QEMU that quits right away; status 0 if the
# open succeeded; QEMU's error output in $WORK/NAME.log
open_once() {
  printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"quit"}' |
    timeout 60 "$QEMU" -M none -nodefaults -display none -accel tcg -qmp stdio \
      -blockdev "$2" >"$WORK/$1.out" 2>"$WORK/$1.log"
}
not() { ! "$@"; }
# qmp_send NAME ID COMMAND [ARGUMENTS-JSON]: sends a command on NAME's QMP session without
# waiting (lib.sh's qmp waits, and its id counter is not for concurrent callers)
qmp_send() {
  local fdvar="QMP_FD_$1" arguments=${4:-'{}'}
  # a subshell: a QEMU that died must not take the script with it (SIGPIPE)
  (echo "{\"execute\":\"$3\",\"arguments\":$arguments,\"id\":\"$2\"}" >&"${!fdvar}") 2>/dev/null
}
# qmp_reply NAME ID SECONDS: waits for the reply to qmp_send's ID, prints it; status 1 on an
# error reply
qmp_reply() {
  local out=$WORK/qmp-$1/out reply
  wait_for "$3" grep -q "\"id\": \"$2\"" "$out" || { echo "{\"error\":{\"desc\":\"no reply\"}}"; return 2; }
  reply=$(grep "\"id\": \"$2\"" "$out" | tail -n 1)
  echo "$reply"
  ! jq -e 'has("error")' <<<"$reply" >/dev/null
}
# quiet COMMAND...: its output as TAP comments, its status kept
quiet() {
  local rc
  "$@" >"$WORK/quiet.out" 2>&1; rc=$?
  sed 's/^/# /' "$WORK/quiet.out"
  return "$rc"
}
: >"$WORK/ledger"

# --- 0. self-tests: each verdict must be able to say no ---------------------------------
st=$WORK/self
mkdir -p "$st"
"$QEMU_IMG" create -q -f raw "$st/disk.img" 1M
"$QEMU_IO" -f raw -c "write -P 0x5c 0 64k" "$st/disk.img" >/dev/null || bail "qemu-io cannot write $st/disk.img"
check "self-test: disk_has_pattern finds the pattern that is there" disk_has_pattern "$st/disk.img" 0 64k 0x5c
check "self-test: disk_has_pattern fails on a wrong pattern" not disk_has_pattern "$st/disk.img" 0 64k 0x5d
check "self-test: disk_has_pattern fails on a range only partly of the pattern" not disk_has_pattern "$st/disk.img" 0 128k 0x5c
check "self-test: disk_has_pattern fails when qemu-io cannot open the file" not disk_has_pattern "$st/missing.img" 0 64k 0
make_stamp self-B1 B 2 1 65536
"$QEMU_IO" -f raw -c "write -s $WORK/stamps/self-B1.bin 0 64k" "$st/disk.img" >/dev/null
echo "self-B1 0 65536 $WORK/stamps/self-B1.bin" >>"$WORK/ledger"
check "self-test: a fresh reader finds stamps that are there" stamps_intact "$st/disk.img" self-B1
"$QEMU_IO" -f raw -c "write -P 0xa2 4096 512" "$st/disk.img" >/dev/null
check "self-test: one foreign block in the range fails the stamp check" not stamps_intact "$st/disk.img" self-B1
check "self-test: the stamp check fails for a write never recorded" not stamps_intact "$st/disk.img" self-none
# the poller's verdict: a hand-off in turn is fine, an overlap is not
printf '%s\n' "1000 1001 a owner false 900 1" "1010 1011 b inactive false 0 0" \
  "1020 1021 a handed-off true -1 1" "1030 1031 b owner false 1100 2" "1040 1041 a handed-off true -1 1" \
  >"$st/turns.log"
check "self-test: the poller's verdict accepts owners in turn" quiet tool owners "$st/turns.log"
printf '%s\n' "1000 1001 a owner false 900 1" "1010 1011 b owner false 1100 2" "1020 1021 a owner false 880 1" \
  >"$st/overlap.log"
check "self-test: the poller's verdict flags two owners at once" not quiet tool owners "$st/overlap.log"
printf '%s\n' "1000 1001 a owner false 900 1" "2010 2011 b owner false 1100 2" "2040 2041 a owner false -30 1" \
  "2050 2051 a lost true -40 1" "2060 2061 b owner false 1050 2" >"$st/frozen.log"
check "self-test: the poller's verdict does not count an owner frozen past its own expiry" \
  quiet tool owners "$st/frozen.log"
# lease-dump --check on crafted areas (wall clocks in ns)
ns=000000000
tool area "$st/good.lease" "{\"slots\":16,\"blocks\":[
  {\"host-id\":1,\"generation\":1,\"state\":0,\"events\":[[1,1${ns},1,0],[1,2${ns},8,0],[1,3${ns},6,0]]},
  {\"host-id\":2,\"generation\":2,\"state\":2,\"events\":[[2,4${ns},1,0]]}]}"
check "self-test: lease-dump --check accepts a resume before the next generation" history_ok "$st/good.lease"
tool area "$st/resumed.lease" "{\"slots\":16,\"blocks\":[
  {\"host-id\":1,\"generation\":1,\"state\":2,\"events\":[[1,1${ns},1,0],[1,5${ns},8,0]]},
  {\"host-id\":2,\"generation\":2,\"state\":2,\"events\":[[2,4${ns},2,1]]}]}"
resumed_flagged() { ! "$LEASE_DUMP" --check "$st/resumed.lease" >"$st/out" && grep -q "host 1 resumed generation 1 .* after host 2 took generation 2" "$st/out"; }
check "self-test: lease-dump --check flags a resume after another slot took a newer generation" resumed_flagged
tool area "$st/backwards.lease" "{\"slots\":16,\"blocks\":[
  {\"host-id\":1,\"generation\":1,\"state\":2,\"events\":[[3,1${ns},1,0],[3,2${ns},6,0],[1,3${ns},1,0]]}]}"
backwards_flagged() { ! "$LEASE_DUMP" --check "$st/backwards.lease" >"$st/out" && grep -q "slot 1 goes back from generation 3 to generation 1" "$st/out"; }
check "self-test: lease-dump --check flags a slot whose history goes back a generation" backwards_flagged

# --- 1. in-flight write through a stalled private path (NBD) -------------------------------
case_stalled_path() {
  local dir=$WORK/c1 t0 t_added t_admitted t_taken t_b1 cont_pid taker attempt reply
  poll_start c1
  new_disk "$dir"
  start_nbd c1nbda "$dir/disk.img" "$dir/disk.lease" || bail "qemu-storage-daemon a did not start"
  start_nbd c1nbdb "$dir/disk.img" "$dir/disk.lease" || bail "qemu-storage-daemon b did not start"
  # a guest device (vCPUs never started): a BlockBackend whose aio_write needs no drain
  start_watched c1a "$(bd 1 "$(nbd_ref "$WORK/c1nbda.sock" data)" "$(nbd_ref "$WORK/c1nbda.sock" lease)")" \
    -M pc -S -device ide-hd,drive=disk0,id=vd0 || bail "QEMU c1a did not start: $(cat "$WORK/c1a.log")"
  start_watched c1b '{"driver":"null-co","node-name":"idle"}' || bail "QEMU c1b did not start"
  check "stalled path: A writes and flushes its stamp A1" stamp c1a "-d vd0" c1-A1 A 1 1 0 131072
  make_stamp c1-B1 B 2 1 65536
  sleep "$(sec "$RENEW_MS")"
  t0=$(now_ms)
  kill -STOP "$(pid_of c1nbda)"
  # the stall of A's path is bounded: STALL_MS, shorter than what a taker must wait
  (sleep "$(sec "$STALL_MS")"; kill -CONT "$(pid_of c1nbda)") &
  cont_pid=$!
  # B opens the disk through its own path: blockdev-add answers once B owns the disk (or
  # refuses), and B1's write and flush wait right behind it in B's monitor, so that they
  # reach the disk as soon as B is let in
  taker=$(bd 2 "$(nbd_ref "$WORK/c1nbdb.sock" data)" "$(nbd_ref "$WORK/c1nbdb.sock" lease)")
  take() { # take ATTEMPT: sends the three commands
    qmp_send c1b "take-$1" blockdev-add "$taker"
    qmp_send c1b "b1-write-$1" human-monitor-command \
      "{\"command-line\":\"qemu-io disk0 \\\"write -s $WORK/stamps/c1-B1.bin 0 64k\\\"\"}"
    qmp_send c1b "b1-flush-$1" human-monitor-command '{"command-line":"qemu-io disk0 flush"}'
  }
  t_added=$(now_ms)
  take 1
  qemu_io c1a "-d vd0" "aio_write -P 0xa2 0 64k"
  t_admitted=$(now_ms)
  in_flight() { ! grep -qE "wrote 65536/65536 bytes at offset 0|aio_write failed" "$WORK/c1a.log"; }
  check "stalled path: A's write of 64 KiB is admitted and stays in flight in the stalled path" in_flight
  for attempt in 1 2 3; do
    reply=$(qmp_reply c1b "take-$attempt" 60) && break
    diag "stalled path: B's attempt $attempt: $(jq -r '.error.desc' <<<"$reply")"
    qmp_reply c1b "b1-flush-$attempt" 60 >/dev/null
    [ "$attempt" = 3 ] || take $((attempt + 1))
  done
  t_taken=$(now_ms)
  b1_written() { # the HMP replies carry no error, B's stdout shows the write
    local w f
    w=$(qmp_reply c1b "b1-write-$attempt" 60) && f=$(qmp_reply c1b "b1-flush-$attempt" 60) &&
      ! jq -r '.return' <<<"$w$f" | grep -qiE 'error|failed' &&
      grep -q "wrote 65536/65536 bytes at offset 0" "$WORK/c1b.log" &&
      echo "c1-B1 0 65536 $WORK/stamps/c1-B1.bin" >>"$WORK/ledger"
  }
  check "stalled path: B writes and flushes its stamp B1 over the same range" b1_written
  t_b1=$(now_ms)
  check "stalled path: B took the disk over through its own path" unfenced_owner c1b
  wait "$cont_pid"
  diag "stalled path: A's path stopped at 0 ms, write admitted at $((t_admitted - t0)) ms, B owner at $((t_taken - t0)) ms (generation $(lease_field c1b generation)), B1 flushed at $((t_b1 - t0)) ms, A's path back at $STALL_MS ms"
  a_write_over() { ! in_flight || gone c1a; }
  wait_ms 10000 a_write_over
  sleep 0.5
  diag "stalled path: A: $(gone c1a && echo gone || lease_field c1a state); its write: $(grep -hoE "wrote 65536/65536 bytes at offset 0|aio_write failed.*" "$WORK/c1a.log" | head -n 1)"
  check "stalled path: B waited at least lease-timeout + io-timeout ($TAKER_WAIT_MS ms) for the silent owner" \
    test $((t_taken - t_added)) -ge "$TAKER_WAIT_MS"
  check "stalled path: A's write was not acknowledged after the takeover" not grep -q "wrote 65536/65536 bytes at offset 0" "$WORK/c1a.log"
  check "stalled path: A was ended by SIGKILL (a write still out at its deadline + fence-margin/2)" killed_by_sigkill c1a
  check "stalled path: a fresh reader finds B1 intact (A's late write did not land on it)" stamps_intact "$dir/disk.img" c1-B1
  check "stalled path: the poller never saw two unfenced owners" one_owner_at_a_time
  poll_stop
  quit_qemu c1b
  quit_qemu c1a
  kill -TERM "$(pid_of c1nbda)" "$(pid_of c1nbdb)" 2>/dev/null
  check "stalled path: history: lease-dump --check" history_ok "$dir/disk.lease"
}

# --- 2. frozen owner with a write queued below the filter ----------------------------------
case_frozen_owner() {
  local dir=$WORK/c2 t0 t_taken throttled wait_ms_b
  poll_start c2
  new_disk "$dir"
  # one write a second: the write after A1 waits in the throttle group, below the filter
  throttled="{\"driver\":\"throttle\",\"throttle-group\":\"tg0\",\"cache\":{\"direct\":true},\"file\":$(file_ref "$dir/disk.img")}"
  start_watched c2a "$(bd 1 "$throttled" "$(file_ref "$dir/disk.lease")")" \
    -object '{"qom-type":"throttle-group","id":"tg0","limits":{"iops-write":1}}' \
    -M pc -S -device ide-hd,drive=disk0,id=vd0 || bail "QEMU c2a did not start: $(cat "$WORK/c2a.log")"
  make_stamp c2-B1 B 2 1 65536
  check "frozen owner: A writes and flushes its stamp A1" stamp c2a "-d vd0" c2-A1 A 1 1 0 131072
  qemu_io c2a "-d vd0" "aio_write -P 0xa2 0 64k"
  kill -STOP "$(pid_of c2a)"
  t0=$(now_ms)
  queued() { ! grep -qE "wrote 65536/65536 bytes at offset 0|aio_write failed" "$WORK/c2a.log"; }
  check "frozen owner: A froze with its write admitted and still queued below the filter" queued
  start_watched c2b "$(bd 2 "$(file_ref "$dir/disk.img")" "$(file_ref "$dir/disk.lease")")" ||
    bail "QEMU c2b did not start: $(cat "$WORK/c2b.log")"
  t_taken=$(now_ms)
  check "frozen owner: B writes and flushes B1 over the same range" put_stamp c2b disk0 c2-B1 0 65536
  # the taker's wait, from its own trace: first look at the heartbeat to the takeover
  wait_ms_b=$(( $(trace_ms "$WORK/c2b.log" 'cluster_lease_acquired') - $(trace_ms "$WORK/c2b.log" 'cluster_lease_acquire_wait') ))
  grep -q cluster_lease_acquire_wait "$WORK/c2b.log" || diag "frozen owner: B's trace has no cluster_lease_acquire_wait line"
  diag "frozen owner: A frozen at 0 ms, B owner at $((t_taken - t0)) ms after watching A's heartbeat for $wait_ms_b ms"
  check "frozen owner: B watched the frozen owner for lease-timeout + io-timeout ($TAKER_WAIT_MS ms)" \
    test "$wait_ms_b" -ge "$TAKER_WAIT_MS"
  kill -CONT "$(pid_of c2a)"
  a_write_over() { ! queued || gone c2a; }
  wait_ms 10000 a_write_over
  sleep 0.5
  diag "frozen owner: A after SIGCONT: $(gone c2a && echo gone || lease_field c2a state); its write: $(grep -hoE "wrote 65536/65536 bytes at offset 0|aio_write failed.*" "$WORK/c2a.log" | head -n 1)"
  check "frozen owner: A's queued write was not acknowledged after the takeover" not grep -q "wrote 65536/65536 bytes at offset 0" "$WORK/c2a.log"
  check "frozen owner: A was ended by SIGKILL (a write still out at its deadline + fence-margin/2)" killed_by_sigkill c2a
  check "frozen owner: a fresh reader finds B1 intact" stamps_intact "$dir/disk.img" c2-B1
  check "frozen owner: the poller never saw two unfenced owners" one_owner_at_a_time
  poll_stop
  quit_qemu c2a
  stop_qemu c2b
  check "frozen owner: history: lease-dump --check" history_ok "$dir/disk.lease"
}
# trace_ms LOG PATTERN: wall clock (ms) of the first trace line matching PATTERN (0: none)
trace_ms() {
  local t
  t=$(grep -m1 "$2" "$1" | sed -E 's/^[0-9]+@([0-9]+)\.([0-9]{3}).*/\1\2/')
  echo "${t:-0}"
}

# --- 3. duplicate host-id after a freeze --------------------------------------------------
case_duplicate_host_id() {
  local dir=$WORK/c3 one k off a_ok=0 a_tries=0 b_fail=0 gen_b t0 t_cont specs=()
  poll_start c3
  new_disk "$dir"
  one=$(bd 1 "$(file_ref "$dir/disk.img")" "$(file_ref "$dir/disk.lease")")
  start_watched c3a "$one" || bail "QEMU c3a did not start"
  check "duplicate host-id: A writes and flushes its stamp A1" stamp c3a disk0 c3-A1 A 1 1 0 65536
  for k in $(seq 0 11); do
    specs+=("c3-A$k" A 1 "$k" 4096 "c3-B$((k + 1))" B 2 "$((k + 1))" 4096)
  done
  make_stamp "${specs[@]}"
  freeze_between_renewals c3a
  t0=$(now_ms)
  # the same domain XML restarted elsewhere: host-id 1 again
  start_watched c3b "$one" || bail "QEMU c3b did not start: $(cat "$WORK/c3b.log")"
  gen_b=$(lease_field c3b generation)
  diag "duplicate host-id: A frozen at 0 ms, B (host-id 1) owner at $(($(now_ms) - t0)) ms, generation $gen_b"
  check "duplicate host-id: B (host-id 1 too) takes over and writes B0" stamp c3b disk0 c3-B0 B "$gen_b" 0 65536 65536
  kill -CONT "$(pid_of c3a)"
  t_cont=$(now_ms)
  # both keep writing, in turn, the same blocks
  for k in $(seq 0 11); do
    off=$((131072 + k * 4096))
    if [ $((k % 2)) = 0 ]; then
      a_tries=$((a_tries + 1)); put_stamp c3a disk0 "c3-A$k" "$off" 4096 && a_ok=$((a_ok + 1))
      put_stamp c3b disk0 "c3-B$((k + 1))" "$off" 4096 || b_fail=$((b_fail + 1))
    else
      put_stamp c3b disk0 "c3-B$((k + 1))" "$off" 4096 || b_fail=$((b_fail + 1))
      a_tries=$((a_tries + 1)); put_stamp c3a disk0 "c3-A$k" "$off" 4096 && a_ok=$((a_ok + 1))
    fi
    sleep 0.15
  done
  diag "duplicate host-id: in $(($(now_ms) - t_cont)) ms after SIGCONT A wrote $a_ok of $a_tries stamps, B failed $b_fail of 12; A: $(lease_field c3a state), B: $(lease_field c3b state)"
  check "duplicate host-id: the poller never saw two unfenced owners" one_owner_at_a_time
  check "duplicate host-id: A ends lost (or its process ended)" lost_or_gone c3a
  check "duplicate host-id: B stays owner and every write of B succeeded" \
    bash -c "[ $b_fail = 0 ] && [ $(lease_field c3b state)/$(lease_field c3b fenced) = owner/false ]"
  check "duplicate host-id: none of A's writes after SIGCONT succeeded" test "$a_ok" = 0
  # shellcheck disable=SC2046
  check "duplicate host-id: a fresh reader finds every stamp B wrote and flushed intact" \
    stamps_intact "$dir/disk.img" $(ledger_labels 'c3-B[0-9]*')
  poll_stop
  quit_qemu c3a; quit_qemu c3b
  history_diag "$dir/disk.lease"
}

# --- 4. zeroed slot, recreated area ------------------------------------------------------
# case_erased_area LABEL ERASE-COMMAND...: A owns at generation 3 and freezes; the area is
# erased under it; C takes the disk; A continues
case_erased_area() {
  local label=$1 n=$2 dir=$WORK/$2 one three i k off gen_c a_ok=0 c_fail=0 t0 t_cont specs=()
  shift 2
  poll_start "$n"
  new_disk "$dir"
  one=$(bd 1 "$(file_ref "$dir/disk.img")" "$(file_ref "$dir/disk.lease")")
  three=$(bd 3 "$(file_ref "$dir/disk.img")" "$(file_ref "$dir/disk.lease")")
  for i in 1 2; do
    start_qemu "${n}a$i" "$one" || bail "QEMU ${n}a$i did not start"
    stop_qemu "${n}a$i"
  done
  start_watched "${n}a" "$one" || bail "QEMU ${n}a did not start"
  check "$label: A owns at generation 3" test "$(lease_field "${n}a" generation)" = 3
  check "$label: A writes and flushes its stamp A3" stamp "${n}a" disk0 "$n-A3" A 3 1 0 65536
  specs=("$n-A-late" A 3 2 65536)
  for k in $(seq 1 8); do specs+=("$n-C$k" C new "$k" 4096 "$n-A$k" A 3 "$((k + 2))" 4096); done
  make_stamp "${specs[@]}"
  freeze_between_renewals "${n}a"
  t0=$(now_ms)
  check "$label: the lease area is erased under the frozen owner ($1)" "$@" "$dir/disk.lease"
  if ! start_watched "${n}c" "$three"; then
    not_ok "$label: a new opener C takes the disk: $(tail -n 1 "$WORK/${n}c.log")"
    kill -CONT "$(pid_of "${n}a")"; poll_stop
    return
  fi
  gen_c=$(lease_field "${n}c" generation)
  diag "$label: A frozen and the area erased at 0 ms, C owner at $(($(now_ms) - t0)) ms, generation $gen_c"
  check "$label: C takes the disk (generation $gen_c) and writes C0" stamp "${n}c" disk0 "$n-C0" C "$gen_c" 0 0 65536
  kill -CONT "$(pid_of "${n}a")"
  t_cont=$(now_ms)
  put_stamp "${n}a" disk0 "$n-A-late" 0 65536 && a_ok=$((a_ok + 1))
  for k in $(seq 1 8); do
    off=$((65536 + k * 4096))
    put_stamp "${n}c" disk0 "$n-C$k" "$off" 4096 || c_fail=$((c_fail + 1))
    put_stamp "${n}a" disk0 "$n-A$k" "$off" 4096 && a_ok=$((a_ok + 1))
    sleep 0.2
  done
  diag "$label: in $(($(now_ms) - t_cont)) ms after SIGCONT A wrote $a_ok of 9 stamps, C failed $c_fail of 8; A: $(lease_field "${n}a" state), C: $(lease_field "${n}c" state)"
  check "$label: A never writes again" test "$a_ok" = 0
  check "$label: A ends lost" lost_or_gone "${n}a"
  check "$label: C stays owner and every write of C succeeded" \
    bash -c "[ $c_fail = 0 ] && [ $(lease_field "${n}c" state)/$(lease_field "${n}c" fenced) = owner/false ]"
  # shellcheck disable=SC2046
  check "$label: a fresh reader finds every stamp C wrote and flushed intact" \
    stamps_intact "$dir/disk.img" $(ledger_labels "$n-C[0-9]*")
  check "$label: the poller never saw two unfenced owners" one_owner_at_a_time
  poll_stop
  quit_qemu "${n}a"
  quit_qemu "${n}c"
  history_diag "$dir/disk.lease"
}
zero_slot_1() { "$QEMU_IO" -f raw -c "write -z 4096 4k" "$1" >"$WORK/erase.log"; }
recreate_area() { "$QEMU_IMG" create -q -f raw "$1" 68K; }

# --- 5. corrupt slot of a host-id that never ran --------------------------------------------
case_foreign_corrupt_slot() {
  local dir=$WORK/c5 t_corrupt k=0 fails=0 held_rc specs=()
  poll_start c5
  new_disk "$dir"
  start_watched c5a "$(bd 1 "$(file_ref "$dir/disk.img")" "$(file_ref "$dir/disk.lease")")" || bail "QEMU c5a did not start"
  check "foreign corrupt slot: A writes and flushes its stamp A0" stamp c5a disk0 c5-A0 A 1 0 0 65536
  t_corrupt=$(now_ms)
  check "foreign corrupt slot: garbage written over slot 5 (host-id 5 never ran)" \
    quiet "$QEMU_IO" -f raw -c "write -P 0x5a 20480 4096" "$dir/disk.lease"
  for k in $(seq 1 40); do specs+=("c5-A$k" A 1 "$k" 4096); done
  make_stamp "${specs[@]}"
  k=0
  while [ "$(now_ms)" -lt $((t_corrupt + WATCH_MS)) ] && [ $k -lt 40 ]; do
    k=$((k + 1))
    put_stamp c5a disk0 "c5-A$k" $((65536 + k * 4096)) 4096 || fails=$((fails + 1))
    sleep 0.3
  done
  diag "foreign corrupt slot: $k writes of A in $WATCH_MS ms after the corruption, $fails failed; A: $(lease_field c5a state)"
  tool held "$POLL_LOG" c5a "$t_corrupt" "$(now_ms)" >"$WORK/held.txt"
  held_rc=$?
  sed 's/^/# poller: /' "$WORK/held.txt"
  check "foreign corrupt slot: A stays an unfenced owner for $WATCH_MS ms" test "$held_rc" = 0
  check "foreign corrupt slot: every write of A succeeds" test "$fails" = 0
  refused() { ! open_once c5b "$(bd 2 "$(file_ref "$dir/disk.img")" "$(file_ref "$dir/disk.lease")")"; }
  check "foreign corrupt slot: a new opener with host-id 2 is refused while A runs" refused
  diag "foreign corrupt slot: the opener's error: $(grep -o "cluster-lease node .*" "$WORK/c5b.log" | head -n 1)"
  # shellcheck disable=SC2046
  check "foreign corrupt slot: a fresh reader finds every stamp of A intact" \
    stamps_intact "$dir/disk.img" $(ledger_labels 'c5-A[0-9]*')
  check "foreign corrupt slot: the poller never saw two unfenced owners" one_owner_at_a_time
  poll_stop
  quit_qemu c5a
}

# --- 6. stale intent record --------------------------------------------------------------
case_stale_intent() {
  local dir=$WORK/c6 gen t_intent t_back k fails=0
  poll_start c6
  new_disk "$dir"
  start_watched c6a "$(bd 1 "$(file_ref "$dir/disk.img")" "$(file_ref "$dir/disk.lease")")" || bail "QEMU c6a did not start"
  check "stale intent: A writes and flushes its stamp A0" stamp c6a disk0 c6-A0 A 1 0 0 65536
  gen=$(lease_field c6a generation)
  # a contender that died between its intent write and its retraction: host-id 4, ACQUIRING,
  # the next generation, a heartbeat that never moves again
  tool slot "$WORK/c6-intent.bin" "{\"host-id\":4,\"generation\":$((gen + 1)),\"state\":1,\"heartbeat\":1,\"lease-timeout\":$TIMEOUT_MS,\"renew-interval\":$RENEW_MS,\"host-name\":\"ghost\",\"pid\":0}"
  t_intent=$(now_ms)
  check "stale intent: an ACQUIRING record of generation $((gen + 1)) written into slot 4" \
    quiet "$QEMU_IO" -f raw -c "write -s $WORK/c6-intent.bin 16384 4096" "$dir/disk.lease"
  cp "$dir/disk.lease" "$WORK/c6-copy.lease"
  check "stale intent: lease-dump decodes the crafted record (a valid slot)" \
    grep -q "^slot 4 host=ghost .* state=acquiring generation=$((gen + 1)) " <("$LEASE_DUMP" "$WORK/c6-copy.lease")
  sleep "$(sec $((3 * RENEW_MS)))"
  diag "stale intent: A $(lease_field c6a state) $((3 * RENEW_MS)) ms after the record"
  # The owner may not extend while the intent could still be a live contender's: until it has
  # kept still for a takeover wait (lease-timeout + io-timeout); it may fence meanwhile
  sleep "$(sec $((TIMEOUT_MS + ${IO_TIMEOUT_MS:-0} + RENEW_MS)))"
  wait_ms $((RECOVER_MS - 3 * RENEW_MS)) unfenced_owner c6a
  t_back=$(now_ms)
  diag "stale intent: A $(lease_field c6a state) (fenced $(lease_field c6a fenced)) $((t_back - t_intent)) ms after the record"
  check "stale intent: A is an unfenced owner again within $RECOVER_MS ms" unfenced_owner c6a
  make_stamp c6-A1 A "$gen" 1 4096 c6-A2 A "$gen" 2 4096 c6-A3 A "$gen" 3 4096 c6-A4 A "$gen" 4 4096
  for k in 1 2 3 4; do
    put_stamp c6a disk0 "c6-A$k" $((65536 + k * 4096)) 4096 || fails=$((fails + 1))
    sleep 0.2
  done
  check "stale intent: then A's writes succeed" test "$fails" = 0
  # shellcheck disable=SC2046
  check "stale intent: a fresh reader finds every stamp of A intact" \
    stamps_intact "$dir/disk.img" $(ledger_labels 'c6-A[0-9]*')
  check "stale intent: the poller never saw two unfenced owners" one_owner_at_a_time
  poll_stop
  quit_qemu c6a
}

# --- 7. children with a page cache are refused --------------------------------------------
case_page_cache() {
  local dir=$WORK/c7 before
  new_disk "$dir"
  cached() { echo "{\"driver\":\"file\",\"filename\":\"$1\",\"locking\":\"off\"}"; }
  refused_naming_cache_direct() { # NAME BLOCKDEV
    ! open_once "$1" "$2" && grep -q "cache.direct" "$WORK/$1.log"
  }
  before=$(sha256sum <"$dir/disk.lease")
  check "page cache: a data child without cache.direct=on is refused, naming cache.direct" \
    refused_naming_cache_direct c7a "$(bd 1 "$(cached "$dir/disk.img")" "$(file_ref "$dir/disk.lease")")"
  check "page cache: a lease child without cache.direct=on is refused, naming cache.direct" \
    refused_naming_cache_direct c7b "$(bd 1 "$(file_ref "$dir/disk.img")" "$(cached "$dir/disk.lease")")"
  diag "page cache: errors: $(grep -ho "cluster-lease node .*" "$WORK/c7a.log" "$WORK/c7b.log" | tr '\n' ' ')"
  check "page cache: the refused openers wrote nothing into the lease area" test "$before" = "$(sha256sum <"$dir/disk.lease")"
  check "page cache: with cache.direct=on on both children the node opens" \
    open_once c7c "$(bd 1 "$(file_ref "$dir/disk.img")" "$(file_ref "$dir/disk.lease")")"
}

# --- 8. reclaim racing receive ----------------------------------------------------------------
case_reclaim_race() {
  local dir=$WORK/c8 sock=$WORK/c8-mig.sock owners=0 winner loser name t0 t_a
  poll_start c8
  new_disk "$dir"
  start_watched c8a "$(bd 1 "$(file_ref "$dir/disk.img")" "$(file_ref "$dir/disk.lease")")" || bail "QEMU c8a did not start"
  check "reclaim race: A writes and flushes its stamp A1" stamp c8a disk0 c8-A1 A 1 1 65536 65536
  # -S: the destination activates its disks only at cont
  start_watched c8b "$(bd 2 "$(file_ref "$dir/disk.img")" "$(file_ref "$dir/disk.lease")")" -incoming defer -S ||
    bail "QEMU c8b did not start: $(cat "$WORK/c8b.log")"
  qmp c8b migrate-incoming "{\"uri\":\"unix:$sock\"}" >/dev/null
  qmp c8a migrate "{\"uri\":\"unix:$sock\"}" >/dev/null
  migrated() { [ "$(qmp c8a query-migrate | jq -r .return.status)" = completed ] &&
               [ "$(qmp c8b query-migrate | jq -r .return.status)" = completed ]; }
  wait_ms 60000 migrated
  check "reclaim race: the migration completed; A handed off, B still inactive" \
    test "$(lease_field c8a state)/$(lease_field c8b state)" = handed-off/inactive
  # the source continues (a management layer's mistake) while the destination activates
  t0=$(now_ms)
  qmp_send c8a race cont
  qmp_send c8b race cont
  qmp_reply c8a race 60 >"$WORK/c8a.cont"; echo $? >"$WORK/c8a.cont.rc"
  t_a=$(now_ms)
  qmp_reply c8b race 60 >"$WORK/c8b.cont"; echo $? >"$WORK/c8b.cont.rc"
  diag "reclaim race: both cont sent at 0 ms; A answered by $((t_a - t0)) ms, B by $(($(now_ms) - t0)) ms"
  diag "reclaim race: A cont: $(jq -c '.error.desc // .return' "$WORK/c8a.cont"); B cont: $(jq -c '.error.desc // .return' "$WORK/c8b.cont")"
  for name in c8a c8b; do
    if unfenced_owner $name; then owners=$((owners + 1)); winner=$name; else loser=$name; fi
  done
  diag "reclaim race: A $(lease_field c8a state) generation $(lease_field c8a generation), B $(lease_field c8b state) generation $(lease_field c8b generation)"
  check "reclaim race: exactly one of source and destination owns the disk" test "$owners" = 1
  if [ "$owners" != 1 ]; then poll_stop; return; fi
  loser_stays_out() {
    [ "$(cat "$WORK/$loser.cont.rc")" != 0 ] &&
      [ "$(qmp "$loser" query-status | jq -r .return.status)" != running ]
  }
  check "reclaim race: the other one's cont is refused and it does not run ($loser)" loser_stays_out
  check "reclaim race: the winner writes and flushes its stamp W ($winner)" \
    stamp "$winner" disk0 c8-W W "$(lease_field "$winner" generation)" 1 0 65536
  # (no write attempt: the loser's node is inactive, where HMP qemu-io would hit an assertion)
  check "reclaim race: the other one holds no lease ($(lease_field "$loser" state))" \
    test "$(lease_field "$loser" state)" != owner
  check "reclaim race: a fresh reader finds W and A1 intact" stamps_intact "$dir/disk.img" c8-W c8-A1
  check "reclaim race: the poller never saw two unfenced owners" one_owner_at_a_time
  poll_stop
  quit_qemu c8a; quit_qemu c8b
  check "reclaim race: history: lease-dump --check" history_ok "$dir/disk.lease"
}

t_start=$(now_ms)
case_stalled_path
case_frozen_owner
case_duplicate_host_id
case_erased_area "zeroed slot" c4z zero_slot_1
case_erased_area "recreated area" c4r recreate_area
case_foreign_corrupt_slot
case_stale_intent
case_page_cache
case_reclaim_race
diag "lease-safety: $(( ($(now_ms) - t_start) / 1000 )) s"

echo "1..$tap_n"
exit $tap_failed
