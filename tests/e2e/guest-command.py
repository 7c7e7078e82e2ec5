#!/usr/bin/env python3
"""Send one command to the verifiable guest's console (a UNIX socket) and print its answer.

    guest-command.py SOCKET COMMAND [TIMEOUT_SECONDS]

Prints the first line that starts with COMMAND's answer word (verify -> "verify ...") and exits
0, or exits 1 after the timeout.  Progress lines the guest prints meanwhile are skipped.
"""
import socket
import sys
import time


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path, command = sys.argv[1], sys.argv[2]
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 30.0
    deadline = time.monotonic() + timeout
    answers = {"status": ("status", "ready"), "verify": ("verify",)}.get(command, (command,))
    while time.monotonic() < deadline:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.connect(path)
                s.settimeout(1.0)
                s.sendall(command.encode() + b"\n")
                buffer = b""
                sent_at = time.monotonic()
                while time.monotonic() < deadline:
                    # A command sent while the guest was still booting is lost when it sets up
                    # its UART (progress lines keep coming meanwhile): ask again now and then.
                    if time.monotonic() - sent_at > 3:
                        s.sendall(command.encode() + b"\n")
                        sent_at = time.monotonic()
                    try:
                        chunk = s.recv(65536)
                    except socket.timeout:
                        continue
                    if not chunk:
                        break
                    buffer += chunk
                    while b"\n" in buffer:
                        line, buffer = buffer.split(b"\n", 1)
                        text = line.decode(errors="replace").strip()
                        if text.split(" ", 1)[0] in answers:
                            print(text)
                            return 0
        except OSError:
            time.sleep(0.3)
    print(f"guest-command: no answer to '{command}' on {path} within {timeout:.0f} s",
          file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
