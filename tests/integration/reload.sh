#!/bin/sh
# Reload (feedmuxctl reload and SIGHUP): new feeds and tags appear, removed
# ones go; a bad config is refused with file:line and the old one keeps
# serving.
. "$top_srcdir/tests/lib.sh"

mkdir "$T/www"
cp "$top_srcdir/contrib/demo/security-clearance.xml" \
    "$top_srcdir/contrib/demo/diplomacy-wire.atom" "$T/www/"
start_server "$T/www"
B="http://127.0.0.1:$PORT"
HTTP_PORT=$(free_port)

write_conf <<EOF2
[feed sc]
url = $B/security-clearance.xml
tags = russia
EOF2
start_daemon
ctl refresh --wait > /dev/null
[ "$(http_get /tags/russia.atom /dev/null)" = 200 ] || fail "russia before"
[ "$(http_get /tags/wire.atom /dev/null)" = 404 ] || fail "wire before"

write_conf <<EOF2
[feed sc]
url = $B/security-clearance.xml
tags = russia

[feed dw]
url = $B/diplomacy-wire.atom
tags = russia, wire
EOF2
ctl reload | grep -q "reloaded: 2 feeds" || fail "reload output"
ctl refresh --wait dw > /dev/null
http_get /tags/wire.atom "$T/wire.atom" > /dev/null
http_get /tags/russia.atom "$T/russia.atom" > /dev/null
"$PY" - "$T/wire.atom" "$T/russia.atom" <<'EOF2' || fail "after reload"
import sys, feedparser
assert len(feedparser.parse(sys.argv[1]).entries) == 6
assert len(feedparser.parse(sys.argv[2]).entries) == 10
EOF2
ok "reload adds a feed and a tag"

cp "$T/feedmux.conf" "$T/good.conf"
printf '[feed broken\nurl = x\n' >> "$T/feedmux.conf"
ctl reload 2>"$T/err"; [ $? -eq 1 ] || fail "bad reload should exit 1"
grep -q "reload failed, old configuration kept: $T/feedmux.conf:[0-9]*:" "$T/err" ||
    fail "bad reload message: $(cat "$T/err")"
[ "$(http_get /tags/wire.atom /dev/null)" = 200 ] || fail "old config lost"
ctl status | grep -q "2 feeds" || fail "feeds lost on bad reload"
ok "a bad config is refused with file:line; the old one keeps serving"

# SIGHUP, dropping the wire tag and the dw feed.
write_conf <<EOF2
[feed sc]
url = $B/security-clearance.xml
tags = russia
EOF2
kill -HUP "$DAEMON_PID"
for _ in $(seq 100); do
	[ "$(http_get /tags/wire.atom /dev/null)" = 404 ] && break
	sleep 0.05
done
[ "$(http_get /tags/wire.atom /dev/null)" = 404 ] || fail "wire after SIGHUP"
for _ in $(seq 100); do
	http_get /tags/russia.atom "$T/russia.atom" > /dev/null
	"$PY" -c "import sys, feedparser
sys.exit(len(feedparser.parse(sys.argv[1]).entries) != 7)" "$T/russia.atom" && break
	sleep 0.05
done
"$PY" -c "import sys, feedparser
assert len(feedparser.parse(sys.argv[1]).entries) == 7" "$T/russia.atom" ||
    fail "russia should only hold sc's entries after dw was removed"
ctl status | grep -q "^1 feeds" || fail "feed count after SIGHUP"
ok "SIGHUP reloads: a removed feed and tag disappear"
stop_daemon

# In the background (no -f) with a relative -c: daemon() moves to "/", and
# reload must still find the file.  The PID comes from the daemon itself.
(cd "$T" && "$FEEDMUXD" -c feedmux.conf) || fail "background start"
for _ in $(seq 100); do
	ctl status > /dev/null 2>&1 && break
	sleep 0.05
done
bgpid=$(ctl --json status | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["pid"])') ||
    fail "no pid from the background daemon"
DAEMON_PID=$bgpid	# so that cleanup kills it if we fail below
ctl reload > /dev/null || fail "reload with a relative -c after daemon()"
kill -TERM "$bgpid"
for _ in $(seq 100); do
	kill -0 "$bgpid" 2>/dev/null || break
	sleep 0.05
done
kill -0 "$bgpid" 2>/dev/null && fail "background daemon did not stop"
DAEMON_PID=
ok "a background daemon started with a relative -c reloads and stops"
