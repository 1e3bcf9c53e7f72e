#!/bin/sh
# systemd integration: READY=1 once serving, STATUS=, RELOADING=1 around a
# reload, STOPPING=1 on the way out (through a stand-in NOTIFY_SOCKET), and
# "<N>" priority prefixes on log lines when stderr is the journal, and
# structured fields (FEED=, URL=, STAGE=) when journald's socket is there.
. "$top_srcdir/tests/lib.sh"

# Built with --disable-systemd, feedmuxd tells systemd nothing.
grep -q '^#define HAVE_SYSTEMD 1' "$top_builddir/config.h" ||
    { echo "SKIP: built without libsystemd"; exit 77; }

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

# Structured journal fields: with a stand-in for journald's native socket
# (only where none exists: CI is root in a container without journald;
# with a real journald, or not as root, this part is skipped), messages
# go there with MESSAGE=, PRIORITY=, SYSLOG_IDENTIFIER= and, for a feed,
# FEED=, URL= and STAGE=, or TAG=, instead of stderr.
JDIR=/run/systemd/journal
if [ "$(id -u)" != 0 ] || [ -e "$JDIR/socket" ] || [ ! -d /run ]; then
	echo "ok - journal fields # SKIP: journald's socket exists or not root"
	exit 0
fi
made_run_systemd=
[ -d /run/systemd ] || made_run_systemd=1
made_jdir=
[ -d "$JDIR" ] || made_jdir=1
mkdir -p "$JDIR"
"$PY" "$top_srcdir/tests/journal-listener.py" "$JDIR/socket" "$T/journal.log" &
JOURNAL_PID=$!
trap 'kill -TERM $LISTENER_PID $JOURNAL_PID 2>/dev/null; wait $JOURNAL_PID 2>/dev/null
rm -f "$JDIR/socket"
[ -n "$made_jdir" ] && rmdir "$JDIR"
[ -n "$made_run_systemd" ] && rmdir /run/systemd
cleanup' EXIT
for _ in $(seq 100); do
	[ -s "$T/journal.log" ] && break
	sleep 0.05
done
[ -S "$JDIR/socket" ] || fail "the journal stand-in did not start"

write_conf <<EOF2
allow_file_urls = yes
[feed demo]
url = file://$top_srcdir/contrib/demo/diplomacy-wire.atom
tags = russia
[feed broken]
url = file://$T/missing.xml
tags = russia
EOF2
: > "$T/daemon.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/daemon.log")
export JOURNAL_STREAM
start_daemon
unset JOURNAL_STREAM
wait_polled
stop_daemon

"$PY" - "$T/journal.log" "file://$T/missing.xml" <<'EOF2' || fail "journal fields: $(tail -5 "$T/journal.log")"
import json, sys
entries = [json.loads(l) for l in open(sys.argv[1])][1:]
assert entries, "nothing reached the journal"
for e in entries:
    assert e["SYSLOG_IDENTIFIER"] == "feedmuxd", e
    assert e["PRIORITY"] in "01234567", e
    assert all(c >= " " for c in e["MESSAGE"]), e
started = [e for e in entries if "started" in e["MESSAGE"]]
assert started and started[0]["PRIORITY"] == "6" and \
    "FEED" not in started[0], started
failed = [e for e in entries if e.get("FEED") == "broken" and
          "failed" in e["MESSAGE"]]
assert failed, "no entry with FEED=broken about its failure"
f = failed[0]
assert f["STAGE"] == "fetch" and f["URL"] == sys.argv[2], f
assert f["MESSAGE"].startswith("feed broken: fetch failed: "), f
assert f["PRIORITY"] == "6", f
polled = [e for e in entries if e.get("FEED") == "broken" and
          e["MESSAGE"].startswith("feed broken: polling ")]
assert polled and polled[0]["PRIORITY"] == "7", polled
assert polled[0]["URL"] == sys.argv[2], polled
assert "STAGE" not in polled[0], polled
assert not any(k.startswith("CODE_") for k in entries[0]), entries[0]
# The new feed joined tag russia: its membership is computed again.
tagged = [e for e in entries if e.get("TAG") == "russia"]
assert tagged and "tag membership of 1 tag " in tagged[0]["MESSAGE"], \
    tagged
EOF2
ok "journal entries carry FEED=, URL=, STAGE=, TAG=, PRIORITY=, SYSLOG_IDENTIFIER="

grep -q 'feed broken' "$T/daemon.log" &&
    fail "a message the journal took went to stderr too"
ok "what the journal takes does not go to stderr as well"
