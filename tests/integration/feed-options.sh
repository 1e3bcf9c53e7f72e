#!/bin/sh
# A feed's own request settings, as the test server sees them: basic
# authentication with the password from its file (a wrong one is a clear
# 401 in feedmuxctl feeds; a redirect to another host goes without the
# credentials), a per-feed User-Agent and custom headers (a reload that
# changes one applies at the next poll), and enabled = no (never
# requested, entries still served, refresh refused).  The password is in
# neither the daemon's log nor feedmuxctl's output.
. "$top_srcdir/tests/lib.sh"

mkdir "$T/www"
cp "$top_srcdir/contrib/demo/diplomacy-wire.atom" "$T/www/wire.atom"
cp "$top_srcdir/contrib/demo/security-clearance.xml" "$T/www/sec.xml"
start_server "$T/www"
B="http://127.0.0.1:$PORT"
# Another host name for the same server: credentials must not go there.
L="http://localhost:$PORT"

PW='pw-7Hq2-s3cret'
printf '%s\n' "$PW" > "$T/good.pw"
printf 'wrong-Zx9-s3cret\n' > "$T/bad.pw"
chmod 600 "$T/good.pw" "$T/bad.pw"
SHA=$(printf '%s' "$PW" | sha256sum | cut -d' ' -f1)

# $1: the header line of feed "agent".
conf() {
	write_conf <<EOF2
interval = 1h
host_delay = 0
user_agent = daemon-agent/1

[feed auth]
url = $B/auth/reader/$SHA/wire.atom
tags = w
username = reader
password_file = $T/good.pw
[feed badauth]
url = $B/auth/reader/$SHA/sec.xml?bad
username = reader
password_file = $T/bad.pw
[feed hop]
url = $B/auth/reader/$SHA/redirect/302?to=$L/sec.xml%3Fhop
username = reader
password_file = $T/good.pw
[feed agent]
url = $B/sec.xml?agent
user_agent = feed-agent/2 (test)
$1
header = Accept: application/rss+xml
[feed plain]
url = $B/sec.xml?plain
[feed off]
url = $B/sec.xml?off
tags = s
enabled = ${2:-yes}
EOF2
}

# Wait until every enabled feed has been polled and none is polling.
settle() {
	for _ in $(seq 200); do
		ctl --json feeds 2>/dev/null | "$PY" -c '
import json, sys
f = json.load(sys.stdin)["feeds"]
sys.exit(0 if all(x["last_poll"] and x["next_poll"] != "polling"
    for x in f if x["enabled"]) else 1)' && return 0
		sleep 0.1
	done
	fail "feeds still not polled"
}

check() {
	ctl --json feeds > "$T/feeds.json" || fail "feedmuxctl feeds"
	"$PY" - "$T/feeds.json" "$T/requests.log" <<EOF2 || fail "$1"
import base64, json, sys
f = {x["name"]: x for x in json.load(open(sys.argv[1]))["feeds"]}
reqs = [json.loads(l) for l in open(sys.argv[2])]
def to(marker):
    return [r for r in reqs if r["path"] and r["path"].endswith(marker)]
basic = "Basic " + base64.b64encode(b"reader:$PW").decode()
$2
EOF2
	ok "$1"
}

conf "header = X-Api-Key: key-one"
"$FEEDMUXD" -t -c "$T/feedmux.conf" > "$T/t.out" 2>&1 ||
    fail "feedmuxd -t: $(cat "$T/t.out")"
grep -q "configuration OK (6 feeds" "$T/t.out" || fail "-t: $(cat "$T/t.out")"
grep -q "clear text over http://" "$T/t.out" || fail "no http:// warning"
grep -q -- "$PW" "$T/t.out" && fail "-t printed the password"
ok "feedmuxd -t reads the password files, warns about http://"

start_daemon
settle

check "basic auth with the password from its file" '
a = f["auth"]
assert a["result"] == "ok" and a["entries"] > 0, a
assert a["auth"] == {"type": "basic", "username": "reader"}, a["auth"]
r = to("/wire.atom")
assert r and all(x["headers"].get("authorization") == basic for x in r), r
assert r[-1]["status"] == 200, r[-1]
assert f["plain"]["auth"] is None
'

check "a wrong password is a clear 401" '
b = f["badauth"]
assert b["result"] == "failing" and b["stage"] == "http", b
assert b["http_status"] == 401, b
assert "authentication failed" in b["error"], b["error"]
assert to("/sec.xml?bad")[-1]["status"] == 401
'

check "credentials stay with the URL's host across a redirect" '
h = f["hop"]
assert h["result"] == "ok" and h["entries"] > 0, h
first = [r for r in reqs if "/redirect/302" in (r["path"] or "")]
assert first and first[-1]["headers"].get("authorization") == basic, first
hop = to("/sec.xml?hop")
assert hop, "redirect not followed"
assert all("authorization" not in r["headers"] for r in hop), hop
assert hop[-1]["headers"]["host"].startswith("localhost:"), hop[-1]
'

check "per-feed User-Agent and headers; the daemon's otherwise" '
a = to("?agent")[-1]["headers"]
assert a["user-agent"] == "feed-agent/2 (test)", a
assert a["x-api-key"] == "key-one", a
assert a["accept"] == "application/rss+xml", a
p = to("?plain")[-1]["headers"]
assert p["user-agent"] == "daemon-agent/1", p
assert "x-api-key" not in p and "application/atom+xml" in p["accept"], p
assert f["agent"]["enabled"] is True
'

# Disable "off" and change the header of "agent": both apply on reload.
# (Served once rendered, which may follow the poll by a moment.)
for _ in $(seq 100); do
	http_get /tags/s.atom "$T/s-before.atom" | grep -q 200 &&
	    grep -q '<entry>' "$T/s-before.atom" && break
	sleep 0.1
done
grep -c '<entry>' "$T/s-before.atom" > "$T/s-before.n"
[ "$(cat "$T/s-before.n")" -gt 0 ] || fail "tag s never served entries"
conf "header = X-Api-Key: key-two" no
ctl reload > /dev/null || fail "reload"
offs=$(grep -c '?off' "$T/requests.log")
ctl refresh --wait agent > /dev/null || fail "refresh agent"
ctl refresh --wait > /dev/null 2>&1
ctl refresh off > "$T/off.out" 2>&1 && fail "refresh of a disabled feed"
grep -q 'disabled' "$T/off.out" || fail "refresh off said: $(cat "$T/off.out")"
settle

check "a reload's new header applies at the next poll" '
assert to("?agent")[-1]["headers"]["x-api-key"] == "key-two"
'

check "a disabled feed is shown so and never requested" '
o = f["off"]
assert o["enabled"] is False, o
assert o["next_reason"] == "disabled" and o["next_poll"] is None, o
assert o["entries"] > 0, o
assert len(to("?off")) == '"$offs"', to("?off")
'
http_get /tags/s.atom "$T/s-after.atom" | grep -q 200 ||
    fail "tag s not served after disabling"
[ "$(grep -c '<entry>' "$T/s-after.atom")" = "$(cat "$T/s-before.n")" ] ||
    fail "a disabled feed's entries left its tag"
ctl feeds | grep '^off ' | grep -q disabled || fail "feedmuxctl feeds: $(ctl feeds)"
ctl feeds --state disabled | grep -q '^off ' || fail "feeds --state disabled"
ok "a disabled feed's entries are still served"

# The password appears nowhere the daemon writes or answers.
ctl feeds > "$T/feeds.txt"
ctl --json feeds > "$T/feeds.json"
ctl --json status > "$T/status.json"
for f in "$T/daemon.log" "$T/feeds.txt" "$T/feeds.json" "$T/status.json"; do
	grep -q -- "$PW" "$f" && fail "the password is in $f"
	grep -q -- "wrong-Zx9" "$f" && fail "the wrong password is in $f"
done
ok "the password is neither logged nor shown"

stop_daemon
