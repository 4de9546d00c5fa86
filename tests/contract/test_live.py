"""tests/contract/test_live.py — the ten probes fire under real bpftrace (live_probes.py).

Usage: pytest tests/contract/test_live.py --fire-all build/contract/fire-all   (root)
"""
import live_probes
from pytest_helpers import need_option as need, no_problems


def test_live_probes(pytestconfig):
    problems, summary = live_probes.verify(need(pytestconfig, "fire_all"), verbose=True)
    no_problems(problems)
    print(summary)
