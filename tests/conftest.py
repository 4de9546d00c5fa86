"""conftest: what every Python test area shares under pytest.

Owns: tests/lib on sys.path (checks.py, bpfsession.py, elfprobes.py, pytest_helpers.py)
the options several areas share; and the `checks` fixture, whose failed checks fail the test once its body has run (every
check of a scenario runs and is listed, as the harnesses printed them before pytest).
"""
import os
import sys

import pytest

TESTS = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(TESTS)
sys.path.insert(0, os.path.join(TESTS, "lib"))

from checks import Checks  # noqa: E402


def pytest_addoption(parser):
    """The options several areas take (each area's conftest.py adds its own)."""
    g = parser.getgroup("libnextest_probes")
    g.addoption("--lib", help="the library (or library copy) under test")
    g.addoption("--sim", help="nextest-sim")
    g.addoption("--build", help="a build directory (which one: the test file says)")
    g.addoption("--out", help="where runs leave their files")
    g.addoption("--nextest", help="real cargo-nextest to use (a binary or its directory: the test file says)")


@pytest.fixture
def checks():
    return Checks()


@pytest.hookimpl(hookwrapper=True)
def pytest_pyfunc_call(pyfuncitem):
    outcome = yield
    ck = pyfuncitem.funcargs.get("checks")
    if outcome.excinfo is None and isinstance(ck, Checks):
        if not ck.results:
            pytest.fail("the test made no check", pytrace=False)
        if ck.failed:
            pytest.fail(ck.failure_report(), pytrace=False)
