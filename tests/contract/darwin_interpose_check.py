"""darwin_interpose_check.py — the macOS hook naming and table, built on Linux.

Owns: the interposition half of `make darwin-static-check`.  OBJ is
darwin_interpose_tu.c (hooks.c + interpose_darwin.c, -DNX_INTERPOSE=1) and
EXE is darwin_interpose_check.c linked with it.  Asserts:
  * OBJ defines nx_hook_<name> for every name of preload/thin/hook/exports.map and
    defines none of those names itself (on macOS a hook keeping its libc name
    would not be interposed by the table, and would shadow nothing);
  * EXE finds the table's pairs to be exactly {nx_hook_<name>, <name>} for
    the NX_INTERPOSED list, in order.
verify() returns what is wrong; the pytest case is tests/contract/test_darwin.py.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import darwin_static  # noqa: E402


def verify(obj, exe, exports_map, interpose_c, elsewhere=()):
    """([what is wrong], a one-line summary).  elsewhere: exports defined outside hooks.c,
    Linux-only (checked by darwin_static.py)."""
    elsewhere = set(elsewhere)
    failures = []
    darwin_static.failures.clear()
    exports = [n for n in darwin_static.parse_exports(exports_map) if n not in elsewhere]
    table = darwin_static.parse_interposed(interpose_c)
    failures += darwin_static.failures
    nm = subprocess.run(["nm", "--defined-only", obj], capture_output=True, text=True,
                        check=True).stdout
    defined = {ln.split()[-1] for ln in nm.splitlines() if len(ln.split()) == 3}
    plain = sorted(set(exports) & defined)
    if plain:
        failures.append(f"{obj} defines libc names in NX_INTERPOSE mode: {plain}")
    unnamed = sorted(n for n in exports if f"nx_hook_{n}" not in defined)
    if unnamed:
        failures.append(f"{obj} lacks nx_hook_<name> for: {unnamed}")
    p = subprocess.run([exe] + table, capture_output=True, text=True, timeout=60)
    if p.returncode != 0 or f"INTERPOSE OK {len(table)}" not in p.stdout:
        failures.append(f"{exe}: exit {p.returncode}: {p.stdout.strip()} {p.stderr.strip()}")
    return failures, (f"darwin_interpose_check: {len(exports)} hooks renamed nx_hook_*; "
                      f"{len(table)} table pairs are {{nx_hook_<name>, <name>}}")
