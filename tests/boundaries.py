#!/usr/bin/env python3
"""The architecture's rules, checked on the built objects and the sources.

Run by `make check` (top_srcdir and top_builddir in the environment, or
the source and build trees as arguments).  What each object file
defines and needs comes from nm, so a rule holds for what is linked,
not for what a comment says.  Each rule that fails prints why; the exit
status is 1 if any did.

Modules are the files of daemon/ by name: "db-store" is db-store.c.
"""

import os
import re
import subprocess
import sys

# The layers, lowest first: a module may use its own layer and those
# below it, never one above.  main() (feedmuxd) is on top.
LAYERS = [
    ("generic", ["log", "xmalloc", "util", "proto", "metrics", "opml",
                 "ini"]),
    ("model", ["text", "date", "item", "sanitize", "feed-state", "rules",
               "conf", "conf-change"]),
    ("parse", ["parse", "parse-charset", "parse-entity", "parse-field",
               "parse-module", "parse-rss", "parse-atom", "parse-json",
               "parse-dump"]),
    ("fetch", ["fetch"]),
    ("store", ["db", "db-schema", "db-keys", "db-state", "db-item",
               "db-tags", "db-store", "db-prune", "db-read", "db-backup",
               "db-changes"]),
    ("render", ["render", "render-write", "render-atom", "render-rss",
                "render-json", "render-html", "render-tags",
                "render-pager"]),
    ("serve", ["http", "http-conn", "http-route", "http-request", "sd"]),
    ("orchestrate", ["job", "worker", "sched", "feed", "site"]),
    ("control", ["ctl", "ctl-base", "ctl-cmd", "ctl-change"]),
    ("main", ["feedmuxd"]),
]
CLIENT = "feedmuxctl"
GENERIC = set(LAYERS[0][1])
PARSER = set(LAYERS[2][1]) | {"item", "date", "text"}
STORE = set(LAYERS[4][1])

failures = []


def fail(rule, msg):
    failures.append("%s: %s" % (rule, msg))


def nm(path):
    """(defined, undefined, data) symbols per module of an archive or
    object: defined maps symbol -> module, undefined module -> set,
    data maps writable data symbols (.data, .bss, thread-local) -> module."""
    out = subprocess.run(["nm", "--format=sysv", "-A", path],
                         capture_output=True, text=True, check=True).stdout
    defined, undefined, data = {}, {}, {}
    for line in out.splitlines():
        fields = [f.strip() for f in line.split("|")]
        if len(fields) != 7:
            continue
        m = re.search(r"(?:^|[:/])([^:/]+)\.o:(\S+)$", fields[0])
        if not m:
            continue
        obj, sym = m.groups()
        kind, section = fields[2], fields[6]
        mod = re.sub(r"^(libfeedmux_a-|libfeedmuxcommon_a-|feedmuxd-|"
                     r"feedmuxctl-)", "", obj)
        undefined.setdefault(mod, set())
        if kind == "U":
            undefined[mod].add(sym)
        elif kind.isupper():
            defined[sym] = mod
            if section.startswith((".data", ".bss", ".tdata", ".tbss")) \
                    and not section.startswith(".data.rel.ro"):
                data[sym] = mod
    return defined, undefined, data


def main():
    if len(sys.argv) == 3:
        src, build = sys.argv[1:]
    else:
        src = os.environ["top_srcdir"]
        build = os.environ["top_builddir"]
    daemon = os.path.join(src, "daemon")

    defined, undefined, data = {}, {}, {}
    for path in ["libfeedmux.a", "libfeedmuxcommon.a",
                 "daemon/feedmuxd-feedmuxd.o",
                 "daemon/feedmuxctl-feedmuxctl.o"]:
        d, u, w = nm(os.path.join(build, path))
        defined.update(d)
        undefined.update(u)
        data.update(w)
    deps = {mod: {defined[s] for s in syms if s in defined and
                  defined[s] != mod}
            for mod, syms in undefined.items()}
    layer = {mod: i for i, (_, mods) in enumerate(LAYERS) for mod in mods}

    # Every module is placed in a layer (a new file must say where).
    for mod in deps:
        if mod not in layer and mod != CLIENT:
            fail("layers", "%s.c is in no layer of tests/boundaries.py"
                 % mod)

    # 1. Only the store uses SQLite.
    for mod, syms in undefined.items():
        used = sorted(s for s in syms if s.startswith("sqlite3_"))
        if used and mod not in STORE:
            fail("storage", "%s calls %s" % (mod, ", ".join(used[:3])))
    for name in sorted(os.listdir(daemon)):
        if not name.endswith((".c", ".h")) or name.startswith("db"):
            continue
        with open(os.path.join(daemon, name)) as f:
            if re.search(r"\bsqlite3_", strip_comments(f.read())):
                fail("storage", "%s uses the SQLite API" % name)

    # 2. The parser is a library: its files use only each other and the
    #    generic helpers.
    for mod in sorted(PARSER):
        bad = deps.get(mod, set()) - PARSER - GENERIC
        if bad:
            fail("parser", "%s uses %s" % (mod, ", ".join(sorted(bad))))

    # 3. HTTP serves the render cache: no store, no parser.
    bad = {m for m in deps.get("http", set())
           if m in STORE or m in PARSER}
    if bad:
        fail("http", "http uses %s" % ", ".join(sorted(bad)))

    # 4. Dependencies point down: no module uses one of a higher layer
    #    (that covers the control socket and main() too), and the graph
    #    of modules has no cycle.
    for mod, ds in sorted(deps.items()):
        for d in sorted(ds):
            if mod in layer and d in layer and layer[d] > layer[mod]:
                fail("layers", "%s (%s) calls up into %s (%s)" %
                     (mod, LAYERS[layer[mod]][0], d, LAYERS[layer[d]][0]))
    cycle = find_cycle(deps)
    if cycle:
        fail("cycles", "modules call each other: %s" % " -> ".join(cycle))

    # 5. No module reads another's writable global: state reaches a
    #    module through its init function or an argument.
    for mod, syms in sorted(undefined.items()):
        for s in sorted(syms):
            if s in data and data[s] != mod:
                fail("globals", "%s uses %s's global %s" %
                     (mod, data[s], s))

    # 6. feedmuxctl links only the protocol and the generic code.
    bad = deps.get(CLIENT, set()) - GENERIC
    if bad:
        fail("client", "feedmuxctl uses %s" % ", ".join(sorted(bad)))
    client = nm_binary(os.path.join(build, "feedmuxctl"))
    daemon_only = {s for s, m in defined.items()
                   if m not in GENERIC and m not in (CLIENT, "feedmuxd")}
    linked = sorted(client & daemon_only)
    if linked:
        fail("client", "feedmuxctl links daemon code: %s" %
             ", ".join(linked[:5]))

    # 7. Headers: each file includes only headers it uses, and every
    #    function a header declares exists.
    check_headers(daemon, defined, layer)

    # 8. The README's architecture section names every file of daemon/.
    check_readme(src, daemon)

    for f in failures:
        print("FAIL " + f)
    print("boundaries: %d modules, %d rules broken" %
          (len(deps), len(failures)))
    return 1 if failures else 0


def nm_binary(path):
    """The global symbols a program defines."""
    out = subprocess.run(["nm", "--defined-only", path], capture_output=True,
                         text=True, check=True).stdout
    return {f[2] for f in (l.split() for l in out.splitlines())
            if len(f) == 3 and f[1].isupper()}


def find_cycle(deps):
    """A cycle of the module graph as a list, or None."""
    state, stack = {}, []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for d in sorted(deps.get(m, ())):
            if state.get(d) == 1:
                return stack[stack.index(d):] + [d]
            if d not in state:
                c = visit(d)
                if c:
                    return c
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(deps):
        if m not in state:
            c = visit(m)
            if c:
                return c
    return None


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r'"(?:\\.|[^"\\\n])*"', '""', text)


def header_names(text):
    """What a header declares: (names used bare, struct and enum tags,
    the functions)."""
    text = strip_comments(text)
    names, tags, funcs = set(), set(), set()
    names.update(re.findall(r"^#define\s+(\w+)", text, re.M))
    tags.update(re.findall(r"\b(?:struct|enum)\s+(\w+)\s*\{", text))
    tags.update(re.findall(r"TAILQ_HEAD\((\w+),", text))
    names.update(re.findall(r"typedef\b[^;]*?\(\s*\*\s*(\w+)\)", text))
    names.update(re.findall(r"typedef\b[^;(]*?\b(\w+)\s*;", text))
    for body in re.findall(r"\benum\s+\w*\s*\{(.*?)\}", text, re.S):
        names.update(re.findall(r"^\s*([A-Z][A-Z0-9_]+)", body, re.M))
    names.update(re.findall(r"^extern\b[^;]*?\b(\w+)\s*(?:\[[^]]*\])?;",
                            text, re.M))
    for line in text.splitlines():
        if re.match(r"^[a-z_][a-z0-9_]*\(", line):
            names.add(line.split("(")[0])      # a static inline function
            continue
        if not line or line[0] in "#\t }/*" or line.startswith("typedef"):
            continue
        m = re.search(r"\b([a-z_][a-z0-9_]*)\s*\(", line)
        if m and not line.startswith(("struct", "enum")) or \
                m and "(" in line and ";" in line.split("(")[-1] + ";":
            funcs.add(m.group(1))
    return names | funcs, tags, funcs


def includes(text):
    return re.findall(r'^#include "([\w.-]+\.h)"', text, re.M)


def header_module(header):
    """The module a header belongs to: db-internal.h is the store's."""
    return re.sub(r"-internal$", "", header[:-2])


def check_headers(daemon, defined, layer):
    decl, incs = {}, {}
    for name in os.listdir(daemon):
        if name.endswith(".h"):
            with open(os.path.join(daemon, name)) as f:
                text = f.read()
            decl[name] = header_names(text)
            incs[name] = includes(text)
    for header, (_, _, funcs) in sorted(decl.items()):
        for fn in sorted(funcs):
            if fn not in defined:
                fail("headers", "%s declares %s, which nothing defines" %
                     (header, fn))

    def brings(h, seen):
        """What including h brings: its names and tags, and its
        includes'."""
        seen.add(h)
        names, tags = set(decl[h][0]), set(decl[h][1])
        for i in incs[h]:
            if i in decl and i not in seen:
                n, t = brings(i, seen)
                names |= n
                tags |= t
        return names, tags

    for name in sorted(os.listdir(daemon)):
        if not name.endswith((".c", ".h")):
            continue
        with open(os.path.join(daemon, name)) as f:
            text = f.read()
        body = strip_comments(re.sub(r"^#include .*$", "", text,
                                     flags=re.M))
        words = set(re.findall(r"\w+", body))
        tagged = set(re.findall(r"\b(?:struct|enum)\s+(\w+)", body))
        mod = header_module(name) if name.endswith(".h") else name[:-2]
        for inc in includes(text):
            if inc not in decl:
                continue
            # Internal headers stay inside their package.
            if inc.endswith("-internal.h") and \
                    not name.startswith(header_module(inc)):
                fail("headers", "%s includes %s, another module's insides"
                     % (name, inc))
            # Headers, too, only from the same layer or below.
            m = header_module(inc)
            if mod in layer and m in layer and layer[m] > layer[mod]:
                fail("layers", "%s includes %s, of a higher layer (%s)" %
                     (name, inc, LAYERS[layer[m]][0]))
            if mod == CLIENT and m not in GENERIC:
                fail("client", "feedmuxctl.c includes %s" % inc)
            if inc == name[:-2] + ".h":
                continue
            names, tags = brings(inc, set())
            if not (names & words or tags & tagged):
                fail("headers", "%s includes %s and uses nothing of it" %
                     (name, inc))


def check_readme(src, daemon):
    with open(os.path.join(src, "README.md")) as f:
        readme = f.read()
    m = re.search(r"^## Architecture\n(.*?)(?=^## )", readme, re.S | re.M)
    if not m:
        fail("readme", "README.md has no Architecture section")
        return
    section = m.group(1)
    named = set(re.findall(r"`(?:daemon/)?([\w-]+\.[ch])`", section))
    files = {n for n in os.listdir(daemon) if n.endswith((".c", ".h"))}
    for n in sorted(files - named):
        fail("readme", "the Architecture section does not name %s" % n)
    for n in sorted(named - files):
        fail("readme", "the Architecture section names %s, not in daemon/"
             % n)


if __name__ == "__main__":
    sys.exit(main())
