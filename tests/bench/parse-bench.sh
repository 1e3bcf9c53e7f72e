#!/usr/bin/env bash
# parse-bench.sh: parse throughput of `feedmuxd --parse` side by side with
# sfeed, python3-feedparser and xmllint (the libxml2 floor), in one run.
# Run by hand; not part of `make check`.  See tests/bench/README.
set -u -o pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3           # Debian's python3: it has python3-feedparser
GNU_TIME=/usr/bin/time
PKGS=(sfeed python3-feedparser libxml2-utils time)

RUNS=3
WORK=/tmp/feedmux-bench
FEEDMUXD=${FEEDMUXD:-./feedmuxd}
SEED=20140330
# The seed text sits beside the checkout, in ../shared.
WORDS=${BENCH_WORDS:-$HERE/../../../shared/seeds/security-clearance-blog.txt}
OUT=
INSTALL=0
REGEN=0
SLOW=10        # a tool whose first run takes longer than this many seconds runs once

usage() {
	cat <<EOF
usage: $0 [-n RUNS] [-w WORKDIR] [-b FEEDMUXD] [-s SEED] [-W WORDFILE] [-o RESULTS]
          [--regen] [--install] [-h]

  -n RUNS      runs per tool on each data set, best wall time is kept (default $RUNS;
               a tool whose first run exceeds ${SLOW}s is run once)
  -w WORKDIR   where feeds and results go (default $WORK)
  -b FEEDMUXD  binary to test (default \$FEEDMUXD or ./feedmuxd); rows are
               skipped when it does not support --parse
  -s SEED      generator seed (default $SEED)
  -W WORDFILE  word source for the generator (default \$BENCH_WORDS or
               ../shared/seeds/security-clearance-blog.txt beside the checkout)
  -o RESULTS   results file (default WORKDIR/results.md)
  --regen      regenerate the feeds even if WORKDIR has them for this seed
  --install    apt-get install the missing peers: ${PKGS[*]}
EOF
}

die() { echo "parse-bench: $*" >&2; exit 1; }
say() { echo "parse-bench: $*" >&2; }

while (($#)); do
	case $1 in
	-n) RUNS=${2:?}; shift ;;
	-w) WORK=${2:?}; shift ;;
	-b) FEEDMUXD=${2:?}; shift ;;
	-s) SEED=${2:?}; shift ;;
	-W) WORDS=${2:?}; shift ;;
	-o) OUT=${2:?}; shift ;;
	--regen) REGEN=1 ;;
	--install) INSTALL=1 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "-n wants a positive integer"
[[ $SEED =~ ^[0-9]+$ ]] || die "-s wants an integer"
mkdir -p "$WORK" || die "cannot create $WORK"
WORK=$(cd "$WORK" && pwd)
OUT=${OUT:-$WORK/results.md}
case $FEEDMUXD in */*) ;; *) FEEDMUXD=$(command -v "$FEEDMUXD" || echo "$FEEDMUXD") ;; esac
[[ -e $FEEDMUXD ]] && FEEDMUXD=$(cd "$(dirname "$FEEDMUXD")" && pwd)/$(basename "$FEEDMUXD")

# ---------------------------------------------------------------- prerequisites
have_sfeed=0 have_fp=0 have_xmllint=0 have_time=0 have_py=0
check_prereqs() {
	missing=()
	have_py=0; [[ -x $PY ]] && have_py=1
	have_sfeed=0; command -v sfeed >/dev/null && have_sfeed=1 || missing+=(sfeed)
	have_fp=0; ((have_py)) && "$PY" -c 'import feedparser' 2>/dev/null && have_fp=1 || missing+=(python3-feedparser)
	have_xmllint=0; command -v xmllint >/dev/null && have_xmllint=1 || missing+=(libxml2-utils)
	have_time=0; "$GNU_TIME" --version 2>&1 | grep -q GNU && have_time=1 || missing+=(time)
}
check_prereqs
if ((${#missing[@]})) && ((INSTALL)); then
	sudo=; ((EUID == 0)) || sudo=sudo
	say "installing: ${missing[*]}"
	$sudo apt-get install -y "${missing[@]}" >&2 || die "apt-get install failed"
	check_prereqs
fi
if ((${#missing[@]})); then
	say "missing: ${missing[*]}"
	say "install them with:  apt-get install -y ${PKGS[*]}   (or rerun with --install)"
fi
((have_py)) || die "$PY is needed (to generate the feeds): apt-get install -y python3"
((have_time)) || die "GNU time ($GNU_TIME) is needed for peak RSS: apt-get install -y time"
[[ -r $WORDS ]] || die "word source not readable: $WORDS (use -W FILE)"

# ---------------------------------------------------------------- data
DATA=$WORK/data
TMPD=$WORK/tmp
rm -rf "$TMPD"; mkdir -p "$TMPD"
stamp="seed=$SEED gen=$(sha256sum "$HERE/gen-feeds.py" | cut -c1-16) words=$(sha256sum "$WORDS" | cut -c1-16)"
if ((REGEN)) || [[ ! -f $DATA/manifest.env || $(cat "$DATA/stamp" 2>/dev/null) != "$stamp" ]]; then
	say "generating feeds in $DATA (seed $SEED) ..."
	rm -rf "$DATA"
	"$PY" "$HERE/gen-feeds.py" --out "$DATA" --seed "$SEED" --words "$WORDS" >&2 || die "generator failed"
	echo "$stamp" >"$DATA/stamp"
else
	say "reusing feeds in $DATA ($stamp)"
fi
# shellcheck disable=SC1091
. "$DATA/manifest.env"
mapfile -t SMALL <"$SMALL_LIST"
((${#SMALL[@]} == SMALL_FILES)) || die "small.list has ${#SMALL[@]} files, manifest says $SMALL_FILES"
cat "$BIG_FILE" "${SMALL[@]}" >/dev/null    # warm the page cache

# ---------------------------------------------------------------- feedmuxd probe
WARN=()
warn() { WARN+=("$*"); say "WARNING: $*"; }
OURS=0 OURS_MULTI=0 OURS_WHY="no --parse"
probe=$TMPD/probe.xml
cat >"$probe" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>probe</title><link>https://example.org/</link>
<description>probe</description>
<item><title>One &amp; only</title><link>https://example.org/1</link><guid>https://example.org/1</guid>
<pubDate>Mon, 02 Jan 2017 10:00:00 GMT</pubDate><description>&lt;p&gt;x&lt;/p&gt;</description></item>
<item><title>Two</title><link>https://example.org/2</link><guid>https://example.org/2</guid>
<pubDate>Tue, 03 Jan 2017 10:00:00 GMT</pubDate></item>
</channel></rss>
EOF
count_entries() { grep -c '^{"entry"' || true; }
if [[ ! -x $FEEDMUXD ]]; then
	OURS_WHY="not found: $FEEDMUXD"
elif timeout 10 "$FEEDMUXD" --parse "$probe" >"$TMPD/probe.out" 2>"$TMPD/probe.err" </dev/null; then
	OURS=1
	n=$(count_entries <"$TMPD/probe.out")
	((n == 2)) || warn "feedmuxd --parse on a 2-item probe printed $n {\"entry\" lines"
	n2=$(timeout 10 "$FEEDMUXD" --parse "$probe" "$probe" 2>/dev/null </dev/null | count_entries)
	if ((n > 0 && n2 == 2 * n)); then OURS_MULTI=1
	else say "feedmuxd --parse FILE... not supported (2 probes gave $n2 entries); per-file loop only"; fi
fi
FEEDMUXD_VERSION=$(timeout 5 "$FEEDMUXD" -V 2>/dev/null </dev/null | head -n1)
if ((OURS)); then say "feedmuxd: $FEEDMUXD (${FEEDMUXD_VERSION:-?}) supports --parse (multi-file: $OURS_MULTI)"
else echo "feedmuxd: skipped ($OURS_WHY)"; fi

# ---------------------------------------------------------------- measuring
declare -A W R NR ST
calc() { awk "BEGIN { printf \"%s\", ($*) }" </dev/null; }   # parenthesised: a bare > would redirect
fmt() { awk -v x="$2" "BEGIN { printf \"$1\", x }" </dev/null; }

# measure KEY STDIN STDOUT CMD...: run CMD up to RUNS times under GNU time.
# W[KEY] = best wall seconds, R[KEY] = largest peak RSS (KiB), NR[KEY] = runs.
measure() {
	local key=$1 in=$2 out=$3 i t0 t1 w m rc best='' rss=0
	shift 3
	for ((i = 1; i <= RUNS; i++)); do
		t0=$EPOCHREALTIME
		"$GNU_TIME" -f %M -o "$TMPD/rss" "$@" <"$in" >"$out" 2>"$TMPD/err.$key"
		rc=$?
		t1=$EPOCHREALTIME
		if ((rc != 0)); then
			ST[$key]="failed (exit $rc)"
			warn "$key: exit $rc: $(grep -v 'exited with non-zero' "$TMPD/err.$key" | head -c 300)"
			return 1
		fi
		w=$(calc "$t1 - $t0")
		m=$(tail -n1 "$TMPD/rss")
		say "  $key run $i/$RUNS: $(fmt %.3f "$w") s, peak RSS $((m / 1024)) MiB"
		if [[ -z $best ]] || (($(calc "$w < $best"))); then best=$w; fi
		((m > rss)) && rss=$m
		if ((i == 1 && RUNS > 1)) && (($(calc "$w > $SLOW"))); then
			say "  $key: first run > ${SLOW}s, not repeating"
			i=$((i + 1)); break
		fi
	done
	W[$key]=$best R[$key]=$rss NR[$key]=$((i - 1)) ST[$key]=ok
}
skip() { ST[$1]="skipped ($2)"; }

loop_sh='while IFS= read -r f; do "$@" <"$f"; done <"$LIST"'         # CMD <file, per file
loop_arg_sh='while IFS= read -r f <&3; do "$@" "$f" </dev/null; done 3<"$LIST"'  # CMD file, per file
export LIST=$SMALL_LIST

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
awk '{ exit !($1 > 0.5) }' /proc/loadavg && warn "load average at start is $LOAD_START: other work on this machine skews the timings"
say "== big file: $BIG_FILE ($BIG_BYTES bytes, $BIG_ITEMS items), $RUNS run(s) each"
measure big.spawn /dev/null /dev/null /bin/true
if ((have_sfeed)); then measure big.sfeed "$BIG_FILE" /dev/null sfeed; else skip big.sfeed "not installed"; fi
if ((have_fp)); then measure big.fp /dev/null "$TMPD/fp-big.out" "$PY" "$HERE/fp-parse.py" "$BIG_FILE"; else skip big.fp "not installed"; fi
if ((have_xmllint)); then
	measure big.sax /dev/null /dev/null xmllint --sax --noout "$BIG_FILE"
	measure big.stream /dev/null /dev/null xmllint --stream --noout "$BIG_FILE"
else skip big.sax "not installed"; skip big.stream "not installed"; fi
if ((OURS)); then measure big.ours /dev/null /dev/null "$FEEDMUXD" --parse "$BIG_FILE"; else skip big.ours "$OURS_WHY"; fi

say "== small feeds: $SMALL_FILES files ($SMALL_BYTES bytes, $SMALL_ENTRIES entries)"
measure small.spawn /dev/null /dev/null bash -c "$loop_sh" loop /bin/true
if ((have_sfeed)); then measure small.sfeed /dev/null /dev/null bash -c "$loop_sh" loop sfeed; else skip small.sfeed "not installed"; fi
if ((have_fp)); then measure small.fp /dev/null "$TMPD/fp-small.out" "$PY" "$HERE/fp-parse.py" "@$SMALL_LIST"; else skip small.fp "not installed"; fi
if ((have_xmllint)); then
	measure small.sax /dev/null /dev/null xmllint --sax --noout "${SMALL[@]}"
	measure small.stream /dev/null /dev/null xmllint --stream --noout "${SMALL[@]}"
else skip small.sax "not installed"; skip small.stream "not installed"; fi
if ((OURS && OURS_MULTI)); then measure small.ours /dev/null /dev/null "$FEEDMUXD" --parse "${SMALL[@]}"
elif ((OURS)); then skip small.ours "no multi-file --parse"
else skip small.ours "$OURS_WHY"; fi
if ((OURS)); then measure small.oursloop /dev/null /dev/null bash -c "$loop_arg_sh" loop "$FEEDMUXD" --parse; else skip small.oursloop "$OURS_WHY"; fi

LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- correctness (untimed)
say "== entry counts"
check() { # check WHAT GOT WANT
	if [[ $2 == "$3" ]]; then say "  $1: $2 = $3 ok"; else warn "$1: counted $2, generated $3"; fi
}
fp_count() { awk '$1 == "entries" { print $2 }' "$1"; }
fp_bozo() { awk '$1 == "entries" { print $6 }' "$1"; }
if [[ ${ST[big.sfeed]} == ok ]]; then check "sfeed big (lines)" "$(sfeed <"$BIG_FILE" | wc -l)" "$BIG_ITEMS"; fi
if [[ ${ST[big.fp]} == ok ]]; then
	check "feedparser big (entries)" "$(fp_count "$TMPD/fp-big.out")" "$BIG_ITEMS"
	[[ $(fp_bozo "$TMPD/fp-big.out") == 0 ]] || warn "feedparser big: bozo (see $TMPD/err.big.fp)"
fi
if [[ ${ST[big.ours]} == ok ]]; then check 'feedmuxd big ({"entry" lines)' "$("$FEEDMUXD" --parse "$BIG_FILE" 2>/dev/null | count_entries)" "$BIG_ITEMS"; fi
if [[ ${ST[small.sfeed]} == ok ]]; then check "sfeed small (lines)" "$(bash -c "$loop_sh" loop sfeed | wc -l)" "$SMALL_ENTRIES"; fi
if [[ ${ST[small.fp]} == ok ]]; then
	check "feedparser small (entries)" "$(fp_count "$TMPD/fp-small.out")" "$SMALL_ENTRIES"
	[[ $(fp_bozo "$TMPD/fp-small.out") == 0 ]] || warn "feedparser small: bozo feeds (see $TMPD/err.small.fp)"
fi
if [[ ${ST[small.ours]} == ok ]]; then check 'feedmuxd small ({"entry" lines)' "$("$FEEDMUXD" --parse "${SMALL[@]}" 2>/dev/null | count_entries)" "$SMALL_ENTRIES"
elif [[ ${ST[small.oursloop]} == ok ]]; then check 'feedmuxd small per file ({"entry" lines)' "$(bash -c "$loop_arg_sh" loop "$FEEDMUXD" --parse 2>/dev/null | count_entries)" "$SMALL_ENTRIES"; fi
# xmllint --sax --noout reports no parse errors and exits 0 even on broken XML;
# --stream does, so its exit status (checked in measure) is the well-formedness check.

# ---------------------------------------------------------------- report
ok() { [[ ${ST[$1]:-} == ok ]]; }
mbs() { calc "$2 / 1e6 / ${W[$1]}"; }             # mbs KEY BYTES
cell_wall() { ok "$1" && fmt %.3f "${W[$1]}" || echo "${ST[$1]}"; }
cell_mbs() { if [[ $1 == *.spawn ]]; then echo n/a; elif ok "$1"; then fmt %.1f "$(mbs "$1" "$2")"; else echo -; fi; }
cell_eps() { if ok "$1" && [[ $2 != n/a ]]; then fmt %.0f "$(calc "$2 / ${W[$1]}")"; elif ok "$1"; then echo n/a; else echo -; fi; }
cell_rss() { ok "$1" && fmt %.1f "$(calc "${R[$1]} / 1024")" || echo "-"; }
cell_runs() { ok "$1" && echo "${NR[$1]}" || echo "-"; }

# adjusted: subtract the spawn floor from a per-file loop
cell_adj() {
	ok "$1" && ok small.spawn || { echo -; return; }
	local net; net=$(calc "${W[$1]} - ${W[small.spawn]}")
	if (($(calc "$net <= 0.001"))); then echo "≈ floor"; else fmt %.1f "$(calc "$SMALL_BYTES / 1e6 / $net")"; fi
}

big_row() { # KEY LABEL ENTRIES
	echo "| $2 | $(cell_runs "$1") | $(cell_wall "$1") | $(cell_mbs "$1" "$BIG_BYTES") | $(cell_eps "$1" "$3") | $(cell_rss "$1") |"
}
small_row() { # KEY LABEL ENTRIES ADJ
	local adj=—
	[[ $4 == adj ]] && adj=$(cell_adj "$1")
	echo "| $2 | $(cell_runs "$1") | $(cell_wall "$1") | $(cell_mbs "$1" "$SMALL_BYTES") | $adj | $(cell_eps "$1" "$3") | $(cell_rss "$1") |"
}

# ratio LABEL NUMKEY DENKEY OP TARGET: throughput ratio NUM/DEN = W[DEN]/W[NUM]
ratio() {
	local label=$1 a=$2 b=$3 op=${4:-} target=${5:-} r verdict=
	if ! ok "$a" || ! ok "$b"; then
		local why=${ST[$a]:-?}; ok "$a" && why=${ST[$b]:-?}
		echo "- $label: n/a: $why"; return
	fi
	r=$(calc "${W[$b]} / ${W[$a]}")
	if [[ -n $op ]]; then
		if (($(calc "$r $op $target"))); then verdict=" (target $op $target: PASS)"; else verdict=" (target $op $target: FAIL)"; fi
	fi
	echo "- $label: $(fmt %.3g "$r")x$verdict"
}
rss_line() {
	if ok big.ours; then
		local mib; mib=$(calc "${R[big.ours]} / 1024")
		if (($(calc "$mib < 64"))); then v=PASS; else v=FAIL; fi
		echo "- feedmuxd peak RSS on the big file: $(fmt %.1f "$mib") MiB (target < 64 MiB: $v)"
	else
		echo "- feedmuxd peak RSS on the big file: n/a: ${ST[big.ours]}"
	fi
}

fp_version=$("$PY" -c 'import feedparser; print(feedparser.__version__)' 2>/dev/null || echo -)
{
	echo "# feedmuxd --parse benchmark"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); host: $(uname -srm), $(nproc) CPU ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')); load average $LOAD_START at start, $LOAD_END at end"
	echo "- feedmuxd: $FEEDMUXD ${FEEDMUXD_VERSION:+($FEEDMUXD_VERSION)}$( ((OURS)) || echo " — skipped ($OURS_WHY)")"
	echo "- peers: sfeed $(dpkg-query -W -f '${Version}' sfeed 2>/dev/null || echo -), feedparser $fp_version on $("$PY" -V 2>&1), libxml2 $(dpkg-query -W -f '${Version}' libxml2 2>/dev/null || xmllint --version 2>&1 | head -n1 | sed 's/.*version //')"
	echo "- data (gen-feeds.py seed $SEED): big = RSS 2.0, $BIG_BYTES bytes, $BIG_ITEMS items; small = $SMALL_FILES feeds ($SMALL_RSS RSS 2.0, $SMALL_ATOM Atom 1.0), $SMALL_BYTES bytes, $SMALL_ENTRIES entries"
	echo "- method: best wall time of up to $RUNS run(s) (one run if the first takes > ${SLOW}s), stdout to /dev/null, files in page cache; peak RSS = GNU time %M (largest over runs; for a shell loop, its largest process). Wall time includes process start-up. MB = 10^6 bytes, MiB = 2^20."
	echo
	echo "## One big RSS file ($(fmt %.1f "$(calc "$BIG_BYTES / 1e6")") MB, $BIG_ITEMS items)"
	echo
	echo "| tool | runs | best wall s | MB/s | entries/s | peak RSS MiB |"
	echo "|---|---:|---:|---:|---:|---:|"
	big_row big.ours '`feedmuxd --parse FILE`' "$BIG_ITEMS"
	big_row big.sfeed '`sfeed < FILE`' "$BIG_ITEMS"
	big_row big.fp 'feedparser (`fp-parse.py FILE`)' "$BIG_ITEMS"
	big_row big.sax '`xmllint --sax --noout`' n/a
	big_row big.stream '`xmllint --stream --noout`' n/a
	big_row big.spawn 'spawn floor (`/bin/true`, 1 process)' n/a
	echo
	ratio "feedmuxd/sfeed throughput" big.ours big.sfeed ">=" 0.75
	ratio "feedmuxd/feedparser throughput" big.ours big.fp ">=" 50
	rss_line
	ratio "feedmuxd/xmllint --sax throughput (share of the libxml2 floor)" big.ours big.sax
	ratio "feedmuxd/xmllint --stream throughput" big.ours big.stream
	ratio "peer context: sfeed/feedparser" big.sfeed big.fp
	ratio "peer context: sfeed/xmllint --sax" big.sfeed big.sax
	echo
	echo "## $SMALL_FILES small feeds ($(fmt %.1f "$(calc "$SMALL_BYTES / 1e6")") MB, $SMALL_ENTRIES entries)"
	echo
	echo "Per-file rows run the tool once per file from one shell loop; \"adj. MB/s\" subtracts the spawn floor (the same loop running \`/bin/true\`)."
	echo
	echo "| tool | runs | best wall s | MB/s | adj. MB/s | entries/s | peak RSS MiB |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	small_row small.ours '`feedmuxd --parse FILE...` (1 process)' "$SMALL_ENTRIES" no
	small_row small.oursloop '`feedmuxd --parse FILE` per file' "$SMALL_ENTRIES" adj
	small_row small.sfeed '`sfeed < FILE` per file' "$SMALL_ENTRIES" adj
	small_row small.fp 'feedparser, 1 python process' "$SMALL_ENTRIES" no
	small_row small.sax '`xmllint --sax --noout FILE...` (1 process)' n/a no
	small_row small.stream '`xmllint --stream --noout FILE...` (1 process)' n/a no
	small_row small.spawn "spawn floor (\`/bin/true\` per file)" n/a no
	echo
	ratio "feedmuxd (1 process)/sfeed (per file) throughput" small.ours small.sfeed ">=" 0.75
	ratio "feedmuxd/sfeed throughput, both per file" small.oursloop small.sfeed ">=" 0.75
	ratio "feedmuxd (1 process)/feedparser (1 process)" small.ours small.fp ">=" 50
	ratio "feedmuxd (1 process)/xmllint --sax (1 process)" small.ours small.sax
	ratio "peer context: sfeed (per file)/feedparser" small.sfeed small.fp
	echo
	if ((${#WARN[@]})); then
		echo "## Warnings"
		echo
		for w in "${WARN[@]}"; do echo "- $w"; done
	else
		echo "Entry counts checked against the generator: all equal."
	fi
} >"$TMPD/results.md"

cp "$TMPD/results.md" "$OUT" || die "cannot write $OUT"
echo
cat "$OUT"
echo
echo "results written to $OUT"
