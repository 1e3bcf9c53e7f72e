#!/bin/sh
# A control socket that cannot be misused: only a stale socket is removed
# at start (never a file), a socket path equal to the database is refused,
# a last request without its newline is answered, a request that never
# finishes is timed out with an error, an idle client is closed after 60 s,
# changes are logged with the peer's uid, and feedmuxctl gives up on a
# daemon that does not answer.
. "$top_srcdir/tests/lib.sh"

write_conf < /dev/null

# A regular file where the socket goes: refused, and left alone.
echo "precious" > "$SOCK"
"$FEEDMUXD" -f -c "$T/feedmux.conf" > "$T/refused.log" 2>&1 &&
    fail "feedmuxd started over a regular file"
grep -q "exists and is not a socket; not removing it" "$T/refused.log" ||
    fail "no clear error: $(cat "$T/refused.log")"
[ "$(cat "$SOCK")" = precious ] || fail "the file at the socket path was touched"
rm -f "$SOCK"
ok "a file at the control socket path is an error, and is not removed"

# The socket at the database's path: feedmuxd -t says so, with the line.
sed "s|^control_socket = .*|control_socket = $T/feedmux.db|" \
    "$T/feedmux.conf" > "$T/same.conf"
"$FEEDMUXD" -t -c "$T/same.conf" > "$T/same.log" 2>&1 &&
    fail "-t accepted control_socket = database"
grep -q "same.conf:3: control_socket and database are the same path" \
    "$T/same.log" || fail "no file:line error: $(cat "$T/same.log")"
ok "control_socket equal to database is refused by -t, with its line"

start_daemon
"$PY" - "$SOCK" <<'EOF2' || fail "protocol edges"
import json, socket, sys, time
def conn():
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    return s
def replies(s):
    out = b""
    s.settimeout(30)
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
    return [json.loads(l) for l in out.splitlines()]
# A client that connects and says nothing: closed after 60 s (checked at
# the end, while the rest runs).
idle = conn()
idle_t0 = time.time()
# A last request without its newline, then EOF: still answered.
s = conn()
s.sendall(b'{"v":1,"cmd":"status"}\n{"v":1,"cmd":"status"}')
s.shutdown(socket.SHUT_WR)
r = replies(s)
assert len(r) == 2 and all(x["ok"] for x in r), r
print("ok - a last request without its newline is answered")
# A request that never finishes: an error reply after 10 s, then close.
s = conn()
s.sendall(b'{"v":1,"cmd":"sta')
t0 = time.time()
r = replies(s)
took = time.time() - t0
assert len(r) == 1 and not r[0]["ok"] and "not finished" in r[0]["error"], r
assert 8 < took < 30, took
print("ok - an unfinished request gets an error after %.0f s" % took)
# Garbage gets an error; an oversized request an error and the door (a
# client still sending may see the close as a reset); the daemon stays.
s = conn()
s.sendall(b"not json\n")
s.shutdown(socket.SHUT_WR)
r = replies(s)
assert len(r) == 1 and not r[0]["ok"] and "bad request" in r[0]["error"], r
s = conn()
try:
    s.sendall(b"{" * 70000 + b"\n")
    r = replies(s)
    assert len(r) == 1 and "longer than" in r[0]["error"], r
except (ConnectionResetError, BrokenPipeError):
    pass
idle.settimeout(120)
assert idle.recv(1) == b"", "an idle client got data"
took = time.time() - idle_t0
assert 55 < took < 100, took
print("ok - an idle client is closed after %.0f s" % took)
EOF2
ctl status > /dev/null || fail "the daemon did not survive bad requests"
ctl refresh --wait > /dev/null || fail "refresh failed"
grep -q "control: refresh by uid $(id -u) (pid [0-9]*)" "$T/daemon.log" ||
    fail "the change is not logged with the peer's uid"
ok "changes are logged with the peer's uid"
stop_daemon

# feedmuxctl against a daemon that accepts and never answers.
"$PY" - "$T/stuck.sock" <<'EOF2' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(4)
c, _ = s.accept()
time.sleep(30)
EOF2
SERVER_PID=$!
for _ in $(seq 100); do [ -S "$T/stuck.sock" ] && break; sleep 0.05; done
t0=$(date +%s)
"$FEEDMUXCTL" -s "$T/stuck.sock" -T 1 status > "$T/stuck.out" 2>&1 &&
    fail "feedmuxctl succeeded against a stuck daemon"
t1=$(date +%s)
grep -q "no reply within 1 seconds" "$T/stuck.out" ||
    fail "no timeout message: $(cat "$T/stuck.out")"
[ $((t1 - t0)) -le 10 ] || fail "feedmuxctl took $((t1 - t0)) s to give up"
ok "feedmuxctl -T gives up on a daemon that does not answer"
