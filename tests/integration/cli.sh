#!/bin/sh
# Command lines of both programs and the config checker (feedmuxd -t):
# every bad config is rejected with file:line and a non-zero exit.
. "$top_srcdir/tests/lib.sh"

"$FEEDMUXD" -V | grep -q "^feedmuxd [0-9]" || fail "feedmuxd -V"
"$FEEDMUXCTL" -V | grep -q "^feedmuxctl [0-9]" || fail "feedmuxctl -V"
ok "-V prints versions"

"$FEEDMUXD" -x >/dev/null 2>&1; [ $? -eq 2 ] || fail "feedmuxd -x not usage"
"$FEEDMUXCTL" >/dev/null 2>&1; [ $? -eq 2 ] || fail "feedmuxctl alone"
"$FEEDMUXCTL" -h | grep -q "^usage: feedmuxctl" || fail "feedmuxctl -h"
"$FEEDMUXCTL" frobnicate >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad command"
"$FEEDMUXCTL" status extra >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad arg"
"$FEEDMUXCTL" status brief extra >/dev/null 2>&1; [ $? -eq 2 ] || fail "extra arg"
"$FEEDMUXCTL" feed >/dev/null 2>"$T/err"; [ $? -eq 2 ] || fail "feed alone"
grep -q "feed: missing NAME" "$T/err" || fail "missing argument message"
"$FEEDMUXCTL" add http://x/ --colour >/dev/null 2>"$T/err"; [ $? -eq 2 ] ||
    fail "unknown option"
grep -q "add: unknown option --colour" "$T/err" || fail "unknown option message"
"$FEEDMUXCTL" entries t -n many >/dev/null 2>&1; [ $? -eq 2 ] || fail "-n many"
"$FEEDMUXCTL" -h > "$T/help"
for c in add backup entries export feed feeds import pause purge refresh \
    reload remove resume status tag tags; do
	grep -q "^  $c " "$T/help" || fail "help lacks $c"
done
grep -q "exit status: 0 done, 1 the command failed, 2 bad usage, 3 no" \
    "$T/help" || fail "help lacks exit status"
"$FEEDMUXCTL" -s "$T/none.sock" status 2>"$T/err"; [ $? -eq 3 ] ||
    fail "no daemon should exit 3"
grep -q "cannot connect" "$T/err" || fail "no daemon message"
ok "usage errors exit 2, no daemon exits 3; help describes every command"

# The shipped configs are valid.
"$FEEDMUXD" -t -c "$top_srcdir/conf/feedmux.conf" >/dev/null ||
    fail "conf/feedmux.conf does not check"
"$FEEDMUXD" -t -c "$top_builddir/conf/demo.conf" | grep -q "configuration OK" ||
    fail "conf/demo.conf does not check"
ok "shipped configs pass -t"

# check_bad LINE MESSAGE: the config on stdin must fail at LINE with MESSAGE.
check_bad() {
	cat > "$T/bad.conf"
	if "$FEEDMUXD" -t -c "$T/bad.conf" >"$T/out" 2>&1; then
		fail "accepted a bad config: $2"
	fi
	grep -qF "$T/bad.conf:$1: $2" "$T/out" ||
	    fail "expected '$T/bad.conf:$1: $2', got: $(cat "$T/out")"
}

printf '[daemon]\nlisten = 127.0.0.1:8080\nfrobs = 3\n' |
    check_bad 3 'unknown key "frobs" in [daemon]'
# A NUL byte would end the text early: the rest must not be ignored.
printf '[daemon]\n\000frobs = 3\n' | check_bad 2 'NUL byte in line'
printf '[daemon]\n[feeds x]\n' |
    check_bad 2 'unknown section [feeds x]'
printf '[feed a]\nurl = http://x/\n\n[feed a]\nurl = http://y/\n' |
    check_bad 4 'duplicate feed "a" (first defined at line 1)'
printf '[daemon]\ninterval = soon\n' |
    check_bad 2 'interval: not a duration'
printf '[daemon]\ninterval = 10x\n' |
    check_bad 2 'interval: bad duration unit'
printf '[daemon]\nmin_interval = 0\n' |
    check_bad 2 'min_interval: out of range'
printf '[daemon]\nallow_file_urls = maybe\n' |
    check_bad 2 'allow_file_urls: expected yes or no'
printf '[daemon]\nlisten = 127.0.0.1\n' |
    check_bad 2 'listen: missing port'
printf '[daemon]\nlisten = 127.0.0.1:99999\n' |
    check_bad 2 'listen: bad port'
printf '# comment\n[feed f]\nurl = file:///etc/passwd\n' |
    check_bad 2 '[feed f] file:// URLs need allow_file_urls = yes'
printf '[feed f]\nurl = gopher://x/\n' |
    check_bad 1 '[feed f] only http:// and https:// URLs are fetched'
printf '[feed f]\ntags = a\n' |
    check_bad 1 '[feed f] has no url'
printf '[feed f]\nurl = http://x/\ntags = good, b@d\n' |
    check_bad 3 'tags: bad tag "b@d"'
printf '[feed f]\nurl = http://x/\nurl = http://y/\n' |
    check_bad 3 'duplicate key "url"'
printf '[feed bad/name]\nurl = http://x/\n' |
    check_bad 1 'bad feed name "bad/name"'
printf 'interval = 5m\n' |
    check_bad 1 'key "interval" outside of any section'
printf '[daemon]\nthis is not ini\n' |
    check_bad 2 'syntax error'
printf '[feed f]\nurl = http://x/\n tags = a\n' |
    check_bad 3 'indented line'
printf '[daemon]\ncontrol_socket =\n' |
    check_bad 2 'control_socket: must not be empty'
printf '[daemon]\n[daemon]\n' |
    check_bad 2 'duplicate [daemon] section'
{ printf '[feed f]\nurl = http://x/'; head -c 300 /dev/zero | tr '\0' a; echo; } |
    check_bad 2 'line too long'
ok "bad configs fail with file:line: message"

"$FEEDMUXD" -t -c "$T/missing.conf" 2>"$T/err" && fail "missing config"
grep -q "$T/missing.conf: No such file" "$T/err" || fail "missing config message"
ok "a missing config names the file"

# Durations, sizes and tag folding are accepted in every documented form.
cat > "$T/good.conf" <<EOF2
[daemon]
interval = 2h
min_interval = 30
fetch_timeout = 1m
max_feed_size = 512K
allow_file_urls = yes

; a comment
[feed One_1]
url = file:///dev/null
tags = Russia, diplomacy,  russia ,
interval = 1d
EOF2
"$FEEDMUXD" -t -c "$T/good.conf" | grep -q "1 feeds, 2 tags" ||
    fail "good config: $("$FEEDMUXD" -t -c "$T/good.conf" 2>&1)"
ok "a config using every value form checks"

# -t applies the command-line overrides too.
"$FEEDMUXD" -t -c "$T/good.conf" -l nonsense 2>"$T/err" && fail "-l nonsense"
grep -q "\-l nonsense: missing port" "$T/err" || fail "-l message"
ok "-l is checked like listen"

# The daemon refuses to start on a database it cannot open.
write_conf < /dev/null
"$FEEDMUXD" -f -c "$T/feedmux.conf" -d "$T/no/such/dir/x.db" 2>"$T/err" &&
    fail "started without a database"
grep -q "no/such/dir/x.db" "$T/err" || fail "database error names the path"
ok "an unusable database path is a clear start-up error"
