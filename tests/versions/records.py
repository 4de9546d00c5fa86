"""What the comparisons with nextest's own records of a run share.

Owns: the one duration tolerance of those comparisons, the probed events grouped the way
the records key them, the pairing of record entries with probed ones (an entry on one side
only is a problem), and the counts each comparison reports.  The records themselves are
read by junit.py (the JUnit report), libtest.py (the libtest-json(-plus) stream) and
recording.py (the run recording of 0.9.131 and later).
"""

import json

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


def tolerance_ns(truth_ns, rounding_ns=0):
    return TIME_ABS_NS + TIME_REL * truth_ns + rounding_ns


def time_problem(field, probed_ns, truth_ns, what, rounding_ns=0):
    """None, or the problem text when probed_ns is off truth_ns by more than the tolerance."""
    tol = tolerance_ns(truth_ns, rounding_ns)
    if abs(probed_ns - truth_ns) > tol:
        return f"{field} {probed_ns} ({what}: {truth_ns}, ±{tol / 1e6:.1f} ms)"
    return None


def probed(capture, probe):
    """The `ok` objects of every captured firing of `probe`, in capture order."""
    return [json.loads(e["arg0"])["ok"] for e in capture if e["probe"] == probe]


class Tally:
    """Per comparison: how many entries were paired, and how their times came out."""

    def __init__(self, label):
        self.label = label
        self.problems = []
        self.counts = {"tests": 0, "attempts": 0, "exact": 0, "within": 0, "different": 0}

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

    def judge(self, name, bad, time_diffs_ns):
        """One compared entry: `bad` = its differing fields, time_diffs_ns = |probe − truth|
        of its times (all within tolerance when bad is empty)."""
        if bad:
            self.counts["different"] += 1
            self.problem(f"{name}: " + "; ".join(bad))
        elif all(d <= EXACT_NS for d in time_diffs_ns):
            self.counts["exact"] += 1
        else:
            self.counts["within"] += 1

    def summary(self):
        c = self.counts
        return (f"{c['tests']} tests, {c['attempts']} attempts, {c['exact']} exact, "
                f"{c['within']} within tolerance")
