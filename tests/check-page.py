#!/usr/bin/env python3
"""Check an HTML page feedmux serves: a doctype, a language, a viewport
for phones, no script or event handler, and every element closed in order
(void elements aside).  Usage: check-page.py FILE [TEXT...]: each TEXT must
appear in the page's text.  Standard library only."""
import html.parser
import sys

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "source", "track", "wbr"}


class Checker(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.text = [], [], []
        self.doctype = self.viewport = self.lang = False

    def handle_decl(self, decl):
        self.doctype = decl.lower() == "doctype html"

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.errors.append("a <script> element")
        for k, v in attrs:
            if k.startswith("on"):
                self.errors.append("an event handler attribute %s" % k)
            if k in ("href", "src") and v and not v.startswith(
                    ("http://", "https://", "mailto:", "/")):
                self.errors.append("a %s of %r" % (k, v))
        if tag == "html" and a.get("lang"):
            self.lang = True
        if tag == "meta" and a.get("name") == "viewport":
            self.viewport = True
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append("</%s> at %s closes %s" % (
                tag, self.getpos(), self.stack[-1] if self.stack else
                "nothing"))
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def main():
    c = Checker()
    c.feed(open(sys.argv[1], encoding="utf-8").read())
    c.close()
    if not c.doctype:
        c.errors.append("no <!DOCTYPE html>")
    if not c.lang:
        c.errors.append("no <html lang>")
    if not c.viewport:
        c.errors.append("no viewport meta")
    if c.stack:
        c.errors.append("unclosed: %s" % c.stack)
    text = "".join(c.text)
    for want in sys.argv[2:]:
        if want not in text:
            c.errors.append("text lacks %r" % want)
    for e in c.errors:
        print("%s: %s" % (sys.argv[1], e), file=sys.stderr)
    sys.exit(1 if c.errors else 0)


main()
