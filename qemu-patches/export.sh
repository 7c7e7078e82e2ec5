#!/usr/bin/env bash
# Export the commits of a dev tree (dev-tree.sh) as patch files into qemu-patches/.
#
#   qemu-patches/export.sh NAME [--start-number N]
#
# Writes `git format-patch base..dev-NAME` (numbered from N, default 1) into qemu-patches/ and
# prints the file names; add them to qemu-patches/series in order.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${MIGKIT_CACHE:-/var/cache/migkit}
name=${1:?usage: export.sh NAME [--start-number N]}; shift
start=1
[ "${1:-}" = --start-number ] && start=${2:?}
tree=$cache/dev-$name
git -C "$tree" -c safe.directory="*" format-patch --no-signature --zero-commit \
  --start-number "$start" -o "$here" base..HEAD | xargs -r -n1 basename
