#!/bin/sh
# systemd integration: READY=1 once serving, STATUS=, RELOADING=1 around a
# reload, STOPPING=1 on the way out (through a stand-in NOTIFY_SOCKET), and
# "<N>" priority prefixes on log lines when stderr is the journal.
. "$top_srcdir/tests/lib.sh"

"$PY" "$top_srcdir/tests/notify-listener.py" "$T/notify.sock" "$T/notify.log" &
LISTENER_PID=$!
trap 'kill -TERM $LISTENER_PID 2>/dev/null; cleanup' EXIT
for _ in $(seq 100); do
	[ -s "$T/notify.log" ] && break
	sleep 0.05
done

write_conf <<EOF2
allow_file_urls = yes
[feed demo]
url = file://$top_srcdir/contrib/demo/diplomacy-wire.atom
tags = russia
EOF2

# Pretend stderr is the journal: JOURNAL_STREAM names its device and inode.
: > "$T/daemon.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/daemon.log")
NOTIFY_SOCKET="$T/notify.sock"
export JOURNAL_STREAM NOTIFY_SOCKET
start_daemon
unset NOTIFY_SOCKET JOURNAL_STREAM

grep -q "^READY=1$" "$T/notify.log" || fail "no READY=1: $(cat "$T/notify.log")"
grep -q "^STATUS=1 feeds (0 failing, 0 gone), [0-9]* entries, 1 tags$" "$T/notify.log" ||
    fail "no STATUS=: $(cat "$T/notify.log")"
ok "READY=1 and STATUS= are sent"

ctl reload > /dev/null || fail "reload"
grep -q "^RELOADING=1$" "$T/notify.log" || fail "no RELOADING=1"
[ "$(grep -c '^READY=1$' "$T/notify.log")" -ge 2 ] || fail "no READY=1 after reload"
ok "reload is bracketed by RELOADING=1 and READY=1"

stop_daemon
grep -q "^STOPPING=1$" "$T/notify.log" || fail "no STOPPING=1"
ok "STOPPING=1 on the way out"

grep -q '^<6>feedmuxd .* started' "$T/daemon.log" ||
    fail "no <6> prefix: $(head -3 "$T/daemon.log")"
grep -q '^<7>' "$T/daemon.log" || fail "no <7> prefix on debug lines"
if grep -v '^<[0-7]>' "$T/daemon.log" | grep -q .; then
	fail "a log line without a priority prefix"
fi
ok "log lines carry journald priority prefixes"
