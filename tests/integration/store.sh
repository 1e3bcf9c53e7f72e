#!/bin/sh
# The store, end to end: rule tags, edits and republished guids, rules
# changed on reload, retention with tombstones (feedmuxctl purge) and
# feedmuxctl backup while the daemon serves.  Results are checked with
# python3-feedparser against what the source feeds say.
. "$top_srcdir/tests/lib.sh"

mkdir "$T/www"
cp "$top_srcdir/contrib/demo/security-clearance.xml" \
    "$top_srcdir/contrib/demo/diplomacy-wire.atom" "$T/www/"

# edits.xml: entries e1..eN; "N:title" pairs on the command line.
write_edits() {
	"$PY" - "$T/www/edits.xml" "$@" <<'EOF2'
import sys
out, items = sys.argv[1], sys.argv[2:]
rows = []
for spec in items:
    guid, title = spec.split(":", 1)
    n = int(guid.lstrip("eg").split("-")[0])
    rows.append(f"""<item><guid isPermaLink="false">{guid}</guid>
<title>{title}</title><link>http://edits.example/{n}</link>
<description>body of {title}</description>
<pubDate>Mon, 0{n} Jan 2024 10:00:00 GMT</pubDate></item>""")
open(out + ".tmp", "w").write('<?xml version="1.0"?><rss version="2.0">'
    "<channel><title>Edits</title><link>http://edits.example/</link>"
    + "".join(reversed(rows)) + "</channel></rss>")
import os
os.rename(out + ".tmp", out)
EOF2
}
write_edits "e1:One" "e2:Two" "e3:Three"
start_server "$T/www"
B="http://127.0.0.1:$PORT"

conf() {
	write_conf <<EOF2
keep_entries = 0
keep_days = 0

[feed sc]
url = $B/security-clearance.xml
tags = russia

[feed dw]
url = $B/diplomacy-wire.atom
tags = russia

[feed ed]
url = $B/edits.xml
tags = edits
keep_entries = 3

[tag lavrov]
include = category:LAVROV
include = title:/\\blavrov\\b/i
exclude = $1
EOF2
}
conf 'title:/^Opinion:/'
start_daemon
ctl refresh --wait > /dev/null

# What the sources say, read by feedparser: who should be in "lavrov".
expected_lavrov() {
	"$PY" - "$T/www" "$1" <<'EOF2'
import sys, re, feedparser
seen, out = set(), []
for f in ("security-clearance.xml", "diplomacy-wire.atom"):
    for e in feedparser.parse(sys.argv[1] + "/" + f).entries:
        cats = [t.term.lower() for t in e.get("tags", [])]
        title = e.get("title", "")
        if not ("lavrov" in cats or re.search(r"\blavrov\b", title, re.I)):
            continue
        if re.search(sys.argv[2], title):
            continue
        key = e.get("link")
        if key in seen:
            continue
        seen.add(key)
        out.append(title)
print("\n".join(sorted(out)))
EOF2
}
served_titles() {
	http_get "/tags/$1.atom" "$T/$1.atom" > /dev/null
	"$PY" -c 'import sys, feedparser
d = feedparser.parse(sys.argv[1])
assert not d.bozo, d.bozo_exception
print("\n".join(sorted(e.title for e in d.entries)))' "$T/$1.atom"
}

expected_lavrov '^Opinion:' > "$T/want"
served_titles lavrov > "$T/got" || fail "lavrov.atom unreadable"
[ -s "$T/want" ] || fail "the demo feeds have no Lavrov entries?"
diff "$T/want" "$T/got" >&2 || fail "lavrov tag differs from its rules"
ok "a rule tag gathers matching entries of every feed, once ($(wc -l < "$T/got"))"

# --- rules changed on reload: membership is computed again -----------------
conf 'title:/Syria/'
ctl reload > /dev/null
expected_lavrov 'Syria' > "$T/want"
served_titles lavrov > "$T/got"
diff "$T/want" "$T/got" >&2 || fail "lavrov after reload differs"
ok "new rules on reload recompute the tag's members"

# --- edits, republished guids ----------------------------------------------
etag() {
	curl -s -D - -o /dev/null "http://127.0.0.1:$HTTP_PORT/tags/$1.atom" |
	    tr -d '\r' | sed -n 's/^ETag: //Ip'
}
e0=$(etag edits)
write_edits "e1:One" "e2:Two, corrected" "e3:Three"
ctl refresh --wait ed > /dev/null
[ "$(etag edits)" != "$e0" ] || fail "ETag did not change after an edit"
http_get /tags/edits.atom "$T/edits.atom" > /dev/null
"$PY" - "$T/edits.atom" <<'EOF2' || fail "edit not shown as an update"
import sys, feedparser, calendar, time
d = feedparser.parse(sys.argv[1])
t = {e.title: e for e in d.entries}
assert sorted(t) == ["One", "Three", "Two, corrected"], sorted(t)
two = t["Two, corrected"]
# Seen to change just now: updated is now, published stays.
assert calendar.timegm(two.updated_parsed) > time.time() - 120, two.updated
assert two.published.startswith("2024-01-02"), two.published
EOF2
ok "an edited entry is rewritten in place, marked updated, new ETag"

write_edits "e1:One" "e2:Two, corrected" "g3-new-guid:Three"
ctl refresh --wait ed > /dev/null
[ "$(served_titles edits | tr '\n' '|')" = "One|Three|Two, corrected|" ] ||
    fail "republished guid made a duplicate"
ok "a post republished under a new guid is not a new entry"

# --- retention: prune, tombstones ------------------------------------------
write_edits "e1:One" "e2:Two, corrected" "g3-new-guid:Three" "e4:Four" \
    "e5:Five"
ctl refresh --wait ed > /dev/null
[ "$(served_titles edits | wc -l)" = 5 ] || fail "5 entries before purge"
ctl --json purge ed > "$T/purge.json" || fail "purge failed"
"$PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["pruned"] == 2 and d["feeds"] == [{"name": "ed", "entries": 3}], d' \
    "$T/purge.json" || fail "purge reply: $(cat "$T/purge.json")"
ctl refresh --wait ed > /dev/null
[ "$(served_titles edits | tr '\n' '|')" = "Five|Four|Three|" ] ||
    fail "after purge: $(served_titles edits | tr '\n' '|')"
ctl_json_check '
f = [x for x in d["feeds"] if x["name"] == "ed"][0]
assert f["entries"] == 3 and f["result"] == "ok", f' feeds
ok "purge keeps the newest 3; the pruned are not added back while carried"
ctl purge nosuch 2> "$T/err" && fail "purge of an unknown feed succeeded"
grep -q 'no feed named "nosuch"' "$T/err" || fail "purge error: $(cat "$T/err")"

# --- backup while serving --------------------------------------------------
( for _ in $(seq 50); do http_get /tags/russia.atom /dev/null; done ) \
    > /dev/null &
LOAD=$!
(cd "$T" && ctl backup backup.db) > "$T/backup.out" || fail "backup failed"
wait "$LOAD"
grep -q "backed up to $T/backup.db" "$T/backup.out" ||
    fail "backup output: $(cat "$T/backup.out")"
"$PY" - "$T/backup.db" "$T/feedmux.db" <<'EOF2' || fail "backup content"
import sqlite3, sys, os
b = sqlite3.connect(sys.argv[1])
assert b.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
live = sqlite3.connect(sys.argv[2])
q = "SELECT count(*) FROM entries"
assert b.execute(q).fetchone() == live.execute(q).fetchone()
assert os.stat(sys.argv[1]).st_mode & 0o077 == 0, oct(os.stat(sys.argv[1]).st_mode)
EOF2
[ ! -e "$T/backup.db.partial" ] || fail "partial file left behind"
ctl backup "$T/backup.db" 2> "$T/err" && fail "backup overwrote a file"
grep -q "exists" "$T/err" || fail "backup error: $(cat "$T/err")"
ctl backup /nonexistent/dir/x.db 2> "$T/err" && fail "backup to nowhere"
grep -q "No such file" "$T/err" || fail "backup error: $(cat "$T/err")"
ok "backup: a consistent private copy while serving; never overwrites"

# --- guids that keep changing: the feed is known by link ---------------------
for round in a b c; do
	write_edits "e1-$round:One" "e2-$round:Two, corrected" \
	    "e3-$round:Three" "e4-$round:Four" "e5-$round:Five"
	ctl refresh --wait ed > /dev/null
done
ctl_json_check '
f = [x for x in d["feeds"] if x["name"] == "ed"][0]
assert f["identity"] == "link", f
assert f["guid_rotations"] >= 3, f
assert f["entries"] == 3, f' feeds
ctl feeds | grep -q "entries known by link: guids changed on" ||
    fail "feeds does not say the feed is known by link"
[ "$(served_titles edits | tr '\n' '|')" = "Five|Four|Three|" ] ||
    fail "rotating guids: $(served_titles edits | tr '\n' '|')"
ok "guids that rotate: no duplicates, and feeds says entries are known by link"

# --- retention on its timer ---------------------------------------------------
sed -i 's/^keep_entries = 3$/keep_entries = 1/' "$T/feedmux.conf"
echo "prune_interval = 1s" > "$T/daemon-keys"
sed -i "/^keep_days = 0$/r $T/daemon-keys" "$T/feedmux.conf"
ctl reload > /dev/null
for _ in $(seq 50); do
	[ "$(served_titles edits | tr '\n' '|')" = "Five|" ] && break
	sleep 0.1
done
[ "$(served_titles edits | tr '\n' '|')" = "Five|" ] ||
    fail "prune timer: $(served_titles edits | tr '\n' '|')"
ok "retention also runs on its timer (prune_interval)"

stop_daemon
ok "stopped cleanly"
