"""tests/native/test_native_diff.py — the differential test against real nextest's own
(native) USDT probes: one pytest test per scenario (every e2e scenario real nextest can
run, this area's own, the PTY scenarios), ids by scenario name (`-k 'retries or pty-16'`,
`-k 'not ctrl-c'`); run_native.py says how a scenario is run and judged.

The selected scenarios share one bpftrace session (--native-batch of them each: attaching
and detaching cost 20-60 s each on a loaded machine): a test runs its batch (itself and
the next selected scenarios) unless an earlier test already did, then is judged.  A
failure lists every problem of its scenario; the end of the session prints every
scenario's per-probe table, the table of all of them and the distribution of the time
differences (conftest.py).  Without a nextest that has native probes, bpftrace or root
each test is skipped with the reason (under CI=true it fails).
Usage: pytest tests/native/test_native_diff.py --lib build/libnextest_probes.so
       [--out build/native/runs] [--native-batch N] [-k EXPR]
"""
import os

import pytest

import run_native
from pytest_helpers import need_option, no_problems, selected_params

_STATE = {}


def _runner():
    if "runner" not in _STATE:
        _STATE["runner"] = run_native.find_runner()
    return _STATE["runner"]


def pytest_generate_tests(metafunc):
    if "scenario" not in metafunc.fixturenames:
        return
    runner, _why = _runner()
    # Without a runner the plan is this nextest release's (every test then reports why it
    # cannot run); the version only drops scenarios needing a newer one.
    version = runner.version if runner is not None else "0.9.143"
    plan = run_native.plan(None, version)
    metafunc.parametrize("scenario", plan, ids=[s.name for s, _cols in plan])


@pytest.fixture(scope="session")
def context(pytestconfig):
    runner, why = _runner()
    if runner is None:
        msg = f"cannot compare with nextest's native probes: {why}"
        if os.environ.get("CI") == "true":
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)
    lib = os.path.abspath(need_option(pytestconfig, "lib"))
    if not os.path.exists(lib):
        pytest.fail(f"library {lib} missing (build it first)", pytrace=False)
    out = os.path.abspath(pytestconfig.getoption("out")
                          or os.path.join(run_native.fixtures.REPO, "build", "native", "runs"))
    print(f"native-probe runner: {runner}", flush=True)
    ctx = run_native.Context(runner, lib, out, pytestconfig.getoption("native_batch"))
    run_native.SESSION = ctx
    return ctx


def test_native_diff(context, scenario, request):
    ctx = context
    done = _STATE.setdefault("done", {})      # scenario name -> (Run, batch timing)
    name = scenario[0].name
    if name not in done:
        todo = [x for x in selected_params(request, "scenario") if x[0].name not in done]
        batch = todo[[x[0].name for x in todo].index(name):][:max(1, ctx.batch)]
        runs = [run_native.Run(s, cols, ctx.out) for s, cols in batch]
        took = run_native.run_batch(ctx, runs)
        for (s, _cols), run in zip(batch, runs):
            done[s.name] = (run, took)
    run, took = done[name]
    lines = run_native.report_lines(run, took)
    print("\n".join(lines))
    no_problems(run.problems, "\n".join(lines[:2]))
