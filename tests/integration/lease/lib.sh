# Shared helpers of the cluster-lease integration tests (sourced, bash).
#
# Real processes only: qemu-system-x86_64 (-M none: no guest, I/O through HMP qemu-io),
# qemu-storage-daemon as NBD server, qemu-img/qemu-io for disk content.  Every test prints TAP.
#
# Environment: MIGKIT_LEASE_QEMU_BUILD (QEMU build folder with the cluster-lease driver;
# default /var/cache/migkit/qemu-10.0.2/build), MIGKIT_LEASE_DUMP (lease-dump tool).

QEMU_BUILD=${MIGKIT_LEASE_QEMU_BUILD:-${1:-/var/cache/migkit/qemu-10.0.2/build}}
QEMU=$QEMU_BUILD/qemu-system-x86_64
QEMU_IMG=$QEMU_BUILD/qemu-img
QEMU_IO=$QEMU_BUILD/qemu-io
QSD=$QEMU_BUILD/storage-daemon/qemu-storage-daemon
LEASE_DUMP=${MIGKIT_LEASE_DUMP:-lease-dump}

# Short timings so the suite stays fast; the defaults (1 s / 8 s / 3 s) stay production-safe.
RENEW_MS=${RENEW_MS:-200}
TIMEOUT_MS=${TIMEOUT_MS:-2000}
MARGIN_MS=${MARGIN_MS:-800}
# The driver's io-timeout where a script passes none: takers wait lease-timeout plus this
DRIVER_IO_TIMEOUT_MS=1000

tap_n=0
tap_failed=0
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); tap_failed=1; echo "not ok $tap_n - $*"; }
check() { # check NAME COMMAND...: one TAP line from a command's status
  local name=$1; shift
  if "$@"; then ok "$name"; else not_ok "$name"; fi
}
diag() { echo "# $*"; }
bail() { echo "Bail out! $*"; exit 1; }

preflight() {
  [ -x "$QEMU" ] || bail "$QEMU is missing: set MIGKIT_LEASE_QEMU_BUILD to a QEMU build with the cluster-lease driver"
  "$QEMU_IMG" --help | grep -qw cluster-lease ||
    bail "$QEMU_BUILD has no cluster-lease driver: build it with the migkit patch series"
  command -v socat >/dev/null || bail "socat is missing (tools/install-deps.sh test)"
  command -v jq >/dev/null || bail "jq is missing (apt-get install jq)"
  command -v "$LEASE_DUMP" >/dev/null || [ -x "$LEASE_DUMP" ] || bail "lease-dump tool missing ($LEASE_DUMP)"
  WORK=$(mktemp -d /tmp/migkit-lease.XXXXXX)
  PIDS=()
  trap cleanup EXIT
}

cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -CONT "$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null; done
  wait 2>/dev/null
  [ "${KEEP_WORK:-0}" = 1 ] || rm -rf "$WORK"
}

now_ms() { date +%s%3N; }

# wait_for SECONDS COMMAND...: poll every 50 ms until COMMAND succeeds
wait_for() {
  local deadline=$(($(now_ms) + $1 * 1000)); shift
  until "$@"; do
    [ "$(now_ms)" -lt "$deadline" ] || return 1
    sleep 0.05
  done
}

# --- QMP: one persistent session per QEMU, replies matched by id -------------------------

# qmp_connect NAME SOCKET
qmp_connect() {
  local name=$1 sock=$2 dir=$WORK/qmp-$1 fd
  mkdir -p "$dir"; rm -f "$dir/in"; mkfifo "$dir/in"; : >"$dir/out"
  wait_for 60 test -S "$sock" || return 1
  socat -t 30 UNIX-CONNECT:"$sock" STDIO <"$dir/in" >>"$dir/out" 2>"$dir/err" &
  PIDS+=($!)
  exec {fd}>"$dir/in"
  printf -v "QMP_FD_$name" %s "$fd"
  echo '{"execute":"qmp_capabilities","id":0}' >&"$fd"
  wait_for 60 grep -q '"id": 0' "$dir/out"
}

# qmp NAME COMMAND [ARGUMENTS-JSON]: prints the reply (one JSON line); status 1 on an error reply
# (the id counter lives in a file: callers run qmp in $(...) subshells)
qmp() {
  local name=$1 cmd=$2 args=${3:-'{}'} fdvar="QMP_FD_$1" out=$WORK/qmp-$1/out id
  id=$(($(cat "$WORK/qmp-id" 2>/dev/null || echo 100) + 1))
  echo "$id" >"$WORK/qmp-id"
  echo "{\"execute\":\"$cmd\",\"arguments\":$args,\"id\":$id}" >&"${!fdvar}" || return 2
  wait_for 120 grep -qE "\"id\": $id[,}]" "$out" ||
    { echo "{\"error\":{\"desc\":\"no reply to $cmd\"}}"; return 2; }
  local reply
  reply=$(grep -E "\"id\": $id[,}]" "$out" | tail -n 1)
  echo "$reply"
  ! jq -e 'has("error")' <<<"$reply" >/dev/null
}

# hmp NAME "COMMAND LINE": prints the HMP output text
hmp() {
  local reply
  reply=$(qmp "$1" human-monitor-command "$(jq -nc --arg c "$2" '{"command-line":$c}')")
  jq -r '.return // .error.desc' <<<"$reply"
}

# qemu_io NAME NODE "qemu-io command": succeeds when the I/O succeeded
# (qemu-io prints its results on QEMU's stdout, errors on the monitor: look at both)
qemu_io() {
  local log=$WORK/$1.log before text
  before=$(stat -c %s "$log")
  text=$(hmp "$1" "qemu-io $2 \"$3\"")
  text+=$'\n'$(tail -c +$((before + 1)) "$log" | grep -v cluster_lease_)
  echo "$text" >>"$WORK/qmp-$1/io.log"
  ! grep -qiE 'error|failed|Pattern verification' <<<"$text"
}

# lease_field NAME FIELD: a field of the first entry of query-block-leases
lease_field() {
  qmp "$1" query-block-leases | jq -r ".return[0].\"$2\""
}

qmp_event_seen() { grep -q "\"event\": \"$2\"" "$WORK/qmp-$1/out"; }

# --- Disk and lease area specs -----------------------------------------------------------

# lease_blockdev HOSTID DATA-REF-JSON LEASE-REF-JSON [EXTRA-JSON-MEMBERS]
lease_blockdev() {
  echo "{\"driver\":\"cluster-lease\",\"node-name\":\"disk0\",\"host-id\":$1,\"host-name\":\"host$1\",\"renew-interval\":$RENEW_MS,\"lease-timeout\":$TIMEOUT_MS,\"fence-margin\":$MARGIN_MS,\"file\":$2,\"lease\":$3${4:+,$4}}"
}

# A file on a shared folder as NFS would be: no working kernel locks across hosts.
file_ref() { echo "{\"driver\":\"file\",\"filename\":\"$1\",\"locking\":\"off\",\"cache\":{\"direct\":true}}"; }
nbd_ref() { echo "{\"driver\":\"nbd\",\"server\":{\"type\":\"unix\",\"path\":\"$1\"},\"export\":\"$2\"}"; }

# start_qemu NAME BLOCKDEV-JSON [QEMU ARGS...]: a QEMU without guest, QMP on $WORK/NAME.qmp;
# its stderr (and trace output) goes to $WORK/NAME.log
start_qemu() {
  local name=$1 blockdev=$2; shift 2
  rm -f "$WORK/$name.qmp"
  "$QEMU" -M none -nodefaults -display none -accel tcg -msg timestamp=on \
    -trace 'cluster_lease_*' \
    -qmp unix:"$WORK/$name.qmp",server=on,wait=off \
    -blockdev "$blockdev" "$@" >"$WORK/$name.log" 2>&1 &
  local pid=$!
  PIDS+=($pid)
  printf -v "PID_$name" %s "$pid"
  qmp_connect "$name" "$WORK/$name.qmp"
}

# start_qemu_expect_fail NAME BLOCKDEV-JSON [QEMU ARGS...]: runs a QEMU that must refuse to
# start; prints its error output
start_qemu_expect_fail() {
  local name=$1 blockdev=$2
  if timeout 120 "$QEMU" -M none -nodefaults -display none -accel tcg \
       -blockdev "$blockdev" -S "${@:3}" >"$WORK/$name.log" 2>&1; then
    return 1
  fi
  cat "$WORK/$name.log"
}

pid_of() { local v="PID_$1"; echo "${!v}"; }

stop_qemu() { # graceful quit: the lease is released
  qmp "$1" quit >/dev/null 2>&1
  local pid; pid=$(pid_of "$1")
  wait_for 30 bash -c "! kill -0 $pid 2>/dev/null"
}

# start_nbd NAME DATA-FILE LEASE-FILE: qemu-storage-daemon exporting both over a Unix socket
start_nbd() {
  local name=$1
  "$QSD" --blockdev driver=file,node-name=data,filename="$2",cache.direct=on \
    --blockdev driver=file,node-name=lease,filename="$3",cache.direct=on \
    --nbd-server addr.type=unix,addr.path="$WORK/$name.sock" \
    --export type=nbd,id=e0,node-name=data,name=data,writable=on \
    --export type=nbd,id=e1,node-name=lease,name=lease,writable=on \
    >"$WORK/$name.log" 2>&1 &
  local pid=$!
  PIDS+=($pid)
  printf -v "PID_$name" %s "$pid"
  wait_for 30 test -S "$WORK/$name.sock"
}

new_disk() { # new_disk DIR: a 16 MiB raw disk with a 68 KiB lease area (16 host-ids)
  mkdir -p "$1"
  "$QEMU_IMG" create -q -f raw "$1/disk.img" 16M
  "$QEMU_IMG" create -q -f raw "$1/disk.lease" 68K
}

# Disk content straight from the raw file (no lease involved), read by a new qemu-io process.
# qemu-io prints "read ..." even after a failed pattern check: its exit status and the
# absence of "Pattern verification failed" decide, not the "read" line alone.
disk_has_pattern() { # disk_has_pattern FILE OFFSET LEN BYTE
  local out
  out=$("$QEMU_IO" -r -U -f raw -c "read -P $4 $2 $3" "$1" 2>&1) || return 1
  ! grep -q "Pattern verification failed" <<<"$out" && grep -q "^read " <<<"$out"
}
