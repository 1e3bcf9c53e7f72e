#!/usr/bin/env python3
"""Stand in for systemd's notification socket in tests.

Binds a Unix datagram socket at PATH and appends every message received
to LOG, one per line, until SIGTERM.
"""
import os
import signal
import socket
import sys

path, log = sys.argv[1], sys.argv[2]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
with open(log, "a", buffering=1) as out:
    out.write("listening\n")
    while True:
        msg = sock.recv(4096).decode("utf-8", "replace")
        out.write(msg.replace("\n", " ") + "\n")
