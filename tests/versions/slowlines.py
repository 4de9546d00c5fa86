"""Output differences between two runs of the same command that nextest's own JUnit
reports of those runs explain: a test crossing its slow-timeout in one run only.

Owns: that explanation, for the unchanged-output check of real releases
(tests/e2e/run_e2e.py).  On a loaded machine a test near its slow-timeout (a 200 ms CPU
burn with a 1 s period, with load 16 on two cores) crosses it in some runs and not in
others, with or without the library; the run then prints a `SLOW [> T s] <binary> <test>`
line and counts it in the summary (`(1 slow)`, `1 slow, `).  Two runs whose outputs differ
only there (a setup script's `SETUP SLOW [> T s] <id>: …` likewise) are the same behaviour
iff, in each run, nextest's own report says so: a run
that printed the line has an attempt of that test at least T long (less the report's
half-millisecond rounding), and a run that did not has every attempt of it shorter than T
plus the duration tolerance (records.py: the attempt's stopwatch also covers the pipes'
EOF after the exit, so a test that ends just before its timer fires is reported a little
past T).  Anything else that differs stays a difference.
"""

import re

import junit
import records

SLOW = re.compile(rb"^\s*(?:TRY \d+ )?SLOW \[> *(?P<t>[0-9]+\.[0-9]+)s\] (?:\([^)\n]*\) )?"
                  rb"(?:\[[0-9/]+\] )?(?P<binary>\S+) (?P<test>.*?)\s*$")
# a setup script's: `SETUP SLOW [> 1.500s] <script id>: <command>`, in the report the case
# <script id> of suite `@setup-script:<script id>` (0.9.106 and later)
SETUP_SLOW = re.compile(rb"^\s*SETUP SLOW \[> *(?P<t>[0-9]+\.[0-9]+)s\] (?P<id>[^:\s]+): ")
SUMMARY_SLOW = [(re.compile(rb" \([0-9]+ slow\)"), b""), (re.compile(rb"[0-9]+ slow, "), b""),
                (re.compile(rb", [0-9]+ slow\)"), b")")]


def split(data):
    """(data without its test SLOW lines and the summary's slow count, [(binary, test, T ns)])."""
    keep, slow = [], []
    for line in data.split(b"\n"):
        m = SETUP_SLOW.match(line)
        if m:
            sid = m.group("id").decode(errors="surrogateescape")
            slow.append(("@setup-script:" + sid, sid, round(float(m.group("t")) * 1e9)))
            continue
        m = SLOW.match(line)
        if m and b"SETUP" not in line.split(b"SLOW")[0]:
            slow.append((m.group("binary").decode(errors="surrogateescape"),
                         m.group("test").decode(errors="surrogateescape"),
                         round(float(m.group("t")) * 1e9)))
            continue
        if b"Summary" in line:
            for rx, repl in SUMMARY_SLOW:
                line = rx.sub(repl, line)
        keep.append(line)
    return b"\n".join(keep), slow


def explain(a_lines, b_lines, a_report, b_report):
    """a_lines / b_lines: the `slow` lists of split() for runs a and b; reports: junit.load
    of each run's report.  Returns the problems (empty: the SLOW lines that differ are
    what each run's own report says)."""
    problems = []
    a_set, b_set = {x[:2]: x[2] for x in a_lines}, {x[:2]: x[2] for x in b_lines}
    for key in sorted(set(a_set) ^ set(b_set)):
        runs = (("a", a_report), ("b", b_report))
        (hn, hr), (ln, lr) = runs if key in a_set else runs[::-1]
        t = (a_set if key in a_set else b_set)[key]
        ht, lt = junit.attempt_times(hr, *key), junit.attempt_times(lr, *key)
        if not ht or max(ht) < t - junit.ROUNDING_NS:
            problems.append(f"SLOW line for {key[0]} {key[1]} in run {hn} only, but its report has "
                            f"no attempt of {t / 1e9:.3f} s or more ({[x / 1e9 for x in ht]})")
        if not lt or max(lt) >= t + records.tolerance_ns(t):
            problems.append(f"no SLOW line for {key[0]} {key[1]} in run {ln}, but its report has an "
                            f"attempt past {t / 1e9:.3f} s + tolerance ({[x / 1e9 for x in lt]})")
    return problems

