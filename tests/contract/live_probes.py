#!/usr/bin/env python3
"""live_probes.py — the probes fire under real bpftrace (root only).

Owns: the live contract test.  bpftrace is attached to all ten probes of
EXE by path *before* EXE starts (a BEGIN sentinel READY says it is attached);
then EXE (fire_all.c) runs and fires each probe once.  Asserts that EXE saw
all ten semaphores raised and that bpftrace saw each probe exactly once with
the expected arguments: arg0 and the other strings whole (read in pieces by
the e2e capture, tests/e2e/bpfscript.py — bpftrace 0.17's str() stops at 199
bytes), the integers as the probe's C types.  Expected JSON is built here with
Python's json module (compact, key order kept, ensure_ascii=False),
independently of encode.c.
Under pytest: tests/contract/test_live.py (make contract-tests).  Without pytest (a
guest with python3 only): live_probes.py [--verbose] EXE   (exit 0 pass, 1 fail;
--verbose prints every argument bpftrace saw next to the expected value)
"""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import bpfparse  # noqa: E402  (the e2e capture: whole strings, READY handshake)
import capture  # noqa: E402

RUN = "55459fda-13fe-406a-b4e3-0230fd52bb03"


def ok(obj):
    return json.dumps({"ok": obj}, separators=(",", ":"), ensure_ascii=False)


TNAME = 'mod::t"q\\'
AID = f"{RUN}:pkg::it${TNAME}#2"
TARGS = ["--exact", TNAME, "--nocapture"]
SARGS = ["-c", "echo hi"]
SID = f"{RUN}:db"
SUB = f"{RUN}:@stress-4"

# probe -> list of (kind, expected) per argument; kind s = str(), u = integer
EXPECT = {
    "run-start": [
        ("s", ok(dict(run_id=RUN, profile_name="default", total_tests=3, filter_count=2,
                      test_threads=8, stress_count=None, stress_infinite=False,
                      stress_duration_nanos=None))),
        ("s", ok(RUN)),
    ],
    "stress-sub-run-start": [
        ("s", ok(dict(stress_sub_run_id=SUB, run_id=RUN, profile_name="ci", stress_current=4,
                      stress_total=10, elapsed_nanos=77))),
        ("s", SUB), ("u", 4),
    ],
    "setup-script-start": [
        ("s", ok(dict(id=SID, run_id=RUN, script_id="db", pid=4000000001, program="sh",
                      args=SARGS, stress_current=None, stress_total=None))),
        ("s", SID), ("s", "db"), ("u", 4000000001),
    ],
    "setup-script-slow": [
        ("s", ok(dict(id=SID, run_id=RUN, script_id="db", program="sh", args=SARGS,
                      elapsed_nanos=5000000000, will_terminate=True, stress_current=None,
                      stress_total=None))),
        ("s", SID), ("s", "db"), ("u", 5000000000),
    ],
    "setup-script-done": [
        ("s", ok(dict(id=SID, run_id=RUN, script_id="db", program="sh", args=SARGS,
                      result="pass", exit_code=0, duration_nanos=6000000000,
                      stress_current=None, stress_total=None, stdout_len=3, stderr_len=0))),
        ("s", SID), ("s", "db"), ("s", "pass"), ("u", 6000000000),
    ],
    "test-attempt-start": [
        ("s", ok(dict(attempt_id=AID, run_id=RUN, binary_id="pkg::it", test_name=TNAME,
                      pid=4000000000, program="/t/it-1", args=TARGS, attempt=2,
                      total_attempts=3, stress_current=None, stress_total=None,
                      global_slot=5, group_slot=None, test_group=None))),
        ("s", AID), ("s", "pkg::it"), ("s", TNAME), ("u", 4000000000),
    ],
    "test-attempt-slow": [
        ("s", ok(dict(attempt_id=AID, run_id=RUN, binary_id="pkg::it", test_name=TNAME,
                      attempt=2, total_attempts=3, elapsed_nanos=60000000000,
                      will_terminate=False, stress_current=None, stress_total=None))),
        ("s", AID), ("s", "pkg::it"), ("s", TNAME), ("u", 60000000000),
    ],
    "test-attempt-done": [
        ("s", ok(dict(attempt_id=AID, run_id=RUN, binary_id="pkg::it", test_name=TNAME,
                      attempt=2, total_attempts=3, result="timeout", exit_code=None,
                      duration_nanos=18446744073709551615, leaked=True,
                      time_to_close_fds_nanos=None, stress_current=None, stress_total=None,
                      stdout_len=10, stderr_len=20))),
        ("s", AID), ("s", "pkg::it"), ("s", TNAME), ("s", "timeout"),
        ("u", 18446744073709551615),
    ],
    "stress-sub-run-done": [
        ("s", ok(dict(stress_sub_run_id=SUB, run_id=RUN, profile_name="ci", stress_current=4,
                      stress_total=10, elapsed_nanos=99, sub_run_duration_nanos=22,
                      total_tests=3, passed=2, failed=1, skipped=0))),
        ("s", SUB), ("u", 4),
    ],
    "run-done": [
        ("s", ok(dict(run_id=RUN, profile_name="default", total_tests=3, passed=2, failed=1,
                      skipped=0, duration_nanos=123456789, paused_nanos=0,
                      stress_completed=None, stress_success=None, stress_failed=None))),
        ("s", ok(RUN)),
    ],
}


def verify(exe, verbose=False):
    """([what is wrong], a one-line summary) of one traced run of EXE (fire_all)."""
    if os.geteuid() != 0:
        return ["must run as root (bpftrace)"], ""
    exe = os.path.abspath(exe)
    failures = []
    with tempfile.TemporaryDirectory(prefix="live-probes-") as work:
        session = capture.Session([("live", exe)], work)
        try:
            session.start()       # returns once bpftrace printed READY
            prog, root = session.run([exe], timeout=30)
            captured = session.stop()
            evs = captured.events("live", root)
        except (bpfparse.CaptureError, capture.subprocess.TimeoutExpired) as e:
            session.abort()
            return [f"capture: {e}"], ""
    out = prog.stdout.decode("utf-8", "replace")
    print(out, end="")
    if prog.returncode != 0 or "FIRED" not in out:
        failures.append(f"{exe} exited {prog.returncode}: {prog.stderr.decode('utf-8', 'replace').strip()}")

    seen = {}
    for ev in evs:
        seen.setdefault(ev["probe"], []).append(ev)
    longest = 0
    for probe, args in EXPECT.items():
        got = seen.get(probe, [])
        if len(got) != 1:
            failures.append(f"{probe}: fired {len(got)} times, want 1")
            continue
        values = [got[0]["arg0"]] + got[0]["args"]
        if len(values) != len(args):
            failures.append(f"{probe}: {len(values)} arguments, want {len(args)}")
        for i, ((kind, want), val) in enumerate(zip(args, values)):
            if verbose:
                print(f"fired {probe} arg{i}: {val!r} (want {want!r})")
            if kind == "s":
                longest = max(longest, len(want.encode()))
                if val != want:
                    n = next((k for k, (x, y) in enumerate(zip(val, want)) if x != y), min(len(val), len(want)))
                    failures.append(f"{probe} arg{i}: differs at character {n} (length {len(val)}, "
                                    f"want {len(want)}): got …{val[max(0, n - 20):n + 40]!r}…, "
                                    f"want …{want[max(0, n - 20):n + 40]!r}…")
            elif val != want:
                failures.append(f"{probe} arg{i}: got {val}, want {want}")
    extra = set(seen) - set(EXPECT)
    if extra:
        failures.append(f"unexpected probes: {extra}")
    n = sum(len(v) for v in EXPECT.values())
    return failures, (f"live_probes: all ten probes fired once under bpftrace; {n} arguments "
                      f"matched whole (longest string {longest} bytes)")


def main():
    """Without pytest (the arm64 guest has only python3)."""
    verbose = "--verbose" in sys.argv[1:]
    argv = [a for a in sys.argv[1:] if a != "--verbose"]
    if len(argv) != 1:
        print(__doc__)
        return 2
    failures, summary = verify(argv[0], verbose)
    for f in failures:
        print("live_probes: FAIL:", f)
    print(f"live_probes: {len(failures)} failure(s)" if failures else summary)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
