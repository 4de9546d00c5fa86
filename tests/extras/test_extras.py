"""tests/extras/test_extras.py — the extra provider's end-to-end tests under pytest.

Owns: the pytest cases of run_extras.py (which holds the checks and says what each
group proves): rusage, rusage-standalone, every crash case in both message formats,
each sigvirt mode, hung, quiet.  Each test runs its scenario and lists every check it made.
Usage: pytest tests/extras --lib build/libnextest_probes.so [-k crash]   (root, bpftrace, strace)
"""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_extras as rx  # noqa: E402
from pytest_helpers import need_option  # noqa: E402


@pytest.fixture(scope="module")
def lib(pytestconfig):
    return os.path.abspath(need_option(pytestconfig, "lib"))


@pytest.mark.parametrize("standalone", [False, True], ids=["with-done", "standalone"])
def test_rusage(lib, standalone, checks):
    rx.rusage(checks, lib, standalone)


@pytest.mark.parametrize("fmt", list(rx.CRASH_FORMATS))
@pytest.mark.parametrize("case", rx.CRASH_CASES, ids=[c[2] for c in rx.CRASH_CASES])
def test_crash(lib, case, fmt, checks):
    rx.crash(checks, lib, case, fmt)


@pytest.mark.parametrize("mode", rx.SIGVIRT_MODES)
def test_sigvirt(lib, mode, checks):
    rx.sigvirt(checks, lib, (mode,))


def test_hung(lib, checks):
    rx.hung(checks, lib)


def test_quiet(lib, checks):
    rx.quiet(checks, lib)
