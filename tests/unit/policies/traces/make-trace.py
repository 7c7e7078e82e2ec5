#!/usr/bin/env python3
# Writes a progress trace (CSV) from a fluid model of QEMU pre-copy, open loop (the policy's
# decisions do not feed back into the trace).
#
# Model: a pass sends the pages that were dirty at its start (the dirty bitmap) at the link's
# bandwidth.  Meanwhile the guest dirties pages: a hot set (--hot-mib) that it rewrites within
# a second, and colder pages at --cold-mib per second, in all at most its writable working
# set.  When a pass ends, a dirty-bitmap sync (100 ms) starts the next one with what was
# dirtied.  As in QEMU, remaining is the bitmap's count: it falls during a pass and jumps at
# each sync; the dirty rate is the last full pass's dirtied pages over its duration (0 during
# the first pass).  A sample is taken once a second and at each pass start (the engine samples
# on QEMU's MIGRATION_PASS event too).  --predict adds predicted_downtime_ms: the hot set at
# the current bandwidth, which is what a dirty-heat model predicts.  The committed traces
# were made with the commands in their first line.
import argparse
import sys

MIB = 1024 * 1024
SLICE = 0.01  # seconds

p = argparse.ArgumentParser()
p.add_argument('--ram-mib', type=float, required=True)
p.add_argument('--bandwidth-mib', type=float, required=True)
p.add_argument('--hot-mib', type=float, required=True, help='rewritten within a second')
p.add_argument('--cold-mib', type=float, required=True, help='other pages dirtied per second')
p.add_argument('--wss-mib', type=float, required=True, help='writable working set')
p.add_argument('--seconds', type=int, required=True)
p.add_argument('--predict', action='store_true', help='add predicted_downtime_ms')
p.add_argument('--stop-below-ms', type=float, default=0,
               help='end at the first sync that leaves less than this to send (switchover)')
a = p.parse_args()

ram, bw = a.ram_mib * MIB, a.bandwidth_mib * MIB
hot, cold, wss = a.hot_mib * MIB, a.cold_mib * MIB, a.wss_mib * MIB


def dirtied_after(t):
    return min(wss, hot * min(1.0, t) + cold * t)


pass_left, pass_time, sync_left = ram, 0.0, 0.0
sent, iteration, rate = 0.0, 1, 0.0
cols = ['elapsed_ms', 'iteration', 'remaining_bytes', 'transferred_bytes', 'dirty_rate',
        'bandwidth', 'expected_downtime_ms', 'throttle_percent']
if a.predict:
    cols.append('predicted_downtime_ms')
print('# make-trace.py ' + ' '.join(sys.argv[1:]))
print(','.join(cols))


def emit(ms):
    row = [ms, iteration, int(pass_left), int(sent), int(rate), int(bw),
           int(pass_left / bw * 1000), 0]
    if a.predict:
        row.append(int(min(pass_left, hot) / bw * 1000))
    print(','.join(str(v) for v in row))


slices = round(1 / SLICE)
done = False
for t in range(a.seconds):
    for i in range(1, slices + 1):
        pass_time += SLICE
        if sync_left > 0:
            sync_left -= SLICE
            if sync_left <= 1e-9:
                sync_left = 0.0
                emit(round((t + i * SLICE) * 1000))  # pass start, after the sync
                if pass_left / bw * 1000 <= a.stop_below_ms:
                    done = True  # QEMU switches over right after this sync
                    break
            continue
        step = min(bw * SLICE, pass_left)
        pass_left -= step
        sent += step
        if pass_left <= 0:
            dirty = dirtied_after(pass_time)
            rate = dirty / pass_time
            iteration += 1
            pass_left, pass_time, sync_left = dirty, 0.0, 0.1
    if done:
        break
    emit((t + 1) * 1000)
