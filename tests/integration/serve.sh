#!/bin/sh
# What feedmux serves, read back by independent tools: every format of a
# tag (xmllint, python3-feedparser, json, our own parser, xsltproc), the
# pages (HTML checked for structure), /opml and /health; HTTP caching
# (ETag and date 304s, gzip, HEAD, max-age); a private tag; hostile feed
# content in every output; request errors.
. "$top_srcdir/tests/lib.sh"

mkdir "$T/www"
cp "$top_srcdir/contrib/demo/security-clearance.xml" \
    "$top_srcdir/contrib/demo/diplomacy-wire.atom" "$T/www/"
# A feed that tries everything: script, event handlers, javascript: and
# data: URLs, a stray ]]>, control characters, a 10 MB title.
"$PY" - "$T/www/hostile.xml" <<'EOF2'
import sys
big = "T" * (10 * 1024 * 1024)
items = [
    ("h1", "<script>alert(1)</script> evil ]]> \x01title",
     "javascript:alert(1)",
     "<p onclick=\"alert(2)\">text<script>alert(3)</script></p>"
     "<a href=\"javascript:alert(4)\">js</a><img src=\"data:image/png;"
     "base64,AAAA\" onerror=\"alert(5)\"><iframe src=\"http://x/\"></iframe>"
     "<a href=\"/relative\">rel</a>"),
    ("h2", big, "http://127.0.0.1/ok", "<b>bold</b> fine"),
]
with open(sys.argv[1], "w") as f:
    f.write('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">'
            '<channel><title>Hostile</title><link>http://127.0.0.1/h/</link>'
            '<description>x</description>\n')
    for guid, title, link, desc in items:
        esc = title.replace("&", "&amp;").replace("<", "&lt;")
        esc = esc.replace(">", "&gt;")
        f.write("<item><guid>%s</guid><title>%s</title><link>%s</link>"
                "<description><![CDATA[%s]]]]><![CDATA[>]]></description>"
                "<pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate>"
                "<enclosure url=\"data:audio/mp3;base64,AAAA\" "
                "type=\"audio/mpeg\" length=\"4\"/></item>\n"
                % (guid, esc, link, desc))
    f.write("</channel></rss>\n")
EOF2
start_server "$T/www"
B="http://127.0.0.1:$PORT"
TOKEN='s3cret+token/0123456789'
echo "$TOKEN" > "$T/secret.token"

write_conf <<EOF2
[feed security-clearance]
url = $B/security-clearance.xml
tags = russia

[feed diplomacy-wire]
url = $B/diplomacy-wire.atom
tags = russia, wire, secret

[feed hostile]
url = $B/hostile.xml
tags = hostile

[tag secret]
token_file = $T/secret.token
entries = 3

[tag russia]
title = Russia & Co
description = Two feeds about <Russia>, merged
entries = 8
EOF2
start_daemon
ctl refresh --wait > /dev/null || fail "refresh failed"
H="http://127.0.0.1:$HTTP_PORT"

# --- every format, read back by independent tools ---------------------------
for f in atom rss json html; do
	code=$(http_get "/tags/russia.$f" "$T/russia.$f")
	[ "$code" = 200 ] || fail "GET /tags/russia.$f: $code"
done
xmllint --noout "$T/russia.atom" "$T/russia.rss" || fail "not well-formed"
"$PY" - "$T" <<'EOF2' || fail "the formats disagree"
import html, json, sys, feedparser
t = sys.argv[1]
a = feedparser.parse(t + "/russia.atom")
r = feedparser.parse(t + "/russia.rss")
for d, v in ((a, "atom10"), (r, "rss20")):
    assert not d.bozo, d.bozo_exception
    assert d.version == v, d.version
    assert d.feed.title == "Russia & Co", d.feed.title
    # RSS's description is HTML: the text comes out once unescaped.
    sub = d.feed.subtitle if v == "atom10" else html.unescape(d.feed.subtitle)
    assert sub == "Two feeds about <Russia>, merged", d.feed
    # entries = 8: the newest 8 of the 10 merged entries.
    assert len(d.entries) == 8, len(d.entries)
    assert all(e.get("source", {}).get("title") for e in d.entries), \
        [e.get("source") for e in d.entries]
j = json.load(open(t + "/russia.json"))
assert j["version"] == "https://jsonfeed.org/version/1.1"
assert j["title"] == "Russia & Co" and j["feed_url"].endswith("russia.json")
assert j["description"] == "Two feeds about <Russia>, merged"
items = j["items"]
assert len(items) == 8
for it in items:
    assert it["id"] and "content_html" in it or "content_text" in it, it
    assert it["authors"] and all(x["name"] for x in it["authors"]), it
    src = it["_feedmux"]["source"]
    assert src["feed_url"].startswith("http://127.0.0.1:"), src
    assert src["name"] in ("security-clearance", "diplomacy-wire"), src
# The same entries, in the same order, with the same ids, titles, links.
ids = [e.id for e in a.entries]
assert ids == [e.id for e in r.entries] == [x["id"] for x in items], ids
assert len(set(ids)) == 8
titles = [e.title for e in a.entries]
assert titles == [e.title for e in r.entries] == [x["title"] for x in items]
links = [e.link for e in a.entries]
assert links == [e.link for e in r.entries] == [x["url"] for x in items]
# Atom links itself, its page and RSS its self through atom:link.
rel = {l.rel: l.href for l in a.feed.links}
assert rel["self"].endswith("/tags/russia.atom"), rel
assert rel["alternate"].endswith("/tags/russia.html"), rel
assert r.feed.link.endswith("/tags/russia.html"), r.feed.link
EOF2
"$FEEDMUXD" --parse "$T/russia.json" > "$T/json.jsonl" ||
    fail "feedmuxd cannot read its own JSON Feed"
[ "$(grep -c '^{"entry":' "$T/json.jsonl")" = 8 ] ||
    fail "the JSON Feed does not read back as 8 entries"
"$PY" "$top_srcdir/tests/check-page.py" "$T/russia.html" "Russia & Co" ||
    fail "the river page"
ok "Atom, RSS and JSON Feed carry the same 8 entries; the river page reads"

# A browser opening a feed gets a page through the stylesheet.
http_get /feed.xsl "$T/feed.xsl" > /dev/null
grep -q '<?xml-stylesheet type="text/xsl" href="http://127.0.0.1:[0-9]*/feed.xsl"?>' \
    "$T/russia.atom" || fail "no stylesheet in the Atom feed"
for f in atom rss; do
	xsltproc "$T/feed.xsl" "$T/russia.$f" > "$T/xsl-$f.html" ||
	    fail "xsltproc on $f"
	grep -q "Russia &amp; Co" "$T/xsl-$f.html" || fail "$f via XSLT: no title"
	[ "$(grep -c '<article>' "$T/xsl-$f.html")" = 8 ] ||
	    fail "$f via XSLT: not 8 entries"
done
ok "the feeds name an XSLT stylesheet that shows them as a page"

# --- the index, /opml, /health ---------------------------------------------
http_get / "$T/index.html" > /dev/null
"$PY" "$top_srcdir/tests/check-page.py" "$T/index.html" russia wire hostile \
    "Security Clearance" || fail "the index page"
grep -q 'rel="alternate" type="application/rss+xml"' "$T/index.html" ||
    fail "the index has no feed discovery links"
[ "$(http_get /opml "$T/all.opml")" = 200 ] || fail "GET /opml"
xmllint --noout "$T/all.opml" || fail "opml not well-formed"
[ "$(grep -c 'xmlUrl="http://127.0.0.1:[0-9]*/tags/' "$T/all.opml")" = 3 ] ||
    fail "opml does not list the 3 public tags"
[ "$(http_get /health "$T/health")" = 200 ] || fail "GET /health"
ok "the index lists tags and feed health; /opml and /health answer"

# --- HTTP the way caches expect it -----------------------------------------
wait_max_age /tags/russia.atom
curl -s -D "$T/h1" -o "$T/plain" "$H/tags/russia.atom"
etag=$(tr -d '\r' < "$T/h1" | sed -n 's/^ETag: //Ip')
lm=$(tr -d '\r' < "$T/h1" | sed -n 's/^Last-Modified: //Ip')
cc=$(tr -d '\r' < "$T/h1" | sed -n 's/^Cache-Control: //Ip')
[ -n "$etag" ] && [ -n "$lm" ] || fail "no ETag or Last-Modified"
case "$cc" in max-age=*) ;; *) fail "Cache-Control: $cc" ;; esac
age=${cc#max-age=}
# The tag's feeds are polled every 60 minutes (the default) and a jitter.
[ "$age" -gt 3000 ] && [ "$age" -le 4000 ] || fail "max-age $age"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" \
    "$H/tags/russia.atom")
[ "$code" = 304 ] || fail "If-None-Match gave $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-Modified-Since: $lm" \
    "$H/tags/russia.atom")
[ "$code" = 304 ] || fail "If-Modified-Since the same date gave $code"
code=$(curl -s -o /dev/null -w '%{http_code}' \
    -H "If-Modified-Since: Thu, 01 Jan 2004 00:00:00 GMT" "$H/tags/russia.atom")
[ "$code" = 200 ] || fail "If-Modified-Since an old date gave $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'If-None-Match: "other"' \
    -H "If-Modified-Since: $lm" "$H/tags/russia.atom")
[ "$code" = 200 ] || fail "If-None-Match must win over If-Modified-Since"
ok "304 by ETag and by date; max-age until the next poll"

curl -s -D "$T/h2" -o "$T/gz" -H 'Accept-Encoding: gzip' "$H/tags/russia.atom"
tr -d '\r' < "$T/h2" | grep -qi '^Content-Encoding: gzip$' || fail "not gzipped"
tr -d '\r' < "$T/h2" | grep -qi '^Vary: Accept-Encoding$' || fail "no Vary"
gzetag=$(tr -d '\r' < "$T/h2" | sed -n 's/^ETag: //Ip')
[ "$gzetag" != "$etag" ] || fail "gzip has the plain body's ETag"
gunzip -c < "$T/gz" | cmp -s - "$T/plain" || fail "gzip body differs"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept-Encoding: gzip' \
    -H "If-None-Match: $gzetag" "$H/tags/russia.atom")
[ "$code" = 304 ] || fail "gzip If-None-Match gave $code"
len=$(curl -s -I "$H/tags/russia.atom" | tr -d '\r' |
    sed -n 's/^Content-Length: //Ip')
[ "$len" = "$(wc -c < "$T/plain" | tr -d ' ')" ] ||
    fail "HEAD Content-Length $len is not the body's size"
ok "gzip with Vary and its own ETag; HEAD has Content-Length"

# Raw requests: no Host, bad escapes, percent-decoded paths, methods.
"$PY" - "$HTTP_PORT" <<'EOF2' || fail "request errors"
import socket, sys
def ask(raw):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(raw)
    out = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
        if b"\r\n\r\n" in out and raw.startswith(b"HEAD"):
            break
    s.close()
    return out
r = ask(b"GET /tags/russia.atom HTTP/1.1\r\n\r\n")
assert r.startswith(b"HTTP/1.1 400 "), r[:80]
assert r.endswith(b"400 Bad Request\n"), r[-40:]
r = ask(b"GET /tags/russi%61.atom HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
assert r.startswith(b"HTTP/1.1 200 "), r[:80]
r = ask(b"GET /tags/%zz.atom HTTP/1.1\r\nHost: x\r\n\r\n")
assert r.startswith(b"HTTP/1.1 400 "), r[:80]
r = ask(b"DELETE /tags/russia.atom HTTP/1.1\r\nHost: x\r\n\r\n")
assert r.startswith(b"HTTP/1.1 405 ") and b"\r\nAllow: GET, HEAD\r\n" in r, r
r = ask(b"GET /nope HTTP/1.0\r\n\r\n")
assert r.startswith(b"HTTP/1.1 404 ") and r.endswith(b"404 Not Found\n"), r
# Two requests in one write (pipelining): two answers, in order.
r = ask(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
        b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
assert r.count(b"HTTP/1.1 ") == 2 and r.index(b" 200 ") < r.index(b" 404 "), r
EOF2
ok "400 without Host or with bad escapes, decoded paths, 405, pipelining"

# --- a private tag -----------------------------------------------------------
"$PY" - "$HTTP_PORT" "$TOKEN" <<'EOF2' || fail "private tag"
import sys, urllib.error, urllib.parse, urllib.request
import feedparser
port, token = sys.argv[1:]
base = "http://127.0.0.1:%s" % port
def get(path, headers={}):
    try:
        r = urllib.request.urlopen(urllib.request.Request(base + path,
                                                          headers=headers))
        return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()
q = urllib.parse.quote(token, safe="")
for path, h in (("/tags/secret.atom", {}),
                ("/tags/secret.atom?token=wrong-token-0123456789", {}),
                ("/tags/secret.atom?token=" + q[:-1], {}),
                ("/tags/secret.atom", {"Authorization": "Bearer nope"})):
    code, _, body = get(path, h)
    assert code == 404 and body == b"404 Not Found\n", (path, code, body)
code, hdr, body = get("/tags/secret.atom?token=" + q)
assert code == 200 and "private" in hdr["Cache-Control"], (code, hdr)
code, _, _ = get("/tags/secret.json", {"Authorization": "Bearer " + token})
assert code == 200, code
# Its pages link onwards with the token, so a reader can walk them.
d = feedparser.parse(body)
assert len(d.entries) == 3
nxt = [l.href for l in d.feed.links if l.rel == "next"][0]
assert "token=" + q in nxt, nxt
code, _, body = get(nxt[len(base):])
assert code == 200 and len(feedparser.parse(body).entries) == 3, code
# Nowhere listed.
for path in ("/", "/opml"):
    assert b"secret" not in get(path)[2], path
EOF2
grep -q "s3cret" "$T/daemon.log" && fail "the token is in the log"
ctl --json tags | grep -q "s3cret" && fail "feedmuxctl shows the token"
ok "a private tag opens with its token only, pages with it, is listed nowhere"

# --- /metrics, read by the Prometheus client library's own parser ---------
curl -s "$H/tags/nosuch.atom" > /dev/null
# The loop thread's gauges follow changes within 2 s.
for _ in $(seq 100); do
	[ "$(http_get /metrics "$T/metrics")" = 200 ] || fail "GET /metrics"
	grep -q '^feedmux_feeds{state="ok"} 3$' "$T/metrics" && break
	sleep 0.1
done
"$PY" - "$T/metrics" <<'EOF2' || fail "/metrics"
import sys
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1]).read()
fam = {f.name: f for f in text_string_to_metric_families(text)}
def value(name, **labels):
    # The parser names a counter family without its _total suffix.
    for s in fam[name].samples:
        if s.name in (name, name + "_total") and \
                all(s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    raise KeyError((name, labels))
# 3 feeds polled at start and refreshed once: 6 polls, all fine.
assert value("feedmux_polls", outcome="ok") + \
    value("feedmux_polls", outcome="not_modified") >= 6, text
assert value("feedmux_feed_requests", kind="conditional") >= 3
assert value("feedmux_feed_requests", kind="unconditional") >= 3
assert value("feedmux_entries_ingested") == 15        # 7 + 6 + 2
assert value("feedmux_feeds", state="ok") == 3
assert value("feedmux_http_requests", code="200") > 10
assert value("feedmux_http_requests", code="404") >= 1
assert value("feedmux_http_requests", code="304") >= 1
for name, least in (("feedmux_fetch_duration_seconds", 6),
                    ("feedmux_render_duration_seconds", 1)):
    h = fam[name]
    assert h.type == "histogram", h
    count = [s.value for s in h.samples if s.name.endswith("_count")][0]
    inf = [s.value for s in h.samples if s.labels.get("le") == "+Inf"][0]
    assert count >= least and inf == count, (name, count, inf)
tags = {s.labels["tag"] for s in fam["feedmux_tag_entries"].samples}
assert tags == {"russia", "wire", "hostile"}, tags      # not "secret"
assert "secret" not in text
EOF2
ok "/metrics: polls, requests, entries, feeds, HTTP codes, histograms; no private tag"

# --- hostile content, in every output ---------------------------------------
for f in atom rss json html; do
	http_get "/tags/hostile.$f" "$T/hostile.$f" > /dev/null
done
xmllint --noout "$T/hostile.atom" "$T/hostile.rss" ||
    fail "hostile feeds not well-formed"
"$PY" "$top_srcdir/tests/check-page.py" "$T/hostile.html" || fail "hostile page"
"$PY" - "$T" <<'EOF2' || fail "hostile content got through"
import json, sys, feedparser
t = sys.argv[1]
for f in ("atom", "rss", "json", "html"):
    raw = open("%s/hostile.%s" % (t, f), "rb").read()
    assert len(raw) < 64 * 1024, (f, len(raw))
    low = raw.lower()
    for bad in (b"javascript:", b"data:image", b"data:audio", b"onclick",
                b"onerror", b"<iframe", b"alert(3)", b"\x01"):
        assert bad not in low, (f, bad)
    if f != "json":
        assert b"<script" not in low, f
for f in ("atom", "rss"):
    d = feedparser.parse("%s/hostile.%s" % (t, f))
    assert not d.bozo, d.bozo_exception
    e = {x.id: x for x in d.entries}
    h1, h2 = e["h1"], e["h2"]
    # The parser reads an RSS title as HTML: the script goes, ]]> stays.
    assert "evil ]]> title" in h1.title and "<script" not in h1.title, \
        h1.title
    assert "link" not in h1 or not h1.link.startswith("javascript"), h1
    html = h1.summary
    assert "<script" not in html and "onclick" not in html, html
    assert 'href="http://127.0.0.1/relative"' in html, html
    assert "text" in html and ("]]>" in html or "]]&gt;" in html), html
    assert not h1.get("enclosures"), h1.get("enclosures")
    # The 10 MB title: served as at most 1024 bytes.
    assert len(h2.title.encode()) <= 1024 and h2.title.startswith("TTT"), \
        len(h2.title)
j = json.load(open(t + "/hostile.json"))
assert all(len(x["title"].encode()) <= 1024 for x in j["items"])
EOF2
ok "script, handlers, javascript:/data: URLs, ]]>, controls and a 10 MB title are made safe"

stop_daemon
