# shellcheck shell=bash
# The two-host libvirt test bed, sourced by the e2e tests.
#
# Two libvirt hosts on one machine: each lives in its own network namespace (a veth pair joins
# them, enslaved to a bridge on each side so that a guest NIC shares the link), its own mount
# namespace (private /etc/libvirt, /run/libvirt, /var/lib/libvirt, /var/log/libvirt,
# /var/cache/libvirt, /etc/migkit, /var/lib/migkit) and UTS namespace, and runs its own
# `libvirtd --listen` (qemu+tcp, no auth) with a distinct host_uuid, and optionally migkitd and
# the migkit hook.  One storage folder, at the same path on both, is listed in
# `shared_filesystems`.
#
# Each host is held open by a "holder" process (sleep) that owns the mount and UTS namespaces;
# everything else enters them with nsenter.  Teardown kills every process in each network
# namespace (QEMU included), then deletes the namespaces and the scratch folder, so a failing
# test leaves nothing behind: call testbed_teardown from an EXIT trap.
#
# Required before sourcing: MIGKIT_BUILD (the meson build folder).  Optional: TB_LOG_OUTPUTS
# and TB_LOG_FILTERS (libvirtd's log_outputs and log_filters, e.g. '1:file:/var/log/libvirt/
# libvirtd.log' and '1:qemu' to see where libvirt spends its time); MIGKIT_E2E_KEEP=1 keeps
# the scratch folder after teardown.

set -uo pipefail

TB_ID="mk$$"
TB_DIR=""
TB_NETNS_A="${TB_ID}a" TB_NETNS_B="${TB_ID}b"
TB_ADDR_A=10.251.0.1 TB_ADDR_B=10.251.0.2
# Bridge names differ on purpose: a guest moving from A to B needs its XML rewritten.
TB_BRIDGE_A=mkbra TB_BRIDGE_B=mkbrb
declare -A TB_HOLDER=() TB_LIBVIRTD=() TB_MIGKITD=() TB_NETNS=() TB_ADDR=() TB_BRIDGE=()
TB_NETNS[a]=$TB_NETNS_A TB_NETNS[b]=$TB_NETNS_B
TB_ADDR[a]=$TB_ADDR_A TB_ADDR[b]=$TB_ADDR_B
TB_BRIDGE[a]=$TB_BRIDGE_A TB_BRIDGE[b]=$TB_BRIDGE_B
TB_SHARED=""

tb_log() { printf '# %s %s\n' "$(date +%T.%3N)" "$*"; }

# host_run HOST CMD...: run CMD inside HOST's namespaces (network, mount, UTS).
host_run() {
  local h=$1; shift
  nsenter -t "${TB_HOLDER[$h]}" -m -u -n -- "$@"
}

# host_virsh HOST ARGS...: virsh against HOST's own libvirtd (UNIX socket in its /run/libvirt).
host_virsh() {
  local h=$1; shift
  host_run "$h" virsh -q -c qemu:///system "$@"
}

# host_uri HOST: the URI the other host uses to reach HOST.
host_uri() { echo "qemu+tcp://${TB_ADDR[$1]}/system"; }

tb_write_host_config() {
  local h=$1 root=$TB_DIR/$1 uuid
  uuid=$(cat /proc/sys/kernel/random/uuid)
  mkdir -p "$root"/{etc-libvirt/hooks/qemu.d,etc-libvirt/qemu,run-libvirt,var-lib-libvirt,log-libvirt,cache-libvirt,etc-migkit,var-lib-migkit}
  cat >"$root/etc-libvirt/libvirtd.conf" <<CONF
listen_tls = 0
listen_tcp = 1
listen_addr = "${TB_ADDR[$h]}"
auth_tcp = "none"
auth_unix_rw = "none"
unix_sock_group = "root"
host_uuid = "$uuid"
log_outputs = "${TB_LOG_OUTPUTS:-3:file:/var/log/libvirt/libvirtd.log}"
log_filters = "${TB_LOG_FILTERS:-}"
CONF
  cat >"$root/etc-libvirt/qemu.conf" <<CONF
user = "root"
group = "root"
dynamic_ownership = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = "file"
migration_address = "${TB_ADDR[$h]}"
migration_host = "${TB_ADDR[$h]}"
shared_filesystems = [ "$TB_SHARED" ]
CONF
  echo 'uri_default = "qemu:///system"' >"$root/etc-libvirt/libvirt.conf"
  # libvirt resolves the host name when a migration starts; without a name server reachable
  # from the namespace that costs the resolver's full timeout (about 95 s), so both hosts'
  # names are local and there is no name server at all.
  printf '127.0.0.1 localhost\n%s migkit-e2e-a\n%s migkit-e2e-b\n' "$TB_ADDR_A" "$TB_ADDR_B" >"$root/hosts"
  : >"$root/resolv.conf"
  # libvirtd looks for hooks when it starts: the hook goes in first (with no [hook] policies
  # configured it does nothing).
  ln -sf "$MIGKIT_BUILD/libvirt-hooks/hook/migkit-hook" "$root/etc-libvirt/hooks/qemu.d/50-migkit"
}

# testbed_write_migkit_config HOST < TEXT: HOST's /etc/migkit/migkitd.conf.
testbed_write_migkit_config() {
  cat >"$TB_DIR/$1/etc-migkit/migkitd.conf"
}

# testbed_reports HOST: HOST's report folder, seen from outside.
testbed_reports() { echo "$TB_DIR/$1/var-lib-migkit/reports"; }

# tb_start_holder HOST: the process that owns HOST's mount and UTS namespaces.
tb_start_holder() {
  local h=$1 root=$TB_DIR/$1
  ip netns exec "${TB_NETNS[$h]}" unshare --mount --uts --propagation private -- bash -c '
    root=$1
    mount --bind "$root/etc-libvirt" /etc/libvirt &&
    mount --bind "$root/run-libvirt" /run/libvirt &&
    mount --bind "$root/var-lib-libvirt" /var/lib/libvirt &&
    mount --bind "$root/log-libvirt" /var/log/libvirt &&
    mount --bind "$root/cache-libvirt" /var/cache/libvirt &&
    mount --bind "$root/etc-migkit" /etc/migkit &&
    mount --bind "$root/var-lib-migkit" /var/lib/migkit &&
    mount --bind "$root/hosts" /etc/hosts &&
    mount --bind "$root/resolv.conf" /etc/resolv.conf &&
    hostname "migkit-e2e-$2" || exit 1
    touch "$root/ready"
    exec sleep infinity' holder "$root" "$h" &
  TB_HOLDER[$h]=$!
  local i
  for i in $(seq 100); do
    [ -e "$root/ready" ] && return 0
    kill -0 "${TB_HOLDER[$h]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "testbed: host $h: could not set up its mount namespace" >&2
  return 1
}

# tb_launch_libvirtd HOST: libvirtd --listen inside HOST, in the background.
tb_launch_libvirtd() {
  local h=$1
  nsenter -t "${TB_HOLDER[$h]}" -m -u -n -- libvirtd --listen \
    --pid-file /run/libvirt/libvirtd.pid --config /etc/libvirt/libvirtd.conf \
    >>"$TB_DIR/$h/libvirtd.out" 2>&1 &
  TB_LIBVIRTD[$h]=$!
}

# tb_wait_libvirtd HOST: wait until HOST's libvirtd answers.
tb_wait_libvirtd() {
  local h=$1 i
  for i in $(seq 600); do
    host_virsh "$h" version >/dev/null 2>&1 && return 0
    kill -0 "${TB_LIBVIRTD[$h]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "testbed: host $h: libvirtd did not come up (see $TB_DIR/$h/libvirtd.out)" >&2
  return 1
}

# tb_start_libvirtd HOST: launch HOST's libvirtd and wait for it.
tb_start_libvirtd() {
  tb_launch_libvirtd "$1" && tb_wait_libvirtd "$1"
}

# testbed_start_migkitd HOST [ARGS...]: migkitd inside HOST.
testbed_start_migkitd() {
  local h=$1; shift
  # nsenter itself (not a subshell) in the background: $! is then migkitd's own pid.
  nsenter -t "${TB_HOLDER[$h]}" -m -u -n -- "$MIGKIT_BUILD/libvirt-hooks/migkitd" "$@" \
    >>"$TB_DIR/$h/migkitd.log" 2>&1 &
  TB_MIGKITD[$h]=$!
}

# testbed_stop_migkitd HOST [SIGNAL]
testbed_stop_migkitd() {
  local h=$1 sig=${2:-TERM}
  [ -n "${TB_MIGKITD[$h]:-}" ] || return 0
  kill -"$sig" "${TB_MIGKITD[$h]}" 2>/dev/null
  wait "${TB_MIGKITD[$h]}" 2>/dev/null
  TB_MIGKITD[$h]=""
}

# testbed_start: namespaces, link, bridges, configs, libvirtd on both hosts.
testbed_start() {
  TB_DIR=$(mktemp -d /tmp/migkit-e2e.XXXXXX) || return 1
  TB_SHARED=$TB_DIR/shared
  mkdir -p "$TB_SHARED" /etc/migkit /var/lib/migkit /run/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt
  ip netns add "$TB_NETNS_A" && ip netns add "$TB_NETNS_B" || return 1
  ip link add "${TB_ID}va" netns "$TB_NETNS_A" type veth peer name "${TB_ID}vb" netns "$TB_NETNS_B" || return 1
  local h
  for h in a b; do
    local ns=${TB_NETNS[$h]} br=${TB_BRIDGE[$h]}
    ip -n "$ns" link set lo up &&
    ip -n "$ns" link add "$br" type bridge &&
    ip -n "$ns" link set "${TB_ID}v$h" master "$br" &&
    ip -n "$ns" link set "${TB_ID}v$h" up &&
    ip -n "$ns" addr add "${TB_ADDR[$h]}/24" dev "$br" &&
    ip -n "$ns" link set "$br" up || return 1
    tb_write_host_config "$h"
    tb_start_holder "$h" || return 1
  done
  # Both start at once: each takes several seconds to come up.
  tb_launch_libvirtd a
  tb_launch_libvirtd b
  tb_wait_libvirtd a && tb_wait_libvirtd b
}

# testbed_teardown: stop everything the test bed started; safe to call twice.
testbed_teardown() {
  local h ns pids
  for h in a b; do
    ns=${TB_NETNS[$h]}
    ip netns list 2>/dev/null | grep -qw "$ns" || continue
    pids=$(ip netns pids "$ns" 2>/dev/null)
    [ -n "$pids" ] && kill $pids 2>/dev/null
  done
  sleep 0.5
  for h in a b; do
    ns=${TB_NETNS[$h]}
    ip netns list 2>/dev/null | grep -qw "$ns" || continue
    pids=$(ip netns pids "$ns" 2>/dev/null)
    [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  wait 2>/dev/null
  if [ -n "$TB_DIR" ] && [ -d "$TB_DIR" ] && [ -z "${MIGKIT_E2E_KEEP:-}" ]; then
    rm -rf "$TB_DIR"
  fi
}
