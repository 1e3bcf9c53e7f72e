#!/usr/bin/env python3
"""Stand in for journald's native socket in tests.

Binds a Unix datagram socket at PATH and appends every entry received to
LOG as one JSON object per line (field name -> value), until SIGTERM.
Decodes the native protocol (systemd's JOURNAL_NATIVE_PROTOCOL): a
datagram holds "NAME=value\\n" lines, or "NAME\\n" followed by a
little-endian 64-bit length, the value and "\\n" for values that hold a
newline.  Entries too big for a datagram come as a memfd (SCM_RIGHTS).
"""
import array
import json
import os
import signal
import socket
import struct
import sys


def decode(data):
    fields, i = {}, 0
    while i < len(data):
        nl = data.index(b"\n", i)
        line = data[i:nl]
        if b"=" in line:
            name, value = line.split(b"=", 1)
            i = nl + 1
        else:
            name = line
            (size,) = struct.unpack_from("<Q", data, nl + 1)
            start = nl + 9
            value = data[start:start + size]
            i = start + size + 1
        fields[name.decode()] = value.decode("utf-8", "replace")
    return fields


def main():
    path, log = sys.argv[1], sys.argv[2]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with open(log, "a", buffering=1) as out:
        out.write(json.dumps({"listening": True}) + "\n")
        while True:
            fds = array.array("i")
            data, anc, _, _ = sock.recvmsg(1 << 20, socket.CMSG_LEN(4))
            for level, kind, payload in anc:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    fds.frombytes(payload[:4])
            for fd in fds:
                data = os.pread(fd, os.fstat(fd).st_size, 0)
                os.close(fd)
            out.write(json.dumps(decode(data)) + "\n")


if __name__ == "__main__":
    main()
