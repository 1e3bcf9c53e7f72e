#!/bin/sh
# Socket activation through systemd-socket-activate(1): feedmuxd serves
# HTTP on the socket named "http" and the control protocol on the one
# named "control", binds neither configured address, and leaves the
# control socket's path (systemd's) in place at exit.  Unknown names and
# wrong socket types are fatal at start.
. "$top_srcdir/tests/lib.sh"

command -v systemd-socket-activate >/dev/null ||
    { echo "SKIP: no systemd-socket-activate (package systemd)"; exit 77; }
# Built with --disable-systemd, feedmuxd ignores the sockets passed.
grep -q '^#define HAVE_SYSTEMD 1' "$top_builddir/config.h" ||
    { echo "SKIP: built without libsystemd"; exit 77; }

# The configured addresses, which must stay unused.
write_conf <<EOF2
allow_file_urls = yes
[feed demo]
url = file://$top_srcdir/contrib/demo/diplomacy-wire.atom
tags = russia
EOF2
APORT=$(free_port)
ASOCK="$T/activated.sock"

VG=
if [ "${VALGRIND:-}" = 1 ]; then
	VG="valgrind -q --error-exitcode=99 --leak-check=full
	    --errors-for-leak-kinds=definite,indirect"
fi

# activate FDNAMES LISTEN...: feedmuxd under systemd-socket-activate, which
# execs it (same PID) at the first connection.
activate() {
	_names=$1
	shift
	# shellcheck disable=SC2086
	systemd-socket-activate "$@" --fdname="$_names" $VG "$FEEDMUXD" -f -v \
	    -c "$T/feedmux.conf" >> "$T/daemon.log" 2>&1 &
	DAEMON_PID=$!
	for _ in $(seq 100); do
		grep -q "Listening on" "$T/daemon.log" && return 0
		sleep 0.05
	done
	fail "systemd-socket-activate did not listen"
}

activate http:control -l "127.0.0.1:$APORT" -l "$ASOCK"
code=$(curl -s -m 60 -o "$T/index.html" -w '%{http_code}' \
    "http://127.0.0.1:$APORT/health")
[ "$code" = 200 ] || fail "GET /health on the passed socket: $code"
ok "HTTP is served on the socket named http"

"$FEEDMUXCTL" -s "$ASOCK" status > "$T/status.out" ||
    fail "feedmuxctl on the passed control socket"
grep -q "feeds" "$T/status.out" || fail "status: $(cat "$T/status.out")"
"$FEEDMUXCTL" -s "$ASOCK" refresh demo > /dev/null || fail "refresh"
ok "feedmuxctl is answered on the socket named control"

[ -e "$SOCK" ] && fail "the configured control_socket was created"
curl -s -m 5 -o /dev/null "http://127.0.0.1:$HTTP_PORT/health" &&
    fail "the configured listen address was bound"
grep -q "serving HTTP on the socket systemd passed" "$T/daemon.log" ||
    fail "the log does not say HTTP came from systemd"
grep -q "control socket passed by systemd" "$T/daemon.log" ||
    fail "the log does not say the control socket came from systemd"
ok "the configured addresses are not bound, and the log says so"

mode=$(stat -c %a "$ASOCK")
stop_daemon
[ -S "$ASOCK" ] || fail "the activated control socket was removed at exit"
[ "$(stat -c %a "$ASOCK")" = "$mode" ] || fail "its mode was changed"
ok "the activated control socket's path is left to systemd"
rm -f "$ASOCK"

# Mistakes in the unit are fatal, and say what is wrong.
expect_fatal() {
	_what=$1
	shift
	: > "$T/daemon.log"
	activate "$@"
	curl -s -m 30 -o /dev/null "http://127.0.0.1:$APORT/" 2>/dev/null
	wait "$DAEMON_PID"
	rc=$?
	DAEMON_PID=
	[ "$rc" -eq 1 ] || fail "$_what: exit status $rc, not 1"
	grep -q "socket activation: $_what" "$T/daemon.log" ||
	    fail "$_what: not in the log"
	rm -f "$ASOCK"
}
expect_fatal 'systemd passed a socket named "web"' \
    web -l "127.0.0.1:$APORT"
expect_fatal "the socket named control is not a listening Unix stream socket" \
    control -l "127.0.0.1:$APORT"
expect_fatal "systemd passed two sockets named http" \
    http:http -l "127.0.0.1:$APORT" -l "127.0.0.1:$(free_port)"
ok "unknown names, wrong socket types and duplicates are fatal"
