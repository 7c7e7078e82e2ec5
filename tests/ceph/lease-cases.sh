# shellcheck shell=bash
# shellcheck disable=SC2154,SC2034 # image, KiB64 ... are rbd-cases.sh's; VM_IO_TARGET is lib.sh's
# The cases with migkit's lease filter (QEMU block driver "cluster-lease", qemu-patches/) on
# top of the RBD node.  Sourced by rbd-cases.sh.
#
# Layout, as the driver defines it: the filter's "file" child is the data (RBD image IMAGE), its
# "lease" child a small lease area on the same storage (RBD image IMAGE-lease, 4 MiB: a header
# block and one 4 KiB slot per host-id).  Both images are made without RBD's exclusive-lock:
# the lease arbitrates, and a dead holder's librbd lock would otherwise stall the new owner for
# osd_client_watch_timeout.  Timings are the driver's defaults: renew every 1 s, others may take
# over after 8 s of a still heartbeat, the owner fences itself 5 s after its last good renewal.

LEASE_AREA_SIZE=4M

lease_available() { qemu_has_driver "$QEMU_DIR" "$LEASE_DRIVER"; }

lease_area_create() {
  rbd create --size "$LEASE_AREA_SIZE" "${LEASED_IMAGE[@]}" "rbd/$image-lease"
}

# The two RBD nodes of a leased disk, rbd0 (data) and lease-area0, as QEMU arguments in
# LEASE_RBD_ARGS.
lease_rbd_args() {
  LEASE_RBD_ARGS=(-blockdev "$(rbd_blockdev "$image" rbd0)"
                  -blockdev "$(rbd_blockdev "$image-lease" lease-area0)")
}

# The filter node disk0 for HOST-ID, as -blockdev and as blockdev-add arguments.
lease_node_opts() {
  echo "driver=$LEASE_DRIVER,node-name=disk0,file=rbd0,lease=lease-area0,host-id=$2,host-name=$1"
}
lease_node_json() {
  jq -cn --arg d "$LEASE_DRIVER" --arg n "$1" --argjson id "$2" \
    '{driver: $d, "node-name": "disk0", file: "rbd0", lease: "lease-area0",
      "host-id": $id, "host-name": $n}'
}

# A VM on the leased disk: `vm_start_leased NAME HOST-ID [QEMU-ARGS...]`.  The guest's disk
# stops the VM on an I/O error (what a fenced lease returns); lease events are traced, with
# wall-clock stamps, into the VM's log.
vm_start_leased() {
  lease_rbd_args
  vm_start "$1" "${LEASE_RBD_ARGS[@]}" -blockdev "$(lease_node_opts "$1" "$2")" \
    -device virtio-blk-pci,drive=disk0,id=vd0,werror=stop,rerror=stop \
    -msg timestamp=on -trace 'enable=cluster_lease_*' "${@:3}"
}

# A VM that has the RBD nodes open but not the lease yet: a standby that may take over.
vm_start_standby() {
  lease_rbd_args
  vm_start "$1" "${LEASE_RBD_ARGS[@]}" -msg timestamp=on -trace 'enable=cluster_lease_*' || return 1
  VM_IO_TARGET[$1]=disk0
}

# blockdev-add the filter on a standby VM: the takeover attempt.  Prints the QMP reply.
lease_take() {
  vm_qmp "$1" "{\"execute\": \"blockdev-add\", \"arguments\": $(lease_node_json "$1" "$2")}" 120
}

# The lease of a VM's node disk0 as query-block-leases reports it (one JSON object).
lease_info() {
  local reply
  reply=$(vm_qmp "$1" '{"execute": "query-block-leases"}') || { echo "$reply"; return 1; }
  jq -ce '.return[] | select(."node-name" == "disk0")' <<<"$reply"
}

# Check that query-block-leases says STATE for a VM (and, given, GENERATION as owner-generation).
expect_lease() {
  local info
  info=$(lease_info "$1") || { diag "query-block-leases on '$1': $info"; return 1; }
  if [ "$(jq -r '.state' <<<"$info")" != "$2" ] ||
     { [ -n "${3:-}" ] && [ "$(jq -r '."owner-generation"' <<<"$info")" != "$3" ]; }; then
    diag "'$1' lease is not ${2}${3:+ at generation $3}: $info"
    return 1
  fi
}

# Wall-clock time (ms) of the first trace line of EVENT in a VM's log whose text matches REGEX;
# the log backend stamps lines as PID@SECONDS.MICROSECONDS:event.
trace_ms() {
  grep -E "^[0-9]+@[0-9.]+:$2 " "$WORK/$1.log" | grep -E -- "${3:-.}" | head -n 1 |
    sed -E 's/^[0-9]+@([0-9]+)\.([0-9]{3}).*/\1\2/'
}

# Wait until a VM's log has a trace line of EVENT matching REGEX.
wait_trace() {
  local deadline=$(($(now_ms) + ${4:-60} * 1000))
  until [ -n "$(trace_ms "$1" "$2" "${3:-.}")" ]; do
    if [ "$(now_ms)" -gt "$deadline" ]; then
      diag "no '$2' trace from '$1' within ${4:-60}s"
      return 1
    fi
    sleep 0.05
  done
}

# ---- the cases ---------------------------------------------------------------------------

# One writer per disk: while a VM holds the lease, another QEMU that opens the disk is refused
# with an error naming the holder; after a clean quit the lease is free at once.
case_lease_second_opener_refused() {
  local t0 ms
  lease_area_create || return 1
  vm_start_leased a 1 || return 1
  check "a owns the lease, generation 1" expect_lease a owner 1 || return 1
  check "a writes 0xaa" vm_write a 0xaa 0 $KiB64 || return 1
  t0=$(now_ms)
  if vm_start_leased b 2 2>/dev/null; then
    diag "b opened the disk while a holds the lease"
    return 1
  fi
  ms=$(($(now_ms) - t0))
  figure lease_refusal_ms "$ms" "(QEMU b start to its exit)"
  check "b was refused because a's heartbeat advances" grep -q 'is in use by' "$WORK/b.log" ||
    return 1
  diag "b: $(grep -o "cluster-lease node 'disk0': the disk is in use.*" "$WORK/b.log" | head -n 1)"
  check "a still writes (0xcc)" vm_write a 0xcc $KiB64 $KiB64 || return 1
  check "a's first write is intact" image_expect "$image" 0xaa 0 $KiB64 || return 1
  check "a's second write landed" image_expect "$image" 0xcc $KiB64 $KiB64 || return 1
  vm_quit a
  t0=$(now_ms)
  vm_start_leased b2 2 || return 1
  figure lease_open_after_clean_quit_ms "$(($(now_ms) - t0))" "(QEMU start to QMP ready)"
  check "b2 writes 0xbb" vm_write b2 0xbb 0 $KiB64 || return 1
  check "b2's write landed" image_expect "$image" 0xbb 0 $KiB64 || return 1
  check "a's other block is intact" image_expect "$image" 0xcc $KiB64 $KiB64
}

# Where a leased migration's downtime goes, from QEMU's own stamps (one host, one clock): source
# STOP to its hand-off record written, then to the destination's lease taken, then to RESUME.
lease_hop_breakdown() {
  local src=$1$(($2 - 1)) dst=$1$2 stop handoff acquired resume
  stop=$(event_us "$src" STOP) resume=$(event_us "$dst" RESUME)
  handoff=$(trace_ms "$src" cluster_lease_handoff) acquired=$(trace_ms "$dst" cluster_lease_acquired)
  [ -n "$stop" ] && [ -n "$resume" ] && [ -n "$handoff" ] && [ -n "$acquired" ] || return 0
  diag "$src -> $dst: STOP +$((handoff - stop / 1000)) ms source hand-off written" \
    "+$((acquired - handoff)) ms destination took the lease +$((resume / 1000 - acquired)) ms RESUME"
}

# Hand-off at switchover: the destination takes the lease when it activates the disk, without
# waiting for an expiry; the old source can never use the disk again.  The downtime it adds is
# measured against a reference chain on a plain image (RBD's default features, no filter), hop
# for hop in turn, so both see the same load of this shared machine.
case_lease_migration_handoff() {
  local err i lease_ms plain_ms lease plain old=m$((MIGRATIONS - 1)) new=m$MIGRATIONS
  lease_area_create || return 1
  rbd create --size "$IMAGE_SIZE" "rbd/$image-ref" || return 1
  chain_begin vm_start_leased m "$image" || return 1
  chain_begin vm_start_plain r "$image-ref" || return 1
  for ((i = 1; i <= MIGRATIONS; i++)); do
    chain_hop vm_start_plain r "$image-ref" $i || return 1
    chain_hop vm_start_leased m "$image" $i || return 1
  done
  read -ra lease <<<"${CHAIN_DOWNTIMES[m]}"
  read -ra plain <<<"${CHAIN_DOWNTIMES[r]}"
  lease_ms=$(median "${lease[@]}") plain_ms=$(median "${plain[@]}")
  figure migration_guest_downtime_lease_ms "$lease_ms" "(median of ${lease[*]})"
  figure migration_guest_downtime_reference_ms "$plain_ms" "(same hops without the filter: ${plain[*]})"
  figure migration_downtime_added_by_lease_ms \
    "$(awk -v a="$lease_ms" -v b="$plain_ms" 'BEGIN { printf "%.1f", a - b }')"
  for ((i = 1; i <= MIGRATIONS; i++)); do lease_hop_breakdown m $i; done
  check "$old logged the hand-off" wait_trace $old cluster_lease_handoff . 5 || return 1
  check "$new received the lease" wait_trace $new cluster_lease_acquired 'received' 5 || return 1
  check "$new owns generation $((MIGRATIONS + 1))" expect_lease $new owner $((MIGRATIONS + 1)) ||
    return 1
  check "$old handed it off" expect_lease $old handed-off || return 1
  err=$(vm_qmp $old '{"execute": "cont"}') && { diag "the old source resumed: $err"; return 1; }
  diag "cont on the old source: $(jq -r '.error.desc' <<<"$err")"
  check "the old source was refused because it handed the lease over" \
    grep -q 'handed over' <<<"$err" || return 1
  check "$new still owns the disk and writes 0xee" \
    vm_write $new 0xee $(((MIGRATIONS + 1) * KiB64)) $KiB64 || return 1
  check "$new's write landed" image_expect "$image" 0xee $(((MIGRATIONS + 1) * KiB64)) $KiB64
}

# The usual round trip A -> B -> A: the VM comes back to a host-id whose earlier QEMU handed
# the lease over and quit.  That old record is history (an older generation), not a live source.
case_lease_migration_back_to_first_host() {
  lease_area_create || return 1
  vm_start_leased m0 1 || return 1
  check "m0 writes 0xaa" vm_write m0 0xaa 0 $KiB64 || return 1
  vm_start_leased m1 2 -incoming defer || return 1
  vm_migrate m0 m1 || return 1
  vm_wait_running m1 || return 1
  check "m1 writes 0xbb" vm_write m1 0xbb $KiB64 $KiB64 || return 1
  vm_quit m0
  vm_start_leased m2 1 -incoming defer || return 1
  vm_migrate m1 m2 || return 1
  vm_wait_running m2 || { diag "and the source m1 is '$(vm_status m1)'"; return 1; }
  check "m2, back on host-id 1, writes 0xcc" vm_write m2 0xcc $((2 * KiB64)) $KiB64 || return 1
  check "m0's write" image_expect "$image" 0xaa 0 $KiB64 || return 1
  check "m1's write" image_expect "$image" 0xbb $KiB64 $KiB64 || return 1
  check "m2's write" image_expect "$image" 0xcc $((2 * KiB64)) $KiB64
}

# A dead owner (kill -9): a standby sees the heartbeat stand still for the lease timeout and
# takes over; compare with RBD's own watch timeout (case 2).
case_lease_takeover_after_kill() {
  local t0 t1 ms
  lease_area_create || return 1
  vm_start_leased a 1 || return 1
  vm_start_standby b || return 1
  check "a writes 0xaa" vm_write a 0xaa 0 $KiB64 || return 1
  vm_kill a KILL
  t0=$(now_ms)
  check "b takes the lease over" lease_take b 2 || return 1
  t1=$(now_ms)
  check "b writes 0xbb" vm_write b 0xbb $KiB64 $KiB64 || return 1
  ms=$(($(now_ms) - t0))
  figure lease_takeover_after_kill_ms "$ms" "(blockdev-add $((t1 - t0)) ms + first write)"
  check "b logged a takeover" wait_trace b cluster_lease_acquired 'taken-over' 5 || return 1
  check "b owns generation 2" expect_lease b owner 2 || return 1
  check "a's write is intact" image_expect "$image" 0xaa 0 $KiB64 || return 1
  check "b's write landed" image_expect "$image" 0xbb $KiB64 $KiB64
}

# The trap this layout avoids, measured: the same takeover on an image that keeps RBD's
# exclusive-lock.  The lease is granted after its timeout, but the first write still waits for
# RBD to break the dead owner's lock (osd_client_watch_timeout).
case_lease_takeover_with_exclusive_lock() {
  local t0 t1 ms
  lease_area_create || return 1
  vm_start_leased a 1 || return 1
  vm_start_standby b || return 1
  check "a writes 0xaa" vm_write a 0xaa 0 $KiB64 || return 1
  vm_kill a KILL
  t0=$(now_ms)
  check "b takes the lease over" lease_take b 2 || return 1
  t1=$(now_ms)
  check "b writes 0xbb" vm_write b 0xbb $KiB64 $KiB64 180 || return 1
  ms=$(($(now_ms) - t0))
  figure lease_takeover_with_exclusive_lock_ms "$ms" "(lease granted after $((t1 - t0)) ms)"
  check "b's write landed" image_expect "$image" 0xbb $KiB64 $KiB64
}

# The storage pauses (SIGSTOP of the only OSD): the owner cannot renew and fences itself (its
# I/O fails at once) within lease-timeout - fence-margin of its last good renewal, before any
# other host could take over (lease-timeout after it last saw a heartbeat move).  When the OSD
# continues, the live owner renews again; a standby that tries meanwhile is refused.
case_lease_fence_on_paused_cluster() {
  local osd_pid t_stop t_fence t_cont since_renew out
  lease_area_create || return 1
  osd_pid=$(cat "$CEPH_STATE/run/ceph-osd.0.pid") || return 1
  vm_start_leased a 1 || return 1
  vm_start_standby b || return 1
  check "a writes 0xaa" vm_write a 0xaa 0 $KiB64 || return 1
  sleep 1.5  # a few renewals in steady state
  t_stop=$(now_ms)
  kill -STOP "$osd_pid"
  if ! wait_trace a cluster_lease_fenced . 30; then
    kill -CONT "$osd_pid"
    return 1
  fi
  t_fence=$(trace_ms a cluster_lease_fenced)
  since_renew=$(grep -o 'cluster_lease_fenced.*' "$WORK/a.log" | head -n 1 |
                sed -nE 's/.* fenced ([0-9]+) ms after.*/\1/p')
  figure lease_fence_after_osd_stop_ms "$((t_fence - t_stop))"
  figure lease_fence_after_last_renewal_ms "$since_renew" \
    "(others may take over lease-timeout + io-timeout = 9000 ms after it at the earliest)"
  # Fenced means refused here and now, with the storage still stopped: no request can hang.
  out=0
  vm_write a 0xdd 0 $KiB64 20 || out=$?
  grep -E '^write failed' "$WORK/a.log" | tail -n 1 | grep -q 'Input/output error' || out=0
  expect_lease a fenced || out=0
  t_cont=$(now_ms)
  kill -CONT "$osd_pid"
  figure lease_osd_paused_ms "$((t_cont - t_stop))"
  [ "$out" -ne 0 ] || { diag "a was not fenced (write and query-block-leases above)"; return 1; }
  # The owner is alive: its heartbeat moves again, so a takeover must be refused.
  if out=$(lease_take b 2); then
    diag "b took the lease from a live owner"
    return 1
  fi
  diag "b: $(jq -r '.error.desc' <<<"$out")"
  check "b was refused: a's heartbeat advances" grep -q 'is in use by' <<<"$out" || return 1
  check "a renews and leaves the fence" wait_trace a cluster_lease_state 'fenced -> owner' 30 ||
    return 1
  figure lease_resume_after_osd_continue_ms \
    "$(($(trace_ms a cluster_lease_state 'fenced -> owner') - t_cont))"
  check "a owns generation 1 again" expect_lease a owner 1 || return 1
  check "a writes 0xee again" vm_write a 0xee $KiB64 $KiB64 || return 1
  check "the fenced write did not land" image_expect "$image" 0xaa 0 $KiB64 || return 1
  check "a's new write landed" image_expect "$image" 0xee $KiB64 $KiB64
}

# The owner freezes (SIGSTOP of its QEMU: a hung host, a long pause) while a standby takes
# over.  When it wakes up, its own deadline (CLOCK_BOOTTIME, which ran on while it was stopped)
# has passed: its first write fails with EIO and never reaches the disk, and its next renewal
# sees the newer generation and gives the disk up for good.
case_lease_frozen_owner_wakes_fenced() {
  local t_freeze t_taken out=0
  lease_area_create || return 1
  vm_start_leased a 1 || return 1
  vm_start_standby b || return 1
  check "a writes 0xaa" vm_write a 0xaa 0 $KiB64 || return 1
  t_freeze=$(now_ms)
  kill -STOP "${VM_PID[a]}"
  if ! lease_take b 2 >/dev/null; then
    kill -CONT "${VM_PID[a]}"
    diag "b could not take the lease from the frozen a"
    return 1
  fi
  t_taken=$(now_ms)
  figure lease_takeover_from_frozen_owner_ms "$((t_taken - t_freeze))"
  check "b writes 0xbb over a's block" vm_write b 0xbb 0 $KiB64 || { kill -CONT "${VM_PID[a]}"; return 1; }
  kill -CONT "${VM_PID[a]}"
  vm_write a 0xcc 0 $KiB64 30 || out=$?
  [ "$out" -ne 0 ] || { diag "a's write after waking up succeeded"; return 1; }
  check "a's write failed with EIO" \
    bash -c "grep -E '^write failed' '$WORK/a.log' | tail -n 1 | grep -q 'Input/output error'" ||
    return 1
  check "a learns it lost the lease" wait_trace a cluster_lease_lost . 30 || return 1
  check "a says lost, b owns generation 2" expect_lease a lost || return 1
  check "b owns generation 2" expect_lease b owner 2 || return 1
  diag "a: $(grep -o 'cluster_lease_fenced.*' "$WORK/a.log" | tail -n 1)"
  check "b's write stands, a's did not land" image_expect "$image" 0xbb 0 $KiB64 || return 1
  check "b still writes (0xdd)" vm_write b 0xdd $KiB64 $KiB64 || return 1
  check "b's second write landed" image_expect "$image" 0xdd $KiB64 $KiB64
}

lease_cases() {
  local -a cases=(
    "with the lease, a second opener is refused"
    case_lease_second_opener_refused
    "with the lease, live migration hands the lease over at switchover"
    case_lease_migration_handoff
    "with the lease, migrating back to the first host-id (A -> B -> A) works"
    case_lease_migration_back_to_first_host
    "with the lease, kill -9 of the owner, then a standby takes over"
    case_lease_takeover_after_kill
    "with the lease on an image that keeps RBD's exclusive-lock, the takeover waits for RBD"
    case_lease_takeover_with_exclusive_lock
    "with the lease, a paused cluster (SIGSTOP of the OSD) makes the owner fence itself first"
    case_lease_fence_on_paused_cluster
    "with the lease, a frozen owner (SIGSTOP of its QEMU) wakes up fenced after a takeover"
    case_lease_frozen_owner_wakes_fenced
  )
  local i
  for ((i = 0; i < ${#cases[@]}; i += 2)); do
    if ! lease_available; then
      tap_skip "${cases[i]}" "block driver '$LEASE_DRIVER' is not in $QEMU_DIR"
    elif [ "${cases[i + 1]}" = case_lease_takeover_with_exclusive_lock ]; then
      run_case "${cases[i]}" "${cases[i + 1]}"
    else
      run_case "${cases[i]}" "${cases[i + 1]}" "${LEASED_IMAGE[@]}"
    fi
  done
}
