#!/usr/bin/python3
"""Parse feed files with feedparser, in one process; print counts.

usage: fp-parse.py FILE... | @LISTFILE
Each file is read as bytes and handed to feedparser.parse(), so feedparser
never opens a URL.  Prints "entries N files M bozo B" on stdout.
"""
import sys

import feedparser

files = []
for a in sys.argv[1:]:
    if a.startswith("@"):
        with open(a[1:]) as f:
            files.extend(line.rstrip("\n") for line in f if line.strip())
    else:
        files.append(a)
if not files:
    sys.exit(__doc__)

entries = 0
bozo = 0
for path in files:
    with open(path, "rb") as f:
        d = feedparser.parse(f.read())
    entries += len(d.entries)
    if d.bozo:
        bozo += 1
        print("fp-parse: %s: bozo: %s" % (path, d.get("bozo_exception")), file=sys.stderr)
print("entries %d files %d bozo %d" % (entries, len(files), bozo))
