# Sourced by the CLI integration scripts: a scratch folder that goes away on exit together with
# every QEMU started in it, and a launcher for QEMU running the verifiable guest.
#
#   guest_qemu_init PREFIX QEMU GUEST_ELF   sets $work (/tmp/PREFIX-XXXXXX) and the traps
#   guest_qemu_start NAME MEM [ARGS...]     starts the guest, QMP at $work/NAME.qmp, log at
#                                           $work/NAME.log, pid in NAME_pid; returns 1 with a
#                                           TAP comment when QMP does not come up

guest_qemu_init() {
  work=$(mktemp -d "/tmp/$1-XXXXXX")
  guest_qemu_binary=$2 guest_qemu_kernel=$3
  guest_qemu_pids=()
  trap guest_qemu_cleanup EXIT
  trap 'exit 1' TERM INT # so that a timeout still runs the cleanup
}

guest_qemu_cleanup() {
  for p in "${guest_qemu_pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}

guest_qemu_start() {
  local name=$1 mem=$2; shift 2
  "$guest_qemu_binary" -name "$name" -machine q35 -accel tcg -m "$mem" -nodefaults -display none \
    -kernel "$guest_qemu_kernel" -append "ws=all pattern=uniform rate=2000 seed=1 fill=stamp" \
    -qmp "unix:$work/$name.qmp,server=on,wait=off" -serial null "$@" \
    >"$work/$name.log" 2>&1 &
  guest_qemu_pids+=($!)
  printf -v "${name}_pid" '%s' "$!"
  for _ in $(seq 100); do [ -S "$work/$name.qmp" ] && return 0; sleep 0.1; done
  echo "# QEMU $name did not create its QMP socket: $(tail -3 "$work/$name.log")"
  return 1
}
