#!/usr/bin/python3
"""Cross-check feedmux's feed parser against Python's feedparser.

Usage:
    crosscheck.py FEEDMUXD CORPUS_DIR [--report FILE] [--strict]
    crosscheck.py --expected-only CORPUS_DIR [--report FILE]

For every input NAME in CORPUS_DIR that has NAME.expected.jsonl or NAME.error,
run `FEEDMUXD --parse NAME [args from NAME.args]` (or, with --expected-only,
read NAME.expected.jsonl instead) and parse the same bytes with feedparser,
passing --base as the Content-Location and --charset as the Content-Type
charset.  Fields are compared one by one; every disagreement must be listed
in EXPLAINED (keyed by (file, field); field '*' covers a whole file) or the
script exits 1.

Run it with /usr/bin/python3 (Debian's python3-feedparser).

Field notes:
  title      feedparser keeps HTML titles as HTML; its titles are reduced to
             plain text (tags stripped, entities decoded, whitespace collapsed)
             before comparing, as feedmux does.
  enclosures compared as sorted URL lists: feedparser keeps <enclosure> /
             rel=enclosure in `enclosures` and media:content in
             `media_content`, so document order cannot be compared.
  updated    read as feedparser users read it (entry.updated_parsed), which
             falls back to published_parsed when there is no updated date.
  summary, content  compared for presence only.
--strict (FEEDMUXD mode only) also requires feedmux's output to equal
NAME.expected.jsonl exactly.  In FEEDMUXD mode a NAME.error case also checks
the exit status and that stderr contains the NAME.error text.
"""

import argparse
import html
import io
import json
import os
import re
import shlex
import subprocess
import sys
import time
import warnings

try:
    import feedparser
except ImportError:
    sys.exit("crosscheck: feedparser not found; run with /usr/bin/python3 "
             "(Debian package python3-feedparser)")

warnings.simplefilter("ignore")		# feedparser's updated->published warning

FIELDS = ["is_feed", "feed.format", "feed.title", "feed.link", "entries",
          "id", "title", "link", "published", "updated", "authors",
          "categories", "enclosures", "summary", "content"]

# (file, field) -> why feedmux deliberately differs from feedparser there.
# field "*" covers every field of the file.
FALLBACK = ("feedparser's entry.updated falls back to published when there is "
            "no updated date; we report null, never a copy")
SUMMARY = ("feedparser fills summary from the content when there is no "
           "summary/description; we leave summary null")
INTERNAL_ENTITY = ("feedparser does not expand entities declared in the "
                   "internal DTD subset (it keeps '&brand;' as written); we "
                   "expand internal general entities, within limits")
EXPLAINED = {
    ("rss20-basic.xml", "updated"): FALLBACK,
    ("rss-media.xml", "updated"): FALLBACK,
    ("rss-atom-link.xml", "updated"): FALLBACK,
    ("rss-hints.xml", "updated"): FALLBACK,
    ("no-id-no-link.xml", "updated"): FALLBACK,
    ("truncated.xml", "updated"): FALLBACK,
    ("rss-dates.xml", "updated"): FALLBACK + "; also feedparser reads dc:date "
        "as updated, and turns unreadable dates into nonsense ('0000-00-00 "
        "00:00:00' -> year -1, month 13 day 45 -> 2015-01-01) where we give null",
    ("rss-dates.xml", "published"): "feedparser reads dc:date as updated, not "
        "published; and it maps 2-digit year 65 to 2065 where RFC 2822 4.3 says 1965",
    ("dates-forms.xml", "published"): "years outside 0001-9999 in UTC are null "
        "(our JSON schema has four-digit years) where feedparser returns year "
        "10000 or reads 10000-06-10 as 2010-12-01; feedparser turns the ISO week "
        "date 2004-W53-6 into 2004-12-01 (it is 2005-01-01) and reads "
        "'2013-01-27-01', which its own W3C-DTF tests reject",
    ("dates-forms.xml", "updated"): FALLBACK + "; and the published reasons",
    ("rss10-rdf-modules.xml", "published"): "feedparser reads dc:date as updated, "
        "not published (RSS 1.0's only item date is publication)",
    ("rss10-rdf-modules.xml", "updated"): "feedparser reads dc:date as updated; "
        "we read it as published and leave updated null without dcterms:modified",
    ("rss10-rdf-modules.xml", "summary"): SUMMARY,
    ("atom03.atom", "summary"): SUMMARY,
    ("atom10-text-types.atom", "summary"): SUMMARY,
    ("rss20-basic.xml", "link"): "feedparser uses any guid without "
        "isPermaLink=\"false\" as the link, even '9911@security.blogs.example.com'; "
        "we only use one that is an absolute http(s) URL",
    ("atom10-basic.atom", "authors"): "RFC 4287 4.2.1: an entry without "
        "atom:author takes the feed's authors; feedparser does not inherit them",
    ("atom03.atom", "authors"): "Atom 0.3: an entry without author takes the "
        "feed's author; feedparser does not inherit it",
    ("relative-links.xml", "enclosures"): "feedparser does not resolve relative "
        "RSS enclosure URLs; we resolve them like links",
    ("rss-bare-ampersand.xml", "title"): "feedparser's loose parser turns the bare "
        "'&T' into '&T;'; we keep the text as written ('AT&T')",
    ("bad-utf8.xml", "title"): "feedparser decodes the whole document as "
        "windows-1252 when any byte is invalid UTF-8 (valid UTF-8 turns into "
        "mojibake); we replace only the bad bytes with U+FFFD",
    ("c0-controls.xml", "feed.title"): "feedparser keeps C0 control characters; we drop them",
    ("c0-controls.xml", "title"): "feedparser keeps C0 control characters "
        "(ESC, BEL, 0x01: terminal escapes reach logs and ctl output); we drop them",
    ("c0-controls.xml", "categories"): "feedparser keeps C0 control characters; we drop them",
    ("truncated.xml", "entries"): "feedparser keeps the incomplete last item "
        "of a truncated document; we keep complete entries only",
    ("rss-userland-ns.xml", "updated"): FALLBACK,
    ("rss-userland-ns.xml", "authors"): "dc:author and itunes:author stand "
        "in for a missing <author>/dc:creator; feedparser adds dc:author to "
        "the authors an item names anyway",
    ("rss-userland-ns.xml", "content"): "feedparser turns a second "
        "summary-like element (itunes:summary beside <description>) into "
        "content; we keep it as a summary fallback only",
    ("rss-html-words.xml", "title"): "a title made of HTML reads as its "
        "words: script, style and comments dropped, a space where a block or "
        "<br> parts words; feedparser keeps the markup (read as plain text) "
        "or runs the words together ('space[link]')",
    ("atom03-base64.atom", "authors"): "Atom 0.3: an entry without author "
        "takes the feed's author; feedparser does not inherit it",
    ("atom03-base64.atom", "updated"): FALLBACK,
    ("atom03-base64.atom", "summary"): "a mode=\"base64\" summary that is "
        "not base64 is dropped; feedparser keeps it (and fills a missing "
        "summary from the content)",
    ("atom10-source-links.atom", "authors"): "RFC 4287 4.2.1: an entry "
        "without atom:author takes its atom:source's authors, else the "
        "feed's; feedparser inherits neither",
    ("atom10-source-links.atom", "content"): "base64 content of a binary "
        "type (image/png) is not shown; feedparser keeps the decoded bytes",
    ("rss-internal-entities.xml", "feed.title"): INTERNAL_ENTITY,
    ("rss-internal-entities.xml", "title"): INTERNAL_ENTITY,
    ("rss-internal-entities.xml", "link"): INTERNAL_ENTITY,
    ("rss-internal-entities.xml", "enclosures"): INTERNAL_ENTITY,
    ("rss-internal-entities.xml", "categories"): INTERNAL_ENTITY + "; and "
        "its loose parser leaves '&amp;' in category text and character "
        "references in attribute values as written",
    ("undefined-entities.atom", "categories"): "an undefined entity sends "
        "feedparser to its loose parser, which leaves HTML entities (&eacute;) "
        "and '&lt;' in attribute values undecoded; we decode them",
    ("broken-truncated.atom", "entries"): "feedparser keeps the incomplete "
        "last entry of a truncated document (here with its link cut in "
        "half); we keep complete entries only",
    ("jsonfeed10.json", "*"): "feedparser 6.0.10 has no JSON Feed support",
    ("jsonfeed11.json", "*"): "feedparser 6.0.10 has no JSON Feed support",
}

AUX = (".expected.jsonl", ".error", ".args")


def cases(corpus):
    out = []
    for name in sorted(os.listdir(corpus)):
        if name == "README" or name.endswith(AUX) or name.startswith("."):
            continue
        path = os.path.join(corpus, name)
        if not os.path.isfile(path):
            continue
        exp = path + ".expected.jsonl"
        err = path + ".error"
        if os.path.exists(exp):
            kind = "feed"
        elif os.path.exists(err):
            kind = "error"
        else:
            continue
        args = []
        if os.path.exists(path + ".args"):
            with open(path + ".args", encoding="utf-8") as f:
                args = shlex.split(f.read())
        out.append((name, path, kind, args))
    return out


def option(args, name):
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(name + "="):
            return a[len(name) + 1:]
    return None


def parse_jsonl(text):
    """JSON Lines from --parse (or an expected file) -> (feed, [entries])."""
    lines = [json.loads(l) for l in text.split("\n") if l.strip()]  # not splitlines(): U+0085 etc. are not line ends in JSON Lines
    if not lines or "feed" not in lines[0]:
        raise ValueError("first line is not {\"feed\": ...}")
    entries = []
    for l in lines[1:]:
        if "entry" not in l:
            raise ValueError("line is not {\"entry\": ...}: %r" % (l,))
        entries.append(l["entry"])
    return lines[0]["feed"], entries


FEED_KEYS = ["format", "title", "link", "id", "updated", "hints"]
ENTRY_KEYS = ["id", "title", "link", "published", "updated", "authors",
              "categories", "summary", "content", "enclosures"]


def strict_diff(feed, entries, wfeed, wentries):
    """Where feedmux output differs from the expected file (schema keys only;
    keys the schema does not list are ignored)."""
    out = []
    for k in FEED_KEYS:
        if feed.get(k, "<missing>") != wfeed.get(k):
            out.append("feed %s: got %s want %s" % (k, short(feed.get(k, "<missing>")), short(wfeed.get(k))))
    if len(entries) != len(wentries):
        out.append("entry count: got %d want %d" % (len(entries), len(wentries)))
    for i, (e, w) in enumerate(zip(entries, wentries), 1):
        for k in ENTRY_KEYS:
            if e.get(k, "<missing>") != w.get(k):
                out.append("entry %d %s: got %s want %s" % (i, k, short(e.get(k, "<missing>")), short(w.get(k))))
    return out


def ours_view(feed, entries):
    def ent(e):
        return {
            "id": e.get("id"),
            "title": e.get("title"),
            "link": e.get("link"),
            "published": e.get("published"),
            "updated": e.get("updated"),
            "authors": list(e.get("authors") or []),
            "categories": list(e.get("categories") or []),
            "enclosures": sorted(x.get("url") for x in e.get("enclosures") or []),
            "summary": e.get("summary") is not None,
            "content": e.get("content") is not None,
        }
    return {"is_feed": True, "feed.format": feed.get("format"),
            "feed.title": feed.get("title"), "feed.link": feed.get("link"),
            "entries": [ent(e) for e in entries]}


FP_FORMATS = {"rss090": "rss0.9x", "rss091n": "rss0.9x", "rss091u": "rss0.9x",
              "rss092": "rss0.9x", "rss093": "rss0.9x", "rss094": "rss0.9x",
              "rss20": "rss2.0", "rss10": "rss1.0", "atom03": "atom0.3",
              "atom10": "atom1.0", "json1": "jsonfeed1.0", "json11": "jsonfeed1.1"}


def plain(value, detail):
    """feedparser text -> plain text as feedmux defines it."""
    if value is None:
        return None
    ctype = (detail or {}).get("type", "text/plain")
    if ctype in ("text/html", "application/xhtml+xml"):
        value = html.unescape(re.sub(r"<[^>]*>", "", value))
    value = re.sub(r"[ \t\r\n]+", " ", value).strip(" ")
    return value


def fp_date(st):
    if not st:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", st)


def feedparser_view(path, args):
    with open(path, "rb") as f:
        data = f.read()
    ctype = "application/xml"
    charset = option(args, "--charset")
    if charset:
        ctype += "; charset=" + charset
    headers = {"content-type": ctype}
    base = option(args, "--base")
    if base:
        headers["content-location"] = base
    try:
        d = feedparser.parse(io.BytesIO(data), response_headers=headers)
    except Exception as e:		# feedparser should not raise, but...
        return {"is_feed": False, "error": "feedparser raised %r" % e}
    version = d.get("version") or ""
    if not version:
        return {"is_feed": False, "error": repr(d.get("bozo_exception"))}
    entries = []
    for e in d.entries:
        authors = []
        for a in e.get("authors") or []:
            n = a.get("name") or a.get("email")
            if n:
                authors.append(n)
        cats = []
        for t in e.get("tags") or []:
            c = t.get("term") or t.get("label")
            if c:
                cats.append(c)
        encl = [x.get("href") for x in e.get("enclosures") or []]
        encl += [m.get("url") for m in e.get("media_content") or [] if m.get("url")]
        entries.append({
            "id": e.get("id") or None,
            "title": plain(e.get("title"), e.get("title_detail")),
            "link": e.get("link") or None,
            "published": fp_date(e.get("published_parsed")),
            "updated": fp_date(e.get("updated_parsed")),
            "authors": authors,
            "categories": cats,
            "enclosures": sorted(encl),
            "summary": bool(e.get("summary")),
            "content": bool(e.get("content")),
        })
    return {"is_feed": True, "feed.format": FP_FORMATS.get(version, version),
            "feed.title": plain(d.feed.get("title"), d.feed.get("title_detail")),
            "feed.link": d.feed.get("link") or None,
            "entries": entries}


def run_feedmuxd(binary, path, args):
    try:
        p = subprocess.run([binary, "--parse", path] + args,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60)
    except subprocess.TimeoutExpired:
        return None, "", "timed out after 60s"
    except OSError as e:
        return None, "", str(e)
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"))


class Tally:
    def __init__(self):
        self.agree = {f: 0 for f in FIELDS}
        self.compared = {f: 0 for f in FIELDS}
        self.diffs = []			# (file, field, where, ours, theirs)
        self.other = []			# failures not against feedparser

    def cmp(self, name, field, where, ours, theirs):
        self.compared[field] += 1
        if ours == theirs:
            self.agree[field] += 1
        else:
            self.diffs.append((name, field, where, ours, theirs))


def explained(name, field):
    return EXPLAINED.get((name, field)) or EXPLAINED.get((name, "*"))


def short(v):
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= 110 else s[:107] + "..."


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--expected-only", action="store_true",
                    help="compare feedparser with the .expected.jsonl files "
                         "instead of running FEEDMUXD")
    ap.add_argument("--report", metavar="FILE", help="also write the report here")
    ap.add_argument("--strict", action="store_true",
                    help="also require FEEDMUXD output == .expected.jsonl")
    ap.add_argument("paths", nargs="+", metavar="FEEDMUXD CORPUS_DIR")
    opts = ap.parse_args()
    if opts.expected_only:
        if len(opts.paths) != 1:
            ap.error("--expected-only takes CORPUS_DIR only")
        binary, corpus = None, opts.paths[0]
    else:
        if len(opts.paths) != 2:
            ap.error("need FEEDMUXD and CORPUS_DIR")
        binary, corpus = opts.paths
    ours_label = "expected" if binary is None else "feedmux"

    t = Tally()
    for name, path, kind, args in cases(corpus):
        fp = feedparser_view(path, args)
        if binary is None:
            if kind == "error":
                ours = {"is_feed": False}
            else:
                with open(path + ".expected.jsonl", encoding="utf-8") as f:
                    ours = ours_view(*parse_jsonl(f.read()))
        else:
            rc, out, err = run_feedmuxd(binary, path, args)
            if kind == "error":
                want = open(path + ".error", encoding="utf-8").read().strip()
                if rc == 0 or rc is None:
                    t.other.append("%s: expected a non-zero exit and an error "
                                   "containing %r; got exit %s" % (name, want, rc))
                elif want.lower() not in err.lower():
                    t.other.append("%s: error message %r does not contain %r"
                                   % (name, err.strip(), want))
                elif len(err.strip().splitlines()) != 1:
                    t.other.append("%s: error is not one line: %r" % (name, err))
                ours = {"is_feed": rc == 0}
            elif rc != 0:
                t.other.append("%s: exit %s: %s" % (name, rc, err.strip()))
                ours = {"is_feed": False}
            else:
                try:
                    feed, entries = parse_jsonl(out)
                except ValueError as e:
                    t.other.append("%s: bad --parse output: %s" % (name, e))
                    ours = {"is_feed": False}
                else:
                    ours = ours_view(feed, entries)
                    if opts.strict:
                        with open(path + ".expected.jsonl", encoding="utf-8") as f:
                            want = parse_jsonl(f.read())
                        for where in strict_diff(feed, entries, *want):
                            t.other.append("%s: differs from %s.expected.jsonl: %s"
                                           % (name, name, where))
        t.cmp(name, "is_feed", "document", ours["is_feed"], fp["is_feed"])
        if not (ours["is_feed"] and fp["is_feed"]):
            continue
        for field in ("feed.format", "feed.title", "feed.link"):
            t.cmp(name, field, "feed", ours[field], fp[field])
        oe, fe = ours["entries"], fp["entries"]
        t.cmp(name, "entries", "count", len(oe), len(fe))
        for i, (a, b) in enumerate(zip(oe, fe), 1):
            for field in FIELDS[5:]:
                t.cmp(name, field, "entry %d" % i, a[field], b[field])

    lines = []
    lines.append("%-12s %17s %7s" % ("field", "agree/compared", "%"))
    for f in FIELDS:
        c = t.compared[f]
        pct = "%6.1f%%" % (100.0 * t.agree[f] / c) if c else "     -"
        lines.append("%-12s %8d/%-8d %s" % (f, t.agree[f], c, pct))
    n_expl = n_unexpl = 0
    groups = {}
    for d in t.diffs:
        groups.setdefault((d[0], d[1]), []).append(d)
    if groups:
        lines.append("")
        lines.append("disagreements (E explained, ! unexplained; %s vs feedparser):" % ours_label)
    for (name, field), ds in groups.items():
        reason = explained(name, field)
        if reason:
            n_expl += len(ds)
            lines.append("E %s %s: %s" % (name, field, reason))
        else:
            n_unexpl += len(ds)
            lines.append("! %s %s: not explained" % (name, field))
        for _, _, where, a, b in ds:
            lines.append("    %s: %s=%s feedparser=%s" % (where, ours_label, short(a), short(b)))
    names = {c[0] for c in cases(corpus)}
    stale = [k for k in EXPLAINED if k[0] in names and k[1] != "*" and k not in groups]
    stale += [k for k in EXPLAINED if k[0] in names and k[1] == "*"
              and not any(g[0] == k[0] for g in groups)]
    if stale:
        lines.append("")
        lines.append("note: explained but now agreeing (stale EXPLAINED entries?):")
        for k in stale:
            lines.append("    %s %s" % k)
    if t.other:
        lines.append("")
        lines.append("failures not involving feedparser:")
        for o in t.other:
            lines.append("! " + o)
    n_agree = sum(t.agree.values())
    lines.append("")
    lines.append("crosscheck: %d fields agree, %d explained disagreements, %d unexplained"
                 % (n_agree, n_expl, n_unexpl + len(t.other)))
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if opts.report:
        with open(opts.report, "w", encoding="utf-8") as f:
            f.write(text)
    return 1 if (n_unexpl or t.other) else 0


if __name__ == "__main__":
    sys.exit(main())
