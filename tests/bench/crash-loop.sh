#!/bin/sh
# crash-loop.sh: the crash-safety test at the issue's full length, 60
# SIGKILLs in a row during heavy ingest (make check runs 12).  It runs
# tests/integration/crash.sh directly, not through make, so nothing gets
# rebuilt; the same through make, from a built tree:
#
#     make check TESTS=tests/integration/crash.sh CRASH_LOOPS=60
#
# Run by hand; not part of `make check`.  About 2 minutes on 2 cores.
# Needs what make check needs: /usr/bin/python3, curl, xmllint.
#
#     tests/bench/crash-loop.sh              # binaries at the top of the tree
#     tests/bench/crash-loop.sh -b /tmp/bin -n 100
#     tests/bench/crash-loop.sh -s 1234567   # replay a run's sleeps
#
# Exit status is the test's: 0 when every kill passed.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
BIN=$SRC
LOOPS=60
SEED=

usage() {
	cat <<EOF
usage: $0 [-b BINDIR] [-n KILLS] [-s SEED] [-k] [-h]

  -b BINDIR  directory holding feedmuxd and feedmuxctl (default: the top of
             the source tree, $SRC).  Others rebuild there: copy the two
             binaries out first, or pass a separate build directory.
  -n KILLS   SIGKILLs, i.e. CRASH_LOOPS (default $LOOPS)
  -s SEED    CRASH_SEED: the seed of the random sleeps, printed by every run
  -k         keep the test directory (database, daemon.log, requests.log)
EOF
}

while [ $# -gt 0 ]; do
	case $1 in
	-b) BIN=${2:?-b needs a directory}; shift ;;
	-n) LOOPS=${2:?-n needs a number}; shift ;;
	-s) SEED=${2:?-s needs a number}; shift ;;
	-k) export KEEP=1 ;;
	-h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done

for p in feedmuxd feedmuxctl; do
	if [ ! -x "$BIN/$p" ]; then
		echo "crash-loop: no $BIN/$p (build first, or use -b)" >&2
		exit 2
	fi
done
BIN=$(cd "$BIN" && pwd)

[ -z "$SEED" ] || export CRASH_SEED="$SEED"
top_srcdir=$SRC top_builddir=$BIN CRASH_LOOPS=$LOOPS \
    sh "$SRC/tests/integration/crash.sh"
