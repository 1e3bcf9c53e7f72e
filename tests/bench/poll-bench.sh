#!/usr/bin/env bash
# poll-bench.sh: polling throughput of feedmuxd against a local nginx, next
# to curl --parallel as the floor, with wrk measuring the tag-feed latency
# while the daemon polls.  Run by hand; not part of `make check`.
# See tests/bench/README.  All traffic stays on 127.0.0.1.
set -u -o pipefail
export LC_ALL=C

PY=/usr/bin/python3
GNU_TIME=/usr/bin/time
PKGS=(nginx-light wrk curl time)

WORK=/tmp/feedmux-pollbench
BIN=
NFEEDS=10000
WRK_SECS=10
RUNS=3
LIMIT=900          # seconds: the most any one cycle may take before we give up
OUT=
INSTALL=0
REGEN=0
SEED=20140330
STATUS_EVERY=0.05  # seconds between status polls in cycle 1

usage() {
	cat <<EOF
usage: $0 [-w WORKDIR] [-b BINDIR] [-n FEEDS] [-D SECS] [-r RUNS] [-T LIMIT]
          [-o RESULTS] [-s SEED] [--regen] [--install] [-h]

  -w WORKDIR  feeds, configs, database, logs and results (default $WORK)
  -b BINDIR   directory holding feedmuxd and feedmuxctl (default: the top of
              the source tree).  Copy them out first if others rebuild there.
  -n FEEDS    number of feeds, 10 entries each (default $NFEEDS)
  -D SECS     wrk duration during each feedmuxd cycle and idle (default
              $WRK_SECS; 0 = no wrk)
  -r RUNS     curl runs per cycle, best wall time kept (default $RUNS)
  -T LIMIT    give up on a cycle after LIMIT seconds (default $LIMIT)
  -S SECS     status poll interval while watching cycle 1 (default $STATUS_EVERY);
              each call makes the daemon serialise every feed's state
  -o RESULTS  results file (default WORKDIR/results.md)
  -s SEED     generator seed (default $SEED)
  --regen     regenerate the feeds even if WORKDIR has them
  --install   apt-get install -y ${PKGS[*]} (nginx if nginx-light is missing)
EOF
}

die() { echo "poll-bench: $*" >&2; exit 1; }
say() { echo "poll-bench: $*" >&2; }

while (($#)); do
	case $1 in
	-w) WORK=${2:?}; shift ;;
	-b) BIN=${2:?}; shift ;;
	-n) NFEEDS=${2:?}; shift ;;
	-D) WRK_SECS=${2:?}; shift ;;
	-r) RUNS=${2:?}; shift ;;
	-T) LIMIT=${2:?}; shift ;;
	-S) STATUS_EVERY=${2:?}; shift ;;
	-o) OUT=${2:?}; shift ;;
	-s) SEED=${2:?}; shift ;;
	--regen) REGEN=1 ;;
	--install) INSTALL=1 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done
[[ $NFEEDS =~ ^[1-9][0-9]*$ ]] && ((NFEEDS <= 99999)) || die "-n wants an integer from 1 to 99999"
[[ $WRK_SECS =~ ^[0-9]+$ ]] || die "-D wants a whole number of seconds"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "-r wants a positive integer"
[[ $LIMIT =~ ^[1-9][0-9]*$ ]] || die "-T wants a positive integer"
[[ $SEED =~ ^[0-9]+$ ]] || die "-s wants an integer"
[[ $STATUS_EVERY =~ ^[0-9]*\.?[0-9]+$ ]] || die "-S wants seconds, e.g. 0.05"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=${BIN:-$(cd "$HERE/../.." && pwd)}
BIN=$(cd "$BIN" 2>/dev/null && pwd) || die "no such directory: $BIN"
FEEDMUXD=$BIN/feedmuxd
FEEDMUXCTL=$BIN/feedmuxctl
mkdir -p "$WORK" || die "cannot create $WORK"
WORK=$(cd "$WORK" && pwd)
OUT=${OUT:-$WORK/results.md}
TMPD=$WORK/tmp
rm -rf "$TMPD"; mkdir -p "$TMPD"

# ---------------------------------------------------------------- prerequisites
check_prereqs() {
	missing=()
	command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
	command -v wrk >/dev/null || missing+=(wrk)
	command -v curl >/dev/null || missing+=(curl)
	"$GNU_TIME" --version 2>&1 | grep -q GNU || missing+=(time)
}
check_prereqs
if ((${#missing[@]})) && ((INSTALL)); then
	sudo=; ((EUID == 0)) || sudo=sudo
	say "installing: ${missing[*]}"
	if ! $sudo apt-get install -y "${missing[@]}" >&2; then
		say "apt-get install failed; running apt-get update once and retrying"
		$sudo apt-get update >&2 || die "apt-get update failed"
		if ! $sudo apt-get install -y "${missing[@]}" >&2; then
			# nginx-light is gone from newer Debian releases: plain nginx then
			$sudo apt-get install -y "${missing[@]/#nginx-light/nginx}" >&2 || die "apt-get install failed"
		fi
	fi
	check_prereqs
fi
((${#missing[@]})) && die "missing: ${missing[*]}; install them with apt-get install -y ${PKGS[*]} (or rerun with --install)"
[[ -x $PY ]] || die "$PY is needed: apt-get install -y python3"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $FEEDMUXD && -x $FEEDMUXCTL ]] || die "no feedmuxd/feedmuxctl in $BIN (use -b DIR)"
curl -V | grep -q '^curl 7\.\(8[3-9]\|9\)\|^curl [89]\.' || say "curl older than 7.83: %header{etag} may not work"

# ---------------------------------------------------------------- helpers (Python)
# One file, several subcommands, standard library only.
HELPER=$TMPD/helper.py
cat >"$HELPER" <<'PYEOF'
import json, os, random, re, subprocess, sys, time, datetime

WORDS = ("feed poll entry server daemon parser cache tag atom channel item "
         "latency budget socket thread worker queue commit index render "
         "cursor window header request reply status timeout retry backoff "
         "mirror archive digest summary update release patch kernel module "
         "network packet buffer stream record ledger review draft notice "
         "river harbor meadow lantern granite copper willow falcon ember "
         "quartz maple cedar orchid thunder glacier canyon prairie island").split()


def gen(args):
    """gen WWW N SEED: N feeds of 10 items in WWW/feeds; prints the bytes."""
    www, n, seed = args
    n, seed = int(n), int(seed)
    feeds = os.path.join(www, "feeds")
    os.makedirs(feeds, exist_ok=True)
    total = 0
    base = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    for i in range(1, n + 1):
        name = "f%05d" % i
        rnd = random.Random(seed * 100003 + i)
        title = " ".join(rnd.choice(WORDS) for _ in range(3)).title()
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n'
               '<rss version="2.0">\n<channel>\n'
               '<title>%s (%s)</title>\n'
               '<link>https://bench.example/%s/</link>\n'
               '<description>Benchmark feed %s, generated by poll-bench.sh</description>\n'
               '<language>en</language>\n' % (title, name, name, name)]
        for k in range(10):
            words = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(4, 16)))
            when = base + datetime.timedelta(days=rnd.randint(0, 300),
                                             seconds=rnd.randint(0, 86399))
            out.append(
                "<item>\n<title>%s</title>\n"
                "<link>https://bench.example/%s/%d.html</link>\n"
                '<guid isPermaLink="false">urn:pollbench:%s:%d</guid>\n'
                "<pubDate>%s</pubDate>\n"
                "<description>&lt;p&gt;%s.&lt;/p&gt;</description>\n</item>\n"
                % (" ".join(rnd.choice(WORDS) for _ in range(rnd.randint(3, 8))).capitalize(),
                   name, k, name, k,
                   when.strftime("%a, %d %b %Y %H:%M:%S +0000"),
                   words.capitalize()))
        out.append("</channel>\n</rss>\n")
        data = "".join(out).encode()
        total += len(data)
        with open(os.path.join(feeds, name + ".xml"), "wb") as f:
            f.write(data)
    print(total)


def conf(args):
    """conf CONF URLS200 N PORT1 PORT2 WORK: daemon config and curl config."""
    conf, urls, n, port1, port2, work = args
    n = int(n)
    with open(conf, "w") as f:
        f.write("[daemon]\nlisten = 127.0.0.1:%s\ncontrol_socket = %s/ctl.sock\n"
                "database = %s/feedmux.db\ninterval = 1d\nmin_interval = 1s\n"
                "host_delay = 0\nmax_transfers = 64\nmax_host_transfers = 64\n"
                "fetch_timeout = 60s\n" % (port1, work, work))
        for i in range(1, n + 1):
            f.write("\n[feed f%05d]\nurl = http://127.0.0.1:%s/feeds/f%05d.xml\n"
                    "tags = t%03d\n" % (i, port2, i, i % 200))
    with open(urls, "w") as f:
        for i in range(1, n + 1):
            f.write('url = "http://127.0.0.1:%s/feeds/f%05d.xml"\noutput = "/dev/null"\n'
                    % (port2, i))


def etags(args):
    """etags IN OUT N: '%{url_effective} %header{etag}' lines -> conditional curl config."""
    src, dst, n = args
    n = int(n)
    seen = {}
    for line in open(src):
        parts = line.rstrip("\n").split(" ", 1)
        if len(parts) == 2 and parts[1].strip():
            seen[parts[0]] = parts[1].strip()
    if len(seen) != n:
        sys.exit("etags: got %d ETags for %d feeds" % (len(seen), n))
    blocks = []
    for url in sorted(seen):
        tag = seen[url].replace("\\", "\\\\").replace('"', '\\"')
        # headers would pile up across the URLs of one operation: one
        # operation per URL, each with its own write-out and silent
        blocks.append('url = "%s"\noutput = "/dev/null"\nheader = "If-None-Match: %s"\n'
                      'write-out = "%%{http_code}\\n"\nsilent\n' % (url, tag))
    with open(dst, "w") as f:
        f.write("next\n".join(blocks))


def ticks():
    return os.sysconf("SC_CLK_TCK")


def proc(pid):
    """(cpu seconds, VmHWM KiB, VmRSS KiB) of pid; None if it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
        with open("/proc/%d/status" % pid) as f:
            status = f.read()
    except OSError:
        return None
    cpu = statcpu(st)
    hwm = int(re.search(r"^VmHWM:\s+(\d+)", status, re.M).group(1))
    rss = int(re.search(r"^VmRSS:\s+(\d+)", status, re.M).group(1))
    return cpu, hwm, rss


def statcpu(st):
    fields = st[st.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / ticks()     # utime + stime


def loopcpu(pid):
    """CPU seconds of the main (event loop) thread: its tid is the pid."""
    try:
        with open("/proc/%d/task/%d/stat" % (pid, pid)) as f:
            return statcpu(f.read())
    except OSError:
        return -1.0


def procinfo(args):
    """procinfo PID: 'cpu_s hwm_kib rss_kib loop_thread_cpu_s'"""
    pid = int(args[0])
    r = proc(pid)
    if r is None:
        sys.exit(1)
    print("%.2f %d %d %.2f" % (r + (loopcpu(pid),)))


def statuscost(args):
    """statuscost CTL SOCK PID N: N status calls on an idle daemon:
    'mean_latency_s daemon_cpu_per_call_s'"""
    ctl, sock, pid, n = args[0], args[1], int(args[2]), int(args[3])
    c0 = proc(pid)[0]
    t0 = time.monotonic()
    for _ in range(n):
        st, dt, extra = status(ctl, sock, brief=False)
        if st is None:
            sys.exit("status failed: %s" % extra)
    t1 = time.monotonic()
    c1 = proc(pid)[0]
    print("%.4f %.4f" % ((t1 - t0) / n, (c1 - c0) / n))


def status(ctl, sock, limit=60, brief=True):
    # "status brief": the counts without the per-feed list, which costs the
    # daemon ~40 ms per call with 10,000 feeds.
    t = time.monotonic()
    cmd = [ctl, "-s", sock, "--json", "status"] + (["brief"] if brief else [])
    p = subprocess.run(cmd, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=limit)
    dt = time.monotonic() - t
    if p.returncode != 0:
        return None, dt, p.stderr.decode(errors="replace").strip()
    return json.loads(p.stdout), dt, len(p.stdout)


def summary(st):
    res = {}
    for p in st.get("polls", []):
        res[p["result"]] = res.get(p["result"], 0) + 1
    codes = {}
    for p in st.get("polls", []):
        codes[str(p["http_status"])] = codes.get(str(p["http_status"]), 0) + 1
    return {"feeds": st.get("feeds"), "entries": st.get("entries"),
            "transfers": st.get("transfers"), "failing": st.get("failing"),
            "results": res, "http_status": codes,
            "politeness": st.get("politeness")}


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else 0.0


def watch(args):
    """watch CTL SOCK PID T0 N ENTRIES EVERY LIMIT OUT: poll status until the
    first cycle is over; write what we saw as JSON to OUT."""
    ctl, sock, pid, t0, n, want, every, limit, out = args
    pid, t0, n, want, every, limit = int(pid), float(t0), int(n), int(want), float(every), float(limit)
    lat, size, calls, last, err = [], 0, 0, None, None
    res = {"ok": False}
    nxt = time.time()
    while True:
        now = time.time()
        if now - t0 > limit:
            res["error"] = "cycle not over after %.0f s" % limit
            break
        if proc(pid) is None:
            res["error"] = "feedmuxd (pid %d) is gone" % pid
            break
        try:
            st, dt, extra = status(ctl, sock)
        except subprocess.TimeoutExpired:
            res["error"] = "feedmuxctl status did not answer within 60 s"
            break
        calls += 1
        lat.append(dt)
        if st is None:
            err = extra
        else:
            size = extra
            done_at = time.time()
            info = proc(pid)
            lcpu = loopcpu(pid)
            last = st
            new = st.get("new", 0)
            if new == 0 and st["transfers"] == 0 and st["entries"] == want:
                res.update(ok=True, wall=done_at - t0, cpu=info[0] if info else None,
                           hwm_kib=info[1] if info else None, loop_cpu=lcpu)
                break
        nxt += every
        delay = nxt - time.time()
        if delay > 0:
            time.sleep(delay)
        else:
            nxt = time.time()
    t = os.times()
    res.update(calls=calls, status_bytes=size, last_error=err,
               watcher_cpu=t.user + t.system + t.children_user + t.children_system,
               status_p50=pct(lat, 0.5), status_p90=pct(lat, 0.9),
               status_max=max(lat) if lat else 0.0,
               summary=summary(last) if last else None)
    with open(out, "w") as f:
        json.dump(res, f)


def check(args):
    """check CTL SOCK OUT: one status call, its summary as JSON."""
    ctl, sock, out = args
    st, dt, extra = status(ctl, sock, brief=False)
    if st is None:
        sys.exit("status failed: %s" % extra)
    s = summary(st)
    s["latency"] = dt
    s["pid"] = st.get("pid")
    with open(out, "w") as f:
        json.dump(s, f)


def get(args):
    """get FILE KEY.PATH: print one value of a JSON file."""
    v = json.load(open(args[0]))
    for k in args[1].split("."):
        v = v.get(k) if isinstance(v, dict) else None
    print("" if v is None else (json.dumps(v) if isinstance(v, (dict, list)) else v))


def wrkparse(args):
    """wrkparse FILE: 'req/s p99_ms requests non2xx3xx errors' from wrk --latency output."""
    text = open(args[0]).read()
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    rps = m.group(1) if m else "-"
    m = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
    p99 = "-"
    if m:
        p99 = "%.2f" % (float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[m.group(2)])
    m = re.search(r"(\d+) requests in", text)
    reqs = m.group(1) if m else "-"
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    bad = m.group(1) if m else "0"
    m = re.search(r"Socket errors:(.*)", text)
    errs = m.group(1).strip().replace(" ", "") if m else "none"
    print(rps, p99, reqs, bad, errs)


def freeport(args):
    import socket
    ports = set()
    socks = []
    while len(ports) < int(args[0]):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.add(s.getsockname()[1])
    print(" ".join(str(p) for p in sorted(ports)))


{"gen": gen, "conf": conf, "etags": etags, "procinfo": procinfo, "watch": watch,
 "check": check, "get": get, "statuscost": statuscost, "wrkparse": wrkparse, "freeport": freeport}[sys.argv[1]](sys.argv[2:])
PYEOF
helper() { "$PY" "$HELPER" "$@"; }
jget() { helper get "$@"; }
calc() { awk "BEGIN { printf \"%s\", ($*) }" </dev/null; }
fmt() { awk -v x="$2" "BEGIN { printf \"$1\", x }" </dev/null; }

WARN=()
warn() { WARN+=("$*"); say "WARNING: $*"; }

# ---------------------------------------------------------------- clean-up
# Every process we start is recorded here and stopped by its PID.
NGINX_PID='' DAEMON_PID='' WRK_PID=''
stop_pid() { # stop_pid PID NAME: TERM, wait up to 10 s, then KILL
	local pid=$1 i
	[[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		warn "$2 (pid $pid) ignored SIGTERM for 10 s; sending SIGKILL"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	return 0
}
cleanup() {
	stop_pid "$WRK_PID" wrk
	stop_pid "$DAEMON_PID" feedmuxd
	stop_pid "$NGINX_PID" nginx
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- data
read -r PORT1 PORT2 < <(helper freeport 2) || die "no free ports"
WWW=$WORK/www
stamp="n=$NFEEDS seed=$SEED gen=$(sed -n '/^PYEOF$/q;/^def gen/,/^def conf/p' "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16)"
if ((REGEN)) || [[ $(cat "$WWW/stamp" 2>/dev/null) != "$stamp" ]]; then
	say "generating $NFEEDS feeds in $WWW/feeds ..."
	rm -rf "$WWW"; mkdir -p "$WWW/feeds"
	FEED_BYTES=$(helper gen "$WWW" "$NFEEDS" "$SEED") || die "generator failed"
	echo "$FEED_BYTES" >"$WWW/bytes"
	echo "$stamp" >"$WWW/stamp"
else
	say "reusing feeds in $WWW ($stamp)"
	FEED_BYTES=$(cat "$WWW/bytes")
fi
helper conf "$WORK/feedmux.conf" "$WORK/urls-200.cfg" "$NFEEDS" "$PORT1" "$PORT2" "$WORK" || die "config generation failed"
nfiles=$(find "$WWW/feeds" -name 'f*.xml' | wc -l)
((nfiles == NFEEDS)) || die "$WWW/feeds has $nfiles feeds, wanted $NFEEDS (use --regen)"
ENTRIES=$((NFEEDS * 10))
say "$NFEEDS feeds, $ENTRIES entries, $FEED_BYTES bytes; nginx on 127.0.0.1:$PORT2, feedmuxd on 127.0.0.1:$PORT1"
"$FEEDMUXD" -t -c "$WORK/feedmux.conf" >"$TMPD/conftest" 2>&1 || die "feedmuxd -t: $(cat "$TMPD/conftest")"
say "$(cat "$TMPD/conftest")"

# ---------------------------------------------------------------- nginx
cat >"$WORK/nginx.conf" <<EOF
daemon off;
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    keepalive_requests 100000;
    etag on;
    types { application/rss+xml xml; }
    default_type application/octet-stream;
    client_body_temp_path $WORK/nginx-tmp/body;
    proxy_temp_path $WORK/nginx-tmp/proxy;
    fastcgi_temp_path $WORK/nginx-tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx-tmp/uwsgi;
    scgi_temp_path $WORK/nginx-tmp/scgi;
    server {
        listen 127.0.0.1:$PORT2;
        root $WWW;
    }
}
EOF
mkdir -p "$WORK/nginx-tmp"
rm -f "$WORK/nginx.pid" "$WORK/nginx-error.log"
"$NGINX" -t -q -e "$WORK/nginx-error.log" -c "$WORK/nginx.conf" -p "$WORK/" 2>"$TMPD/nginx-t" || die "nginx -t: $(cat "$TMPD/nginx-t")"
"$NGINX" -e "$WORK/nginx-error.log" -c "$WORK/nginx.conf" -p "$WORK/" </dev/null >"$WORK/nginx.out" 2>&1 &
NGINX_PID=$!
up=0
for ((i = 0; i < 100; i++)); do
	kill -0 "$NGINX_PID" 2>/dev/null || break
	if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT2/feeds/f00001.xml"; then up=1; break; fi
	sleep 0.1
done
((up)) || die "nginx did not come up on 127.0.0.1:$PORT2: $(cat "$WORK/nginx.out" "$WORK/nginx-error.log" 2>/dev/null | tail -5)"
say "nginx pid $NGINX_PID"
find "$WWW/feeds" -type f -exec cat {} + >/dev/null       # page cache

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
awk '{ exit !($1 > 0.5) }' /proc/loadavg && warn "load average at start is $LOAD_START: other work on this machine skews the timings"

# ---------------------------------------------------------------- curl floor
declare -A W C M L ST
# curl_cycle KEY CONFIG CODE [ARG...]: RUNS runs of curl --parallel; every
# response must be CODE (the config or ARGs print %{http_code} per transfer)
curl_cycle() {
	local key=$1 cfg=$2 want=$3 i t0 t1 w c m best='' bestc='' rss=0 got
	shift 3
	for ((i = 1; i <= RUNS; i++)); do
		t0=$EPOCHREALTIME
		timeout "$LIMIT" "$GNU_TIME" -f '%U %S %M' -o "$TMPD/time.$key" \
			curl --parallel --parallel-max 64 -s --config "$cfg" "$@" \
			>"$TMPD/codes.$key" 2>"$TMPD/err.$key"
		local rc=$?
		t1=$EPOCHREALTIME
		if ((rc != 0)); then
			ST[$key]="failed (exit $rc)"
			warn "$key: curl exit $rc: $(head -c 300 "$TMPD/err.$key")"
			return 1
		fi
		got=$(grep -c "^$want\$" "$TMPD/codes.$key")
		if ((got != NFEEDS)); then
			ST[$key]="wrong status codes"
			warn "$key: $got of $NFEEDS responses were $want: $(sort "$TMPD/codes.$key" | uniq -c | tr '\n' ' ')"
			return 1
		fi
		w=$(calc "$t1 - $t0")
		read -r u s m <"$TMPD/time.$key"
		c=$(calc "$u + $s")
		say "  $key run $i/$RUNS: $(fmt %.3f "$w") s wall, $(fmt %.2f "$c") s CPU, peak RSS $((m / 1024)) MiB, $got x $want"
		if [[ -z $best ]] || (($(calc "$w < $best"))); then best=$w bestc=$c; fi
		((m > rss)) && rss=$m
	done
	W[$key]=$best C[$key]=$bestc M[$key]=$rss ST[$key]=ok
}

say "== curl, all 200 ($RUNS runs)"
curl_cycle curl200 "$WORK/urls-200.cfg" 200 -w '%{http_code}\n'
say "== collecting ETags"
curl --parallel --parallel-max 64 -s --config "$WORK/urls-200.cfg" \
	-w '%{url_effective} %header{etag}\n' >"$TMPD/etags" 2>"$TMPD/err.etags" ||
	warn "ETag pass: curl exit $?"
if helper etags "$TMPD/etags" "$WORK/urls-304.cfg" "$NFEEDS" 2>"$TMPD/err.etags2"; then
	say "== curl, all 304 ($RUNS runs)"
	curl_cycle curl304 "$WORK/urls-304.cfg" 304
else
	ST[curl304]="no ETags"
	warn "$(cat "$TMPD/err.etags2")"
fi

# ---------------------------------------------------------------- wrk
declare -A WRK
wrk_start() { # wrk_start KEY: wrk in the background for WRK_SECS
	WRK_PID=
	((WRK_SECS > 0)) || return 0
	wrk -t1 -c8 -d"${WRK_SECS}s" --latency "http://127.0.0.1:$PORT1/tags/t001.atom" \
		</dev/null >"$WORK/wrk-$1.txt" 2>&1 &
	WRK_PID=$!
}
wrk_finish() { # wrk_finish KEY: wait (bounded) for wrk and parse it
	local key=$1 i
	if ((WRK_SECS == 0)); then WRK[$key]="- - - 0 none"; return; fi
	for ((i = 0; i < (WRK_SECS + 30) * 10; i++)); do
		kill -0 "$WRK_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$WRK_PID" 2>/dev/null; then
		warn "wrk ($key) still running $((WRK_SECS + 30)) s after it should have ended; stopping it"
		stop_pid "$WRK_PID" wrk
	fi
	wait "$WRK_PID" 2>/dev/null
	WRK_PID=
	WRK[$key]=$(helper wrkparse "$WORK/wrk-$key.txt")
	local rps p99 n bad errs
	read -r rps p99 n bad errs <<<"${WRK[$key]}"
	say "  wrk $key: $rps req/s, p99 $p99 ms, $n requests, non-2xx/3xx $bad, socket errors $errs"
	[[ $rps == - ]] && warn "wrk ($key) printed no result: $(tail -3 "$WORK/wrk-$key.txt" | tr '\n' ' ')"
	((bad == 0)) 2>/dev/null || warn "wrk ($key): $bad non-2xx/3xx responses"
	[[ $errs == none ]] || warn "wrk ($key): socket errors $errs"
}

# ---------------------------------------------------------------- feedmuxd cycle 1
daemon_dead() { # why the daemon is gone, with the tail of its log
	warn "feedmuxd (pid $DAEMON_PID) died; last log lines: $(tail -5 "$WORK/feedmuxd.log" | tr '\n' ' ')"
}
say "== feedmuxd cycle 1: start with an empty database, every feed new"
rm -f "$WORK/feedmux.db" "$WORK/feedmux.db-wal" "$WORK/feedmux.db-shm" "$WORK/feedmux.db-journal" "$WORK/ctl.sock"
T0=$EPOCHREALTIME
"$FEEDMUXD" -f -c "$WORK/feedmux.conf" </dev/null >"$WORK/feedmuxd.log" 2>&1 &
DAEMON_PID=$!
ready=0
while (($(calc "$EPOCHREALTIME - $T0 < $LIMIT"))); do
	kill -0 "$DAEMON_PID" 2>/dev/null || break
	if [[ -S $WORK/ctl.sock ]] && "$FEEDMUXCTL" -s "$WORK/ctl.sock" --json status >/dev/null 2>&1; then ready=1; break; fi
	sleep 0.01
done
T_READY=$EPOCHREALTIME
if ((!ready)); then
	kill -0 "$DAEMON_PID" 2>/dev/null && die "feedmuxd did not answer on $WORK/ctl.sock within $LIMIT s (log: $WORK/feedmuxd.log)"
	daemon_dead; die "feedmuxd exited during start-up (log: $WORK/feedmuxd.log)"
fi
wrk_start cycle1
STARTUP=$(calc "$T_READY - $T0")
say "  control socket answers after $(fmt %.2f "$STARTUP") s; watching status every ${STATUS_EVERY}s"
helper watch "$FEEDMUXCTL" "$WORK/ctl.sock" "$DAEMON_PID" "$T0" "$NFEEDS" "$ENTRIES" "$STATUS_EVERY" "$LIMIT" "$TMPD/cycle1.json" ||
	warn "status watcher failed"
wrk_finish cycle1
c1ok=$(jget "$TMPD/cycle1.json" ok)
if [[ $c1ok == True ]]; then
	W[fm1]=$(jget "$TMPD/cycle1.json" wall) C[fm1]=$(jget "$TMPD/cycle1.json" cpu) M[fm1]=$(jget "$TMPD/cycle1.json" hwm_kib) ST[fm1]=ok
	L[fm1]=$(jget "$TMPD/cycle1.json" loop_cpu)
	say "  cycle 1: $(fmt %.2f "${W[fm1]}") s wall, $(fmt %.2f "${C[fm1]}") s CPU, VmHWM $((M[fm1] / 1024)) MiB"
else
	ST[fm1]="failed: $(jget "$TMPD/cycle1.json" error)"
	warn "cycle 1: $(jget "$TMPD/cycle1.json" error); last status: $(jget "$TMPD/cycle1.json" summary)"
	kill -0 "$DAEMON_PID" 2>/dev/null || daemon_dead
fi
S1_CALLS=$(jget "$TMPD/cycle1.json" calls)
S1_P50=$(jget "$TMPD/cycle1.json" status_p50)
S1_P90=$(jget "$TMPD/cycle1.json" status_p90)
S1_MAX=$(jget "$TMPD/cycle1.json" status_max)
S1_BYTES=$(jget "$TMPD/cycle1.json" status_bytes)
S1_CPU=$(jget "$TMPD/cycle1.json" watcher_cpu)

# ---------------------------------------------------------------- feedmuxd cycle 2
if [[ ${ST[fm1]} == ok ]] && kill -0 "$DAEMON_PID" 2>/dev/null; then
	helper check "$FEEDMUXCTL" "$WORK/ctl.sock" "$TMPD/before2.json" || warn "status before cycle 2 failed"
	s=$(jget "$TMPD/before2.json" results) codes=$(jget "$TMPD/before2.json" http_status)
	say "  after cycle 1: results $s, http_status $codes, failing $(jget "$TMPD/before2.json" failing)"
	[[ $s == "{\"ok\": $NFEEDS}" ]] || warn "after cycle 1, poll results are $s (wanted all ok)"
	[[ $codes == "{\"200\": $NFEEDS}" ]] || warn "after cycle 1, http_status is $codes (wanted all 200)"
	NM0=$(jget "$TMPD/before2.json" politeness.not_modified)
	read -r cpu0 _ _ lcpu0 < <(helper procinfo "$DAEMON_PID")
	say "== feedmuxd cycle 2: feedmuxctl refresh, every feed 304"
	T2=$EPOCHREALTIME
	wrk_start cycle2
	timeout "$LIMIT" "$FEEDMUXCTL" -s "$WORK/ctl.sock" --json refresh --wait >"$TMPD/refresh.json" 2>"$TMPD/err.refresh"
	rc=$?
	T3=$EPOCHREALTIME
	read -r cpu1 hwm2 _ lcpu1 < <(helper procinfo "$DAEMON_PID") || cpu1=
	wrk_finish cycle2
	if ((rc != 0)); then
		ST[fm2]="failed (feedmuxctl refresh exit $rc)"
		warn "feedmuxctl refresh: exit $rc: $(head -c 300 "$TMPD/err.refresh")"
		kill -0 "$DAEMON_PID" 2>/dev/null || daemon_dead
	else
		W[fm2]=$(calc "$T3 - $T2") C[fm2]=$(calc "$cpu1 - $cpu0") M[fm2]=$hwm2 ST[fm2]=ok
		L[fm2]=$(calc "$lcpu1 - $lcpu0")
		say "  cycle 2: $(fmt %.2f "${W[fm2]}") s wall, $(fmt %.2f "${C[fm2]}") s CPU, VmHWM $((hwm2 / 1024)) MiB"
		helper check "$FEEDMUXCTL" "$WORK/ctl.sock" "$TMPD/after2.json" || warn "status after cycle 2 failed"
		NM1=$(jget "$TMPD/after2.json" politeness.not_modified)
		POL2=$(jget "$TMPD/after2.json" politeness)
		s=$(jget "$TMPD/after2.json" results) codes=$(jget "$TMPD/after2.json" http_status)
		say "  after cycle 2: results $s, http_status $codes, politeness $POL2"
		[[ $s == "{\"ok\": $NFEEDS}" ]] || warn "after cycle 2, poll results are $s (wanted all ok)"
		((NM1 - NM0 == NFEEDS)) || warn "politeness.not_modified went from $NM0 to $NM1 (+$((NM1 - NM0)), wanted +$NFEEDS)"
		[[ $(jget "$TMPD/after2.json" entries) == "$ENTRIES" ]] || warn "after cycle 2, entries = $(jget "$TMPD/after2.json" entries), wanted $ENTRIES"
	fi
else
	ST[fm2]="skipped (cycle 1 failed)"
fi

# ---------------------------------------------------------------- idle baseline
if kill -0 "$DAEMON_PID" 2>/dev/null && ((WRK_SECS > 0)); then
	say "== wrk against the idle daemon"
	read -r cpu_i0 _ _ _ < <(helper procinfo "$DAEMON_PID")
	wrk_start idle
	wrk_finish idle
	read -r cpu_i1 _ _ _ < <(helper procinfo "$DAEMON_PID")
	IDLE_CPU=$(calc "$cpu_i1 - $cpu_i0")
fi
if kill -0 "$DAEMON_PID" 2>/dev/null; then
	read -r SC_LAT SC_CPU < <(helper statuscost "$FEEDMUXCTL" "$WORK/ctl.sock" "$DAEMON_PID" 10) ||
		warn "status cost probe failed"
	[[ -n ${SC_LAT:-} ]] && say "  idle status call: $(fmt %.0f "$(calc "$SC_LAT * 1000")") ms, daemon CPU $(fmt %.0f "$(calc "$SC_CPU * 1000")") ms per call"
fi
read -r _ HWM_END RSS_END _ < <(helper procinfo "$DAEMON_PID") || HWM_END='' RSS_END=''
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
if kill -0 "$DAEMON_PID" 2>/dev/null; then
	kill -TERM "$DAEMON_PID"
	for ((i = 0; i < 300; i++)); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$DAEMON_PID" 2>/dev/null; then
		warn "feedmuxd did not exit within 30 s of SIGTERM"
	else
		wait "$DAEMON_PID"; rc=$?
		((rc == 0)) || warn "feedmuxd exited with status $rc after SIGTERM"
		DAEMON_PID=
	fi
fi
stop_pid "$DAEMON_PID" feedmuxd; DAEMON_PID=
stop_pid "$NGINX_PID" nginx; NGINX_PID=

# ---------------------------------------------------------------- report
ok() { [[ ${ST[$1]:-} == ok ]]; }
cell() { # cell KEY FIELD
	ok "$1" || { echo "${ST[$1]:-—}"; return; }
	case $2 in
	w) fmt %.2f "${W[$1]}" ;;
	c) fmt %.2f "${C[$1]}" ;;
	m) fmt %.1f "$(calc "${M[$1]} / 1024")" ;;
	esac
}
row() { echo "| $2 | $(cell "$1" w) | $(cell "$1" c) | $(cell "$1" m) |"; }
verdict() { if (($(calc "$1"))); then echo PASS; else echo FAIL; fi; }
ratio_line() { # LABEL NUM DEN TARGET
	if ok "$2" && ok "$3"; then
		local r; r=$(calc "${W[$2]} / ${W[$3]}")
		echo "- $1: $(fmt %.2f "$r")x (target <= $4x: $(verdict "$r <= $4"))"
	else
		echo "- $1: n/a (${ST[$2]:-?}; ${ST[$3]:-?})"
	fi
}
wrk_row() { # KEY LABEL
	local rps p99 n bad errs
	read -r rps p99 n bad errs <<<"${WRK[$1]:-- - - 0 none}"
	echo "| $2 | $rps | $p99 | $n | $bad | $errs |"
}
peak_kib=0
for k in fm1 fm2; do ok "$k" && ((M[$k] > peak_kib)) && peak_kib=${M[$k]}; done
[[ -n ${HWM_END:-} ]] && ((HWM_END > peak_kib)) && peak_kib=$HWM_END

{
	echo "# feedmuxd polling benchmark"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); host: $(uname -srm), $(nproc) CPU ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')); load average $LOAD_START at start, $LOAD_END at end"
	echo "- feedmuxd: $FEEDMUXD ($("$FEEDMUXD" -V 2>&1 | head -n1))"
	echo "- peers: $("$NGINX" -v 2>&1 | head -n1); $(curl --version | head -n1 | cut -d' ' -f1-3); $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-3)"
	echo "- data: $NFEEDS RSS 2.0 feeds (seed $SEED), 10 entries each = $ENTRIES entries, $FEED_BYTES bytes (avg $((FEED_BYTES / NFEEDS)) B/feed), served by nginx (2 workers, keep-alive) on 127.0.0.1; $((NFEEDS < 200 ? NFEEDS : 200)) tags"
	echo "- feedmuxd: max_transfers = max_host_transfers = 64, host_delay = 0; curl: --parallel --parallel-max 64"
	echo "- method: curl rows = best of $RUNS runs (wall), CPU = user+sys and peak RSS from GNU time. Cycle 1 = from starting feedmuxd on an empty database until \`status\` shows no feed \"new\", transfers = 0 and entries = $ENTRIES (status polled every ${STATUS_EVERY}s, so up to ~$(fmt %.0f "$(calc "$STATUS_EVERY * 1000")") ms + one status call late); CPU = utime+stime from /proc/PID/stat; RSS = VmHWM. Cycle 2 = wall time of \`feedmuxctl refresh\` (conditional GETs, all 304) on the same daemon; CPU = delta. The daemon's CPU includes serving wrk and the status calls. MiB = 2^20 bytes."
	echo
	echo "## Poll cycles"
	echo
	echo "| run | wall s | CPU s | peak RSS MiB |"
	echo "|---|---:|---:|---:|"
	row curl200 "curl, all 200"
	row curl304 "curl, all 304 (If-None-Match)"
	row fm1 "feedmuxd cycle 1 (start-up + all 200, $ENTRIES entries stored)"
	row fm2 "feedmuxd cycle 2 (\`refresh\`, all 304)"
	echo
	echo "feedmuxd cycle 1: control socket answered after $(fmt %.2f "$STARTUP") s (start-up), so polling took about $(ok fm1 && fmt %.2f "$(calc "${W[fm1]} - $STARTUP")" || echo "n/a") s; ${S1_CALLS:-?} status calls of ${S1_BYTES:-?} bytes, latency p50 $(fmt %.0f "$(calc "${S1_P50:-0} * 1000")") ms, p90 $(fmt %.0f "$(calc "${S1_P90:-0} * 1000")") ms, max $(fmt %.0f "$(calc "${S1_MAX:-0} * 1000")") ms; the watcher (python + feedmuxctl) used $(fmt %.2f "${S1_CPU:-0}") s CPU."
	loopline=
	ok fm1 && [[ ${L[fm1]:-} != "" ]] && loopline="cycle 1 $(fmt %.2f "${L[fm1]}") s of $(fmt %.2f "${C[fm1]}") s"
	ok fm2 && [[ ${L[fm2]:-} != "" ]] && loopline="${loopline:+$loopline, }cycle 2 $(fmt %.2f "${L[fm2]}") s of $(fmt %.2f "${C[fm2]}") s"
	[[ -n $loopline ]] && echo "CPU of the event-loop thread (HTTP, control socket, libcurl; the rest is the worker thread and libcurl's resolver threads): $loopline."
	[[ -n ${SC_LAT:-} ]] && ok fm1 && echo "One \`status\` call on the idle daemon afterwards: $(fmt %.0f "$(calc "$SC_LAT * 1000")") ms, $(fmt %.0f "$(calc "$SC_CPU * 1000")") ms of daemon CPU; cycle 1's ${S1_CALLS:-0} calls cost about $(fmt %.1f "$(calc "$SC_CPU * ${S1_CALLS:-0}")") s of the daemon's CPU."
	[[ -n ${POL2:-} ]] && echo "After cycle 2: politeness $POL2 (not_modified +$((NM1 - NM0)))."
	[[ -n ${HWM_END:-} ]] && echo "At the end: VmHWM $(fmt %.1f "$(calc "$HWM_END / 1024")") MiB, VmRSS $(fmt %.1f "$(calc "$RSS_END / 1024")") MiB."
	echo
	echo "## Targets"
	echo
	ratio_line "feedmuxd 304 cycle / curl 304" fm2 curl304 1.5
	ratio_line "feedmuxd first cycle / curl 200" fm1 curl200 10
	if ((peak_kib > 0)); then
		echo "- feedmuxd peak RSS (VmHWM): $(fmt %.1f "$(calc "$peak_kib / 1024")") MiB = $(fmt %.1f "$(calc "$peak_kib * 1024 / 1e6")") MB (target < 150 MB: $(verdict "$peak_kib * 1024 < 150e6"))"
	else
		echo "- feedmuxd peak RSS: n/a"
	fi
	echo
	echo "## Tag feed latency (wrk -t1 -c8 -d${WRK_SECS}s --latency /tags/t001.atom)"
	echo
	if ((WRK_SECS > 0)); then
		echo "wrk starts when the cycle starts (cycle 1: once the control socket answers) and runs ${WRK_SECS} s whatever the cycle's length$(ok fm1 && (($(calc "${W[fm1]} - $STARTUP < $WRK_SECS"))) && echo "; cycle 1 polled for less than that, so its row includes idle time")$(ok fm2 && (($(calc "${W[fm2]} < $WRK_SECS"))) && echo "; cycle 2 took less than that, so its row includes idle time")."
		echo
		echo "| while | req/s | p99 ms | requests | non-2xx/3xx | socket errors |"
		echo "|---|---:|---:|---:|---:|---|"
		wrk_row cycle1 "feedmuxd cycle 1"
		wrk_row cycle2 "feedmuxd cycle 2"
		wrk_row idle "idle daemon"
		[[ -n ${IDLE_CPU:-} ]] && { echo; echo "Daemon CPU while serving wrk idle: $(fmt %.2f "$IDLE_CPU") s in ${WRK_SECS} s."; }
	else
		echo "skipped (-D 0)"
	fi
	echo
	if ((${#WARN[@]})); then
		echo "## Warnings"
		echo
		for w in "${WARN[@]}"; do echo "- $w"; done
	else
		echo "All checks passed: every curl response had the expected status, cycle 1 stored $ENTRIES entries with every feed ok, cycle 2 got $NFEEDS x 304 (politeness.not_modified +$NFEEDS)."
	fi
	echo
	echo "Logs: $WORK/feedmuxd.log, $WORK/nginx-error.log, $WORK/wrk-*.txt"
} >"$TMPD/results.md"

cp "$TMPD/results.md" "$OUT" || die "cannot write $OUT"
echo
cat "$OUT"
echo
echo "results written to $OUT"
