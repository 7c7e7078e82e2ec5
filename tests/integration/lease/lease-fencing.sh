#!/usr/bin/env bash
# cluster-lease fencing: the owner stops its own I/O strictly before any other host may take
# the disk over.
#   1. storage stall for everyone (SIGSTOP of the one NBD server): the owner fences after
#      lease-timeout - fence-margin; when storage comes back and nobody took over, it resumes
#   2. storage stall for the owner only (two NBD servers on the same files, the owner's one
#      stopped): a second QEMU takes over after the expiry; the owner had fenced before that
#      (wall clocks of one host compared, in this test only); when its storage comes back it
#      sees the newer generation and stays fenced (lost)
#   3. the owner QEMU itself stopped (SIGSTOP) past its lease: another takes over; when the
#      owner continues, its requests fail at once
# Usage: lease-fencing.sh [QEMU-BUILD-DIR]   (TAP output)
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
preflight
echo "TAP version 13"
fence_after_ms=$((TIMEOUT_MS - MARGIN_MS))

# trace_time LOG PATTERN: wall clock (ms) of the first trace line matching PATTERN
trace_time() {
  local t
  t=$(grep -m1 "$2" "$1" | sed -E 's/^[0-9]+@([0-9]+)\.([0-9]{3}).*/\1\2/')
  echo "${t:-0}"
}
state_is() { [ "$(lease_field "$1" state)" = "$2" ]; }

# --- 1. stall of the only storage path ------------------------------------------------------
dir=$WORK/stall
new_disk "$dir"
start_nbd nbd "$dir/disk.img" "$dir/disk.lease" || bail "qemu-storage-daemon did not start"
# A guest device (vCPUs never started) gives I/O a BlockBackend that needs no graph change
# while storage is stalled; requests go through HMP qemu-io -d.
start_qemu a "$(lease_blockdev 1 "$(nbd_ref "$WORK/nbd.sock" data)" "$(nbd_ref "$WORK/nbd.sock" lease)")" \
  -M pc -S -device ide-hd,drive=disk0,id=vd0,werror=stop,rerror=stop ||
  bail "QEMU a did not start: $(cat "$WORK/a.log")"
check "stall: the owner writes before the stall" qemu_io a "-d vd0" "write -P 0xa1 0 1M"
sleep 0.5
t_stop=$(now_ms)
kill -STOP "$(pid_of nbd)"
wait_for 30 state_is a fenced
t_fenced=$(trace_time "$WORK/a.log" cluster_lease_fenced)
fence_line=$(grep -m1 cluster_lease_fenced "$WORK/a.log")
diag "stall: SIGSTOP of the NBD server at 0 ms; owner fenced at $((t_fenced - t_stop)) ms (${fence_line#*fenced })"
check "stall: the owner fenced itself within lease-timeout - fence-margin ($fence_after_ms ms) of its last good renewal" \
  test "$((t_fenced - t_stop))" -le "$fence_after_ms" -a "$t_fenced" -gt 0
t0=$(now_ms)
if qemu_io a "-d vd0" "read 0 4k"; then not_ok "stall: a read fails at once while fenced"; else ok "stall: a read fails at once while fenced"; fi
diag "stall: the read failed after $(($(now_ms) - t0)) ms"

grep -q "Input/output error" "$WORK/qmp-a/io.log" && ok "stall: the error is EIO (werror/rerror=stop would pause the guest)" ||
  not_ok "stall: the error is EIO"
sleep 1
kill -CONT "$(pid_of nbd)"
t_cont=$(now_ms)
wait_for 30 state_is a owner
diag "stall: storage back after $((t_cont - t_stop)) ms; owner resumed $(($(now_ms) - t_cont)) ms later"
check "stall: after the stall nobody else held the disk: the owner resumes (generation 1)" \
  test "$(lease_field a state)/$(lease_field a generation)" = owner/1
check "stall: I/O works again and the data is intact" qemu_io a "-d vd0" "read -P 0xa1 0 1M"
stop_qemu a
kill -TERM "$(pid_of nbd)"

# --- 2. stall of the owner's storage path only --------------------------------------------------
dir=$WORK/partition
new_disk "$dir"
start_nbd nbda "$dir/disk.img" "$dir/disk.lease" || bail "qemu-storage-daemon a did not start"
start_nbd nbdb "$dir/disk.img" "$dir/disk.lease" || bail "qemu-storage-daemon b did not start"
start_qemu a "$(lease_blockdev 1 "$(nbd_ref "$WORK/nbda.sock" data)" "$(nbd_ref "$WORK/nbda.sock" lease)")" ||
  bail "QEMU a did not start: $(cat "$WORK/a.log")"
check "partition: the owner writes" qemu_io a disk0 "write -P 0xa1 0 1M"
sleep 0.5
t_stop=$(now_ms)
kill -STOP "$(pid_of nbda)"
start_qemu b "$(lease_blockdev 2 "$(nbd_ref "$WORK/nbdb.sock" data)" "$(nbd_ref "$WORK/nbdb.sock" lease)")" ||
  bail "QEMU b did not start: $(cat "$WORK/b.log")"
t_fenced=$(trace_time "$WORK/a.log" cluster_lease_fenced)
t_taken=$(trace_time "$WORK/b.log" 'cluster_lease_acquired.*taken-over')
diag "partition: owner's storage stopped at 0 ms; owner fenced at $((t_fenced - t_stop)) ms; other host took over at $((t_taken - t_stop)) ms: margin $((t_taken - t_fenced)) ms"
echo "fence $((t_fenced - t_stop)) takeover $((t_taken - t_stop)) margin $((t_taken - t_fenced))" >"$WORK/fencing.txt"
check "partition: the owner fenced itself before the other host took over" \
  test "$t_fenced" -gt 0 -a "$t_taken" -gt "$t_fenced"
check "partition: the other host waited the whole lease-timeout plus io-timeout ($((TIMEOUT_MS + DRIVER_IO_TIMEOUT_MS)) ms)" \
  grep -q "waits $((TIMEOUT_MS + DRIVER_IO_TIMEOUT_MS)) ms for the heartbeat of host-id 1" "$WORK/b.log"
new_owner_io() { qemu_io b disk0 "read -P 0xa1 0 1M" && qemu_io b disk0 "write -P 0xb2 0 64k"; }
check "partition: the new owner reads the old data and writes" new_owner_io
kill -CONT "$(pid_of nbda)"
wait_for 30 state_is a lost
check "partition: when its storage returns the old owner sees the newer generation: lost" state_is a lost
if qemu_io a disk0 "write -P 0xee 0 64k"; then not_ok "partition: the old owner cannot write"; else ok "partition: the old owner cannot write"; fi
check "partition: the new owner's data is intact" qemu_io b disk0 "read -P 0xb2 0 64k"
stop_qemu b
stop_qemu a
history_ok() { "$LEASE_DUMP" --check "$1" >"$WORK/history.txt"; }
check "partition: history: one holder per generation" history_ok "$dir/disk.lease"
kill -TERM "$(pid_of nbda)" "$(pid_of nbdb)"

# --- 3. the owner process stopped past its lease --------------------------------------------
dir=$WORK/frozen
new_disk "$dir"
start_qemu a "$(lease_blockdev 1 "$(file_ref "$dir/disk.img")" "$(file_ref "$dir/disk.lease")")" ||
  bail "QEMU a did not start: $(cat "$WORK/a.log")"
qemu_io a disk0 "write -P 0xa1 0 1M"
kill -STOP "$(pid_of a)"
t0=$(now_ms)
start_qemu b "$(lease_blockdev 2 "$(file_ref "$dir/disk.img")" "$(file_ref "$dir/disk.lease")")" ||
  bail "QEMU b did not start: $(cat "$WORK/b.log")"
diag "frozen owner: takeover after $(($(now_ms) - t0)) ms"
qemu_io b disk0 "write -P 0xb2 0 64k"
kill -CONT "$(pid_of a)"
if qemu_io a disk0 "write -P 0xee 0 64k"; then
  not_ok "frozen owner: its first write after SIGCONT fails (the deadline passed while stopped)"
else
  ok "frozen owner: its first write after SIGCONT fails (the deadline passed while stopped)"
fi
wait_for 30 state_is a lost
check "frozen owner: then it sees the newer generation: lost" state_is a lost
check "frozen owner: the new owner's data is intact" qemu_io b disk0 "read -P 0xb2 0 64k"
stop_qemu b
stop_qemu a
check "frozen owner: history: one holder per generation" history_ok "$dir/disk.lease"

echo "1..$tap_n"
exit $tap_failed
