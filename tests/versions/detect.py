#!/usr/bin/env python3
"""detect.py: the library reads the right version out of every runner binary it may meet.

Owns: the check that preload/engine/observe/version.c's reading of an executable (the tool built from
tests/versions/version_of.c) names the release, for
  - the simulator at every version it emulates (0.9.48 … 0.9.143, `nextest-sim emulate`),
  - every real cargo-nextest in the release cache (<cache>/nextest/<version>[-nousdt]/bin),
  - the cargo-nextest on PATH (its `--version`).
The children's NEXTEST_* variables and the final decision are checked per run by the e2e
(each run line names the detected version).  Also checks that the detection-log line shown
in docs/compatibility.md has the format the library writes (versionlog.LINE_RE).  Usage: detect.py VERSION_OF SIM OUT_DIR.
Prints one line per binary and `N passed, N failed`.
"""

import os
import shutil
import subprocess
import sys

import versionlog

CACHE = os.environ.get("NEXTEST_PROBES_CACHE") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "libnextest_probes")


def read(tool, paths):
    out = subprocess.run([tool, *paths], stdout=subprocess.PIPE, check=True, text=True).stdout
    return [line.split("\t", 1)[0] for line in out.splitlines()]


def main():
    tool, sim, out = sys.argv[1:4]
    os.makedirs(out, exist_ok=True)
    cases = []  # (label, path, expected)
    copy = os.path.join(out, "nextest-sim")
    sim_versions = [f"0.9.{p}" for p in range(48, 144)]
    passed = failed = 0
    got = []
    for ver in sim_versions:   # one copy at a time: 96 copies of the simulator add up
        subprocess.run([sim, "emulate", ver, copy], check=True)
        got.append(read(tool, [copy])[0])
    sim_bad = [(w, g) for w, g in zip(sim_versions, got) if w != g]
    if sim_bad:
        failed += len(sim_bad)
        for w, g in sim_bad:
            print(f"FAIL simulator emulating {w}: read {g}")
    passed += len(sim_versions) - len(sim_bad)
    print(f"{'PASS' if not sim_bad else 'FAIL'} simulator copies 0.9.48 … 0.9.143: "
          f"{len(sim_versions) - len(sim_bad)}/{len(sim_versions)} read as the version they emulate")
    root = os.path.join(CACHE, "nextest")
    for name in sorted(os.listdir(root)) if os.path.isdir(root) else []:
        exe = os.path.join(root, name, "bin", "cargo-nextest")
        if os.path.exists(exe):
            cases.append((f"real {name} (cache)", exe, name.split("-")[0]))
    on_path = shutil.which("cargo-nextest")
    if on_path:
        v = subprocess.run([on_path, "nextest", "--version"], stdout=subprocess.PIPE, text=True).stdout.split()
        cases.append((f"real {on_path}", on_path, v[1] if len(v) > 1 else "?"))
    for (label, path, want), g in zip(cases, read(tool, [c[1] for c in cases]) if cases else []):
        ok = g == want
        passed += ok
        failed += not ok
        print(f"{'PASS' if ok else 'FAIL'} {label}: read {g}" + ("" if ok else f", is {want}"))
    doc = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "compatibility.md")
    shown = [l.strip() for l in open(doc) if l.startswith("nextest-version ")]
    ok = bool(shown) and all(versionlog.LINE_RE.match(l) for l in shown)
    passed += ok
    failed += not ok
    print(f"{'PASS' if ok else 'FAIL'} docs/compatibility.md shows {len(shown)} detection-log line(s) "
          "in the library's format")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
