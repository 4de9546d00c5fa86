"""The library's version-detection log (LIBNEXTEST_PROBES_VERSION_LOG, preload/engine/observe/version.c).

Owns: the line format, shared by the e2e (which reads each run's log) and the check that
docs/compatibility.md shows a line of that format.
"""

import re

ENV = "LIBNEXTEST_PROBES_VERSION_LOG"
V = r"(?:\d+\.\d+\.\d+|-)"
LINE_RE = re.compile(r"nextest-version (?P<version>\d+\.\d+\.\d+) "
                     r"source=(?P<source>NEXTEST_VERSION|binary|binary, clamped to behaviour|"
                     r"behaviour|default \(nothing observed\)) pid=(?P<pid>\d+) "
                     rf"env=(?P<env>{V}) binary=(?P<binary>{V}) bounds=(?P<lo>{V})\.\.(?P<hi>{V})$")


def parse(path):
    """(version, source) of the single line in path, or (None, why not)."""
    try:
        with open(path) as f:
            lines = [l.rstrip("\n") for l in f if l.strip()]
    except OSError:
        return None, "no detection log"
    if len(lines) != 1:
        return None, f"{len(lines)} detection lines"
    m = LINE_RE.match(lines[0])
    if not m:
        return None, f"malformed detection line {lines[0]!r}"
    return m.group("version"), m.group("source")
