#!/usr/bin/env python3
"""start_bench: how long `nextest-probes capture` takes before the command starts.

Owns: the start-up benchmark of the capture program (docs/performance.md, "Tracer
start-up").  For each round: the wall time from running `nextest-probes capture -o F --
sh -c 'date +%s.%N'` to the moment that command starts, and the CPU time (user + system) of
bpftrace alone loading the same program (BEGIN { exit() }), for the program as it is now
and, with --old-rev, the nextest_capture.py of an older revision (git show REV:…).
Both variants are measured alternately in the same run, so their ratio is what to read.

Usage: start_bench.py --root REPO --lib LIB [--rounds N] [--old-rev REV]
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def program_cpu(capture_py, lib):
    """CPU seconds bpftrace spends loading the program (compile, verify, attach)."""
    with tempfile.TemporaryDirectory() as d:
        prog = subprocess.run([sys.executable, capture_py, "program", "$1"], stdout=subprocess.PIPE,
                              text=True, check=True).stdout
        prog = prog.replace('printf("READY\\n"); }', 'printf("READY\\n"); exit(); }', 1)
        p = os.path.join(d, "p.bt")
        open(p, "w").write(prog)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        subprocess.run(["bpftrace", p, lib], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        wall = time.monotonic() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, wall


def command_start(root, lib):
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, NEXTEST_PROBES_LIB=lib)
        t0 = time.time()
        subprocess.run([os.path.join(root, "tracer-scripts", "nextest-probes"), "capture", "-o",
                        os.path.join(d, "e.jsonl"), "--", "sh", "-c", f"date +%s.%N > {d}/t"],
                       env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        return float(open(os.path.join(d, "t")).read()) - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--lib", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--old-rev")
    o = ap.parse_args()
    cur = os.path.join(o.root, "tracer-scripts", "nextest_capture.py")
    variants = {"now": cur}
    tmp = tempfile.mkdtemp()
    if o.old_rev:
        old = os.path.join(tmp, "nextest_capture.py")
        open(old, "w").write(subprocess.run(["git", "-C", o.root, "show", f"{o.old_rev}:tracer-scripts/nextest_capture.py"],
                                            stdout=subprocess.PIPE, text=True, check=True).stdout)
        variants[o.old_rev] = old
    res = {k: [] for k in variants}
    starts = []
    for _ in range(o.rounds):
        for k, p in variants.items():
            res[k].append(program_cpu(p, o.lib))
        starts.append(command_start(o.root, o.lib))
    print(f"load average: {os.getloadavg()[0]:.1f}, {o.rounds} rounds, medians")
    for k, v in res.items():
        print(f"  program ({k}): bpftrace CPU {statistics.median(c for c, _w in v):.2f} s, "
              f"wall {statistics.median(w for _c, w in v):.2f} s")
    print(f"  nextest-probes capture: the command started {statistics.median(starts):.2f} s after "
          f"nextest-probes did (all: {', '.join(f'{s:.2f}' for s in starts)})")


if __name__ == "__main__":
    main()
