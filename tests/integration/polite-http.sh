#!/bin/sh
# How feedmuxd answers what servers do: 410, 429/503 with Retry-After in
# both forms, 301/308 adopted only after a window (302/307 never), other
# errors backed off, redirect loops and long chains, redirects to file://,
# slow and endless bodies, gzip bombs, wrong content types, private
# addresses.  Asserted on the requests the test server saw and on the
# state feedmuxctl reports.
. "$top_srcdir/tests/lib.sh"

mkdir "$T/www"
cp "$top_srcdir/contrib/demo/diplomacy-wire.atom" "$T/www/wire.atom"
cp "$top_srcdir/contrib/demo/security-clearance.xml" "$T/www/new.xml"
start_server "$T/www"
B="http://127.0.0.1:$PORT"
# Another host name for the same server: a 429 defers only its own host.
L="http://localhost:$PORT"

write_conf <<EOF2
interval = 1h
host_delay = 0
redirect_window = 2s
fetch_timeout = 2s
max_feed_size = 1M

[feed gone]
url = $B/gone
[feed limited]
url = $L/status/429?retry_after=3600
[feed unavailable]
url = $B/status/503?retry_after=Wed,%2021%20Oct%202099%2007:28:00%20GMT
[feed broken]
url = $B/status/500
[feed moved]
url = $B/moved
[feed moved308]
url = $B/moved308
[feed found]
url = $B/found
[feed loop]
url = $B/loop/a
[feed chain]
url = $B/chain/9
[feed shortchain]
url = $B/chain/3
[feed tofile]
url = $B/redirect-file
[feed slow]
url = $B/slow-headers?delay=10
[feed slowloris]
url = $B/slowloris?rate=1&bytes=4096
[feed bomb]
url = $B/gzip-bomb?mb=64
[feed endless]
url = $B/endless
[feed wrongtype]
url = $B/wrong-type/wire.atom
tags = t
EOF2

# Redirects that tests switch on and off at run time.
srv() { curl -s -o /dev/null "$B/$1" || fail "server control $1"; }
srv "_set?path=/moved&status=301&location=/new.xml"
srv "_set?path=/moved308&status=308&location=/new.xml"
srv "_set?path=/found&status=302&location=/new.xml"

start_daemon
wait_polled
state() { ctl --json feeds > "$T/feeds.json"; }
check() {
	"$PY" - "$T/feeds.json" "$T/requests.log" <<EOF2 || fail "$1"
import json, sys, time, email.utils
f = {x["name"]: x for x in json.load(open(sys.argv[1]))["feeds"]}
reqs = [json.loads(l) for l in open(sys.argv[2])]
def paths(prefix):
    return [r for r in reqs if r["path"] and r["path"].startswith(prefix)]
def ts(s):
    return time.mktime(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
$2
EOF2
	ok "$1"
}
state

check "410 Gone stops polling until resumed" '
g = f["gone"]
assert g["result"] == "gone" and g["next_reason"] == "gone", g
assert g["next_poll"] is None and "feedmuxctl resume gone" in g["error"], g
'
check "429 with Retry-After in seconds waits that long" '
l = f["limited"]
assert l["http_status"] == 429 and l["next_reason"] == "retry-after", l
d = ts(l["retry_after"]) - ts(l["last_poll"])
assert 3590 <= d <= 3610, d
assert l["next_poll"] == l["retry_after"], l
'
check "503 with Retry-After as an HTTP-date waits until then (capped at a week)" '
u = f["unavailable"]
assert u["http_status"] == 503 and u["next_reason"] == "retry-after", u
d = ts(u["retry_after"]) - ts(u["last_poll"])
assert 7 * 86400 - 10 <= d <= 7 * 86400 + 10, d
'
check "other errors back off" '
b = f["broken"]
assert b["failures"] >= 1 and b["next_reason"] == "backoff", b
d = ts(b["next_poll"]) - ts(b["last_poll"])
assert 2 * 3600 <= d <= 2.2 * 3600 * 2 ** (b["failures"] - 1), d
'
check "loops and chains longer than 5 are errors" '
assert "more than 5 redirects" in f["loop"]["error"], f["loop"]
assert "more than 5 redirects" in f["chain"]["error"], f["chain"]
assert f["shortchain"]["result"] == "ok" and f["shortchain"]["entries"] == 2, f["shortchain"]
assert len(paths("/loop/")) <= 2 * 6, len(paths("/loop/"))
'
check "a redirect to file:// is refused" '
assert "scheme other than http" in f["tofile"]["error"], f["tofile"]
'
check "slow servers time out" '
assert f["slow"]["stage"] == "fetch" and "timed out" in f["slow"]["error"], f["slow"]
assert f["slowloris"]["stage"] == "fetch" and "timed out" in f["slowloris"]["error"], f["slowloris"]
'
check "gzip bombs and endless bodies stop at max_feed_size" '
for n in ("bomb", "endless"):
    assert "larger than max_feed_size (1048576 bytes)" in f[n]["error"], f[n]
'
check "a feed served as text/html is still read" '
assert f["wrongtype"]["result"] == "ok" and f["wrongtype"]["entries"] == 6, f["wrongtype"]
'
check "permanent redirects are watched, temporary ones ignored" '
for n in ("moved", "moved308"):
    m = f[n]
    assert m["result"] == "ok" and m["pending_redirect"]["url"].endswith("/new.xml"), m
    assert m["adopted_url"] is None, m
assert f["found"]["pending_redirect"] is None, f["found"]
'

# After the window, a permanent redirect still there is adopted.
sleep 2.2
ctl refresh --wait moved > /dev/null; ctl refresh --wait moved308 > /dev/null
ctl refresh --wait found > /dev/null
before=$(wc -l < "$T/requests.log")
ctl refresh --wait moved > /dev/null; ctl refresh --wait found > /dev/null
state
check "after the window the 301 and 308 are adopted; the 302 never" '
for n in ("moved", "moved308"):
    m = f[n]
    assert m["adopted_url"] == "'"$B"'/new.xml" and m["polled_url"] == m["adopted_url"], m
assert f["found"]["adopted_url"] is None and f["found"]["polled_url"].endswith("/found"), f["found"]
late = [r["path"] for r in reqs[int("'"$before"'"):]]
assert "/moved" not in late and "/new.xml" in late and "/found" in late, late
'

# resume: the feed is polled again (and, still gone, stays gone).
n=$(grep -c '"path": "/gone"' "$T/requests.log")
ctl resume gone > /dev/null || fail "resume"
[ "$(grep -c '"path": "/gone"' "$T/requests.log")" -gt "$n" ] || fail "resume did not poll"
ok "resume polls a gone feed again"

# A 429 (from "limited" above) defers the other feeds of that host.
write_conf <<EOF2
interval = 1h
host_delay = 0
[feed limited]
url = $L/status/429?retry_after=3600
[feed sibling]
url = $L/wrong-type/new.xml
[feed elsewhere]
url = $B/wrong-type/new.xml
EOF2
ctl reload > /dev/null || fail "reload"
ctl refresh --wait elsewhere > /dev/null
sleep 1
state
check "a 429 defers the host's other feeds, not other hosts'" '
s = f["sibling"]
assert s["next_poll"] == "polling" and s["next_reason"] == "host", s
assert f["elsewhere"]["result"] == "ok", f["elsewhere"]
local = [r for r in paths("/wrong-type/new.xml") if r["headers"]["host"].startswith("localhost")]
assert not local, local
'

# block_private_addresses refuses 127.0.0.1, checked when connecting.
write_conf <<EOF2
block_private_addresses = yes
[feed local]
url = $B/wrong-type/wire.atom
EOF2
ctl reload > /dev/null || fail "reload"
ctl refresh --wait local > /dev/null
state
check "block_private_addresses refuses loopback" '
l = f["local"]
assert l["stage"] == "fetch" and "refused to connect to 127.0.0.1" in l["error"], l
'
grep -c "feed broken: http failed" "$T/daemon.log" | grep -qx 1 ||
    fail "a repeated failure was logged more than once"
ok "a failure is logged once, not once per poll"
stop_daemon
