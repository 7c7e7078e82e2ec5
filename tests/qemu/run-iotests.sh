#!/usr/bin/env bash
# Run QEMU's qemu-iotests (by name, for one image format) against a QEMU build folder, as TAP.
#
#   run-iotests.sh QEMU_BUILD_DIR FORMAT TEST...
set -uo pipefail
build=${1:?usage: run-iotests.sh QEMU_BUILD_DIR FORMAT TEST...}
format=${2:?format}; shift 2
dir=$build/tests/qemu-iotests
[ -x "$dir/check" ] || { echo "Bail out! $dir/check is missing: run qemu-patches/build-qemu.sh"; exit 1; }
echo "1..$#"
scratch=$(mktemp -d /var/tmp/migkit-iotests.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
n=0 failed=0
for t in "$@"; do
  n=$((n + 1))
  out=$scratch/$t.log
  (cd "$dir" && TEST_DIR=$scratch/test SOCK_DIR=$scratch/sock ./check -"$format" "$t") >"$out" 2>&1
  rc=$?
  if [ $rc -eq 0 ] && grep -Eq "^$t +pass|^Passed all" "$out"; then
    echo "ok $n - iotest $t ($format)"
  elif grep -Eq "^$t +not run" "$out"; then
    echo "ok $n - iotest $t ($format) # SKIP $(grep -E "^$t +not run" "$out" | head -1)"
  else
    echo "not ok $n - iotest $t ($format)"
    sed 's/^/# /' "$out" | tail -n 30
    failed=1
  fi
done
exit $failed
