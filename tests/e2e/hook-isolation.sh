#!/usr/bin/env bash
# The migkit hook keeps libvirt safe from its plugins: a plugin that hangs or crashes, or one
# that cannot be found, gives the configured default verdict within the time limit, and a
# plugin's refusal reaches libvirt as exit 1 and a message.  Runs the real hook program the
# way libvirt does (arguments, XML on stdin).  Prints TAP, and the cost of each call.
#
#   tests/e2e/hook-isolation.sh BUILD_DIR TEST_PLUGIN_DIR
set -uo pipefail
build=${1:?usage: hook-isolation.sh BUILD_DIR TEST_PLUGIN_DIR}
export MIGKIT_PLUGIN_PATH=${2:?usage: hook-isolation.sh BUILD_DIR TEST_PLUGIN_DIR}
hook=$build/libvirt-hooks/hook/migkit-hook
work=$(mktemp -d /tmp/migkit-hook-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
export MIGKIT_CONFIG=$work/migkitd.conf

n=0 failed=0
check() { local name=$1; shift; n=$((n + 1)); if "$@"; then echo "ok $n - $name"; else failed=$((failed + 1)); echo "not ok $n - $name"; fi; }

cat >"$work/vm.xml" <<'XML'
<domain type='qemu'><name>vm1</name><memory unit='MiB'>64</memory><devices>
<interface type='bridge'><source bridge='br-a'/><mac address='52:54:00:00:00:01'/></interface>
</devices></domain>
XML
config() { # POLICIES ON_TIMEOUT [EXTRA]
  printf '[daemon]\nreport-dir=%s/reports\n[hook]\npolicies=%s\ntimeout-ms=700\non-timeout=%s\n%s' \
    "$work" "$1" "$2" "${3:-}" >"$MIGKIT_CONFIG"
}
# call OPERATION SUBOPERATION: run the hook; sets rc, ms, out, err.
call() {
  local t0=$(date +%s%N)
  out=$("$hook" vm1 "$1" "$2" - <"$work/vm.xml" 2>"$work/err"); rc=$?
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  err=$(cat "$work/err")
}

config test-hang allow
call prepare begin
check "a hanging plugin is stopped after the 700 ms limit and the VM allowed (rc $rc, $ms ms)" \
  [ $rc -eq 0 -a $ms -lt 5000 -a $ms -ge 700 ]
config test-hang refuse
call prepare begin
check "with on-timeout=refuse a hanging plugin refuses with a message (rc $rc, $ms ms)" \
  bash -c '[ "$1" -eq 1 ] && grep -q "did not answer within 700 ms" <<<"$2"' _ "$rc" "$err"
config test-crash refuse
call start begin
check "a crashing plugin gives the default verdict, named (rc $rc, $ms ms): $err" \
  bash -c '[ "$1" -eq 1 ] && grep -q "crashed" <<<"$2"' _ "$rc" "$err"
config test-crash allow
call start begin
check "a crashing plugin with on-timeout=allow lets the VM start (rc $rc)" [ $rc -eq 0 ]
config no-such-plugin refuse
call migrate begin
check "a missing plugin gives the default verdict and says which (rc $rc)" \
  bash -c '[ "$1" -eq 1 ] && grep -q "no-such-plugin" <<<"$2"' _ "$rc" "$err"
config test-hang refuse
call started begin
check "points that cannot refuse never fail libvirt's call (started, rc $rc)" [ $rc -eq 0 ]
config 'xml-rewrite;host-admission' allow $'[policy xml-rewrite]\nbridge-map=br-a=br-b\n'
call migrate begin
check "xml-rewrite prints the rewritten XML on stdout ($ms ms)" \
  bash -c 'grep -q "bridge=.br-b." <<<"$1"' _ "$out"
config 'host-admission' allow $'[policy host-admission]\nmemory-reserve-mib=1048576\n'
call prepare begin
check "host-admission refuses with its message ($ms ms)" \
  bash -c '[ "$1" -eq 1 ] && grep -q "memory-reserve-mib" <<<"$2"' _ "$rc" "$err"
config '' allow
call reconnect begin
check "calls migkit does not handle return at once (rc $rc, $ms ms)" [ $rc -eq 0 ]

# Only the hook's own, validated output reaches libvirt: at `migrate begin` its stdout is the
# domain XML libvirt goes on with, so whatever a plugin prints must go to stderr instead.
config test-stdout allow
call migrate begin
check "a plugin's stdout at migrate begin goes to stderr, not to libvirt (rc $rc, stdout '${out:0:60}')" \
  bash -c '[ "$1" -eq 0 ] && [ -z "$2" ] && grep -q written-by-plugin-fd <<<"$3" &&
           grep -q written-by-plugin-stdio <<<"$3"' _ "$rc" "$out" "$err"

# hooks.log is appended to as root in the report folder: a link planted there is not followed.
mkdir -p "$work/reports" && rm -f "$work/reports/hooks.log"
echo precious >"$work/victim"
ln -s "$work/victim" "$work/reports/hooks.log"
config test-stdout allow
call prepare begin
check "a link planted as hooks.log is not followed (rc $rc)" \
  bash -c '[ "$1" -eq 0 ] && [ "$(cat "$2")" = precious ] && [ -L "$3" ]' _ "$rc" "$work/victim" "$work/reports/hooks.log"
rm -f "$work/reports/hooks.log"

# As root the hook loads plugins only from folders no one else can write, and searches
# absolute MIGKIT_PLUGIN_PATH entries only.
plugins=$MIGKIT_PLUGIN_PATH
if [ "$(id -u)" -eq 0 ]; then
  mkdir -m 0777 "$work/open"
  cp "$plugins/migkit-policy-test-stdout.so" "$work/open/"
  config test-stdout refuse
  MIGKIT_PLUGIN_PATH=$work/open:$plugins call prepare begin
  check "a plugin in a world-writable folder is refused, the folder named (rc $rc)" \
    bash -c '[ "$1" -eq 1 ] && grep -qF "migkit-policy-test-stdout.so'"'"' is not safe to load as root: its folder '"'"'$3'"'"' is writable by group or others (mode 0777)" <<<"$2" &&
             grep -q "chmod go-w" <<<"$2"' _ "$rc" "$err" "$work/open"
  rel=$(basename "$plugins")
  out=$(cd "$plugins/.." && MIGKIT_PLUGIN_PATH=$rel "$hook" vm1 prepare begin - <"$work/vm.xml" 2>"$work/err"); rc=$?
  err=$(cat "$work/err")
  check "a relative MIGKIT_PLUGIN_PATH entry is ignored, and the message says so (rc $rc)" \
    bash -c '[ "$1" -eq 1 ] && grep -qF "MIGKIT_PLUGIN_PATH entry '"'"'$3'"'"' is ignored: it is relative" <<<"$2"' _ "$rc" "$err" "$rel"
else
  n=$((n + 1)); echo "ok $n # SKIP not root: a world-writable plugin folder"
  n=$((n + 1)); echo "ok $n # SKIP not root: a relative MIGKIT_PLUGIN_PATH entry"
fi
export MIGKIT_PLUGIN_PATH=$plugins

# The cost of a call with the two first-party plugins, as libvirt sees it (process included).
config 'xml-rewrite;host-admission' allow $'[policy xml-rewrite]\nbridge-map=br-a=br-b\n'
# A measurement, not a pass/fail criterion (the machine may be loaded).
times=() all_ok=1
for i in $(seq 20); do call prepare begin; times+=("$ms"); [ $rc -eq 0 ] || all_ok=0; done
sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
echo "# hook call cost (prepare, 2 plugins, 20 calls, ms sorted): $sorted"
check "20 hook calls in a row with two plugins all allow (median $(printf '%s\n' "${times[@]}" | sort -n | sed -n 10p) ms)" \
  [ $all_ok -eq 1 ]

echo "1..$n"
[ $failed -eq 0 ]
