#!/usr/bin/env python3
"""slowscale.py — the emulated machine's longer slow-timeouts (make check-aarch64).

Owns: rewriting, in the guest's own copy of the tree, every `slow-timeout` period of a
nextest configuration file, multiplied by FACTOR.  Under TCG the guest runs code 10-50x
slower than the host and stalls for up to hundreds of milliseconds (tests/aarch64/stalls.c):
a test that takes milliseconds natively can cross the fixtures' 1 s period in one of two
runs and not in the other, and a test's start can take longer than the 500 ms of the `slow`
profile, so a slow event came before the test had started its threads.  The one file
serves both sides of every comparison (the runs with and without the library, the
simulator's truth and the library's capture), so no comparison changes; only what counts as
slow does.  terminate-after (a count), grace periods and leak-timeouts stay as they are (a
leak-timeout scaled past the fixtures' 1 s sleepers would stop them counting as leaks).
Prints each changed line.  Usage: slowscale.py FACTOR FILE…
"""

import re
import sys

SLOW = re.compile(r'^(\s*slow-timeout\s*=\s*\{[^}]*?\bperiod\s*=\s*")(\d+)(ms|s)(")')


def scaled(line, factor):
    m = SLOW.match(line)
    if not m:
        return line
    ms = int(m.group(2)) * (1000 if m.group(3) == "s" else 1) * factor
    value = f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"
    return line[:m.start(2)] + value + line[m.end(3):]


def main(argv):
    if len(argv) < 2 or not argv[0].isdigit() or int(argv[0]) < 1:
        print(__doc__.strip().splitlines()[-1])
        return 2
    factor = int(argv[0])
    for path in argv[1:]:
        with open(path) as f:
            lines = f.read().splitlines(keepends=True)
        out = [scaled(line, factor) for line in lines]
        for a, b in zip(lines, out):
            if a != b:
                print(f"slowscale: {path}: {a.strip()}  ->  {b.strip()}")
        with open(path, "w") as f:
            f.write("".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
