"""tests/protocol/test_protocol.py — real cargo-nextest against nextest-sim, call by call.

Owns: one test per scenario of compare.py (which says what is compared); a failure lists
every difference.  Without cargo-nextest on PATH the tests are skipped with that reason,
except under CI=true, where they fail (CI must have the runner the simulator models).
"""
import os
import shutil
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402
from pytest_helpers import need_option, no_problems  # noqa: E402


@pytest.fixture(scope="module")
def setup(pytestconfig):
    real = shutil.which("cargo-nextest")
    if not real:
        why = "cargo-nextest is not installed (nothing to compare the simulator with)"
        if os.environ.get("CI") == "true":
            pytest.fail(why, pytrace=False)
        pytest.skip(why)
    real = os.path.realpath(real)
    ver = subprocess.run([real, "nextest", "--version"], stdout=subprocess.PIPE, text=True).stdout.split("\n")[0]
    sim = os.path.abspath(need_option(pytestconfig, "sim"))
    print(f"protocol: real {ver} at {real} vs {sim}")
    compare.fixtures.build()
    out = pytestconfig.getoption("out") or os.path.join(compare.REPO, "build", "protocol", "runs")
    return {"real": real, "sim": sim, "calllog": os.path.abspath(need_option(pytestconfig, "calllog")),
            "env": compare.base_env(), "out": os.path.abspath(out)}


@pytest.mark.parametrize("scenario", compare.SCENARIOS, ids=[s.name for s in compare.SCENARIOS])
def test_protocol(setup, scenario):
    problems = compare.run_scenario(scenario, setup["real"], setup["sim"], setup["calllog"],
                                    setup["env"], setup["out"])
    no_problems(problems, f"{len(problems)} differences ({os.path.join(setup['out'], scenario.name)}):")
