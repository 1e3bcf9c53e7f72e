#!/bin/sh
# A real feed reader subscribes: Debian's newsboat, run headless, reloads
# a tag's Atom and RSS feeds and stores every entry with its title, link
# and author.  (newsboat 2.21 does not read JSON Feed; serve.sh checks
# that format with other readers.)
. "$top_srcdir/tests/lib.sh"

command -v newsboat > /dev/null || fail "newsboat is missing (apt-get install newsboat)"
mkdir "$T/www" "$T/home"
cp "$top_srcdir/contrib/demo/security-clearance.xml" \
    "$top_srcdir/contrib/demo/diplomacy-wire.atom" "$T/www/"
start_server "$T/www"
write_conf <<EOF2
[feed security-clearance]
url = http://127.0.0.1:$PORT/security-clearance.xml
tags = russia

[feed diplomacy-wire]
url = http://127.0.0.1:$PORT/diplomacy-wire.atom
tags = russia
EOF2
start_daemon
ctl refresh --wait > /dev/null || fail "refresh failed"
: > "$T/home/config"
for f in atom rss; do
	echo "http://127.0.0.1:$HTTP_PORT/tags/russia.$f" > "$T/home/urls"
	rm -f "$T/home/cache.db"
	out=$(HOME="$T/home" timeout 120 newsboat -u "$T/home/urls" \
	    -c "$T/home/cache.db" -C "$T/home/config" -x reload print-unread) ||
	    fail "newsboat failed on $f"
	[ "$out" = "10 unread articles" ] || fail "newsboat on $f: $out"
	"$PY" - "$T/home/cache.db" "$f" <<'EOF2' || fail "newsboat's store for $f"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT title, url, author FROM rss_item").fetchall()
assert len(rows) == 10, rows
assert all(t and u.startswith(("http://security.blogs.example.com/",
                                "http://diplomacy.example.org/"))
           for t, u, a in rows), rows
assert "Kerry: Russia supports finding a diplomatic solution to crisis in Ukraine" \
    in [t for t, u, a in rows], rows
if sys.argv[2] == "atom":
    assert all(a for t, u, a in rows), rows
EOF2
	ok "newsboat reads russia.$f: 10 entries with titles and links"
done
stop_daemon
