#!/usr/bin/env bash
# The RBD cases, TAP on stdout: real QEMU processes on one RBD image of a running cluster,
# without and with migkit's lease filter.  Run by run-ceph-suite.sh inside the cluster's
# network namespace; expects CEPH_CONF, QEMU_DIR, WORK, LEASE_DRIVER in the environment.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"

: "${CEPH_CONF:?}" "${QEMU_DIR:?}" "${WORK:?}" "${LEASE_DRIVER:?}"
trap vm_quit_all EXIT
# A QMP peer that died must make a write fail, not kill this shell.
trap '' PIPE

IMAGE_SIZE=64M
KiB64=65536

# Each case gets a fresh image and leaves no VM behind.
run_case() {
  local name=$1 fn=$2 rc=0
  image=$(echo "$name" | tr -c 'a-z0-9\n' '-')
  image_create "$image" "$IMAGE_SIZE" || { tap_result 1 "$name (rbd create)"; return; }
  "$fn" || rc=$?
  vm_quit_all
  image_remove "$image"
  tap_result $rc "$name"
}

# A VM whose disk is the plain RBD node: what an operator gets today.
vm_start_plain() {
  vm_start "$1" -blockdev "$(rbd_blockdev "$image")" \
    -device virtio-blk-pci,drive=rbd0,id=vd0 "${@:2}"
}

# ---- without the lease -----------------------------------------------------------------------

# The danger, documented: two VMs open one image and both write it.  RBD's exclusive lock is
# cooperative: each write asks the holder for the lock and gets it; no guest sees an error.
case_two_writers_without_lease() {
  local owner_a owner_b
  vm_start_plain a || return 1
  vm_start_plain b || return 1
  check "both VMs watch the image" test "$(image_watchers "$image")" -eq 2 || return 1
  check "VM a writes 0xaa" vm_write a 0xaa 0 $KiB64 || return 1
  owner_a=$(image_lock_owner "$image")
  check "a's write landed" image_expect "$image" 0xaa 0 $KiB64 || return 1
  check "VM b writes 0xbb over it" vm_write b 0xbb 0 $KiB64 || return 1
  owner_b=$(image_lock_owner "$image")
  check "b's write landed" image_expect "$image" 0xbb 0 $KiB64 || return 1
  check "VM a writes 0xcc again" vm_write a 0xcc $KiB64 $KiB64 || return 1
  check "a's second write landed" image_expect "$image" 0xcc $KiB64 $KiB64 || return 1
  check "b's block is still b's" image_expect "$image" 0xbb 0 $KiB64 || return 1
  diag "exclusive lock owner after a's write: $owner_a, after b's: $owner_b"
  check "the lock moved between the two VMs" test -n "$owner_a" -a -n "$owner_b" \
    -a "$owner_a" != "$owner_b"
}

# RBD's own fencing, the baseline the lease must beat: after kill -9 of the lock holder the
# other VM's write waits for osd_client_watch_timeout, then the lock is broken and the dead
# client is blocklisted.
case_rbd_dead_holder_baseline() {
  local t0 ms watch
  vm_start_plain a || return 1
  vm_start_plain b || return 1
  check "VM a writes 0xaa" vm_write a 0xaa 0 $KiB64 || return 1
  vm_kill a KILL
  t0=$(now_ms)
  check "VM b's write completes after a died" vm_write b 0xbb 0 $KiB64 180 || return 1
  ms=$(($(now_ms) - t0))
  watch=$(ceph config get osd osd_client_watch_timeout 2>/dev/null || echo '?')
  figure rbd_takeover_after_kill_ms "$ms" "(osd_client_watch_timeout=${watch}s)"
  check "b's write landed" image_expect "$image" 0xbb 0 $KiB64 || return 1
  check "the dead client is on the OSD blocklist" \
    bash -c "ceph osd blocklist ls 2>/dev/null | grep -q ."
}

# The reference downtime: the same live migration as the lease case, without the filter.
case_migration_without_lease() {
  local reply
  vm_start_plain src || return 1
  check "src writes 0xaa" vm_write src 0xaa 0 $KiB64 || return 1
  vm_start_plain dst -incoming defer || return 1
  reply=$(vm_migrate src dst) || return 1
  figure migration_downtime_plain_ms "$(jq -r '.return.downtime' <<<"$reply")"
  figure migration_total_plain_ms "$(jq -r '.return."total-time"' <<<"$reply")"
  check "dst runs after switchover" test "$(vm_status dst)" = running || return 1
  check "dst writes 0xbb" vm_write dst 0xbb $KiB64 $KiB64 || return 1
  check "content after migration" image_expect "$image" 0xaa 0 $KiB64 || return 1
  check "dst's write landed" image_expect "$image" 0xbb $KiB64 $KiB64
}

# ---- with the lease ----------------------------------------------------------------------------

. "$here/lease-cases.sh"

# ---- main ---------------------------------------------------------------------------------------

diag "QEMU: $QEMU_DIR/qemu-system-x86_64 ($("$QEMU_DIR/qemu-system-x86_64" --version | head -n 1))"
run_case "two VMs write one image without a lease (the danger)" case_two_writers_without_lease
run_case "kill -9 of the RBD lock holder: RBD's own takeover (baseline)" \
  case_rbd_dead_holder_baseline
run_case "live migration on RBD without the lease (reference downtime)" \
  case_migration_without_lease
lease_cases
echo "1..$tap_count"
[ $tap_failed -eq 0 ]
