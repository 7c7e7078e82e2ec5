#!/usr/bin/env bash
# Run QEMU's tests/qtest/migration-test (all tests, slow ones too) against a QEMU build folder.
#
# migration-test uses KVM whenever /dev/kvm is there.  migkit's suites run under TCG, the
# accelerator these machines are specified with: the /dev/kvm some of them expose is a nested
# KVM without SSE3 in its CPUID, on which QEMU's own /dirty_limit test fails with stock 10.0.2
# too, and the dirty-ring test hangs.  So, as root, the test runs in a private mount namespace
# whose /dev has everything but kvm.  MIGKIT_QTEST_KVM=1 keeps /dev/kvm (a host with a real KVM).
set -euo pipefail
build=${1:?usage: run-migration-test.sh QEMU_BUILD_DIR}
[ -x "$build/tests/qtest/migration-test" ] ||
  { echo "Bail out! $build/tests/qtest/migration-test is missing: run qemu-patches/build-qemu.sh"; exit 1; }
cd "$build"
export QTEST_QEMU_BINARY=./qemu-system-x86_64
export QTEST_QEMU_IMG=./qemu-img
run=(./tests/qtest/migration-test --tap -k --full -m slow)

if [ ! -e /dev/kvm ] || [ -n "${MIGKIT_QTEST_KVM:-}" ]; then
  exec "${run[@]}"
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "# /dev/kvm is present and this is not root: the tests may run under KVM" >&2
  exec "${run[@]}"
fi
# A tmpfs /dev rebuilt from the real one: device nodes and folders bound, links copied.
exec unshare -m --propagation private bash -euc '
  real=$(mktemp -d)
  mount --bind /dev "$real"
  mount -t tmpfs -o mode=755 migkit-dev /dev
  for entry in "$real"/*; do
    name=${entry##*/}
    [ "$name" = kvm ] && continue
    if [ -L "$entry" ]; then cp -a "$entry" /dev/
    elif [ -d "$entry" ]; then mkdir "/dev/$name" && mount --rbind "$entry" "/dev/$name"
    else touch "/dev/$name" && mount --bind "$entry" "/dev/$name"
    fi
  done
  [ ! -e /dev/kvm ] || { echo "Bail out! /dev/kvm could not be hidden" >&2; exit 1; }
  exec "$@"' run-migration-test "${run[@]}"
