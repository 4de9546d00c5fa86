#!/usr/bin/env python3
"""clockpoints.py — where each side's duration clock started and stopped, per done event
of e2e runs on the emulated machine (make check-aarch64 prints it after the e2e stage).

Owns: the decomposition of a duration difference into its start and end parts.  For a
done event of the library (capture), its clock stopped at t_ns - time_to_close_fds_nanos
(the library fires when the runner closes the read ends; a leak has no such time: its
firing instant is used) and started a duration before that.  The simulator (truth) fires
right after reading its stopwatch: t_ns is its end, t_ns - duration its start.  Printed:
the difference of the durations, start and end offsets (library minus simulator), and the
guest stall time (tests/aarch64/stalls.c) between the two starts and between the two ends.
Informational: the judging is tests/e2e/truthdiff.py's.
Usage: clockpoints.py STALL_LOG RUN_DIR…
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import events  # noqa: E402
import truthdiff  # noqa: E402

DONE = ("test-attempt-done", "setup-script-done")


def stalls_of(path):
    with open(path) as f:
        return sorted(tuple(int(x) for x in line.split()) for line in f if len(line.split()) == 2)


def rows(truth, capture, stalls):
    ck = truthdiff.keyed(capture)
    for key, te in truthdiff.keyed(truth).items():
        ce = ck.get(key)
        if te["probe"] not in DONE or ce is None:
            continue
        t, c = json.loads(te["arg0"])["ok"], json.loads(ce["arg0"])["ok"]
        t_end = te["t_ns"]
        t_start = t_end - t["duration_nanos"]
        c_end = ce["t_ns"] - (c.get("time_to_close_fds_nanos") or 0)
        c_start = c_end - c["duration_nanos"]
        st_start = truthdiff.stall_ns(stalls, min(t_start, c_start), max(t_start, c_start))
        st_end = truthdiff.stall_ns(stalls, min(t_end, c_end), max(t_end, c_end))
        yield (key[1], c["duration_nanos"] - t["duration_nanos"], c_start - t_start, st_start,
               c_end - t_end, st_end)


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[-1])
        return 2
    stalls = stalls_of(argv[0])
    ms = lambda x: f"{x / 1e6:+8.2f}"  # noqa: E731
    print("clockpoints: ms, library minus simulator; stalls: guest stall time between the two")
    print(f"  {'duration':>8} {'start':>8} {'stalls':>8} {'end':>8} {'stalls':>8}  attempt or script")
    allr = []
    for d in argv[1:]:
        try:
            truth = events.load(os.path.join(d, "truth.jsonl"))
            capture = events.load(os.path.join(d, "capture.jsonl"))
        except (OSError, events.EventFormatError):
            continue
        print(f"{os.path.basename(os.path.normpath(d))}:")
        for r in rows(truth, capture, stalls):
            allr.append(r)
            name = r[0].split(":", 1)[-1] if ":" in r[0] else r[0]
            print(f"  {ms(r[1])} {ms(r[2])} {ms(r[3])[1:]:>8} {ms(r[4])} {ms(r[5])[1:]:>8}  {name[-60:]}")
    if allr:
        n = len(allr)
        srt = sorted(r[2] for r in allr)
        end = sorted(r[4] for r in allr)
        print(f"clockpoints: {n} done events; start offset median {srt[n // 2] / 1e6:+.2f} ms, "
              f"end offset median {end[n // 2] / 1e6:+.2f} ms (min {end[0] / 1e6:+.2f}); "
              f"stall time in the start gaps {sum(r[3] for r in allr) / 1e6:.1f} ms, "
              f"in the end gaps {sum(r[5] for r in allr) / 1e6:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
