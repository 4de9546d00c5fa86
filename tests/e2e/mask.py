"""Masking of run-to-run noise in a runner's stdout/stderr, so the output of a run with
the shim can be compared byte for byte with a run without it.

Owns: the mask regexes.  Each one matches one precise, known-variable token and nothing
else; nothing is masked wholesale (no line dropping, no whitespace folding).
"""

import re

_UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _split_uuid(m):
    """A UUID whose unique prefix nextest highlights (a recorded run, 0.9.131 and later:
    `\x1b[35;1m6\x1b[0m\x1b[90m9012bdd-…`); the prefix's length depends on the other
    recorded runs.  Anything else is left as it was."""
    return b"<UUID>" if _UUID.fullmatch(m.group(1) + m.group(3)) else m.group(0)


MASKS = [
    # run ids with a highlighted unique prefix (colour codes inside the UUID)
    (re.compile(rb"(?<![0-9a-f-])([0-9a-f][0-9a-f-]*)((?:\x1b\[[0-9;]*m)+)([0-9a-f-]*[0-9a-f])(?![0-9a-f-])"),
     _split_uuid),
    # run ids (nextest prints the run UUID; attempt ids contain it)
    # (hex-digit lookarounds, not \b: with colour the UUID follows `\x1b[1m`)
    (re.compile(rb"(?<![0-9a-f])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9a-f])"),
     b"<UUID>"),
    # status-line and summary durations: `[   0.012s]`, `[ 1.234s]` (not `[>  1.000s]`, which is
    # k x slow-timeout period and must match)
    (re.compile(rb"\[ *[0-9]+\.[0-9]{3}s\]"), b"[<DUR>]"),
    # cargo's build line: `Finished `test` profile [unoptimized + debuginfo] target(s) in 0.02s`
    # (with --color always, `Finished\x1b[0m `test` …`)
    (re.compile(rb"(Finished(?:\x1b\[[0-9;]*m)* `[^`\n]*` profile \[[^\]\n]*\] target\(s\)) in (?:[0-9]+m )?[0-9]+(?:\.[0-9]+)?s"),
     rb"\1 in <DUR>"),
    # libtest's own summary inside captured output: `finished in 0.00s`
    (re.compile(rb"finished in [0-9]+\.[0-9]+s"), b"finished in <DUR>"),
    # libtest-json(-plus): `"exec_time":0.001234`
    (re.compile(rb'"exec_time":[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?'), b'"exec_time":<DUR>'),
    # Rust panic messages name the thread id: `thread 'x' (4748) panicked`
    (re.compile(rb"(thread '[^'\n]*') \([0-9]+\) panicked"), rb"\1 (<TID>) panicked"),
    # the setup-script env file: `/tmp/nextest-envAbC123`
    (re.compile(rb"/tmp/nextest-env[A-Za-z0-9_]+"), b"/tmp/nextest-env<TMP>"),
    # a stress run's wall-clock progress: `Stress test iteration 3/3 (00:00:01 elapsed so far, …`
    (re.compile(rb"\([0-9]{2}:[0-9]{2}:[0-9]{2} elapsed so far"), b"(<HH:MM:SS> elapsed so far"),
    # a terminated child's pid in nextest's messages: `(pid 1234)`
    (re.compile(rb"\(pid [0-9]+\)"), b"(pid <PID>)"),
]


# Only for parallel runs compared as sorted lines: the running counter in a status line,
# `[<DUR>] ( 3/30)`, follows completion order, which is scheduling; the total stays.
# (with stress runs a `[2/3] ` or `[17] ` sub-run tag sits between the two)
PARALLEL_MASKS = [
    (re.compile(rb"(\[<DUR>\] (?:\[[0-9/]+\] )?)\( *[0-9]+/([0-9]+)\)"), rb"\1(<I>/\2)"),
]

# Only for time-bounded stress runs (--stress-duration, infinite + Ctrl-C), compared as a
# set of line shapes: how many iterations fit in the time is not the runner's behaviour
# under test (any overhead changes it), the kinds of lines it prints are.
STRESS_MASKS = [
    (re.compile(rb"iteration [0-9]+"), b"iteration <N>"),
    (re.compile(rb"(\[<DUR>\] )\[[0-9]+\] "), rb"\1[<N>] "),
    (re.compile(rb"[0-9]{2}:[0-9]{2}:[0-9]{2}"), b"<HH:MM:SS>"),
    (re.compile(rb"[0-9]+ stress run iterations: [0-9]+ passed"), b"<N> stress run iterations: <N> passed"),
]


def mask(data, parallel=False, stress=False):
    for rx, repl in MASKS + (PARALLEL_MASKS if parallel else []) + (STRESS_MASKS if stress else []):
        data = rx.sub(repl, data)
    return data


# "two-writers" (`--no-capture`): the tests write straight to the runner's inherited stdout
# and stderr while nextest's reporter prints its lines when it handles the events the test's
# unit sent it over a channel (the unit sends Started and spawns the test without waiting:
# nextest-runner/src/runner.rs at cargo-nextest-0.9.72), so where a test's lines fall among
# nextest's is scheduling.  Each writer's lines must be the same in the same order: nextest's
# (and cargo's) indented status lines and its separator lines, and the tests' lines
# (which the fixtures write unindented).
RUNNER_LINE = re.compile(rb"^(?: +\S.*|-{3,}|(?:\xe2\x94\x80){3,})$")


def _writers(data):
    lines = data.split(b"\n")
    return (b"\n".join(x for x in lines if RUNNER_LINE.match(x)),
            b"\n".join(x for x in lines if not RUNNER_LINE.match(x)))


def compare(a, b, mode):
    """None if equal after masking (mode "exact": byte for byte; "sorted-lines": the same
    lines in any order, for parallel runs whose line order is scheduling-dependent;
    "line-set": the same distinct lines, for time-bounded stress runs; "two-writers": the
    runner's lines in order and the tests' lines in order, for `--no-capture`); otherwise a
    short description of the first difference."""
    if mode == "two-writers":
        for who, x, y in zip(("nextest's lines", "the tests' lines"), _writers(a), _writers(b)):
            d = compare(x, y, "exact")
            if d:
                return f"{who}: {d}"
        return None
    par, stress = mode in ("sorted-lines", "line-set"), mode == "line-set"
    ma, mb = mask(a, par, stress), mask(b, par, stress)
    if mode == "sorted-lines":
        ma = b"\n".join(sorted(ma.split(b"\n")))
        mb = b"\n".join(sorted(mb.split(b"\n")))
    elif mode == "line-set":
        ma = b"\n".join(sorted(set(ma.split(b"\n"))))
        mb = b"\n".join(sorted(set(mb.split(b"\n"))))
    if ma == mb:
        return None
    la, lb = ma.split(b"\n"), mb.split(b"\n")
    for i, (x, y) in enumerate(zip(la, lb)):
        if x != y:
            return f"line {i + 1}: {x[:300]!r} vs {y[:300]!r}"
    return f"{len(la)} vs {len(lb)} lines"
