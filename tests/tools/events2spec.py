#!/usr/bin/env python3
"""events2spec: event lines (docs/event-format.md) -> a firing spec for the e2e area's
fakeprobe_run (`<thread> <probe> s:<hex>|u:<n> …`), so tests can fire known events.

Owns: only that translation.  Usage: events2spec.py EVENTS.jsonl THREADS > SPEC
(event k is fired by thread k % THREADS; with THREADS=1 the order is the file's).
"""
import json
import sys


def arg(v):
    if isinstance(v, int):
        return f"u:{v}"
    return "s:" + v.encode("utf-8").hex()


def main():
    threads = int(sys.argv[2])
    with open(sys.argv[1]) as f:
        for k, line in enumerate(l for l in f if l.strip()):
            ev = json.loads(line)
            fields = [str(k % threads), ev["probe"], arg(ev["arg0"])] + [arg(a) for a in ev["args"]]
            print(" ".join(fields))


if __name__ == "__main__":
    main()
