#!/bin/sh
# Crash safety: feedmuxd is killed with SIGKILL at random moments while it
# ingests ~40 ever-growing feeds, and restarted, CRASH_LOOPS times (default
# 12; tests/bench/crash-loop.sh runs 60).  After every kill the database
# must pass PRAGMA integrity_check, and every entry a tag feed served before
# any kill must still be served from the database, before and after the
# restart.  After every restart each tag feed must be well-formed and hold
# what the database held at the kill.  CRASH_SEED=N replays the same sleeps.
#
# Not for the valgrind run in .ci/run: SIGKILL skips valgrind's leak check.
. "$top_srcdir/tests/lib.sh"
# A long run is often watched through a pipe (| head) or a terminal that
# goes away: stop the server and the daemon then too, not only on INT/TERM.
trap 'exit 1' HUP PIPE

if [ "${VALGRIND:-}" = 1 ]; then
	echo "SKIP: SIGKILL skips valgrind's checks, and valgrind is too slow" \
	    "for this ingest" >&2
	exit 77
fi

LOOPS=${CRASH_LOOPS:-12}
case $LOOPS in
''|*[!0-9]*|0) fail "CRASH_LOOPS must be a positive integer, not '$LOOPS'" ;;
esac
NFEEDS=40
TAGS="red green blue cyan magenta"
# The daemon renders this many entries per tag feed (daemon/feedmux.h).
TAG_ENTRIES=$(awk '$1 == "#define" && $2 == "TAG_FEED_ENTRIES" { print $3 }' \
    "$top_srcdir/daemon/feedmux.h")
case $TAG_ENTRIES in
''|*[!0-9]*) TAG_ENTRIES=1 ;;	# not found: ask for one entry
esac
DB="$T/feedmux.db"

mkdir "$T/www" "$T/got"
start_server "$T/www"

# Feed gNN has tag NN % 5, and even feeds also tag (NN + 2) % 5: each tag
# gathers 12 feeds.  /gen/ adds 10 entries per poll; no validators.
# Retention is off (0 = no limit): "served before a kill, served after it"
# holds only where nothing is pruned on purpose.
{
	echo "host_delay = 0"
	echo "max_host_transfers = 16"
	echo "max_transfers = 32"
	echo "keep_entries = 0"
	echo "keep_days = 0"
	i=1
	while [ "$i" -le "$NFEEDS" ]; do
		n=$(printf %02d "$i")
		set -- $TAGS
		shift $((i % 5))
		tags=$1
		if [ $((i % 2)) -eq 0 ]; then
			set -- $TAGS
			shift $(((i + 2) % 5))
			tags="$tags, $1"
		fi
		printf '\n[feed g%s]\nurl = http://127.0.0.1:%s/gen/g%s?n=50\n' \
		    "$n" "$PORT" "$n"
		printf 'tags = %s\ninterval = 1s\n' "$tags"
		i=$((i + 1))
	done
} > "$T/feeds.conf"
write_conf < "$T/feeds.conf"

# The checks, in one Python file: "killed" after a kill, "restarted" once
# the daemon answers again.  State between runs lives in $T/got.
cat > "$T/check.py" <<'EOF'
import glob, os, sqlite3, sys
import xml.etree.ElementTree as ET

ATOM = "{http://www.w3.org/2005/Atom}"
mode, db_path, got = sys.argv[1:4]


def served_pairs(db):
    """Every (tag, Atom <id>) the database says the daemon serves.  An
    entry is served by tag T if this finds a row:
      SELECT 1 FROM tag_entries te JOIN tags t ON t.id = te.tag_id
      JOIN entries e ON e.id = te.entry_id
      WHERE t.name = ? AND coalesce(e.guid, e.uid) = ?
    (render-atom.c writes the guid as <id>, else the uid); it is asked
    once for all pairs, as a set, to stay fast on 10^5 entries."""
    q = ("SELECT t.name, coalesce(e.guid, e.uid) FROM tag_entries te "
         "JOIN tags t ON t.id = te.tag_id "
         "JOIN entries e ON e.id = te.entry_id")
    return set(db.execute(q))


def atom_ids(path):
    """The entry ids of a saved tag feed (which must be well-formed)."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        sys.exit("%s: not well-formed: %s" % (path, e))
    return [e.findtext(ATOM + "id") for e in root.iter(ATOM + "entry")]


def tag_of(path):
    return os.path.basename(path).split(".")[0]


def load_pairs(path):
    if not os.path.exists(path):
        return set()
    with open(path, encoding="utf-8") as f:
        return set(tuple(l.rstrip("\n").split("\t")) for l in f)


def missing(expected, pairs, what):
    lost = sorted(expected - pairs)
    if lost:
        sys.exit("%d of %d entries served %s are gone, e.g. %s"
                 % (len(lost), len(expected), what, lost[:5]))


# Read only: closing a read-write connection would checkpoint and delete
# the WAL, and the next daemon must find the WAL as the kill left it.
db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True, timeout=10)
served_file = os.path.join(got, "served.tsv")
served = load_pairs(served_file)

if mode == "killed":
    # Nothing else has the file open: this is the state a restart finds.
    wal = os.path.getsize(db_path + "-wal") \
        if os.path.exists(db_path + "-wal") else 0
    res = [r[0] for r in db.execute("PRAGMA integrity_check")]
    if res != ["ok"]:
        sys.exit("integrity_check: %s" % res[:10])
    fk = db.execute("PRAGMA foreign_key_check").fetchall()
    if fk:
        sys.exit("foreign_key_check: %s" % fk[:10])
    new = set()
    for path in sorted(glob.glob(os.path.join(got, "before", "*.atom"))):
        new.update((tag_of(path), i) for i in atom_ids(path))
    pairs = served_pairs(db)
    missing(new, pairs, "just before this kill")
    missing(served, pairs, "before earlier kills")
    with open(served_file, "a", encoding="utf-8") as f:
        for p in sorted(new - served):
            f.write("%s\t%s\n" % p)
    tags = {}
    for tag, _ in pairs:
        tags[tag] = tags.get(tag, 0) + 1
    with open(os.path.join(got, "tagcounts"), "w") as f:
        for tag, n in sorted(tags.items()):
            f.write("%s %d\n" % (tag, n))
    n = db.execute("SELECT count(*) FROM entries").fetchone()[0]
    print("%d %d %d %d %d" % (n, len(new), len(served | new), wal,
                              os.path.getsize(db_path)))
elif mode == "restarted":
    # The feeds were fetched before this read, and the daemon renders only
    # committed entries: all of them are in the database.
    limit = int(sys.argv[4])
    pairs = served_pairs(db)
    missing(served, pairs, "before the kill (after the restart)")
    counts = {}
    with open(os.path.join(got, "tagcounts")) as f:
        for l in f:
            tag, n = l.split()
            counts[tag] = int(n)
    for path in sorted(glob.glob(os.path.join(got, "after", "*.atom"))):
        tag = tag_of(path)
        ids = atom_ids(path)
        missing(set((tag, i) for i in ids), pairs,
                "by %s after the restart (not in the database)" % tag)
        want = min(limit, counts.get(tag, 0))
        if len(ids) < want:
            sys.exit("%s after the restart: %d entries, the database had "
                     "%d at the kill" % (tag, len(ids), counts.get(tag, 0)))
else:
    sys.exit("usage: check.py killed|restarted DB DIR [LIMIT]")
EOF

# fetch_tags DIR: save every tag feed into DIR; each must answer 200 (the
# daemon renders every tag before its control socket answers, so a 503
# "not rendered yet" cannot happen here).
fetch_tags() {
	rm -rf "$1"
	mkdir "$1"
	for tag in $TAGS; do
		code=$(curl -s --max-time 10 -o "$1/$tag.atom" -w '%{http_code}' \
		    "http://127.0.0.1:$HTTP_PORT/tags/$tag.atom")
		[ "$code" = 200 ] || fail "GET /tags/$tag.atom: $code"
	done
}

# Now in seconds, with milliseconds; the seconds since $1.
now() {
	date +%s.%3N
}
since() {
	awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'
}

# The random sleeps, from one seed that a failure can be replayed with.
SEED=${CRASH_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
"$PY" -c 'import random, sys
r = random.Random(int(sys.argv[1]))
for _ in range(int(sys.argv[2])):
    print("%.3f" % r.uniform(0.3, 2.0))' "$SEED" "$LOOPS" > "$T/sleeps" ||
    fail "bad CRASH_SEED '$SEED'"
echo "# CRASH_SEED=$SEED CRASH_LOOPS=$LOOPS, $NFEEDS feeds, tags: $TAGS"

t0=$(now)
i=0
first=
while read -r pause <&3; do
	i=$((i + 1))
	echo "=== crash.sh: start $i" >> "$T/daemon.log"
	t=$(now)
	start_daemon
	up=$(since "$t")
	if [ "$i" -gt 1 ]; then
		fetch_tags "$T/got/after"
		for f in "$T/got/after"/*.atom; do
			xmllint --noout "$f" || fail "$f is not well-formed"
		done
		"$PY" "$T/check.py" restarted "$DB" "$T/got" "$TAG_ENTRIES" ||
		    fail "after restart $((i - 1))"
	fi
	sleep "$pause"
	fetch_tags "$T/got/before"
	# 128 + SIGKILL, or it died on its own first.  (The group's stderr
	# silences the shell's "Killed" notice.)
	{ kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID"; } 2>/dev/null
	rc=$?
	DAEMON_PID=
	[ "$rc" -eq 137 ] || fail "feedmuxd exited with status $rc before kill $i"
	out=$("$PY" "$T/check.py" killed "$DB" "$T/got") ||
	    fail "after kill $i"
	set -- $out
	[ $# -eq 5 ] || fail "after kill $i: no counts"
	[ -n "$first" ] || first=$1
	echo "ok - kill $i after ${pause}s (start-up ${up}s): integrity ok," \
	    "$2 served entries kept ($3 so far), $1 entries, WAL $4 B, DB $5 B"
done 3< "$T/sleeps"
entries=$1
ever=$3

# A last restart: the entries served before the last kill are kept, and
# after $LOOPS kills the daemon still stops cleanly.
echo "=== crash.sh: start $((i + 1)) (last)" >> "$T/daemon.log"
start_daemon
fetch_tags "$T/got/after"
for f in "$T/got/after"/*.atom; do
	xmllint --noout "$f" || fail "$f is not well-formed"
done
"$PY" "$T/check.py" restarted "$DB" "$T/got" "$TAG_ENTRIES" ||
    fail "after the last restart"
stop_daemon
"$PY" - "$DB" <<'EOF' || fail "integrity after a clean stop"
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
r = db.execute("PRAGMA integrity_check").fetchall()
assert r == [("ok",)], r
EOF
ok "after $LOOPS kills: a restart serves every entry ever served" \
    "($ever), then a clean stop, integrity ok"

# The ingest was heavy, and kept on across the kills: 40 feeds polled
# every second, 10 new entries a poll, make ~400 entries a second; as feeds
# fall due while the daemon is down too, ~500-900 were measured per second
# of sleep (2 cores, ASan or loaded alike).  Past the first run, ask for
# 100 a second of sleep.
paused=$(awk 'NR > 1 { s += $1 } END { printf "%d", s }' "$T/sleeps")
want=$((first + 100 * paused))
[ "$entries" -ge "$want" ] ||
    fail "ingest was not heavy: $first entries after the first kill," \
	"$entries after the last, want >= $want"
ok "ingest: $first entries after the first kill, $entries after kill $LOOPS" \
    "(want >= $want); $(since "$t0")s in all"

# The log must show no database trouble: db.c names the file in its
# warnings, worker.c says "database commit failed" or "could not save".
# Other warnings are shown, not failed on.
grep -E ' (emerg|alert|crit|error|warning): ' "$T/daemon.log" > "$T/warnings"
if grep -F -e "$DB" -e database -e sqlite -e 'could not save' \
    "$T/warnings" > "$T/db-errors"; then
	head -n 20 "$T/db-errors" >&2
	fail "database errors in daemon.log"
fi
sed -n '1,10s/^/# daemon.log: /p' "$T/warnings"
ok "no database errors in daemon.log" \
    "($(wc -l < "$T/warnings") other warnings)"
