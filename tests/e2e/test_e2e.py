"""tests/e2e/test_e2e.py — every scenario run (scenario@version) under real bpftrace with the
library preloaded, one pytest test each; run_e2e.py says how a run is executed and judged.

The selected runs share bpftrace sessions, --batch of them each (attaching costs seconds):
a test runs its batch (itself and the next selected runs) unless an earlier test already
did, then is judged.  A failure lists every problem of the run.
Usage: pytest tests/e2e/test_e2e.py --lib build/libnextest_probes.so [--sim SIM]
       [--emulate VER] [--runner cargo-nextest] [-k 'basic or retries_v0.9.66']
"""
import argparse
import os

import pytest

import run_e2e
from pytest_helpers import need_option, no_problems, selected_params

_STATE = {}


def options(config):
    if "a" not in _STATE:
        a = argparse.Namespace(
            lib=need_option(config, "lib"), runner=config.getoption("runner"),
            sim=config.getoption("sim") or os.path.join(run_e2e.fixtures.REPO, "build", "sim-target", "release", "nextest-sim"),
            out=config.getoption("out") or os.path.join(run_e2e.fixtures.REPO, "build", "e2e", "runs"), emulate=config.getoption("emulate"), list=False,
            nextest=config.getoption("nextest"), junit=config.getoption("junit"),
            batch=config.getoption("batch"), scenario=[])
        ctx, plan = run_e2e.prepare(a, run_e2e.resolve(a))
        _STATE.update(a=a, ctx=ctx, plan=plan)
    return _STATE["a"], _STATE["ctx"], _STATE["plan"]


def pytest_generate_tests(metafunc):
    if "run" in metafunc.fixturenames:
        if not metafunc.config.getoption("lib"):
            metafunc.parametrize("run", [None], ids=["no --lib"])
            return
        _a, ctx, plan = options(metafunc.config)
        if ctx is None:
            metafunc.parametrize("run", [None], ids=["no runner"])
            return
        # scenario@version is written scenario_vVERSION (-k takes no "@"): -k 'not _v' = current only
        metafunc.parametrize("run", plan, ids=[s.name + (f"_v{v}" if v else "") for s, v in plan])


@pytest.fixture(scope="session")
def context(pytestconfig):
    a, ctx, _plan = options(pytestconfig)
    if ctx is None:
        pytest.fail("run_e2e: cargo-nextest not installed", pytrace=False)
    err = run_e2e.setup(a, ctx)
    if err is not None:
        pytest.fail("the library or the simulator is missing (build them first)", pytrace=False)
    return a, ctx


def test_e2e(context, run, request):
    a, ctx = context
    done = _STATE.setdefault("done", {})      # (scenario name, version) -> (Run, took)
    key = lambda r: (r[0].name, r[1])  # noqa: E731  (scenarios are not hashable)
    if key(run) not in done:
        todo = [r for r in selected_params(request, "run") if key(r) not in done]
        batch = todo[[key(r) for r in todo].index(key(run)):][:max(1, a.batch)]
        runs = [run_e2e.Run(s, v, a.out) for s, v in batch]
        took = run_e2e.run_batch(a, ctx, runs)
        for r, ran in zip(batch, runs):
            done[key(r)] = (ran, took)
    r, took = done[key(run)]
    lines = run_e2e.report_lines(r, took)
    print("\n".join(lines))
    if r.problems:
        no_problems(lines)
