"""conftest: the import path of tests/native's pytest tests (this folder and tests/e2e,
whose modules the judge shares), native-diff's and the soak's options (--native-batch,
--soak-stress, --soak-jobs; --lib and --out are
tests/conftest.py's) and its end-of-session report: every scenario's per-probe table, the
table of all of them and the distribution of the time differences (run_native.py)."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
for d in (HERE, os.path.join(HERE, "..", "e2e")):
    if d not in sys.path:
        sys.path.insert(0, d)


def pytest_addoption(parser):
    g = parser.getgroup("native")
    # One session for all scenarios by default: attaching and detaching cost 20-60 s each
    # on a loaded machine (a session's events are told apart by run id and process tree).
    g.addoption("--native-batch", type=int, default=100, help="native-diff: scenarios per bpftrace session")
    g.addoption("--soak-stress", type=int, default=2, help="soak: --stress-count (x 1,000 attempts)")
    g.addoption("--soak-jobs", type=int, default=32, help="soak: -j")


def pytest_terminal_summary(terminalreporter):
    run_native = sys.modules.get("run_native")
    ctx = getattr(run_native, "SESSION", None) if run_native else None
    if ctx is None or not ctx.done:
        return
    terminalreporter.section("native-diff")
    for line in run_native.summary_lines(ctx):
        terminalreporter.write_line(line)
