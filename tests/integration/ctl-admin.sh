#!/bin/sh
# An admin's day through feedmuxctl: feed, entries, feeds filters; add,
# tag, pause, resume, remove (--forget), import and export OPML.  Changes
# made at run time are served when feedmuxctl returns, are logged with the
# peer's uid, and survive reloads and restarts without touching the file.
. "$top_srcdir/tests/lib.sh"

mkdir "$T/www"
cp "$top_srcdir/contrib/demo/diplomacy-wire.atom" "$T/www/"
cp "$top_srcdir/contrib/demo/security-clearance.xml" "$T/www/"
cp "$top_srcdir/contrib/demo/diplomacy-wire.atom" "$T/www/copy.atom"
start_server "$T/www"
U=http://127.0.0.1:$PORT
write_conf <<EOF
interval = 1h
[feed wire]
url = $U/diplomacy-wire.atom
tags = russia, diplomacy
EOF
cp "$T/feedmux.conf" "$T/feedmux.conf.orig"
start_daemon
ctl refresh --wait > /dev/null || fail "first refresh"

# count TAG: entries served in the tag's Atom feed (0 when it is not served).
count() {
	curl -s "http://127.0.0.1:$HTTP_PORT/tags/$1.atom" | "$PY" -c '
import sys, feedparser
print(len(feedparser.parse(sys.stdin.buffer.read()).entries))'
}

ctl feed wire > "$T/out" || fail "feed wire"
grep -q "^feed wire (file: $T/feedmux.conf, line 7)" "$T/out" ||
    fail "feed header: $(head -1 "$T/out")"
grep -q "^  format  *atom1.0$" "$T/out" || fail "feed format: $(cat "$T/out")"
grep -q "^  tags  *russia, diplomacy$" "$T/out" || fail "feed tags"
grep -q "^  validators  *etag " "$T/out" || fail "feed validators"
ctl feed nosuch 2>"$T/err"; [ $? -eq 1 ] || fail "feed nosuch exit"
grep -q 'feed: no feed named "nosuch"' "$T/err" || fail "feed nosuch message"
ok "feed NAME shows one feed in detail; an unknown name is an error"

# feedmuxctl finds the socket in the configuration file (-c), without -s.
"$FEEDMUXCTL" -c "$T/feedmux.conf" status brief > /dev/null ||
    fail "feedmuxctl -c did not find control_socket"
"$FEEDMUXCTL" -c "$T/none.conf" status 2>"$T/err"; [ $? -eq 2 ] ||
    fail "feedmuxctl -c with a missing file"
grep -q "none.conf: No such file" "$T/err" || fail "missing -c file message"
ok "feedmuxctl reads control_socket from the configuration file"

ctl add "$U/security-clearance.xml" --name sec --tag Security \
    --tag policy --interval 2h > "$T/out" || fail "add: $(cat "$T/out")"
grep -q '^added feed sec: ".*", rss[0-9.]*, [1-9][0-9]* entries' "$T/out" ||
    fail "add output: $(cat "$T/out")"
[ "$(count security)" -gt 0 ] || fail "added feed not served at once"
ctl_json_check '
f = d["feed"]
assert f["origin"] == "runtime" and f["line"] is None, f
assert f["tags"] == ["security", "policy"] or sorted(f["tags"]) == ["policy", "security"], f
assert f["interval"] == 7200, f
' feed sec
grep -q "control: add by uid $(id -u) (pid [0-9]*)" "$T/daemon.log" ||
    fail "add not logged with the uid"
ok "add fetches once, says what it found, and is served when it returns"

ctl add "$U/security-clearance.xml" 2>"$T/err"; [ $? -eq 1 ] || fail "dup add"
grep -q 'polled already, as feed "sec"' "$T/err" || fail "dup add message"
ctl add "$U/missing.xml" 2>"$T/err"; [ $? -eq 1 ] || fail "add 404"
grep -q "not added (--force" "$T/err" || fail "add 404 message: $(cat "$T/err")"
ctl feeds | grep -q "^127.0.0.1 " && fail "a failed add was kept"
ctl add "$U/missing.xml" --force > "$T/out" || fail "add --force"
grep -q "its first poll failed (http: " "$T/out" || fail "add --force output"
ctl add "ftp://127.0.0.1/x" 2>"$T/err"; [ $? -eq 1 ] || fail "add ftp"
ctl add "$U/copy.atom" --name "bad name" 2>"$T/err"; [ $? -eq 1 ] ||
    fail "add bad name"
ctl add "$U/copy.atom" --tag diplomacy > "$T/out" || fail "add without a name"
grep -q "^added feed 127.0.0.1-2:" "$T/out" || fail "derived name: $(cat "$T/out")"
ok "add refuses duplicates, bad URLs and names, and failing feeds unless --force"

ctl tag wire +Extra -russia > "$T/out" || fail "tag"
grep -q "^feed wire: tags diplomacy, extra$" "$T/out" || fail "tag output: $(cat "$T/out")"
[ "$(count extra)" -eq 6 ] || fail "tag +extra not served"
[ "$(count russia)" -eq 0 ] || fail "tag -russia still served"
ctl tag wire russia 2>"$T/err"; [ $? -eq 1 ] || fail "tag without +/-"
ctl tag wire +no/pe 2>"$T/err"; [ $? -eq 1 ] || fail "tag bad name"
ok "tag FEED +T -T changes what is served at once"

ctl pause sec > /dev/null || fail "pause"
ctl_json_check 'assert [f["name"] for f in d["feeds"]] == ["sec"], d' \
    feeds --state paused
ctl refresh sec 2>"$T/err"; [ $? -eq 1 ] || fail "refresh of a paused feed"
grep -q "is paused" "$T/err" || fail "paused refresh message"
n=$(grep -c "feed sec: polling" "$T/daemon.log")
ctl refresh --wait > /dev/null || fail "refresh all"
[ "$(grep -c "feed sec: polling" "$T/daemon.log")" -eq "$n" ] ||
    fail "a paused feed was polled"
[ "$(count security)" -gt 0 ] || fail "a paused feed's entries went"
ok "pause stops polling and keeps serving; refresh skips it"

ctl_json_check 'assert sorted(f["name"] for f in d["feeds"]) == ["127.0.0.1-2", "wire"], d' \
    feeds --tag diplomacy
ctl feeds --state sleepy 2>"$T/err"; [ $? -eq 1 ] || fail "bad state"
ctl feeds --tag nosuch 2>"$T/err"; [ $? -eq 1 ] || fail "bad tag"
ok "feeds --tag and --state filter, and name what is wrong"

ctl entries extra -n 3 > "$T/out" || fail "entries"
[ "$(grep -c '^20[0-9][0-9]-' "$T/out")" -eq 3 ] || fail "entries -n 3: $(cat "$T/out")"
ctl_json_check '
e = d["entries"]
assert len(e) == 6 and all(x["feed"] == "wire" and x["title"] for x in e), e
' entries extra
ctl entries nosuch 2>"$T/err"; [ $? -eq 1 ] || fail "entries nosuch"
ok "entries TAG lists what the tag serves"

# Runtime changes survive a reload and a restart; the file is untouched.
state() {
	ctl --json feeds | "$PY" -c '
import json, sys
for f in sorted(json.load(sys.stdin)["feeds"], key=lambda f: f["name"]):
    print(f["name"], f["origin"], f["paused"], ",".join(sorted(f["tags"])), f["url"].rsplit("/", 1)[1])'
}
state > "$T/before"
ctl reload > /dev/null || fail "reload"
state > "$T/after-reload"
cmp -s "$T/before" "$T/after-reload" ||
    fail "reload changed runtime state: $(diff "$T/before" "$T/after-reload")"
stop_daemon
start_daemon
state > "$T/after-restart"
cmp -s "$T/before" "$T/after-restart" ||
    fail "restart changed runtime state: $(diff "$T/before" "$T/after-restart")"
cmp -s "$T/feedmux.conf" "$T/feedmux.conf.orig" || fail "the file was edited"
grep -q "^sec runtime True policy,security security-clearance.xml$" "$T/before" ||
    fail "state: $(cat "$T/before")"
ok "runtime feeds, pauses and tags survive reload and restart"

# A feed of the file wins over a runtime one of the same name, which waits.
cat >> "$T/feedmux.conf" <<EOF
[feed sec]
url = $U/copy.atom
tags = filed
EOF
ctl reload > /dev/null || fail "reload with sec in the file"
ctl_json_check 'assert d["feed"]["origin"] == "file" and d["feed"]["tags"] == ["filed"], d' feed sec
grep -q "feed sec added at run time is now also in" "$T/daemon.log" ||
    fail "no warning about the shadowed runtime feed"
cp "$T/feedmux.conf.orig" "$T/feedmux.conf"
ctl reload > /dev/null || fail "reload without sec"
ctl_json_check 'assert d["feed"]["origin"] == "runtime" and d["feed"]["paused"], d' feed sec
ok "a feed of the file wins over a runtime one; the runtime one comes back"

ctl resume sec > "$T/out" || fail "resume"
ctl_json_check 'assert not d["feed"]["paused"] and d["feed"]["result"] == "ok", d' feed sec
ok "resume polls a paused feed again"

ctl remove wire 2>"$T/err"; [ $? -eq 1 ] || fail "remove of a file feed"
grep -q "is defined in $T/feedmux.conf, line 7: delete it there" "$T/err" ||
    fail "remove file feed message: $(cat "$T/err")"
ctl remove sec --forget > "$T/out" || fail "remove --forget"
grep -q "^removed feed sec and forgot its [1-9][0-9]* entries$" "$T/out" ||
    fail "remove output: $(cat "$T/out")"
[ "$(count security)" -eq 0 ] || fail "forgotten entries still served"
ctl feed sec 2>/dev/null && fail "removed feed still there"
ok "remove drops a runtime feed; --forget its entries, served at once"

# A feed gone from the file keeps its entries until forgotten.
sed -i '/^\[feed wire\]/,$d' "$T/feedmux.conf"
ctl reload > /dev/null || fail "reload without wire"
ctl remove wire 2>"$T/err"; [ $? -eq 1 ] || fail "remove unconfigured"
grep -q -- "--forget drops what is stored" "$T/err" || fail "hint at --forget"
ctl remove wire --forget > "$T/out" || fail "forget wire"
grep -q "forgot its 6 entries" "$T/out" || fail "forget wire: $(cat "$T/out")"
ctl remove wire --forget 2>"$T/err"; [ $? -eq 1 ] || fail "forget twice"
grep -q 'nothing of a feed named "wire" is stored' "$T/err" || fail "forget twice message"
ok "a feed gone from the file can be forgotten"

# Export is OPML a parser reads back; import adds, skips and reports.
ctl export > "$T/export.opml" || fail "export"
xmllint --noout "$T/export.opml" || fail "export is not XML"
"$PY" - "$T/export.opml" <<'EOF' || fail "export content"
import sys, xml.etree.ElementTree as ET
o = {x.get("xmlUrl").rsplit("/", 1)[1]: x for x in ET.parse(sys.argv[1]).iter("outline")}
assert set(o) == {"missing.xml", "copy.atom"}, o
assert o["copy.atom"].get("category") == "diplomacy", o["copy.atom"].attrib
EOF
cat > "$T/in.opml" <<EOF
<?xml version="1.0"?>
<opml version="2.0"><head><title>mine</title></head><body>
<outline text="World News">
  <outline text="Wire" xmlUrl="$U/diplomacy-wire.atom" category="/Top/Politics"/>
  <outline text="Again" xmlUrl="$U/copy.atom"/>
</outline>
<outline text="Security &amp; Defence" xmlUrl="$U/security-clearance.xml"/>
<outline text="Bad" xmlUrl="gopher://127.0.0.1/x"/>
<outline text="empty note"/>
</body></opml>
EOF
ctl import "$T/in.opml" > "$T/out"; [ $? -eq 1 ] || fail "import with a bad outline"
grep -q "2 feeds added, 1 already there, 1 bad, 1 outlines not feeds" "$T/out" ||
    fail "import summary: $(cat "$T/out")"
grep -q "^  duplicate $U/copy.atom: polled already as feed 127.0.0.1-2" "$T/out" ||
    fail "import duplicate line: $(cat "$T/out")"
ctl_json_check '
assert sorted(d["feed"]["tags"]) == ["politics", "world-news"], d
' feed wire
ctl_json_check 'assert d["feed"]["tags"] == [], d' feed security-defence
ctl import "$T/in.opml" > "$T/out"; [ $? -eq 1 ] || fail "import again"
grep -q "0 feeds added, 3 already there, 1 bad" "$T/out" || fail "import is idempotent"
printf 'not xml' > "$T/bad.opml"
ctl import "$T/bad.opml" 2>"$T/err"; [ $? -eq 1 ] || fail "import of a non-OPML file"
grep -q "not a well-formed XML file" "$T/err" || fail "bad OPML message"
ok "import adds, reports duplicates and bad outlines; export is OPML"

# A large file: progress lines, one batch at a time.
"$PY" - "$U" > "$T/big.opml" <<'EOF'
import sys
print('<opml version="1.0"><body>')
for i in range(250):
    print('<outline text="n%d" xmlUrl="%s/none/%d.xml"/>' % (i, sys.argv[1], i))
print('</body></opml>')
EOF
ctl import "$T/big.opml" > "$T/out" 2>"$T/err" ||
    fail "big import: $(cat "$T/err" "$T/out")"
grep -q "import: 100 of 250 outlines done" "$T/err" || fail "no progress: $(cat "$T/err")"
grep -q "250 feeds added" "$T/out" || fail "big import: $(cat "$T/out")"
ok "a large import reports progress"

# A runtime feed the file no longer allows is left out, kept, and can be
# forgotten for good.
sed -i 's/^\[daemon\]$/[daemon]\nallow_file_urls = yes/' "$T/feedmux.conf"
ctl reload > /dev/null || fail "reload with file URLs"
ctl add "file://$T/www/copy.atom" --name local > /dev/null || fail "add file://"
sed -i '/^allow_file_urls = yes$/d' "$T/feedmux.conf"
ctl reload > /dev/null || fail "reload without file URLs"
grep -q "feed local added at run time is left out: " "$T/daemon.log" ||
    fail "no warning about the left-out runtime feed"
ctl feed local 2>/dev/null && fail "a left-out feed still runs"
ctl remove local --forget > "$T/out" || fail "forget the left-out feed"
grep -q "forgot its 6 entries" "$T/out" || fail "forget local: $(cat "$T/out")"
sed -i 's/^\[daemon\]$/[daemon]\nallow_file_urls = yes/' "$T/feedmux.conf"
ctl reload > /dev/null || fail "reload with file URLs again"
ctl feed local 2>/dev/null && fail "a forgotten runtime feed came back"
ok "a runtime feed the file no longer allows waits, and can be forgotten"

stop_daemon
