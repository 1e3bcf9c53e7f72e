#!/bin/sh
# The whole path: two overlapping feeds served over HTTP from 127.0.0.1 are
# polled, stored without duplicates and merged into tag feeds that
# independent tools (xmllint, python3-feedparser) read correctly.  Then
# conditional GET, new entries, restart persistence and failing feeds.
. "$top_srcdir/tests/lib.sh"

mkdir "$T/www"
cp "$top_srcdir/contrib/demo/security-clearance.xml" \
    "$top_srcdir/contrib/demo/diplomacy-wire.atom" \
    "$top_srcdir/tests/data/relative-links.xml" "$T/www/"
echo '<html><body>not a feed</body></html>' > "$T/www/page.html"
start_server "$T/www"
B="http://127.0.0.1:$PORT"

write_conf <<EOF2
[feed security-clearance]
url = $B/security-clearance.xml
tags = russia, diplomacy, security

[feed diplomacy-wire]
url = $B/diplomacy-wire.atom
tags = russia, diplomacy

[feed relative]
url = $B/relative-links.xml
tags = misc

[feed broken]
url = $B/status/500
tags = misc

[feed html]
url = $B/page.html
tags = misc
EOF2
start_daemon
# The refresh answers once every poll has ended: three good feeds, two bad.
ctl_json_check '
assert d["refreshed"] == 5 and d["ok"] == 3 and d["not_ok"] == 2, d
bad = sorted(x["name"] for x in d["feeds"])
assert bad == ["broken", "html"], bad
' refresh --wait
ok "refresh answered after the polls, with what each poll did"

# --- the merged feed, checked by independent readers -----------------------
code=$(http_get /tags/russia.atom "$T/russia.atom")
[ "$code" = 200 ] || fail "GET /tags/russia.atom: $code"
xmllint --noout "$T/russia.atom" || fail "russia.atom is not well-formed"
ok "russia.atom is well-formed XML"

"$PY" - "$T/russia.atom" <<'EOF2' || fail "feedparser check of russia.atom"
import sys, feedparser
d = feedparser.parse(sys.argv[1])
assert not d.bozo, d.bozo_exception
e = d.entries
# 7 + 6 entries, 3 of them in both feeds: 10 once each.
assert len(e) == 10, len(e)
ids = [x.id for x in e]
assert len(set(ids)) == len(ids), "duplicate ids"
links = [x.link for x in e]
assert len(set(links)) == len(links), "duplicate links"
times = [x.updated_parsed for x in e]
assert times == sorted(times, reverse=True), "not newest first"
# Original ids are kept.
assert e[0].id == "http://security.blogs.example.com/2014/03/30/kerry-russia-supports-finding-a-diplomatic-solution-to-crisis-in-ukraine/", e[0].id
assert "tag:diplomacy.example.org,2013:post-10" in ids
# Every entry names its source feed.
for x in e:
    assert x.source.get("title") in ("Security Clearance", "Diplomacy Wire"), x.source
# Categories survive the trip.
putin = [x for x in e if x.title.startswith("Putin looks on")][0]
assert [t.term for t in putin.tags] == ["John Kerry", "Lavrov", "Russia", "Syria"], putin.tags
assert d.feed.title == "feedmux: russia"
EOF2
ok "feedparser reads russia.atom: 10 entries, unique, newest first, sources"

code=$(http_get /tags/security.atom "$T/security.atom")
[ "$code" = 200 ] || fail "GET /tags/security.atom: $code"
"$PY" -c "import sys, feedparser
d = feedparser.parse(sys.argv[1]); assert len(d.entries) == 7, len(d.entries)" \
    "$T/security.atom" || fail "security.atom should hold 7 entries"
ok "a tag of one feed holds exactly that feed's entries"

# Relative links resolve against the URL the feed came from.
http_get /tags/misc.atom "$T/misc.atom" > /dev/null
"$PY" - "$T/misc.atom" "$B" <<'EOF2' || fail "relative links"
import sys, feedparser
d = feedparser.parse(sys.argv[1])
links = sorted(x.link for x in d.entries)
assert links == [sys.argv[2] + "/posts/one.html", sys.argv[2] + "/posts/two.html"], links
EOF2
ok "relative links are made absolute"

# --- the index page and HTTP details -----------------------------------------
http_get / "$T/index.html" > /dev/null
grep -q '/tags/russia.atom"' "$T/index.html" || fail "index lacks russia"
grep -q '/tags/misc.atom"' "$T/index.html" || fail "index lacks misc"
ok "GET / lists the tags"
[ "$(http_get /tags/nosuch.atom /dev/null)" = 404 ] || fail "unknown tag not 404"
[ "$(http_get /nosuch /dev/null)" = 404 ] || fail "unknown path not 404"
etag=$(curl -s -D - -o /dev/null "http://127.0.0.1:$HTTP_PORT/tags/russia.atom" |
    tr -d '\r' | sed -n 's/^ETag: //Ip')
[ -n "$etag" ] || fail "no ETag"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" \
    "http://127.0.0.1:$HTTP_PORT/tags/russia.atom")
[ "$code" = 304 ] || fail "If-None-Match with the current ETag gave $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST \
    "http://127.0.0.1:$HTTP_PORT/tags/russia.atom")
[ "$code" = 405 ] || fail "POST gave $code"
ok "404s, strong ETag with 304, 405 for POST"

# --- failures are data --------------------------------------------------------
ctl_json_check '
f = {x["name"]: x for x in d["feeds"]}
assert f["broken"]["result"] == "failing" and f["broken"]["stage"] == "http", f["broken"]
assert f["broken"]["http_status"] == 500 and f["broken"]["failures"] >= 1
assert f["html"]["stage"] == "parse" and "not a feed" in f["html"]["error"], f["html"]
assert f["security-clearance"]["result"] == "ok" and f["security-clearance"]["entries"] == 7
assert f["diplomacy-wire"]["entries"] == 6
assert f["security-clearance"]["etag"].startswith("\"")
' feeds
ok "failing feeds show stage, status and error"

# --- conditional GET: the second poll sends the validators back --------------
ctl refresh --wait security-clearance > /dev/null || fail "refresh security-clearance failed"
"$PY" - "$T/requests.log" <<'EOF2' || fail "conditional GET"
import sys, json
reqs = [json.loads(l) for l in open(sys.argv[1])]
sc = [r for r in reqs if r["path"] == "/security-clearance.xml"]
# Start-up poll (plus one if refresh caught it running), then ours.
assert len(sc) >= 2, len(sc)
assert "if-none-match" not in sc[0]["headers"]
assert sc[0]["status"] == 200
for r in sc[1:]:
    h = r["headers"]
    assert h.get("if-none-match", "").startswith('"'), h
    assert "if-modified-since" in h, h
    assert r["status"] == 304, r
    assert h["user-agent"].startswith("feedmux/"), h
EOF2
ok "second poll is conditional and gets a 304"

# --- a new entry appears, once -------------------------------------------------
"$PY" - "$T/www/security-clearance.xml" <<'EOF2'
import sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
item = """<item>
<title>Fresh post</title>
<link>http://security.blogs.example.com/2014/04/01/fresh/</link>
<guid isPermaLink="true">http://security.blogs.example.com/2014/04/01/fresh/</guid>
<pubDate>Tue, 01 Apr 2014 09:00:00 -0400</pubDate>
<description>New.</description>
</item>
"""
s = s.replace("<item>", item + "<item>", 1)
open(p, "w", encoding="utf-8").write(s)
EOF2
ctl refresh --wait security-clearance > /dev/null || fail "refresh security-clearance failed"
ctl refresh --wait security-clearance > /dev/null || fail "refresh security-clearance failed"
http_get /tags/russia.atom "$T/russia2.atom" > /dev/null
"$PY" - "$T/russia2.atom" <<'EOF2' || fail "new entry"
import sys, feedparser
e = feedparser.parse(sys.argv[1]).entries
assert len(e) == 11, len(e)
assert e[0].title == "Fresh post", e[0].title
assert len(set(x.id for x in e)) == 11
EOF2
ok "a new entry is merged on top, nothing duplicated on re-polls"

# --- restart: data persists, nothing is polled early ---------------------------
before=$(wc -l < "$T/requests.log")
stop_daemon
start_daemon
http_get /tags/russia.atom "$T/russia3.atom" > /dev/null
cmp -s "$T/russia2.atom" "$T/russia3.atom" || fail "feed changed across restart"
sleep 1
after=$(wc -l < "$T/requests.log")
# The two failing feeds were due again (1s backoff); the good ones not.
"$PY" - "$T/requests.log" "$before" <<'EOF2' || fail "early re-poll after restart"
import sys, json
reqs = [json.loads(l) for l in open(sys.argv[1])][int(sys.argv[2]):]
good = [r for r in reqs if r["path"] in ("/security-clearance.xml", "/diplomacy-wire.atom", "/relative-links.xml")]
assert not good, good
EOF2
ok "restart serves the same feed and re-polls nothing early"
stop_daemon
ok "daemon stopped cleanly"
