"""conftest (e2e): the options of `make e2e` (those of run_e2e.py's command line; --lib,
--sim, --out and --nextest are tests/conftest.py's) and the e2e harness on sys.path."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def pytest_addoption(parser):
    g = parser.getgroup("e2e")
    g.addoption("--runner", default=os.environ.get("NEXTEST_E2E_RUNNER", "sim"), choices=["sim", "cargo-nextest"])
    g.addoption("--emulate", action="append", help="only these emulated versions ('current' = none)")
    g.addoption("--junit", action="store_true", help="real mode: also compare with nextest's JUnit report")
    g.addoption("--batch", type=int, default=10, help="scenarios per bpftrace session")
