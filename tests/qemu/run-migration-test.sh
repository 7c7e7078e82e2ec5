#!/usr/bin/env bash
# Run QEMU's tests/qtest/migration-test (all tests, slow ones too) against a QEMU build folder.
set -euo pipefail
build=${1:?usage: run-migration-test.sh QEMU_BUILD_DIR}
[ -x "$build/tests/qtest/migration-test" ] ||
  { echo "Bail out! $build/tests/qtest/migration-test is missing: run qemu-patches/build-qemu.sh"; exit 1; }
cd "$build"
export QTEST_QEMU_BINARY=./qemu-system-x86_64
export QTEST_QEMU_IMG=./qemu-img
exec ./tests/qtest/migration-test --tap -k --full -m slow
