#!/usr/bin/env python3
"""Loopback HTTP server for feedmux integration tests (standard library only).

Serves the files under --root for GET and HEAD, with ETag/Last-Modified
conditional GET, and writes one JSON line per request to --log so that a test
can check what the daemon sent.  Special paths:

    /status/NNN               answer with status NNN and a short text body
    /redirect/CODE?to=PATH    answer CODE (301, 302, 307 or 308) to PATH

Usage: server.py --root DIR --port-file FILE --log FILE [--host 127.0.0.1]
                 [--verbose]
The kernel picks the port; it is written (atomically, with a newline) to
--port-file once the socket listens.  SIGTERM or SIGINT stops it, exit 0.
"""

import argparse
import email.utils
import hashlib
import http.server
import ipaddress
import json
import os
import signal
import socket
import sys
import threading
import time
import urllib.parse

CONTENT_TYPES = {
    ".xml": "application/rss+xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".json": "application/feed+json",
}
REDIRECT_CODES = (301, 302, 307, 308)


class Handler(http.server.BaseHTTPRequestHandler):
    # HTTP/1.1 keeps connections alive, so every response with a body must
    # carry Content-Length.
    protocol_version = "HTTP/1.1"
    server_version = "feedmux-test/1"

    def do_GET(self):
        self.handle_request(body=True)

    def do_HEAD(self):
        self.handle_request(body=False)

    def handle_request(self, body):
        url = urllib.parse.urlsplit(self.path)
        parts = url.path.split("/")
        if len(parts) == 3 and parts[1] == "status" and parts[2].isdigit():
            code = int(parts[2])
            if not 200 <= code <= 599:
                return self.reply(400, b"bad status code\n", body)
            phrase = self.responses.get(code, ("Unknown",))[0]
            return self.reply(code, ("%d %s\n" % (code, phrase)).encode(),
                              body)
        if len(parts) == 3 and parts[1] == "redirect" and parts[2].isdigit():
            code = int(parts[2])
            to = urllib.parse.parse_qs(url.query).get("to")
            if code not in REDIRECT_CODES or not to:
                return self.reply(400, b"bad redirect\n", body)
            return self.reply(code, b"redirecting\n", body,
                              {"Location": to[0]})
        self.serve_file(urllib.parse.unquote(url.path), body)

    def serve_file(self, path, body):
        # With every ".." segment refused (also when sent as %2e%2e), the
        # joined path stays under the root.  Symlinks a test puts in the
        # root are followed on purpose, so fixtures can be linked in.
        if ".." in path.split("/") or "\0" in path:
            return self.reply(403, b"forbidden\n", body)
        full = os.path.join(self.server.root, path.lstrip("/"))
        try:
            with open(full, "rb") as f:
                data = f.read()
                mtime = os.fstat(f.fileno()).st_mtime
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return self.reply(404, b"not found\n", body)
        except PermissionError:
            return self.reply(403, b"forbidden\n", body)

        etag = '"%s"' % hashlib.sha1(data).hexdigest()
        lastmod = email.utils.formatdate(mtime, usegmt=True)
        headers = {"ETag": etag, "Last-Modified": lastmod}
        # If-None-Match wins when present (RFC 9110 13.2.2); the dates are
        # compared as strings, as a client echoes what it was sent.
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if (inm is not None and inm.strip() == etag) or \
                (inm is None and ims is not None and ims.strip() == lastmod):
            return self.reply(304, None, body, headers)
        ext = os.path.splitext(full)[1].lower()
        headers["Content-Type"] = CONTENT_TYPES.get(ext, "text/plain")
        self.reply(200, data, body, headers)

    def reply(self, code, data, body, headers=None):
        """Send a response; data None means no body at all (304)."""
        self.send_response(code)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if data is not None:
            if not headers or "Content-Type" not in headers:
                self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body and data is not None:
            self.wfile.write(data)

    def log_request(self, code="-", size="-"):
        # Called by send_response() and send_error(), so this records every
        # answer, including 400s for requests that failed to parse.
        hdrs = {}
        for name, value in (getattr(self, "headers", None) or {}).items():
            name = name.lower()
            hdrs[name] = hdrs[name] + ", " + value if name in hdrs else value
        entry = {
            "time": time.time(),
            "method": getattr(self, "command", None),
            "path": getattr(self, "path", None),
            "status": int(code),
            "headers": hdrs,
        }
        self.server.write_log(entry)
        if self.server.verbose:
            super().log_request(code, size)

    def log_message(self, fmt, *args):
        if self.server.verbose:
            super().log_message(fmt, *args)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, addr, root, logfile, verbose):
        if ":" in addr[0]:
            self.address_family = socket.AF_INET6
        super().__init__(addr, Handler)
        self.root = os.path.abspath(root)
        self.logf = open(logfile, "a", encoding="utf-8")
        self.loglock = threading.Lock()
        self.verbose = verbose

    def write_log(self, entry):
        with self.loglock:
            self.logf.write(json.dumps(entry) + "\n")
            self.logf.flush()


def main():
    ap = argparse.ArgumentParser(description="feedmux test HTTP server")
    ap.add_argument("--root", required=True, help="directory to serve")
    ap.add_argument("--port-file", required=True, help="where to write port")
    ap.add_argument("--log", required=True, help="JSON-lines request log")
    ap.add_argument("--host", default="127.0.0.1", help="loopback address")
    ap.add_argument("--verbose", action="store_true", help="log to stderr")
    args = ap.parse_args()

    try:
        if not ipaddress.ip_address(args.host).is_loopback:
            raise ValueError
    except ValueError:
        ap.error("--host must be a loopback address (127.0.0.0/8 or ::1)")
    if not os.path.isdir(args.root):
        ap.error("--root %s: not a directory" % args.root)

    server = Server((args.host, 0), args.root, args.log, args.verbose)
    port = server.server_address[1]

    # shutdown() waits for serve_forever() to return, so it must not run in
    # the (main) thread that is serving: hand it to a helper thread.
    def stop(signum, frame):
        threading.Thread(target=server.shutdown).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    # Write temp + rename, so a test polling the file never reads half a line;
    # the handlers are set first, so a SIGTERM from then on exits 0.
    tmp = "%s.%d.tmp" % (args.port_file, os.getpid())
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, args.port_file)

    server.serve_forever()
    server.server_close()
    server.logf.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
