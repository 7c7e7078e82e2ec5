# shellcheck shell=bash
# Harness for the RBD tests: TAP output, QEMU processes driven over QMP, RBD images checked
# with qemu-io.  Sourced by rbd-cases.sh, which runs inside the cluster's network namespace
# (ceph-cluster.sh exec), so QMP and migration use TCP on that namespace's 127.0.0.1 and bash's
# own /dev/tcp: no helper process a connection.
#
# Needs: QEMU_DIR (qemu-system-x86_64, qemu-io, qemu-img), CEPH_CONF, WORK (a scratch folder).

# ---- TAP ------------------------------------------------------------------------------------

tap_count=0
tap_failed=0

diag() { printf '# %s\n' "$*"; }

# One TAP test point: `tap_result STATUS NAME`, STATUS 0 = ok.
tap_result() {
  tap_count=$((tap_count + 1))
  if [ "$1" -eq 0 ]; then
    echo "ok $tap_count - $2"
  else
    echo "not ok $tap_count - $2"
    tap_failed=$((tap_failed + 1))
  fi
}

tap_skip() { tap_count=$((tap_count + 1)); echo "ok $tap_count - $1 # SKIP $2"; }

# A measured figure: printed as a TAP comment and appended to $FIGURES (default
# $WORK/figures.txt).
figure() {
  diag "figure: $1 = $2 ${3:-}"
  printf '%s\t%s\t%s\n' "$1" "$2" "${3:-}" >>"${FIGURES:-$WORK/figures.txt}"
}

# Milliseconds since the epoch, from bash's own clock (no fork).
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# Run "$@" (in a subshell: only for commands that change no state of this shell); on failure
# print what failed and the command's output as diagnostics.  Returns the command's status.
check() {
  local what=$1 out rc=0
  shift
  out=$("$@" 2>&1) || rc=$?
  if [ $rc -ne 0 ]; then
    diag "FAILED: $what"
    [ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/#   /'
  fi
  return $rc
}

# Whether the qemu-img in DIR has block driver NAME.  Its --help lists them after "Supported
# formats:" (one line) or "Supported image formats:" (indented lines, a modular build).
qemu_has_driver() {
  "$1/qemu-img" --help |
    awk '/^Supported (image )?formats:/ { on = 1; sub(/^[^:]*:/, "") } /^See / { on = 0 } on' |
    tr -s ' ' '\n' | grep -qx "$2"
}

# ---- QEMU processes -------------------------------------------------------------------------

declare -A VM_PID VM_FD
next_port=4400

# Ports for QMP and migration in the namespace: never reused within one run.  Sets $port
# (a $(...) call would count in a subshell and hand out one port forever).
take_port() { next_port=$((next_port + 1)); port=$next_port; }

# Start a VM: `vm_start NAME QEMU-ARGS...`.  A q35 machine without boot disk idles in the
# firmware (TCG), its stdout (qemu-io's reports) line-buffered into $WORK/NAME.log.  The
# firmware comes from Debian's packages (-L), so an in-tree build runs without staged blobs.
vm_start() {
  local name=$1 port deadline
  shift
  take_port
  stdbuf -oL "$QEMU_DIR/qemu-system-x86_64" -M q35 -accel tcg -nodefaults -display none \
    -m 64 -L /usr/share/seabios -L /usr/share/qemu -name "$name" -qmp "tcp:127.0.0.1:$port,server=on,wait=off" "$@" \
    >"$WORK/$name.log" 2>&1 </dev/null &
  VM_PID[$name]=$!
  deadline=$(($(now_ms) + 60000))
  # shellcheck disable=SC1083 # bash keeps the new fd in the array element named in braces
  until { exec {VM_FD[$name]}<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; do
    if ! kill -0 "${VM_PID[$name]}" 2>/dev/null; then
      vm_start_failed "$name" "QEMU '$name' exited at start"
      return 1
    fi
    if [ "$(now_ms)" -gt "$deadline" ]; then
      vm_start_failed "$name" "QEMU '$name' did not open QMP on port $port within 60 s"
      return 1
    fi
    sleep 0.1
  done
  # QEMU listens before it opens its disks, and greets once it has: this waits for the open.
  if ! IFS= read -r -t 120 _ <&"${VM_FD[$name]}"; then
    vm_start_failed "$name" "no QMP greeting from QEMU '$name'"
    return 1
  fi
  vm_qmp "$name" '{"execute": "qmp_capabilities"}' >/dev/null
}

# A VM that did not come up: say why (its log's end), make sure it is gone, forget it.
vm_start_failed() {
  local name=$1
  kill -KILL "${VM_PID[$name]}" 2>/dev/null || true
  vm_forget "$name"
  diag "$2: $(grep -v '^[0-9]*@[0-9.]*:cluster_lease' "$WORK/$name.log" | tail -n 3 | tr '\n' ' ')"
}

# Send one QMP command, print its reply line; events are logged to $WORK/NAME.events.
# Fails (status 1) on an error reply or when no reply comes within TIMEOUT seconds.
vm_qmp() {
  local name=$1 cmd=$2 timeout=${3:-60} fd=${VM_FD[$1]:-} line
  [ -n "$fd" ] || { diag "no QMP connection to '$name'"; return 1; }
  printf '%s\n' "$cmd" >&"$fd" || { diag "QMP send to '$name' failed"; return 1; }
  while :; do
    if ! IFS= read -r -t "$timeout" line <&"$fd"; then
      diag "no QMP reply from '$name' within ${timeout}s to: $cmd"
      return 1
    fi
    line=${line%$'\r'}
    case "$line" in
      '{"return"'*) printf '%s\n' "$line"; return 0 ;;
      '{"error"'*) printf '%s\n' "$line"; return 1 ;;
      *) printf '%s %s\n' "$(now_ms)" "$line" >>"$WORK/$name.events" ;;
    esac
  done
}

# Run an HMP command through QMP; print what it returned.
vm_hmp() {
  local reply
  reply=$(vm_qmp "$1" "$(jq -cn --arg c "$2" '{execute: "human-monitor-command",
                                               arguments: {"command-line": $c}}')" "${3:-60}") ||
    return 1
  jq -r '.return' <<<"$reply"
}

# What vm_write writes to: by default the BlockBackend of the VM's disk device (virtio-blk-pci
# id=vd0); VM_IO_TARGET[NAME]=NODE makes it a node of a VM without a device.
VM_DISK_QDEV=/machine/peripheral/vd0/virtio-backend
declare -A VM_IO_TARGET

# Write PATTERN at OFFSET LENGTH through the VM's disk device, the guest's path through the
# block layer.  Succeeds when qemu-io reported the write done, fails on its error report.
vm_write() {
  local name=$1 pattern=$2 offset=$3 length=$4 timeout=${5:-120} before after report
  before=$(grep -cE '^(wrote |write failed)' "$WORK/$name.log" || true)
  vm_hmp "$name" "qemu-io ${VM_IO_TARGET[$name]:--d $VM_DISK_QDEV} \"write -P $pattern $offset $length\"" "$timeout" \
    >/dev/null || return 1
  after=$(grep -cE '^(wrote |write failed)' "$WORK/$name.log" || true)
  report=$(grep -E '^(wrote |write failed)' "$WORK/$name.log" | tail -n 1)
  if [ "$after" -le "$before" ]; then
    diag "'$name': qemu-io printed no report for write $pattern $offset $length"
    return 1
  fi
  case "$report" in
    wrote*) return 0 ;;
    *) diag "'$name': $report"; return 1 ;;
  esac
}

# QMP status of a VM (running, paused, postmigrate, inmigrate ...).
vm_status() { vm_qmp "$1" '{"execute": "query-status"}' | jq -r '.return.status'; }

# Forget a VM whose process is gone; reap it.
vm_forget() {
  local name=$1
  # shellcheck disable=SC1083 # closes the fd kept in that array element
  [ -n "${VM_FD[$name]:-}" ] && exec {VM_FD[$name]}>&-
  wait "${VM_PID[$name]}" 2>/dev/null || true
  unset "VM_PID[$name]" "VM_FD[$name]" "VM_IO_TARGET[$name]"
}

# Kill a VM with SIGNAL (default KILL) and wait for it to be gone.
vm_kill() {
  local name=$1 sig=${2:-KILL}
  [ -n "${VM_PID[$name]:-}" ] || return 0
  kill "-$sig" "${VM_PID[$name]}" 2>/dev/null || true
  vm_forget "$name"
}

# Quit a VM cleanly over QMP; SIGKILL when it does not exit within 30 s.
vm_quit() {
  local name=$1 i
  [ -n "${VM_PID[$name]:-}" ] || return 0
  vm_qmp "$name" '{"execute": "quit"}' 30 >/dev/null 2>&1 || true
  for ((i = 0; i < 300; i++)); do
    kill -0 "${VM_PID[$name]}" 2>/dev/null || break
    sleep 0.1
  done
  vm_kill "$name" KILL
}

vm_quit_all() {
  local name
  for name in "${!VM_PID[@]}"; do vm_quit "$name"; done
}

# ---- migration ------------------------------------------------------------------------------

# Live-migrate SRC to DST (started with -incoming defer).  Sets MIGRATE_REPLY to the source's
# final query-migrate reply.  Fails when the migration does not complete within TIMEOUT s.
# Not for $(...): it hands out a port.
# shellcheck disable=SC2034 # MIGRATE_REPLY is for the caller
vm_migrate() {
  local src=$1 dst=$2 timeout=${3:-120} port reply status deadline
  take_port
  vm_qmp "$dst" "{\"execute\": \"migrate-incoming\", \"arguments\": {\"uri\": \"tcp:127.0.0.1:$port\"}}" >/dev/null ||
    return 1
  vm_qmp "$src" "{\"execute\": \"migrate\", \"arguments\": {\"uri\": \"tcp:127.0.0.1:$port\"}}" >/dev/null ||
    return 1
  deadline=$(($(now_ms) + timeout * 1000))
  while :; do
    reply=$(vm_qmp "$src" '{"execute": "query-migrate"}') || return 1
    status=$(jq -r '.return.status' <<<"$reply")
    case "$status" in
      completed) MIGRATE_REPLY=$reply; return 0 ;;
      failed|cancelled)
        diag "migration $src -> $dst $status: $(jq -r '.return."error-desc" // ""' <<<"$reply")"
        return 1 ;;
    esac
    if [ "$(now_ms)" -gt "$deadline" ]; then
      diag "migration $src -> $dst still '$status' after ${timeout}s"
      return 1
    fi
    sleep 0.1
  done
}

# Wait until a VM runs (a migration destination resumes after it activated its disks).
vm_wait_running() {
  local name=$1 deadline status
  deadline=$(($(now_ms) + ${2:-60} * 1000))
  while status=$(vm_status "$name"); [ "$status" != running ]; do
    if [ "$(now_ms)" -gt "$deadline" ]; then
      diag "VM '$name' is '$status', not running; its log ends:"
      grep -v '^[0-9]*@[0-9.]*:' "$WORK/$name.log" | tail -n 3 | sed 's/^/#   /'
      return 1
    fi
    sleep 0.05
  done
}

# QEMU's own timestamp (microseconds) of the last EVENT a VM sent.
event_us() {
  grep "\"event\": \"$2\"" "$WORK/$1.events" 2>/dev/null | tail -n 1 | cut -d' ' -f2- |
    jq '.timestamp.seconds * 1000000 + .timestamp.microseconds'
}

# The downtime the guest sees across a migration: from the source's STOP to the destination's
# RESUME, both stamped by QEMU on this host's clock.  (query-migrate's "downtime" ends on the
# source and leaves out the destination's activation of its disks, where a lease is taken.)
guest_downtime_ms() {
  local stop resume
  stop=$(event_us "$1" STOP) resume=$(event_us "$2" RESUME)
  [ -n "$stop" ] && [ -n "$resume" ] || { diag "no STOP/RESUME events for $1 -> $2"; return 1; }
  awk -v a="$stop" -v b="$resume" 'BEGIN { printf "%.1f", (b - a) / 1000 }'
}

# Median of numbers.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# ---- RBD images -----------------------------------------------------------------------------

# The QEMU -blockdev of the plain RBD node.  cache.direct=on turns librbd's cache off, so a
# completed write is in RADOS, where another process reads it.
rbd_blockdev() {
  echo "driver=rbd,node-name=${2:-rbd0},pool=rbd,image=$1,conf=$CEPH_CONF,user=admin,cache.direct=on"
}

# The same image as a qemu-io/qemu-img filename.
rbd_filename() { echo "rbd:rbd/$1:conf=$CEPH_CONF:id=admin"; }

image_remove() { rbd rm --no-progress "rbd/$1" >/dev/null 2>&1 || true; }

# Read-only check, from a separate qemu-io process, that OFFSET LENGTH holds PATTERN.
image_expect() {
  local image=$1 pattern=$2 offset=$3 length=$4 out
  if ! out=$("$QEMU_DIR/qemu-io" -r -f raw -c "read -P $pattern $offset $length" \
              "$(rbd_filename "$image")" 2>&1) ||
     [[ "$out" == *"verification failed"* || "$out" != *"read $length/$length"* ]]; then
    diag "image $image at $offset+$length is not $pattern: ${out%%$'\n'*}"
    return 1
  fi
}

# The RADOS clients watching an image (one per process that has it open).
image_watchers() { rbd status --format json "rbd/$1" | jq '.watchers | length'; }

# The client (e.g. client.4125) holding the image's exclusive lock, or nothing.
image_lock_owner() { rbd lock ls --format json "rbd/$1" | jq -r '.[0].locker // empty'; }
