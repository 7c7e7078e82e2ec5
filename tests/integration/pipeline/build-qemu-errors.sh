#!/usr/bin/env bash
# The QEMU pipeline's answers to bad input (TAP): each failure is a clear error that names the
# thing and the fix, a non-zero exit, and a rerun after the fix picks up where it stopped.
#
#   build-qemu-errors.sh QEMU_PATCHES_DIR
# Needs the pinned tarball in $MIGKIT_CACHE/dist (qemu-patches/build-qemu.sh put it there).
set -uo pipefail
patches_dir=$(cd "${1:?usage: build-qemu-errors.sh QEMU_PATCHES_DIR}" && pwd)
script=$patches_dir/build-qemu.sh
main_cache=${MIGKIT_CACHE:-/var/cache/migkit}
tarball=$main_cache/dist/qemu_10.0.2+ds.orig.tar.xz
work=$(mktemp -d /var/tmp/migkit-pipeline-test.XXXXXX)
cleanup() { mountpoint -q "$work/tiny" && umount "$work/tiny"; rm -rf "$work"; }
trap cleanup EXIT

n=0 failed=0
echo "1..9"
# check NAME EXPECTED_STATUS(nonzero|zero) PATTERN -- COMMAND...
check() {
  local name=$1 want=$2 pattern=$3; shift 4
  n=$((n + 1))
  "$@" >"$work/out" 2>&1
  local rc=$?
  local ok=1
  if [ "$want" = nonzero ] && [ $rc -eq 0 ]; then ok=0; fi
  if [ "$want" = zero ] && [ $rc -ne 0 ]; then ok=0; fi
  grep -Eq -- "$pattern" "$work/out" || ok=0
  if [ $ok = 1 ]; then
    echo "ok $n - $name"
  else
    echo "not ok $n - $name (exit $rc, wanted $want and /$pattern/)"
    sed 's/^/# /' "$work/out" | tail -n 15
    failed=1
  fi
}

[ -f "$tarball" ] || { echo "Bail out! $tarball missing: run qemu-patches/build-qemu.sh first"; exit 1; }

check "an unknown option is refused" nonzero "unknown option '--frobnicate'" -- \
  "$script" --no-deps --frobnicate

# No network to the mirror: apt-get fails as it does offline.
mkdir -p "$work/offline-bin"
printf '#!/bin/sh\necho "Err:1 http://deb.debian.org/debian bookworm-backports InRelease" >&2\necho "E: Unable to fetch some archives" >&2\nexit 100\n' >"$work/offline-bin/apt-get"
chmod +x "$work/offline-bin/apt-get"
check "a failed download says what to do" nonzero "could not download qemu_10.0.2\+ds.orig.tar.xz: check the network" -- \
  env PATH="$work/offline-bin:$PATH" "$script" --no-deps --cache "$work/c1"

# The mirror serves a file with another hash.
mkdir -p "$work/badmirror-bin"
printf '#!/bin/sh\necho corrupt > qemu_10.0.2+ds.orig.tar.xz\n' >"$work/badmirror-bin/apt-get"
chmod +x "$work/badmirror-bin/apt-get"
check "a tarball with the wrong sha256 is refused and kept aside" nonzero "wrong sha256" -- \
  env PATH="$work/badmirror-bin:$PATH" "$script" --no-deps --cache "$work/c2"
n=$((n + 1))
if [ -f "$work/c2/dist/qemu_10.0.2+ds.orig.tar.xz.bad" ] && [ ! -f "$work/c2/dist/qemu_10.0.2+ds.orig.tar.xz" ]; then
  echo "ok $n - the bad tarball is not used again"
else
  echo "not ok $n - the bad tarball is not used again"; failed=1
fi

# Disk full.
mkdir -p "$work/tiny"
if mount -t tmpfs -o size=40m tmpfs "$work/tiny" 2>/dev/null; then
  check "a full disk is named before anything is written" nonzero "MiB free under .*need about" -- \
    "$script" --no-deps --cache "$work/tiny"
else
  n=$((n + 1)); echo "ok $n - a full disk is named # SKIP cannot mount a tmpfs here"
fi

# A series naming a missing patch, then one that does not apply, then the fix.
mkdir -p "$work/c3/dist" "$work/series"
ln -s "$tarball" "$work/c3/dist/"
printf 'missing.patch\n' >"$work/series/series"
check "a series entry without its file is named" nonzero "lists 'missing.patch' but .* does not exist" -- \
  "$script" --no-deps --cache "$work/c3" --series "$work/series/series" --prepare-only
cat >"$work/series/0001-bad.patch" <<'PATCH'
From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: migkit test <test@migkit.invalid>
Subject: [PATCH] a patch that does not apply

---
 VERSION | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/VERSION b/VERSION
--- a/VERSION
+++ b/VERSION
@@ -1 +1 @@
-9.9.9
+10.0.2-migkit
PATCH
printf '0001-bad.patch\n' >"$work/series/series"
check "a patch that does not apply stops the build and is named" nonzero "patch .*0001-bad.patch does not apply" -- \
  "$script" --no-deps --cache "$work/c3" --series "$work/series/series" --prepare-only
sed -i 's/^-9.9.9$/-10.0.2/' "$work/series/0001-bad.patch"
check "after the fix the rerun applies the series" zero "patched source ready" -- \
  "$script" --no-deps --cache "$work/c3" --series "$work/series/series" --prepare-only

# A half-prepared source tree (an unpack that was interrupted) is noticed and redone.
rm -f "$work/c3/qemu-10.0.2/.migkit-base-ok"
check "a half-prepared source tree is redone" zero "removing a stale or half-prepared source tree" -- \
  "$script" --no-deps --cache "$work/c3" --series "$work/series/series" --prepare-only

exit $failed
