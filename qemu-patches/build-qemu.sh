#!/usr/bin/env bash
# Build QEMU 10.0.2 for migkit: the patched tree (qemu-patches/series applied) or the unpatched
# reference from the same pinned tarball.
#
#   qemu-patches/build-qemu.sh [--stock] [--cache DIR] [--series FILE] [--no-deps]
#                              [--prepare-only] [--print-dir]
#
# The cache (default $MIGKIT_CACHE, else /var/cache/migkit) holds the tarball, a git tree of the
# source with the series applied on top of a `base` commit, the build folders and ccache.  It
# lives outside the clone; nothing depends on it being there.  Rerunning with nothing changed
# takes seconds; a changed patch re-applies the series and rebuilds incrementally.
#   --stock          build the unpatched reference (a worktree at `base`) instead
#   --series FILE    another series file (patch names relative to its folder)
#   --prepare-only   stop once the source is ready (series applied); print the source folder
#   --no-deps        do not run tools/install-deps.sh qemu first
#   --print-dir      print the build folder and exit
# On success the last line printed is the build folder (qemu-system-x86_64 is in it).
set -euo pipefail

QEMU_VERSION=10.0.2
TARBALL=qemu_${QEMU_VERSION}+ds.orig.tar.xz
TARBALL_SHA256=0901da33844a331bf8b3602b9c1fbd178e60b737c8e3ade678255bd090c9b9f1

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${MIGKIT_CACHE:-/var/cache/migkit}
variant=patched deps=1 print_dir=0 prepare_only=0
series=$here/series

die() { echo "build-qemu: error: $*" >&2; exit 1; }
say() { echo "build-qemu: $*" >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --stock) variant=stock ;;
    --cache) cache=${2:?--cache needs a folder}; shift ;;
    --no-deps) deps=0 ;;
    --series) series=${2:?--series needs a file}; shift ;;
    --prepare-only) prepare_only=1 ;;
    --print-dir) print_dir=1 ;;
    -h|--help) awk 'NR>1 && /^#/ {sub(/^# ?/, ""); print; next} NR>1 {exit}' "$0"; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done

mkdir -p "$cache" 2>/dev/null || die "cannot create the cache folder $cache (set MIGKIT_CACHE to a writable folder)"
cache=$(cd "$cache" && pwd)
src=$cache/qemu-$QEMU_VERSION          # git tree: base commit + series (the patched variant)
stock=$cache/qemu-$QEMU_VERSION-stock  # git worktree at `base`
tree=$src; [ $variant = stock ] && tree=$stock
build=$tree/build

if [ $print_dir = 1 ]; then echo "$build"; exit 0; fi

check_space() {
  local need_mb=$1 avail
  avail=$(df -Pm "$cache" | awk 'NR==2 {print $4}')
  [ "${avail:-0}" -ge "$need_mb" ] ||
    die "only ${avail} MiB free under $cache, need about ${need_mb} MiB: free some disk or point MIGKIT_CACHE elsewhere"
}

# 1. Dependencies.
if [ $deps = 1 ]; then
  "$here/../tools/install-deps.sh" qemu
fi

# 2. The pinned tarball, verified.
dist=$cache/dist
mkdir -p "$dist"
sha_ok() { [ -f "$dist/$TARBALL" ] && echo "$TARBALL_SHA256  $dist/$TARBALL" | sha256sum -c --status; }
if ! sha_ok; then
  rm -f "$dist/$TARBALL"
  check_space 100
  say "downloading $TARBALL (apt-get source, bookworm-backports)"
  tmp=$(mktemp -d "$dist/dl.XXXXXX")
  # The .dsc or debian.tar.xz have been seen to 404 while the orig tarball downloads: judge
  # by the tarball and its hash, not by apt-get's exit status.
  (cd "$tmp" && apt-get source --download-only -t bookworm-backports qemu >"$tmp/log" 2>&1) || true
  if [ ! -f "$tmp/$TARBALL" ]; then
    tail -n 5 "$tmp/log" >&2
    rm -rf "$tmp"
    die "could not download $TARBALL: check the network to the Debian mirror and that deb-src for bookworm-backports is configured (tools/install-deps.sh adds it), or put the file in $dist by hand"
  fi
  mv "$tmp/$TARBALL" "$dist/$TARBALL"
  rm -rf "$tmp"
  sha_ok || { mv "$dist/$TARBALL" "$dist/$TARBALL.bad"; die "$TARBALL has the wrong sha256 (kept as $dist/$TARBALL.bad; expected $TARBALL_SHA256): the mirror serves another file; delete it and retry, or fetch the right one by hand"; }
fi

# 3. The source as a git tree with a `base` commit.  Unpacked into a temporary folder and
# renamed only when complete, so an interrupted unpack never looks like a good tree.
git_q() { git -C "$1" -c safe.directory="*" -c user.name=migkit -c user.email=build@migkit.invalid -c advice.detachedHead=false "${@:2}"; }
if [ ! -f "$src/.migkit-base-ok" ] || ! git_q "$src" rev-parse -q --verify base >/dev/null 2>&1; then
  [ -e "$src" ] && { say "removing a stale or half-prepared source tree $src"; rm -rf "$src" "$stock"; }
  rm -rf "$cache"/unpack.*
  check_space 1500
  say "unpacking $TARBALL"
  tmp=$(mktemp -d "$cache/unpack.XXXXXX")
  tar --no-same-owner -xJf "$dist/$TARBALL" -C "$tmp" || { rm -rf "$tmp"; die "unpacking $TARBALL failed (disk full? see df -h $cache)"; }
  [ -d "$tmp/qemu-$QEMU_VERSION" ] || { rm -rf "$tmp"; die "$TARBALL did not unpack to qemu-$QEMU_VERSION/"; }
  git_q "$tmp/qemu-$QEMU_VERSION" init -q -b migkit
  printf '/build*/\n/.migkit-*\n' >>"$tmp/qemu-$QEMU_VERSION/.git/info/exclude"
  # Uncompressed loose objects: the import is I/O-bound, not worth zlib time.
  git_q "$tmp/qemu-$QEMU_VERSION" -c core.looseCompression=0 add -A -f
  git_q "$tmp/qemu-$QEMU_VERSION" commit -q -m "QEMU $QEMU_VERSION (Debian +ds orig tarball)"
  git_q "$tmp/qemu-$QEMU_VERSION" tag base
  mv "$tmp/qemu-$QEMU_VERSION" "$src"
  rmdir "$tmp"
  touch "$src/.migkit-base-ok"
fi

# 4. The series.  Recorded by a hash of the series file and every patch it lists: unchanged
# means nothing to do; changed means reset to `base` and apply all again (git only rewrites
# files that differ, so ninja rebuilds only what the patches touch).
[ -f "$series" ] || die "no series file $series"
series_dir=$(cd "$(dirname "$series")" && pwd)
patches=()
while IFS= read -r line; do
  line=${line%%#*}; line=$(echo "$line" | xargs)
  [ -n "$line" ] || continue
  [ -f "$series_dir/$line" ] || die "$series lists '$line' but $series_dir/$line does not exist: fix the series file"
  patches+=("$line")
done <"$series"

if [ $variant = patched ]; then
  [ -d "$src/.git/rebase-apply" ] && git_q "$src" am --abort >/dev/null 2>&1 || true
  want=$( (cat "$series"; for p in "${patches[@]}"; do cat "$series_dir/$p"; done) | sha256sum | cut -d' ' -f1)
  have=$(cat "$src/.migkit-series" 2>/dev/null || true)
  if [ "$want" != "$have" ] || [ -n "$(git_q "$src" status --porcelain --untracked-files=no)" ]; then
    if [ -n "$(git_q "$src" status --porcelain --untracked-files=no)" ]; then
      say "note: uncommitted edits in $src are discarded (commit them and export with qemu-patches/export.sh)"
    fi
    rm -f "$src/.migkit-series"
    git_q "$src" checkout -q -B migkit base
    git_q "$src" reset -q --hard base
    for p in "${patches[@]}"; do
      say "applying $p"
      if ! git_q "$src" am -q --keep-cr "$series_dir/$p" >"$cache/am.log" 2>&1; then
        git_q "$src" am --abort >/dev/null 2>&1 || true
        sed -n '1,15p' "$cache/am.log" >&2
        die "patch $series_dir/$p does not apply on top of the patches before it (QEMU $QEMU_VERSION); refresh it against the series"
      fi
    done
    echo "$want" >"$src/.migkit-series"
  fi
else
  if [ ! -d "$stock/.git" ] && [ ! -f "$stock/.git" ]; then
    rm -rf "$stock"
    git_q "$src" worktree prune
    git_q "$src" worktree add -q --detach "$stock" base
  fi
  git_q "$stock" reset -q --hard base
fi

if [ $prepare_only = 1 ]; then
  say "$variant source ready: $tree"
  echo "$tree"
  exit 0
fi

# 5. Configure (settings shared with dev-tree.sh).
. "$here/qemu-env.sh"
qemu_build_env "$cache"
conf=("${QEMU_CONFIGURE_ARGS[@]}")
if qemu_configure_needed "$build"; then
  check_space 3000
  say "configuring $variant QEMU in $build"
  rm -rf "$build"; mkdir -p "$build"
  if ! (cd "$build" && ../configure "${conf[@]}" >configure.log 2>&1); then
    tail -n 20 "$build/configure.log" >&2
    die "configure failed (full log: $build/configure.log); a missing build dependency is fixed by tools/install-deps.sh qemu"
  fi
  qemu_configure_done "$build"
fi

# 6. Build.
check_space 500
jobs=${MIGKIT_JOBS:-$(nproc)}
say "building $variant QEMU (ninja -j$jobs; log: $build/ninja.log)"
if ! ninja -C "$build" -j"$jobs" "${QEMU_TARGETS[@]}" >"$build/ninja.log" 2>&1; then
  grep -E -m 20 'error|FAILED' "$build/ninja.log" >&2 || tail -n 20 "$build/ninja.log" >&2
  die "building $variant QEMU failed (full log: $build/ninja.log)"
fi

# 7. Firmware.
qemu_stage_firmware "$build" || die "staging firmware failed"

say "$variant QEMU ready: $build/qemu-system-x86_64"
echo "$build"
