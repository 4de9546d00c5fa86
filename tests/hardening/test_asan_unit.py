"""tests/hardening/test_asan_unit.py — the Criterion unit tests, built with ASan+UBSan
(make hardening-asan-unit builds them into build/asan/), each run with leak detection.

Usage: pytest tests/hardening/test_asan_unit.py --asan-dir build/asan
"""
import os
import re
import subprocess

import pytest

from pytest_helpers import need_option


@pytest.mark.parametrize("binary", ["unit-tests", "test_reporter", "test_libtest", "unit-config",
                                    "test-attempts", "test-run"])
def test_sanitized_unit_tests(binary, pytestconfig):
    d = os.path.abspath(need_option(pytestconfig, "asan_dir"))
    log = os.path.join(d, binary + ".log")
    with open(log, "wb") as f:
        p = subprocess.run([os.path.join(d, binary), "-j2"], stdout=f, stderr=subprocess.STDOUT,
                           env=dict(os.environ, ASAN_OPTIONS="detect_leaks=1"))
    text = open(log, errors="replace").read()
    print("\n".join(l for l in text.splitlines() if "Synthesis" in l))
    bad = [l for l in text.splitlines() if re.search(r"ERROR|runtime error|FAIL|Crash", l)][:5]
    assert p.returncode == 0, f"exit {p.returncode} (see {log}):\n" + "\n".join(bad)
