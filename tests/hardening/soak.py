#!/usr/bin/env python3
"""soak.py — many attempts while a tracer attaches and detaches, repeatedly.

Owns: the stress/soak check.  Runs the simulator on fx-many (1,000 trivial
tests) with --stress-count K at -j J (K x 1,000 attempts) with a private copy
of the library preloaded, while a loop starts a bpftrace session (READY
handshake), keeps it attached for a random 200-500 ms and stops it, over and
over.  It samples the runner's VmRSS every 0.25 s.  Then, with the
simulator's truth (when each attempt really started and finished):
  * every attempt whose start and done both fall inside an attached window
    (from the first to the last event that session delivered, shrunk by
    MARGIN at both ends) has exactly one start and one done in that window;
  * no attempt id has more than one start or more than one done over all
    windows (no duplicated event);
  * the runner's RSS is flat: the median of the last quarter of samples is
    at most RSS_GROWTH_KIB above the median of the second quarter.
Usage: soak.py --lib LIB --sim SIM --out DIR --stress-count K [-j J]
Prints the counts and a final `N passed, N failed`.  Needs root + bpftrace.
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tracer  # noqa: E402

WORKSPACE = os.path.abspath(os.path.join(HERE, "..", "fixtures", "workspace"))
MARGIN_NS = 50_000_000
RSS_GROWTH_KIB = 4096


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", required=True)
    ap.add_argument("--sim", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--stress-count", type=int, default=2)
    ap.add_argument("-j", type=int, default=32)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    lib = os.path.join(os.path.abspath(a.out), "libnextest_probes.so")
    shutil.copyfile(a.lib, lib + ".tmp")
    os.replace(lib + ".tmp", lib)
    truth = os.path.join(os.path.abspath(a.out), "truth.jsonl")
    env = dict(os.environ, LD_PRELOAD=lib,
               CARGO_TARGET_DIR=os.path.abspath(os.path.join(HERE, "..", "..", "build", "fixtures-target")))
    cmd = [os.path.abspath(a.sim), "run", "--no-build", "--run-ignored", "only", "-j", str(a.j),
           "--stress-count", str(a.stress_count), "--status-level", "fail",
           "--final-status-level", "fail", "--truth", truth, "many::"]
    print("soak: " + " ".join(cmd))
    t0 = time.time()
    runner = subprocess.Popen(cmd, env=env, cwd=WORKSPACE, stdout=subprocess.DEVNULL,
                              stderr=open(os.path.join(a.out, "runner.stderr"), "wb"))
    samples, windows = [], []

    def sample():
        while runner.poll() is None:
            r = rss_kib(runner.pid)
            if r:
                samples.append(r)
            time.sleep(0.25)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    k = 0
    while runner.poll() is None:
        s = tracer.Session([lib], os.path.join(a.out, f"session-{k % 2}.txt"))
        time.sleep(random.uniform(0.2, 0.5))
        events, end_ns, lost = s.stop(settle=0.05)
        windows.append((s.begin_ns, end_ns, events, lost))
        k += 1
    rc = runner.wait()
    th.join()
    elapsed = time.time() - t0

    # truth: per attempt id, start/done instants
    starts, dones = {}, {}
    with open(truth) as f:
        for line in f:
            ev = json.loads(line)
            if ev["probe"] == "test-attempt-start":
                starts[ev["args"][0]] = ev["t_ns"]
            elif ev["probe"] == "test-attempt-done":
                dones[ev["args"][0]] = ev["t_ns"]
    problems = []
    total_s = total_d = 0
    all_counts = {}
    inside = 0
    for begin, end, events, lost in windows:
        if lost:
            problems.append(f"bpftrace lost events: {lost}")
        if end is None:
            problems.append("a session printed no END")
            continue
        if not events:
            continue
        # The effective window: bpftrace 0.17 prints BEGIN 100-250 ms before
        # its uprobes deliver, and stops delivering a few hundred ms before
        # END after SIGINT, so the attached window is taken from the first to
        # the last event it delivered (a loss in the middle is still caught;
        # the edges are inherently ambiguous).
        # Each probe is attached (and detached) on its own, so the window is
        # the span in which both deliver: from the later of their first
        # events to the earlier of their last.
        s_ns = [ns for k, _p, ns, _i in events if k == "S"]
        d_ns = [ns for k, _p, ns, _i in events if k == "D"]
        if not s_ns or not d_ns:
            continue
        begin, end = max(min(s_ns), min(d_ns)), min(max(s_ns), max(d_ns))
        c = tracer.counts(events)
        for ident, (ns, nd) in c.items():
            tot = all_counts.setdefault(ident, [0, 0])
            tot[0] += ns
            tot[1] += nd
            total_s += ns
            total_d += nd
        for ident, ts in starts.items():
            td = dones.get(ident)
            if td is None or ts < begin + MARGIN_NS or td > end - MARGIN_NS:
                continue
            inside += 1
            got = c.get(ident.encode()[:199].decode("utf-8", "replace"), [0, 0])
            if got != [1, 1]:
                problems.append(f"{ident}: {got[0]} starts, {got[1]} dones inside a window")
    dups = [i for i, (s, d) in all_counts.items() if s > 1 or d > 1]
    if dups:
        problems.append(f"{len(dups)} attempt ids with duplicated events, e.g. {dups[0]}")
    q = len(samples) // 4
    rss_note = "too few RSS samples"
    if q >= 2:
        early, late = statistics.median(samples[q:2 * q]), statistics.median(samples[3 * q:])
        rss_note = f"RSS median {early:.0f} KiB (2nd quarter) -> {late:.0f} KiB (last quarter), max {max(samples)} KiB"
        if late - early > RSS_GROWTH_KIB:
            problems.append(f"RSS grew: {rss_note}")
    if rc != 0:
        problems.append(f"runner exit code {rc}")
    if len(starts) != 1000 * a.stress_count:
        problems.append(f"truth has {len(starts)} attempts, expected {1000 * a.stress_count}")
    if inside == 0:
        problems.append("no attempt fell inside an attached window: nothing was checked")
    print(f"soak: {len(starts)} attempts in {elapsed:.1f} s at -j {a.j}, {len(windows)} attach/detach "
          f"cycles; {inside} attempts fully inside a window, all checked; events seen: "
          f"{total_s} starts, {total_d} dones, {len(dups)} duplicated ids; {rss_note}")
    for p in problems[:20]:
        print("    " + p)
    ok = not problems
    print(f"{'PASS' if ok else 'FAIL'} soak: {a.stress_count} x 1000 attempts")
    print(f"{int(ok)} passed, {int(not ok)} failed")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
