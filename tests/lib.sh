# tests/lib.sh: shared helpers for the integration tests (sourced).
#
# Each test gets a private directory with its own config, database, control
# socket and HTTP port; every process it starts is stopped by its PID on
# exit.  Set VALGRIND=1 to run feedmuxd under valgrind (leaks fail the test).

set -u

: "${top_srcdir:?run through make check}"
: "${top_builddir:?run through make check}"
# Absolute, so that a test may cd (feedmuxctl backup takes relative paths).
FEEDMUXD="$(cd "$top_builddir" && pwd)/feedmuxd"
FEEDMUXCTL="$(cd "$top_builddir" && pwd)/feedmuxctl"
# Debian's python3, which has feedparser (a pyenv python3 may not).
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

T=$(mktemp -d "${TMPDIR:-/tmp}/feedmux-test.XXXXXX")
SERVER_PID=
DAEMON_PID=
SOCK="$T/ctl.sock"

cleanup() {
	[ -n "$DAEMON_PID" ] && kill -KILL "$DAEMON_PID" 2>/dev/null
	[ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null
	wait 2>/dev/null
	if [ "${KEEP:-}" = 1 ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

fail() {
	echo "FAIL: $*" >&2
	if [ -f "$T/daemon.log" ]; then
		echo "--- daemon log:" >&2
		tail -n 40 "$T/daemon.log" >&2
	fi
	exit 1
}

ok() {
	echo "ok - $*"
}

# A free TCP port on 127.0.0.1.
free_port() {
	"$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Serve directory $1 over HTTP on 127.0.0.1; sets PORT.
start_server() {
	"$PY" "$top_srcdir/tests/server.py" --root "$1" \
	    --port-file "$T/server.port" --log "$T/requests.log" &
	SERVER_PID=$!
	for _ in $(seq 100); do
		[ -s "$T/server.port" ] && break
		sleep 0.05
	done
	[ -s "$T/server.port" ] || fail "test server did not start"
	PORT=$(cat "$T/server.port")
}

# Write $T/feedmux.conf: the [daemon] section, then whatever is on stdin.
write_conf() {
	HTTP_PORT=${HTTP_PORT:-$(free_port)}
	{
		echo "[daemon]"
		echo "listen = 127.0.0.1:$HTTP_PORT"
		echo "control_socket = $SOCK"
		echo "database = $T/feedmux.db"
		echo "min_interval = 1s"
		cat
	} > "$T/feedmux.conf"
}

# Start feedmuxd on $T/feedmux.conf and wait until it answers.  DAEMON_WRAP,
# if set, is a command feedmuxd runs under (prlimit ...); not with valgrind.
start_daemon() {
	if [ -n "${DAEMON_WRAP:-}" ] && [ "${VALGRIND:-}" != 1 ]; then
		# shellcheck disable=SC2086
		$DAEMON_WRAP "$FEEDMUXD" -f -v -c "$T/feedmux.conf" "$@" \
		    >> "$T/daemon.log" 2>&1 &
	elif [ "${VALGRIND:-}" = 1 ]; then
		valgrind -q --error-exitcode=99 --leak-check=full \
		    --errors-for-leak-kinds=definite,indirect \
		    "$FEEDMUXD" -f -v -c "$T/feedmux.conf" "$@" \
		    >> "$T/daemon.log" 2>&1 &
	else
		"$FEEDMUXD" -f -v -c "$T/feedmux.conf" "$@" \
		    >> "$T/daemon.log" 2>&1 &
	fi
	DAEMON_PID=$!
	for _ in $(seq 200); do
		"$FEEDMUXCTL" -s "$SOCK" status >/dev/null 2>&1 && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || fail "feedmuxd exited"
		sleep 0.05
	done
	fail "feedmuxd did not answer on $SOCK"
}

# Stop feedmuxd by its PID; it must exit 0 (and, under valgrind, clean).
stop_daemon() {
	kill -TERM "$DAEMON_PID" || fail "feedmuxd was not running"
	wait "$DAEMON_PID"
	rc=$?
	DAEMON_PID=
	[ "$rc" -eq 0 ] || fail "feedmuxd exited with status $rc"
}

# Wait until every feed has been polled once and none is being polled
# (for tests where a blocking "feedmuxctl refresh" could wait on a feed
# that is deferred on purpose).
wait_polled() {
	for _ in $(seq 200); do
		ctl --json feeds 2>/dev/null | "$PY" -c '
import json, sys
f = json.load(sys.stdin)["feeds"]
sys.exit(0 if all(x["last_poll"] and (x["next_poll"] != "polling" or
    x["next_reason"] == "host") for x in f) else 1)' && return 0
		sleep 0.1
	done
	fail "feeds still not polled"
}

# Wait until GET $1 answers Cache-Control: max-age=N with N > 0: the loop
# thread hands the tags' next polls to the cache within 2 s of a poll, and
# until then max-age errs low.
wait_max_age() {
	for _ in $(seq 100); do
		curl -s -D - -o /dev/null "http://127.0.0.1:$HTTP_PORT$1" |
		    tr -d '\r' | grep -qi '^Cache-Control: .*max-age=[1-9]' &&
		    return 0
		sleep 0.1
	done
	fail "GET $1 never got a max-age above 0"
}

ctl() {
	"$FEEDMUXCTL" -s "$SOCK" "$@"
}

# Fetch a URL from the daemon's HTTP server into a file; prints the status.
http_get() {
	curl -s -o "$2" -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT$1"
}

# Run a Python check with the JSON of "feedmuxctl --json ARGS" on stdin.
ctl_json_check() {
	_code=$1
	shift
	ctl --json "$@" > "$T/ctl.json" || fail "feedmuxctl $* failed"
	"$PY" -c "import json, sys
d = json.load(open(sys.argv[1]))
$_code" "$T/ctl.json" || fail "check of feedmuxctl $* failed"
}
