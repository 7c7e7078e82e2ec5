#!/usr/bin/env bash
# cluster-lease hand-off at live migration, on a shared folder and on NBD exports.
#   - the destination, opened inactive (-incoming), takes no lease until activation
#   - at switchover the source hands the lease over; the destination takes the next
#     generation at once (no expiry wait); the history proves the order
#   - a destination started with its source's host-id is refused at once (the source runs on)
#   - a source whose hand-off was not taken re-activates (reclaims); once a destination took
#     it, the source's re-activation is refused
#   - round trips A -> B -> A -> B: a host-id comes back while its slot still holds its
#     earlier QEMU's hand-off (an older generation); with a reclaim after a failed hand-off,
#     a failed migration and its retry on the way; the on-disk history keeps every generation
#   - what the hand-off adds to the downtime: query-migrate downtime with and without the
#     filter, several runs each
# Usage: lease-migration.sh [QEMU-BUILD-DIR]   (TAP output)
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
preflight
echo "TAP version 13"
RUNS=${LEASE_DOWNTIME_RUNS:-5}

migration_status() { qmp "$1" query-migrate | jq -r '.return.status // "none"'; }
migration_done() { case "$(migration_status "$1")" in completed|failed|cancelled) return 0 ;; esac; return 1; }
state_is() { [ "$(lease_field "$1" state)" = "$2" ]; }
history_ok() { "$LEASE_DUMP" --check "$1" >"$WORK/history.txt"; }

# migrate_once SRC DST: migrates over a Unix socket; prints the downtime (ms)
migrate_once() {
  local sock=$WORK/mig-$1-$2.sock
  qmp "$2" migrate-incoming "{\"uri\":\"unix:$sock\"}" >/dev/null || return 1
  qmp "$1" migrate "{\"uri\":\"unix:$sock\"}" >/dev/null || return 1
  wait_for 120 migration_done "$1" || return 1
  [ "$(migration_status "$1")" = completed ] || return 1
  wait_for 60 bash -c "grep -q '\"event\": \"RESUME\"' $WORK/qmp-$2/out" || return 1
  qmp "$1" query-migrate | jq -r '.return.downtime'
}

# handoff_case LABEL DATA-REF LEASE-REF LEASE-FILE
handoff_case() {
  local label=$1 data=$2 lease=$3 lease_file=$4 downtime
  start_qemu a "$(lease_blockdev 1 "$data" "$lease")" || bail "$label: QEMU a did not start: $(cat "$WORK/a.log")"
  qemu_io a disk0 "write -P 0xa1 0 1M"
  start_qemu b "$(lease_blockdev 2 "$data" "$lease")" -incoming defer ||
    bail "$label: QEMU b did not start: $(cat "$WORK/b.log")"
  check "$label: the incoming destination takes no lease before activation" \
    test "$(lease_field b state)/$(lease_field a state)" = inactive/owner
  downtime=$(migrate_once a b)
  check "$label: the migration completes" test -n "$downtime"
  diag "$label: downtime $downtime ms; $(grep -h -o 'handed off.*' "$WORK/a.log")"
  check "$label: the source handed the lease off" state_is a handed-off
  check "$label: the destination received generation 2 from host-id 1 at once" \
    bash -c "[ $(lease_field b state)/$(lease_field b generation) = owner/2 ] && grep -q 'received (peer host-id 1) generation 2' $WORK/b.log && ! grep -q acquire_wait $WORK/b.log"
  check "$label: the source refuses I/O after the hand-off" test "$(lease_field a fenced)" = true
  check "$label: the destination reads the source's data" qemu_io b disk0 "read -P 0xa1 0 1M"
  check "$label: the destination writes" qemu_io b disk0 "write -P 0xb2 0 64k"
  qmp a quit >/dev/null
  stop_qemu b
  check "$label: history: generation 1 ended (hand-off) before generation 2 started" history_ok "$lease_file"
  grep -E 'handed-off|received' "$WORK/history.txt" | sed 's/^/# /'
}

dir=$WORK/shared
new_disk "$dir"
handoff_case "shared folder" "$(file_ref "$dir/disk.img")" "$(file_ref "$dir/disk.lease")" "$dir/disk.lease"

dir=$WORK/nbd
new_disk "$dir"
start_nbd nbd "$dir/disk.img" "$dir/disk.lease" || bail "qemu-storage-daemon did not start"
handoff_case "NBD" "$(nbd_ref "$WORK/nbd.sock" data)" "$(nbd_ref "$WORK/nbd.sock" lease)" "$dir/disk.lease"
kill -TERM "$(pid_of nbd)"

# --- a destination with its source's host-id is refused at start --------------------------
dir=$WORK/same-id
new_disk "$dir"
a=$(lease_blockdev 1 "$(file_ref "$dir/disk.img")" "$(file_ref "$dir/disk.lease")")
start_qemu a "$a" || bail "QEMU a did not start"
err=$(start_qemu_expect_fail b "$a" -incoming defer)
diag "same host-id: ${err##*: cluster-lease}"
check "same host-id: a destination with the source's host-id is refused when it starts" \
  grep -q "host-id 1 is in use by a running QEMU ('host1', pid $(pid_of a)" <<<"$err"
check "same host-id: the source keeps its lease" test "$(lease_field a state)" = owner
qmp a quit >/dev/null

# --- hand-off not taken: the source reclaims; once taken: the source is refused -----------
dir=$WORK/reclaim
new_disk "$dir"
a=$(lease_blockdev 1 "$(file_ref "$dir/disk.img")" "$(file_ref "$dir/disk.lease")")
b=$(lease_blockdev 2 "$(file_ref "$dir/disk.img")" "$(file_ref "$dir/disk.lease")")
start_qemu a "$a" || bail "QEMU a did not start"
qmp a blockdev-set-active '{"node-name":"disk0","active":false}' >/dev/null
check "reclaim: inactivation hands the lease off" state_is a handed-off
reply=$(qmp a blockdev-set-active '{"node-name":"disk0","active":true}')
check "reclaim: re-activation without a taker reclaims the lease (generation 2)" \
  bash -c "[ $(lease_field a state)/$(lease_field a generation) = owner/2 ] && grep -q 'reclaimed (peer host-id 0) generation 2' $WORK/a.log"
check "reclaim: the source writes again" qemu_io a disk0 "write -P 0xa2 0 64k"
qmp a blockdev-set-active '{"node-name":"disk0","active":false}' >/dev/null
start_qemu b "$b" -incoming defer || bail "QEMU b did not start"
qmp b blockdev-set-active '{"node-name":"disk0","active":true}' >/dev/null
check "reclaim: a destination activates and takes generation 3" \
  test "$(lease_field b state)/$(lease_field b generation)" = owner/3
reply=$(qmp a blockdev-set-active '{"node-name":"disk0","active":true}')
diag "reclaim: source re-activation after the hand-off was taken: $(jq -r '.error.desc // .return' <<<"$reply")"
check "reclaim: the source's re-activation is refused, naming the new owner" \
  grep -q "handed over to host-id 2 ('host2')" <<<"$reply"
check "reclaim: the source cannot write" bash -c "[ $(lease_field a state) != owner ]"
check "reclaim: the destination's data is intact" qemu_io b disk0 "read -P 0xa2 0 64k"
stop_qemu b
qmp a quit >/dev/null
check "reclaim: history: one holder per generation, hand-offs before the next start" history_ok "$dir/disk.lease"

# --- round trips: A -> B -> A -> B, a reclaim and a failed migration on the way -------------
dir=$WORK/round-trip
new_disk "$dir"
one=$(lease_blockdev 1 "$(file_ref "$dir/disk.img")" "$(file_ref "$dir/disk.lease")")
two=$(lease_blockdev 2 "$(file_ref "$dir/disk.img")" "$(file_ref "$dir/disk.lease")")
owner_gen() { echo "$(lease_field "$1" state)/$(lease_field "$1" generation)"; }
reactivation_refused() {
  qmp "$1" blockdev-set-active '{"node-name":"disk0","active":true}' >"$WORK/reply.json" && return 1
  grep -q "handed over to host-id $2" "$WORK/reply.json"
}
start_qemu a "$one" || bail "round trip: QEMU a did not start"
qemu_io a disk0 "write -P 0xa1 0 64k"
start_qemu b "$two" -incoming defer || bail "round trip: QEMU b did not start"
check "round trip: A -> B completes" test -n "$(migrate_once a b)"
qemu_io b disk0 "write -P 0xb2 64k 64k"
qmp a quit >/dev/null   # as libvirt does after a successful migration
start_qemu a2 "$one" -incoming defer || bail "round trip: QEMU a2 did not start: $(cat "$WORK/a2.log")"
check "round trip: a destination on host-id 1 again starts (its slot holds generation 1's hand-off)" \
  test "$(lease_field a2 state)" = inactive
check "round trip: B -> A completes" test -n "$(migrate_once b a2)"
check "round trip: back on host-id 1, the destination received generation 3 from host-id 2" \
  bash -c "[ $(owner_gen a2) = owner/3 ] && grep -q 'received (peer host-id 2) generation 3' $WORK/a2.log"
check "round trip: B's QEMU handed off and stays out" \
  bash -c "[ $(lease_field b state) = handed-off ] && [ $(lease_field b fenced) = true ]"
a2_reads_and_writes() { qemu_io a2 disk0 "read -P 0xb2 64k 64k" && qemu_io a2 disk0 "write -P 0xa3 128k 64k"; }
check "round trip: A reads B's data and writes" a2_reads_and_writes
# A hand-off nobody takes (migration failed after inactivation): the source reclaims
qmp a2 blockdev-set-active '{"node-name":"disk0","active":false}' >/dev/null
qmp a2 blockdev-set-active '{"node-name":"disk0","active":true}' >"$WORK/reply.json"
check "round trip: a failed hand-off is reclaimed (generation 4) despite host-id 2's old record" \
  bash -c "[ $(owner_gen a2) = owner/4 ] && grep -q 'reclaimed (peer host-id 0) generation 4' $WORK/a2.log"
# A migration whose destination died before switchover fails; the source runs on
start_qemu b2 "$two" -incoming defer || bail "round trip: QEMU b2 did not start: $(cat "$WORK/b2.log")"
qmp b2 migrate-incoming "{\"uri\":\"unix:$WORK/mig-dead.sock\"}" >/dev/null
kill -KILL "$(pid_of b2)"
wait "$(pid_of b2)" 2>/dev/null
qmp a2 migrate "{\"uri\":\"unix:$WORK/mig-dead.sock\"}" >/dev/null
migration_over() { case "$(migration_status "$1")" in setup|active|device) return 1 ;; esac; }
wait_for 60 migration_over a2
diag "round trip: migration to the dead destination: $(migration_status a2)"
a2_still_writes() { [ "$(owner_gen a2)" = owner/4 ] && qemu_io a2 disk0 "write -P 0xa4 192k 64k"; }
check "round trip: a migration to a dead destination fails and the source keeps its lease" a2_still_writes
# The retry, with B's first QEMU still there in postmigrate
start_qemu b3 "$two" -incoming defer || bail "round trip: QEMU b3 did not start: $(cat "$WORK/b3.log")"
check "round trip: the retry A -> B completes" test -n "$(migrate_once a2 b3)"
check "round trip: B received generation 5 from host-id 1" \
  bash -c "[ $(owner_gen b3) = owner/5 ] && grep -q 'received (peer host-id 1) generation 5' $WORK/b3.log"
check "round trip: B's first QEMU cannot take the disk back" reactivation_refused b 2
check "round trip: A's QEMU cannot take the disk back" reactivation_refused a2 2
check "round trip: one runner: only the last destination owns the disk" \
  test "$(owner_gen b3)/$(lease_field a2 state)/$(lease_field b state)" = owner/5/handed-off/handed-off
every_write_there() {
  qemu_io b3 disk0 "read -P 0xa1 0 64k" && qemu_io b3 disk0 "read -P 0xb2 64k 64k" &&
    qemu_io b3 disk0 "read -P 0xa3 128k 64k" && qemu_io b3 disk0 "read -P 0xa4 192k 64k"
}
check "round trip: every write is there" every_write_there
stop_qemu b3
qmp b quit >/dev/null; qmp a2 quit >/dev/null
check "round trip: history: one holder per generation, hand-offs before the next start" \
  history_ok "$dir/disk.lease"
grep -E '^event' "$WORK/history.txt" | sed 's/ wall=.*//; s/^/# /'
# The owner changes, generation by generation, from both slots (host-id 1 came back twice)
expected="1 1 acquired 0|1 1 handed-off 0|2 2 received 1|2 2 handed-off 0|3 1 received 2|3 1 handed-off 0|4 1 reclaimed 0|4 1 handed-off 0|5 2 received 1|5 2 released 0"
check "round trip: the history keeps all five generations across the QEMUs of each host-id" \
  test "$(sed -n 's/^event generation=\([0-9]*\) host=\([0-9]*\) \([a-z-]*\) peer=\([0-9]*\).*/\1 \2 \3 \4/p' "$WORK/history.txt" | paste -sd '|')" = "$expected"

# --- downtime with and without the filter --------------------------------------------------
dir=$WORK/downtime
new_disk "$dir"
plain=$(file_ref "$dir/disk.img" | jq -c '. + {"node-name":"disk0"}')
# measure BLOCKDEV-A BLOCKDEV-B OUT-FILE: the downtimes of $RUNS migrations into OUT-FILE
# (not in a $(...) subshell: the QEMUs it starts must stay known to cleanup)
measure() {
  local i downtime
  : >"$3"
  for i in $(seq "$RUNS"); do
    start_qemu a "$1" || return 1
    start_qemu b "$2" -incoming defer || return 1
    if ! downtime=$(migrate_once a b); then
      diag "migration $i failed: $(migration_status a); destination: $(tail -n 3 "$WORK/b.log" | tr '\n' ' ')"
      return 1
    fi
    echo "$downtime" >>"$3"
    grep -h -o 'handed off.*' "$WORK/a.log" >>"$WORK/handoff-cost.txt"
    qmp a quit >/dev/null; stop_qemu b
  done
}
measure "$plain" "$plain" "$WORK/without.txt"
measure "$(lease_blockdev 1 "$(file_ref "$dir/disk.img")" "$(file_ref "$dir/disk.lease")")" \
  "$(lease_blockdev 2 "$(file_ref "$dir/disk.img")" "$(file_ref "$dir/disk.lease")")" "$WORK/with.txt"
without=$(tr '\n' ' ' <"$WORK/without.txt")
with=$(tr '\n' ' ' <"$WORK/with.txt")
mean() { tr ' ' '\n' | awk 'NF { s += $1; n++ } END { if (n) printf "%.1f", s / n }'; }
diag "downtime without the filter (ms): $without (mean $(mean <<<"$without"))"
diag "downtime with the filter (ms):    $with (mean $(mean <<<"$with"))"
diag "source side of each hand-off: $(sed 's/.*(//; s/)//' "$WORK/handoff-cost.txt" | tr '\n' ';')"
check "downtime: $RUNS migrations with and $RUNS without the filter completed" \
  test "$(wc -w <<<"$without $with")" -eq $((2 * RUNS))

echo "1..$tap_n"
exit $tap_failed
