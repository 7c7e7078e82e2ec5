#!/usr/bin/env bash
# End-to-end: a plain `virsh migrate --live` between two real libvirt 11.3 hosts, governed by
# migkitd and the migkit hook.  Prints TAP.
#
#   tests/e2e/libvirt-migration.sh BUILD_DIR GUEST_ELF
#
# Needs root, libvirt (tools/install-deps.sh libvirt), iproute2, tcpdump, python3.  Sets up and
# tears down everything itself (namespaces, libvirtd, migkitd, QEMU), also on failure.
# MIGKIT_E2E_QEMU picks the QEMU binary: "patched" (the default when meson passes the
# -Dqemu_build= binary in MIGKIT_E2E_PATCHED_QEMU), "stock" (/usr/bin's), or a path.  A patched
# build without KVM had libvirt re-probe its capabilities on this host with /dev/kvm (about 45 s
# more per destination start); the build has KVM now, and the delay is gone.
# MIGKIT_E2E_KEEP=1 keeps the scratch folder.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MIGKIT_BUILD=$(cd "${1:?usage: libvirt-migration.sh BUILD_DIR GUEST_ELF}" && pwd)
GUEST_ELF=${2:?usage: libvirt-migration.sh BUILD_DIR GUEST_ELF}
source "$here/testbed.sh"

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }
bail() { echo "Bail out! $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP needs root (network and mount namespaces)"; exit 0; }
command -v libvirtd >/dev/null || { echo "1..0 # SKIP libvirt is not installed (tools/install-deps.sh libvirt)"; exit 0; }
[ -r "$GUEST_ELF" ] || bail "no guest kernel at $GUEST_ELF (build tests/guest)"

default_qemu=stock
[ -x "${MIGKIT_E2E_PATCHED_QEMU:-}" ] && default_qemu=patched
case "${MIGKIT_E2E_QEMU:-$default_qemu}" in
  stock) QEMU=/usr/bin/qemu-system-x86_64 ;;
  patched) QEMU=${MIGKIT_E2E_PATCHED_QEMU:-${MIGKIT_CACHE:-/var/cache/migkit}/qemu-10.0.2/build/qemu-system-x86_64} ;;
  *) QEMU=$MIGKIT_E2E_QEMU ;;
esac
[ -x "$QEMU" ] || bail "no QEMU at $QEMU (MIGKIT_E2E_QEMU)"

trap 'testbed_teardown' EXIT
trap 'exit 130' INT TERM

VM=migkit-e2e
MAC=52:54:00:e2:e2:01
SERIAL=/var/lib/libvirt/qemu/$VM-console.sock
A_TO_B=$(host_uri b) B_TO_A=$(host_uri a)

echo "# QEMU: $QEMU"
t0=$(date +%s%N)
testbed_start || bail "the two libvirt hosts did not come up (logs in $TB_DIR)"
ok "two libvirt hosts up in $(( ($(date +%s%N) - t0) / 1000000 )) ms (namespaces ${TB_NETNS_A}, ${TB_NETNS_B})"

# ---- configuration: the same policies on both hosts, bridges mapped both ways -------------
host_config() { # HOST OTHER_BRIDGE MY_BRIDGE [RESERVE_MIB]
  testbed_write_migkit_config "$1" <<CONF
[daemon]
policies=default
poll-interval-ms=100

[hook]
policies=xml-rewrite;host-admission
timeout-ms=3000

[host]
shared-filesystems=$TB_SHARED

[policy xml-rewrite]
bridge-map=$2=$3

[policy host-admission]
memory-reserve-mib=${4:-64}
CONF
}
host_config a "$TB_BRIDGE_B" "$TB_BRIDGE_A"
host_config b "$TB_BRIDGE_A" "$TB_BRIDGE_B"
testbed_start_migkitd a
testbed_start_migkitd b

# ---- the guest ---------------------------------------------------------------------------
cp "$GUEST_ELF" "$TB_SHARED/guest.elf"
qemu-img create -q -f qcow2 "$TB_SHARED/$VM.qcow2" 64M || bail "qemu-img failed"
# Metadata: the `default` policy with a distinctive downtime limit and a bandwidth cap that
# keeps the migration long enough to watch.
policy_metadata() { # MAX_DOWNTIME_MS BANDWIDTH_BYTES [MORE SETTINGS XML]
  echo "<migkit:policy xmlns:migkit='https://migkit.dev/xmlns/1' name='default'><migkit:set key='max-downtime-ms' value='$1'/><migkit:set key='downtime-steps' value='1'/><migkit:set key='bandwidth' value='$2'/>${3:-}</migkit:policy>"
}
cat >"$TB_DIR/$VM.xml" <<XML
<domain type='qemu'>
  <name>$VM</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <metadata>$(policy_metadata 777 8388608)</metadata>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>$TB_SHARED/guest.elf</kernel>
    <cmdline>ws=32M pattern=hotspot rate=256</cmdline>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <emulator>$QEMU</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2' cache='none'/>
      <source file='$TB_SHARED/$VM.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='bridge'>
      <source bridge='$TB_BRIDGE_A'/>
      <mac address='$MAC'/>
      <model type='e1000'/>
      <rom enabled='no'/>
    </interface>
    <serial type='unix'><source mode='bind' path='$SERIAL'/><target port='0'/></serial>
    <video><model type='none'/></video>
    <memballoon model='none'/>
  </devices>
</domain>
XML
host_virsh a create "$TB_DIR/$VM.xml" >/dev/null || bail "cannot start the guest on host a (see $TB_DIR/a/log-libvirt/qemu/$VM.log)"
guest() { # HOST COMMAND
  host_run "$1" python3 "$here/guest-command.py" "$SERIAL" "$2" 60
}
answer=$(guest a verify)
check "guest boots on host a and its memory verifies ($answer)" grep -q '^verify ok' <<<"$answer"

# ---- helpers -----------------------------------------------------------------------------
running_on() { host_virsh "$1" domstate "$VM" 2>/dev/null | grep -qx running; }
absent_on() { ! host_virsh "$1" list --all --name 2>/dev/null | grep -qx "$VM"; }
newest_report() { ls -t "$(testbed_reports "$1")"/*-migration.json 2>/dev/null | head -n 1; }
json_get() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }
json_true() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$@"; }
reports_count() { ls "$(testbed_reports "$1")"/*-migration.json 2>/dev/null | wc -l; }
wait_for_reports() { # HOST COUNT
  local i; for i in $(seq 100); do [ "$(reports_count "$1")" -ge "$2" ] && return 0; sleep 0.1; done; return 1
}

# ---- 1. A -> B: plain virsh migrate under migkitd and the hooks ---------------------------
# The destination side of the link: QEMU's self-announce (RARP) must come out of host b.
host_run b tcpdump -i "${TB_ID}vb" -n -e -l -Q out "ether src $MAC" >"$TB_DIR/announce.txt" 2>"$TB_DIR/tcpdump.err" &
tcpdump_pid=$!
sleep 1
reports_before=$(reports_count a)
host_virsh a migrate --live --p2p --verbose "$VM" "$A_TO_B" >"$TB_DIR/migrate1.out" 2>&1 &
migrate_pid=$!
# Watch QEMU's parameters on the source while libvirt migrates.
seen_downtime="" seen_bandwidth=""
while kill -0 $migrate_pid 2>/dev/null; do
  params=$(host_virsh a qemu-monitor-command "$VM" '{"execute":"query-migrate-parameters"}' 2>/dev/null)
  if grep -q '"downtime-limit":777' <<<"$params"; then
    seen_downtime=777
    seen_bandwidth=$(grep -o '"max-bandwidth":[0-9]*' <<<"$params" | cut -d: -f2)
  fi
  sleep 0.2
done
wait $migrate_pid; rc=$?
check "virsh migrate --live a -> b succeeds (rc $rc)" [ $rc -eq 0 ]
moved() { running_on "$2" && absent_on "$1"; }
stayed() { running_on "$1" && absent_on "$2"; }
check "the guest runs on b and is gone from a" moved a b
check "a policy action took effect in QEMU: downtime-limit 777 ms set by migkitd's plan (seen during the migration; max-bandwidth ${seen_bandwidth:-?})" \
  [ "$seen_downtime" = 777 -a "${seen_bandwidth:-0}" = 8388608 ]
check "the destination's XML rewrite took effect (bridge $TB_BRIDGE_A -> $TB_BRIDGE_B on b)" \
  bash -c "grep -q \"bridge='$TB_BRIDGE_B'\" <<<\"\$1\"" _ "$(host_virsh b dumpxml "$VM")"
answer=$(guest b verify)
check "the guest's memory verifies on b ($answer)" grep -q '^verify ok' <<<"$answer"
check "network identity kept: same MAC $MAC on b" \
  bash -c "grep -qi \"address='$MAC'\" <<<\"\$1\"" _ "$(host_virsh b dumpxml "$VM")"
sleep 1
kill $tcpdump_pid 2>/dev/null; wait $tcpdump_pid 2>/dev/null
announces=$(grep -ci 'rarp\|ethertype Reverse ARP\|ARP' "$TB_DIR/announce.txt")
check "announce packets (RARP) from $MAC leave host b on the link ($announces seen)" [ "$announces" -ge 1 ]
wait_for_reports a $((reports_before + 1))
report=$(newest_report a)
check "migkitd wrote the report on the source ($report)" [ -n "$report" ]
if [ -n "$report" ]; then
  echo "# report: outcome=$(json_get "$report" 'd["outcome"]["phase"]') noticed-after-ms=$(json_get "$report" 'd["libvirt"]["noticed-after-ms"]') by=$(json_get "$report" 'd["libvirt"]["noticed-by"]') decisions=$(json_get "$report" 'len(d["decisions"])')"
  check "the report says completed, on the destination, with the plan's actions applied" \
    json_true "$report" '(d["outcome"]["phase"]=="completed" and d["outcome"]["vm-running-on"]=="destination" and any(x["applied"] and "777" in x["detail"] for x in d["decisions"]))' 
fi
hooklog=$(testbed_reports b)/hooks.log
echo "# hook calls on b (ms each): $(python3 -c 'import json,sys; print(" ".join("%s=%.1f" % (json.loads(l)["call"].replace(" ","-"), json.loads(l)["ms"]) for l in open(sys.argv[1])))' "$hooklog" 2>/dev/null)"
check "the hook ran on b at migrate/prepare/start/started and rewrote the XML" \
  bash -c 'grep -q "\"migrate begin\".*\"rewrite\"" "$1" && grep -q "\"prepare begin\"" "$1" && grep -q "\"started begin\"" "$1"' _ "$hooklog"

# ---- 2. B -> A: and back ---------------------------------------------------------------
reports_before=$(reports_count b)
host_virsh b migrate --live --p2p "$VM" "$B_TO_A" >"$TB_DIR/migrate2.out" 2>&1; rc=$?
check "virsh migrate --live b -> a succeeds (rc $rc)" [ $rc -eq 0 ]
check "the guest runs on a again, gone from b" moved b a
check "back on a, the bridge is $TB_BRIDGE_A again" \
  bash -c "grep -q \"bridge='$TB_BRIDGE_A'\" <<<\"\$1\"" _ "$(host_virsh a dumpxml "$VM")"
answer=$(guest a verify)
check "the guest's memory verifies on a ($answer)" grep -q '^verify ok' <<<"$answer"
check "migkitd on b wrote its report" wait_for_reports b $((reports_before + 1))

# ---- 3. a policy that aborts -----------------------------------------------------------
# completion-timeout-per-gib=1 (a small VM counts as 1 GiB: 1 s), the downtime already at its
# maximum, no post-copy nor auto-converge: the default policy cancels.
host_virsh a metadata "$VM" https://migkit.dev/xmlns/1 --key migkit --live \
  --set "<policy name='default'><set key='max-downtime-ms' value='1'/><set key='downtime-steps' value='1'/><set key='bandwidth' value='1048576'/><set key='completion-timeout-per-gib' value='1'/></policy>" \
  || not_ok "cannot set the domain's policy metadata"
reports_before=$(reports_count a)
out=$(host_virsh a migrate --live --p2p "$VM" "$A_TO_B" 2>&1); rc=$?
echo "# virsh: $out"
check "the policy cancelled the migration (virsh rc $rc)" [ $rc -ne 0 ]
check "the source keeps running the guest" running_on a
check "no domain is left on the destination" absent_on b
answer=$(guest a verify)
check "the guest's memory still verifies on a ($answer)" grep -q '^verify ok' <<<"$answer"
wait_for_reports a $((reports_before + 1))
report=$(newest_report a)
check "the report records the cancel and the guest on the source" \
  json_true "$report" '(d["outcome"]["phase"] in ("cancelled","failed") and d["outcome"]["vm-running-on"]=="source" and any(x["action"]=="cancel" and x["applied"] for x in d["decisions"]))'

# ---- 4. a hook that refuses -------------------------------------------------------------
host_virsh a metadata "$VM" https://migkit.dev/xmlns/1 --key migkit --live \
  --set "<policy name='default'/>" >/dev/null
host_config b "$TB_BRIDGE_A" "$TB_BRIDGE_B" 1048576
out=$(host_virsh a migrate --live --p2p "$VM" "$A_TO_B" 2>&1); rc=$?
echo "# virsh: $out"
check "the destination's hook refused the migration with the plugin's message" \
  bash -c '[ "$1" -ne 0 ] && grep -q "host-admission.*refused.*memory-reserve-mib" <<<"$2"' _ "$rc" "$out"
check "after the refusal the guest runs on a, nothing on b" stayed a b
host_config b "$TB_BRIDGE_A" "$TB_BRIDGE_B"

# ---- 5. migkitd killed mid-migration ------------------------------------------------------
host_virsh a metadata "$VM" https://migkit.dev/xmlns/1 --key migkit --live \
  --set "<policy name='default'><set key='max-downtime-ms' value='400'/><set key='bandwidth' value='3145728'/></policy>" >/dev/null
reports_before=$(reports_count a)
noticed() { grep -c "noticed the outgoing migration of '$VM'" "$TB_DIR/a/migkitd.log"; }
noticed_before=$(noticed)
host_virsh a migrate --live --p2p "$VM" "$A_TO_B" >"$TB_DIR/migrate5.out" 2>&1 &
migrate_pid=$!
for i in $(seq 200); do [ "$(noticed)" -gt "$noticed_before" ] && break; sleep 0.1; done
sleep 1
testbed_stop_migkitd a KILL
echo "# killed migkitd on a while the migration ran"
sleep 0.5
testbed_start_migkitd a
wait $migrate_pid; rc=$?
check "the migration completed although migkitd was killed (rc $rc)" [ $rc -eq 0 ]
check "the guest runs on b, gone from a" moved a b
answer=$(guest b verify)
check "the guest's memory verifies on b ($answer)" grep -q '^verify ok' <<<"$answer"
wait_for_reports a $((reports_before + 1))
report=$(newest_report a)
check "the restarted migkitd picked the running migration up and reported it" \
  json_true "$report" '(d["libvirt"]["picked-up-after-restart"] and d["outcome"]["phase"]=="completed")'

# ---- 6. migkit migrate --libvirt: the plan as libvirt's typed parameters --------------------
cli_report=$TB_DIR/cli-report.json
stood_aside_before=$(grep -c 'standing aside' "$TB_DIR/b/migkitd.log")
host_run b "$MIGKIT_BUILD/sdk/cli/migkit-libvirt-migrate" --libvirt --domain "$VM" \
  --destination "$B_TO_A" --policy default --set max-downtime-ms=333 --set downtime-steps=1 \
  --set bandwidth=16777216 --report "$cli_report" >"$TB_DIR/cli.out" 2>&1 &
cli_pid=$!
seen_cli_downtime=""
while kill -0 $cli_pid 2>/dev/null; do
  d=$(host_virsh b migrate-getmaxdowntime "$VM" 2>/dev/null)
  [ "$d" = 333 ] && seen_cli_downtime=333
  sleep 0.2
done
wait $cli_pid; rc=$?
sed 's/^/# /' "$TB_DIR/cli.out" | head -n 12
check "migkit migrate --libvirt b -> a succeeds (rc $rc)" [ $rc -eq 0 ]
check "the guest runs on a, gone from b" moved b a
answer=$(guest a verify)
check "the guest's memory verifies on a ($answer)" grep -q '^verify ok' <<<"$answer"
check "the planned downtime limit (333 ms) was in force during the migration" [ "$seen_cli_downtime" = 333 ]
check "the report shows the plan as typed parameters: bandwidth 16 MiB/s, downtime 333 ms" \
  json_true "$cli_report" 'd["plan"]["downtime-limit-ms"]==333 and d["plan"]["bandwidth-bytes-per-second"]==16777216 and d["outcome"]["phase"]=="completed" and d["libvirt"]["governor"]=="migkit migrate --libvirt"'
check "migkitd on b stood aside for it" [ "$(grep -c 'standing aside' "$TB_DIR/b/migkitd.log")" -gt "$stood_aside_before" ]

# ---- 7. libvirtd restarted under migkitd ----------------------------------------------------
connected() { grep -c 'info: connected to' "$TB_DIR/a/migkitd.log"; }
connected_before=$(connected)
kill "${TB_LIBVIRTD[a]}"; wait "${TB_LIBVIRTD[a]}" 2>/dev/null
tb_start_libvirtd a || not_ok "libvirtd on a did not come back"
for i in $(seq 150); do [ "$(connected)" -gt "$connected_before" ] && break; sleep 0.1; done
check "migkitd reconnected after libvirtd restarted" [ "$(connected)" -gt "$connected_before" ]
check "the guest kept running through the restart" running_on a
reports_before=$(reports_count a)
host_virsh a migrate --live --p2p "$VM" "$A_TO_B" >"$TB_DIR/migrate7.out" 2>&1; rc=$?
check "virsh migrate --live a -> b after the restart succeeds (rc $rc)" [ $rc -eq 0 ]
check "migkitd governed it over the new connection and wrote its report" \
  wait_for_reports a $((reports_before + 1))

echo "1..$n"
[ $failed -eq 0 ]
