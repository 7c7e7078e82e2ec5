#!/usr/bin/env python3
# A fake pair of QEMUs for `migkit migrate`: a source and a destination QMP monitor on two UNIX
# sockets that answer like QEMU 10.0.2 until the MODE makes the source misbehave the way a
# broken or hostile QEMU would.  Every command the source receives is appended to LOG (one
# name a line), so that a test can check what migkit sent, e.g. migrate_cancel.
#
#   hostile_qmp_peer.py SOURCE_SOCKET DESTINATION_SOCKET LOG MODE
#
# MODE (what the source does once `migrate` was issued, unless said otherwise):
#   bad-downtime          every query-migrate has "expected-downtime": 1.5
#   bad-final-failed      the first query-migrate is "failed" with "total-time": -5
#   bad-final-completed   the first query-migrate is "completed" with "total-time": -5
#   flood                 floods events right after qmp_capabilities, before any command
#   flood-during          floods events after its reply to `migrate`
#   lost-migrate          never answers `migrate`; answers everything after it
#   stall                 never answers the first command after qmp_capabilities
import json
import os
import socket
import sys
import threading

source_path, destination_path, log_path, mode = sys.argv[1:5]
cancelled = threading.Event()
completed = threading.Event()
GREETING = {"QMP": {"version": {"qemu": {"micro": 2, "minor": 0, "major": 10},
                                "package": "hostile-peer"}, "capabilities": []}}
EVENT = ('{"event": "MIGRATION_PASS", "data": {"pass": 1}, '
         '"timestamp": {"seconds": 1, "microseconds": 0}}\r\n')


def log(name):
    with open(log_path, "a") as f:
        f.write(name + "\n")


def ram(remaining):
    return {"total": 268435456, "remaining": remaining, "transferred": 268435456 - remaining,
            "duplicate": 0, "normal": 1000, "normal-bytes": 4096000, "dirty-pages-rate": 10,
            "mbps": 800.0, "dirty-sync-count": 1, "page-size": 4096}


COMMON = {
    "qmp_capabilities": {},
    "query-version": GREETING["QMP"]["version"],
    "query-migrate-capabilities": [{"capability": "events", "state": False}],
    "query-migrate-parameters": {"downtime-limit": 300, "max-bandwidth": 134217728},
    "migrate-set-capabilities": {},
    "migrate-set-parameters": {},
    "query-block": [],
    "query-named-block-nodes": [],
    "query-memory-size-summary": {"base-memory": 268435456},
    "query-name": {"name": "hostile"},
}


class Source:
    def __init__(self):
        self.migrating = False
        self.state = "running"
        self.queries = 0

    def migrate_status(self):
        self.queries += 1
        if cancelled.is_set():
            reply = {"status": "cancelled"}
            if mode == "bad-downtime":
                reply["expected-downtime"] = 1.5
            return reply
        if mode == "bad-downtime":
            return {"status": "active", "expected-downtime": 1.5, "total-time": 100,
                    "ram": ram(100000000)}
        if mode == "bad-final-failed":
            return {"status": "failed", "error-desc": "the stream broke", "total-time": -5}
        if mode == "bad-final-completed":
            self.state = "postmigrate"
            completed.set()
            return {"status": "completed", "total-time": -5, "downtime": 20,
                    "ram": ram(0)}
        return {"status": "active", "total-time": 100, "ram": ram(100000000)}

    def answer(self, name, out):
        """The reply's body for command @name, or None for no reply at all."""
        if name == "query-status":
            return {"return": {"status": self.state, "running": self.state == "running"}}
        if name == "query-migrate":
            return {"return": self.migrate_status() if self.migrating else {}}
        if name == "migrate":
            self.migrating = True
            if mode == "lost-migrate":
                return None
            if mode == "flood-during":
                out.write(json.dumps({"return": {}, "id": self.current_id}) + "\r\n")
                out.flush()
                flood(out)
                return None
            return {"return": {}}
        if name == "migrate_cancel":
            cancelled.set()
            return {"return": {}}
        if name == "cont":
            self.state = "running"
            return {"return": {}}
        if name in COMMON:
            return {"return": COMMON[name]}
        return {"error": {"class": "CommandNotFound",
                          "desc": "The command %s has not been found" % name}}


class Destination:
    def __init__(self):
        self.incoming = False

    def answer(self, name, out):
        if name == "query-status":
            if completed.is_set():
                return {"return": {"status": "running", "running": True}}
            return {"return": {"status": "inmigrate", "running": False}}
        if name == "query-migrate":
            if not self.incoming:
                return {"return": {}}
            return {"return": {"status": "setup", "socket-address": [
                {"type": "inet", "host": "127.0.0.1", "port": "4444"}]}}
        if name == "migrate-incoming":
            self.incoming = True
            return {"return": {}}
        if name in COMMON:
            return {"return": COMMON[name]}
        return {"error": {"class": "CommandNotFound",
                          "desc": "The command %s has not been found" % name}}


def flood(out):
    chunk = EVENT * 1000
    try:
        while True:
            out.write(chunk)
            out.flush()
    except OSError:
        pass


def serve(path, peer, is_source):
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    server.listen(1)
    connection, _ = server.accept()
    if not is_source:
        # A destination whose incoming migration failed exits: hang up after the cancel.
        def hang_up_after_cancel():
            cancelled.wait()
            connection.shutdown(socket.SHUT_RDWR)
        threading.Thread(target=hang_up_after_cancel, daemon=True).start()
    out = connection.makefile("w")
    inp = connection.makefile("r")
    try:
        out.write(json.dumps(GREETING) + "\r\n")
        out.flush()
        stalled = False
        for line in inp:
            command = json.loads(line)
            name = command.get("execute", "")
            if is_source:
                log(name)
                peer.current_id = command.get("id")
            if is_source and mode == "stall" and name != "qmp_capabilities":
                stalled = True
            if stalled:
                continue
            body = peer.answer(name, out)
            if body is None:
                continue
            body["id"] = command.get("id")
            out.write(json.dumps(body) + "\r\n")
            out.flush()
            if is_source and mode == "flood" and name == "qmp_capabilities":
                flood(out)
                return
    except (OSError, ValueError):
        pass


threads = [threading.Thread(target=serve, args=(source_path, Source(), True), daemon=True),
           threading.Thread(target=serve, args=(destination_path, Destination(), False),
                            daemon=True)]
for t in threads:
    t.start()
for t in threads:
    t.join()
os._exit(0)
