"""soak.py — many attempts while a tracer attaches and detaches, repeatedly.

Owns: the stress/soak check.  Runs the simulator on fx-many (1,000 trivial
tests) with --stress-count K at -j J (K x 1,000 attempts) with a private copy
of the library preloaded, while a loop starts a bpftrace session (READY
handshake), keeps it attached for a random 3.5-5.0 s and stops it, over and
over.  It samples the runner's VmRSS every 0.25 s.  Then, with the
simulator's truth (when each attempt really started and finished):
  * each session's attached window is taken from the session itself, never
    from what it captured: from its BEGIN plus ATTACH_DELAY_NS (bpftrace 0.17
    runs BEGIN before its uprobes deliver) to the instant SIGINT was sent
    (every probe stays attached until bpftrace handles it), both ends moved in
    by the library's firing-time bound against the truth (truthdiff.py);
  * every attempt whose start and done both fall inside a window has exactly
    one start and one done in that session;
  * a window that overlaps attempts but captured nothing fails;
  * no attempt id has more than one start or more than one done over all
    windows (no duplicated event);
  * the runner's RSS is flat: the median of the last quarter of samples is
    at most RSS_GROWTH_KIB above the median of the second quarter; fewer
    than 8 samples fail (the run was too short to say).
The pytest case is test_soak.py (make hardening-soak-short, make soak):
    pytest tests/hardening/test_soak.py --lib LIB --sim SIM --out DIR --stress-count K [--jobs J]
It prints the counts; a failure lists the problems.  Needs root + bpftrace.
"""


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
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import tracer  # noqa: E402
from truthdiff import T_NS_TOLERANCE  # noqa: E402  (library vs truth firing times)

WORKSPACE = os.path.abspath(os.path.join(HERE, "..", "fixtures", "workspace"))
# From BEGIN to the first event bpftrace 0.17 delivers.  Measured with this soak's own
# tracer (truth attempts started after BEGIN but not captured, then captured from the
# next on): 15-750 ms, at worst 2.2 s, on a 2-core machine at load average 18-32, and
# 2.75 s at load average ~100; a single libc uprobe: 18-285 ms.  See docs/reliability.md,
# "Stress and soak".
ATTACH_DELAY_NS = 3_000_000_000
ATTACHED_S = (3.5, 5.0)
RSS_GROWTH_KIB = 4096
MIN_RSS_SAMPLES = 8


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def soak(built_lib, sim, out, stress_count=2, j=32):
    """Runs the soak on a private copy of `built_lib`; returns (the counts line, [problems])."""
    os.makedirs(out, exist_ok=True)
    lib = os.path.join(os.path.abspath(out), "libnextest_probes.so")
    shutil.copyfile(built_lib, lib + ".tmp")
    os.replace(lib + ".tmp", lib)
    truth = os.path.join(os.path.abspath(out), "truth.jsonl")
    env = dict(os.environ, LD_PRELOAD=lib,
               CARGO_TARGET_DIR=os.path.abspath(os.path.join(HERE, "..", "..", "build", "fixtures-target")))
    cmd = [os.path.abspath(sim), "run", "--no-build", "--run-ignored", "only", "-j", str(j),
           "--stress-count", str(stress_count), "--status-level", "fail",
           "--final-status-level", "fail", "--truth", truth, "many::"]
    print("soak: " + " ".join(cmd))
    t0 = time.time()
    runner = subprocess.Popen(cmd, env=env, cwd=WORKSPACE, stdout=subprocess.DEVNULL,
                              stderr=open(os.path.join(out, "runner.stderr"), "wb"))
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
        s = tracer.Session([lib], os.path.join(out, f"session-{k % 2}.txt"))
        time.sleep(random.uniform(*ATTACHED_S))
        events, end_ns, lost = s.stop(settle=0.05)
        windows.append((s.begin_ns, s.sigint_ns, end_ns, events, lost))
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
    inside = checked = 0
    spans = [(ts, dones[i], i) for i, ts in starts.items() if i in dones]
    for begin, sigint, end, events, lost in windows:
        if lost:
            problems.append(f"bpftrace lost events: {lost}")
        if end is None:
            problems.append("a session printed no END")
            continue
        c = tracer.counts(events)
        for ident, (ns, nd) in c.items():
            tot = all_counts.setdefault(ident, [0, 0])
            tot[0] += ns
            tot[1] += nd
            total_s += ns
            total_d += nd
        # The truth's instants are the simulator's; the library fires up to T_NS_TOLERANCE
        # from them (docs/probes.md, "Firing times"), so the window is shrunk by that much.
        w0, w1 = begin + ATTACH_DELAY_NS + T_NS_TOLERANCE, sigint - T_NS_TOLERANCE
        if w1 <= w0:
            continue
        checked += 1
        overlap = sum(1 for ts, td, _i in spans if ts < w1 and td > w0)
        if overlap and not events:
            problems.append(f"window {(w1 - w0) / 1e6:.0f} ms: overlaps {overlap} attempts but captured nothing")
        for ts, td, ident in spans:
            if ts < w0 or td > w1:
                continue
            inside += 1
            got = c.get(ident.encode()[:199].decode("utf-8", "replace"), [0, 0])
            if got != [1, 1]:
                problems.append(f"{ident}: {got[0]} starts, {got[1]} dones inside a window "
                                f"(start {(ts - begin) / 1e6:.0f} ms after BEGIN)")
    dups = [i for i, (s, d) in all_counts.items() if s > 1 or d > 1]
    if dups:
        problems.append(f"{len(dups)} attempt ids with duplicated events, e.g. {dups[0]}")
    q = len(samples) // 4
    rss_note = f"{len(samples)} RSS samples"
    if len(samples) < MIN_RSS_SAMPLES:
        problems.append(f"too few RSS samples ({len(samples)} < {MIN_RSS_SAMPLES}): the run was too short "
                        "to say whether memory stays flat")
    else:
        early, late = statistics.median(samples[q:2 * q]), statistics.median(samples[3 * q:])
        rss_note = f"RSS median {early:.0f} KiB (2nd quarter) -> {late:.0f} KiB (last quarter), max {max(samples)} KiB"
        if late - early > RSS_GROWTH_KIB:
            problems.append(f"RSS grew: {rss_note}")
    if rc != 0:
        problems.append(f"runner exit code {rc}")
    if len(starts) != 1000 * stress_count:
        problems.append(f"truth has {len(starts)} attempts, expected {1000 * stress_count}")
    if inside == 0:
        problems.append("no attempt fell inside an attached window: nothing was checked")
    return (f"soak: {len(starts)} attempts in {elapsed:.1f} s at -j {j}, {len(windows)} attach/detach "
            f"cycles, {checked} windows; {inside} attempts fully inside a window, all checked; events seen: "
            f"{total_s} starts, {total_d} dones, {len(dups)} duplicated ids; {rss_note}"), problems
