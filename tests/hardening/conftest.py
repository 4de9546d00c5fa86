"""conftest (hardening): what the hardening targets pass besides --build (build/hardening),
--sim, --lib (the library copy to preload and trace) and --out (the soak's directory)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def pytest_addoption(parser):
    g = parser.getgroup("hardening")
    g.addoption("--asan-dir", dest="asan_dir", help="build/asan (test_asan_unit.py)")
    g.addoption("--stress-count", dest="stress_count", type=int, default=2,
                help="the soak's K x 1,000 attempts (test_soak.py)")
    g.addoption("--jobs", dest="jobs", type=int, default=32, help="the soak's -j (test_soak.py)")


def pytest_configure(config):
    for g in ("errno", "sabotage", "asan", "tsan"):
        config.addinivalue_line("markers", f"{g}: the {g} cases of test_hardening.py")
