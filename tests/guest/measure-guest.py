#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Measure the verifiable guest on one QEMU: time from spawning QEMU to the guest's `ready`
line, and the guest's write rate (pages per second of guest time) from its progress lines.

  measure-guest.py --qemu /usr/bin/qemu-system-x86_64 --image build/tests/guest/guest.elf \\
      [--machine q35] [--ram 256M] [--append "ws=64M"] [--seconds 3] [--runs 5]

Prints one line a run and the medians.  COM1 goes to QEMU's stdout (-serial stdio)."""
import argparse
import statistics
import subprocess
import sys
import time


def fields(line):
    return dict(word.split('=', 1) for word in line.split()[1:] if '=' in word)


def run_once(args):
    command = [args.qemu, '-machine', args.machine, '-accel', 'tcg', '-m', args.ram,
               '-nodefaults', '-display', 'none', '-kernel', args.image,
               '-append', args.append, '-serial', 'stdio']
    started = time.monotonic()
    qemu = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    ready_at, ready, first, last = None, None, None, None
    try:
        for line in qemu.stdout:
            if line.startswith('ready ') and ready is None:
                ready_at, ready = time.monotonic(), fields(line)
            elif line.startswith('error '):
                sys.exit('guest: ' + line.strip())
            elif line.startswith('progress ') and ready is not None:
                sample = fields(line)
                first = first or sample
                last = sample
                if int(last['t_us']) - int(first['t_us']) >= args.seconds * 1e6:
                    break
    finally:
        qemu.kill()
        qemu.wait()
    if ready is None or first is None or last is first:
        sys.exit('no ready/progress lines from the guest; QEMU said: ' + qemu.stderr.read())
    pages = int(last['writes']) - int(first['writes'])
    seconds = (int(last['t_us']) - int(first['t_us'])) / 1e6
    return ready_at - started, int(ready['boot_us']) / 1e6, pages / seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--qemu', required=True)
    parser.add_argument('--image', required=True)
    parser.add_argument('--machine', default='q35')
    parser.add_argument('--ram', default='256M')
    parser.add_argument('--append', default='ws=64M')
    parser.add_argument('--seconds', type=float, default=3.0)
    parser.add_argument('--runs', type=int, default=5)
    args = parser.parse_args()
    results = []
    for run in range(args.runs):
        wall, guest, rate = run_once(args)
        results.append((wall, guest, rate))
        print(f'run {run + 1}: ready {wall * 1000:.0f} ms after spawn '
              f'({guest * 1000:.0f} ms in the guest), {rate:,.0f} pages/s')
    print(f'median: ready {statistics.median(r[0] for r in results) * 1000:.0f} ms after spawn, '
          f'{statistics.median(r[1] for r in results) * 1000:.0f} ms in the guest, '
          f'{statistics.median(r[2] for r in results):,.0f} pages/s '
          f'({args.machine}, {args.ram}, "{args.append}", {args.qemu})')


if __name__ == '__main__':
    main()
