#!/usr/bin/env bash
# A real single-host Ceph cluster for the tests: one monitor, one bluestore OSD on a sparse file,
# an optional manager, an initialized `rbd` pool.  Every file it makes lives under STATE_DIR.
#
#   ceph-cluster.sh start  STATE_DIR     bootstrap and wait until it serves I/O
#   ceph-cluster.sh stop   STATE_DIR     SIGTERM, then SIGKILL, every daemon; remove STATE_DIR
#   ceph-cluster.sh status STATE_DIR     daemons, health, PGs (exit 1 when not running)
#   ceph-cluster.sh exec   STATE_DIR CMD...   run CMD where the cluster is reachable
#
# The daemons run in a network namespace of their own (named after STATE_DIR) with the monitor
# on its 127.0.0.1: two clusters (two test runs, or another engineer's cluster) never fight over
# ports 3300/6789/6800-7300, and no port of the host is opened.  A client (ceph, rbd, QEMU) must
# run in that namespace too: `ceph-cluster.sh exec STATE_DIR qemu-system-x86_64 ...` does it and
# sets CEPH_CONF.
#
# Settings (environment):
#   CEPH_CLUSTER_MGR=1          also start ceph-mgr (needs the ceph-mgr package; RBD works
#                               without it, and it costs ~300 MiB RSS)
#   CEPH_CLUSTER_TIMEOUT=180    seconds to wait for each stage of the start
#   CEPH_CLUSTER_OSD_SIZE=4     GiB of the OSD's sparse block file
#   CEPH_CLUSTER_WATCH_TIMEOUT=30   osd_client_watch_timeout: how long a dead RBD client's
#                               watch (and its exclusive lock) survives it
# Must run as root (network namespaces).  Prints the elapsed time of start and stop.
set -euo pipefail

prog=ceph-cluster
die() { echo "$prog: error: $*" >&2; exit 1; }
note() { echo "$prog: $*" >&2; }

usage() { sed -n '2,/^[^#]/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; }

[ $# -ge 2 ] || { usage >&2; exit 2; }
action=$1 state=$2
shift 2
case "$state" in
  /*) ;;
  *) state=$(pwd)/$state ;;
esac

conf=$state/ceph.conf
marker=$state/.migkit-ceph-cluster
timeout_s=${CEPH_CLUSTER_TIMEOUT:-180}
# One namespace a state folder: a short hash keeps the name under the 15-char interface limit.
netns=mkceph-$(printf '%s' "$state" | cksum | cut -d' ' -f1)

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# Run a command inside the cluster's namespace with the cluster's configuration.
in_ns() { ip netns exec "$netns" env CEPH_CONF="$conf" "$@"; }
# A ceph CLI call that gives up instead of hanging when the monitor does not answer.
ceph_cli() { in_ns timeout 30 ceph --connect-timeout 20 "$@"; }

daemon_pid() {
  local f=$state/run/ceph-$1.pid pid
  [ -s "$f" ] || return 1
  pid=$(cat "$f")
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

# Explain a failed start: which daemon, the end of its log, what to look at.
fail_daemon() {
  local name=$1 what=$2 log=$state/log/ceph-$1.log
  {
    echo "$prog: error: $what"
    if daemon_pid "$name" >/dev/null; then
      echo "  ceph-$name is running (pid $(daemon_pid "$name"))"
    else
      echo "  ceph-$name is NOT running"
    fi
    if [ -f "$log" ]; then
      echo "  last lines of $log:"
      tail -n 25 "$log" | sed 's/^/    /'
    else
      echo "  no log at $log"
    fi
    echo "  check: free disk (df -h $state), memory (free -m), 'ip netns list' shows $netns,"
    echo "  the packages (tools/install-deps.sh ceph), then '$0 status $state'."
    echo "  The cluster is left as it is for inspection; remove it with '$0 stop $state'."
  } >&2
  exit 1
}

# Poll COMMAND until it succeeds or the stage timeout passes; $1 names the daemon to blame.
wait_for() {
  local blame=$1 what=$2 deadline
  shift 2
  deadline=$(($(date +%s) + timeout_s))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      fail_daemon "$blame" "$what did not happen within ${timeout_s}s"
    fi
    daemon_pid "$blame" >/dev/null || fail_daemon "$blame" "ceph-$blame exited while waiting: $what"
    sleep 0.5
  done
}

write_conf() {
  local fsid=$1 osd_bytes=$(( ${CEPH_CLUSTER_OSD_SIZE:-4} * 1024 * 1024 * 1024 ))
  cat >"$conf" <<CONF
# Written by tests/ceph/ceph-cluster.sh: a throw-away single-host test cluster.
[global]
fsid = $fsid
mon_host = [v2:127.0.0.1:3300,v1:127.0.0.1:6789]
public_network = 127.0.0.0/8
auth_cluster_required = cephx
auth_service_required = cephx
auth_client_required = cephx
auth_allow_insecure_global_id_reclaim = false
keyring = $state/keyring/\$cluster.\$name.keyring
run_dir = $state/run
pid_file = $state/run/\$cluster-\$name.pid
admin_socket = $state/run/\$cluster-\$name.asok
log_file = $state/log/\$cluster-\$name.log
crash_dir = $state/crash
# One OSD holds every copy: size 1, and CRUSH picks OSDs, not hosts.
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
osd_crush_chooseleaf_type = 0
# The default warns below 30% free disk on the monitor's file system: a CI disk can be fuller.
mon_data_avail_warn = 2
mon_data_avail_crit = 1
osd_client_watch_timeout = ${CEPH_CLUSTER_WATCH_TIMEOUT:-30}

[mon]
mon_data = $state/mon/\$cluster-\$id
keyring = \$mon_data/keyring

[mgr]
mgr_data = $state/mgr/\$cluster-\$id
keyring = \$mgr_data/keyring

[osd]
osd_data = $state/osd/\$cluster-\$id
keyring = \$osd_data/keyring
osd_objectstore = bluestore
bluestore_block_create = true
bluestore_block_size = $osd_bytes
# A test box, not a storage server: keep the cache small.
osd_memory_target = 939524096

[client]
# One admin socket and log a client process: two QEMUs must not fight over one socket.
admin_socket = $state/run/\$cluster-\$name.\$pid.asok
log_file = $state/log/\$cluster-\$name.\$pid.log
CONF
}

start_daemon() {
  local kind=$1 id=$2
  # Ceph daemons fork into the background themselves and write their pid file under run/.
  in_ns "ceph-$kind" -i "$id" -c "$conf" >>"$state/log/ceph-$kind.$id.stderr" 2>&1 ||
    fail_daemon "$kind.$id" "ceph-$kind -i $id failed to start"
}

cmd_start() {
  local t0 fsid osd_uuid osd_key osd_id v
  t0=$(now)
  for v in CEPH_CLUSTER_TIMEOUT CEPH_CLUSTER_OSD_SIZE CEPH_CLUSTER_WATCH_TIMEOUT; do
    [[ "${!v:-1}" =~ ^[1-9][0-9]*$ ]] || die "$v='${!v}' is not a positive whole number"
  done
  [ "$(id -u)" -eq 0 ] || die "must run as root (it makes a network namespace)"
  for b in ceph-mon ceph-osd ceph ceph-authtool monmaptool rados rbd ip jq; do
    command -v "$b" >/dev/null ||
      die "'$b' is not installed: run tools/install-deps.sh ceph (as root)"
  done
  if [ "${CEPH_CLUSTER_MGR:-0}" = 1 ]; then
    command -v ceph-mgr >/dev/null ||
      die "CEPH_CLUSTER_MGR=1 but ceph-mgr is not installed: apt-get install ceph-mgr, or unset it"
  fi
  if [ -e "$state" ] && [ -n "$(ls -A "$state")" ]; then
    die "state folder $state is not empty: stop the cluster there first ('$0 stop $state') or pick another folder"
  fi
  ip netns list | grep -qw "^$netns" &&
    die "network namespace $netns already exists (a cluster of $state?): '$0 stop $state'"

  mkdir -p "$state"/{run,log,crash,keyring,mon,osd,mgr}
  touch "$marker"
  ip netns add "$netns" || die "ip netns add $netns failed: is this root with CAP_SYS_ADMIN?"
  echo "$netns" >"$state/netns"
  ip -n "$netns" link set lo up

  fsid=$(cat /proc/sys/kernel/random/uuid)
  write_conf "$fsid"

  # Keyrings: the monitor's own key, and client.admin which the monitor trusts from birth.
  local kr=$state/keyring
  ceph-authtool --create-keyring "$kr/mon-bootstrap.keyring" --gen-key -n mon. \
    --cap mon 'allow *' >/dev/null
  ceph-authtool --create-keyring "$kr/ceph.client.admin.keyring" --gen-key -n client.admin \
    --cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *' >/dev/null
  ceph-authtool "$kr/mon-bootstrap.keyring" --import-keyring "$kr/ceph.client.admin.keyring" >/dev/null
  monmaptool --create --fsid "$fsid" --addv a '[v2:127.0.0.1:3300,v1:127.0.0.1:6789]' \
    "$state/monmap" >/dev/null

  in_ns ceph-mon --mkfs -i a -c "$conf" --monmap "$state/monmap" \
    --keyring "$kr/mon-bootstrap.keyring" >"$state/log/mon-mkfs.log" 2>&1 ||
    fail_daemon mon.a "ceph-mon --mkfs failed (see $state/log/mon-mkfs.log)"
  start_daemon mon a
  wait_for mon.a "the monitor answering 'ceph mon stat'" ceph_cli mon stat
  note "mon.a up after $(elapsed "$t0") s"

  if [ "${CEPH_CLUSTER_MGR:-0}" = 1 ]; then
    mkdir -p "$state/mgr/ceph-x"
    ceph_cli auth get-or-create mgr.x mon 'allow profile mgr' osd 'allow *' mds 'allow *' \
      -o "$state/mgr/ceph-x/keyring" >/dev/null
    start_daemon mgr x
  fi

  # The OSD: register its id and key with the monitor, then make bluestore on a sparse file.
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  osd_key=$(ceph-authtool --gen-print-key)
  printf '{"cephx_secret": "%s"}\n' "$osd_key" >"$state/osd-secret.json"
  osd_id=$(ceph_cli osd new "$osd_uuid" -i "$state/osd-secret.json")
  rm -f "$state/osd-secret.json"
  mkdir -p "$state/osd/ceph-$osd_id"
  ceph-authtool --create-keyring "$state/osd/ceph-$osd_id/keyring" --name "osd.$osd_id" \
    --add-key "$osd_key" >/dev/null
  in_ns ceph-osd --mkfs -i "$osd_id" -c "$conf" --osd-uuid "$osd_uuid" \
    --monmap "$state/monmap" --no-mon-config >"$state/log/osd-mkfs.log" 2>&1 ||
    fail_daemon "osd.$osd_id" "ceph-osd --mkfs failed (see $state/log/osd-mkfs.log)"
  start_daemon osd "$osd_id"
  wait_for "osd.$osd_id" "osd.$osd_id up and in" osd_up_in
  note "osd.$osd_id up after $(elapsed "$t0") s"

  ceph_cli osd pool create rbd 8 8 >/dev/null 2>&1 ||
    fail_daemon mon.a "'ceph osd pool create rbd' failed"
  # rbd pool init writes to the pool: it waits for the pool's PGs to peer.
  in_ns timeout "$timeout_s" rbd pool init rbd ||
    fail_daemon "osd.$osd_id" "'rbd pool init rbd' failed or took longer than ${timeout_s}s"
  # HEALTH_OK can show while PGs still peer: listing the pool visits every PG and blocks until
  # each one is active; with a manager, its PG map must say so too.
  wait_for "osd.$osd_id" "every PG of pool rbd active (rados ls)" \
    in_ns timeout 30 rados -p rbd ls
  if [ "${CEPH_CLUSTER_MGR:-0}" = 1 ]; then
    wait_for mgr.x "the manager reporting every PG active" all_pgs_active
  fi
  wait_for mon.a "HEALTH_OK" health_ok
  note "cluster up in $(elapsed "$t0") s (state $state, netns $netns)"
}

osd_up_in() {
  local s
  s=$(ceph_cli osd stat -f json) || return 1
  [ "$(jq -r '.num_osds == .num_up_osds and .num_osds == .num_in_osds and .num_osds > 0' <<<"$s")" = true ]
}

all_pgs_active() {
  local s
  s=$(ceph_cli pg ls -f json) || return 1
  jq -e '(.pg_stats | length) > 0 and all(.pg_stats[]; .state | test("^active"))' <<<"$s" >/dev/null
}

health_ok() {
  [ "$(ceph_cli health 2>/dev/null)" = HEALTH_OK ]
}

# Pids of every ceph daemon this cluster started (from their pid files).
daemon_pids() {
  local f pid
  for f in "$state"/run/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    kill -0 "$pid" 2>/dev/null && echo "$pid"
  done
  return 0
}

# SIGTERM the processes, wait up to 10 s, then SIGKILL what is left.
terminate() {
  local p left i
  [ $# -gt 0 ] || return 0
  kill -TERM "$@" 2>/dev/null || true
  # A stopped (SIGSTOP) process cannot act on SIGTERM until continued.
  kill -CONT "$@" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    left=()
    for p in "$@"; do kill -0 "$p" 2>/dev/null && left+=("$p"); done
    [ ${#left[@]} -eq 0 ] && return 0
    sleep 0.1
  done
  note "still running after 10 s of SIGTERM, sending SIGKILL: ${left[*]}"
  kill -KILL "${left[@]}" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "${left[@]}" 2>/dev/null || return 0
    sleep 0.1
  done
}

cmd_stop() {
  local t0 f mon=() others=()
  t0=$(now)
  if [ ! -e "$marker" ]; then
    [ -e "$state" ] || { note "nothing to stop at $state"; return 0; }
    die "$state was not made by $prog (no $marker): not touching it"
  fi
  [ -s "$state/netns" ] && netns=$(cat "$state/netns")
  # Clients and OSDs first, the monitor last: an OSD going down tells the monitor and waits
  # for it, so killing the monitor first makes every OSD wait out its shutdown timeout.
  # Every process in the namespace (daemons, and clients a test may have leaked) was started
  # for this cluster.
  for f in "$state"/run/ceph-mon.*.pid; do
    [ -s "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && mon+=("$(cat "$f")")
  done
  for f in $( { daemon_pids; ip netns pids "$netns" 2>/dev/null || true; } | sort -un); do
    [[ " ${mon[*]} " == *" $f "* ]] || others+=("$f")
  done
  terminate "${others[@]}"
  terminate "${mon[@]}"
  ip netns delete "$netns" 2>/dev/null || true
  rm -rf "$state"
  note "cluster stopped in $(elapsed "$t0") s"
}

cmd_status() {
  local rc=0 f name
  [ -e "$marker" ] || { echo "no cluster at $state"; return 1; }
  [ -s "$state/netns" ] && netns=$(cat "$state/netns")
  echo "state: $state  netns: $netns"
  for f in "$state"/run/*.pid; do
    [ -e "$f" ] || continue
    name=${f##*/ceph-}; name=${name%.pid}
    if daemon_pid "$name" >/dev/null; then
      echo "ceph-$name: running, pid $(daemon_pid "$name")"
    else
      echo "ceph-$name: NOT running (log: $state/log/ceph-$name.log)"; rc=1
    fi
  done
  ceph_cli -s || rc=1
  return $rc
}

case "$action" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  exec)
    [ $# -gt 0 ] || die "exec needs a command"
    [ -e "$marker" ] || die "no cluster at $state: '$0 start $state' first"
    netns=$(cat "$state/netns")
    exec ip netns exec "$netns" env CEPH_CONF="$conf" "$@"
    ;;
  -h|--help) usage ;;
  *) usage >&2; die "unknown action '$action' (start|stop|status|exec)" ;;
esac
