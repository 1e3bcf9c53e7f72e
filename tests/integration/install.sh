#!/bin/sh
# make install DESTDIR=...: the programs, man pages, sample config, systemd
# units, sysusers.d and tmpfiles.d files land where configure said, and
# the units name the configured paths.  Then, on that tree:
# systemd-analyze verify --root (which also checks that ExecStart= names
# an executable, inside the tree), systemd-sysusers --root and
# systemd-tmpfiles --root (as root: it chowns to the new user).
. "$top_srcdir/tests/lib.sh"

D="$T/destdir"

# A nested make must not take the jobserver of the one running the tests.
bmake() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" "$@"
}

# The value of a make variable of the build, fully expanded.
var() {
	printf 'sd-print-var:\n\t@echo $(%s)\n' "$1" |
	    bmake -f Makefile -f - sd-print-var
}

bmake install DESTDIR="$D" > "$T/install.log" 2>&1 ||
    fail "make install: $(tail -5 "$T/install.log")"

sbindir=$(var sbindir)
bindir=$(var bindir)
sysconfdir=$(var sysconfdir)
mandir=$(var mandir)
localstatedir=$(var localstatedir)
runstatedir=$(var runstatedir)
unitdir=$(var systemdsystemunitdir)
sysusersdir=$(var sysusersdir)
tmpfilesdir=$(var tmpfilesdir)

for f in "$sbindir/feedmuxd" "$bindir/feedmuxctl"; do
	[ -x "$D$f" ] || fail "$f not installed"
done
for f in "$mandir/man8/feedmuxd.8" "$mandir/man8/feedmuxctl.8" \
    "$mandir/man5/feedmux.conf.5" "$sysconfdir/feedmux.conf"; do
	[ -f "$D$f" ] || fail "$f not installed"
done
ok "programs, man pages and the sample config are installed"

if [ "$unitdir" = no ]; then
	echo "ok - units # SKIP: configured without them"
else
	for u in feedmux.service feedmux.socket feedmux-http.socket; do
		[ -f "$D$unitdir/$u" ] || fail "$unitdir/$u not installed"
		grep -q '@[a-z]*@' "$D$unitdir/$u" &&
		    fail "$u keeps a placeholder: $(grep '@[a-z]*@' "$D$unitdir/$u")"
		grep -q '\${' "$D$unitdir/$u" && fail "$u has an unexpanded \${"
	done
	svc="$D$unitdir/feedmux.service"
	grep -qx "ExecStart=$sbindir/feedmuxd -f -c $sysconfdir/feedmux.conf" \
	    "$svc" || fail "ExecStart: $(grep ExecStart= "$svc")"
	grep -qx "ExecReload=$sbindir/feedmuxd -t -c $sysconfdir/feedmux.conf" \
	    "$svc" || fail "ExecReload: $(grep ExecReload= "$svc")"
	grep -qx "ReadWritePaths=$runstatedir/feedmux $localstatedir/lib/feedmux" \
	    "$svc" || fail "ReadWritePaths: $(grep ReadWritePaths= "$svc")"
	grep -qx "WatchdogSec=60s" "$svc" || fail "no WatchdogSec="
	grep -qx "ListenStream=$runstatedir/feedmux/control.sock" \
	    "$D$unitdir/feedmux.socket" || fail "control socket path"
	grep -qx "FileDescriptorName=control" "$D$unitdir/feedmux.socket" ||
	    fail "control socket name"
	grep -qx "FileDescriptorName=http" "$D$unitdir/feedmux-http.socket" ||
	    fail "http socket name"
	ok "the units are installed and name the configured paths"

	if command -v systemd-analyze >/dev/null; then
		# --root: the units and ExecStart= are looked up in the tree;
		# the targets they hang on come from the system's units.  The
		# units go to /etc/systemd/system in the tree too, where
		# --root finds them whatever unitdir is (distcheck's is not
		# on systemd's search path).
		mkdir -p "$D/usr/lib/systemd" "$D/etc/systemd/system"
		cp -r /usr/lib/systemd/system "$D/usr/lib/systemd/" ||
		    fail "copying the system's units"
		cp "$D$unitdir"/feedmux* "$D/etc/systemd/system/"
		(cd "$D/etc/systemd/system" && systemd-analyze verify --man=no \
		    --root="$D" feedmux.service feedmux.socket \
		    feedmux-http.socket) > "$T/verify.log" 2>&1 ||
		    fail "systemd-analyze verify: $(cat "$T/verify.log")"
		[ -s "$T/verify.log" ] &&
		    fail "systemd-analyze verify warns: $(cat "$T/verify.log")"
		ok "systemd-analyze verify accepts the units"
	else
		echo "ok - systemd-analyze verify # SKIP: no systemd-analyze"
	fi
fi

if [ "$sysusersdir" = no ] || [ "$tmpfilesdir" = no ]; then
	echo "ok - sysusers.d, tmpfiles.d # SKIP: configured without them"
	exit 0
fi
[ -f "$D$sysusersdir/feedmux.conf" ] || fail "sysusers.d file not installed"
[ -f "$D$tmpfilesdir/feedmux.conf" ] || fail "tmpfiles.d file not installed"
grep -q "^u	feedmux	-	.*	$localstatedir/lib/feedmux$" \
    "$D$sysusersdir/feedmux.conf" || fail "sysusers.d: $(cat "$D$sysusersdir/feedmux.conf")"
grep -q "^d	$runstatedir/feedmux	.*feedmux	feedmux" \
    "$D$tmpfilesdir/feedmux.conf" || fail "tmpfiles.d: no $runstatedir/feedmux"
grep -q "^d	$localstatedir/lib/feedmux	.*feedmux	feedmux" \
    "$D$tmpfilesdir/feedmux.conf" || fail "tmpfiles.d: no $localstatedir/lib/feedmux"
ok "sysusers.d and tmpfiles.d files are installed and name the configured paths"

if [ "$(id -u)" = 0 ] && command -v systemd-sysusers >/dev/null &&
    command -v systemd-tmpfiles >/dev/null; then
	mkdir -p "$D/etc"
	systemd-sysusers --root="$D" "$D$sysusersdir/feedmux.conf" \
	    > "$T/sysusers.log" 2>&1 || fail "systemd-sysusers: $(cat "$T/sysusers.log")"
	grep -q '^feedmux:' "$D/etc/passwd" || fail "no feedmux user made"
	uid=$(grep '^feedmux:' "$D/etc/passwd" | cut -d: -f3)
	systemd-tmpfiles --create --root="$D" "$D$tmpfilesdir/feedmux.conf" \
	    > "$T/tmpfiles.log" 2>&1 || fail "systemd-tmpfiles: $(cat "$T/tmpfiles.log")"
	for dir in "$runstatedir/feedmux" "$localstatedir/lib/feedmux"; do
		[ "$(stat -c '%u %a' "$D$dir")" = "$uid 750" ] ||
		    fail "$dir: $(stat -c '%u %a' "$D$dir")"
	done
	ok "systemd-sysusers and systemd-tmpfiles make the user and directories"
else
	echo "ok - systemd-sysusers, systemd-tmpfiles # SKIP: not root or missing"
fi
