#!/usr/bin/env bash
# `migkit migrate --json` reports each disk of the source VM and whether a cluster-lease node
# protects it (docs/lease-driver.md): real QEMU processes with the verifiable guest, a
# cluster-lease disk on a shared folder and a plain disk, migrated on this host.  TAP; skips
# when the QEMU has no cluster-lease driver.
#
#   cli_disk_facts.sh MIGKIT QEMU GUEST_ELF
set -uo pipefail

migkit=$1 qemu=$2 guest=$3
qemu_img=$(dirname "$qemu")/qemu-img
[ -x "$qemu_img" ] || qemu_img=$(command -v qemu-img)

commands=$(printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"query-commands"}' \
  '{"execute":"quit"}' | "$qemu" -M none -nodefaults -display none -qmp stdio 2>&1)
if ! grep -q '"query-block-leases"' <<<"$commands"; then
  echo "1..0 # SKIP $qemu has no cluster-lease driver (no query-block-leases)"
  exit 0
fi
command -v jq >/dev/null || { echo "Bail out! jq is missing (apt-get install jq)"; exit 1; }

source "$(dirname "${BASH_SOURCE[0]}")/guest-qemu.sh"
guest_qemu_init migkit-disk-facts "$qemu" "$guest"

n=0
check() { # check NAME COMMAND...: one TAP line from a command's status
  local name=$1; shift
  n=$((n + 1))
  if "$@"; then echo "ok $n - $name"; else echo "not ok $n - $name"; fi
}

# start_qemu NAME HOST-ID [QEMU ARGS...]: the guest with the lease disk (vd0) and the plain disk
# (vd1) on the shared folder $work; QMP at $work/NAME.qmp.
start_qemu() {
  local name=$1 host_id=$2; shift 2
  guest_qemu_start "$name" 128M \
    -blockdev "driver=file,node-name=f0,filename=$work/disk.img,cache.direct=on" \
    -blockdev "driver=file,node-name=l0,filename=$work/disk.lease,cache.direct=on" \
    -blockdev "driver=cluster-lease,node-name=d0,file=f0,lease=l0,host-id=$host_id,host-name=host$host_id" \
    -device virtio-blk-pci,drive=d0,id=vd0 \
    -blockdev "driver=file,node-name=p0,filename=$work/plain.img" \
    -device virtio-blk-pci,drive=p0,id=vd1 "$@" || { echo "Bail out! QEMU $name did not start"; exit 1; }
}

echo "1..6"
"$qemu_img" create -q -f raw "$work/disk.img" 16M
"$qemu_img" create -q -f raw "$work/disk.lease" 68K # all zero: the first writer formats it
"$qemu_img" create -q -f raw "$work/plain.img" 16M
start_qemu src 1
start_qemu dst 2 -incoming defer

"$migkit" migrate --source "$work/src.qmp" --destination "$work/dst.qmp" --json \
  --report "$work/report.json" >"$work/out.json" 2>"$work/err"
rc=$?
[ "$rc" -eq 0 ] || echo "# migkit exit $rc: $(head -c 600 "$work/err")"
disk() { jq -r ".disks[$1][\"$2\"]" "$work/out.json"; }
check "the migration completes" test "$(jq -r .outcome.status "$work/out.json")" = completed
check "two disks reported" test "$(jq '.disks | length' "$work/out.json")" = 2
check "disk 0 is vd0 on node d0 over file" \
  test "$(disk 0 device)/$(disk 0 node)/$(disk 0 protocol)" = vd0/d0/file
check "disk 0 is lease-protected, owned by host1" \
  test "$(disk 0 lease-protected)/$(disk 0 lease-owner)" = true/host1
check "disk 1 is vd1 on node p0, not lease-protected" \
  test "$(disk 1 device)/$(disk 1 node)/$(disk 1 lease-protected)" = vd1/p0/false
check "the report file lists the same disks" \
  test "$(jq -c .disks "$work/report.json")" = "$(jq -c .disks "$work/out.json")"
jq -c '.disks[]' "$work/out.json" | sed 's/^/# /'
