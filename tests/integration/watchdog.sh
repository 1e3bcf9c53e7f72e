#!/bin/sh
# systemd's watchdog: with WATCHDOG_USEC (and WATCHDOG_PID naming us)
# feedmuxd sends WATCHDOG=1 every half interval, through a stand-in
# NOTIFY_SOCKET; none when WATCHDOG_PID names another process; and none
# while the worker thread is stuck in one job, so that systemd would
# restart it.
#
# A stuck worker without test hooks in the product: another process holds
# an exclusive SQLite lock on the daemon's database while a refresh makes
# the worker write.  The store's busy_timeout is 5 s (db-schema.c), so the
# poll's job waits 5 s on its first write before it fails with "database
# is locked": five times the 1 s interval.  The warning comes 1 to 1.5 s
# into the job; the 1.5 s after it (three ticks) must bring no ping.
. "$top_srcdir/tests/lib.sh"

# Built with --disable-systemd, feedmuxd tells systemd nothing.
grep -q '^#define HAVE_SYSTEMD 1' "$top_builddir/config.h" ||
    { echo "SKIP: built without libsystemd"; exit 77; }

WD_USEC=1000000
LOCK_SECS=8

"$PY" "$top_srcdir/tests/notify-listener.py" "$T/notify.sock" "$T/notify.log" &
LISTENER_PID=$!
LOCK_PID=
REFRESH_PID=
trap 'for p in $LISTENER_PID $LOCK_PID $REFRESH_PID; do kill -TERM $p 2>/dev/null; done; cleanup' EXIT
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

pings() {
	grep -c '^WATCHDOG=1$' "$T/notify.log"
}

# WATCHDOG_PID names the process to ping for: feedmuxd itself is what the
# wrapper execs (valgrind runs its guest in the same process, too).
cat > "$T/pid-env.sh" <<'EOF2'
WATCHDOG_PID=$$
export WATCHDOG_PID
exec "$@"
EOF2

# 1. WATCHDOG_PID names another process: the watchdog is not ours.
export NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=$WD_USEC WATCHDOG_PID=1
start_daemon
unset NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID
sleep 2.5
stop_daemon
[ "$(pings)" -eq 0 ] || fail "WATCHDOG=1 sent for another process's watchdog"
grep -q "systemd watchdog" "$T/daemon.log" &&
    fail "watchdog started for another process"
ok "no pings when WATCHDOG_PID is another process"

# 2. Ours: a ping every half second.  (Under valgrind start_daemon ignores
# DAEMON_WRAP; without WATCHDOG_PID the watchdog is anybody's, ours too.)
export NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=$WD_USEC
DAEMON_WRAP="sh $T/pid-env.sh" start_daemon
unset NOTIFY_SOCKET WATCHDOG_USEC
for _ in $(seq 100); do
	[ "$(pings)" -ge 3 ] && break
	sleep 0.1
done
[ "$(pings)" -ge 3 ] || fail "fewer than 3 WATCHDOG=1 in 10 s: $(pings)"
grep -q "systemd watchdog: pinging every 500 ms" "$T/daemon.log" ||
    fail "the watchdog's interval is not logged"
ok "WATCHDOG=1 arrives every half WATCHDOG_USEC"

# 3. The worker stuck behind a lock: the pings stop, and one warning says
# why.
"$PY" - "$T/feedmux.db" "$T/locked" "$LOCK_SECS" <<'EOF2' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
db.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
time.sleep(float(sys.argv[3]))
db.execute("ROLLBACK")
EOF2
LOCK_PID=$!
for _ in $(seq 100); do
	[ -e "$T/locked" ] && break
	sleep 0.1
done
[ -e "$T/locked" ] || fail "could not lock the database"
ctl refresh demo > "$T/refresh.out" 2>&1 &
REFRESH_PID=$!
for _ in $(seq 100); do
	grep -q "worker is stuck in one job" "$T/daemon.log" && break
	sleep 0.1
done
grep -q "systemd watchdog: not pinging: the worker is stuck in one job for [0-9]* s" \
    "$T/daemon.log" || fail "no warning that the worker is stuck"
before=$(pings)
sleep 1.5
[ "$(pings)" -eq "$before" ] ||
    fail "WATCHDOG=1 sent while the worker is stuck ($before, then $(pings))"
[ "$(grep -c 'worker is stuck' "$T/daemon.log")" -eq 1 ] ||
    fail "the warning is not said once"
ok "no WATCHDOG=1 while the worker is stuck in one job, said once"

# 4. The lock goes, the job ends, the pings come back.
wait "$LOCK_PID"
LOCK_PID=
wait "$REFRESH_PID"
REFRESH_PID=
before=$(pings)
for _ in $(seq 100); do
	[ "$(pings)" -gt "$before" ] && break
	sleep 0.1
done
[ "$(pings)" -gt "$before" ] || fail "no WATCHDOG=1 after the worker moved"
grep -q "systemd watchdog: the worker moves again" "$T/daemon.log" ||
    fail "the recovery is not logged"
kill -0 "$DAEMON_PID" || fail "feedmuxd died"
stop_daemon
ok "WATCHDOG=1 again once the worker moves"
