#!/usr/bin/env python3
"""Loopback HTTP server for feedmux integration tests (standard library only).

Serves the files under --root for GET and HEAD, with ETag/Last-Modified
conditional GET, and writes one JSON line per request to --log so that a test
can check what the daemon sent.  Special paths (every one is bounded in time
and size, so a test can never hang on it):

    /status/NNN               answer with status NNN and a short text body;
        ?retry_after=VALUE    ... plus "Retry-After: VALUE" (URL-decoded,
                              sent verbatim: "120", an HTTP-date, "", junk)
    /redirect/CODE?to=PATH    answer CODE (301, 302, 307 or 308) to PATH
    /gone                     410 with a short text body
    /loop/a, /loop/b          301 to each other, forever
    /chain/N                  (N <= 50) 302 to /chain/N-1; /chain/0 answers
                              200 with an RSS 2.0 feed of 2 items (guids
                              "chain-1" and "chain-2")
    /redirect-file            302 to file:///etc/passwd
    /slow-headers?delay=S     sleep S seconds (float >= 0, default 5, capped
                              at 60) before sending anything, then a feed
    /slowloris?rate=R&bytes=N status line and headers (Content-Length: N,
                              default 4096, capped at 64 MiB) at once, then
                              an RSS prefix padded with spaces at R bytes per
                              second (float, default 1); stops after 120 s
    /gzip-bomb?mb=M           200, Content-Encoding: gzip; the body inflates
                              to an RSS prefix and M MiB of spaces (default
                              64, capped at 1024; 1 GiB is ~1 MB on the wire)
    /endless                  200 with no Content-Length and Connection:
                              close, an RSS prefix then <item>s, as fast as
                              the client reads; stops after 60 s or 512 MiB
    /wrong-type/PATH          the file PATH under --root, as a plain request
                              would get it, but as "text/html; charset=utf-8"
    /cache/PATH?max_age=N&expires=SECS
                              the file PATH, plus "Cache-Control: max-age=N"
                              and "Expires: <now + SECS>" (SECS may be < 0),
                              each only when asked for
    /auth/USER/SHA/REST       HTTP basic authentication: a request whose
                              Authorization is "Basic" with USER and a
                              password whose SHA-256 is SHA (hex, so that
                              the URL does not hold the password) gets
                              what /REST (query kept) would, any route;
                              any other gets 401 with WWW-Authenticate:
                              Basic realm="feedmux-test"
    /gen/NAME?n=N&step=K      an ever-growing RSS 2.0 feed, for heavy ingest:
                              each GET first adds K items (default 10, capped
                              at 1000; 0 adds none; a HEAD adds none) to the
                              stream of NAME (letters, digits, "._-", at most
                              64 characters; else 404), kept in memory from
                              the server's start, then answers 200 with the N
                              newest (default 50, 1 to 500), newest first
                              (none while the stream is still empty).
                              Item SEQ (from 1) has guid "gen-NAME-SEQ"
                              (isPermaLink="false"), link
                              http://127.0.0.1/gen/NAME/SEQ, pubDate the
                              server's start less a day plus SEQ seconds
                              (recent, increasing, not in the future for
                              hours), and a title, description and category
                              made from NAME and SEQ.  No ETag or
                              Last-Modified: every poll is a full 200 with
                              new items.

A malformed query parameter gets a 400 (out-of-range ones are capped).  A
client that resets the connection or goes away mid-request (a test killing
the daemon) only closes it: no traceback.

Runtime overrides, for stateful scenarios (a feed that answers 200 now and
301 later).  These two requests are never written to the log:

    /_set?path=/x&status=NNN[&location=URL][&retry_after=V][&times=K]
            from now on, the next K requests (default: all, until cleared)
            for exactly the path /x (its query string is ignored) answer
            NNN with a short text body (none for 204 and 304), plus the
            Location and Retry-After headers when given.  An override is
            looked at before every route but /_set and /_clear.
    /_clear?path=/x   remove the override for /x;  /_clear   remove them all

Each log line is a JSON object with "time", "method", "path", "status",
"bytes" (body bytes sent: 0 for HEAD, 304 and the like) and "headers" (the
request's, names lower-cased).  It is written before the response leaves, so
a client that has an answer will find its line in the log; except for the
streamed answers (/slowloris, /gzip-bomb, /endless), logged once the body is
over, with "bytes" counting what was written before it stopped (client gone,
time or size limit reached).

Usage: server.py --root DIR --port-file FILE --log FILE [--host 127.0.0.1]
                 [--verbose]
The kernel picks the port; it is written (atomically, with a newline) to
--port-file once the socket listens.  SIGTERM or SIGINT stops it, exit 0.
"""

import argparse
import base64
import collections
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
import zlib

CONTENT_TYPES = {
    ".xml": "application/rss+xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".json": "application/feed+json",
}
REDIRECT_CODES = (301, 302, 307, 308)
RSS_TYPE = "application/rss+xml"

# Limits of the special endpoints.
CHAIN_MAX = 50                      # /chain/N
SLOW_HEADERS_DEFAULT = 5.0          # /slow-headers delay, seconds
SLOW_HEADERS_MAX = 60.0
SLOWLORIS_DEFAULT_BYTES = 4096
SLOWLORIS_MAX_BYTES = 64 << 20
SLOWLORIS_MAX_TIME = 120.0
GZIP_BOMB_DEFAULT_MB = 64
GZIP_BOMB_MAX_MB = 1024
GZIP_BOMB_MAX_TIME = 60.0           # to send the (~1 MB) compressed body
GZIP_BOMB_CACHE = 8                 # compressed bodies kept in memory
ENDLESS_MAX_BYTES = 512 << 20
ENDLESS_MAX_TIME = 60.0
ENDLESS_CHUNK = 64 << 10
GEN_DEFAULT_ITEMS = 50              # /gen/NAME?n=
GEN_MAX_ITEMS = 500
GEN_DEFAULT_STEP = 10               # /gen/NAME?step=
GEN_MAX_STEP = 1000
GEN_MAX_NAME = 64
GEN_BACKDATE = 86400                # item 0 is this old at the start
GEN_CATEGORIES = ("alpha", "beta", "gamma", "delta")

# What a client that disconnects, or stops reading, makes a write raise.
# (socket.timeout is TimeoutError from Python 3.10 on, but not before.)
CLIENT_GONE = (ConnectionError, socket.timeout)


def rss_feed(title, guids):
    """A small, valid RSS 2.0 document with one item per guid."""
    items = "".join(
        "<item><title>%s</title><link>http://127.0.0.1/%s</link>"
        "<guid isPermaLink=\"false\">%s</guid></item>\n" % (g, g, g)
        for g in guids)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rss version="2.0"><channel>\n'
            "<title>%s</title><link>http://127.0.0.1/</link>"
            "<description>%s</description>\n%s"
            "</channel></rss>\n" % (title, title, items)).encode()


def gen_feed(name, newest, count, epoch):
    """The RSS 2.0 document of /gen/NAME: items newest down to
    newest - count + 1 (all >= 1) of NAME's stream, item SEQ dated
    epoch + SEQ seconds."""
    items = []
    for seq in range(newest, max(0, newest - count), -1):
        guid = "gen-%s-%d" % (name, seq)
        items.append(
            "<item><title>%s item %d</title>"
            "<link>http://127.0.0.1/gen/%s/%d</link>"
            "<guid isPermaLink=\"false\">%s</guid>"
            "<pubDate>%s</pubDate>"
            "<category>%s</category>"
            "<description>Item %d of the generated feed %s.</description>"
            "</item>\n" % (
                name, seq, name, seq, guid,
                email.utils.formatdate(epoch + seq, usegmt=True),
                GEN_CATEGORIES[seq % len(GEN_CATEGORIES)], seq, name))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rss version="2.0"><channel>\n'
            "<title>gen %s</title><link>http://127.0.0.1/gen/%s</link>"
            "<description>generated feed %s</description>\n%s"
            "</channel></rss>\n" % (name, name, name, "".join(items))
            ).encode()


def gen_name_ok(name):
    """Whether name is a valid /gen/NAME stream name (safe in XML)."""
    return 0 < len(name) <= GEN_MAX_NAME and all(
        c.isascii() and (c.isalnum() or c in "._-") for c in name)


def rss_prefix(title):
    """The start of an RSS 2.0 document, for the endpoints that never end
    it (the bodies of /slowloris, /endless)."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rss version="2.0"><channel>\n'
            "<title>%s</title><link>http://127.0.0.1/</link>"
            "<description>%s</description>\n" % (title, title)).encode()


def header_safe(value):
    """Whether value can go verbatim in a header: latin-1, no controls
    (which would let a test split the response by mistake)."""
    return all(" " <= c <= "\xff" and c != "\x7f" for c in value)


class BadParam(ValueError):
    """A query parameter that is malformed; answered with a 400."""


def query_params(url):
    """The query of url as {name: first value}, blank values kept."""
    q = urllib.parse.parse_qs(url.query, keep_blank_values=True)
    return {name: values[0] for name, values in q.items()}


def int_param(params, name, default, lo=None, hi=None):
    """Integer parameter name, or default when absent; BadParam when it is
    not an integer or is below lo; values above hi are capped to hi."""
    if name not in params:
        return default
    try:
        value = int(params[name])
    except ValueError:
        raise BadParam(name) from None
    if lo is not None and value < lo:
        raise BadParam(name)
    return value if hi is None else min(value, hi)


def float_param(params, name, default, lo, hi):
    """Float parameter name, or default when absent; BadParam when it is
    malformed (NaN included) or below lo; values above hi are capped."""
    if name not in params:
        return default
    try:
        value = float(params[name])
    except ValueError:
        raise BadParam(name) from None
    if not value >= lo:  # also true for NaN
        raise BadParam(name)
    return min(value, hi)


class Handler(http.server.BaseHTTPRequestHandler):
    # HTTP/1.1 keeps connections alive, so every response with a body must
    # carry Content-Length (but /endless, which closes the connection).
    protocol_version = "HTTP/1.1"
    server_version = "feedmux-test/1"

    # --- Request life cycle and logging -------------------------------
    #
    # send_response() calls log_request(), which only prepares the log
    # entry; end_headers() writes it, just before the head of the response
    # leaves, with "bytes" taken from the Content-Length header.  A streamed
    # answer sets log_deferred first: its entry is written after the body,
    # when handle_one_request() ends, with the count of body_sent instead.

    def handle_one_request(self):
        # Per-request state; a keep-alive connection serves many requests.
        self.log_entry = None      # prepared by log_request()
        self.log_deferred = False  # write the entry after the body
        self.log_skip = False      # never write it (/_set and /_clear)
        self.content_length = None  # from send_header()
        self.body_sent = 0         # counted by the streamed answers
        try:
            super().handle_one_request()
        except ConnectionError:
            # The client went away mid-request (a test killed the daemon):
            # nobody to answer, and no traceback on stderr.
            self.close_connection = True
        finally:
            # Streamed answers, and any answer cut short by an exception.
            self.commit_log(self.body_sent)

    def log_request(self, code="-", size="-"):
        # Called by send_response() and send_error(), so this records every
        # answer, including 400s for requests that failed to parse.
        hdrs = {}
        for name, value in (getattr(self, "headers", None) or {}).items():
            name = name.lower()
            hdrs[name] = hdrs[name] + ", " + value if name in hdrs else value
        self.log_entry = {
            "time": time.time(),
            "method": getattr(self, "command", None),
            "path": getattr(self, "path", None),
            "status": int(code),
            "bytes": 0,
            "headers": hdrs,
        }
        self.content_length = None
        if self.server.verbose:
            super().log_request(code, size)

    def send_header(self, keyword, value):
        if keyword.lower() == "content-length":
            self.content_length = int(value)
        super().send_header(keyword, value)

    def end_headers(self):
        if not self.log_deferred:
            # No body goes with a HEAD answer, nor where no length is given
            # (304, and send_error()'s 204 and 1xx).
            sent = self.content_length or 0
            self.commit_log(0 if self.command == "HEAD" else sent)
        super().end_headers()

    def commit_log(self, nbytes):
        """Write the prepared log entry, if any is still pending."""
        entry, self.log_entry = self.log_entry, None
        if entry is not None and not self.log_skip:
            entry["bytes"] = nbytes
            self.server.write_log(entry)

    def log_message(self, fmt, *args):
        if self.server.verbose:
            super().log_message(fmt, *args)

    # --- Routing -------------------------------------------------------

    def do_GET(self):
        self.handle_request(body=True)

    def do_HEAD(self):
        self.handle_request(body=False)

    def handle_request(self, body):
        url = urllib.parse.urlsplit(self.path)
        try:
            return self.route(url, body)
        except BadParam as e:
            return self.reply(400, ("bad parameter %s\n" % e).encode(), body)

    def route(self, url, body):
        path = url.path
        if path in ("/_set", "/_clear"):
            return self.control(path, query_params(url), body)
        override = self.server.take_override(urllib.parse.unquote(path))
        if override is not None:
            return self.reply_override(override, body)

        parts = path.split("/")
        if len(parts) >= 5 and parts[1] == "auth":
            return self.basic_auth(parts, url, body)
        if len(parts) == 3 and parts[1] == "status" and parts[2].isdigit():
            code = int(parts[2])
            if not 200 <= code <= 599:
                return self.reply(400, b"bad status code\n", body)
            headers = None
            retry_after = query_params(url).get("retry_after")
            if retry_after is not None:
                if not header_safe(retry_after):
                    raise BadParam("retry_after")
                headers = {"Retry-After": retry_after}
            phrase = self.responses.get(code, ("Unknown",))[0]
            return self.reply(code, ("%d %s\n" % (code, phrase)).encode(),
                              body, headers)
        if len(parts) == 3 and parts[1] == "redirect" and parts[2].isdigit():
            code = int(parts[2])
            to = urllib.parse.parse_qs(url.query).get("to")
            if code not in REDIRECT_CODES or not to:
                return self.reply(400, b"bad redirect\n", body)
            return self.reply(code, b"redirecting\n", body,
                              {"Location": to[0]})
        if path == "/gone":
            return self.reply(410, b"410 Gone\n", body)
        if path in ("/loop/a", "/loop/b"):
            to = "/loop/b" if path == "/loop/a" else "/loop/a"
            return self.reply(301, b"redirecting\n", body, {"Location": to})
        if len(parts) == 3 and parts[1] == "chain" and parts[2].isdigit():
            return self.chain(int(parts[2]), body)
        if path == "/redirect-file":
            return self.reply(302, b"redirecting\n", body,
                              {"Location": "file:///etc/passwd"})
        if path == "/slow-headers":
            return self.slow_headers(query_params(url), body)
        if path == "/slowloris":
            return self.slowloris(query_params(url), body)
        if path == "/gzip-bomb":
            return self.gzip_bomb(query_params(url), body)
        if path == "/endless":
            return self.endless(body)
        if path.startswith("/wrong-type/"):
            return self.serve_file(
                urllib.parse.unquote(path[len("/wrong-type"):]), body,
                content_type="text/html; charset=utf-8")
        if path.startswith("/cache/"):
            return self.cache(urllib.parse.unquote(path[len("/cache"):]),
                              query_params(url), body)
        if len(parts) == 3 and parts[1] == "gen":
            return self.gen(urllib.parse.unquote(parts[2]),
                            query_params(url), body)
        self.serve_file(urllib.parse.unquote(path), body)

    # --- Runtime overrides ---------------------------------------------

    def control(self, path, params, body):
        """/_set and /_clear, which are kept out of the log."""
        self.log_skip = True
        if path == "/_clear":
            self.server.clear_override(params.get("path"))
            return self.reply(200, b"ok\n", body)
        target = params.get("path", "")
        if not target.startswith("/"):
            raise BadParam("path")
        override = {
            "status": int_param(params, "status", None, 200),
            "times": int_param(params, "times", None, 1),
        }
        if override["status"] is None or override["status"] > 599:
            raise BadParam("status")
        for name, header in (("location", "Location"),
                             ("retry_after", "Retry-After")):
            if name in params:
                if not header_safe(params[name]):
                    raise BadParam(name)
                override[header] = params[name]
        self.server.set_override(target, override)
        return self.reply(200, b"ok\n", body)

    def reply_override(self, override, body):
        code = override["status"]
        headers = {name: override[name] for name in ("Location", "Retry-After")
                   if name in override}
        phrase = self.responses.get(code, ("Unknown",))[0]
        data = None if code in (204, 304) else \
            ("%d %s\n" % (code, phrase)).encode()
        return self.reply(code, data, body, headers)

    # --- Endpoints -----------------------------------------------------

    def basic_auth(self, parts, url, body):
        """/auth/USER/SHA/REST: REST's answer for the right credentials
        (RFC 7617), else a 401 challenge."""
        user, digest = urllib.parse.unquote(parts[2]), parts[3].lower()
        given = self.headers.get("Authorization", "")
        try:
            scheme, _, token = given.partition(" ")
            u, _, p = base64.b64decode(token, validate=True).decode(
                "utf-8").partition(":")
            good = scheme == "Basic" and u == user and \
                hashlib.sha256(p.encode()).hexdigest() == digest
        except ValueError:
            good = False
        if not good:
            return self.reply(401, b"401 Unauthorized\n", body, {
                "WWW-Authenticate": 'Basic realm="feedmux-test"'})
        rest = "/" + "/".join(parts[4:])
        return self.route(url._replace(path=rest), body)

    def chain(self, n, body):
        if n > CHAIN_MAX:
            return self.reply(400, b"chain too long\n", body)
        if n > 0:
            return self.reply(302, b"redirecting\n", body,
                              {"Location": "/chain/%d" % (n - 1)})
        return self.reply(200, rss_feed("chain", ("chain-1", "chain-2")),
                          body, {"Content-Type": RSS_TYPE})

    def slow_headers(self, params, body):
        delay = float_param(params, "delay", SLOW_HEADERS_DEFAULT,
                            0.0, SLOW_HEADERS_MAX)
        time.sleep(delay)
        return self.reply(200, rss_feed("slow", ("slow-1",)), body,
                          {"Content-Type": RSS_TYPE})

    def slowloris(self, params, body):
        size = int_param(params, "bytes", SLOWLORIS_DEFAULT_BYTES, 0,
                         SLOWLORIS_MAX_BYTES)
        rate = float_param(params, "rate", 1.0, 0.0, float(1 << 30))
        if rate <= 0:
            raise BadParam("rate")
        data = rss_prefix("slowloris")[:size]
        data += b" " * (size - len(data))
        self.log_deferred = True
        self.send_response(200)
        self.send_header("Content-Type", RSS_TYPE)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        if body:
            deadline = time.monotonic() + SLOWLORIS_MAX_TIME
            self.stream(self.paced(data, rate, deadline), deadline, size)

    def gzip_bomb(self, params, body):
        mb = int_param(params, "mb", GZIP_BOMB_DEFAULT_MB, 0,
                       GZIP_BOMB_MAX_MB)
        data = self.server.gzip_bomb(mb)
        self.log_deferred = True
        self.send_response(200)
        self.send_header("Content-Type", RSS_TYPE)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.stream((data,), time.monotonic() + GZIP_BOMB_MAX_TIME,
                        len(data))

    def endless(self, body):
        self.log_deferred = True
        self.send_response(200)
        self.send_header("Content-Type", RSS_TYPE)
        self.send_header("Connection", "close")  # the body ends with it
        self.end_headers()
        if body:
            self.stream(self.endless_chunks(),
                        time.monotonic() + ENDLESS_MAX_TIME)

    def cache(self, path, params, body):
        headers = {}
        max_age = int_param(params, "max_age", None, 0)
        if max_age is not None:
            headers["Cache-Control"] = "max-age=%d" % max_age
        expires = int_param(params, "expires", None)
        if expires is not None:
            headers["Expires"] = email.utils.formatdate(
                time.time() + expires, usegmt=True)
        return self.serve_file(path, body, extra=headers)

    def gen(self, name, params, body):
        if not gen_name_ok(name):
            return self.reply(404, b"not found\n", body)
        count = int_param(params, "n", GEN_DEFAULT_ITEMS, 1, GEN_MAX_ITEMS)
        step = int_param(params, "step", GEN_DEFAULT_STEP, 0, GEN_MAX_STEP)
        newest = self.server.gen_advance(name, step if body else 0)
        return self.reply(200, gen_feed(name, newest, count,
                                        self.server.gen_epoch), body,
                          {"Content-Type": RSS_TYPE})

    # --- Files ---------------------------------------------------------

    def serve_file(self, path, body, content_type=None, extra=None):
        """Serve path under the root, with conditional GET; content_type
        replaces the one guessed from the extension, extra headers go with
        the 200 and the 304 alike."""
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
        headers.update(extra or {})
        # If-None-Match wins when present (RFC 9110 13.2.2); the dates are
        # compared as strings, as a client echoes what it was sent.
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if (inm is not None and inm.strip() == etag) or \
                (inm is None and ims is not None and ims.strip() == lastmod):
            return self.reply(304, None, body, headers)
        if content_type is None:
            ext = os.path.splitext(full)[1].lower()
            content_type = CONTENT_TYPES.get(ext, "text/plain")
        headers["Content-Type"] = content_type
        self.reply(200, data, body, headers)

    # --- Sending -------------------------------------------------------

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

    def stream(self, chunks, deadline, length=None):
        """Write the byte strings of the iterable chunks as the body, until
        they run out, the client goes away or stops reading, or the
        monotonic clock reaches deadline; body_sent counts what went out.
        A body cut short (or of no declared length) closes the connection,
        since no other response can follow it."""
        try:
            for chunk in chunks:
                view = memoryview(chunk)
                while view:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise socket.timeout("deadline reached")
                    # send() rather than sendall(), to count exactly what
                    # went out; the timeout bounds a stalled client.
                    self.connection.settimeout(left)
                    n = self.connection.send(view)
                    self.body_sent += n
                    view = view[n:]
        except CLIENT_GONE:
            pass
        if length is None or self.body_sent < length:
            self.close_connection = True
        else:
            self.connection.settimeout(self.timeout)

    def paced(self, data, rate, deadline):
        """Yield data in pieces so that it goes out at rate bytes a second
        (the first byte at once); stop, short, where a piece would be due
        after deadline."""
        start = time.monotonic()
        done = 0
        while done < len(data):
            due = start + done / rate
            now = time.monotonic()
            if due > now:
                if due >= deadline:
                    # Hold the connection open to the end, then give up.
                    time.sleep(max(0.0, deadline - now))
                    return
                time.sleep(due - now)
                now = time.monotonic()
            # Everything due by now, at least a byte, at most 64 KiB.
            upto = min(len(data), int((now - start) * rate) + 1,
                       done + 65536)
            upto = max(upto, done + 1)
            yield data[done:upto]
            done = upto

    def endless_chunks(self):
        """An RSS prefix, then <item>s numbered from 1 in ~64 KiB pieces,
        ENDLESS_MAX_BYTES in all."""
        head = rss_prefix("endless")
        yield head
        total = len(head)
        n = 0
        while total < ENDLESS_MAX_BYTES:
            items = []
            size = 0
            while size < ENDLESS_CHUNK:
                n += 1
                item = "<item><title>%d</title><guid>%d</guid></item>\n" % (
                    n, n)
                items.append(item)
                size += len(item)
            chunk = "".join(items).encode()[:ENDLESS_MAX_BYTES - total]
            total += len(chunk)
            yield chunk


class Server(http.server.ThreadingHTTPServer):
    # Daemon threads: a request still sleeping or streaming when the server
    # stops does not keep the process alive.
    daemon_threads = True

    def __init__(self, addr, root, logfile, verbose):
        if ":" in addr[0]:
            self.address_family = socket.AF_INET6
        super().__init__(addr, Handler)
        self.root = os.path.abspath(root)
        self.logf = open(logfile, "a", encoding="utf-8")
        self.loglock = threading.Lock()
        self.verbose = verbose
        self.overrides = {}             # path -> override, see /_set
        self.overrides_lock = threading.Lock()
        self.bombs = collections.OrderedDict()  # MiB -> gzip body
        self.bombs_lock = threading.Lock()
        self.gen_seq = {}               # NAME -> newest item, see /gen
        self.gen_epoch = int(time.time()) - GEN_BACKDATE
        self.gen_lock = threading.Lock()

    def write_log(self, entry):
        with self.loglock:
            # A streamed answer may end after main() closed the log.
            if not self.logf.closed:
                self.logf.write(json.dumps(entry) + "\n")
                self.logf.flush()

    def close_log(self):
        with self.loglock:
            self.logf.close()

    def set_override(self, path, override):
        with self.overrides_lock:
            self.overrides[path] = override

    def clear_override(self, path=None):
        """Remove the override for path, or all of them."""
        with self.overrides_lock:
            if path is None:
                self.overrides.clear()
            else:
                self.overrides.pop(path, None)

    def take_override(self, path):
        """The override for path, if any, counting this use of it."""
        with self.overrides_lock:
            override = self.overrides.get(path)
            if override is None:
                return None
            if override["times"] is not None:
                override["times"] -= 1
                if override["times"] <= 0:
                    del self.overrides[path]
            return dict(override)

    def gen_advance(self, name, step):
        """Add step items to the stream of /gen/NAME; its newest item."""
        with self.gen_lock:
            seq = self.gen_seq.get(name, 0) + step
            self.gen_seq[name] = seq
            return seq

    def gzip_bomb(self, mb):
        """The gzip body of /gzip-bomb?mb=MB, compressed once (a second or
        two for 1 GiB; zlib lets other threads run meanwhile) then kept,
        the last GZIP_BOMB_CACHE of them."""
        with self.bombs_lock:
            if mb in self.bombs:
                self.bombs.move_to_end(mb)
                return self.bombs[mb]
            z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            out = [z.compress(b'<rss version="2.0"><channel>'
                              b"<title>bomb</title>")]
            mib = b" " * (1 << 20)
            for _ in range(mb):
                out.append(z.compress(mib))
            out.append(z.flush())
            data = b"".join(out)
            self.bombs[mb] = data
            while len(self.bombs) > GZIP_BOMB_CACHE:
                self.bombs.popitem(last=False)
            return data


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
    server.close_log()
    return 0


if __name__ == "__main__":
    sys.exit(main())
