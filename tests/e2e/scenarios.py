"""The e2e scenarios: what each runs against the fixture workspace.

Owns: the scenario table.  A scenario is (runner arguments after `run`, environment,
emulated nextest version, signals sent to the runner, simulator-only arguments, minimum
real-nextest version, output-comparison mode).  The same table drives the simulator
(`nextest-sim run … --truth FILE [--emulate V]`) and real cargo-nextest
(`cargo nextest run …`).  Fixture names and profiles: tests/fixtures/README.md.
"""

from dataclasses import dataclass, field

# Versions the simulator emulates (docs/compatibility.md); None = the current one.
EMULATED = [None, "0.9.48", "0.9.66", "0.9.90", "0.9.103", "0.9.107", "0.9.116"]


@dataclass
class Scenario:
    name: str
    args: list                                   # after `run`
    env: dict = field(default_factory=dict)
    sim_args: list = field(default_factory=list)  # simulator-only flags (spawn path, reaper)
    actions: list = field(default_factory=list)   # [(seconds after start, "SIGINT"|"SIGTSTP"|"SIGCONT")]
    min_version: str = "0.9.48"                   # oldest nextest that has the feature
    compare: str = "exact"                        # "exact" | "sorted-lines" (parallel) | "line-set" (time-bounded stress)
    all_versions: bool = False                    # also run for every emulated version
    timeout: int = 120


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
    Scenario("nocapture", ["--no-capture", "basic::"]),
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
    Scenario("timeout-pass", J1 + ["-P", "timeout-pass", "--run-ignored", "only", "slow_1200ms"],
             min_version="0.9.115"),
    Scenario("leak", J1 + ["--run-ignored", "only", "leak_"], all_versions=True),
    Scenario("leak-fail", J1 + ["-P", "leak-fail", "--run-ignored", "only", "leak_grandchild"],
             min_version="0.9.95"),
    Scenario("status-none", J1 + ["-P", "status-none", "--run-ignored", "all", "basic::", "slow_2500ms"]),
    Scenario("failfast", J1 + ["-P", "failfast", "--run-ignored", "only", "fail_"]),
    # --- setup scripts (the [scripts.setup] syntax needs 0.9.98) ---
    Scenario("scripts", J1 + ["-P", "scripts", "--run-ignored", "only", "scripts_"],
             min_version="0.9.98", all_versions=True),
    Scenario("scripts-malformed", J1 + ["-P", "scripts-malformed", "basic::pass_quick"], min_version="0.9.98"),
    Scenario("scripts-fail", J1 + ["-P", "scripts-fail", "basic::pass_quick"], min_version="0.9.98"),
    Scenario("scripts-reserved", J1 + ["-P", "scripts-reserved", "basic::pass_quick"], min_version="0.9.98"),
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
    Scenario("stress-infinite", J1 + ["--stress-count", "infinite", "basic::pass_quick"],
             actions=[(2.0, "SIGINT")], min_version="0.9.103", compare="line-set"),
    # --- signals ---
    Scenario("ctrl-c", J1 + ["--run-ignored", "all", "slow_2500ms", "basic::"], actions=[(1.5, "SIGINT")]),
    Scenario("sigtstp", J1 + ["--run-ignored", "only", "slow_2500ms"],
             actions=[(0.7, "SIGTSTP"), (1.7, "SIGCONT")]),
]

BY_NAME = {s.name: s for s in SCENARIOS}


def runs(names=None, versions=None):
    """[(scenario, emulated version or None)] to execute.  By default every scenario at the
    current version, and the all_versions ones at every emulated version their feature
    exists in."""
    chosen = [BY_NAME[n] for n in names] if names else SCENARIOS
    out = []
    for s in chosen:
        vs = versions if versions is not None else (EMULATED if s.all_versions else [None])
        for ver in vs:
            if ver is None or v(ver) >= v(s.min_version):
                out.append((s, ver))
    return out
