#!/bin/sh
# Holding the door: clients that trickle, clients that hold partial
# requests, idle keep-alive clients, and more clients than descriptors.
# Meanwhile other clients are answered, feedmuxctl answers, the daemon does
# not spin, each episode at the limit is logged once, and nothing is lost.
. "$top_srcdir/tests/lib.sh"

mkdir "$T/www"
cp "$top_srcdir/contrib/demo/security-clearance.xml" "$T/www/"
start_server "$T/www"
write_conf <<EOF2
request_timeout = 2s
keepalive_timeout = 2s
max_connections = 1000

[feed security-clearance]
url = http://127.0.0.1:$PORT/security-clearance.xml
tags = russia
EOF2
# 256 descriptors, soft and hard: the daemon cannot raise it, so the fd
# limit, not max_connections, caps the connections.
prlimit --nofile=256:256 true 2>/dev/null || fail "prlimit is missing"
DAEMON_WRAP="prlimit --nofile=256:256"
start_daemon
ctl refresh --wait > /dev/null || fail "refresh failed"

"$PY" - "$HTTP_PORT" "$DAEMON_PID" "$FEEDMUXCTL" "$SOCK" <<'EOF2' || fail "limits"
import os, socket, subprocess, sys, time
port, pid, ctl, sock = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
hz = os.sysconf("SC_CLK_TCK")

def cpu():
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / hz

def connect():
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    return s

def get(path="/tags/russia.atom"):
    s = connect()
    s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n"
              b"Connection: close\r\n\r\n")
    out = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
    s.close()
    return out

def closed_after(s, limit):
    """Seconds until the server closes s (reading what it sends)."""
    t0 = time.time()
    s.settimeout(limit)
    try:
        while s.recv(4096):
            pass
    except (ConnectionResetError, socket.timeout):
        pass
    return time.time() - t0

# 1. A client trickling one byte every 0.5 s is cut off at the request
#    deadline (2 s), however long it keeps sending.
s = connect()
req = b"GET /tags/russia.atom HTTP/1.1\r\nHost: x\r\n" + b"X: " + b"y" * 200
t0 = time.time()
gone = None
for i in range(len(req)):
    try:
        s.send(req[i:i + 1])
    except (BrokenPipeError, ConnectionResetError):
        gone = time.time() - t0
        break
    time.sleep(0.5)
    if time.time() - t0 > 10:
        break
s.close()
assert gone is not None and gone < 8, "trickling client held on: %s" % gone
print("ok - a client trickling a byte every 0.5 s was cut off after %.1f s"
      % gone)

# 2. Idle keep-alive connections go after keepalive_timeout (2 s).
s = connect()
s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
assert s.recv(4096).startswith(b"HTTP/1.1 200")
t = closed_after(s, 10)
assert t < 8, t
s.close()
print("ok - an idle keep-alive connection closed after %.1f s" % t)

# 3. More clients than descriptors, each holding a partial request.  The
#    others are still answered (queued, then served), feedmuxctl answers,
#    and the daemon does not spin while at the limit.
hogs = []
for i in range(400):
    try:
        h = socket.socket()
        h.setblocking(False)
        h.connect_ex(("127.0.0.1", port))
        hogs.append(h)
    except OSError:
        break
time.sleep(0.3)
for h in hogs:
    try:
        h.send(b"GET /tags/russia.atom HTTP/1.1\r\nHost: x\r\n")
    except OSError:
        pass
c0, t0 = cpu(), time.time()
time.sleep(1.0)
r = subprocess.run([ctl, "-s", sock, "status"], capture_output=True,
                   timeout=20)
assert r.returncode == 0, r
used = (cpu() - c0) / (time.time() - t0)
assert used < 0.5, "the daemon used %.0f%% of a CPU at the limit" % (used * 100)
print("ok - at the limit with %d clients: feedmuxctl answers, daemon CPU %.0f%%"
      % (len(hogs), used * 100))
# A client arriving now waits in the queue and is answered once the hogs
# are cut off at their deadline: nothing is lost.
t0 = time.time()
out = get()
assert out.startswith(b"HTTP/1.1 200") and out.rstrip().endswith(b"</feed>"), out[:200]
print("ok - a client queued behind them was answered after %.1f s" %
      (time.time() - t0))
for h in hogs:
    h.close()
# Everyone gets an answer again.
for i in range(20):
    assert get("/health").startswith(b"HTTP/1.1 200")
EOF2
ok "trickling, partial and idle clients are cut off; the limit holds"

if [ "${VALGRIND:-}" != 1 ]; then
	n=$(grep -c "not accepting connections for now" "$T/daemon.log")
	[ "$n" = 1 ] || fail "$n log lines for one episode at the limit"
	grep -q "max_connections 1000 is more than the open files limit" \
	    "$T/daemon.log" || fail "the clamp to the fd limit is not logged"
	ok "one log line per episode at the limit"
fi
# The shipped unit gives the daemon descriptors for its connections.
grep -q '^LimitNOFILE=[0-9]' "$top_srcdir/contrib/feedmux.service.in" ||
    fail "contrib/feedmux.service.in sets no LimitNOFILE"

stop_daemon
