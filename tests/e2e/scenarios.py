"""The e2e scenarios: what each runs against the fixture workspace.

Owns: the scenario table and the scenario × version matrix.  A scenario is (runner
arguments after `run`, environment, signals sent to the runner, simulator-only arguments,
the first nextest version that has its feature, output-comparison mode).  The same table
drives the simulator (`nextest-sim run … --truth FILE`, run from a copy that emulates the
version: `nextest-sim emulate V DEST`) and real cargo-nextest (`cargo nextest run …`).
Every scenario runs at every emulated version from its min_version on, plus the cut-off
versions it names (extra_versions).  Fixture names and profiles: tests/fixtures/README.md.
"""

import re
from dataclasses import dataclass, field

# Versions every scenario runs at (docs/compatibility.md); None = the current one (0.9.143).
# Each is a boundary of the library's version rules: 0.9.48 the oldest (old reporter lines,
# __NEXTEST_ATTEMPT, no slots), 0.9.66 libtest-json, 0.9.90 slot variables, 0.9.103 stress
# runs, 0.9.107 the (n/N) counter and the 200 ms leak default, 0.9.116 NEXTEST_ATTEMPT_ID.
EMULATED = [None, "0.9.48", "0.9.66", "0.9.90", "0.9.103", "0.9.107", "0.9.116"]
CURRENT = "0.9.143"

# A scenario's signals are timed from the runner's `Starting N tests across M binaries` line
# (stderr), not from the process start: before that line the runner is still building and
# listing, and a signal that lands before it has installed its handlers (or, on a loaded
# machine, in one of the two runs only) ends or stops it another way.  nextest installs its
# handlers before the run starts and prints the line when it does (RunStarted), at every
# release; so does the simulator.
SIGNALS_AFTER = re.compile(rb"\bStarting\b")


@dataclass
class Scenario:
    name: str
    args: list                                   # after `run`
    env: dict = field(default_factory=dict)
    sim_args: list = field(default_factory=list)  # simulator-only flags (spawn path, reaper)
    actions: list = field(default_factory=list)   # [(seconds after SIGNALS_AFTER, "SIGINT"|"SIGTSTP"|"SIGCONT")]
    min_version: str = "0.9.48"                   # oldest nextest that has the feature
    compare: str = "exact"                        # "exact" | "sorted-lines" (parallel) | "line-set" (time-bounded stress) | "two-writers" (--no-capture, mask.py)
    all_versions: bool = True                     # kept for old callers: every scenario now runs
                                                  # at every emulated version it has the feature in
    extra_versions: list = field(default_factory=list)  # cut-offs run besides EMULATED
    timeout: int = 120
    # where each signal is held, once due, until it lands (capture._signal_landing), in the
    # library's run and the library-free one alike: "in-test" for a Ctrl-C meant to stop
    # a running test
    land: str = None


def v(s):
    return tuple(int(x) for x in s.split("."))


J1 = ["-j", "1"]
SCENARIOS = [
    # --- attempts: outcomes, names, binary kinds ---
    Scenario("basic", [], compare="sorted-lines"),
    Scenario("basic-j1", J1, all_versions=True),
    Scenario("j8", ["-j", "8"], compare="sorted-lines"),
    Scenario("fail", J1 + ["--run-ignored", "only", "fail_"], all_versions=True),
    Scenario("hostile", J1 + ["--run-ignored", "all", "hostile", "::deep"]),
    Scenario("no-double-spawn", J1 + ["basic::"], env={"NEXTEST_DOUBLE_SPAWN": "0"}),
    Scenario("fork-spawn", J1 + ["basic::"], sim_args=["--spawn-path", "fork"]),
    Scenario("sigchld-reaper", J1 + ["basic::"], sim_args=["--reaper", "sigchld"]),
    Scenario("nocapture", ["--no-capture", "basic::"], compare="two-writers"),
    Scenario("color", J1 + ["--color", "always", "--run-ignored", "all", "basic::", "fail_exit_3"]),
    Scenario("libtest-json", J1 + ["--message-format", "libtest-json", "basic::", "fail_assert",
                                   "--run-ignored", "all"],
             env={"NEXTEST_EXPERIMENTAL_LIBTEST_JSON": "1"}, min_version="0.9.66"),
    Scenario("libtest-json-plus", ["--message-format", "libtest-json-plus", "basic::"],
             env={"NEXTEST_EXPERIMENTAL_LIBTEST_JSON": "1"}, min_version="0.9.66",
             compare="sorted-lines"),
    Scenario("measure", J1 + ["--run-ignored", "only", "measure_", "big_output_8mib"]),
    Scenario("many", ["-j", "2", "--run-ignored", "only", "many::"], compare="sorted-lines", timeout=600),
    # --- retries, slow, timeout, leak ---
    Scenario("retries", J1 + ["-P", "retries", "--run-ignored", "only", "retry_"], all_versions=True),
    Scenario("retries-flag", J1 + ["--retries", "1", "--run-ignored", "only", "retry_flaky_once"]),
    Scenario("slow", J1 + ["--run-ignored", "only", "slow_2500ms"], all_versions=True),
    Scenario("terminate", ["-P", "slow", "--run-ignored", "only", "hang_"], compare="sorted-lines",
             all_versions=True),
    Scenario("slow-retries", J1 + ["-P", "slow-retries", "--run-ignored", "only", "slow_1200ms"]),
    Scenario("grace0", J1 + ["-P", "grace0", "--run-ignored", "only", "hang_forever"]),
    # on-timeout arrived in 0.9.115; 0.9.114 ignores the key (the test times out)
    Scenario("timeout-pass", J1 + ["-P", "timeout-pass", "--run-ignored", "only", "slow_1200ms"],
             min_version="0.9.115", extra_versions=["0.9.114", "0.9.115"]),
    Scenario("leak", J1 + ["--run-ignored", "only", "leak_"], all_versions=True),
    Scenario("leak-fail", J1 + ["-P", "leak-fail", "--run-ignored", "only", "leak_grandchild"],
             min_version="0.9.95", extra_versions=["0.9.95"]),
    Scenario("status-none", J1 + ["-P", "status-none", "--run-ignored", "all", "basic::", "slow_2500ms"]),
    Scenario("failfast", J1 + ["-P", "failfast", "--run-ignored", "only", "fail_"]),
    # --- setup scripts (the [scripts.setup] syntax needs 0.9.98) ---
    Scenario("scripts", J1 + ["-P", "scripts", "--run-ignored", "only", "scripts_"],
             min_version="0.9.98", extra_versions=["0.9.98"]),
    # a bad env file fails the script from 0.9.129; before, it is logged and the script passes
    Scenario("scripts-malformed", J1 + ["-P", "scripts-malformed", "basic::pass_quick"], min_version="0.9.98",
             extra_versions=["0.9.128", "0.9.129"]),
    Scenario("scripts-fail", J1 + ["-P", "scripts-fail", "basic::pass_quick"], min_version="0.9.98"),
    # writing a NEXTEST* key to NEXTEST_ENV fails the script from 0.9.129 (before: passes)
    Scenario("scripts-reserved", J1 + ["-P", "scripts-reserved", "basic::pass_quick"], min_version="0.9.98",
             extra_versions=["0.9.128", "0.9.129"]),
    Scenario("scripts-slow", J1 + ["-P", "scripts-slow", "basic::pass_quick"], min_version="0.9.98"),
    Scenario("scripts-hang", J1 + ["-P", "scripts-hang", "basic::pass_quick"], min_version="0.9.98"),
    # --- groups, stress ---
    Scenario("groups", ["-P", "groups", "group_"], compare="sorted-lines", min_version="0.9.48"),
    # Slots at -j 4 / -j 8 (before 0.9.90 the shim derives them; truthdiff replays the rule):
    # 100 ms group tests, quick ones, retries (a test keeps its slot across attempts).
    # RUST_BACKTRACE=0: symbolizing the panicking tests' backtraces takes ~0.3 s each, which
    # at -j 8 on a loaded 2-core machine crosses the profile's 1 s slow-timeout in one of
    # the two runs only (an output difference unrelated to slots).
    Scenario("slots-j4", ["-j", "4", "-P", "groups", "--retries", "1", "--run-ignored", "all",
                          "group_", "basic::", "retry_flaky_once"], env={"RUST_BACKTRACE": "0"},
             compare="sorted-lines", all_versions=True),
    Scenario("slots-j8", ["-j", "8", "-P", "groups", "--retries", "2", "--run-ignored", "all",
                          "group_", "basic::", "retry_"], env={"RUST_BACKTRACE": "0"},
             compare="sorted-lines", all_versions=True),
    Scenario("stress-count", ["-P", "stress", "--stress-count", "3", "basic::"], min_version="0.9.103",
             compare="sorted-lines", all_versions=True),
    Scenario("stress-duration", J1 + ["--stress-duration", "2s", "basic::pass_quick"],
             min_version="0.9.103", compare="line-set"),
    # The Ctrl-C is held until a test process is alive: sent when due, it lands wherever
    # the loop of a 3 ms test is, and under the capture's cost per event the library's run
    # spends longer in the runner's own gaps than a run without it (the gap after a
    # sub-run's start line and before its test's spawn: 2 library runs in 48, no
    # library-free run in 33 tries of one of them; docs/compatibility.md).
    Scenario("stress-infinite", J1 + ["--stress-count", "infinite", "basic::pass_quick"],
             actions=[(2.0, "SIGINT")], min_version="0.9.103", compare="line-set", land="in-test"),
    # --- signals ---
    Scenario("ctrl-c", J1 + ["--run-ignored", "all", "slow_2500ms", "basic::"], actions=[(1.5, "SIGINT")]),
    Scenario("sigtstp", J1 + ["--run-ignored", "only", "slow_2500ms"],
             actions=[(0.7, "SIGTSTP"), (1.7, "SIGCONT")]),
]

BY_NAME = {s.name: s for s in SCENARIOS}


def versions_of(s):
    """The versions scenario s runs at: every EMULATED one from its min_version on, then its
    cut-offs (which may lie below min_version: the older behaviour is emulated too)."""
    out = [x for x in EMULATED if x is None or v(x) >= v(s.min_version)]
    for x in s.extra_versions:
        if x not in out:
            out.append(x)
    return out


def runs(names=None, versions=None):
    """[(scenario, emulated version or None)] to execute: by default every scenario at
    versions_of(it); with versions given, those of them the scenario has."""
    chosen = [BY_NAME[n] for n in names] if names else SCENARIOS
    out = []
    for s in chosen:
        mine = versions_of(s)
        vs = mine if versions is None else [x for x in versions
                                            if x is None or x in mine or v(x) >= v(s.min_version)]
        for ver in vs:
            out.append((s, ver))
    return out
