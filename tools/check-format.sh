#!/usr/bin/env bash
# Check that every C/C++ source of migkit follows the committed .clang-format (TAP, one test
# point a file).  The guest (tests/guest/) is freestanding C in its own style and is left out;
# the QEMU patches follow QEMU's style and are checked by checkpatch.pl instead.
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
command -v clang-format >/dev/null || { echo "1..0 # SKIP clang-format not installed (tools/install-deps.sh build)"; exit 0; }
mapfile -t files < <(git ls-files '*.c' '*.cpp' '*.h' '*.hpp' 2>/dev/null | grep -v '^tests/guest/')
echo "1..${#files[@]}"
n=0 failed=0
for f in "${files[@]}"; do
  n=$((n + 1))
  if clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
    echo "ok $n - $f"
  else
    echo "not ok $n - $f is not clang-formatted (run: clang-format -i $f)"
    failed=1
  fi
done
exit $failed
