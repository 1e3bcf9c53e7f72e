#!/usr/bin/env python3
"""Deterministic feed generator for tests/bench/parse-bench.sh.

Writes into OUT:
  big.rss.xml          one large RSS 2.0 feed (~50 MB by default)
  small/feed-NNNN.xml  many small feeds (70% RSS 2.0, 30% Atom 1.0)
  small.list           the small feeds' paths, one a line
  manifest.env         shell-sourceable facts (sizes, entry counts, seed)

The text comes from a word-bigram chain built from a seed text file, so
the output is the same for the same --seed, --words file and options.
Uses only the standard library; no network.
"""

import argparse
import datetime
import hashlib
import os
import random
import re
import sys
from xml.sax.saxutils import escape as xml_escape

GEN_VERSION = "1"

XESC = {'"': "&quot;"}


def attr(s):
    return xml_escape(s, XESC)


class Text:
    """Bigram chain over the words of a seed text."""

    def __init__(self, path, rng):
        self.rng = rng
        with open(path, encoding="utf-8") as f:
            raw = f.read()
        cats = []
        body = []
        for line in raw.splitlines():
            line = line.strip()
            if line.startswith("Filed under:"):
                for c in line[len("Filed under:"):].split("\u2022"):
                    c = c.strip()
                    if c and c not in cats:
                        cats.append(c)
            elif line and not re.match(r"^(\d\d:\d\d [AP]M ET|\w+ \d+\w\w, \d{4}|« older posts)$", line):
                body.append(line)
        words = " ".join(body).split()
        if len(words) < 50:
            sys.exit("gen-feeds: word source too small: %s" % path)
        self.next = {}
        for a, b in zip(words, words[1:]):
            self.next.setdefault(a, []).append(b)
        # sentence starters: words following a word that ends a sentence
        self.starts = [b for a, b in zip(words, words[1:])
                       if a.endswith((".", "?", "!", '."')) and b[:1].isupper()]
        if not self.starts:
            self.starts = [w for w in words if w[:1].isupper()]
        self.words = words
        self.cats = cats or ["General", "News", "Security"]
        self.extra_cats = ["Analysis", "Opinion", "Video", "Europe", "Asia",
                          "Middle East", "Cyber", "Budget", "Congress",
                          "Intelligence", "Caf\u00e9 Diplomacy", "R&D"]

    def sentence(self, lo=8, hi=28):
        r = self.rng
        n = r.randint(lo, hi)
        w = r.choice(self.starts)
        out = [w]
        for _ in range(n - 1):
            nxt = self.next.get(w)
            w = r.choice(nxt) if nxt else r.choice(self.words)
            out.append(w)
        s = " ".join(out)
        if not s.endswith((".", "?", "!", '"', "\u201d")):
            s = s.rstrip(",;:") + "."
        return s

    def title(self):
        r = self.rng
        n = r.randint(4, 11)
        w = r.choice(self.starts)
        out = [w]
        for _ in range(n - 1):
            nxt = self.next.get(w)
            w = r.choice(nxt) if nxt else r.choice(self.words)
            out.append(w)
        t = " ".join(out).rstrip(".,;:")
        k = r.random()
        if k < 0.08:
            t += " & more"
        elif k < 0.14:
            t = "\u201c" + t + "\u201d"
        elif k < 0.18:
            t = "Analysis: " + t + " \u2014 caf\u00e9 r\u00e9sum\u00e9"
        elif k < 0.21:
            t += " <update>"
        return t

    def slug(self, s):
        s = re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")
        return s[:60] or "post"

    def html(self, target, nsent=(2, 5)):
        """HTML paragraphs of about `target` characters (at least one)."""
        r = self.rng
        paras = []
        size = 0
        while size < target:
            sents = []
            for _ in range(r.randint(*nsent)):
                s = xml_escape(self.sentence())
                k = r.random()
                if k < 0.10:
                    ws = s.split(" ", 3)
                    if len(ws) > 3:
                        s = '%s <a href="https://example.org/%s">%s %s</a> %s' % (
                            ws[0], self.slug(ws[1]), ws[1], ws[2], ws[3])
                elif k < 0.16:
                    s = "<em>" + s + "</em>"
                elif k < 0.20:
                    s = "<strong>" + s + "</strong>"
                sents.append(s)
            p = "<p>" + " ".join(sents) + "</p>"
            if r.random() < 0.05:
                p += '\n<p><img src="https://cdn.example.org/img/%d.jpg" alt="photo" width="640" height="360"/></p>' % r.randint(1, 99999)
            if r.random() < 0.03:
                p += "\n<ul><li>%s</li><li>%s</li></ul>" % (
                    xml_escape(self.sentence(4, 9)), xml_escape(self.sentence(4, 9)))
            paras.append(p)
            size += len(p) + 1
        return "\n".join(paras)


TZS = [("+0000", 0), ("GMT", 0), ("-0500", -300), ("-0400", -240),
       ("EST", -300), ("+0100", 60), ("+0530", 330), ("-0800", -480)]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
        "Oct", "Nov", "Dec"]


def rfc822(dt, rng):
    name, off = rng.choice(TZS)
    l = dt + datetime.timedelta(minutes=off)
    return "%s, %02d %s %04d %02d:%02d:%02d %s" % (
        DAYS[l.weekday()], l.day, MONS[l.month - 1], l.year,
        l.hour, l.minute, l.second, name)


def rfc3339(dt, rng):
    if rng.random() < 0.5:
        return dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    off = rng.choice([-300, -240, 60, 120, 330])
    l = dt + datetime.timedelta(minutes=off)
    sign = "+" if off >= 0 else "-"
    return l.strftime("%Y-%m-%dT%H:%M:%S") + "%s%02d:%02d" % (sign, abs(off) // 60, abs(off) % 60)


AUTHORS = ["Barbara Starr", "Jamie Crawford", "Elise Labott", "Mike Mount",
           "Adam Levine", "Larry Shaughnessy", "Charley Keyes", "Jill Dougherty",
           "Chris Lawrence", "Security Clearance Editors", "Jos\u00e9 M\u00fcller"]
MIME = [("audio/mpeg", "mp3"), ("video/mp4", "mp4"), ("image/jpeg", "jpg"),
        ("application/pdf", "pdf")]

BASE = datetime.datetime(2014, 3, 30, 20, 42, 0)


class RSSWriter:
    def __init__(self, text, rng, site, desc_range, content_p, content_range,
                 encl_p, sents=(2, 5)):
        self.t = text
        self.r = rng
        self.site = site
        self.desc_range = desc_range
        self.content_p = content_p
        self.content_range = content_range
        self.encl_p = encl_p
        self.sents = sents
        self.items = 0

    def head(self, title, when):
        t = self.t
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"'
            ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
            ' xmlns:atom="http://www.w3.org/2005/Atom">\n'
            "<channel>\n"
            "<title>%s</title>\n"
            "<link>https://%s/</link>\n"
            '<atom:link href="https://%s/feed.xml" rel="self" type="application/rss+xml"/>\n'
            "<description>%s</description>\n"
            "<language>en-US</language>\n"
            "<lastBuildDate>%s</lastBuildDate>\n"
            "<generator>feedmux gen-feeds.py %s</generator>\n"
            "<ttl>60</ttl>\n"
            "<image><url>https://%s/logo.png</url><title>%s</title><link>https://%s/</link></image>\n"
            % (xml_escape(title), self.site, self.site, xml_escape(t.sentence(6, 14)),
               rfc822(when, self.r), GEN_VERSION, self.site, xml_escape(title), self.site))

    def item(self, n, when):
        t, r = self.t, self.r
        title = t.title()
        slug = t.slug(title)
        link = "https://%s/%04d/%02d/%02d/%s/" % (self.site, when.year, when.month, when.day, slug)
        out = ["<item>\n<title>%s</title>\n<link>%s</link>\n" % (xml_escape(title), link)]
        k = r.random()
        if k < 0.6:
            out.append('<guid isPermaLink="true">%s</guid>\n' % link)
        elif k < 0.9:
            out.append('<guid isPermaLink="false">tag:%s,%04d:post-%d</guid>\n' % (self.site, when.year, n))
        else:
            out.append("<guid>%s?p=%d</guid>\n" % (link, n))
        out.append("<pubDate>%s</pubDate>\n" % rfc822(when, r))
        out.append("<dc:creator>%s</dc:creator>\n" % xml_escape(r.choice(AUTHORS)))
        ncat = r.randint(1, 5)
        pool = t.cats + t.extra_cats
        for c in r.sample(pool, min(ncat, len(pool))):
            if r.random() < 0.15:
                out.append("<category><![CDATA[%s]]></category>\n" % c)
            else:
                out.append("<category>%s</category>\n" % xml_escape(c))
        if r.random() < 0.04:
            out.append("<comments>%s#comments</comments>\n" % link)
        html = t.html(r.randint(*self.desc_range), self.sents)
        out.append("<description>%s</description>\n" % xml_escape(html))
        if r.random() < self.content_p:
            body = t.html(r.randint(*self.content_range), self.sents).replace("]]>", "]]&gt;")
            out.append("<content:encoded><![CDATA[%s]]></content:encoded>\n" % body)
        if r.random() < self.encl_p:
            mime, ext = r.choice(MIME)
            out.append('<enclosure url="https://media.%s/%s-%d.%s" length="%d" type="%s"/>\n'
                       % (self.site, slug[:30], n, ext, r.randint(20000, 90000000), mime))
        out.append("</item>\n")
        self.items += 1
        return "".join(out)

    @staticmethod
    def tail():
        return "</channel>\n</rss>\n"


def atom_feed(t, r, site, nentries, when):
    title = "%s \u2014 %s" % (site, t.title())
    out = ['<?xml version="1.0" encoding="utf-8"?>\n'
           '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n'
           "<title>%s</title>\n" % xml_escape(title),
           "<subtitle>%s</subtitle>\n" % xml_escape(t.sentence(6, 14)),
           '<link href="https://%s/" rel="alternate" type="text/html"/>\n' % site,
           '<link href="https://%s/atom.xml" rel="self" type="application/atom+xml"/>\n' % site,
           "<id>tag:%s,2014:feed</id>\n" % site,
           "<updated>%s</updated>\n" % rfc3339(when, r),
           '<generator uri="https://example.org/gen" version="%s">gen-feeds.py</generator>\n' % GEN_VERSION,
           "<author><name>%s</name></author>\n" % xml_escape(r.choice(AUTHORS))]
    for i in range(nentries):
        when = when - datetime.timedelta(minutes=r.randint(30, 3000))
        et = t.title()
        slug = t.slug(et)
        link = "https://%s/%04d/%02d/%s" % (site, when.year, when.month, slug)
        out.append("<entry>\n")
        if r.random() < 0.2:
            out.append('<title type="html">%s</title>\n' % xml_escape(xml_escape(et)))
        else:
            out.append("<title>%s</title>\n" % xml_escape(et))
        out.append('<link rel="alternate" type="text/html" href="%s"/>\n' % attr(link))
        out.append("<id>tag:%s,%04d:/%s-%d</id>\n" % (site, when.year, slug, i))
        pub = rfc3339(when, r)
        out.append("<published>%s</published>\n" % pub)
        upd = when + datetime.timedelta(minutes=r.randint(0, 600))
        out.append("<updated>%s</updated>\n" % rfc3339(upd, r))
        out.append("<author><name>%s</name>" % xml_escape(r.choice(AUTHORS)))
        if r.random() < 0.3:
            out.append("<email>editor@%s</email>" % site)
        out.append("</author>\n")
        for c in r.sample(t.cats + t.extra_cats, r.randint(1, 4)):
            out.append('<category term="%s"/>\n' % attr(c))
        k = r.random()
        if k < 0.5:
            out.append('<summary type="html">%s</summary>\n' % xml_escape(t.html(r.randint(60, 200), (1, 3))))
            out.append('<content type="html">%s</content>\n' % xml_escape(t.html(r.randint(80, 250), (1, 3))))
        elif k < 0.8:
            out.append('<summary type="html">%s</summary>\n' % xml_escape(t.html(r.randint(150, 400), (1, 3))))
        elif k < 0.9:
            out.append("<summary>%s</summary>\n" % xml_escape(t.sentence(10, 30)))
            out.append('<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">%s</div></content>\n'
                       % t.html(r.randint(100, 300), (1, 3)))
        else:
            out.append('<content type="html"><![CDATA[%s]]></content>\n'
                       % t.html(r.randint(150, 400), (1, 3)).replace("]]>", "]]&gt;"))
        if r.random() < 0.1:
            mime, ext = r.choice(MIME)
            out.append('<link rel="enclosure" type="%s" length="%d" href="https://media.%s/%s.%s"/>\n'
                       % (mime, r.randint(20000, 90000000), site, slug[:30], ext))
        out.append("</entry>\n")
    out.append("</feed>\n")
    return "".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=20140330)
    # The seed text sits beside the checkout, in ../shared.
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--words", default=os.path.join(
        os.path.dirname(top), "shared", "seeds", "security-clearance-blog.txt"))
    ap.add_argument("--big-bytes", type=int, default=50 * 1000 * 1000)
    ap.add_argument("--small-count", type=int, default=1000)
    ap.add_argument("--atom-share", type=float, default=0.30)
    a = ap.parse_args()

    os.makedirs(os.path.join(a.out, "small"), exist_ok=True)

    # Big RSS file. Each part has its own RNG so that changing one does not
    # shift the others.
    rng = random.Random("big-%d" % a.seed)
    text = Text(a.words, rng)
    w = RSSWriter(text, rng, "security.example.com", (450, 1200), 0.15, (500, 1200), 0.12)
    big = os.path.join(a.out, "big.rss.xml")
    size = 0
    when = BASE
    with open(big, "w", encoding="utf-8", newline="\n") as f:
        s = w.head("Security Clearance \u2014 full archive", when)
        f.write(s)
        size += len(s.encode())
        n = 0
        tail = RSSWriter.tail()
        while size + len(tail) < a.big_bytes:
            when = when - datetime.timedelta(seconds=rng.randint(300, 20000))
            s = w.item(n, when)
            f.write(s)
            size += len(s.encode())
            n += 1
        f.write(tail)
    big_items = w.items
    big_bytes = os.path.getsize(big)

    # Small feeds: exactly round(count*atom_share) Atom, the rest RSS, shuffled.
    rng = random.Random("small-%d" % a.seed)
    text = Text(a.words, rng)
    natom = round(a.small_count * a.atom_share)
    kinds = ["atom"] * natom + ["rss"] * (a.small_count - natom)
    rng.shuffle(kinds)
    paths = []
    total_bytes = 0
    total_entries = 0
    for i, kind in enumerate(kinds):
        site = "site%04d.example.net" % i
        nent = rng.randint(10, 20)
        when = BASE - datetime.timedelta(hours=rng.randint(0, 24 * 365))
        if kind == "atom":
            doc = atom_feed(text, rng, site, nent, when)
        else:
            w = RSSWriter(text, rng, site, (80, 350), 0.10, (150, 400), 0.08, (1, 3))
            parts = [w.head("%s \u2014 %s" % (site, text.title()), when)]
            for j in range(nent):
                when = when - datetime.timedelta(minutes=rng.randint(30, 3000))
                parts.append(w.item(j, when))
            parts.append(RSSWriter.tail())
            doc = "".join(parts)
        p = os.path.join(a.out, "small", "feed-%04d.xml" % i)
        with open(p, "w", encoding="utf-8", newline="\n") as f:
            f.write(doc)
        paths.append(p)
        total_bytes += os.path.getsize(p)
        total_entries += nent
    with open(os.path.join(a.out, "small.list"), "w") as f:
        f.write("".join(p + "\n" for p in paths))

    with open(a.words, "rb") as f:
        words_sha = hashlib.sha256(f.read()).hexdigest()[:16]
    with open(os.path.join(a.out, "manifest.env"), "w") as f:
        f.write("GEN_VERSION=%s\nGEN_SEED=%d\nGEN_WORDS_SHA=%s\nGEN_BIG_TARGET=%d\n"
                "BIG_FILE=%s\nBIG_BYTES=%d\nBIG_ITEMS=%d\n"
                "SMALL_LIST=%s\nSMALL_FILES=%d\nSMALL_RSS=%d\nSMALL_ATOM=%d\n"
                "SMALL_BYTES=%d\nSMALL_ENTRIES=%d\n"
                % (GEN_VERSION, a.seed, words_sha, a.big_bytes,
                   big, big_bytes, big_items,
                   os.path.join(a.out, "small.list"), len(paths),
                   len(paths) - natom, natom, total_bytes, total_entries))
    print("gen-feeds: big %d bytes, %d items; small %d files (%d atom), %d bytes, %d entries"
          % (big_bytes, big_items, len(paths), natom, total_bytes, total_entries))


if __name__ == "__main__":
    main()
