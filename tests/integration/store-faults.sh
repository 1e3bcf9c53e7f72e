#!/bin/sh
# A full disk and a read-only database: a clear error per feed, logged
# once, what is stored stays served, nothing crashes, and the store
# recovers when the cause goes.  A full disk is made with
# max_database_size (SQLite then fails exactly as on a full disk:
# SQLITE_FULL); a read-only file by running feedmuxd as a user who may
# not write it (as root, through setpriv: root may write any file).
. "$top_srcdir/tests/lib.sh"

mkdir "$T/www"
cp "$top_srcdir/contrib/demo/security-clearance.xml" "$T/www/small.xml"
"$PY" - "$T/www/big.xml" <<'EOF2'
import sys
body = "<p>" + "lorem ipsum dolor sit amet " * 40 + "</p>"
items = "".join(f"<item><guid>big-{i}</guid><title>big {i}</title>"
                f"<link>http://big.example/{i}</link><description>"
                f"{body.replace('<', '&lt;')}</description></item>"
                for i in range(2000))
open(sys.argv[1], "w").write('<rss version="2.0"><channel><title>Big'
                             f"</title>{items}</channel></rss>")
EOF2
start_server "$T/www"
B="http://127.0.0.1:$PORT"

conf() {
	write_conf <<EOF2
max_database_size = $1

[feed small]
url = $B/small.xml
tags = small

[feed big]
url = $B/big.xml
tags = big
EOF2
}
titles() {
	http_get "/tags/$1.atom" "$T/$1.atom" > "$T/code"
	[ "$(cat "$T/code")" = 200 ] || fail "GET /tags/$1.atom: $(cat "$T/code")"
	"$PY" -c 'import sys, feedparser
d = feedparser.parse(sys.argv[1])
assert not d.bozo, d.bozo_exception
print(len(d.entries))' "$T/$1.atom"
}

# --- full disk ----------------------------------------------------------------
conf 400K
start_daemon
ctl refresh --wait small > /dev/null
[ "$(titles small)" = 7 ] || fail "small feed not stored"
ctl refresh --wait big > /dev/null
ctl_json_check '
f = {x["name"]: x for x in d["feeds"]}
assert f["big"]["stage"] == "store", f["big"]
assert "full" in f["big"]["error"], f["big"]["error"]
assert f["big"]["entries"] == 0, f["big"]
assert f["small"]["result"] == "ok", f["small"]' feeds
ctl refresh --wait big > /dev/null
kill -0 "$DAEMON_PID" || fail "feedmuxd died on a full database"
[ "$(titles small)" = 7 ] || fail "small feed no longer served"
[ "$(grep -c 'warning: .*database or disk is full' "$T/daemon.log")" = 1 ] ||
    fail "full disk not logged exactly once"
[ "$(grep -c 'feed big: store failed: database or disk is full' \
    "$T/daemon.log")" = 1 ] || fail "feed failure not logged exactly once"
ok "a full database: the feed fails at the store stage, logged once, the rest served"

conf 0
ctl reload > /dev/null
ctl refresh --wait big > /dev/null
[ "$(titles big)" = 50 ] || fail "big feed not stored once there was room"
ok "with room again, the next poll stores everything"
stop_daemon

# --- read-only database ----------------------------------------------------
# feedmuxd runs as someone who may read the database but not write it or
# its directory; its control socket lives in a directory it may write.
mkdir -m 1777 "$T/run"
SOCK="$T/run/ctl.sock"
conf 0
sed -i "s|^control_socket = .*|control_socket = $SOCK|" "$T/feedmux.conf"
chmod 755 "$T"
chmod 644 "$T/feedmux.conf" "$T/feedmux.db"
RUN_AS=
if [ "$(id -u)" = 0 ]; then
	RUN_AS="setpriv --reuid=65534 --regid=65534 --clear-groups"
	# The binaries must be reachable by that user.
	cp "$FEEDMUXD" "$T/feedmuxd"
	chmod 755 "$T/feedmuxd"
	FEEDMUXD="$T/feedmuxd"
else
	chmod a-w "$T/feedmux.db" "$T"
fi
touch "$T/daemon.log"
chmod 666 "$T/daemon.log"
$RUN_AS "$FEEDMUXD" -f -v -c "$T/feedmux.conf" >> "$T/daemon.log" 2>&1 &
DAEMON_PID=$!
for _ in $(seq 200); do
	ctl status > /dev/null 2>&1 && break
	kill -0 "$DAEMON_PID" 2>/dev/null || fail "feedmuxd exited on a read-only database"
	sleep 0.05
done
grep -q "read-only: serving what it holds" "$T/daemon.log" ||
    fail "read-only database not reported at start"
[ "$(titles small)" = 7 ] || fail "small not served from a read-only database"
[ "$(titles big)" = 50 ] || fail "big not served from a read-only database"
# Older pages come from the pager's own read-only connection.
[ "$(http_get '/tags/big.atom?limit=3' /dev/null)" = 200 ] ||
    fail "no older pages from a read-only database"
echo '<rss version="2.0"><channel><title>x</title><item><guid>new</guid>
<title>new</title></item></channel></rss>' > "$T/www/small.xml"
ctl refresh --wait small > /dev/null
ctl_json_check '
f = {x["name"]: x for x in d["feeds"]}
assert f["small"]["stage"] == "store", f["small"]
assert "readonly" in f["small"]["error"], f["small"]["error"]' feeds
[ "$(titles small)" = 7 ] || fail "small changed on a read-only database"
ctl pause small 2>"$T/err"; [ $? -eq 1 ] || fail "a change on a read-only database"
grep -q "the database is read-only" "$T/err" || fail "read-only change: $(cat "$T/err")"
ok "a read-only database: served as it is, each poll fails at the store stage"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "feedmuxd exited $? from a read-only database"
DAEMON_PID=
[ "$(id -u)" = 0 ] || chmod u+w "$T"
ok "stopped cleanly"

# A database file it may write in a directory it may not: SQLite cannot
# make its -wal and -shm files there, so it is served read-only too.
if [ "$(id -u)" = 0 ]; then
	rm -f "$T/feedmux.db-wal" "$T/feedmux.db-shm"
	chown 65534:65534 "$T/feedmux.db"
	: > "$T/daemon.log"
	$RUN_AS "$FEEDMUXD" -f -v -c "$T/feedmux.conf" >> "$T/daemon.log" 2>&1 &
	DAEMON_PID=$!
	for _ in $(seq 200); do
		ctl status > /dev/null 2>&1 && break
		kill -0 "$DAEMON_PID" 2>/dev/null ||
		    fail "feedmuxd exited: $(cat "$T/daemon.log")"
		sleep 0.05
	done
	grep -q "read-only: serving what it holds" "$T/daemon.log" ||
	    fail "read-only directory not reported at start"
	[ "$(titles small)" = 7 ] || fail "small not served (read-only directory)"
	ctl status | grep -q "^database .* (read-only: served as it is" ||
	    fail "status does not say read-only: $(ctl status)"
	ctl_json_check 'assert d["readonly"] is True, d' status brief
	kill -TERM "$DAEMON_PID"
	wait "$DAEMON_PID" || fail "feedmuxd exited $? (read-only directory)"
	DAEMON_PID=
	ok "a writable database in a read-only directory is served read-only"
fi
