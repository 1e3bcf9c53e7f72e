#!/bin/sh
# The parser corpus: every case in tests/data/corpus/ gives exactly the expected
# output through "feedmuxd --parse", and every disagreement with Debian's
# python3-feedparser over the corpus is one we explained.
. "$top_srcdir/tests/lib.sh"

"$PY" "$top_srcdir/tests/corpus-check.py" "$FEEDMUXD" "$top_srcdir/tests/data/corpus" \
    > "$T/corpus.out" 2>&1
rc=$?
cat "$T/corpus.out"
[ $rc -eq 0 ] || fail "feedmuxd --parse differs from the expected output"
ok "feedmuxd --parse gives the expected output for every corpus case"

"$PY" "$top_srcdir/tests/crosscheck.py" "$FEEDMUXD" "$top_srcdir/tests/data/corpus" \
    > "$T/cross.out" 2>&1
rc=$?
sed -n '1,/^$/p' "$T/cross.out"
tail -n 1 "$T/cross.out"
[ $rc -eq 0 ] || { cat "$T/cross.out"; fail "unexplained disagreement with feedparser"; }
ok "every disagreement with python3-feedparser is explained"

# --parse on several files, on stdin, and its errors.
"$FEEDMUXD" --parse "$top_srcdir/tests/data/corpus/rss20-basic.xml" \
    "$top_srcdir/tests/data/corpus/atom10-basic.atom" > "$T/two.jsonl" ||
    fail "--parse with two files"
[ "$(grep -c '^{"feed"' "$T/two.jsonl")" = 2 ] || fail "two feed lines"
"$FEEDMUXD" --parse - < "$top_srcdir/tests/data/corpus/rss20-basic.xml" > "$T/stdin.jsonl" ||
    fail "--parse -"
"$FEEDMUXD" --parse "$top_srcdir/tests/data/corpus/rss20-basic.xml" > "$T/file.jsonl"
cmp -s "$T/stdin.jsonl" "$T/file.jsonl" || fail "stdin and file differ"
"$FEEDMUXD" --parse "$T/nosuch.xml" 2>"$T/err" && fail "missing file"
grep -q "nosuch.xml: No such file" "$T/err" || fail "missing file message"
"$FEEDMUXD" --parse "$top_srcdir/tests/data/corpus/html-page.html" 2>"$T/err" >/dev/null &&
    fail "html page accepted"
[ "$(wc -l < "$T/err")" = 1 ] || fail "not one line of error: $(cat "$T/err")"
"$FEEDMUXD" --parse >/dev/null 2>&1; [ $? -eq 2 ] || fail "--parse without file"
ok "--parse takes several files or stdin and fails with one line"
