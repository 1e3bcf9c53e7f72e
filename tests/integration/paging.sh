#!/bin/sh
# Paging (RFC 5005): a reader walks a tag's whole history through the next
# links of Atom, RSS (atom:link) and JSON Feed (next_url) while new entries
# arrive between its requests, and sees every entry exactly once.  ?limit=
# is bounded; bad queries are 400s.
. "$top_srcdir/tests/lib.sh"

mkdir "$T/www"
start_server "$T/www"
# Each poll of /gen/walk adds 7 entries, newer than all before.
write_conf <<EOF2
[feed walk]
url = http://127.0.0.1:$PORT/gen/walk?n=500&step=7
tags = walk

[tag walk]
entries = 5
EOF2
start_daemon
for _ in 1 2 3 4 5; do
	ctl refresh --wait walk > /dev/null || fail "refresh failed"
done

"$PY" - "$HTTP_PORT" "$FEEDMUXCTL" "$SOCK" <<'EOF2' || fail "paging walk"
import json, subprocess, sys, urllib.request
import feedparser
port, ctl, sock = sys.argv[1:]
base = "http://127.0.0.1:%s/tags/walk." % port

def fetch(url):
    return urllib.request.urlopen(url, timeout=30).read()

def refresh():
    subprocess.run([ctl, "-s", sock, "refresh", "--wait", "walk"], check=True,
                   capture_output=True, timeout=60)

def page(fmt, url):
    """(ids, next url) of one page."""
    raw = fetch(url)
    if fmt == "json":
        d = json.loads(raw)
        return [x["id"] for x in d["items"]], d.get("next_url")
    d = feedparser.parse(raw)
    assert not d.bozo, d.bozo_exception
    nxt = [l.href for l in d.feed.get("links", []) if l.rel == "next"]
    return [e.id for e in d.entries], nxt[0] if nxt else None

for fmt in ("atom", "rss", "json"):
    everything = [x["id"] for x in json.loads(fetch(base + "json?limit=1000"))["items"]]
    assert len(everything) >= 35, len(everything)
    seen, url, pages = [], base + fmt, 0
    while url:
        ids, url = page(fmt, url)
        assert 0 < len(ids) <= 5, (fmt, len(ids))
        seen += ids
        pages += 1
        refresh()              # 7 newer entries arrive between pages
        assert pages < 100
    assert len(seen) == len(set(seen)), "%s: an entry came twice" % fmt
    assert seen == everything, "%s: the walk missed or added entries:\n%s\n%s" % (
        fmt, seen, everything)
    print("ok - %s: %d entries in %d pages, once each, while %d arrived" % (
        fmt, len(seen), pages, 7 * pages))

# ?limit= serves any page size up to 1000; other queries are 400s.
ids, nxt = page("atom", base + "atom?limit=12")
assert len(ids) == 12 and "limit=12" in nxt, (len(ids), nxt)
for q in ("limit=0", "limit=1001", "limit=x", "before=zz", "before=1-",
          "limit="):
    try:
        fetch(base + "atom?" + q)
        raise AssertionError(q + " was answered")
    except urllib.error.HTTPError as e:
        assert e.code == 400, (q, e.code)
print("ok - ?limit= up to 1000; bad queries are 400s")
EOF2
ok "paging walks"

# The river page links to older entries too.
http_get /tags/walk.html "$T/walk.html" > /dev/null
grep -q 'rel="next" href="http://127.0.0.1:[0-9]*/tags/walk.html?before=' \
    "$T/walk.html" || fail "the river page has no link to older entries"
"$PY" "$top_srcdir/tests/check-page.py" "$T/walk.html" || fail "river page"
ok "the river page pages too"
stop_daemon
