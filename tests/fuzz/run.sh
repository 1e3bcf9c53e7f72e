#!/bin/sh
# Replay each fuzz target's seed corpus, then fuzz each for a while.
# usage: tests/fuzz/run.sh BUILDDIR [SECONDS]   (build with CC=clang --enable-fuzzing)
# New inputs go to a temporary directory; crashes are written to
# $FUZZ_ARTIFACTS (default: the current directory) and fail the run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$1
secs=${2:-30}
work=$(mktemp -d "${TMPDIR:-/tmp}/feedmux-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
art=${FUZZ_ARTIFACTS:-$PWD}

run() {
	target=$1 seeds=$2
	shift 2
	echo "== $target: replaying $seeds"
	"$build/tests/fuzz/$target" -runs=0 "$@" "$seeds"
	echo "== $target: fuzzing for ${secs}s"
	mkdir -p "$work/$target"
	"$build/tests/fuzz/$target" -max_total_time="$secs" -timeout=10 \
	    -rss_limit_mb=1024 -artifact_prefix="$art/$target-" \
	    -print_final_stats=1 "$@" "$work/$target" "$seeds"
}

run fuzz-parse "$here/../data/corpus" -dict="$here/feed.dict" -max_len=65536
run fuzz-date "$here/../data/fuzz/dates" -max_len=256
run fuzz-conf "$here/../data/fuzz/confs" -max_len=4096
run fuzz-proto "$here/../data/fuzz/proto" -max_len=4096
echo "fuzz: all targets clean"
