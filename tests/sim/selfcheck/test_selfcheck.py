"""tests/sim/selfcheck/test_selfcheck.py — simcheck.py's groups as pytest cases.

Usage: pytest tests/sim/selfcheck --sim build/sim-target/release/nextest-sim [-k misc]
The throwaway workspace is copied and built once, before the first group.
"""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simcheck  # noqa: E402
from pytest_helpers import need_option  # noqa: E402




@pytest.fixture(scope="module")
def workspace(pytestconfig):
    simcheck.use_sim(need_option(pytestconfig, "sim"))
    os.makedirs(simcheck.BUILD, exist_ok=True)
    simcheck.setup_ws()


@pytest.mark.parametrize("group", simcheck.GROUPS, ids=[g.__name__[len("check_"):] for g in simcheck.GROUPS])
def test_sim(workspace, group, checks):
    group(checks)
