#!/bin/sh
# When feedmuxd polls: validators sent back byte for byte, a forced
# unconditional fetch after refetch_after, every hint the publisher gives
# (Cache-Control max-age, Expires, RSS ttl, sy:updatePeriod/Frequency,
# skipHours, skipDays), the adaptive schedule, and a restart that polls
# nothing early.  Asserted on feedmuxctl's next poll and its reason.
. "$top_srcdir/tests/lib.sh"

mkdir "$T/www"
cp "$top_srcdir/contrib/demo/diplomacy-wire.atom" "$T/www/wire.atom"
cp "$top_srcdir/contrib/demo/security-clearance.xml" "$T/www/sc.xml"

# Feeds that give hints, and one that publishes twice a day.
"$PY" - "$T/www" <<'EOF2'
import sys, time, email.utils
d = sys.argv[1]
def rss(name, extra, items=""):
    open(f"{d}/{name}", "w").write(
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">'
        f'<channel><title>{name}</title>{extra}'
        f'<item><title>x</title><guid>{name}-1</guid></item>{items}'
        '</channel></rss>')
rss("ttl.xml", "<ttl>240</ttl>")
rss("sy.xml", "<sy:updatePeriod>daily</sy:updatePeriod>"
    "<sy:updateFrequency>4</sy:updateFrequency>")
# The next poll falls between now + 1h and now + 1h + 10% jitter: skip
# the hours (and days) of both ends.
ends = (time.time() + 3600, time.time() + 3600 + 400)
hours = sorted({time.gmtime(t).tm_hour for t in ends})
rss("skiphours.xml", "<skipHours>%s</skipHours>" %
    "".join("<hour>%d</hour>" % h for h in hours))
names = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
days = sorted({(time.gmtime(t).tm_wday + 1) % 7 for t in ends})  # Monday is 0
rss("skipdays.xml", "<skipDays>%s</skipDays>" %
    "".join("<day>%s</day>" % names[d] for d in days))
items = "".join(
    f"<item><title>p{i}</title><guid>p{i}</guid><pubDate>"
    f"{email.utils.formatdate(time.time() - i * 43200, usegmt=True)}"
    "</pubDate></item>" for i in range(14))
rss("busy.xml", "", items)
EOF2
start_server "$T/www"
B="http://127.0.0.1:$PORT"

write_conf <<EOF2
interval = 1h
host_delay = 0
refetch_after = 3s
[feed plain]
url = $B/wire.atom
[feed maxage]
url = $B/cache/sc.xml?max_age=7200
[feed expires]
url = $B/cache/sc.xml?expires=10800
[feed ttl]
url = $B/ttl.xml
[feed sy]
url = $B/sy.xml
[feed skiphours]
url = $B/skiphours.xml
[feed skipdays]
url = $B/skipdays.xml
[feed busy]
url = $B/busy.xml
adaptive = yes
[feed quiet]
url = $B/sc.xml
adaptive = yes
EOF2
start_daemon
ctl refresh --wait > /dev/null
ctl --json feeds > "$T/feeds.json"
check() {
	"$PY" - "$T/feeds.json" "$T/requests.log" "$T/www" <<EOF2 || fail "$1"
import json, sys, time, hashlib, calendar
f = {x["name"]: x for x in json.load(open(sys.argv[1]))["feeds"]}
reqs = [json.loads(l) for l in open(sys.argv[2])]
www = sys.argv[3]
def ts(s):
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))
def gap(name):
    return ts(f[name]["next_poll"]) - ts(f[name]["last_poll"])
$2
EOF2
	ok "$1"
}

check "hints decide the next poll, with their reason" '
assert f["plain"]["next_reason"] == "interval" and 3600 <= gap("plain") <= 3960, f["plain"]
assert f["maxage"]["next_reason"] == "max-age" and 7190 <= gap("maxage") <= 7210, f["maxage"]
assert f["expires"]["next_reason"] == "expires" and 10790 <= gap("expires") <= 10810, f["expires"]
assert f["ttl"]["next_reason"] == "ttl" and gap("ttl") == 4 * 3600, f["ttl"]
assert f["sy"]["next_reason"] == "sy:updatePeriod" and gap("sy") == 6 * 3600, f["sy"]
h = f["skiphours"]
assert h["next_reason"] == "skipHours", h
assert time.gmtime(ts(h["next_poll"])).tm_min == 0 and gap("skiphours") > 3600, h
d = f["skipdays"]
assert d["next_reason"] == "skipDays", d
n = time.gmtime(ts(d["next_poll"]))
assert (n.tm_hour, n.tm_min) == (0, 0) and gap("skipdays") > 3600, d
'
check "adaptive: a feed publishing twice a day is polled about that often" '
b = f["busy"]
# 14 entries twice a day, and one undated (counted as now): 15 a week.
assert b["next_reason"] == "adaptive" and b["hints"]["weekly_entries"] == 15, b
assert 7 * 86400 / 15 <= gap("busy") <= 1.1 * 7 * 86400 / 15 + 1, gap("busy")
q = f["quiet"]
assert q["next_reason"] == "adaptive" and 86400 <= gap("quiet") <= 1.1 * 86400, q
'

# Conditional GET: the stored validators go back exactly as they came.
ctl refresh --wait plain > /dev/null
ctl --json feeds > "$T/feeds.json"
check "validators are sent back byte for byte; a 304 writes no entries" '
p = f["plain"]
body = open(www + "/wire.atom", "rb").read()
assert p["etag"] == "\"%s\"" % hashlib.sha1(body).hexdigest(), p["etag"]
mine = [r for r in reqs if r["path"] == "/wire.atom"]
assert "if-none-match" not in mine[0]["headers"]
last = mine[-1]
assert last["headers"]["if-none-match"] == p["etag"], last
assert last["headers"]["if-modified-since"] == p["last_modified"], last
assert last["status"] == 304 and p["entries"] == 6, (last, p)
pol = p["politeness"]
assert pol["not_modified"] >= 1 and pol["bytes_saved"] >= len(body), pol
assert pol["requests"] == len(mine) and pol["conditional"] == len(mine) - 1, pol
ae = last["headers"].get("accept-encoding", "")
assert "gzip" in ae, ae
assert "cookie" not in last["headers"] and "referer" not in last["headers"], last
'

# After refetch_after, one request goes without validators.
sleep 3.2
ctl refresh --wait plain > /dev/null
ctl refresh --wait plain > /dev/null
ctl --json feeds > "$T/feeds.json"
check "a forced unconditional fetch after refetch_after, then conditional again" '
mine = [r for r in reqs if r["path"] == "/wire.atom"]
assert "if-none-match" not in mine[-2]["headers"] and mine[-2]["status"] == 200, mine[-2]
assert mine[-1]["headers"].get("if-none-match") == f["plain"]["etag"], mine[-1]
'

# Per host: at most max_host_transfers at once, and starts host_delay
# apart.  New feeds are polled as soon as a reload adds them.
host_gaps() {	# PREFIX MIN: answers to PREFIX* came at least MIN s apart
	"$PY" - "$T/requests.log" "$1" "$2" <<'EOF2'
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
t = sorted(r["time"] for r in reqs if (r["path"] or "").startswith(sys.argv[2]))
assert len(t) == 3, t
gaps = [b - a for a, b in zip(t, t[1:])]
assert all(g >= float(sys.argv[3]) for g in gaps), gaps
EOF2
}
write_conf <<EOF2
interval = 1h
host_delay = 0
max_host_transfers = 1
[feed a1]
url = $B/slow-headers?delay=0.5&a=1
[feed a2]
url = $B/slow-headers?delay=0.5&a=2
[feed a3]
url = $B/slow-headers?delay=0.5&a=3
EOF2
ctl reload > /dev/null || fail "reload"
wait_polled
host_gaps "/slow-headers?delay=0.5&a=" 0.4 || fail "max_host_transfers"
ok "max_host_transfers = 1: one request at a time to a host"
write_conf <<EOF2
interval = 1h
host_delay = 1s
[feed b1]
url = $B/slow-headers?delay=0&b=1
[feed b2]
url = $B/slow-headers?delay=0&b=2
[feed b3]
url = $B/slow-headers?delay=0&b=3
EOF2
ctl reload > /dev/null || fail "reload"
wait_polled
host_gaps "/slow-headers?delay=0&b=" 0.9 || fail "host_delay"
ok "host_delay = 1s: requests to a host start a second apart"

# A restart keeps the schedule: nothing is polled early.
ctl --json feeds > "$T/before.json"
n=$(wc -l < "$T/requests.log")
stop_daemon
start_daemon
sleep 1
ctl --json feeds > "$T/feeds.json"
"$PY" - "$T/before.json" "$T/feeds.json" <<'EOF2' || fail "schedule changed across restart"
import json, sys
a = {x["name"]: x for x in json.load(open(sys.argv[1]))["feeds"]}
b = {x["name"]: x for x in json.load(open(sys.argv[2]))["feeds"]}
for n in a:
    assert (a[n]["next_poll"], a[n]["next_reason"]) == (b[n]["next_poll"], b[n]["next_reason"]), (n, a[n]["next_poll"], b[n]["next_poll"])
EOF2
[ "$(wc -l < "$T/requests.log")" = "$n" ] || fail "polled early after a restart"
ok "a restart keeps every feed's next poll and reason, and polls nothing"
stop_daemon
