#!/usr/bin/env python3
"""Check feedmuxd --parse against the expected output of every corpus case.

Usage: corpus-check.py FEEDMUXD CORPUS_DIR

For each input NAME with NAME.expected.jsonl, runs
"FEEDMUXD --parse NAME [args from NAME.args]" and compares line by line:
each key of the expected objects must be equal in ours (ours may carry
more keys).  For NAME.error, the command must fail and say that text on
stderr.  Prints one line per case and a closing "N passed, N failed".
"""
import json
import os
import shlex
import subprocess
import sys


def diff(expected, got, path=""):
    """Differences between an expected value and ours, as strings."""
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return [f"{path}: expected an object, got {got!r}"]
        out = []
        for k, v in expected.items():
            if k not in got:
                out.append(f"{path}.{k}: missing")
            else:
                out.extend(diff(v, got[k], f"{path}.{k}"))
        return out
    if expected != got:
        return [f"{path}: expected {expected!r}, got {got!r}"]
    return []


def run_case(feedmuxd, corpus, name):
    path = os.path.join(corpus, name)
    args = []
    if os.path.exists(path + ".args"):
        args = shlex.split(open(path + ".args").read())
    proc = subprocess.run([feedmuxd, "--parse", *args, path],
                          capture_output=True, timeout=60)
    stderr = proc.stderr.decode("utf-8", "replace").strip()
    if os.path.exists(path + ".error"):
        want = open(path + ".error").read().strip()
        if proc.returncode == 0:
            return [f"expected failure ({want}), got exit 0"]
        if want not in stderr:
            return [f"stderr {stderr!r} lacks {want!r}"]
        return []
    if proc.returncode != 0:
        return [f"exit {proc.returncode}: {stderr}"]
    got = [json.loads(l) for l in proc.stdout.decode("utf-8").split("\n") if l]
    want = [json.loads(l) for l in open(path + ".expected.jsonl",
                                         encoding="utf-8") if l.strip()]
    problems = []
    if len(got) != len(want):
        problems.append(f"{len(got)} lines, expected {len(want)}")
    for i, (w, g) in enumerate(zip(want, got)):
        problems.extend(f"line {i + 1}{d}" for d in diff(w, g))
    return problems


def main():
    feedmuxd, corpus = sys.argv[1], sys.argv[2]
    names = sorted(n[:-len(".expected.jsonl")] for n in os.listdir(corpus)
                   if n.endswith(".expected.jsonl"))
    names += sorted(n[:-len(".error")] for n in os.listdir(corpus)
                    if n.endswith(".error"))
    passed = failed = 0
    for name in names:
        problems = run_case(feedmuxd, corpus, name)
        if problems:
            failed += 1
            print(f"FAIL {name}")
            for p in problems[:20]:
                print(f"    {p}")
        else:
            passed += 1
            print(f"ok   {name}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
