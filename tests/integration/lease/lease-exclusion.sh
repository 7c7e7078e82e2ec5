#!/usr/bin/env bash
# cluster-lease: one writer per disk across QEMU processes, on a shared folder (as NFS would
# be, kernel locks off) and on NBD exports served by qemu-storage-daemon.
#   - a second opener is refused with an error naming the owner, and writes nothing
#   - a clean quit releases the lease: the next opener gets it at once
#   - after kill -9 of the owner another QEMU takes over once the heartbeat stood still for
#     lease-timeout (measured)
#   - a read-only open takes no lease
#   - a corrupt lease area gives a clear error and no write
#   - the on-disk owner history has one holder per generation
# Usage: lease-exclusion.sh [QEMU-BUILD-DIR]   (TAP output)
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
preflight
echo "TAP version 13"

# exclusion_case LABEL DATA-REF LEASE-REF DATA-FILE LEASE-FILE
exclusion_case() {
  local label=$1 data=$2 lease=$3 data_file=$4 lease_file=$5 t0 err takeover
  local a b c
  a=$(lease_blockdev 1 "$data" "$lease")
  b=$(lease_blockdev 2 "$data" "$lease")
  c=$(lease_blockdev 3 "$data" "$lease")

  start_qemu a "$a" || bail "$label: QEMU a did not start: $(cat "$WORK/a.log")"
  check "$label: the first QEMU owns the lease" \
    test "$(lease_field a state)/$(lease_field a generation)" = owner/1
  check "$label: the owner writes" qemu_io a disk0 "write -P 0xa1 0 1M"

  t0=$(now_ms)
  err=$(start_qemu_expect_fail b "$b")
  diag "$label: second opener refused after $(($(now_ms) - t0)) ms: ${err##*: cluster-lease}"
  check "$label: a second opener is refused, naming the owner" \
    grep -q "in use by host-id 1 ('host1', pid $(pid_of a)" <<<"$err"
  check "$label: the owner still holds generation 1" \
    test "$(lease_field a state)/$(lease_field a generation)/$(lease_field a fenced)" = owner/1/false

  stop_qemu a
  t0=$(now_ms)
  start_qemu b "$b" || bail "$label: QEMU b did not start: $(cat "$WORK/b.log")"
  diag "$label: after a clean quit the next opener owned the disk after $(($(now_ms) - t0)) ms"
  check "$label: a clean quit releases: the next opener takes generation 2 at once" \
    bash -c "[ $(lease_field b generation) = 2 ] && ! grep -q cluster_lease_acquire_wait $WORK/b.log"
  check "$label: the data of the first owner is there" qemu_io b disk0 "read -P 0xa1 0 1M"
  check "$label: the new owner writes" qemu_io b disk0 "write -P 0xb2 0 512k"

  kill -KILL "$(pid_of b)"
  t0=$(now_ms)
  start_qemu c "$c" || bail "$label: QEMU c did not start: $(cat "$WORK/c.log")"
  takeover=$(($(now_ms) - t0))
  diag "$label: kill -9 of the owner, takeover by the next opener after $takeover ms (lease-timeout $TIMEOUT_MS ms)"
  echo "$label $takeover" >>"$WORK/takeover.txt"
  check "$label: after kill -9 the next opener waits for the expiry, then takes generation 3" \
    bash -c "[ $takeover -ge $TIMEOUT_MS ] && [ $(lease_field c generation) = 3 ] && grep -q 'taken-over (peer host-id 2)' $WORK/c.log"
  content_after_takeover() { qemu_io c disk0 'read -P 0xb2 0 512k' && qemu_io c disk0 'read -P 0xa1 512k 512k'; }
  check "$label: content after the takeover: 0xb2 then 0xa1" content_after_takeover
  check "$label: the takeover writes" qemu_io c disk0 "write -P 0xc3 1M 64k"

  start_qemu ro "$(lease_blockdev 4 "$data" "$lease" '"read-only":true')" || bail "read-only open failed"
  read_only_reads() { [ "$(lease_field ro state)" = read-only ] && qemu_io ro disk0 'read -P 0xc3 1M 64k'; }
  check "$label: a read-only open takes no lease and reads" read_only_reads
  qmp ro quit >/dev/null
  stop_qemu c
  history_ok() { "$LEASE_DUMP" --check "$lease_file" >"$WORK/history.txt"; }
  check "$label: the lease history has one holder per generation" history_ok
  sed 's/^/# /' "$WORK/history.txt"
}

# --- shared folder (NFS-like) --------------------------------------------------------------
dir=$WORK/shared
new_disk "$dir"
exclusion_case "shared folder" "$(file_ref "$dir/disk.img")" "$(file_ref "$dir/disk.lease")" \
  "$dir/disk.img" "$dir/disk.lease"

# --- NBD exports of qemu-storage-daemon ----------------------------------------------------
dir=$WORK/nbd
new_disk "$dir"
start_nbd nbd "$dir/disk.img" "$dir/disk.lease" || bail "qemu-storage-daemon did not start: $(cat "$WORK/nbd.log")"
exclusion_case "NBD" "$(nbd_ref "$WORK/nbd.sock" data)" "$(nbd_ref "$WORK/nbd.sock" lease)" \
  "$dir/disk.img" "$dir/disk.lease"

# --- corrupt lease area -------------------------------------------------------------------
# A corrupt slot (here a torn record of host-id 1) is unknown, not fatal: an opener waits for it
# to keep still for a takeover wait (lease-timeout + io-timeout), then takes the disk, and never
# writes the corrupt slot.
dir=$WORK/corrupt
new_disk "$dir"
start_qemu a "$(lease_blockdev 1 "$(file_ref "$dir/disk.img")" "$(file_ref "$dir/disk.lease")")"
stop_qemu a
"$QEMU_IO" -f raw -c 'write -P 0x5a 4200 16' "$dir/disk.lease" >/dev/null   # slot 1, mid-record
slot1() { dd if="$dir/disk.lease" bs=4096 skip=1 count=1 status=none | sha256sum; }
before=$(slot1)
t0=$(now_ms)
start_qemu b "$(lease_blockdev 2 "$(file_ref "$dir/disk.img")" "$(file_ref "$dir/disk.lease")")" ||
  bail "QEMU b did not start: $(cat "$WORK/b.log")"
t_owner=$(($(now_ms) - t0))
diag "corrupt slot: the opener owns the disk $t_owner ms after it started"
check "corrupt slot: the opener takes the disk once the corrupt slot kept still" \
  test "$(lease_field b state)" = owner
check "corrupt slot: it waited a takeover wait ($((TIMEOUT_MS + DRIVER_IO_TIMEOUT_MS)) ms) first" \
  test "$t_owner" -ge $((TIMEOUT_MS + DRIVER_IO_TIMEOUT_MS))
check "corrupt slot: the corrupt slot was not written" test "$before" = "$(slot1)"
check "corrupt slot: the disk is untouched" disk_has_pattern "$dir/disk.img" 0 1M 0
stop_qemu b
"$QEMU_IO" -f raw -c 'write -P 0x77 0 16' "$dir/disk.lease" >/dev/null          # the header
err=$(start_qemu_expect_fail b "$(lease_blockdev 2 "$(file_ref "$dir/disk.img")" "$(file_ref "$dir/disk.lease")")")
check "corrupt header: refused with an error saying it is not a lease area" \
  grep -q "is not a lease area or its header is corrupt" <<<"$err"
"$QEMU_IMG" create -q -f raw "$dir/small.lease" 4K
err=$(start_qemu_expect_fail b "$(lease_blockdev 2 "$(file_ref "$dir/disk.img")" "$(file_ref "$dir/small.lease")")")
check "too small lease area: refused with the size it needs" grep -q "needs at least 8 KiB" <<<"$err"
err=$(start_qemu_expect_fail b "$(lease_blockdev 17 "$(file_ref "$dir/disk.img")" "$(file_ref "$WORK/shared/disk.lease")")")
check "host-id beyond the slots: refused naming the range" grep -q "host-id 17 does not fit .* 1..16" <<<"$err"

echo "1..$tap_n"
exit $tap_failed
