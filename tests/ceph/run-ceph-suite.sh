#!/usr/bin/env bash
# The Ceph suite as one TAP test: start a single-host cluster, run every RBD case in it, stop it.
#
#   run-ceph-suite.sh [QEMU_BUILD_DIR]
#
# QEMU: $MIGKIT_CEPH_QEMU (a folder with qemu-system-x86_64, qemu-io, qemu-img) when set, else
# QEMU_BUILD_DIR (the pipeline build), else /usr/bin (needs qemu-block-extra for rbd).
# The lease filter's driver name: $MIGKIT_LEASE_DRIVER (default cluster-lease).
# MIGKIT_CEPH_MIGRATIONS=N migrations per downtime figure (default 5).
# MIGKIT_CEPH_CASES=REGEX runs only the cases whose function name matches (the others skip).
# The cluster's state goes under $MIGKIT_CEPH_STATE (default: a fresh folder in /var/tmp).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

. "$here/lib.sh"
bail() { echo "Bail out! $*"; exit 1; }

qemu_dir=${MIGKIT_CEPH_QEMU:-${1:-}}
[ -n "$qemu_dir" ] || qemu_dir=/usr/bin
for b in qemu-system-x86_64 qemu-io qemu-img; do
  [ -x "$qemu_dir/$b" ] || bail "$qemu_dir/$b is missing: build QEMU (qemu-patches/build-qemu.sh) or set MIGKIT_CEPH_QEMU"
done
qemu_has_driver "$qemu_dir" rbd ||
  bail "$qemu_dir/qemu-img has no rbd driver: configure QEMU with --enable-rbd (librbd-dev), or for /usr/bin install qemu-block-extra"
[ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP needs root (network namespace, Ceph daemons)"; exit 0; }
for b in ceph-mon ceph-osd rbd jq; do
  command -v "$b" >/dev/null ||
    { echo "1..0 # SKIP '$b' is not installed: run tools/install-deps.sh ceph"; exit 0; }
done

work=$(mktemp -d /var/tmp/migkit-ceph-test.XXXXXX)
state=${MIGKIT_CEPH_STATE:-$work/cluster}
cleanup() {
  local t0=${EPOCHREALTIME/./}
  "$here/ceph-cluster.sh" stop "$state" >"$work/cluster-stop.log" 2>&1
  echo "# cluster stop: $(( (${EPOCHREALTIME/./} - t0) / 1000 )) ms"
  if [ "${MIGKIT_CEPH_KEEP:-0}" = 1 ]; then echo "# kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

t0=${EPOCHREALTIME/./}
if ! "$here/ceph-cluster.sh" start "$state" >"$work/cluster-start.log" 2>&1; then
  sed 's/^/# /' "$work/cluster-start.log"
  # The daemons are stopped on exit; their logs stay for a look.
  cp -r "$state/log" "$work/cluster-logs" 2>/dev/null || true
  MIGKIT_CEPH_KEEP=1
  bail "the Ceph cluster did not start (its output above; daemon logs kept in $work/cluster-logs)"
fi
echo "# cluster start: $(( (${EPOCHREALTIME/./} - t0) / 1000 )) ms"

"$here/ceph-cluster.sh" exec "$state" env QEMU_DIR="$qemu_dir" WORK="$work" CEPH_STATE="$state" \
  LEASE_DRIVER="${MIGKIT_LEASE_DRIVER:-cluster-lease}" MIGKIT_CEPH_CASES="${MIGKIT_CEPH_CASES:-}" \
  MIGKIT_CEPH_MIGRATIONS="${MIGKIT_CEPH_MIGRATIONS:-5}" bash "$here/rbd-cases.sh"
