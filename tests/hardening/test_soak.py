"""tests/hardening/test_soak.py — soak.py (which says what it checks) as one pytest case.

Usage: pytest tests/hardening/test_soak.py --lib LIB --sim SIM --out DIR --stress-count K
       [--jobs J]   (root, bpftrace; make hardening-soak-short, make soak)
"""
import os

import soak
from pytest_helpers import need_option, no_problems


def test_soak(pytestconfig):
    cfg = pytestconfig
    k = cfg.getoption("stress_count")
    counts, problems = soak.soak(os.path.abspath(need_option(cfg, "lib")), os.path.abspath(need_option(cfg, "sim")),
                                 os.path.abspath(need_option(cfg, "out")), k, cfg.getoption("jobs"))
    print(counts)
    no_problems(problems[:20], f"soak: {k} x 1000 attempts: {counts}")
