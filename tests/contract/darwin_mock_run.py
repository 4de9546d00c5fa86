"""darwin_mock_run.py — the macOS probe path hands DTrace the Linux arguments.

Owns: the run-time half of `make darwin-static-check`.  EXE is
tests/contract/fire_all.c linked with probes.c and probes_darwin.c compiled
for the DTrace path (-DNX_DTRACE=1) against darwin_mock_dtrace.py's stand-in
header.  Asserts:
  * with every probe enabled, each of the ten probes fires exactly once with
    exactly the arguments live_probes.py expects from the Linux notes under
    bpftrace (same program, same EXPECT table; whole strings, no 199-byte cut);
  * with only probe P enabled (NX_MOCK_ENABLED=P), nx_probe_enabled() reports
    P alone, fire_all stops (exit 3) and nothing fires: each enum asks its
    own probe's *_ENABLED() macro.
verify(EXE) returns what is wrong; the pytest case is tests/contract/test_darwin.py.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from live_probes import EXPECT  # noqa: E402  (the Linux contract's expected arguments)


def run(exe, only=None):
    env = dict(os.environ)
    env.pop("NX_MOCK_ENABLED", None)
    if only is not None:
        env["NX_MOCK_ENABLED"] = only
    p = subprocess.run([exe], capture_output=True, text=True, env=env, timeout=60)
    return p.returncode, p.stdout.splitlines()


def verify(exe):
    """([what is wrong], a one-line summary)."""
    exe = os.path.abspath(exe)
    failures = []

    rc, lines = run(exe)
    if rc != 0 or "FIRED" not in lines:
        failures.append(f"all enabled: exit {rc}, FIRED {'FIRED' in lines}")
    seen = {}
    for line in lines:
        if line.startswith("EV|"):
            _, probe, idx, val = line.split("|", 3)
            seen.setdefault((probe, int(idx)), []).append(val)
    for probe, args in EXPECT.items():
        for i, (kind, want) in enumerate(args):
            got = seen.get((probe, i), [])
            if len(got) != 1:
                failures.append(f"{probe} arg{i}: fired {len(got)} times, want 1")
            elif kind == "s" and got[0] != want:
                failures.append(f"{probe} arg{i}: got {got[0]!r}, want {want!r}")
            elif kind == "u" and int(got[0]) != want:
                failures.append(f"{probe} arg{i}: got {got[0]}, want {want}")
        if (probe, len(args)) in seen:
            failures.append(f"{probe}: more arguments than the contract's {len(args)}")
    extra = {k[0] for k in seen} - set(EXPECT)
    if extra:
        failures.append(f"unexpected probes: {sorted(extra)}")

    for only in EXPECT:
        rc, lines = run(exe, only)
        on = sorted(ln.split()[1] for ln in lines if ln.startswith("SEMA ") and
                    ln.split()[2] == "1")
        fired = [ln for ln in lines if ln.startswith("EV|")]
        if rc != 3 or on != [only] or fired:
            failures.append(f"only {only} enabled: exit {rc}, enabled {on}, "
                            f"{len(fired)} EV line(s)")

    n = sum(len(v) for v in EXPECT.values())
    return failures, (f"darwin_mock_run: DTrace path fired all ten probes once, {n} arguments "
                      f"equal to the Linux contract; each enum asks its own is-enabled probe")
