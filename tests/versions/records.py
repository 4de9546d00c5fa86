"""What the comparisons with nextest's own records of a run share.

Owns: the one duration tolerance of those comparisons, the probed events grouped the way
the records key them, the pairing of record entries with probed ones (an entry on one side
only is a problem), and the counts each comparison reports.  The records themselves are
read by junit.py (the JUnit report), libtest.py (the libtest-json(-plus) stream) and
recording.py (the run recording of 0.9.131 and later).
"""

import json
import os
import sys

_TESTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path[:0] = [os.path.join(_TESTS, "native"), os.path.join(_TESTS, "e2e")]   # preempt needs capture
import preempt  # noqa: E402  (tests/native/preempt.py: the runner threads' waits for a CPU)

# Durations.  nextest's stopwatch (`run_test` / `run_setup_script` in
# nextest-runner/src/runner/executor.rs at cargo-nextest-0.9.143) starts before it builds the
# command and stops after its runtime has handled the exit and the pipes' EOF; the library
# reads its clock at the libc calls in between, in the same process.  The gap is the
# runner's own work plus the scheduling of its threads, milliseconds on a loaded 2-core
# machine; the relative part covers timer-driven values (slow- and leak-timeouts) whose
# error grows with the duration.  The same bound as the e2e's simulator truth
# (tests/e2e/truthdiff.py: 20 ms + 2 %).  A record that rounds (the JUnit report: three
# decimals) adds its half unit: `rounding_ns`.
TIME_ABS_NS = 20_000_000
TIME_REL = 0.02
EXACT_NS = 500_000   # a difference this small is counted as exact in the report line


#
# Beyond the tolerance, a duration may be shorter than nextest's by the time the runner's
# threads were measured waiting for a CPU (preempted, runnable but not running) in the
# gaps where nextest's stopwatch runs and the library's clock does not: before the
# library's start (on the thread that spawned the attempt) and after its end (on any
# runner thread: nextest's runtime finishes the attempt wherever it runs).  Measured by the
# same bpftrace session (tests/native/preempt.py), never guessed: that wait is the loaded
# machine's, not the library's error.  With native probes the gaps are known exactly (the
# native done's t_ns and duration place nextest's stopwatch: preemption_gap_native); from a
# record without firing times, each gap is bounded by the whole difference on its side
# (preemption_gap).  A library duration longer than nextest's is excused only for a leaked
# attempt, whose clock the library stops when the runner closes the pipes, after nextest's
# stopwatch has stopped: by the wait of the closing thread in that gap.


def _waits(preempted):
    """preempt.Waits from {tid: [(off, on)]} (or already one)."""
    return preempt.Waits(preempted) if isinstance(preempted, dict) else preempted


def tolerance_ns(truth_ns, rounding_ns=0):
    return TIME_ABS_NS + TIME_REL * truth_ns + rounding_ns


def preemption_gap(preempted, p, truth_ns):
    """Nanoseconds a runner thread waited for a CPU where nextest's stopwatch may have run
    and the library's did not, for the probed done `p` (from probed(): `_t_ns`, and the
    start's `_start_tid` when known) whose duration is shorter than truth_ns."""
    d = truth_ns - p["duration_nanos"]
    if not preempted or d == 0 or "_t_ns" not in p:
        return 0
    preempted = _waits(preempted)
    lib_start, lib_end = library_clock(p["_t_ns"], p.get("_start_t_ns"), p["duration_nanos"])
    if d < 0:
        # longer: only a leaked attempt's clock runs past nextest's, to the runner's close
        # of the pipes after its stopwatch stopped, on the thread that closed them
        return preempt.within(preempted, p["_tid"], lib_end + d, lib_end) if p.get("leaked") else 0
    before = preempt.within(preempted, p.get("_start_tid", p["_tid"]), lib_start - d, lib_start)
    return before + preempt.within_any(preempted, lib_end, lib_end + d)


def library_clock(done_t_ns, start_t_ns, duration):
    """Where the library's clock ran for a done probe fired at done_t_ns: it stopped at the
    last EOF/reap, which can lie well before the firing (the thread may wait for a CPU
    inside the hook, before the probe fires; nextest's stopwatch, read after the hook
    returns, runs on), and it started before the spawn, so before the start probe fired:
    its end is at most start_t_ns + duration."""
    end = done_t_ns if start_t_ns is None else min(done_t_ns, start_t_ns + duration)
    return end - duration, end


def preemption_gap_native(preempted, native_done, native_start, shim_done, shim_start=None,
                          field="duration_nanos"):
    """The same with nextest's stopwatch placed by its own done probe (t_ns − duration ..
    t_ns), as tests/native/judge.py does."""
    if not preempted:
        return 0
    preempted = _waits(preempted)
    try:
        dn = json.loads(native_done["arg0"])["ok"][field]
        ds = json.loads(shim_done["arg0"])["ok"][field]
    except (ValueError, KeyError, TypeError):
        return 0
    if not isinstance(dn, int) or not isinstance(ds, int) or ds == dn:
        return 0
    tid = native_start["tid"] if native_start else native_done["tid"]
    sw_start, sw_end = native_done["t_ns"] - dn, native_done["t_ns"]
    lib_start, lib_end = library_clock(shim_done["t_ns"], shim_start["t_ns"] if shim_start else None, ds)
    if ds > dn:
        leaked = json.loads(shim_done["arg0"])["ok"].get("leaked")
        return preempt.within(preempted, shim_done["tid"], sw_end, lib_end) if leaked else 0
    return preempt.within(preempted, tid, sw_start, lib_start) + \
        preempt.within_any(preempted, lib_end, sw_end)


def time_problem(field, probed_ns, truth_ns, what, rounding_ns=0, preempted_ns=0):
    """None, or the problem text when probed_ns is off truth_ns by more than the tolerance
    (plus preempted_ns, the measured wait for a CPU in the gaps: preemption_gap)."""
    tol = tolerance_ns(truth_ns, rounding_ns)
    extra = preempted_ns
    if abs(probed_ns - truth_ns) > tol + extra:
        more = f" + {extra / 1e6:.1f} ms preempted" if extra else ""
        return f"{field} {probed_ns} ({what}: {truth_ns}, ±{tol / 1e6:.1f} ms{more})"
    return None


def excused(probed_ns, truth_ns, rounding_ns=0):
    """True when the difference is beyond the tolerance (so only the preemption covers it)."""
    return abs(probed_ns - truth_ns) > tolerance_ns(truth_ns, rounding_ns)


def probed(capture, probe):
    """The `ok` objects of every captured firing of `probe`, in capture order, each with
    its firing's `_t_ns` and `_tid`, and for a done the `_start_tid` and `_start_t_ns` of
    its start (fired by the thread that spawned, right after the spawn)."""
    starts = {}
    if probe in ("test-attempt-done", "setup-script-done"):
        sp = "test-attempt-start" if probe == "test-attempt-done" else "setup-script-start"
        for e in capture:
            if e["probe"] == sp:
                starts.setdefault(e["args"][0] if e.get("args") else None, e)
    out = []
    for e in capture:
        if e["probe"] != probe:
            continue
        ok = dict(json.loads(e["arg0"])["ok"], _t_ns=e["t_ns"], _tid=e["tid"])
        key = e["args"][0] if e.get("args") else None
        if key in starts:
            ok["_start_tid"], ok["_start_t_ns"] = starts[key]["tid"], starts[key]["t_ns"]
        out.append(ok)
    return out


class Tally:
    """Per comparison: how many entries were paired, and how their times came out."""

    def __init__(self, label):
        self.label = label
        self.problems = []
        self.counts = {"tests": 0, "attempts": 0, "exact": 0, "within": 0, "different": 0,
                       "preempted": 0}

    def problem(self, text):
        self.problems.append(f"{self.label} {text}")

    def pair(self, truth, probes, name_of, record="nextest's record"):
        """Yields (key, truth entry, probed entry) for the keys on both sides, sorted; a key
        on one side only is a problem."""
        for key in sorted(set(truth) | set(probes), key=repr):
            t, p = truth.get(key), probes.get(key)
            if t is None:
                self.problem(f"{name_of(key)}: probed, not in {record}")
            elif p is None:
                self.problem(f"{name_of(key)}: in {record}, not probed")
            else:
                yield key, t, p

    def judge(self, name, bad, time_diffs_ns, preempted=False):
        """One compared entry: `bad` = its differing fields, time_diffs_ns = |probe − truth|
        of its times (all within tolerance when bad is empty), preempted = a time was
        beyond the tolerance and within it plus the measured preemption."""
        if bad:
            self.counts["different"] += 1
            self.problem(f"{name}: " + "; ".join(bad))
        elif preempted:
            self.counts["preempted"] += 1
        elif all(d <= EXACT_NS for d in time_diffs_ns):
            self.counts["exact"] += 1
        else:
            self.counts["within"] += 1

    def judge_duration(self, name, bad, p, truth_ns, what, preempted, rounding_ns=0):
        """judge() for an entry whose one time is the probed done `p`'s duration_nanos against
        truth_ns (nextest's record `what`): the tolerance, the measured preemption
        (preemption_gap), then the entry counted; `bad` = its other differing fields."""
        ns = p["duration_nanos"]
        d = time_problem("duration_nanos", ns, truth_ns, what, rounding_ns,
                         preemption_gap(preempted, p, truth_ns))
        self.judge(name, bad + [d] if d else bad, [abs(ns - truth_ns)],
                   excused(ns, truth_ns, rounding_ns))

    def summary(self):
        c = self.counts
        return (f"{c['tests']} tests, {c['attempts']} attempts, {c['exact']} exact, "
                f"{c['within']} within tolerance"
                + (f", {c['preempted']} within tolerance + measured preemption" if c["preempted"] else ""))
