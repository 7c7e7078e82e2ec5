# The cases with migkit's lease filter on top of the RBD node.  Sourced by rbd-cases.sh.

lease_available() { qemu_has_driver "$QEMU_DIR" "$LEASE_DRIVER"; }

lease_cases() {
  local c
  local -a cases=(
    "with the lease, a second opener is refused"
    "with the lease, live migration hands the lease over at switchover"
    "with the lease, kill -9 of the owner, then the other VM takes over"
    "with the lease, a paused cluster makes the owner fence itself first"
  )
  if ! lease_available; then
    for c in "${cases[@]}"; do
      tap_skip "$c" "block driver '$LEASE_DRIVER' is not in $QEMU_DIR"
    done
    return 0
  fi
}
