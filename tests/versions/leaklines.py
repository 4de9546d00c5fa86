"""Output differences between two runs of the same command that nextest's own records
explain: a passing test marked LEAK in one run only, by nextest's leak timer.

Owns: that explanation, for the unchanged-output check of real releases
(tests/e2e/run_e2e.py).  After a test process exits, nextest waits for its stdout and
stderr to reach EOF, racing a sleep of the leak timeout (`detect_fd_leaks`,
nextest-runner/src/runner/executor.rs at cargo-nextest-0.9.106 and 0.9.143): if the runner
does not get to poll the pipes' EOF within that time, the test is LEAK (a pass, counted in
the summary's `(N leaky)`) although it left nothing open.  On a loaded machine the runner's
threads can wait for a CPU that long (0.9.106, `many`: one of 1,000 one-line tests LEAK at
0.286 s, its neighbours 0.29–0.80 s, in a run twice as long as the other).  Two runs whose
outputs differ only there are the same behaviour iff each run's own records say so:
  - the run with the LEAK line has that attempt in its JUnit report at least the leak
    timeout long (nextest's stopwatch ran through the whole leak sleep), and
  - when that is the library's run, the runner's threads were measured waiting for a CPU
    (tests/native/preempt.py, the same bpftrace session) for at least the leak timeout
    within that attempt, as nextest's report times it up to the library's done probe: a
    library that held the pipes open would leak without that wait.
The leak timeout is the release's default, 100 ms before 0.9.107 and 200 ms from then on
(the fixtures' only other one, the `leak-fail` profile's, is 200 ms; LEAK-FAIL lines are
not explained here).  Anything else that differs stays a difference.
"""

import re

import junit

LEAK = re.compile(rb"^(?P<pre>\s*(?:TRY \d+ )?)LEAK(?P<post> \[[^\]\n]*\] (?:\([^)\n]*\) )?"
                  rb"(?:\[[0-9/]+\] )?(?P<binary>\S+) (?P<test>.*?)\s*)$")
# the summary's count of passed-but-leaky tests: `(1 leaky)`, `(1 slow, 1 leaky)`
SUMMARY_LEAKY = [(re.compile(rb" \([0-9]+ leaky\)"), b""), (re.compile(rb", [0-9]+ leaky\)"), b")")]


def leak_timeout_ns(version):
    """The default leak timeout of nextest `version` ((0, 9, N) tuple)."""
    return 100_000_000 if version < (0, 9, 107) else 200_000_000


def split(data):
    """(data with each LEAK status line written as a PASS line and the summary's leaky
    count dropped, [(binary, test)] of those lines)."""
    keep, leaks = [], []
    for line in data.split(b"\n"):
        m = LEAK.match(line)
        if m:
            leaks.append((m.group("binary").decode(errors="surrogateescape"),
                          m.group("test").decode(errors="surrogateescape")))
            line = m.group("pre") + b"PASS" + m.group("post")
        elif b"Summary" in line:
            for rx, repl in SUMMARY_LEAKY:
                line = rx.sub(repl, line)
        keep.append(line)
    return b"\n".join(keep), leaks


def explain(shim_leaks, plain_leaks, shim_report, plain_report, version, waited=None):
    """shim_leaks / plain_leaks: split()'s lists of the library's run and the library-free
    one; reports: junit.load of each; version: the release, (0, 9, N); waited(binary, test,
    report_ns): nanoseconds the runner's threads waited for a CPU within that attempt of the
    library's run (None: not measured).  Returns (problems, notes)."""
    problems, notes = [], []
    period = leak_timeout_ns(version)
    shim, plain = set(shim_leaks), set(plain_leaks)
    for key in sorted(shim ^ plain):
        mine = key in shim
        report = shim_report if mine else plain_report
        who = "the library's run" if mine else "the run without the library"
        times = junit.attempt_times(report, *key)
        if not times or max(times) < period - junit.ROUNDING_NS:
            problems.append(f"LEAK line for {key[0]} {key[1]} in {who} only, but its report has no "
                            f"attempt of the leak timeout ({period / 1e9:.3f} s) or more "
                            f"({[x / 1e9 for x in times]})")
            continue
        if mine:
            w = waited(key[0], key[1], max(times)) if waited else None
            if w is None or w < period:
                problems.append(f"LEAK line for {key[0]} {key[1]} in the library's run only, and "
                                f"the runner's threads waited for a CPU "
                                f"{'(not measured)' if w is None else f'{w / 1e6:.1f} ms'} within "
                                f"that attempt, less than the leak timeout ({period / 1e6:.0f} ms)")
                continue
            notes.append(f"{key[0]} {key[1]} LEAK in the library's run only: its report "
                         f"{max(times) / 1e9:.3f} s, the runner's threads waited {w / 1e6:.0f} ms "
                         f"for a CPU in it")
        else:
            notes.append(f"{key[0]} {key[1]} LEAK in the run without the library only: its report "
                         f"{max(times) / 1e9:.3f} s")
    return problems, notes
