"""conftest: what every Python test area shares under pytest.

Owns: tests/lib on sys.path (checks.py, bpfsession.py, elfprobes.py); the `checks`
fixture, whose failed checks fail the test once its body has run (every check of a
scenario runs and is listed, as the harnesses printed them before pytest); and
`selected_params`, the parameter values of the tests pytest will actually run (so that a
scenario group sharing one tracer session runs only what -k selected).
"""
import os
import sys

import pytest

TESTS = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(TESTS)
sys.path.insert(0, os.path.join(TESTS, "lib"))

from checks import Checks  # noqa: E402


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


def selected_params(request, argname):
    """The values of parameter `argname` of every selected test of this test function, in
    run order (after -k / node-id selection)."""
    fn = request.node.originalname if hasattr(request.node, "originalname") else request.function.__name__
    out = []
    for item in request.session.items:
        cs = getattr(item, "callspec", None)
        if cs is not None and argname in cs.params and getattr(item, "originalname", None) == fn \
                and item.module is request.module:
            if cs.params[argname] not in out:
                out.append(cs.params[argname])
    return out


def path_option(config, name, default=None):
    """An absolute path from a command-line option (or the default), or None."""
    v = config.getoption(name) or default
    return os.path.abspath(v) if v else None
