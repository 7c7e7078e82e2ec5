#!/usr/bin/env python3
"""Helpers of lease-safety.sh: data stamps, crafted lease-area blocks, a lease-state poller.

  stamp OUT HOST GEN SEQ LEN [...]    LEN bytes of 512-byte stamp blocks
                                      "host=HOST gen=GEN seq=SEQ block=I" (groups of five)
  compare ACTUAL EXPECTED OFFSET      exit 0 if ACTUAL (read from OFFSET on) holds EXPECTED;
                                      else name what lies where a stamp should be (another
                                      writer's stamp, a byte pattern)
  slot OUT JSON                       one 4 KiB slot block (format version 1)
  area OUT JSON                       a whole lease area: header and slots
  poll LOG LIST PIDFILE PARENT        sample query-block-leases of every QEMU in LIST
                                      ("NAME QMP-SOCKET" lines, re-read all the time) until
                                      killed or until process PARENT is gone
  owners LOG                          exit 1 if two QEMUs were unfenced owners at once
  held LOG NAME FROM-MS TO-MS         exit 0 if every sample of NAME in the window shows an
                                      unfenced owner (and there was at least one)

The lease-area layout follows docs/lease-driver.md; it is written here independently of
the driver and of lease_dump.cpp, so all three have to agree.
"""

import json
import os
import socket
import struct
import sys
import threading
import time

BLOCK = 4096
CRC_OFFSET = BLOCK - 4
HISTORY_OFFSET = 512
HISTORY_LENGTH = 111
STAMP = 512


def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


CRC32C_TABLE = _crc32c_table()


def crc32c(data):
    """CRC-32C (Castagnoli), initial value and final xor 0xffffffff."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc = CRC32C_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def seal(block):
    struct.pack_into("<I", block, CRC_OFFSET, crc32c(bytes(block[:CRC_OFFSET])))
    return bytes(block)


def header_block(slots):
    block = bytearray(BLOCK)
    struct.pack_into("<8sIII", block, 0, b"QLEASEHD", 1, BLOCK, slots)
    return seal(block)


def slot_block(spec):
    """spec: host-id, generation, state, heartbeat, lease-timeout, renew-interval, peer,
    incarnation, host-name, pid, events: [[generation, wall-ns, type, peer], ...]"""
    events = spec.get("events", [])
    block = bytearray(BLOCK)
    struct.pack_into(
        "<8sIIQQQIIIIQII64s", block, 0, b"QLEASESL", 1, spec["host-id"],
        spec.get("incarnation", 0x5AFE0000 + spec["host-id"]), spec["generation"],
        spec.get("heartbeat", 1), spec["state"], spec.get("lease-timeout", 2000),
        spec.get("renew-interval", 200), spec.get("peer", 0), spec.get("wall", time.time_ns()),
        spec.get("pid", 0), len(events), spec.get("host-name", "crafted").encode())
    for n, (generation, wall, kind, peer) in enumerate(events):
        struct.pack_into("<QQQII", block, HISTORY_OFFSET + (n % HISTORY_LENGTH) * 32,
                         generation, wall, n + 1, kind, peer)
    return seal(block)


def stamp_blocks(host, gen, seq, length):
    out = bytearray()
    for i in range(length // STAMP):
        text = f"host={host} gen={gen} seq={seq} block={i}\n".encode()
        out += text.ljust(STAMP, b".")
    return bytes(out)


def describe(block):
    if block.startswith(b"host="):
        return "stamp '" + block.split(b"\n", 1)[0].decode(errors="replace") + "'"
    if not block:
        return "nothing (short read)"
    if block == bytes([block[0]]) * len(block):
        return f"byte pattern 0x{block[0]:02x}"
    return "other data " + block[:16].hex()


def compare(actual_path, expected_path, offset):
    with open(expected_path, "rb") as f:
        expected = f.read()
    with open(actual_path, "rb") as f:
        actual = f.read()
    if actual == expected:
        return 0
    if len(actual) != len(expected):
        print(f"read {len(actual)} bytes, expected {len(expected)}")
    bad = [i for i in range(0, len(expected), STAMP)
           if actual[i:i + STAMP] != expected[i:i + STAMP]]
    for i in bad[:2]:
        print(f"offset {offset + i}: {describe(actual[i:i + STAMP])} instead of "
              f"{describe(expected[i:i + STAMP])}")
    print(f"{len(bad)} of {len(expected) // STAMP} stamp blocks are not the expected ones")
    return 1


# --- poller ---------------------------------------------------------------------------

class Watched:
    """One QMP connection to one QEMU, kept open; requests matched by id."""

    def __init__(self, name, path):
        self.name, self.path, self.sock, self.buf, self.next_id = name, path, None, b"", 1

    def _lines(self, deadline):
        while True:
            if b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                yield json.loads(line)
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            self.sock.settimeout(left)
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("closed")
            self.buf += data

    def request(self, command, timeout):
        ident = self.next_id
        self.next_id += 1
        self.sock.sendall(json.dumps({"execute": command, "id": ident}).encode() + b"\n")
        for msg in self._lines(time.monotonic() + timeout):
            if msg.get("id") == ident:
                return msg

    def sample(self):
        if self.sock is None:
            self.sock = socket.socket(socket.AF_UNIX)
            self.sock.settimeout(0.5)
            self.sock.connect(self.path)
            self.buf = b""
            self.request("qmp_capabilities", 2.0)
        return self.request("query-block-leases", 0.5)

    def drop(self):
        if self.sock:
            self.sock.close()
        self.sock = None


def poll(log_path, list_path, pid_path, parent):
    with open(pid_path + ".tmp", "w") as f:
        f.write(f"{os.getpid()}\n")
    os.rename(pid_path + ".tmp", pid_path)
    log = open(log_path, "a", buffering=1)
    lock = threading.Lock()
    threads = {}

    def watch(name, path):
        w = Watched(name, path)
        while True:
            t_send = time.time() * 1000
            try:
                reply = w.sample()
            except TimeoutError:
                continue          # a stopped QEMU; the late reply is skipped by its id
            except Exception:     # gone, not started yet, or a reply we cannot use
                w.drop()
                time.sleep(0.05)
                continue
            t_recv = time.time() * 1000
            with lock:
                for e in reply.get("return", []):
                    # expires-in is absent where no lease is held (inactive, handed-off)
                    log.write(f"{t_send:.1f} {t_recv:.1f} {name} {e.get('state')} "
                              f"{str(e.get('fenced')).lower()} {e.get('expires-in', 0)} "
                              f"{e.get('generation', 0)}\n")
            time.sleep(0.03)

    while True:
        try:
            os.kill(int(parent), 0)
        except OSError:
            return
        try:
            with open(list_path) as f:
                entries = [line.split() for line in f if line.strip()]
        except OSError:
            entries = []
        for name, path in entries:
            if name not in threads:
                threads[name] = threading.Thread(target=watch, args=(name, path), daemon=True)
                threads[name].start()
        time.sleep(0.1)


def read_samples(log_path):
    samples = []
    with open(log_path) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 7:
                continue
            t_send, t_recv, name, state, fenced, expires, gen = parts
            unfenced_owner = state == "owner" and fenced == "false" and int(expires) > 0
            samples.append((float(t_send), float(t_recv), name, unfenced_owner, state, gen,
                            int(expires)))
    return samples


def owners(log_path):
    """Two unfenced owners at one moment: an owner sample of Y taken while X was an
    unfenced owner in its last sample before it (whose lease had not run out by X's own
    expires-in when Y's sample began) and in every sample of X up to the first after it."""
    samples = read_samples(log_path)
    by_name = {}
    for s in samples:
        by_name.setdefault(s[2], []).append(s)
    for seq in by_name.values():
        seq.sort()
    violations = []
    for y in samples:
        if not y[3]:
            continue
        for x_name, seq in by_name.items():
            if x_name == y[2]:
                continue
            before = [s for s in seq if s[1] < y[0]]
            after = [s for s in seq if s[0] > y[1]]
            if not before or not after or y[0] >= before[-1][1] + before[-1][6]:
                continue
            window = [s for s in seq if before[-1][0] <= s[0] <= after[0][0]]
            if all(s[3] for s in window):
                violations.append((y, before[-1], after[0]))
    counts = ", ".join(f"{n}: {sum(1 for s in seq if s[3])}/{len(seq)}"
                       for n, seq in sorted(by_name.items()))
    print(f"samples (unfenced owner/all) {counts}; {len(violations)} moments with two owners")
    for y, b, a in violations[:3]:
        print(f"  {y[2]} owner (generation {y[5]}) at {y[0]:.0f}-{y[1]:.0f} ms while {b[2]} "
              f"was owner (generation {b[5]}) at {b[1]:.0f} and {a[0]:.0f} ms")
    return 1 if violations or not samples else 0


def held(log_path, name, t_from, t_to):
    window = [s for s in read_samples(log_path)
              if s[2] == name and s[0] >= float(t_from) and s[1] <= float(t_to)]
    lapses = [s for s in window if not s[3]]
    print(f"{name}: {len(window)} samples between {t_from} and {t_to}, "
          f"{len(lapses)} not an unfenced owner" +
          (f" (first: {lapses[0][4]} at {lapses[0][0]:.0f} ms)" if lapses else ""))
    return 0 if window and not lapses else 1


def main(argv):
    cmd, args = argv[1], argv[2:]
    if cmd == "stamp":
        for i in range(0, len(args), 5):
            out, host, gen, seq, length = args[i:i + 5]
            with open(out, "wb") as f:
                f.write(stamp_blocks(host, gen, seq, int(length)))
        return 0
    if cmd == "compare":
        return compare(args[0], args[1], int(args[2]))
    if cmd == "slot":
        with open(args[0], "wb") as f:
            f.write(slot_block(json.loads(args[1])))
        return 0
    if cmd == "area":
        spec = json.loads(args[1])
        blocks = [header_block(spec["slots"])] + [bytes(BLOCK)] * spec["slots"]
        for s in spec.get("blocks", []):
            blocks[s["host-id"]] = slot_block(s)
        with open(args[0], "wb") as f:
            f.write(b"".join(blocks))
        return 0
    if cmd == "poll":
        poll(*args)
        return 0
    if cmd == "owners":
        return owners(args[0])
    if cmd == "held":
        return held(*args)
    print(f"lease_safety_tool: unknown command {cmd}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
