#!/usr/bin/env bash
# store-bench.sh: the store at scale.  1,000,000 entries from 10,000 local
# RSS feeds (file://) through feedmuxd's real fetch, parse and store path,
# 200 tags (150 carried by feeds, 50 made by rules); then the database's
# size, start-up time on the full database, and how long one tag feed takes
# to render cold and warm (tests/bench/tag-render.c).  Run by hand; not part
# of `make check`, and nothing here asserts a time.  See tests/bench/README.
# All traffic stays on 127.0.0.1.
set -u -o pipefail
export LC_ALL=C

PY=/usr/bin/python3

WORK=/tmp/feedmux-storebench
BIN=
NFEEDS=10000
NENTRIES=100
RUNS=5
LIMIT=1800         # seconds: the most the ingest may take before we give up
STATUS_EVERY=0.5   # seconds between `status brief` calls while ingesting
WARM=1000          # warm renders per tag
OUT=
REGEN=0
PERF=0
DROP=1
SEED=20140330
# The seed text sits beside the checkout, in ../shared.
WORDS=${BENCH_WORDS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/../shared/seeds/security-clearance-blog.txt}

# The targets of the scale issue.
T_INGEST=50000     # entries/s, at least
T_COLD=5           # ms for a cold 50-entry tag feed, less than
T_START=1          # s from exec to serving, less than

usage() {
	cat <<EOF
usage: $0 [-w WORKDIR] [-b BINDIR] [-n FEEDS] [-e ENTRIES] [-r RUNS]
          [-T LIMIT] [-S SECS] [-o RESULTS] [-s SEED] [-W WORDFILE]
          [--regen] [--perf] [--no-drop] [-h]

  -w WORKDIR  feeds, config, database, logs and results (default $WORK)
  -b BINDIR   directory holding feedmuxd, feedmuxctl and tag-render, or a
              built tree (tests/bench/tag-render is made there if missing).
              Default: the top of the source tree.  Copy the binaries out
              first if others rebuild there.
  -n FEEDS    number of feeds (default $NFEEDS)
  -e ENTRIES  entries per feed (default $NENTRIES)
  -r RUNS     start-up runs, and fresh processes per tag for the cold
              render (default $RUNS)
  -T LIMIT    give up on the ingest after LIMIT seconds (default $LIMIT)
  -S SECS     \`status brief\` interval while ingesting (default $STATUS_EVERY)
  -o RESULTS  results file (default WORKDIR/results.md)
  -s SEED     generator seed (default $SEED)
  -W WORDFILE word source for the text (default \$BENCH_WORDS or
              ../shared/seeds/security-clearance-blog.txt beside the checkout)
  --regen     regenerate the feeds even if WORKDIR has them
  --perf      profile feedmuxd with perf during the ingest (perf record
              slows it down: the ingest rows of such a run are marked)
  --no-drop   skip the "OS cache dropped" rows (they need root, and
              dropping the page cache slows everything else on the host)
EOF
}

die() { echo "store-bench: $*" >&2; exit 1; }
say() { echo "store-bench: $*" >&2; }

while (($#)); do
	case $1 in
	-w) WORK=${2:?}; shift ;;
	-b) BIN=${2:?}; shift ;;
	-n) NFEEDS=${2:?}; shift ;;
	-e) NENTRIES=${2:?}; shift ;;
	-r) RUNS=${2:?}; shift ;;
	-T) LIMIT=${2:?}; shift ;;
	-S) STATUS_EVERY=${2:?}; shift ;;
	-o) OUT=${2:?}; shift ;;
	-s) SEED=${2:?}; shift ;;
	-W) WORDS=${2:?}; shift ;;
	--regen) REGEN=1 ;;
	--perf) PERF=1 ;;
	--no-drop) DROP=0 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done
[[ $NFEEDS =~ ^[1-9][0-9]*$ ]] && ((NFEEDS <= 99999)) || die "-n wants an integer from 1 to 99999"
[[ $NENTRIES =~ ^[1-9][0-9]*$ ]] && ((NENTRIES <= 100000)) || die "-e wants an integer from 1 to 100000"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "-r wants a positive integer"
[[ $LIMIT =~ ^[1-9][0-9]*$ ]] || die "-T wants a positive integer"
[[ $SEED =~ ^[0-9]+$ ]] || die "-s wants an integer"
[[ $STATUS_EVERY =~ ^[0-9]*\.?[0-9]+$ ]] || die "-S wants seconds, e.g. 0.5"
[[ -r $WORDS ]] || die "cannot read the word source $WORDS (-W)"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
GENFEEDS=$HERE/gen-feeds.py
[[ -r $GENFEEDS ]] || die "$GENFEEDS is missing (its text generator is used)"
BIN=${BIN:-$TOP}
BIN=$(cd "$BIN" 2>/dev/null && pwd) || die "no such directory: $BIN"
FEEDMUXD=$BIN/feedmuxd
FEEDMUXCTL=$BIN/feedmuxctl
[[ -x $FEEDMUXD && -x $FEEDMUXCTL ]] || die "no feedmuxd/feedmuxctl in $BIN (use -b DIR)"
[[ -x $PY ]] || die "$PY is needed: apt-get install -y python3"
TAGRENDER=
for c in "$BIN/tag-render" "$BIN/tests/bench/tag-render"; do
	[[ -x $c ]] && { TAGRENDER=$c; break; }
done
if [[ -z $TAGRENDER ]]; then
	[[ -f $BIN/Makefile ]] || die "no tag-render in $BIN: run 'make tests/bench/tag-render' in a configured tree and copy it to $BIN"
	say "building tag-render: make -C $BIN tests/bench/tag-render"
	make -C "$BIN" tests/bench/tag-render >&2 || die "make tests/bench/tag-render failed"
	TAGRENDER=$BIN/tests/bench/tag-render
fi
if ((PERF)); then
	command -v perf >/dev/null || die "--perf needs perf (apt-get install -y linux-perf)"
fi
mkdir -p "$WORK" || die "cannot create $WORK"
WORK=$(cd "$WORK" && pwd)
OUT=${OUT:-$WORK/results.md}
TMPD=$WORK/tmp
rm -rf "$TMPD"; mkdir -p "$TMPD"
LOG=$WORK/feedmuxd.log
DB=$WORK/feedmux.db

# ---------------------------------------------------------------- helpers (Python)
# One file, several subcommands, standard library only.  The feed text
# comes from gen-feeds.py's bigram chain (imported, not copied).
HELPER=$TMPD/helper.py
cat >"$HELPER" <<'PYEOF'
import datetime, hashlib, http.client, importlib.util, json, os, random, re
import signal, socket, sqlite3, subprocess, sys, time

# Categories: a fixed vocabulary of 100 terms, drawn with Zipf-like
# weights, so that some category rules match a lot and some little.
VOCAB = [
    "Russia", "Syria", "Diplomacy", "John Kerry", "Lavrov",
    "Secretary of State", "Military", "White House", "North Korea",
    "Chemical Weapons", "Ukraine", "Congress", "Intelligence", "Cyber",
    "Budget", "Europe", "Asia", "Middle East", "Analysis", "Opinion", "Video",
    "Assad", "Kim Jong-un", "Missile Defense", "Security Brief",
    "South Korea", "US Forces Korea", "Caf\u00e9 Diplomacy", "R&D", "Pentagon",
    "NATO", "China", "Iran", "Afghanistan", "Iraq", "Israel", "Egypt", "Libya",
    "Turkey", "Japan", "India", "Pakistan", "Germany", "France",
    "United Kingdom", "Poland", "Crimea", "Sanctions", "Nuclear",
    "Arms Control", "Terrorism", "Drones", "Navy", "Air Force", "Army",
    "Marines", "Veterans", "Defense Budget", "Homeland Security", "Espionage",
    "NSA", "Snowden", "Elections", "Human Rights", "Refugees", "Energy", "Oil",
    "Trade", "Economy", "Space", "Cybersecurity", "Counterterrorism",
    "Peacekeeping", "United Nations", "Geneva Talks", "Embassy",
    "State Department", "Foreign Aid", "Weapons Sales", "Special Forces",
    "Submarines", "Aircraft Carriers", "Border Security", "Immigration",
    "Arctic", "Africa", "Latin America", "Venezuela", "Cuba", "Mexico",
    "Canada", "Australia", "Baltic States", "Balkans", "Caucasus",
    "Central Asia", "Podcast", "Interview", "Explainer", "Breaking News"]
assert len(VOCAB) == 100 and len(set(VOCAB)) == 100
VOCAB_W = [1.0 / (k + 1) ** 0.9 for k in range(len(VOCAB))]

FIRST = ("Anna Ben Carla David Elena Farid Grace Hiro Ines Jonas Kemal Lena "
         "Marco Nadia Omar Priya Quinn Rosa Sven Tomas").split()
LAST = ("Alvarez Brandt Chen Dubois Eriksen Fischer Garcia Haddad Ivanova "
        "Jensen Kowalski Larsen Moreau Novak Okafor Petrov Rossi Schmidt "
        "Tanaka Weber").split()

NPLAIN = 150
MIX = 4                 # rule tags that feeds carry as well
MIX_SHARE = 0.03        # share of feeds carrying each of them


def genfeeds(path):
    spec = importlib.util.spec_from_file_location("gen_feeds", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def slug(s):
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def authors(gf):
    """60 names: the seed posts' bylines, then made-up ones."""
    names = list(gf.AUTHORS)
    r = random.Random("authors")
    while len(names) < 60:
        n = "%s %s" % (r.choice(FIRST), r.choice(LAST))
        if n not in names:
            names.append(n)
    return names


# ---------------------------------------------------------------- feeds
G = {}


def gen_init(gfpath, words):
    gf = genfeeds(gfpath)
    G["gf"] = gf
    G["text"] = gf.Text(words, random.Random(0))
    G["authors"] = authors(gf)


def gen_feed(i, nent, seed, www, anchor):
    """Feed i: RSS 2.0, nent items, newest first; (bytes, items)."""
    gf, t = G["gf"], G["text"]
    esc = gf.xml_escape
    r = random.Random("store-%d-%d" % (seed, i))
    t.rng = r
    name = "f%05d" % i
    site = "%s-%05d.example.net" % (t.slug(t.title())[:24].strip("-") or "site", i)
    pool = r.sample(G["authors"], r.randint(1, 4))
    # Newest entry within two weeks, oldest one to two years back.
    newest = anchor - datetime.timedelta(seconds=r.randint(0, 14 * 86400))
    span = r.randint(365 * 86400, 730 * 86400)
    ages = sorted(r.randint(0, span) for _ in range(nent))
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n'
           '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"'
           ' xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n'
           "<title>%s</title>\n<link>https://%s/</link>\n"
           '<atom:link href="https://%s/feed.xml" rel="self" type="application/rss+xml"/>\n'
           "<description>%s</description>\n<language>en-US</language>\n"
           "<lastBuildDate>%s</lastBuildDate>\n"
           "<generator>feedmux store-bench.sh</generator>\n"
           % (esc(t.title()), site, site, esc(t.sentence(6, 14)),
              gf.rfc822(newest, r))]
    for k, age in enumerate(ages):
        n = nent - k            # post number: the newest is the highest
        when = newest - datetime.timedelta(seconds=age)
        title = t.title()
        if r.random() < 0.03:
            title = "Opinion: " + title
        link = "https://%s/%04d/%02d/%02d/%s-%d/" % (
            site, when.year, when.month, when.day, t.slug(title)[:50], n)
        if r.random() < 0.7:
            guid = '<guid isPermaLink="true">%s</guid>' % link
        else:
            guid = ('<guid isPermaLink="false">tag:%s,%04d:post-%d</guid>'
                    % (site, when.year, n))
        cats = []
        for c in r.choices(VOCAB, weights=VOCAB_W, k=r.randint(1, 3)):
            if c not in cats:
                cats.append(c)
        out.append(
            "<item>\n<title>%s</title>\n<link>%s</link>\n%s\n"
            "<pubDate>%s</pubDate>\n<dc:creator>%s</dc:creator>\n%s"
            "<description>%s</description>\n</item>\n"
            % (esc(title), link, guid, gf.rfc822(when, r), esc(r.choice(pool)),
               "".join("<category>%s</category>\n" % esc(c) for c in cats),
               esc(t.html(r.randint(200, 500), (1, 3)))))
    out.append("</channel>\n</rss>\n")
    data = "".join(out).encode()
    with open(os.path.join(www, "feeds", name + ".xml"), "wb") as f:
        f.write(data)
    return len(data), nent


def gen_chunk(a):
    lo, hi, nent, seed, www, anchor = a
    b = e = 0
    for i in range(lo, hi):
        x, y = gen_feed(i, nent, seed, www, anchor)
        b += x
        e += y
    return b, e


def gen(args):
    """gen WWW N E SEED WORDS GEN-FEEDS.PY: prints 'bytes entries anchor'."""
    import multiprocessing
    www, n, nent, seed, words, gfpath = args
    n, nent, seed = int(n), int(nent), int(seed)
    os.makedirs(os.path.join(www, "feeds"), exist_ok=True)
    # Dates end at the start of today (UTC): none lies in the future.
    anchor = datetime.datetime.utcnow().replace(hour=0, minute=0, second=0,
                                                microsecond=0)
    step = 100
    chunks = [(lo, min(lo + step, n + 1), nent, seed, www, anchor)
              for lo in range(1, n + 1, step)]
    with multiprocessing.Pool(os.cpu_count() or 1, gen_init,
                              (gfpath, words)) as pool:
        res = pool.map(gen_chunk, chunks)
    print(sum(r[0] for r in res), sum(r[1] for r in res),
          anchor.strftime("%Y-%m-%d"))


# ---------------------------------------------------------------- config
def rule_tags(gf):
    """The 50 [tag NAME] sections: (name, [lines], kind, carried)."""
    tags = []
    cat_idx = [0, 1, 2, 3, 4, 6, 8, 10, 12, 14, 17, 20, 23, 26, 30, 34, 38,
               43, 48, 55, 63, 72, 84, 97]
    for j, k in enumerate(cat_idx):
        lines = ["include = category:%s" % VOCAB[k]]
        if j % 4 == 1:
            lines.append("include = category:%s" % VOCAB[k + 1])
        if j % 3 == 0:
            lines.append("exclude = title:/^Opinion:/")
        tags.append(("cat-" + slug(VOCAB[k]), lines, "category", False))
    for w in ["Kerry", "Russia", "Syria", "chemical", "Lavrov", "Ukraine",
              "Putin", "Obama", "Geneva", "Crimea", "Snowden", "Senate",
              "troops", "(Kerry|Lavrov)"]:
        lines = [r"include = title:/\b%s\b/i" % w]
        if len(tags) % 4 == 0:
            lines.append("exclude = title:/^Opinion:/")
        tags.append(("title-" + slug(w), lines, "title regex", False))
    for a in authors(gf)[:5]:
        tags.append(("author-" + slug(a), ["include = author:%s" % a],
                     "author", False))
    tags.append(("text-chemical-weapons",
                 [r"include = content:/\bchemical weapons\b/i"], "content regex", False))
    tags.append(("text-geneva", [r"include = any:/\bGeneva\b/i"], "content regex", False))
    tags.append(("text-sanctions", [r"include = content:/\bsanctions?\b/i",
                                    "exclude = category:Opinion"], "content regex", False))
    for j in range(MIX):
        tags.append(("mix-%d" % j, ["include = category:%s" % VOCAB[40 + j],
                                    "exclude = title:/^Opinion:/",
                                    "exclude = category:Video"],
                     "carried + rules", True))
    assert len(tags) == 50
    return tags


def plain_tags(i, seed):
    r = random.Random("tags-%d-%d" % (seed, i))
    w = [1.0 / (k + 1) ** 0.5 for k in range(NPLAIN)]
    got = []
    for k in r.choices(range(NPLAIN), weights=w, k=r.randint(1, 3)):
        name = "t%03d" % k
        if name not in got:
            got.append(name)
    for j in range(MIX):
        if r.random() < MIX_SHARE:
            got.append("mix-%d" % j)
    return got


def conf(args):
    """conf CONF WORK WWW N E SEED PORT GEN-FEEDS.PY: the daemon's config;
    writes WORK/tags.tsv (name, kind, rules) and prints 'PLAIN RULE'."""
    path, work, www, n, nent, seed, port, gfpath = args
    n, nent, seed = int(n), int(nent), int(seed)
    gf = genfeeds(gfpath)
    rt = rule_tags(gf)
    lines = ["# store-bench.sh: %d feeds x %d entries, %d plain tags, %d rule tags"
             % (n, nent, NPLAIN, len(rt)),
             "[daemon]",
             "listen = 127.0.0.1:%s" % port,
             "control_socket = %s/ctl.sock" % work,
             "database = %s/feedmux.db" % work,
             "allow_file_urls = yes",
             "interval = 1d",
             "adaptive = no",
             "host_delay = 0",
             "max_transfers = 64",
             "max_host_transfers = 64",
             "fetch_timeout = 300s",
             "keep_entries = 0",
             "keep_days = 0",
             "max_entries = %d" % max(10000, nent),
             "max_feed_size = 256M",
             ""]
    for i in range(1, n + 1):
        lines += ["[feed f%05d]" % i,
                  "url = file://%s/feeds/f%05d.xml" % (www, i),
                  "tags = %s" % ", ".join(plain_tags(i, seed)), ""]
    for name, rules, kind, carried in rt:
        lines += ["[tag %s]" % name] + rules + [""]
    text = "\n".join(lines)
    for ln in lines:
        if len(ln) > 197:
            sys.exit("conf: line longer than 197 characters: %s" % ln[:60])
    with open(path, "w") as f:
        f.write(text)
    with open(os.path.join(work, "tags.tsv"), "w") as f:
        for name, rules, kind, carried in rt:
            f.write("%s\t%s\t%s\n" % (name, kind, "; ".join(rules)))
    print("t000", "title-kerry")


# ---------------------------------------------------------------- /proc
def statcpu(st, split=False):
    """utime + stime of a /proc stat line, seconds (or both apart)."""
    fields = st[st.rindex(")") + 2:].split()
    u, s = (int(fields[11]) / os.sysconf("SC_CLK_TCK"),
            int(fields[12]) / os.sysconf("SC_CLK_TCK"))
    return (u, s) if split else u + s


def proc(pid):
    """{cpu, hwm_kib, rss_kib, threads: [[tid, comm, cpu, user, sys,
    runqueue wait]]}, seconds; None if gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            cpu = statcpu(f.read())
        with open("/proc/%d/status" % pid) as f:
            status = f.read()
        threads = []
        for tid in sorted(os.listdir("/proc/%d/task" % pid), key=int):
            try:
                with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                    st = f.read()
            except OSError:
                continue
            comm = st[st.index("(") + 1:st.rindex(")")]
            # schedstat: ns on a CPU, ns waiting for one, timeslices
            try:
                with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                    wait = int(f.read().split()[1]) / 1e9
            except (OSError, IndexError, ValueError):
                wait = -1.0
            threads.append([int(tid), comm, statcpu(st)] +
                           list(statcpu(st, True)) + [wait])
    except OSError:
        return None
    return {"cpu": cpu,
            "hwm_kib": int(re.search(r"^VmHWM:\s+(\d+)", status, re.M).group(1)),
            "rss_kib": int(re.search(r"^VmRSS:\s+(\d+)", status, re.M).group(1)),
            "threads": threads}


def procinfo(args):
    """procinfo PID OUT: proc() as JSON."""
    r = proc(int(args[0]))
    if r is None:
        sys.exit(1)
    with open(args[1], "w") as f:
        json.dump(r, f)


def settle(args):
    """settle PID LIMIT: seconds until the daemon's CPU time stops growing
    (unchanged for 1 s, sampled every 0.1 s)."""
    pid, limit = int(args[0]), float(args[1])
    t0 = time.time()
    last, changed = None, t0
    while time.time() - t0 < limit:
        info = proc(pid)
        if info is None:
            sys.exit(1)
        now = time.time()
        if last is None or info["cpu"] != last:
            last, changed = info["cpu"], now
        elif now - changed >= 1.0:
            break
        time.sleep(0.1)
    print("%.2f" % (changed - t0))


# ---------------------------------------------------------------- ingest
STORED = re.compile(r" feed (\S+): (\d+) new entries, (\d+) updated$")
ODD = re.compile(r"\] (warning|error|crit|alert|emerg): | failed: ")


def status(ctl, sock):
    t = time.monotonic()
    p = subprocess.run([ctl, "-s", sock, "--json", "status", "brief"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    dt = time.monotonic() - t
    if p.returncode != 0:
        return None, dt
    return json.loads(p.stdout), dt


def http_get(port, path, timeout=10):
    """(status, body) of GET path; None while nothing listens."""
    c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read()
    except (ConnectionRefusedError, ConnectionResetError):
        return None
    finally:
        c.close()


class LogTail:
    """Reads what the daemon logged since the last call."""

    def __init__(self, path):
        self.path, self.pos, self.rest = path, 0, b""
        self.stored, self.added, self.last, self.odd = {}, 0, None, []
        self.lines = 0

    def poll(self, now):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.pos)
                data = f.read()
        except OSError:
            return
        self.pos += len(data)
        data = self.rest + data
        lines = data.split(b"\n")
        self.rest = lines.pop()
        for raw in lines:
            self.lines += 1
            ln = raw.decode("utf-8", "replace")
            m = STORED.search(ln)
            if m:
                if m.group(1) not in self.stored:
                    self.added += int(m.group(2))
                self.stored[m.group(1)] = int(m.group(2))
                self.last = now
            elif ODD.search(ln) and len(self.odd) < 20:
                self.odd.append(ln)


def watch(args):
    """watch CTL SOCK PID T0 N WANT EVERY LIMIT LOG PORT OUT: wait until
    every feed is polled and stored; write what we saw as JSON to OUT."""
    ctl, sock, pid, t0, n, want, every, limit, log, port, out = args
    pid, t0, n, want = int(pid), float(t0), int(n), int(want)
    every, limit = float(every), float(limit)
    res = {"ok": False}
    tail = LogTail(log)
    # Start-up: HTTP accepts once every (empty) tag is rendered.
    while time.time() - t0 < limit and proc(pid) is not None:
        try:
            with socket.create_connection(("127.0.0.1", int(port)), 1):
                res["ready"] = time.time() - t0
                break
        except OSError:
            time.sleep(0.01)
    samples, lat, calls, last = [], [], 0, None
    nxt = time.time()
    while True:
        now = time.time()
        tail.poll(now)
        if now - t0 > limit:
            res["error"] = "not done after %.0f s" % limit
            break
        if proc(pid) is None:
            res["error"] = "feedmuxd (pid %d) is gone" % pid
            break
        if now >= nxt:
            st, dt = status(ctl, sock)
            calls += 1
            lat.append(dt)
            nxt += every
            if st is not None:
                last = st
                samples.append([time.time() - t0, st["entries"]])
                if (st["new"] == 0 and st["polling"] == 0 and
                        st["transfers"] == 0):
                    tail.poll(time.time())
                    info = proc(pid)
                    done = tail.last if len(tail.stored) >= n else time.time()
                    res.update(ok=True, wall=done - t0, entries=st["entries"],
                               failing=st["failing"], proc=info,
                               seen_at=time.time() - t0)
                    break
        time.sleep(0.02)
    res.update(calls=calls, status_max=max(lat) if lat else 0,
               status_p50=sorted(lat)[len(lat) // 2] if lat else 0,
               samples=samples, logged_feeds=len(tail.stored),
               logged_entries=tail.added, odd=tail.odd, last_status=last)
    # The steady rate: between 10 % and 90 % of the entries stored.
    def at(frac):
        for (ta, ea), (tb, eb) in zip(samples, samples[1:]):
            if ea <= frac * want <= eb and eb > ea:
                return ta + (frac * want - ea) / (eb - ea) * (tb - ta)
        return None
    a, b = at(0.1), at(0.9)
    # Entries grow by whole batches (up to 512 feeds a commit): the rate
    # means something only over many of them.
    steps = len(set(e for _, e in samples if 0.1 * want <= e <= 0.9 * want))
    if a is not None and b is not None and b > a and steps >= 10:
        res["steady_rate"] = 0.8 * want / (b - a)
    first = next((s for s in samples if s[1] > 0), None)
    res["first_entries_by"] = first[0] if first else None
    with open(out, "w") as f:
        json.dump(res, f)


# ---------------------------------------------------------------- start-up
def startup(args):
    """startup FEEDMUXD CONF PORT TAG LOG PIDFILE LIMIT OUT: start the daemon
    on a stored database, time exec -> first 200 for TAG, stop it."""
    feedmuxd, conf, port, tag, log, pidfile, limit, out = args
    limit = float(limit)
    res = {"ok": False}
    path = "/tags/%s.atom" % tag
    with open(log, "ab") as lf:
        lf.write(b"--- store-bench: start-up run\n")
        lf.flush()
        t0 = time.monotonic()
        p = subprocess.Popen([feedmuxd, "-f", "-c", conf],
                             stdin=subprocess.DEVNULL, stdout=lf, stderr=lf)
    with open(pidfile, "w") as f:
        f.write("%d\n" % p.pid)
    tries = 0
    while time.monotonic() - t0 < limit:
        if p.poll() is not None:
            res["error"] = "feedmuxd exited with status %d" % p.returncode
            break
        tries += 1
        r = http_get(port, path)
        if r is None:
            time.sleep(0.01)
            continue
        res["first_status"] = r[0]
        if r[0] == 200:
            res.update(ok=True, seconds=time.monotonic() - t0,
                       entries=r[1].count(b"<entry>"), bytes=len(r[1]))
            break
        time.sleep(0.01)
    else:
        res["error"] = "no 200 for %s within %.0f s" % (path, limit)
    res["tries"] = tries
    info = proc(p.pid)
    if info is not None:
        res["hwm_kib"] = info["hwm_kib"]
        res["cpu"] = info["cpu"]
    if p.poll() is None:
        t1 = time.monotonic()
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(60)
            res["stop_seconds"] = time.monotonic() - t1
            res["exit"] = p.returncode
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            res["exit"] = "killed after 60 s"
    with open(out, "w") as f:
        json.dump(res, f)


# ---------------------------------------------------------------- database
def dbstat(args):
    """dbstat DB TAGS.TSV OUT: row counts, space per table and index, tag sizes."""
    db, tsv, out = args
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    res = {"rows": []}
    # Every table the schema has (it changes between versions).
    for (t,) in c.execute("SELECT name FROM sqlite_schema WHERE type = "
                          "'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
                          ).fetchall():
        res["rows"].append([t, c.execute('SELECT count(*) FROM "%s"' % t).fetchone()[0]])
    res["rows"].sort(key=lambda r: -r[1])
    res["schema_version"] = c.execute("PRAGMA user_version").fetchone()[0]
    res["space"] = c.execute(
        "SELECT name, sum(pgsize) FROM dbstat GROUP BY name "
        "ORDER BY 2 DESC").fetchall()
    res["page_size"] = c.execute("PRAGMA page_size").fetchone()[0]
    res["freelist"] = c.execute("PRAGMA freelist_count").fetchone()[0]
    kinds = {}
    for ln in open(tsv):
        name, kind, _ = ln.rstrip("\n").split("\t")
        kinds[name] = kind
    sizes = {}
    for name, cnt in c.execute(
            "SELECT t.name, count(te.tag_id) FROM tags t LEFT JOIN "
            "tag_entries te ON te.tag_id = t.id GROUP BY t.id"):
        sizes[name] = cnt
    res["tag_sizes"] = sizes
    res["tag_kinds"] = kinds
    groups = {}
    for name, cnt in sizes.items():
        groups.setdefault("plain" if name not in kinds else kinds[name], []).append(cnt)
    res["tag_groups"] = {k: [len(v), min(v), sorted(v)[len(v) // 2], max(v), sum(v)]
                         for k, v in groups.items()}
    res["entries_per_feed"] = c.execute(
        "SELECT min(entries), max(entries) FROM feeds").fetchone()
    c.close()
    with open(out, "w") as f:
        json.dump(res, f)


def get(args):
    """get FILE KEY.PATH: print one value of a JSON file."""
    v = json.load(open(args[0]))
    for k in args[1].split("."):
        if isinstance(v, list):
            v = v[int(k)] if k.lstrip("-").isdigit() and -len(v) <= int(k) < len(v) else None
        else:
            v = v.get(k) if isinstance(v, dict) else None
    print("" if v is None else (json.dumps(v) if isinstance(v, (dict, list)) else v))


def freeport(args):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()


if __name__ == "__main__":
    {"gen": gen, "conf": conf, "procinfo": procinfo, "watch": watch,
     "startup": startup, "dbstat": dbstat, "get": get, "settle": settle,
     "freeport": freeport}[sys.argv[1]](sys.argv[2:])
PYEOF
helper() { "$PY" "$HELPER" "$@"; }
jget() { helper get "$@"; }
calc() { awk "BEGIN { printf \"%s\", ($*) }" </dev/null; }
fmt() { awk -v x="$2" "BEGIN { printf \"$1\", x }" </dev/null; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
maxof() { sort -g | tail -n1; }

WARN=()
warn() { WARN+=("$*"); say "WARNING: $*"; }

# ---------------------------------------------------------------- clean-up
# Every process we start is recorded here and stopped by its PID.
DAEMON_PID='' PERF_PID=''
STARTUP_PIDFILE=$TMPD/startup.pid
stop_pid() { # stop_pid PID NAME [SIGNAL]: signal, wait up to 60 s, then KILL
	local pid=$1 i
	[[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
	kill "-${3:-TERM}" "$pid" 2>/dev/null
	for ((i = 0; i < 600; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		warn "$2 (pid $pid) still running 60 s after SIG${3:-TERM}; sending SIGKILL"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	return 0
}
cleanup() {
	stop_pid "$PERF_PID" perf INT
	stop_pid "$DAEMON_PID" feedmuxd
	[[ -s $STARTUP_PIDFILE ]] && stop_pid "$(cat "$STARTUP_PIDFILE")" feedmuxd
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# drop_cache: empty the OS page cache (root only); 0 if it worked
DROP_OK=0 DROP_NOTE=
drop_cache() {
	sync && { echo 3 >/proc/sys/vm/drop_caches; } 2>/dev/null && return 0
	warn "could not drop the page cache (echo 3 > /proc/sys/vm/drop_caches)"
	return 1
}
if ((!DROP)); then
	DROP_NOTE="skipped (--no-drop)"
elif [[ -w /proc/sys/vm/drop_caches ]]; then
	DROP_OK=1
else
	DROP_NOTE="not permitted here (/proc/sys/vm/drop_caches is not writable)"
fi

# Some VMs page out memory that stays idle for a while (a DAMON kdamond
# with a pageout scheme): then the page cache is warm only for what was
# touched recently, so the database is read again before each warm row.
DAMON_NOTE=
for s in /sys/kernel/mm/damon/admin/kdamonds/*/contexts/*/schemes/*; do
	[[ $(cat "$s/action" 2>/dev/null) == pageout ]] || continue
	k=${s%/contexts/*}
	[[ $(cat "$k/state" 2>/dev/null) == on ]] || continue
	c=${s%/schemes/*}
	age=$(cat "$s/access_pattern/age/min" 2>/dev/null || echo 0)
	aggr=$(cat "$c/monitoring_attrs/intervals/aggr_us" 2>/dev/null || echo 0)
	DAMON_NOTE="a DAMON kdamond pages out memory idle for $((age * aggr / 1000000)) s or more ($s)"
done
warm_db() { cat -- "$DB" "$DB-wal" >/dev/null 2>&1; return 0; }

# ---------------------------------------------------------------- data
WWW=$WORK/www
ENTRIES=$((NFEEDS * NENTRIES))
gensum=$(sed -n '1,/^# -\{10,\} config/p' "$HELPER" | cat - "$GENFEEDS" "$WORDS" | sha256sum | cut -c1-16)
stamp="n=$NFEEDS e=$NENTRIES seed=$SEED gen=$gensum"
if ((REGEN)) || [[ $(cat "$WWW/stamp" 2>/dev/null) != "$stamp" ]]; then
	say "generating $NFEEDS feeds of $NENTRIES entries in $WWW/feeds ..."
	t=$EPOCHREALTIME
	rm -rf "$WWW"; mkdir -p "$WWW/feeds"
	helper gen "$WWW" "$NFEEDS" "$NENTRIES" "$SEED" "$WORDS" "$GENFEEDS" >"$WWW/manifest" || die "generator failed"
	echo "$stamp" >"$WWW/stamp"
	say "  generated in $(fmt %.0f "$(calc "$EPOCHREALTIME - $t")") s"
else
	say "reusing feeds in $WWW ($stamp)"
fi
read -r FEED_BYTES GEN_ENTRIES ANCHOR <"$WWW/manifest"
((GEN_ENTRIES == ENTRIES)) || die "$WWW holds $GEN_ENTRIES entries, wanted $ENTRIES (use --regen)"
nfiles=$(find "$WWW/feeds" -name 'f*.xml' | wc -l)
((nfiles == NFEEDS)) || die "$WWW/feeds has $nfiles feeds, wanted $NFEEDS (use --regen)"
PORT=$(helper freeport) || die "no free port"
read -r PLAIN_TAG RULE_TAG < <(helper conf "$WORK/feedmux.conf" "$WORK" "$WWW" "$NFEEDS" "$NENTRIES" "$SEED" "$PORT" "$GENFEEDS") ||
	die "config generation failed"
"$FEEDMUXD" -t -c "$WORK/feedmux.conf" >"$TMPD/conftest" 2>&1 || die "feedmuxd -t: $(cat "$TMPD/conftest")"
say "$(cat "$TMPD/conftest")"
NTAGS=$(sed -n 's/.*, \([0-9]*\) tags).*/\1/p' "$TMPD/conftest")
RULE_DESC=$(awk -F'\t' -v t="$RULE_TAG" '$1 == t { print $3 }' "$WORK/tags.tsv")
say "$NFEEDS feeds, $ENTRIES entries, $FEED_BYTES bytes; feedmuxd on 127.0.0.1:$PORT"
say "reading the feeds into the page cache ..."
find "$WWW/feeds" -type f -exec cat {} + >/dev/null

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
awk '{ exit !($1 > 0.5) }' /proc/loadavg && warn "load average at start is $LOAD_START: other work on this machine skews the timings"

# ---------------------------------------------------------------- ingest
say "== ingest: feedmuxd on an empty database, every feed new"
rm -f "$DB" "$DB-wal" "$DB-shm" "$DB-journal" "$WORK/ctl.sock" "$WORK/perf.data"
: >"$LOG"
T0=$EPOCHREALTIME
"$FEEDMUXD" -f -c "$WORK/feedmux.conf" </dev/null >>"$LOG" 2>&1 &
DAEMON_PID=$!
if ((PERF)); then
	# Sampled from the start: dwarf unwinding, because -O2 code keeps no
	# frame pointers.
	perf record -q -F 99 -e cpu-clock --call-graph dwarf,8192 -p "$DAEMON_PID" \
		-o "$WORK/perf.data" >"$TMPD/perf.out" 2>&1 &
	PERF_PID=$!
fi
helper watch "$FEEDMUXCTL" "$WORK/ctl.sock" "$DAEMON_PID" "$T0" "$NFEEDS" "$ENTRIES" \
	"$STATUS_EVERY" "$LIMIT" "$LOG" "$PORT" "$TMPD/ingest.json" || warn "ingest watcher failed"
if [[ -n $PERF_PID ]]; then
	stop_pid "$PERF_PID" perf INT; PERF_PID=
fi
ING_OK=$(jget "$TMPD/ingest.json" ok)
if [[ $ING_OK == True ]]; then
	ING_WALL=$(jget "$TMPD/ingest.json" wall)
	ING_STORED=$(jget "$TMPD/ingest.json" entries)
	ING_RATE=$(calc "$ING_STORED / $ING_WALL")
	ING_CPU=$(jget "$TMPD/ingest.json" proc.cpu)
	ING_HWM=$(jget "$TMPD/ingest.json" proc.hwm_kib)
	say "  $ING_STORED entries stored in $(fmt %.2f "$ING_WALL") s: $(fmt %.0f "$ING_RATE") entries/s; CPU $(fmt %.1f "$ING_CPU") s; VmHWM $((ING_HWM / 1024)) MiB"
	((ING_STORED == ENTRIES)) || warn "stored $ING_STORED entries, wanted $ENTRIES"
	f=$(jget "$TMPD/ingest.json" failing)
	((f == 0)) || warn "$f feeds failing after the ingest"
	# What the worker does after the last store: render the dirty tags.
	read -r SETTLE < <(helper settle "$DAEMON_PID" 60) || SETTLE=
else
	warn "ingest: $(jget "$TMPD/ingest.json" error); last status: $(jget "$TMPD/ingest.json" last_status)"
	kill -0 "$DAEMON_PID" 2>/dev/null || warn "feedmuxd died; last log lines: $(tail -5 "$LOG" | tr '\n' ' ')"
fi
helper procinfo "$DAEMON_PID" "$TMPD/end.json" || warn "feedmuxd gone before the end"
END_HWM=$(jget "$TMPD/end.json" hwm_kib)
if kill -0 "$DAEMON_PID" 2>/dev/null; then
	t=$EPOCHREALTIME
	kill -TERM "$DAEMON_PID"
	for ((i = 0; i < 1200; i++)); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.05; done
	if kill -0 "$DAEMON_PID" 2>/dev/null; then
		warn "feedmuxd did not exit within 60 s of SIGTERM"
	else
		wait "$DAEMON_PID"; rc=$?
		STOP_S=$(calc "$EPOCHREALTIME - $t")
		((rc == 0)) || warn "feedmuxd exited with status $rc after SIGTERM"
		DAEMON_PID=
	fi
fi
stop_pid "$DAEMON_PID" feedmuxd; DAEMON_PID=

# ---------------------------------------------------------------- database
fsize() { stat -c %s "$1" 2>/dev/null || echo 0; }
DB_MAIN=$(fsize "$DB") DB_WAL=$(fsize "$DB-wal") DB_SHM=$(fsize "$DB-shm")
DB_TOTAL=$((DB_MAIN + DB_WAL))
say "== database: $DB_MAIN bytes + WAL $DB_WAL bytes (+ shm $DB_SHM)"
helper dbstat "$DB" "$WORK/tags.tsv" "$TMPD/dbstat.json" || warn "dbstat failed"

# ---------------------------------------------------------------- start-up
declare -a ST_S=()
run_startup() { # run_startup KEY: one start, exec -> 200 on the plain tag
	helper startup "$FEEDMUXD" "$WORK/feedmux.conf" "$PORT" "$PLAIN_TAG" "$LOG" \
		"$STARTUP_PIDFILE" 120 "$TMPD/startup-$1.json" || warn "start-up run $1: helper failed"
	: >"$STARTUP_PIDFILE"
	if [[ $(jget "$TMPD/startup-$1.json" ok) == True ]]; then
		local s; s=$(jget "$TMPD/startup-$1.json" seconds)
		say "  run $1: $(fmt %.3f "$s") s to 200 ($(jget "$TMPD/startup-$1.json" entries) entries), stop $(fmt %.2f "$(jget "$TMPD/startup-$1.json" stop_seconds)") s"
		echo "$s"
	else
		warn "start-up run $1: $(jget "$TMPD/startup-$1.json" error)"
	fi
}
say "== start-up on the full database ($RUNS runs)"
STARTUP_FROM=$(wc -l <"$LOG")
for ((r = 1; r <= RUNS; r++)); do
	warm_db
	s=$(run_startup "$r") && [[ -n $s ]] && ST_S+=("$s")
done
if ((${#ST_S[@]})); then
	ST_MED=$(printf '%s\n' "${ST_S[@]}" | median)
	ST_MAX=$(printf '%s\n' "${ST_S[@]}" | maxof)
fi
ST_DROP=
if ((DROP_OK)); then
	if drop_cache; then
		say "== start-up with the OS page cache dropped"
		ST_DROP=$(run_startup drop)
	fi
fi

# ---------------------------------------------------------------- tag render
# tag-render prints KEY=VALUE lines; tr_get FILE PREFIX KEY picks one.
tr_get() { awk -v p="$2" -v k="$3" '$1 == p { for (i = 2; i <= NF; i++) { split($i, a, "="); if (a[1] == k) print a[2] } }' "$1"; }
declare -A COLD_MED COLD_MAX COLD_Q COLD_R COLD_DROP WARM_MED WARM_P99 ITEMS BYTES
say "== tag render: cold (fresh process) x $RUNS and warm x $WARM per tag"
warm_db
"$TAGRENDER" -a "$WORK/feedmux.conf" >"$TMPD/render-all.txt" 2>"$TMPD/render-all.err" ||
	warn "tag-render -a failed: $(head -c 300 "$TMPD/render-all.err")"
for tag in "$PLAIN_TAG" "$RULE_TAG"; do
	cold=() qs=() rs=()
	for ((r = 1; r <= RUNS; r++)); do
		n=0; ((r == 1)) && n=$WARM
		f=$TMPD/render-$tag-$r.txt
		warm_db
		if ! "$TAGRENDER" -n "$n" "$WORK/feedmux.conf" "$tag" >"$f" 2>"$f.err"; then
			warn "tag-render $tag: $(head -c 300 "$f.err")"
			continue
		fi
		cold+=("$(tr_get "$f" cold ms)") qs+=("$(tr_get "$f" cold query_ms)") rs+=("$(tr_get "$f" cold render_ms)")
		if ((r == 1)); then
			WARM_MED[$tag]=$(tr_get "$f" warm median_ms) WARM_P99[$tag]=$(tr_get "$f" warm p99_ms)
			ITEMS[$tag]=$(tr_get "$f" cold items) BYTES[$tag]=$(tr_get "$f" cold bytes)
		fi
	done
	if ((${#cold[@]})); then
		COLD_MED[$tag]=$(printf '%s\n' "${cold[@]}" | median)
		COLD_MAX[$tag]=$(printf '%s\n' "${cold[@]}" | maxof)
		COLD_Q[$tag]=$(printf '%s\n' "${qs[@]}" | median)
		COLD_R[$tag]=$(printf '%s\n' "${rs[@]}" | median)
		say "  $tag: cold median $(fmt %.2f "${COLD_MED[$tag]}") ms (max $(fmt %.2f "${COLD_MAX[$tag]}")), warm median ${WARM_MED[$tag]:-?} ms, p99 ${WARM_P99[$tag]:-?} ms"
	fi
	if ((DROP_OK)) && drop_cache; then
		f=$TMPD/render-$tag-drop.txt
		if "$TAGRENDER" -n 0 "$WORK/feedmux.conf" "$tag" >"$f" 2>"$f.err"; then
			COLD_DROP[$tag]=$(tr_get "$f" cold ms)
			say "  $tag: cold with the OS cache dropped $(fmt %.2f "${COLD_DROP[$tag]}") ms"
		else
			warn "tag-render $tag (cache dropped): $(head -c 300 "$f.err")"
		fi
	fi
done
SQLITE_VERSION=$(awk '$1 == "version" { sub("sqlite=", "", $2); print $2 }' "$TMPD/render-$PLAIN_TAG-1.txt" 2>/dev/null)

# ---------------------------------------------------------------- profile
if ((PERF)) && [[ -s $WORK/perf.data ]]; then
	say "== perf report"
	perf report -i "$WORK/perf.data" --no-children --sort sym --stdio --percent-limit 0.7 \
		-g none 2>/dev/null | grep -v '^$' >"$WORK/perf-self.txt"
	perf report -i "$WORK/perf.data" --children --sort sym --stdio --percent-limit 3 \
		-g none 2>/dev/null | grep -v '^$' >"$WORK/perf-children.txt"
	perf report -i "$WORK/perf.data" --no-children --sort pid --stdio -g none \
		2>/dev/null | grep -v '^$' >"$WORK/perf-threads.txt"
	perf report -i "$WORK/perf.data" --no-children --sort dso --stdio -g none \
		2>/dev/null | grep -v '^$' >"$WORK/perf-dso.txt"
fi

# ---------------------------------------------------------------- log
# Anything but the expected info lines, from the ingest and the start-ups.
grep -E '\] (warning|error|crit|alert|emerg): | failed: ' "$LOG" >"$TMPD/odd.txt"
NODD=$(wc -l <"$TMPD/odd.txt")
tail -n +"$((STARTUP_FROM + 1))" "$LOG" >"$TMPD/startup.log"
ST_STORED=$(grep -c ' new entries, ' "$TMPD/startup.log")
ST_REBUILD=$(grep -c 'tag membership of' "$TMPD/startup.log")
((ST_STORED == 0)) || warn "the start-up runs stored entries ($ST_STORED feeds): something was polled"
((ST_REBUILD == 0)) || warn "the start-up runs computed tag membership again ($ST_REBUILD times): $(grep -m1 'tag membership of' "$TMPD/startup.log")"
((NODD == 0)) || warn "$NODD warning/error lines in $LOG (first: $(head -n1 "$TMPD/odd.txt"))"
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- report
verdict_min() { # verdict_min VALUE TARGET: a value that must reach TARGET
	if (($(calc "$1 >= $2"))); then echo "met"
	else echo "missed: $(fmt %.0f "$(calc "100 * (1 - $1 / $2)")") % short; $(fmt %.1f "$(calc "$2 / $1")")x needed"; fi
}
verdict_max() { # verdict_max VALUE TARGET: a value that must stay below TARGET
	if (($(calc "$1 < $2"))); then echo "met ($(fmt %.0f "$(calc "100 * $1 / $2")") % of it)"
	else echo "missed by $(fmt %.0f "$(calc "100 * ($1 / $2 - 1)")") % ($(fmt %.1f "$(calc "$1 / $2")")x the target)"; fi
}
dbj() { jget "$TMPD/dbstat.json" "$1"; }
mib() { fmt %.1f "$(calc "$1 / 1048576")"; }
commit=$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ $commit != unknown && -n $(git -C "$TOP" status --porcelain -uno 2>/dev/null) ]] && commit="$commit (+ uncommitted changes)"
perfnote=
((PERF)) && perfnote=" (under perf record: slower than without)"

{
	echo "# feedmuxd store benchmark"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); host: $(uname -srm), nproc $(nproc), CPU $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(awk '/MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo); load average $LOAD_START at start, $LOAD_END at end"
	echo "- feedmuxd: $FEEDMUXD ($("$FEEDMUXD" -V 2>&1 | head -n1)), tree $TOP at commit $commit; SQLite ${SQLITE_VERSION:-?} (the library feedmuxd links, from tag-render); tag-render: $TAGRENDER"
	echo "- data: $NFEEDS RSS 2.0 feeds x $NENTRIES entries = $ENTRIES entries, $FEED_BYTES bytes (avg $((FEED_BYTES / NFEEDS)) B/feed, $((FEED_BYTES / ENTRIES)) B/entry), read as file:// URLs from the page cache. Seed $SEED; text from gen-feeds.py's bigram chain over $(basename "$WORDS"). Each entry: URI guid (70 % permalink, 30 % tag:), link, title (3 % \"Opinion: ...\"), dc:creator, 1-3 categories from 100 terms (Zipf-like), 200-500 characters of HTML description; pubDates over the 1-2 years before $ANCHOR."
	echo "- tags: ${NTAGS:-?} = plain tags t000-t149 carried by feeds (1-3 per feed; $((NTAGS - 50)) of them carried here) + 50 [tag] sections: 24 category, 14 title regex, 5 author, 3 content/any regex (these make every entry's text go through html_to_text), 4 carried by 3 % of feeds plus rules; 15 of them have exclude rules. Definitions: $WORK/tags.tsv."
	echo "- config: interval = 1d, host_delay = 0, max_transfers = max_host_transfers = 64, keep_entries = keep_days = 0 (no retention), max_entries = $((NENTRIES > 10000 ? NENTRIES : 10000)), max_feed_size = 256M ($WORK/feedmux.conf)."
	echo "- OS page cache: the feeds and the database are read from a warm cache (the database file is read with cat just before each start-up and tag-render run) unless a row says \"OS cache dropped\" (sync; echo 3 > /proc/sys/vm/drop_caches: ${DROP_NOTE:-done before each such row})."
	[[ -n $DAMON_NOTE ]] && echo "- Note: on this host $DAMON_NOTE, so pages untouched for that long are read from disk again."
	echo
	echo "## Targets"
	echo
	echo "| measure | result | target | verdict |"
	echo "|---|---:|---:|---|"
	if [[ $ING_OK == True ]]; then
		echo "| ingest, entries/s through fetch+parse+store$perfnote | $(fmt %.0f "$ING_RATE") | >= $T_INGEST | $(verdict_min "$ING_RATE" "$T_INGEST") |"
	else
		echo "| ingest, entries/s | failed | >= $T_INGEST | n/a |"
	fi
	for tag in "$PLAIN_TAG" "$RULE_TAG"; do
		kind=plain; [[ $tag == "$RULE_TAG" ]] && kind="rule-based"
		if [[ -n ${COLD_MED[$tag]:-} ]]; then
			echo "| cold 50-entry tag feed, $kind ($tag), median of $RUNS fresh processes | $(fmt %.2f "${COLD_MED[$tag]}") ms | < $T_COLD ms | $(verdict_max "${COLD_MED[$tag]}" "$T_COLD") |"
		else
			echo "| cold 50-entry tag feed, $kind ($tag) | failed | < $T_COLD ms | n/a |"
		fi
	done
	if [[ -n ${ST_MED:-} ]]; then
		echo "| start-up to serving, median of ${#ST_S[@]} | $(fmt %.3f "$ST_MED") s | < $T_START s | $(verdict_max "$ST_MED" "$T_START") |"
		echo "| start-up to serving, max of ${#ST_S[@]} | $(fmt %.3f "$ST_MAX") s | < $T_START s | $(verdict_max "$ST_MAX" "$T_START") |"
	else
		echo "| start-up to serving | failed | < $T_START s | n/a |"
	fi
	echo
	echo "## Ingest$perfnote"
	echo
	if [[ $ING_OK == True ]]; then
		echo "- $ING_STORED entries of $NFEEDS feeds stored in $(fmt %.2f "$ING_WALL") s from exec on an empty database: **$(fmt %.0f "$ING_RATE") entries/s**, $(fmt %.1f "$(calc "$FEED_BYTES / $ING_WALL / 1e6")") MB/s of feed XML."
		echo "- Method: done = the log line of the last feed's store (\"feed NAME: N new entries\", logged on the loop thread after the batch committed), seen by a watcher reading the log every 20 ms, once \`feedmuxctl --json status brief\` (every ${STATUS_EVERY} s, $(jget "$TMPD/ingest.json" calls) calls, p50 $(fmt %.0f "$(calc "$(jget "$TMPD/ingest.json" status_p50) * 1000")") ms) showed new = polling = transfers = 0. Entries = the status count. Granularity ~20 ms."
		echo "- HTTP listening after $(fmt %.3f "$(jget "$TMPD/ingest.json" ready)") s; first entries counted by status at $(fmt %.1f "$(jget "$TMPD/ingest.json" first_entries_by)") s; steady rate between 10 % and 90 % of the entries: $(r=$(jget "$TMPD/ingest.json" steady_rate); [[ -n $r ]] && echo "$(fmt %.0f "$r") entries/s" || echo "n/a (too few commits to tell)")."
		echo "- CPU of feedmuxd: $(fmt %.1f "$ING_CPU") s in $(fmt %.1f "$ING_WALL") s ($(fmt %.2f "$(calc "$ING_CPU / $ING_WALL")") cores). Per thread, busiest first: $("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); p=d["proc"]
print(", ".join("%s %.1f s (user %.1f, sys %.1f; %.1f s runnable but waiting for a CPU)" % ("loop thread" if t[0] == min(x[0] for x in p["threads"]) else "tid %d" % t[0], t[2], t[3], t[4], t[5]) for t in sorted(p["threads"], key=lambda t: -t[2])[:3]))' "$TMPD/ingest.json"); the busiest other thread is the worker that parses and writes."
		echo "- Peak RSS (VmHWM): $(fmt %.1f "$(calc "$ING_HWM / 1024")") MiB when done; $(fmt %.1f "$(calc "${END_HWM:-0} / 1024")") MiB before SIGTERM."
		[[ -n ${SETTLE:-} ]] && (($(calc "$SETTLE >= 0.1"))) && echo "- The daemon's CPU time kept growing for $(fmt %.1f "$SETTLE") s after the end was seen (rendering the tags the last batches touched)."
		[[ -n ${STOP_S:-} ]] && echo "- SIGTERM to exit (worker drained, WAL checkpointed by the last close): $(fmt %.2f "$STOP_S") s."
	else
		echo "failed: $(jget "$TMPD/ingest.json" error)"
	fi
	echo
	echo "## Database (after a clean stop)"
	echo
	echo "- $DB: $DB_MAIN bytes ($(mib "$DB_MAIN") MiB) + WAL $DB_WAL bytes = **$(mib "$DB_TOTAL") MiB**, $((DB_TOTAL / (ENTRIES > 0 ? ENTRIES : 1))) bytes per entry ($(fmt %.2f "$(calc "$DB_TOTAL / $FEED_BYTES")")x the feed XML); -shm $DB_SHM bytes; page size $(dbj page_size), $(dbj freelist) free pages."
	echo "- Rows (schema version $(dbj schema_version)): $("$PY" -c 'import json,sys; print(", ".join("%s %d" % (t, n) for t, n in json.load(open(sys.argv[1]))["rows"]))' "$TMPD/dbstat.json")."
	echo "- Space by table and index (SQLite dbstat):"
	echo
	echo "| table or index | MiB | share |"
	echo "|---|---:|---:|"
	"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); tot=sum(s for _, s in d["space"]) or 1
for n, s in d["space"][:12]: print("| %s | %.1f | %.1f %% |" % (n, s / 1048576, 100.0 * s / tot))' "$TMPD/dbstat.json"
	echo
	echo "- Entries per tag (count, min / median / max, total memberships):"
	echo
	"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1]))
for k, v in sorted(d["tag_groups"].items()): print("  - %s: %d tags, %d / %d / %d, %d in all" % (k, v[0], v[1], v[2], v[3], v[4]))' "$TMPD/dbstat.json"
	echo
	echo "## Start-up on the full database"
	echo
	echo "Wall time from exec of \`feedmuxd -f\` until \`GET /tags/$PLAIN_TAG.atom\` answers 200 (a Python loop, one request every ~10 ms until the port accepts: granularity ~10 ms). The daemon renders every tag before it listens, so this includes rendering ${NTAGS:-?} tags. Nothing is due (interval 1d), so nothing is polled."
	echo
	echo "| run | seconds | stop after SIGTERM s | VmHWM MiB |"
	echo "|---|---:|---:|---:|"
	for key in $(seq 1 "$RUNS") ${ST_DROP:+drop}; do
		j=$TMPD/startup-$key.json
		[[ -s $j ]] || continue
		label=$key; [[ $key == drop ]] && label="OS cache dropped"
		if [[ $(jget "$j" ok) == True ]]; then
			echo "| $label | $(fmt %.3f "$(jget "$j" seconds)") | $(fmt %.2f "$(jget "$j" stop_seconds)") | $(fmt %.1f "$(calc "$(jget "$j" hwm_kib) / 1024")") |"
		else
			echo "| $label | failed: $(jget "$j" error) | | |"
		fi
	done
	[[ -n ${ST_MED:-} ]] && { echo; echo "Median $(fmt %.3f "$ST_MED") s, max $(fmt %.3f "$ST_MAX") s (warm OS cache)."; }
	echo
	echo "The same steps in one process (\`tag-render -a\`: conf_load, db_open + db_configure, db_sync_conf, each feed's poll state, then every tag read and rendered as render_all() does; ms):"
	echo
	awk '$1 ~ /^step=/ { sub("step=", "", $1); printf "- %s:", $1; for (i = 2; i <= NF; i++) printf " %s", $i; printf "\n" }' "$TMPD/render-all.txt"
	echo
	echo "## Tag feed render"
	echo
	echo "\`tag-render CONF TAG\`: conf_load, db_open, db_configure, db_sync_conf, then db_tag_items(TAG, 50) + render_atom() timed with CLOCK_MONOTONIC. Cold = the first call in a fresh process (new SQLite connection, empty SQLite page cache; the OS page cache is warm), $RUNS processes per tag; warm = $WARM more calls in the first process."
	echo
	echo "| tag | kind | entries | bytes | cold median ms (query + render) | cold max ms | cold, OS cache dropped ms | warm median ms | warm p99 ms |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
	for tag in "$PLAIN_TAG" "$RULE_TAG"; do
		kind="plain (carried by $(grep -c "^tags = .*\b$tag\b" "$WORK/feedmux.conf") feeds)"
		[[ $tag == "$RULE_TAG" ]] && kind="rule: $RULE_DESC"
		[[ -n ${COLD_MED[$tag]:-} ]] || { echo "| $tag | $kind | failed | | | | | | |"; continue; }
		echo "| $tag | $kind | ${ITEMS[$tag]:-?} | ${BYTES[$tag]:-?} | $(fmt %.2f "${COLD_MED[$tag]}") ($(fmt %.2f "${COLD_Q[$tag]}") + $(fmt %.2f "${COLD_R[$tag]}")) | $(fmt %.2f "${COLD_MAX[$tag]}") | $([[ -n ${COLD_DROP[$tag]:-} ]] && fmt %.2f "${COLD_DROP[$tag]}" || echo "${DROP_NOTE:-n/a}") | ${WARM_MED[$tag]:-?} | ${WARM_P99[$tag]:-?} |"
	done
	echo
	if ((PERF)) && [[ -s $WORK/perf-self.txt ]]; then
		echo "## Profile of the ingest (perf record -F 99 -e cpu-clock --call-graph dwarf)"
		echo
		echo "Samples by thread and by library ($WORK/perf-threads.txt, $WORK/perf-dso.txt):"
		echo
		echo '```'
		grep -E '^ +[0-9.]+%' "$WORK/perf-threads.txt" | head -n 4
		grep -E '^ +[0-9.]+%' "$WORK/perf-dso.txt" | head -n 8
		echo '```'
		echo
		echo "Inclusive time (children), down to 3 % ($WORK/perf-children.txt; unnamed frames are libsqlite3 internals without symbols):"
		echo
		echo '```'
		grep -E '^ +[0-9.]+%' "$WORK/perf-children.txt" | grep -v ' 0x0000' | head -n 45
		echo '```'
		echo
		echo "Self time by function, top entries ($WORK/perf-self.txt):"
		echo
		echo '```'
		grep -E '^ +[0-9.]+%' "$WORK/perf-self.txt" | head -n 25
		echo '```'
		echo
	fi
	if ((${#WARN[@]})); then
		echo "## Warnings"
		echo
		for w in "${WARN[@]}"; do echo "- $w"; done
	else
		echo "No warnings: every feed stored, no warning or error in the log, no re-poll and no tag recomputation during the start-ups."
	fi
	echo
	echo "Logs: $LOG (ingest, then each start-up run); helper output in $TMPD."
} >"$TMPD/results.md"

cp "$TMPD/results.md" "$OUT" || die "cannot write $OUT"
echo
cat "$OUT"
echo
echo "results written to $OUT"
