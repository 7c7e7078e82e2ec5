#!/usr/bin/env bash
# Builds the sample plugins as an outside user would and proves they work:
#   1. installs the SDK (headers, libmigkit, migkit.pc, first-party plugins) into a DESTDIR,
#   2. configures and builds each sample out of tree with pkg-config pointed at that prefix,
#   3. installs each sample into the same DESTDIR and loads it by name with check-plugin
#      (validate, load, create, plan, iterate, complete).
# Prints TAP.  KEEP=1 keeps the work folder (/tmp/migkit-samples.*) for a look.
#
#   test-samples.sh BUILD_DIR SOURCE_DIR CHECK_PLUGIN
set -uo pipefail
build=${1:?build dir} source=${2:?source dir} check=${3:?check-plugin}
work=$(mktemp -d /tmp/migkit-samples.XXXXXX)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
destdir=$work/root
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
show() { sed 's/^/# /' "$1"; }

echo "1..9"

if meson install -C "$build" --no-rebuild --destdir "$destdir" --tags devel,runtime \
        >"$work/install.log" 2>&1; then
    ok "meson install --destdir of the SDK"
else
    not_ok "meson install --destdir of the SDK"; show "$work/install.log"
fi

pc=$(find "$destdir" -name migkit.pc -print -quit)
if [ -n "$pc" ] && [ -f "$(dirname "$pc")/../../../include/migkit/policy.hpp" -o \
        -n "$(find "$destdir" -path '*/include/migkit/policy.hpp')" ]; then
    ok "migkit.pc and the public headers are installed"
else
    not_ok "migkit.pc and the public headers are installed"
fi
# The .pc names the final prefix; the sysroot maps it into the DESTDIR.
export PKG_CONFIG_PATH=$(dirname "${pc:-/nonexistent/x}") PKG_CONFIG_SYSROOT_DIR=$destdir
plugin_dir=$(find "$destdir" -type d -path '*/migkit/plugins' -print -quit)

for sample in minimal-policy csv-logger; do
    out=$work/build-$sample
    if meson setup "$out" "$source/samples/$sample" >"$work/$sample.log" 2>&1 &&
       meson compile -C "$out" >>"$work/$sample.log" 2>&1 &&
       meson install -C "$out" --destdir "$destdir" >>"$work/$sample.log" 2>&1; then
        ok "$sample builds out of tree against the installed SDK (dependency('migkit'))"
    else
        not_ok "$sample builds out of tree against the installed SDK"; show "$work/$sample.log"
    fi
done

# The installed first-party plugin loads from the installed folder, by name.
if MIGKIT_PLUGIN_PATH=$plugin_dir "$check" default >"$work/default.out" 2>&1 &&
   grep -q "from $plugin_dir/migkit-policy-default.so" "$work/default.out"; then
    ok "the installed default plugin loads by name from the installed folder"
else
    not_ok "the installed default plugin loads by name"; show "$work/default.out"
fi

# minimal: loads by name, and doubles the limit from the fourth pass on.
if MIGKIT_PLUGIN_PATH=$plugin_dir "$check" minimal max-downtime-ms=1000 >"$work/minimal.out" 2>&1 &&
   grep -q "^loaded minimal 1.0 (MIT)" "$work/minimal.out"; then
    ok "minimal-policy is a working plugin (validate + create + callbacks)"
else
    not_ok "minimal-policy is a working plugin"; show "$work/minimal.out"
fi
if [ "$(grep -c 'set-downtime-limit value=' "$work/minimal.out")" = 2 ] &&
   grep -q 'set-downtime-limit value=600: pass 4: doubling' "$work/minimal.out" &&
   grep -q 'set-downtime-limit value=1000: pass 5: doubling' "$work/minimal.out"; then
    ok "minimal-policy doubles the downtime after pass 3, up to its ceiling"
else
    not_ok "minimal-policy doubles the downtime after pass 3"; show "$work/minimal.out"
fi

# csv-logger: needs its file setting, then writes a header with the extras and one row a pass.
if ! MIGKIT_PLUGIN_PATH=$plugin_dir "$check" csv-logger >"$work/csv-missing.out" 2>&1 &&
   grep -q "missing-setting" "$work/csv-missing.out" &&
   grep -q -- "--set file=VALUE" "$work/csv-missing.out"; then
    ok "csv-logger without --set file is refused with a clear error"
else
    not_ok "csv-logger without --set file is refused"; show "$work/csv-missing.out"
fi
csv=$work/progress.csv
if MIGKIT_PLUGIN_PATH=$plugin_dir "$check" csv-logger "file=$csv" >"$work/csv.out" 2>&1 &&
   head -1 "$csv" | grep -q '^elapsed_ms,phase,iteration,.*,throttle_percent,ram.duplicate,heat.hot-pages$' &&
   [ "$(wc -l <"$csv")" = 7 ] && sed -n 7p "$csv" | grep -q '^6000,1,6,.*,60,600$' &&
   grep -q "wrote 6 samples to $csv" "$work/csv.out"; then
    ok "csv-logger writes every sample with its extras"
else
    not_ok "csv-logger writes every sample with its extras"; show "$work/csv.out"
    [ -f "$csv" ] && show "$csv"
fi

[ "$failed" = 0 ]
