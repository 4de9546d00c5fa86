#!/usr/bin/env python3
"""check_engine.py — the engine object carries no part of the probe contract.

Owns: the static checks of libnextest_probes_engine.so, the object the library
dlopen's in a runner.  Users attach to the library's path, so every probe site
and semaphore must be there (check_elf.py) and none here: this asserts, from
`readelf -n/-S --wide` and `nm -D`, that the engine has no .note.stapsdt note,
no .probes or .stapsdt.base section, no __usdt_sema_* symbol, and exports
exactly the symbols of its export map (its one entry point).
Usage: check_engine.py ENGINE --exports MAP.  Exit 0 if every check passed.
"""
import argparse
import re
import subprocess
import sys


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("engine")
    ap.add_argument("--exports", required=True)
    a = ap.parse_args()
    failures = []
    notes = run(["readelf", "-n", "--wide", a.engine])
    if "stapsdt" in notes or "NT_STAPSDT" in notes:
        failures.append("the engine has stapsdt notes: probes must live in the library users attach to")
    secs = run(["readelf", "-S", "--wide", a.engine])
    for name in (".note.stapsdt", ".probes", ".stapsdt.base"):
        if re.search(r"\s" + re.escape(name) + r"\s", secs):
            failures.append(f"the engine has a {name} section")
    syms = run(["nm", a.engine]) if "symtab" in secs else ""
    if "__usdt_sema_" in syms:
        failures.append("the engine defines __usdt_sema_* semaphores")
    text = re.sub(r"/\*.*?\*/", "", open(a.exports).read(), flags=re.S)
    m = re.search(r"global:(.*?)local:", text, re.S)
    allowed = set(re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*;", m.group(1) if m else ""))
    exported = set()
    for line in run(["nm", "-D", "--defined-only", a.engine]).splitlines():
        parts = line.split()
        if len(parts) >= 3:
            exported.add(parts[2].split("@")[0])
    if not allowed or exported != allowed:
        failures.append(f"the engine exports {sorted(exported)}, want exactly {sorted(allowed)}")
    for f in failures:
        print("FAIL:", f)
    if failures:
        return 1
    print(f"check_engine: {a.engine}: no stapsdt note, no semaphore; exports {sorted(exported)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
