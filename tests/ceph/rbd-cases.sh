#!/usr/bin/env bash
# The RBD cases, TAP on stdout: real QEMU processes on one RBD image of a running cluster,
# without and with migkit's lease filter.  Run by run-ceph-suite.sh inside the cluster's
# network namespace; expects CEPH_CONF, CEPH_STATE, QEMU_DIR, WORK, LEASE_DRIVER in the
# environment.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"

: "${CEPH_CONF:?}" "${CEPH_STATE:?}" "${QEMU_DIR:?}" "${WORK:?}" "${LEASE_DRIVER:?}"
SUITE_WORK=$WORK
FIGURES=$SUITE_WORK/figures.txt
trap vm_quit_all EXIT
# A QMP peer that died must make a write fail, not kill this shell.
trap '' PIPE

IMAGE_SIZE=64M
# Migrations a downtime figure is the median of (the machine is shared: single runs are noisy).
MIGRATIONS=${MIGKIT_CEPH_MIGRATIONS:-5}
# Images under the lease: RBD's exclusive-lock (and the features needing it) off, so a dead
# holder's librbd lock cannot hold up a takeover the lease has granted.
LEASED_IMAGE=(--image-feature layering)
KiB64=65536

# Each case gets a fresh image (rbd create OPTIONS... as given) and a folder of its own for the
# VMs' logs, and leaves no VM behind.
run_case() {
  local name=$1 fn=$2 rc=0
  shift 2
  if [ -n "${MIGKIT_CEPH_CASES:-}" ] && ! [[ "$fn" =~ $MIGKIT_CEPH_CASES ]]; then
    tap_skip "$name" "not selected by MIGKIT_CEPH_CASES"
    return
  fi
  image=${fn#case_}
  image=${image//_/-}
  WORK=$SUITE_WORK/$image
  mkdir -p "$WORK"
  rbd create --size "$IMAGE_SIZE" "$@" "rbd/$image" || { tap_result 1 "$name (rbd create)"; return; }
  "$fn" || rc=$?
  vm_quit_all
  image_remove "$image"
  image_remove "$image-lease"
  image_remove "$image-ref"
  tap_result $rc "$name"
}

# A VM whose disk is the plain RBD node: what an operator gets today.
# `vm_start_plain NAME HOST-ID [QEMU-ARGS...]` (the host-id is for the lease variant only).
vm_start_plain() {
  vm_start "$1" -blockdev "$(rbd_blockdev "$image")" \
    -device virtio-blk-pci,drive=rbd0,id=vd0 "${@:3}"
}

# A chain of live migrations of one VM, each hop into a fresh QEMU: VMs PREFIX0, PREFIX1, ...
# started by START-FN with host-ids 1, 2, 3..., on image IMG; the guest writes before and after
# each hop and every write is checked on the image.  Guest downtimes (ms) collect in
# CHAIN_DOWNTIMES[PREFIX].  Each old source quits when the next hop starts.
declare -A CHAIN_DOWNTIMES
chain_begin() {
  local start=$1 prefix=$2 image=$3
  CHAIN_DOWNTIMES[$prefix]=
  "$start" "${prefix}0" 1 || return 1
  check "${prefix}0 writes 0x10" vm_write "${prefix}0" 0x10 0 $KiB64
}

chain_hop() {
  local start=$1 prefix=$2 image=$3 i=$4 src dst pattern ms
  src=$prefix$((i - 1)) dst=$prefix$i
  [ "$i" -lt 2 ] || vm_quit "$prefix$((i - 2))"
  "$start" "$dst" $((i + 1)) -incoming defer || return 1
  vm_migrate "$src" "$dst" || return 1
  vm_wait_running "$dst" || return 1
  ms=$(guest_downtime_ms "$src" "$dst") || return 1
  CHAIN_DOWNTIMES[$prefix]+="$ms "
  diag "$src -> $dst: guest downtime $ms ms," \
    "query-migrate downtime $(jq -r '.return.downtime' <<<"$MIGRATE_REPLY") ms," \
    "total $(jq -r '.return."total-time"' <<<"$MIGRATE_REPLY") ms"
  pattern=$(printf '0x%x' $((0x10 + i)))
  check "$dst writes $pattern" vm_write "$dst" "$pattern" $((i * KiB64)) $KiB64 || return 1
  check "$dst's write landed" image_expect "$image" "$pattern" $((i * KiB64)) $KiB64 || return 1
  check "${prefix}0's write survived" image_expect "$image" 0x10 0 $KiB64
}

# COUNT hops of one chain (VMs m0..mCOUNT on the case's image); DOWNTIMES gets the downtimes.
migrate_chain() {
  local start=$1 count=$2 i
  chain_begin "$start" m "$image" || return 1
  for ((i = 1; i <= count; i++)); do
    chain_hop "$start" m "$image" $i || return 1
  done
  read -ra DOWNTIMES <<<"${CHAIN_DOWNTIMES[m]}"
}

# ---- without the lease -----------------------------------------------------------------------

# The danger, documented: two VMs open one image and both write it.  RBD's exclusive lock is
# cooperative: each write asks the holder for the lock and gets it; no guest sees an error.
case_two_writers_without_lease() {
  local owner_a owner_b
  vm_start_plain a 1 || return 1
  vm_start_plain b 2 || return 1
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
  vm_start_plain a 1 || return 1
  vm_start_plain b 2 || return 1
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

# The reference downtime: the same migrations as the lease case, without the filter.  And the
# danger after a migration: nothing stops a `cont` on the old source, and then two VMs write.
case_migration_without_lease() {
  migrate_chain vm_start_plain "$MIGRATIONS" || return 1
  figure migration_guest_downtime_plain_ms "$(median "${DOWNTIMES[@]}")" \
    "(median of ${DOWNTIMES[*]})"
  local old=m$((MIGRATIONS - 1))
  check "the old source $old resumes with 'cont'" vm_qmp $old '{"execute": "cont"}' || return 1
  check "the old source writes 0xee next to the new owner" vm_write $old 0xee $(((MIGRATIONS + 1) * KiB64)) $KiB64 ||
    return 1
  check "and it lands" image_expect "$image" 0xee $(((MIGRATIONS + 1) * KiB64)) $KiB64
}

# ---- with the lease ----------------------------------------------------------------------------

. "$here/lease-cases.sh"

# ---- main ---------------------------------------------------------------------------------------

diag "QEMU: $QEMU_DIR/qemu-system-x86_64 ($("$QEMU_DIR/qemu-system-x86_64" --version | head -n 1))"
run_case "two VMs write one image without a lease (the danger)" case_two_writers_without_lease
run_case "kill -9 of the RBD lock holder: RBD's own takeover (baseline)" \
  case_rbd_dead_holder_baseline
run_case "live migration on RBD without the lease; the old source can resume and write" \
  case_migration_without_lease
lease_cases
echo "1..$tap_count"
[ $tap_failed -eq 0 ]
