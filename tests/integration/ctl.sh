#!/bin/sh
# The control socket: permissions, the commands' JSON, and requests that
# make no sense (each gets an error reply, never a crash).
. "$top_srcdir/tests/lib.sh"

mkdir "$T/www"
cp "$top_srcdir/contrib/demo/diplomacy-wire.atom" "$T/www/"
start_server "$T/www"
write_conf <<EOF2
interval = 1h
[feed wire]
url = http://127.0.0.1:$PORT/diplomacy-wire.atom
tags = russia, diplomacy
EOF2
start_daemon
ctl refresh --wait wire > "$T/refresh.out" || fail "refresh wire"
grep -q "^wire  *ok  *6 " "$T/refresh.out" ||
    fail "refresh output: $(cat "$T/refresh.out")"
ok "refresh FEED waits and prints the feed"
ctl_json_check '
assert d["refreshed"] == 1 and d["ok"] == 1 and d["not_ok"] == 0, d
assert d["feeds"] == [], d
' refresh --wait
ok "refresh of every feed answers with counts and the feeds that are not ok"

mode=$(stat -c %a "$SOCK")
[ "$mode" = 660 ] || fail "control socket mode is $mode, not 660"
ok "control socket is 0660"

ctl_json_check '
assert d["feeds"] == 1 and d["entries"] == 6 and d["tags"] == 2, d
assert d["pid"] > 0 and d["uptime"] >= 0 and d["version"]
p = d["polls"][0]
assert p["name"] == "wire" and p["result"] == "ok" and p["http_status"] in (200, 304), p
assert p["error"] is None and p["last_poll"].endswith("Z")
' status
ctl status | grep -q "1 feeds (0 failing, 0 gone), 6 entries, 2 tags" ||
    fail "status text: $(ctl status)"
ctl_json_check '
assert d["feeds"] == 1 and d["entries"] == 6 and d["polls"] == [], d
' status brief
ok "status reports uptime, feeds, entries and each feed's last poll (brief: counts only)"

ctl_json_check '
f = d["feeds"][0]
for k in ("name", "url", "tags", "interval", "result", "last_poll",
          "last_success", "next_poll", "http_status", "stage", "error",
          "failures", "entries", "title", "etag", "last_modified"):
    assert k in f, k
assert f["tags"] == ["russia", "diplomacy"] and f["interval"] == 3600
assert f["title"] == "Diplomacy Wire", f["title"]
' feeds
ctl_json_check '
t = {x["name"]: x for x in d["tags"]}
assert sorted(t) == ["diplomacy", "russia"]
assert t["russia"]["feeds"] == ["wire"] and t["russia"]["entries"] == 6
assert t["russia"]["url"].endswith("/tags/russia.atom")
' tags
ok "feeds and tags in JSON"

ctl refresh --wait nosuch 2>"$T/err"; [ $? -eq 1 ] || fail "refresh nosuch"
grep -q 'no feed named "nosuch"' "$T/err" || fail "refresh nosuch message"
ok "refresh of an unknown feed is an error"

# Raw protocol: every nonsensical request gets an error reply, in order,
# and the connection stays usable.
"$PY" - "$SOCK" <<'EOF2' || fail "raw protocol"
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
reqs = [b"not json", b"[1,2]", b'{"cmd":"status"}', b'{"v":99,"cmd":"status"}',
        b'{"v":1}', b'{"v":1,"cmd":"frob"}', b'{"v":1,"cmd":"refresh","args":{"feed":3}}',
        b'{"v":1,"cmd":"status","args":[]}', b'{"v":1,"cmd":"tags"}']
s.sendall(b"\n".join(reqs) + b"\n")
f = s.makefile("rb")
replies = [json.loads(f.readline()) for _ in reqs]
errs = [r.get("error", "") for r in replies]
assert all(r["v"] == 1 for r in replies)
assert [r["ok"] for r in replies] == [False] * 8 + [True], replies
assert errs[0].startswith("bad request"), errs[0]
assert "not a JSON object" in errs[1]
assert "protocol version" in errs[2] or "\"v\"" in errs[2], errs[2]
assert "version 99 not supported" in errs[3], errs[3]
assert "no command" in errs[4]
assert 'unknown command "frob"' in errs[5]
assert "must be a string" in errs[6]
assert "must be an object" in errs[7]
# Requests sent behind a refresh wait for it and are answered in order.
s.sendall(b'{"v":1,"cmd":"refresh","args":{"wait":true}}\n{"v":1,"cmd":"status"}\n{"v":1,"cmd":"refresh","args":{"feed":"wire","wait":true}}\n')
r1, r2, r3 = (json.loads(f.readline()) for _ in range(3))
assert r1["ok"] and "feeds" in r1["data"], r1
assert r2["ok"] and "uptime" in r2["data"], r2
assert r3["ok"] and r3["data"]["feeds"][0]["name"] == "wire", r3
# A client that half-closes after its request (echo ... | socat) still
# gets its reply, also from a refresh that answers later.
for req in (b'{"v":1,"cmd":"refresh","args":{"wait":true}}\n', b'{"v":1,"cmd":"tags"}\n'):
    h = socket.socket(socket.AF_UNIX)
    h.connect(sys.argv[1])
    h.sendall(req)
    h.shutdown(socket.SHUT_WR)
    r = json.loads(h.makefile("rb").readline())
    assert r["ok"], r
    h.close()
# An endless line is refused and the connection closed.
s2 = socket.socket(socket.AF_UNIX)
s2.connect(sys.argv[1])
try:
    s2.sendall(b"x" * 200000)
except OSError:
    pass
r = json.loads(s2.makefile("rb").readline())
assert not r["ok"] and "longer than" in r["error"], r
EOF2
ok "bad requests get error replies, in order; oversized ones are cut off"

# A second daemon must not steal a live socket.
"$FEEDMUXD" -f -c "$T/feedmux.conf" -l 127.0.0.1:$(free_port) 2>"$T/err" &&
    fail "second daemon started"
grep -q "already listening" "$T/err" || fail "second daemon message"
ctl status > /dev/null || fail "first daemon hurt by the second"
ok "a second daemon refuses to take over the socket"

stop_daemon
[ ! -e "$SOCK" ] || fail "socket left behind"
ok "stopping removes the socket"

# A stale socket file (daemon killed) does not block a restart.
start_daemon
kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null; DAEMON_PID=
[ -S "$SOCK" ] || fail "expected a stale socket"
start_daemon
ctl status > /dev/null || fail "restart over a stale socket"
stop_daemon
ok "a stale socket is replaced"
