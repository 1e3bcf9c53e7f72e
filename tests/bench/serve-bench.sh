#!/usr/bin/env bash
# serve-bench.sh: how fast feedmuxd serves a tag feed, side by side in one
# run with Debian's nginx serving the same bytes as static files (plain,
# gzip_static, 304), with as many nginx workers as feedmuxd has serving
# threads; then the same while feedmuxd polls thousands of feeds.  Run by
# hand; not part of `make check`.  See tests/bench/README.  All traffic
# stays on 127.0.0.1.
set -u -o pipefail
export LC_ALL=C

PY=/usr/bin/python3
WORK=/tmp/feedmux-servebench
BIN=
SECS=10            # wrk duration per row
CONNS=64
WRK_THREADS=2
HTTP_THREADS=1     # feedmuxd's http_threads = nginx's worker_processes
ENTRIES=150        # entries in the tag feed (~190 KB of Atom)
NPOLL=10000        # feeds polled during the "while polling" rows (0: skip)
OUT=

usage() {
	cat <<EOF
usage: $0 [-w WORKDIR] [-b BINDIR] [-D SECS] [-c CONNS] [-t HTTP_THREADS]
          [-e ENTRIES] [-p NFEEDS] [-o RESULTS] [-h]

  -w WORKDIR  files, configs, logs (default $WORK)
  -b BINDIR   directory holding feedmuxd and feedmuxctl (default: the top
              of the source tree)
  -D SECS     wrk duration per row (default $SECS)
  -c CONNS    wrk connections (default $CONNS; wrk uses $WRK_THREADS threads)
  -t N        feedmuxd http_threads and nginx worker_processes (default
              $HTTP_THREADS)
  -e ENTRIES  entries in the tag feed (default $ENTRIES, ~1.3 KB each)
  -p NFEEDS   feeds polled during the "while polling" rows (default $NPOLL;
              0 skips them)
  -o RESULTS  append the results here (default WORKDIR/results.md)
Needs: nginx (nginx-light), wrk, curl, python3.
EOF
}

die() { echo "serve-bench: $*" >&2; exit 1; }
say() { echo "serve-bench: $*" >&2; }

while (($#)); do
	case $1 in
	-w) WORK=${2:?}; shift ;;
	-b) BIN=${2:?}; shift ;;
	-D) SECS=${2:?}; shift ;;
	-c) CONNS=${2:?}; shift ;;
	-t) HTTP_THREADS=${2:?}; shift ;;
	-e) ENTRIES=${2:?}; shift ;;
	-p) NPOLL=${2:?}; shift ;;
	-o) OUT=${2:?}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=${BIN:-$(cd "$HERE/../.." && pwd)}
FEEDMUXD=$BIN/feedmuxd
FEEDMUXCTL=$BIN/feedmuxctl
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $FEEDMUXD && -x $FEEDMUXCTL ]] || die "no feedmuxd in $BIN (-b DIR)"
[[ -x $NGINX ]] || die "nginx is missing: apt-get install -y nginx-light"
command -v wrk >/dev/null || die "wrk is missing: apt-get install -y wrk"
command -v curl >/dev/null || die "curl is missing"
mkdir -p "$WORK" || die "cannot create $WORK"
WORK=$(cd "$WORK" && pwd)
OUT=${OUT:-$WORK/results.md}
rm -rf "$WORK/run"
mkdir -p "$WORK/run" "$WORK/www/feeds" "$WORK/static/tags"
R=$WORK/run

PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	[[ -f $R/nginx-static.pid ]] && kill "$(cat "$R/nginx-static.pid")" 2>/dev/null
	[[ -f $R/nginx-feeds.pid ]] && kill "$(cat "$R/nginx-feeds.pid")" 2>/dev/null
	wait 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM

port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P_FEEDS=$(port); P_STATIC=$(port); P_MUX=$(port)

# ---------------------------------------------------------------- data
# The tag's source feed, and NPOLL small feeds for the polling rows.
$PY - "$WORK/www" "$ENTRIES" "$NPOLL" <<'EOF'
import os, random, sys
www, n, npoll = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(20140330)
words = ("feed poll entry server daemon parser cache tag atom channel item "
         "latency socket thread worker queue commit index render cursor "
         "river harbor meadow lantern granite copper willow falcon ember").split()
def para(k):
    return " ".join(rnd.choice(words) for _ in range(k)).capitalize() + "."
out = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
       '<title>Bench source</title><link>http://127.0.0.1/src/</link>'
       '<description>d</description>\n']
for i in range(n):
    body = "".join("&lt;p&gt;%s&lt;/p&gt;" % para(30) for _ in range(4))
    out.append("<item><guid>urn:bench:%d</guid><title>%s</title>"
               "<link>http://127.0.0.1/src/%d</link><pubDate>Mon, %02d Jan "
               "2024 %02d:%02d:00 GMT</pubDate><description>%s</description>"
               "<category>bench</category></item>\n"
               % (i, para(8), i, 1 + i // 1440, i // 60 % 24, i % 60, body))
out.append("</channel></rss>\n")
open(os.path.join(www, "src.xml"), "w").write("".join(out))
for i in range(npoll):
    p = os.path.join(www, "feeds", "f%05d.xml" % i)
    if os.path.exists(p):
        continue
    items = "".join("<item><guid>urn:f%d:%d</guid><title>%s</title>"
                    "<link>http://127.0.0.1/f/%d/%d</link><description>%s"
                    "</description></item>" % (i, k, para(6), i, k, para(20))
                    for k in range(10))
    open(p, "w").write('<?xml version="1.0"?><rss version="2.0"><channel>'
                       "<title>f%d</title><link>http://127.0.0.1/f/%d</link>"
                       "<description>d</description>%s</channel></rss>\n"
                       % (i, i, items))
EOF

# ---------------------------------------------------------------- nginx
# Feeds for feedmuxd to poll: no validators, so every poll is a full 200.
cat >"$R/nginx-feeds.conf" <<EOF
worker_processes 1;
pid $R/nginx-feeds.pid;
error_log $R/nginx-feeds.err;
events { worker_connections 4096; }
http {
	access_log off;
	etag off;
	if_modified_since off;
	types { application/rss+xml xml; }
	server { listen 127.0.0.1:$P_FEEDS; root $WORK/www; }
}
EOF
# The peer: the tag feed's bytes as static files, gzip_static for the .gz.
cat >"$R/nginx-static.conf" <<EOF
worker_processes $HTTP_THREADS;
pid $R/nginx-static.pid;
error_log $R/nginx-static.err;
events { worker_connections 4096; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	tcp_nodelay on;
	keepalive_requests 1000000;
	gzip_static on;
	types { application/atom+xml atom; }
	server { listen 127.0.0.1:$P_STATIC; root $WORK/static; }
}
EOF
"$NGINX" -c "$R/nginx-feeds.conf" -e "$R/nginx-feeds.err" || die "nginx (feeds)"
"$NGINX" -c "$R/nginx-static.conf" -e "$R/nginx-static.err" || die "nginx (static)"

# ---------------------------------------------------------------- feedmuxd
start_mux() {	# start_mux NFEEDS: the source feed plus NFEEDS small ones
	{
		echo "[daemon]"
		echo "listen = 127.0.0.1:$P_MUX"
		echo "control_socket = $R/ctl.sock"
		echo "database = $R/feedmux.db"
		echo "http_threads = $HTTP_THREADS"
		echo "interval = 1d"
		echo "min_interval = 1s"
		echo "host_delay = 0"
		echo "max_transfers = 64"
		echo "max_host_transfers = 64"
		echo "[feed src]"
		echo "url = http://127.0.0.1:$P_FEEDS/src.xml"
		echo "tags = bench"
		echo "[tag bench]"
		echo "entries = $ENTRIES"
		for ((i = 0; i < $1; i++)); do
			printf '[feed f%05d]\nurl = http://127.0.0.1:%s/feeds/f%05d.xml\ntags = t%03d\n' \
			    "$i" "$P_FEEDS" "$i" $((i % 200))
		done
	} >"$R/feedmux.conf"
	"$FEEDMUXD" -f -c "$R/feedmux.conf" >>"$R/feedmuxd.log" 2>&1 &
	MUX_PID=$!
	PIDS+=("$MUX_PID")
	for _ in $(seq 600); do
		"$FEEDMUXCTL" -s "$R/ctl.sock" status >/dev/null 2>&1 && return
		sleep 0.05
	done
	die "feedmuxd did not start (see $R/feedmuxd.log)"
}
stop_mux() {
	kill "$MUX_PID"; wait "$MUX_PID" 2>/dev/null
}
wait_tag() {	# until the tag feed serves ENTRIES entries
	for _ in $(seq 1200); do
		n=$(curl -s "http://127.0.0.1:$P_MUX/tags/bench.atom" | grep -c '<entry>')
		[[ $n == "$ENTRIES" ]] && return
		sleep 0.1
	done
	die "the tag feed never held $ENTRIES entries"
}

start_mux 0
wait_tag
MUX=http://127.0.0.1:$P_MUX/tags/bench.atom
STATIC=http://127.0.0.1:$P_STATIC/tags/bench.atom
curl -s -o "$WORK/static/tags/bench.atom" "$MUX"
curl -s -H 'Accept-Encoding: gzip' -o "$WORK/static/tags/bench.atom.gz" "$MUX"
touch -r "$WORK/static/tags/bench.atom" "$WORK/static/tags/bench.atom.gz"
SIZE=$(stat -c %s "$WORK/static/tags/bench.atom")
GZSIZE=$(stat -c %s "$WORK/static/tags/bench.atom.gz")
etag_of() { curl -s -D - -o /dev/null "$@" | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: //p'; }
MUX_ETAG=$(etag_of "$MUX")
STATIC_ETAG=$(etag_of "$STATIC")
# Both answer what the rows claim, or the numbers mean nothing.
curl -s "$STATIC" | cmp -s - "$WORK/static/tags/bench.atom" || die "nginx serves other bytes"
for u in "$MUX" "$STATIC"; do
	curl -s -D - -o /dev/null -H 'Accept-Encoding: gzip' "$u" |
	    grep -qi '^content-encoding: gzip' || die "$u: no gzip"
done
[[ $(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $MUX_ETAG" "$MUX") == 304 ]] || die "feedmuxd: no 304"
[[ $(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $STATIC_ETAG" "$STATIC") == 304 ]] || die "nginx: no 304"

# ---------------------------------------------------------------- wrk
# run_wrk NAME URL [HEADER]: one row, "NAME rps p99_ms non2xx3xx".
run_wrk() {
	local name=$1 url=$2 hdr=${3:-}
	local args=(-t"$WRK_THREADS" -c"$CONNS" -d"${SECS}s" --latency)
	[[ -n $hdr ]] && args+=(-H "$hdr")
	wrk "${args[@]}" "$url" >"$R/wrk-$name.txt" 2>&1 || die "wrk $name failed"
	$PY - "$R/wrk-$name.txt" "$name" <<'EOF'
import re, sys
t = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
m = re.search(r"\s99%\s+([\d.]+)(us|ms|s)\b", t)
p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
print("%s %.0f %.2f %s" % (sys.argv[2], rps, p99, bad.group(1) if bad else 0))
EOF
}
ROWS=$R/rows
: >"$ROWS"
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
say "idle rows: ${SECS}s each, $CONNS connections"
run_wrk mux-plain "$MUX" >>"$ROWS"
run_wrk nginx-plain "$STATIC" >>"$ROWS"
run_wrk mux-gzip "$MUX" "Accept-Encoding: gzip" >>"$ROWS"
run_wrk nginx-gzip "$STATIC" "Accept-Encoding: gzip" >>"$ROWS"
run_wrk mux-304 "$MUX" "If-None-Match: $MUX_ETAG" >>"$ROWS"
run_wrk nginx-304 "$STATIC" "If-None-Match: $STATIC_ETAG" >>"$ROWS"
stop_mux

# While polling: feedmuxd polls NPOLL feeds (every poll a full 200, parsed
# and checked against the store) while wrk asks it for the tag feed; then
# again while wrk asks nginx, so that both rows carry the same load.
CYCLES=$R/cycles
: >"$CYCLES"
if ((NPOLL > 0)); then
	say "polling rows: $NPOLL feeds"
	start_mux "$NPOLL"
	# The first cycle fills the store; the measured ones re-read it all.
	"$FEEDMUXCTL" -s "$R/ctl.sock" refresh --wait >/dev/null 2>&1
	wait_tag
	for target in mux nginx; do
		url=$MUX etag=$MUX_ETAG
		[[ $target == nginx ]] && url=$STATIC etag=$STATIC_ETAG
		t0=$(date +%s.%N)
		"$FEEDMUXCTL" -s "$R/ctl.sock" refresh --wait >/dev/null 2>&1 &
		rpid=$!
		sleep 0.5
		run_wrk "$target-plain-polling" "$url" >>"$ROWS"
		wait "$rpid"
		t1=$(date +%s.%N)
		awk -v a="$t0" -v b="$t1" -v t="$target" \
		    'BEGIN { printf "%s %.1f\n", t, b - a }' >>"$CYCLES"
	done
	stop_mux
fi

# ---------------------------------------------------------------- results
$PY - "$ROWS" "$CYCLES" "$OUT" "$SIZE" "$GZSIZE" "$ENTRIES" "$HTTP_THREADS" \
    "$CONNS" "$SECS" "$NPOLL" "$(git -C "$HERE" rev-parse --short HEAD 2>/dev/null || echo ?)" \
    "$("$NGINX" -v 2>&1 | sed 's/.*nginx\///')" "$LOAD" <<'EOF'
import datetime, os, sys
rows_f, cycles_f, out, size, gz, entries, threads, conns, secs, npoll, rev, ngx, load = sys.argv[1:]
rows = {}
for line in open(rows_f):
    name, rps, p99, bad = line.split()
    rows[name] = (float(rps), float(p99), int(bad))
cycles = dict(l.split() for l in open(cycles_f))
cpu = [l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
       if l.startswith("model name")]
lines = []
w = lines.append
w("\n## %s, feedmux %s, nginx %s\n" % (
    datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC"), rev, ngx))
w("Machine: %d x %s; load before: %s.  Tag feed: %s entries, %s bytes "
  "(gzip %s).  wrk -t2 -c%s -d%ss; feedmuxd http_threads = nginx "
  "worker_processes = %s.\n" % (len(cpu), cpu[0] if cpu else "?",
                                load, entries, size, gz, conns,
                                secs, threads))
w("| case | feedmuxd req/s | nginx req/s | ratio (target >= 0.8) | "
  "feedmuxd p99 ms | nginx p99 ms | p99 target (nginx + 5 ms) |")
w("|---|---|---|---|---|---|---|")
for case in ("plain", "gzip", "304", "plain-polling"):
    m, n = rows.get("mux-" + case), rows.get("nginx-" + case)
    if not m or not n:
        continue
    ratio = m[0] / n[0]
    w("| %s | %.0f | %.0f | **%.2fx** %s | %.2f | %.2f | %s |" % (
        case, m[0], n[0], ratio, "met" if ratio >= 0.8 else "MISSED",
        m[1], n[1], "met" if m[1] <= n[1] + 5 else "MISSED"))
    if m[2] or n[2]:
        w("|  | %d non-2xx/3xx | %d non-2xx/3xx | | | | |" % (m[2], n[2]))
if cycles:
    w("\nPolling rows: %s feeds polled (full 200s, parsed, checked against "
      "the store) while wrk ran; the refresh took %s s (feedmuxd row) and "
      "%s s (nginx row).  If a refresh ended before wrk, the rest of the "
      "row was idle." % (npoll, cycles.get("mux", "?"), cycles.get("nginx", "?")))
text = "\n".join(lines) + "\n"
sys.stdout.write(text)
with open(out, "a") as f:
    f.write(text)
EOF
say "results appended to $OUT"
