"""test_native_soak: real nextest, thousands of attempts, while a tracer attaches and detaches.

Owns: the real-nextest soak.  Runs real `cargo nextest run` on fx-many (1,000 trivial
tests) with --stress-count K at -j J (K x 1,000 attempts) with a private copy of the
library preloaded.  Two bpftrace sessions:
  * the truth session, attached to the runner binary's own test-attempt-start/-done for
    the whole run (before the runner starts): when each attempt really started and ended;
  * the flapping session, attached to BOTH the runner's and the library's
    test-attempt-start/-done, kept attached a random 0.5-1.5 s, stopped, restarted, over
    and over while the runner runs.
Checks, per flapping window (from the latest first event to the earliest last event of
the four streams native/shim x start/done, shrunk by MARGIN_NS at both ends — bpftrace
attaches and detaches each probe on its own, so the edges are ambiguous):
  * every attempt whose native start and done (truth session) lie inside the window has
    exactly one start and one done there, on both sides;
  * over all windows no attempt id has more than one start or done on either side;
  * the truth session saw every attempt exactly once (K x 1,000 ids, one start, one done).
Usage: pytest test_native_soak.py --lib LIB --out DIR [--soak-stress K] [--soak-jobs J].  Prints
the counts; without a native-probe nextest the test is skipped with the reason (and fails
under CI=true).  Needs root + bpftrace.
"""

import os
import random
import shutil
import signal
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

import capture  # noqa: E402
import finder  # noqa: E402
import fixtures  # noqa: E402

MARGIN_NS = 50_000_000


def script(targets):
    """targets: [(tag, ELF path)]; lines `<tag> S|D <pid> <nsecs> <attempt id>`."""
    out = ['BEGIN { printf("READY %lu\\n", nsecs); }']
    for tag, path in targets:
        for probe, kind in (("test-attempt-start", "S"), ("test-attempt-done", "D")):
            out.append(f'usdt:{path}:nextest:{probe} '
                       f'{{ printf("{tag} {kind} %d %lu %s\\n", pid, nsecs, str(arg1)); }}')
    out.append('END { printf("END %lu\\n", nsecs); }')
    return "\n".join(out) + "\n"


class Tracer:
    def __init__(self, targets, out_path):
        capture.ensure_tracefs()
        self.out_path = out_path
        self.out = open(out_path, "wb")
        env = dict(os.environ, BPFTRACE_STRLEN="200", BPFTRACE_PERF_RB_PAGES="1024")
        env.pop("LD_PRELOAD", None)
        self.proc = subprocess.Popen(["bpftrace", "-e", script(targets)], stdout=self.out,
                                     stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + 180
        while time.time() < deadline:
            with open(out_path, "rb") as f:
                if b"READY" in f.read():
                    return
            if self.proc.poll() is not None:
                raise RuntimeError("bpftrace exited before READY: " + open(out_path, "rb").read()[-2000:].decode(errors="replace"))
            time.sleep(0.02)
        self.proc.kill()
        raise RuntimeError("bpftrace not READY after 180 s")

    def stop(self, settle=0.05):
        """(events [(tag, kind, pid, ns, id)], end seen, problem lines)."""
        time.sleep(settle)
        for _ in range(12):
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=5)
                break
            except subprocess.TimeoutExpired:
                continue
        else:
            self.proc.kill()
            self.proc.wait()
        self.out.close()
        events, end, problems = [], False, []
        with open(self.out_path, "rb") as f:
            for raw in f:
                line = raw.rstrip(b"\n")
                parts = line.split(b" ", 4)
                if len(parts) == 5 and parts[1] in (b"S", b"D"):
                    events.append((parts[0].decode(), parts[1].decode(), int(parts[2]), int(parts[3]),
                                   parts[4].decode("utf-8", "replace")))
                elif line.startswith(b"END "):
                    end = True
                elif line.startswith(b"Lost"):
                    problems.append(line.decode(errors="replace"))
        if not end:
            problems.append("a bpftrace session printed no END")
        return events, end, problems


def test_soak(request):
    stress, jobs = request.config.getoption("--soak-stress"), request.config.getoption("--soak-jobs")
    runner, why = finder.find()
    if runner is None:
        msg = f"cannot compare with nextest's native probes: {why}"
        if os.environ.get("CI") == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    print(f"native-probe runner: {runner}", flush=True)
    fixtures.build()
    out = os.path.abspath(request.config.getoption("--out"))
    os.makedirs(out, exist_ok=True)
    lib = os.path.join(out, "libnextest_probes.so")
    capture.private_copy(os.path.abspath(request.config.getoption("--lib")), lib)    # with its engine
    env = dict(os.environ, CARGO_TARGET_DIR=fixtures.TARGET)
    env["PATH"] = runner.bin_dir() + os.pathsep + env.get("PATH", "")
    for k in ("NEXTEST_PROFILE", "NEXTEST_TEST_THREADS", "NEXTEST_RETRIES"):
        env.pop(k, None)
    env = capture.preload_env({k: v for k, v in env.items() if k != "LD_PRELOAD"}, lib)
    cmd = ["cargo", "nextest", "run", "--run-ignored", "only", "-j", str(jobs),
           "--stress-count", str(stress), "--status-level", "fail",
           "--final-status-level", "fail", "many::"]
    expected = 1000 * stress

    truth_session = Tracer([("N", runner.path)], os.path.join(out, "truth.txt"))
    print("soak: " + " ".join(cmd), flush=True)
    t0 = time.time()
    proc = subprocess.Popen(cmd, env=env, cwd=fixtures.WORKSPACE, stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(out, "runner.stderr"), "wb"))
    windows = []
    k = 0
    while proc.poll() is None:
        s = Tracer([("N", runner.path), ("S", lib)], os.path.join(out, f"window-{k % 2}.txt"))
        time.sleep(random.uniform(0.5, 1.5))
        windows.append(s.stop())
        k += 1
    rc = proc.wait()
    elapsed = time.time() - t0
    truth_events, _end, problems = truth_session.stop(settle=0.3)

    # only the runner's own process: other runs of the same binary on the machine fire the
    # same native probes (cargo execs cargo-nextest in place, so its pid is the runner's)
    mine = proc.pid
    truth_events = [e for e in truth_events if e[2] == mine]
    windows = [([e for e in evs if e[2] == mine], end, probs) for evs, end, probs in windows]
    starts, dones = {}, {}
    for _tag, kind, _pid, ns, ident in truth_events:
        d = starts if kind == "S" else dones
        if ident in d:
            problems.append(f"truth session: {ident} {kind} twice")
        d[ident] = ns
    if len(starts) != expected or len(dones) != expected:
        problems.append(f"truth session saw {len(starts)} starts and {len(dones)} dones, expected {expected}")
    inside = 0
    seen = {}      # (side, id) -> [starts, dones] over all windows
    per_side = {"N": [0, 0], "S": [0, 0]}
    for events, _end, probs in windows:
        problems += probs
        if not events:
            continue
        firsts, lasts = {}, {}
        counts = {}
        for tag, kind, _pid, ns, ident in events:
            firsts[(tag, kind)] = min(firsts.get((tag, kind), ns), ns)
            lasts[(tag, kind)] = max(lasts.get((tag, kind), ns), ns)
            c = counts.setdefault((tag, ident), [0, 0])
            c[0 if kind == "S" else 1] += 1
            tot = seen.setdefault((tag, ident), [0, 0])
            tot[0 if kind == "S" else 1] += 1
            per_side[tag][0 if kind == "S" else 1] += 1
        if len(firsts) < 4:
            continue  # a window too short for all four streams to deliver
        begin, end = max(firsts.values()) + MARGIN_NS, min(lasts.values()) - MARGIN_NS
        for ident, ts in starts.items():
            td = dones.get(ident)
            if td is None or ts < begin or td > end:
                continue
            inside += 1
            for tag in ("N", "S"):
                got = counts.get((tag, ident), [0, 0])
                if got != [1, 1]:
                    side = "native" if tag == "N" else "library"
                    problems.append(f"{ident}: {side} fired {got[0]} starts, {got[1]} dones inside a window")
    dups = [(t, i) for (t, i), (s, d) in seen.items() if s > 1 or d > 1]
    if dups:
        problems.append(f"{len(dups)} duplicated (side, attempt id), e.g. {dups[0]}")
    if rc != 0:
        problems.append(f"runner exit code {rc} (see {out}/runner.stderr)")
    if inside == 0:
        problems.append("no attempt fell inside an attach window: nothing was checked")
    print(f"soak: {len(starts)} attempts in {elapsed:.1f} s at -j {jobs}, {len(windows)} attach/detach "
          f"windows; {inside} attempts wholly inside a window, all checked on both sides; events in "
          f"windows: native {per_side['N'][0]} starts / {per_side['N'][1]} dones, library "
          f"{per_side['S'][0]} / {per_side['S'][1]}; {len(dups)} duplicated")
    print(f"runner: {runner}")
    assert not problems, f"native soak, {stress} x 1000 attempts:\n    " + "\n    ".join(problems[:20])
