#!/usr/bin/env bash
# Prove that every patch of the series builds on its own: apply the series one patch at a time
# in a separate worktree and build qemu-system-x86_64 after each.  Prints TAP, one test point a
# patch.  Uses the shared ccache, so only what a patch changes is compiled.
#
#   qemu-patches/check-series.sh            (after qemu-patches/build-qemu.sh)
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${MIGKIT_CACHE:-/var/cache/migkit}
src=$cache/qemu-10.0.2
tree=$cache/series-check
git_q() { git -C "$1" -c safe.directory="*" -c user.name=migkit -c user.email=build@migkit.invalid "${@:2}"; }

patches=()
while IFS= read -r line; do
  line=${line%%#*}; line=$(echo "$line" | xargs)
  [ -n "$line" ] && patches+=("$line")
done <"$here/series"

echo "1..$(( ${#patches[@]} > 0 ? ${#patches[@]} : 0 ))"
[ ${#patches[@]} -gt 0 ] || { echo "# the series is empty"; exit 0; }
[ -f "$src/.migkit-base-ok" ] || { echo "Bail out! no prepared QEMU source in $src: run qemu-patches/build-qemu.sh"; exit 1; }

. "$here/qemu-env.sh"
qemu_build_env "$cache"
if [ ! -e "$tree/.git" ]; then
  git_q "$src" worktree prune
  git_q "$src" worktree add -q --detach "$tree" base || { echo "Bail out! cannot create $tree"; exit 1; }
fi
[ -d "$tree/.git/rebase-apply" ] || [ -d "$(git_q "$tree" rev-parse --git-dir)/rebase-apply" ] && git_q "$tree" am --abort >/dev/null 2>&1
git_q "$tree" checkout -q --detach base && git_q "$tree" reset -q --hard base
if qemu_configure_needed "$tree/build"; then
  rm -rf "$tree/build"; mkdir -p "$tree/build"
  (cd "$tree/build" && ../configure "${QEMU_CONFIGURE_ARGS[@]}" >configure.log 2>&1) ||
    { echo "Bail out! configure failed ($tree/build/configure.log)"; exit 1; }
  qemu_configure_done "$tree/build"
fi

n=0 failed=0 broken=0
for p in "${patches[@]}"; do
  n=$((n + 1))
  if [ $broken = 1 ]; then
    echo "not ok $n - $p builds on its own # SKIP an earlier patch did not apply"
    continue
  fi
  if ! git_q "$tree" am -q "$here/$p" >"$tree/am.log" 2>&1; then
    git_q "$tree" am --abort >/dev/null 2>&1
    echo "not ok $n - $p applies"
    sed 's/^/# /' "$tree/am.log" | head -n 10
    failed=1 broken=1
    continue
  fi
  if ninja -C "$tree/build" -j"${MIGKIT_JOBS:-$(nproc)}" qemu-system-x86_64 >"$tree/build/ninja.log" 2>&1; then
    echo "ok $n - $p builds on its own"
  else
    echo "not ok $n - $p builds on its own"
    grep -E -m 10 'error|FAILED' "$tree/build/ninja.log" | sed 's/^/# /'
    failed=1
  fi
done
exit $failed
