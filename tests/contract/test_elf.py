"""tests/contract/test_elf.py — the probe contract on a built ELF object (check_elf.py).

Usage: pytest tests/contract/test_elf.py --lib LIB [--arch aarch64] [--bpftrace]
       [--exports preload/thin/hook/exports.map]
test_bpftrace_list and test_exports run when their option is given (skipped, and said so,
otherwise: bpftrace cannot list an aarch64 object on x86_64).
"""
import pytest

import check_elf
from pytest_helpers import need_option as need, no_problems


@pytest.fixture(scope="module")
def lib(pytestconfig):
    return need(pytestconfig, "lib")


def test_notes(lib, pytestconfig):
    problems = check_elf.check_notes(lib, pytestconfig.getoption("arch"))
    no_problems(problems)


def test_bpftrace_list(lib, pytestconfig):
    if not pytestconfig.getoption("bpftrace"):
        pytest.skip("not asked for (--bpftrace)")
    problems = check_elf.check_bpftrace(lib)
    no_problems(problems)


def test_exports(lib, pytestconfig):
    if not pytestconfig.getoption("exports"):
        pytest.skip("not asked for (--exports MAP)")
    problems = check_elf.check_exports(lib, pytestconfig.getoption("exports"))
    no_problems(problems)
