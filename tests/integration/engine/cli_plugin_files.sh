#!/usr/bin/env bash
# The `migkit` CLI against hostile plugin files and folders, TAP: each is refused with exit 3
# and a message that names the file and the fix, never a hang or a crash.  As root (the CLI
# under sudo) the loader's trust rule applies as in migkitd and the hook; its cases are
# skipped for other users.  Needs no QEMU.
#
#   cli_plugin_files.sh MIGKIT GOOD_PLUGIN SCRATCH_PARENT
set -uo pipefail

migkit=$1 good=$2 parent=$3
# The scratch folder is in the build tree, not /tmp: a root run must find its own files trusted.
work=$(mktemp -d "$parent/cli-plugin-files-XXXXXX")
trap 'rm -rf "$work"' EXIT

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; }

# expect NAME WANT_RC FIXED_TEXT -- ARGS...: run migkit (10 s at most), check its exit code and
# that stderr contains FIXED_TEXT.
expect() {
  local name=$1 want=$2 text=$3; shift 4
  timeout 10 "$migkit" "$@" >"$work/out" 2>"$work/err"
  local rc=$?
  if [ "$rc" -eq "$want" ] && grep -qF -- "$text" "$work/err"; then
    ok "$name"
  else
    not_ok "$name" "exit $rc (want $want; 124 is a hang, 128+ a crash), stderr: $(head -c 600 "$work/err")"
  fi
}

# broken_copy OUT PYTHON-EXPRESSION: a copy of the good plugin with one program header changed.
broken_copy() {
  python3 - "$good" "$1" "$2" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
phoff, = struct.unpack_from("<Q", data, 0x20)
phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
headers = [phoff + i * phentsize for i in range(phnum)]
load = [h for h in headers if struct.unpack_from("<I", data, h)[0] == 1]
dynamic = [h for h in headers if struct.unpack_from("<I", data, h)[0] == 2]
exec(sys.argv[3])
open(sys.argv[2], "wb").write(data)
PY
}

echo "1..7"
mkfifo "$work/fifo.so"
expect "a FIFO named as a plugin is refused at once" 3 "fifo.so' is not a regular file" -- \
  plugins show "$work/fifo.so"

# The second PT_LOAD's file size past the end of the file: dlopen maps it and crashes.
broken_copy "$work/segments.so" 'struct.pack_into("<Q", data, load[1] + 0x20, len(data) * 4)'
expect "a plugin whose load segment lies past the end of the file is refused, not loaded" 3 \
  "segments.so' has broken program headers (PT_LOAD #1 ends past the end of the file)" -- \
  plugins show "$work/segments.so"
broken_copy "$work/dynamic.so" 'struct.pack_into("<Q", data, dynamic[0] + 0x10, 1 << 40)'
expect "a plugin whose dynamic section lies outside its segments is refused" 3 \
  "the dynamic section lies outside the loadable segments" -- plugins show "$work/dynamic.so"

# The name is the file's: `--policy default` must not run a file that says it is another.
name=$("$migkit" plugins show "$good" | awk 'NR == 1 { print $1 }')
mkdir "$work/plugins"
cp "$good" "$work/plugins/migkit-policy-impostor.so"
MIGKIT_PLUGIN_PATH=$work/plugins expect "a file found for one name but describing another is refused" 3 \
  "its descriptor names it '$name'" -- plugins show impostor

if [ "$(id -u)" -eq 0 ]; then
  mkdir -m 0777 "$work/open"
  cp "$good" "$work/open/"
  expect "as root, a plugin in a world-writable folder is refused, the folder named" 3 \
    "is not safe to load as root: its folder '$work/open' is writable by group or others (mode 0777)" -- \
    plugins show "$work/open/$(basename "$good")"
  cp "$good" "$work/plugins/migkit-policy-$name.so"
  chmod 0666 "$work/plugins/migkit-policy-$name.so"
  MIGKIT_PLUGIN_PATH=$work/plugins expect "as root, a group/world-writable plugin file is refused" 3 \
    "the file '$work/plugins/migkit-policy-$name.so' is writable by group or others (mode 0666)" -- \
    plugins show "$name"
  cd "$work" || exit 1
  MIGKIT_PLUGIN_PATH=plugins expect "as root, a relative MIGKIT_PLUGIN_PATH entry is ignored, and said so" 3 \
    "MIGKIT_PLUGIN_PATH entry 'plugins' is ignored: it is relative" -- plugins show impostor
  cd - >/dev/null || exit 1
else
  skip "not root: a world-writable plugin folder"
  skip "not root: a world-writable plugin file"
  skip "not root: a relative MIGKIT_PLUGIN_PATH entry"
fi
[ "$failed" -eq 0 ]
