#!/bin/sh
# Self-check of tests/server.py, by hand: sh tests/server-selftest.sh
# Needs python3 (or $PY) and curl; takes ~15 s.  Not part of "make check".
set -u

PY=${PY:-python3}
here=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/server-selftest.XXXXXX")
failures=0
SERVER_PID=

cleanup() {
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; failures=$((failures + 1)); }
# check DESCRIPTION GOT WANT
check() {
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: got '$2', want '$3'"; fi
}
# check_range DESCRIPTION GOT MIN MAX
check_range() {
	if [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then ok "$1 ($2)"
	else bad "$1: got $2, want $3..$4"; fi
}
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
# header NAME CURL-ARGS...: the value of response header NAME
header() {
	name=$1; shift
	curl -s -o /dev/null -D - "$@" | tr -d '\r' |
	    sed -n "s/^$name: //Ip" | head -n 1
}
log_lines() { wc -l < "$T/requests.log" | tr -d ' '; }
# last_log FIELD: FIELD of the last log line
last_log() {
	tail -n 1 "$T/requests.log" |
	    "$PY" -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

mkdir "$T/www"
cat > "$T/www/feed.xml" <<'EOF'
<?xml version="1.0"?>
<rss version="2.0"><channel><title>t</title><link>http://x/</link><description>d</description>
<item><title>a</title><guid>a</guid></item></channel></rss>
EOF
FEEDSIZE=$(wc -c < "$T/www/feed.xml" | tr -d ' ')

"$PY" "$here/server.py" --root "$T/www" --port-file "$T/port" \
    --log "$T/requests.log" 2> "$T/server.err" &
SERVER_PID=$!
for _ in $(seq 100); do
	[ -s "$T/port" ] && break
	sleep 0.05
done
[ -s "$T/port" ] || { echo "server did not start"; exit 1; }
B=http://127.0.0.1:$(cat "$T/port")

# Plain files, conditional GET, and the log's "bytes".
check "file" "$(code "$B/feed.xml")" 200
check "file bytes logged" "$(last_log bytes)" "$FEEDSIZE"
etag=$(header ETag "$B/feed.xml")
check "If-None-Match" "$(code -H "If-None-Match: $etag" "$B/feed.xml")" 304
check "304 bytes logged" "$(last_log bytes)" 0
check "HEAD" "$(code -I "$B/feed.xml")" 200
check "HEAD bytes logged" "$(last_log bytes)" 0

# Statuses and redirects.
check "/gone" "$(code "$B/gone")" 410
check "/status/503" "$(code "$B/status/503")" 503
check "Retry-After" "$(header Retry-After "$B/status/503?retry_after=120")" 120
check "Retry-After date" \
    "$(header Retry-After "$B/status/429?retry_after=Wed,%2021%20Oct%202015%2007:28:00%20GMT")" \
    "Wed, 21 Oct 2015 07:28:00 GMT"
check "Retry-After CRLF refused" \
    "$(code "$B/status/503?retry_after=1%0d%0aX-Evil:%201")" 400
check "/loop/a" "$(header Location "$B/loop/a")" /loop/b
check "/loop/b" "$(header Location "$B/loop/b")" /loop/a
curl -s -L --max-redirs 5 -o /dev/null "$B/loop/a"
check "/loop with curl -L" $? 47
check "/chain/3" "$(header Location "$B/chain/3")" /chain/2
check "/chain/51 refused" "$(code "$B/chain/51")" 400
check "/chain/50 followed" \
    "$(curl -sL -o /dev/null -w '%{http_code} %{num_redirects}' "$B/chain/50")" \
    "200 50"
check "/chain/0 guids" \
    "$(curl -s "$B/chain/0" | grep -o 'chain-[12]</guid>' | tr -d '\n')" \
    "chain-1</guid>chain-2</guid>"
check "/redirect-file" "$(header Location "$B/redirect-file")" \
    file:///etc/passwd

# Content-Type and caching headers.
check "/wrong-type" "$(header Content-Type "$B/wrong-type/feed.xml")" \
    "text/html; charset=utf-8"
check "/wrong-type conditional" \
    "$(code -H "If-None-Match: $etag" "$B/wrong-type/feed.xml")" 304
check "/cache max_age" \
    "$(header Cache-Control "$B/cache/feed.xml?max_age=300")" max-age=300
check "/cache without max_age" "$(header Cache-Control "$B/cache/feed.xml")" ""
expires=$(header Expires "$B/cache/feed.xml?expires=3600")
delta=$("$PY" -c 'import email.utils, sys, time
print(round(email.utils.parsedate_to_datetime(sys.argv[1]).timestamp() - time.time()))' "$expires")
check_range "/cache expires" "$delta" 3595 3600
check "/cache 404" "$(code "$B/cache/nope.xml")" 404

# Slow answers; the server must answer others meanwhile.
start=$(date +%s)
curl -s -o /dev/null "$B/slow-headers?delay=2" &
slow=$!
check "answers while a slow one runs" "$(code --max-time 1 "$B/gone")" 410
wait $slow
check_range "/slow-headers delay" $(($(date +%s) - start)) 2 3
n=$(curl -s --max-time 3 "$B/slowloris" | wc -c)
check_range "/slowloris rate=1, 3 s" "$n" 2 4
check "/slowloris Content-Length" \
    "$(curl -s -o /dev/null -D - --max-time 1 "$B/slowloris?bytes=100" |
       tr -d '\r' | sed -n 's/^Content-Length: //p')" 100
check "/slowloris rate=200 bytes=300" \
    "$(curl -s --max-time 5 "$B/slowloris?rate=200&bytes=300" | wc -c | tr -d ' ')" 300

# Size bombs.
n=$(curl -s "$B/gzip-bomb?mb=64" | wc -c)
check_range "/gzip-bomb on the wire" "$n" 1 200000
n=$(curl -s --compressed "$B/gzip-bomb?mb=64" | wc -c)
check_range "/gzip-bomb inflated" "$n" $((64 << 20)) $(((64 << 20) + 100))
check "/gzip-bomb bytes logged" "$(last_log bytes)" \
    "$(curl -s "$B/gzip-bomb?mb=64" | wc -c | tr -d ' ')"
n=$(curl -s --max-time 2 "$B/endless" | wc -c)
check_range "/endless streams" "$n" $((1 << 20)) $((512 << 20))
check "/endless has no Content-Length" \
    "$(header Content-Length -I "$B/endless")" ""

# Overrides: counted, and not logged.
before=$(log_lines)
check "/_set" "$(curl -s "$B/_set?path=/feed.xml&status=301&location=/chain/0&times=2")" ok
check "override 1 of 2" "$(header Location "$B/feed.xml?x=1")" /chain/0
check "override 2 of 2" "$(code "$B/feed.xml")" 301
check "override spent" "$(code "$B/feed.xml")" 200
curl -s -o /dev/null "$B/_set?path=/feed.xml&status=503&retry_after=60"
check "override until cleared" "$(code "$B/feed.xml"; code "$B/feed.xml")" 503503
check "override Retry-After" "$(header Retry-After "$B/feed.xml")" 60
curl -s -o /dev/null "$B/_clear?path=/feed.xml"
check "/_clear path" "$(code "$B/feed.xml")" 200
curl -s -o /dev/null "$B/_set?path=/nope&status=200"
curl -s -o /dev/null "$B/_clear"
check "/_clear all" "$(code "$B/nope")" 404
check "/_set bad status" "$(code "$B/_set?path=/x&status=99")" 400
check "/_set and /_clear not logged" $(($(log_lines) - before)) 8
check "no /_set in log" "$(grep -c '"/_' "$T/requests.log")" 0

# Stops on SIGTERM, exit 0, even with a stream running.
curl -s -o /dev/null --max-time 10 "$B/slowloris" &
sleep 0.5
kill "$SERVER_PID"
wait "$SERVER_PID"
check "SIGTERM exit status" $? 0
SERVER_PID=
check "nothing on stderr" "$(cat "$T/server.err")" ""

[ "$failures" -eq 0 ] && echo "all passed" || echo "$failures failed"
[ "$failures" -eq 0 ]
