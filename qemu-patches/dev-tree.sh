#!/usr/bin/env bash
# A QEMU tree to develop patches in, beside the pipeline's own tree.
#
#   qemu-patches/dev-tree.sh NAME [--from-series]
#
# Makes (once) a git worktree $MIGKIT_CACHE/dev-NAME on branch dev-NAME starting at `base`
# (or at the applied series with --from-series), configures it exactly like build-qemu.sh and
# builds it with the shared ccache.  Rerun it to rebuild after editing.  Export your commits as
# patches with qemu-patches/export.sh.  Run qemu-patches/build-qemu.sh once first.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${MIGKIT_CACHE:-/var/cache/migkit}
name=${1:?usage: dev-tree.sh NAME [--from-series]}; shift
start=base
while [ $# -gt 0 ]; do
  case "$1" in
    --from-series) start=migkit ;;
    *) echo "dev-tree: error: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done
src=$cache/qemu-10.0.2
tree=$cache/dev-$name
[ -f "$src/.migkit-base-ok" ] || { echo "dev-tree: error: no prepared QEMU source in $src: run qemu-patches/build-qemu.sh first" >&2; exit 1; }
git_q() { git -C "$1" -c safe.directory="*" "${@:2}"; }
if [ ! -e "$tree/.git" ]; then
  git_q "$src" worktree prune
  git_q "$src" worktree add -q -b "dev-$name" "$tree" "$start"
fi
. "$here/qemu-env.sh"
qemu_build_env "$cache"
conf=("${QEMU_CONFIGURE_ARGS[@]}")
build=$tree/build
if qemu_configure_needed "$build"; then
  rm -rf "$build"; mkdir -p "$build"
  (cd "$build" && ../configure "${conf[@]}" >configure.log 2>&1) ||
    { tail -n 20 "$build/configure.log" >&2; echo "dev-tree: error: configure failed ($build/configure.log)" >&2; exit 1; }
  qemu_configure_done "$build"
fi
ninja -C "$build" -j"${MIGKIT_JOBS:-2}" "${QEMU_TARGETS[@]}" "$@" >"$build/ninja.log" 2>&1 ||
  { grep -E -m 30 'error|FAILED' "$build/ninja.log" >&2; echo "dev-tree: error: build failed ($build/ninja.log)" >&2; exit 1; }
qemu_stage_firmware "$build"
echo "$build"
